"""Acting on matches over HTTP (API and pages): the steps each side may take, notes internal to their
side, expressing and withdrawing interest from a profile page, and bad input."""

from __future__ import annotations

import re

import pytest
from apikit import PASSWORD, exchange
from conftest import TODAY
from fastapi.testclient import TestClient
from webkit import sign_in_form

STEPS = ("forward", "accept", "decline", "withdraw")


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("interests")
    return exchange(f"sqlite:///{tmp / 'interests.db'}", tmp / "out", TODAY)


def browser(ex, who: str) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False, follow_redirects=False)
    assert sign_in_form(client, who, PASSWORD).status_code == 303
    return client


def csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/interests").text)
    assert found
    return found.group(1)


def _reference(ex, who: str, profile_key: str) -> str:
    return ex.get(who, f"/profiles/{profile_key}").json()["reference"]


def _published(ex, firm: str) -> str:
    items = ex.get("admin", "/profiles", params={"firm": firm, "status": "published"}).json()["items"]
    assert items
    return items[0]["reference"]


def _send(ex, who: str, reference: str, message: str = "We could help.") -> dict:
    sent = ex.post(who, "/interests", json={"profile": reference, "message": message})
    assert sent.status_code == 201, sent.text
    return sent.json()


def _refused_except(ex, who: str, interest: int, allowed: list[str]) -> None:
    for step in STEPS:
        if step not in allowed:
            status = ex.post(who, f"/interests/{interest}/{step}").status_code
            assert status in (403, 404, 409), (who, step, status)


def test_each_side_is_offered_exactly_the_steps_it_may_take(ex):
    target = _reference(ex, "nordalu", "dk-nordalu-bo-1")
    interest = _send(ex, "valdres", target)
    assert interest["sides"] == ["outgoing"] and interest["actions"] == ["withdraw"]
    owner_advisor = ex.get("dac-advisor", f"/interests/{interest['id']}").json()
    assert owner_advisor["sides"] == ["incoming"] and owner_advisor["actions"] == ["forward", "decline"]
    sender_advisor = ex.get("nmcn-advisor", f"/interests/{interest['id']}").json()
    assert sender_advisor["sides"] == ["outgoing"] and sender_advisor["actions"] == ["withdraw"]
    for who in ("valdres", "dac-advisor", "nmcn-advisor"):
        offered = ex.get(who, f"/interests/{interest['id']}").json()["actions"]
        _refused_except(ex, who, interest["id"], offered)
    assert ex.post("dac-advisor", f"/interests/{interest['id']}/forward").status_code == 200
    owner = ex.get("nordalu", f"/interests/{interest['id']}").json()
    assert owner["sides"] == ["incoming"] and owner["actions"] == ["accept", "decline"]
    assert ex.get("dac-advisor", f"/interests/{interest['id']}").json()["actions"] == ["accept", "decline"]
    assert ex.get("valdres", f"/interests/{interest['id']}").json()["actions"] == ["withdraw"]
    assert ex.post("nordalu", f"/interests/{interest['id']}/decline").json()["actions"] == []
    for who in ("valdres", "nordalu", "dac-advisor", "nmcn-advisor"):
        assert ex.get(who, f"/interests/{interest['id']}").json()["actions"] == []
        _refused_except(ex, who, interest["id"], [])


def test_notes_stay_on_the_side_that_wrote_them_in_the_api_and_the_pages(ex):
    target = _reference(ex, "nordalu", "dk-nordalu-bo-1")
    interest = _send(ex, "valdres", target, "Anodised thresholds, 4000 a year.")["id"]
    r = ex.post("dac-advisor", f"/interests/{interest}/forward", json={"note": "OWNER-SIDE: check their capacity"})
    assert r.json()["note"] == "OWNER-SIDE: check their capacity"
    assert ex.get("nordalu", f"/interests/{interest}").json()["note"] == "OWNER-SIDE: check their capacity"
    for who in ("valdres", "nmcn-advisor"):
        seen = ex.get(who, f"/interests/{interest}").json()
        assert seen["note"] == "" and seen["message"] == "Anodised thresholds, 4000 a year."
        assert "OWNER-SIDE" not in browser(ex, who).get("/interests").text
    assert "OWNER-SIDE" in browser(ex, "nordalu").get("/interests").text
    r = ex.post("nmcn-advisor", f"/interests/{interest}/withdraw", json={"note": "SENDER-SIDE: they found another"})
    assert r.json()["status"] == "withdrawn" and r.json()["note"] == ""
    assert ex.get("valdres", f"/interests/{interest}").json()["sender_note"] == "SENDER-SIDE: they found another"
    for who in ("nordalu", "dac-advisor"):
        seen = ex.get(who, f"/interests/{interest}").json()
        assert seen["sender_note"] == "" and seen["note"] == "OWNER-SIDE: check their capacity"
        assert "SENDER-SIDE" not in browser(ex, who).get("/interests").text
    both = ex.get("admin", f"/interests/{interest}").json()
    assert both["note"] and both["sender_note"] and both["sides"] == ["incoming", "outgoing"]


