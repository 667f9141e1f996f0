"""Managing users and one's own password: who may disable, enable and reset whom, what a disabled account
or a reset password ends, changing one's own password, and `partnermatch user create`'s cluster check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from apikit import API, DAC, PASSWORD, exchange
from conftest import TODAY
from fastapi.testclient import TestClient
from webkit import sign_in_form

BIN = Path(sys.executable).parent / "partnermatch"
NEW_PASSWORD = "extruded rails on the night shift"


@pytest.fixture
def ex(tmp_path):
    """An exchange of its own per test: these tests change accounts and passwords."""
    return exchange(f"sqlite:///{tmp_path / 'accounts.db'}", tmp_path / "out", TODAY, match=False)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One exchange for the tests that only try refused changes."""
    tmp = tmp_path_factory.mktemp("accounts")
    return exchange(f"sqlite:///{tmp / 'accounts.db'}", tmp / "out", TODAY, match=False)


def user_id(ex, name: str) -> int:
    return next(u["id"] for u in ex.get("admin", "/users").json() if u["username"] == name)


def token(ex, who: str, password: str = PASSWORD):
    return ex.client.post(f"{API}/auth/token", data={"username": who, "password": password})


def bearer(ex, who: str, password: str = PASSWORD) -> dict[str, str]:
    r = token(ex, who, password)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def trail(ex, key: str) -> list[dict]:
    r = ex.get("admin", "/audit", params={"entity": "account", "key": key, "per_page": 200})
    return r.json()["items"]


def pages(ex, who: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False, follow_redirects=False)
    assert sign_in_form(client, who, password).status_code == 303
    return client


# disabling ----------------------------------------------------------------------------------------
def test_a_disabled_user_cannot_sign_in_and_loses_sessions_and_api_keys_until_enabled(ex):
    session = bearer(ex, "vejle")
    browser = pages(ex, "vejle")
    vejle = user_id(ex, "vejle")
    r = ex.client.patch(f"{API}/users/{vejle}", json={"active": False}, headers=ex.headers("admin"))
    assert r.status_code == 200 and r.json()["active"] is False
    assert token(ex, "vejle").status_code == 401
    assert ex.client.get(f"{API}/me", headers=session).status_code == 401
    assert ex.get("vejle", "/me").status_code == 401  # the API key
    assert browser.get("/interests").status_code == 303  # the page session: back to sign-in
    r = ex.client.patch(f"{API}/users/{vejle}", json={"active": True}, headers=ex.headers("admin"))
    assert r.status_code == 200 and r.json()["active"] is True
    assert ex.get("vejle", "/me").status_code == 200
    actions = [e["action"] for e in trail(ex, "vejle") if e["action"] in ("activate", "deactivate")]
    assert actions == ["activate", "deactivate"]  # newest first


def test_advisors_disable_only_their_clusters_firm_users(ex):
    assert (
        ex.client.patch(
            f"{API}/users/{user_id(ex, 'vejle')}", json={"active": False}, headers=ex.headers("dac-advisor")
        ).status_code
        == 200
    )
    # another cluster's firm user is not even visible to them
    valdres = user_id(ex, "valdres")
    assert (
        ex.client.patch(f"{API}/users/{valdres}", json={"active": False}, headers=ex.headers("dac-advisor")).status_code
        == 404
    )
    # nor may they manage advisors, even of their own cluster, nor may firm users manage anyone
    admin = user_id(ex, "admin")
    assert (
        ex.client.patch(f"{API}/users/{admin}", json={"active": False}, headers=ex.headers("dac-advisor")).status_code
        == 404
    )
    assert (
        ex.client.patch(f"{API}/users/{valdres}", json={"active": False}, headers=ex.headers("nordalu")).status_code
        == 403
    )
    assert (
        ex.client.patch(f"{API}/users/{admin}", json={"active": False}, headers=ex.headers("admin")).status_code == 409
    )  # not one's own account


@pytest.mark.parametrize("body", [{}, {"active": "no"}, {"active": 0}, {"active": True, "role": "admin"}])
def test_enabling_needs_a_plain_true_or_false(shared, body):
    r = shared.client.patch(f"{API}/users/{user_id(shared, 'vejle')}", json=body, headers=shared.headers("admin"))
    assert r.status_code == 422, r.text


