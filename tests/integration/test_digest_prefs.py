"""Digest preferences over HTTP: each user reads and sets their own; bad bodies are refused whole."""

from __future__ import annotations

import pytest
from apikit import API, exchange
from conftest import TODAY


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("digest-prefs")
    return exchange(f"sqlite:///{tmp / 'prefs.db'}", tmp / "out", TODAY, match=False)


def test_defaults_come_from_the_settings(ex):
    r = ex.get("valdres", "/me/digest")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "enabled": True,
        "min_score": ex.settings.digest_min_score,
        "max_items": ex.settings.digest_max_items,
    }


def test_a_user_sets_their_own_preferences(ex):
    wanted = {"enabled": False, "min_score": 0.55, "max_items": 25}
    r = ex.put("nordalu", "/me/digest", json=wanted)
    assert r.status_code == 200, r.text
    assert r.json() == wanted
    assert ex.get("nordalu", "/me/digest").json() == wanted
    assert ex.get("vejle", "/me/digest").json()["enabled"] is True  # other accounts keep theirs
    assert ex.put("nordalu", "/me/digest", json={"enabled": True, "min_score": 1, "max_items": 200}).json() == {
        "enabled": True,
        "min_score": 1.0,
        "max_items": 200,
    }
    # JSON's integer includes 25.0
    assert ex.put("nordalu", "/me/digest", json={"enabled": True, "min_score": 0, "max_items": 25.0}).json() == {
        "enabled": True,
        "min_score": 0.0,
        "max_items": 25,
    }
    trail = ex.get("admin", "/audit", params={"entity": "account", "key": "nordalu"}).json()["items"]
    assert [e["action"] for e in trail][:3] == ["digest"] * 3


@pytest.mark.parametrize(
    "body, field",
    [
        ({"enabled": True, "min_score": 1.5, "max_items": 10}, "min_score"),
        ({"enabled": True, "min_score": -0.1, "max_items": 10}, "min_score"),
        ({"enabled": True, "min_score": "0.5", "max_items": 10}, "min_score"),
        ({"enabled": True, "min_score": 0.5, "max_items": 0}, "max_items"),
        ({"enabled": True, "min_score": 0.5, "max_items": 201}, "max_items"),
        ({"enabled": True, "min_score": 0.5, "max_items": 2.5}, "max_items"),
        ({"enabled": "yes", "min_score": 0.5, "max_items": 10}, "enabled"),
        ({"enabled": 1, "min_score": 0.5, "max_items": 10}, "enabled"),
        ({"min_score": 0.5, "max_items": 10}, "enabled"),
        ({"enabled": True, "min_score": 0.5, "max_items": 10, "weekly": True}, "weekly"),
    ],
)
def test_bad_preferences_are_refused_and_nothing_changes(ex, body, field):
    before = ex.get("vejle", "/me/digest").json()
    r = ex.put("vejle", "/me/digest", json=body)
    assert r.status_code == 422, r.text
    assert any(field in d["field"] for d in r.json()["error"]["details"]), r.json()
    assert ex.get("vejle", "/me/digest").json() == before


def test_preferences_need_a_signed_in_user(ex):
    assert ex.client.get(f"{API}/me/digest").status_code == 401
    assert (
        ex.client.put(f"{API}/me/digest", json={"enabled": False, "min_score": 0.5, "max_items": 5}).status_code == 401
    )