def test_firm_user_expresses_interest_from_a_profile_page_and_withdraws_it(ex):
    target = _published(ex, "no-valdres-dorfabrikk")
    page = browser(ex, "vejle")
    html = page.get(f"/profiles/{target}").text
    assert 'id="interest-form"' in html
    assert "Valdres" not in html  # anonymous view
    token = csrf(page)
    r = page.post("/interests", data={"csrf": token, "profile": target, "message": "Precision milling, short runs."})
    assert r.status_code == 303, r.text
    interest = int(r.headers["location"].rsplit("-", 1)[1])
    html = page.get(f"/profiles/{target}").text
    assert f'id="open-interest-{interest}"' in html and 'id="interest-form"' not in html
    inbox = page.get("/interests").text
    outgoing = inbox.split('id="outgoing"', 1)[1]
    assert f'id="interest-{interest}"' in outgoing and "Precision milling, short runs." in outgoing
    assert f'/interests/{interest}/withdraw"' in outgoing
    assert f"/interests/{interest}/accept" not in inbox and f"/interests/{interest}/decline" not in inbox
    assert page.post(f"/interests/{interest}/withdraw", data={"csrf": token}).status_code == 303
    assert ex.get("vejle", f"/interests/{interest}").json()["status"] == "withdrawn"
    assert page.post(f"/interests/{interest}/withdraw", data={"csrf": token}).status_code == 409
    assert 'id="interest-form"' in page.get(f"/profiles/{target}").text  # may express again


def test_advisor_expresses_interest_for_a_firm_of_its_cluster(ex):
    target = _published(ex, "no-valdres-dorfabrikk")
    page = browser(ex, "dac-advisor")
    html = page.get(f"/profiles/{target}").text
    assert 'name="firm"' in html and 'value="dk-nordalu"' in html
    r = page.post("/interests", data={"csrf": csrf(page), "profile": target, "firm": "dk-nordalu", "message": "hi"})
    assert r.status_code == 303, r.text
    interest = int(r.headers["location"].rsplit("-", 1)[1])
    assert ex.get("nordalu", f"/interests/{interest}").json()["actions"] == ["withdraw"]


def test_profile_pages_offer_no_interest_in_own_or_unpublished_profiles(ex):
    page = browser(ex, "nordalu")
    assert 'id="interest-form"' not in page.get("/profiles/dk-nordalu-bo-1").text


def test_bad_interest_input_is_refused_with_a_page_and_stores_nothing(ex):
    page = browser(ex, "vejle")
    token = csrf(page)
    before = ex.get("admin", "/interests").json()["total"]
    own = _published(ex, "dk-vejle-praecision")
    target = _published(ex, "no-valdres-dorfabrikk")
    cases = [
        ({"profile": ""}, 422),
        ({"profile": "NOPE123"}, 404),
        ({"profile": own}, 422),
        ({"profile": target, "message": "x" * 2001}, 422),
        ({"profile": target, "firm": "dk-nordalu"}, 403),
    ]
    for data, status in cases:
        r = page.post("/interests", data={"csrf": token, **data})
        assert r.status_code == status, (data, r.status_code)
        assert "Traceback" not in r.text
    assert page.post("/interests", data={"profile": target}).status_code in (400, 403)  # no session token
    assert page.post("/interests/1/explode", data={"csrf": token}).status_code == 422
    assert ex.get("admin", "/interests").json()["total"] == before