# resetting a password -------------------------------------------------------------------------------
def test_an_admin_resets_a_password_once_and_the_users_sessions_end(ex):
    session = bearer(ex, "nordalu")
    r = ex.post("admin", f"/users/{user_id(ex, 'nordalu')}/password-reset")
    assert r.status_code == 200, r.text
    temporary = r.json()["temporary_password"]
    assert len(temporary) >= 20 and r.json()["username"] == "nordalu"
    assert ex.client.get(f"{API}/me", headers=session).status_code == 401  # signed out
    assert ex.get("nordalu", "/me").status_code == 200  # API keys stay
    assert token(ex, "nordalu").status_code == 401  # the old password is gone
    assert token(ex, "nordalu", temporary).status_code == 200
    entries = [e for e in trail(ex, "nordalu") if e["action"] == "reset_password"]
    assert len(entries) == 1 and entries[0]["detail"]["sessions_ended"] == 1
    assert temporary not in str(ex.get("admin", "/audit", params={"per_page": 200}).json())
    # the list of users never shows one
    assert "temporary_password" not in ex.get("admin", "/users").json()[0]


def test_who_may_reset_whose_password(ex):
    assert ex.post("dac-advisor", f"/users/{user_id(ex, 'vejle')}/password-reset").status_code == 200
    assert ex.post("dac-advisor", f"/users/{user_id(ex, 'valdres')}/password-reset").status_code == 404
    assert ex.post("dac-advisor", f"/users/{user_id(ex, 'nmcn-advisor')}/password-reset").status_code == 404
    assert ex.post("nordalu", f"/users/{user_id(ex, 'vejle')}/password-reset").status_code == 403
    assert ex.post("admin", f"/users/{user_id(ex, 'admin')}/password-reset").status_code == 409
    assert ex.post("admin", "/users/999999/password-reset").status_code == 404
    assert ex.post("admin", "/users/not-a-number/password-reset").status_code == 422
    assert token(ex, "valdres").status_code == 200  # untouched by the refused attempts


# changing one's own password ----------------------------------------------------------------------
def test_a_user_changes_their_own_password_and_other_sessions_end(ex):
    elsewhere = bearer(ex, "valdres")
    here = bearer(ex, "valdres")
    r = ex.client.put(
        f"{API}/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=here
    )
    assert r.status_code == 204, r.text
    assert ex.client.get(f"{API}/me", headers=here).status_code == 200  # the session it was changed in stays
    assert ex.client.get(f"{API}/me", headers=elsewhere).status_code == 401
    assert ex.get("valdres", "/me").status_code == 200  # API keys stay
    assert token(ex, "valdres").status_code == 401
    assert token(ex, "valdres", NEW_PASSWORD).status_code == 200
    entry = next(e for e in trail(ex, "valdres") if e["action"] == "change_password")
    assert entry["detail"] == {"other_sessions_ended": 1} and NEW_PASSWORD not in str(entry)


@pytest.mark.parametrize(
    "current, new, field, reason",
    [
        ("wrong password!", NEW_PASSWORD, "current_password", "not your current password"),
        (PASSWORD, "short pass", "new_password", "at least 12 characters"),
        (PASSWORD, "password1234", "new_password", "most common passwords"),
        (PASSWORD, "Qwertyuiop123", "new_password", "most common passwords"),
        (PASSWORD, "dac-advisor", "new_password", "at least 12 characters"),
        (PASSWORD, PASSWORD, "new_password", "must differ"),
    ],
)
def test_a_bad_password_change_is_refused_and_nothing_changes(shared, current, new, field, reason):
    ex = shared
    r = ex.put("dac-advisor", "/me/password", json={"current_password": current, "new_password": new})
    assert r.status_code == 422, r.text
    details = r.json()["error"]["details"]
    assert any(d["field"] == field and reason in d["reason"] for d in details), details
    assert token(ex, "dac-advisor").status_code == 200
    assert not any(e["action"] == "change_password" for e in trail(ex, "dac-advisor"))


def test_the_new_password_must_not_be_the_username(ex):
    assert (
        ex.post(
            "admin",
            "/users",
            json={"username": "nordalu-purchasing", "password": PASSWORD, "role": "firm", "firm": "dk-nordalu"},
        ).status_code
        == 201
    )
    headers = bearer(ex, "nordalu-purchasing")
    r = ex.client.put(
        f"{API}/me/password",
        json={"current_password": PASSWORD, "new_password": "Nordalu-Purchasing"},
        headers=headers,
    )
    assert r.status_code == 422 and "must not be the username" in r.text


