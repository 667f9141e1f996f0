"""Correcting a bid and deciding between its proposals, over HTTP (no browser): the edit page with its
requirements, closing and reopening, one accepted proposal at a time, locked firms by name."""

from __future__ import annotations

import html as markup
import re

import pytest
from apikit import PASSWORD, exchange
from conftest import TODAY
from fastapi.testclient import TestClient
from webkit import sign_in_form

from profiles import repository
from profiles.db import make_engine, session_scope

BID = "bid-subframe-pilot"


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bid-editing")
    return exchange(f"sqlite:///{tmp / 'bids.db'}", tmp / "out", TODAY)


def browser(ex, who: str) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False, follow_redirects=False)
    assert sign_in_form(client, who, PASSWORD).status_code == 303
    return client


def edit_form(client: TestClient, key: str) -> dict[str, str]:
    """The edit page's fields as a browser would submit them unchanged."""
    html = client.get(f"/bids/{key}/edit").text
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    data |= dict.fromkeys(re.findall(r'name="(req-\d+-mandatory)" checked', html), "on")
    data |= dict(re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', html))
    return {k: markup.unescape(v) for k, v in data.items()}


def audit_actions(ex, key: str) -> list[str]:
    items = ex.get("admin", "/audit", params={"key": key, "per_page": 100}).json()["items"]
    return [i["action"] for i in items]


def test_edit_page_changes_adds_and_removes_requirements(ex):
    client = browser(ex, "dac-advisor")
    page = client.get(f"/bids/{BID}/edit")
    assert page.status_code == 200 and 'value="FEA simulation"' in page.text
    data = edit_form(client, BID)
    rows = int(data["requirement_rows"])
    assert rows == 6  # five stored and one empty to add a requirement
    data["req-0-volume_per_year"] = "12000"  # change: capacity
    data.pop("req-1-mandatory")  # change: friction stir welding becomes optional
    data["req-2-certifications"] = "ISO 9001; IATF 16949"
    data["req-4-remove"] = "on"  # remove prototyping
    data["req-5-key"], data["req-5-capability"] = "anodising", "anodising"  # add
    r = client.post(f"/bids/{BID}/edit", data=data)
    assert r.status_code == 303, r.text[:2000]
    bid = ex.get("dac-advisor", f"/bids/{BID}").json()
    reqs = {q["key"]: q for q in bid["requirements"]}
    assert set(reqs) == {"extrusion", "fsw", "simulation", "testing", "anodising"}
    assert reqs["extrusion"]["volume_per_year"] == 12000
    assert reqs["fsw"]["mandatory"] is False
    assert reqs["simulation"]["certifications"] == ["ISO 9001", "IATF 16949"]
    items = ex.get("admin", "/audit", params={"key": BID, "per_page": 100}).json()["items"]
    update = next(i for i in items if i["action"] == "update")
    assert update["detail"]["requirements"] == {
        "added": ["anodising"],
        "removed": ["prototyping"],
        "changed": ["extrusion", "fsw", "simulation"],
    }


def test_edit_page_keeps_bad_input_and_saves_nothing(ex):
    client = browser(ex, "dac-advisor")
    before = ex.get("dac-advisor", f"/bids/{BID}").json()
    data = edit_form(client, BID)
    data["req-0-capability"] = ""
    data["min_size"] = "nine"
    data["title"] = "Subframe pilot, revised"
    r = client.post(f"/bids/{BID}/edit", data=data)
    assert r.status_code == 422
    assert "problem(s) to fix" in r.text and 'value="Subframe pilot, revised"' in r.text
    assert ex.get("dac-advisor", f"/bids/{BID}").json()["version"] == before["version"]
    # every requirement removed: a bid needs at least one
    data = edit_form(client, BID)
    for i in range(int(data["requirement_rows"])):
        data[f"req-{i}-remove"] = "on"
    r = client.post(f"/bids/{BID}/edit", data=data)
    assert r.status_code == 422 and "non-empty list of requirements" in r.text


def test_edit_page_refuses_a_stale_version_and_other_clusters(ex):
    client = browser(ex, "dac-advisor")
    data = edit_form(client, BID)
    data["version"] = '"0000"'
    r = client.post(f"/bids/{BID}/edit", data=data)
    assert r.status_code == 409 and "changed by someone else" in r.text
    other = browser(ex, "nmcn-advisor")
    assert other.get(f"/bids/{BID}/edit").status_code == 404
    data = edit_form(client, BID)
    data["csrf"] = edit_form(other, "bid-interior-module")["csrf"]
    assert other.post(f"/bids/{BID}/edit", data=data).status_code == 404
    firm = browser(ex, "nordalu")
    assert firm.get(f"/bids/{BID}/edit").status_code in (403, 404)


def test_close_and_reopen_are_audited_and_the_nightly_skips_closed_bids(ex):
    client = browser(ex, "dac-advisor")
    token = edit_form(client, BID)["csrf"]
    r = client.post(f"/bids/{BID}/status", data={"csrf": token, "status": "closed"})
    assert r.status_code == 303
    page = client.get(f"/bids/{BID}").text
    assert "Reopen bid" in page and "no longer proposes" in page
    engine = make_engine(ex.settings.database_url)
    with session_scope(engine, readonly=True) as session:
        assert BID not in {b.key for b in repository.load_bids(session, only_open=True)}
    # an edit of a closed bid leaves it closed
    data = edit_form(client, BID)
    data["description"] = "Pilot series of 200 subframes."
    assert client.post(f"/bids/{BID}/edit", data=data).status_code == 303
    assert ex.get("dac-advisor", f"/bids/{BID}").json()["status"] == "closed"
    r = client.post(f"/bids/{BID}/status", data={"csrf": token, "status": "closed"})
    assert r.status_code == 409 and "already closed" in r.text
    r = client.post(f"/bids/{BID}/status", data={"csrf": token, "status": "archived"})
    assert r.status_code == 422
    r = client.post(f"/bids/{BID}/status", data={"csrf": token, "status": "open"})
    assert r.status_code == 303
    with session_scope(engine, readonly=True) as session:
        assert BID in {b.key for b in repository.load_bids(session, only_open=True)}
    engine.dispose()
    actions = audit_actions(ex, BID)
    assert "close" in actions and "reopen" in actions


def _proposals(client: TestClient, key: str) -> list[int]:
    """The ids of the bid's standing proposals, generated first (three alternatives) if it has none."""
    found = re.findall(r'id="proposal-(\d+)" data-rank="\d+"', client.get(f"/bids/{key}").text)
    if not found:
        token = edit_form(client, key)["csrf"]
        r = client.post(f"/bids/{key}/generate", data={"csrf": token, "alternatives": "3", "time_limit": "20"})
        assert r.status_code == 303
        found = re.findall(r'id="proposal-(\d+)" data-rank="\d+"', client.get(f"/bids/{key}").text)
    return [int(i) for i in found]


def test_accepting_a_second_proposal_asks_then_supersedes_the_first(ex):
    key = "bid-battery-tray"
    client = browser(ex, "dac-advisor")
    token = edit_form(client, key)["csrf"]
    ids = _proposals(client, key)
    assert len(ids) >= 2
    first, second = ids[0], ids[1]
    decide = {"csrf": token, "decision": "accepted", "note": "first choice"}
    assert client.post(f"/proposals/{first}/decision", data=decide).status_code == 303
    r = client.post(f"/proposals/{second}/decision", data=decide | {"note": "second thoughts"})
    assert r.status_code == 409 and 'id="confirm-supersede"' in r.text
    assert f"Proposal {first} is already accepted" in r.text and 'value="second thoughts"' in r.text
    assert ex.get("dac-advisor", f"/proposals/{first}").json()["status"] == "accepted"
    assert ex.get("dac-advisor", f"/proposals/{second}").json()["status"] == "proposed"
    r = client.post(f"/proposals/{second}/decision", data=decide | {"supersede": "yes"})
    assert r.status_code == 303
    assert ex.get("dac-advisor", f"/proposals/{first}").json()["status"] == "superseded"
    assert ex.get("dac-advisor", f"/proposals/{second}").json()["status"] == "accepted"
    assert "supersede" in audit_actions(ex, str(first))
    # the API asks the same way: 409 without supersede
    r = ex.post("dac-advisor", f"/proposals/{first}/decision", json={"decision": "accepted"})
    assert r.status_code == 409 and "supersede" in r.text
    r = ex.post("dac-advisor", f"/proposals/{first}/decision", json={"decision": "accepted", "supersede": True})
    assert r.status_code == 200
    assert ex.get("dac-advisor", f"/proposals/{second}").json()["status"] == "superseded"
    r = ex.post("dac-advisor", f"/proposals/{first}/decision", json={"decision": "accepted", "supersede": "maybe"})
    assert r.status_code == 422


def test_locked_and_excluded_firms_are_shown_by_name(ex):
    key = "bid-battery-tray"
    client = browser(ex, "dac-advisor")
    token = edit_form(client, key)["csrf"]
    proposal = _proposals(client, key)[0]
    r = client.post(
        f"/proposals/{proposal}/edit",
        data={"csrf": token, "firm": "dk-nordalu", "action": "lock", "time_limit": "20"},
    )
    assert r.status_code == 303
    page = client.get(f"/bids/{key}").text
    locked = page.split('id="locked"')[1].split("</dd>")[0]
    assert "Nordalu Extrusion A/S" in locked and "dk-nordalu" not in locked
    # editing the bid keeps the lock
    assert client.post(f"/bids/{key}/edit", data=edit_form(client, key)).status_code == 303
    assert ex.get("dac-advisor", f"/bids/{key}").json()["locked_firms"] == ["dk-nordalu"]


def test_alternatives_say_how_they_differ_and_rate_their_fit_in_words(ex):
    client = browser(ex, "dac-advisor")
    _proposals(client, "bid-battery-tray")
    page = client.get("/bids/bid-battery-tray").text
    words = re.sub(r"<[^>]+>", " ", page).lower()
    assert "objective" not in words and "confidence" not in words
    assert re.search(r"(strong|good|weak) fit", page)
    assert "How to read a proposal" in page
    differences = re.findall(r'<p class="difference">([^<]+)</p>', page)
    assert differences and all(len(d) > 10 for d in differences)


def test_the_api_closes_and_reopens_a_bid(ex):
    key = "bid-cross-car-beam"
    assert ex.post("bbi-advisor", f"/bids/{key}/close").json()["status"] == "closed"
    r = ex.post("bbi-advisor", f"/bids/{key}/close")
    assert r.status_code == 409 and "already closed" in r.text
    assert ex.post("dac-advisor", f"/bids/{key}/reopen").status_code == 404  # another cluster's bid
    assert ex.post("nordalu", f"/bids/{key}/reopen").status_code in (403, 404)
    assert ex.post("bbi-advisor", f"/bids/{key}/reopen").json()["status"] == "open"
    assert ex.post("bbi-advisor", "/bids/no-such-bid/close").status_code == 404
    assert audit_actions(ex, key)[:2] == ["reopen", "close"]
