"""A firm's own page over HTTP: its recorded customers and suppliers by the names it recorded, and the
bids and consortia it is a member of with the other members as it may see them."""

from __future__ import annotations

import re

import pytest
from apikit import PASSWORD, exchange, firm_names
from conftest import TODAY
from fastapi.testclient import TestClient
from webkit import hidden_identities, leaks, sign_in_form


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("memberships")
    ex = exchange(f"sqlite:///{tmp / 'memberships.db'}", tmp / "out", TODAY)
    with ex.client:
        r = ex.post("dac-advisor", "/bids/bid-battery-tray/proposals", json={"alternatives": 2, "wait": True})
        assert r.status_code in (200, 201, 202), r.text
    return ex


def browser(ex, who: str) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False, follow_redirects=False)
    assert sign_in_form(client, who, PASSWORD).status_code == 303
    return client


def _section(html: str, table_id: str) -> str:
    return html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_firm_sees_its_own_customers_and_suppliers_by_name(ex):
    relations = ex.get("dac-advisor", "/firms/dk-vejle-praecision").json()
    assert relations  # the firm exists
    html = browser(ex, "vejle").get("/firms/dk-vejle-praecision").text
    listed = _text(_section(html, "relation-list"))
    assert "Nordalu Extrusion A/S" in listed and "in the exchange" in listed
    # other firms' names elsewhere on the page stay hidden: only the firm's own records name them
    rest = html.replace(_section(html, "relation-list"), "")
    # the demo's flagged duplicate of the firm shares its contact details
    hidden = hidden_identities(ex.settings.database_url, {"dk-vejle-praecision", "dk-vejlepraecision"})
    assert leaks(rest, hidden) == []


def test_a_firm_sees_the_consortia_it_is_a_member_of_with_others_anonymous(ex):
    proposals = ex.get("admin", "/bids/bid-battery-tray/proposals").json()
    assert proposals
    names = firm_names(ex.settings)
    member_keys = {m["firm"] for p in proposals for m in p["plan"]["members"]}
    firm_users = {"dk-nordalu": "nordalu", "dk-vejle-praecision": "vejle"}
    members = [k for k in firm_users if k in member_keys]
    assert members, member_keys
    key = members[0]
    html = browser(ex, firm_users[key]).get(f"/firms/{key}").text
    listed = _section(html, "consortium-list")
    assert "Not a member" not in listed
    ids = {p["id"] for p in proposals if key in {m["firm"] for m in p["plan"]["members"]}}
    assert {int(i) for i in re.findall(r"#(\d+) · alternative", listed)} == ids
    others = member_keys - {key}
    assert others and not [k for k in others if names[k] in listed or f"/firms/{k}" in listed]
    assert re.search(r"firm [\w -]+ \([A-Z]{2}\)", _text(listed))
    assert "/bids/" not in listed  # the bid belongs to the cluster office
    advisor = browser(ex, "dac-advisor").get(f"/firms/{key}").text
    assert "/bids/bid-battery-tray" in _section(advisor, "consortium-list")


def test_a_firm_without_proposals_says_so_and_foreign_firm_pages_show_no_memberships(ex):
    html = browser(ex, "valdres").get("/firms/no-valdres-dorfabrikk").text
    assert "Not a member of any proposed consortium yet." in html
    other = browser(ex, "valdres").get("/firms/dk-nordalu")
    assert 'id="consortium-list"' not in other.text and 'id="relation-list"' not in other.text