@pytest.mark.parametrize(
    "body",
    [{}, {"current_password": PASSWORD}, {"current_password": PASSWORD, "new_password": 123456789012345}],
)
def test_a_password_change_needs_both_passwords_as_text(shared, body):
    assert shared.put("dac-advisor", "/me/password", json=body).status_code == 422


def test_changing_the_password_in_the_workspace(ex):
    browser = pages(ex, "nordalu")
    other = pages(ex, "nordalu")
    csrf = browser.get("/account").text.split('name="csrf" value="')[1].split('"')[0]
    form = {"csrf": csrf, "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": "something else"}
    mismatch = browser.post("/account/password", data=form)
    assert mismatch.status_code == 422 and "does not repeat the new password" in mismatch.text
    assert (
        browser.post("/account/password", data={**form, "csrf": "forged", "confirm": NEW_PASSWORD}).status_code == 400
    )
    done = browser.post("/account/password", data={**form, "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/account"
    assert browser.get("/account").status_code == 200
    assert other.get("/account").status_code == 303  # the other session is signed out


def test_firm_users_have_no_users_page(shared):
    browser = pages(shared, "nordalu")
    assert browser.get("/users").status_code == 403
    assert 'href="/users"' not in browser.get("/account").text


# the command line's cluster check -----------------------------------------------------------------
def cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PARTNERMATCH_PASSWORD": NEW_PASSWORD, "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)
    return subprocess.run([str(BIN), "--database-url", url, *args], capture_output=True, text=True, env=env)


def test_user_create_refuses_a_cluster_nobody_uses_unless_asked_to_start_one(ex):
    url = ex.settings.database_url
    typo = cli(url, "user", "create", "dac-2", "--role", "advisor", "--cluster", "Danish Aluminum Cluster")
    assert typo.returncode == 1, typo.stdout
    assert "no firm or bid belongs to this cluster" in typo.stderr
    assert DAC in typo.stderr and "Norwegian Mass Customisation Network" in typo.stderr
    assert "--new-cluster" in typo.stderr
    assert token(ex, "dac-2", NEW_PASSWORD).status_code == 401  # nothing was stored
    known = cli(url, "user", "create", "dac-2", "--role", "advisor", "--cluster", DAC)
    assert known.returncode == 0, known.stderr
    new = cli(url, "user", "create", "fyn-1", "--role", "advisor", "--cluster", "Fyn Metal Network", "--new-cluster")
    assert new.returncode == 0 and "created advisor account 'fyn-1'" in new.stdout, new.stderr
    assert (
        ex.client.get(f"{API}/me", headers=bearer(ex, "fyn-1", NEW_PASSWORD)).json()["cluster"] == "Fyn Metal Network"
    )


def test_the_api_refuses_an_unknown_cluster_the_same_way(shared):
    ex = shared
    body = {"username": "dac-3", "password": NEW_PASSWORD, "role": "advisor", "cluster": "Danish Aluminum"}
    r = ex.post("admin", "/users", json=body)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "cluster", r.text
    assert ex.post("admin", "/users", json={**body, "new_cluster": True}).status_code == 201


@pytest.mark.parametrize("option", ["--database-url", "--output-dir"])
@pytest.mark.parametrize("form", ["spaced", "joined"])
def test_a_global_option_after_the_command_is_explained(tmp_path, option, form):
    value = f"sqlite:///{tmp_path / 'x.db'}" if option == "--database-url" else str(tmp_path / "out")
    given = [option, value] if form == "spaced" else [f"{option}={value}"]
    done = subprocess.run([str(BIN), "serve", *given], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"{option} is an option of partnermatch itself, not of 'serve'" in done.stderr
    assert f"partnermatch {option} … serve" in done.stderr
    assert "No such option" not in done.stderr
    nested = subprocess.run([str(BIN), "user", "unlock", "someone", *given], capture_output=True, text=True)
    assert nested.returncode == 2 and "not of 'user'" in nested.stderr
    assert not (tmp_path / "x.db").exists()
