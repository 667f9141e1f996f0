"""`GET /api/v1/profiles?modified_since=…`: another system follows partnermatch's profiles incrementally.

A stable order behind a cursor, pages that never repeat or skip a change, withdrawals and deletions visible
as such, and nothing a viewer may not see: on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from apikit import exchange, firm_names
from fastapi.testclient import TestClient

from api.http.app import create_app

TODAY = date(2026, 11, 21)
EPOCH = "2000-01-01T00:00:00Z"


@pytest.fixture(params=["sqlite", "postgres"])
def ex(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'feed.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    ex = exchange(url, tmp_path / "out", TODAY, match=False)
    ex.settings = ex.settings.model_copy(update={"feed_settle_seconds": 0.0})
    ex.client = TestClient(create_app(ex.settings), raise_server_exceptions=False)
    return ex


def follow(ex, who: str, per_page: int = 7, **start) -> tuple[list[dict], str | None]:
    """Read the feed to its end; every change, and the cursor to follow it later."""
    params = start or {"modified_since": EPOCH}
    items: list[dict] = []
    cursor = None
    while True:
        response = ex.get(who, "/profiles", params=params | {"per_page": per_page})
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= per_page
        items += body["items"]
        cursor = body["next_cursor"] or cursor
        if not body["has_more"]:
            return items, cursor
        params = {"cursor": body["next_cursor"]}


def _listed(ex, who: str) -> set[str]:
    refs = set()
    page = 1
    while True:
        body = ex.get(who, "/profiles", params={"page": page, "per_page": 200}).json()
        refs |= {p["reference"] or p["key"] for p in body["items"]}
        if page * 200 >= body["total"]:
            return refs
        page += 1


def test_a_firm_follows_every_change_in_order_and_sees_only_what_it_may(ex):
    items, cursor = follow(ex, "valdres")
    assert {i["change"] for i in items} == {"updated"}
    times = [i["at"] for i in items]
    assert times == sorted(times)
    shown = [i["profile"]["reference"] or i["profile"]["key"] for i in items]
    assert len(shown) == len(set(shown))  # no repeats across pages
    assert set(shown) == _listed(ex, "valdres")  # exactly what the profile search lists to this firm
    # Each profile exactly as the profile API shows it to this viewer; no hidden firm is named.
    first = items[0]["profile"]
    ref = first["reference"] or first["key"]
    assert ex.get("valdres", f"/profiles/{ref}").json() == first
    text = json.dumps(items)
    own = ex.get("valdres", "/firms/no-valdres-dorfabrikk").json()["name"]
    hidden = [n for n in firm_names(ex.settings).values() if n != own]
    assert not [n for n in hidden if n in text]
    # Nothing new: the cursor gives an empty page, and keeps its place.
    body = ex.get("valdres", "/profiles", params={"cursor": cursor}).json()
    assert body["items"] == [] and body["next_cursor"] == cursor and body["has_more"] is False


def test_withdrawals_updates_and_deletions_reach_a_follower(ex):
    _, cursor = follow(ex, "valdres")
    dac_profiles = ex.get("dac-advisor", "/profiles", params={"status": "published", "per_page": 200}).json()["items"]
    mine = [p for p in dac_profiles if p.get("key")]
    withdrawn, edited = mine[0], mine[1]
    assert ex.post("dac-advisor", f"/profiles/{withdrawn['reference']}/withdraw").status_code == 200
    body = {k: edited[k] for k in ("type", "title", "summary", "description", "keywords", "partner_sought")}
    body |= {"title": edited["title"] + " (updated)", "firm": edited["firm"]}
    changed = ex.put("dac-advisor", f"/profiles/{edited['reference']}", json=body)
    assert changed.status_code == 200, changed.text
    # A firm of another cluster with published profiles and nothing that keeps it: the admin deletes it.
    firms = ex.get("admin", "/firms", params={"per_page": 200}).json()["items"]
    keep = {"dk-nordalu", "no-valdres-dorfabrikk", "dk-vejle-praecision", withdrawn["firm"], edited["firm"]}
    victim = next(
        f["key"]
        for f in firms
        if f["key"] not in keep
        and ex.get("admin", "/profiles", params={"firm": f["key"], "status": "published"}).json()["total"]
    )
    gone = ex.get("admin", "/profiles", params={"firm": victim, "per_page": 200}).json()["items"]
    assert ex.delete("admin", f"/firms/{victim}").status_code == 204
    items, _ = follow(ex, "valdres", cursor=cursor)
    by_change = {(i["change"], i["reference"]) for i in items}
    assert ("removed", withdrawn["reference"]) in by_change
    assert ("updated", edited["reference"]) in by_change
    assert {r for c, r in by_change if c == "deleted"} == {p["reference"] for p in gone if p["reference"]}
    removed = next(i for i in items if i["change"] == "removed")
    assert removed["status"] == "withdrawn" and "profile" not in removed and "key" not in removed
    assert all("key" not in i for i in items if i["change"] == "deleted")  # not this firm's: no key
    # The firm's own cluster advisor learns the keys of what it lost.
    advisor, _ = follow(ex, "dac-advisor", cursor=cursor)
    assert any(i["change"] == "updated" and i["reference"] == withdrawn["reference"] for i in advisor)
    assert [i["profile"]["status"] for i in advisor if i["reference"] == withdrawn["reference"]] == ["withdrawn"]


def test_a_profile_changed_while_a_client_pages_comes_again_later(ex):
    page = ex.get("valdres", "/profiles", params={"modified_since": EPOCH, "per_page": 5}).json()
    first = page["items"][0]["profile"]
    full = ex.get("admin", f"/profiles/{first['reference']}").json()
    body = {k: full[k] for k in ("type", "title", "summary", "description", "keywords", "partner_sought")}
    body |= {"title": full["title"] + " (revised)", "firm": full["firm"]}
    assert ex.put("admin", f"/profiles/{first['reference']}", json=body).status_code == 200
    rest, _ = follow(ex, "valdres", cursor=page["next_cursor"])
    again = [i for i in rest if i["reference"] == first["reference"]]
    assert len(again) == 1 and again[0]["profile"]["title"].endswith("(revised)")


def test_bad_feed_requests_are_named(ex):
    bad = ex.get("valdres", "/profiles", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and "cursor" in bad.text
    mixed = ex.get("valdres", "/profiles", params={"modified_since": EPOCH, "q": "milling", "page": 2})
    assert mixed.status_code == 422 and '"q"' in mixed.text and '"page"' in mixed.text
    assert ex.get("valdres", "/profiles", params={"modified_since": "yesterday"}).status_code == 422
