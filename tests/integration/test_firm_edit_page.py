"""The firm details form: who may open and save it, bad input shown beside the field with nothing
stored, a concurrent change refused, and saving audited."""

from __future__ import annotations

import re

import pytest
from apikit import PASSWORD, exchange
from conftest import TODAY
from fastapi.testclient import TestClient
from webkit import sign_in_form


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("firm-edit")
    return exchange(f"sqlite:///{tmp / 'firm-edit.db'}", tmp / "out", TODAY, match=False)


def browser(ex, who: str) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False, follow_redirects=False)
    assert sign_in_form(client, who, PASSWORD).status_code == 303
    return client


def form_of(client: TestClient, ref: str) -> dict[str, str]:
    """The edit form's fields as the page fills them in."""
    r = client.get(f"/firms/{ref}/edit")
    assert r.status_code == 200, r.text
    fields = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', r.text))
    fields |= dict(re.findall(r'<textarea name="(\w+)"[^>]*>([^<]*)</textarea>', r.text))
    chosen = re.search(r'<select name="size_class">.*?(?:<option value="(\w+)" selected>|</select>)', r.text, re.S)
    fields["size_class"] = chosen.group(1) or "" if chosen else ""
    return {k: v.replace("&amp;", "&").replace("&#39;", "'").replace("&#34;", '"') for k, v in fields.items()}


def stored(ex, key: str) -> dict:
    r = ex.get("admin", f"/firms/{key}")
    assert r.status_code == 200
    return r.json()


def test_the_firm_page_offers_the_form_only_to_those_who_manage_the_firm(ex):
    for who in ("nordalu", "dac-advisor", "admin"):
        client = browser(ex, who)
        assert 'href="/firms/dk-nordalu/edit"' in client.get("/firms/dk-nordalu").text, who
        assert client.get("/firms/dk-nordalu/edit").status_code == 200, who
    for who in ("vejle", "nmcn-advisor"):
        client = browser(ex, who)
        page = client.get(f"/firms/{stored(ex, 'dk-nordalu')['alias']}")
        assert "/edit" not in page.text and "Edit firm details" not in page.text, who


def test_others_are_refused_as_the_update_action_decides(ex):
    alias = stored(ex, "dk-nordalu")["alias"]
    vejle = browser(ex, "vejle")  # same cluster, another firm: by key it is not found, by alias refused
    assert vejle.get("/firms/dk-nordalu/edit").status_code == 404
    assert vejle.get(f"/firms/{alias}/edit").status_code == 403
    other_cluster = browser(ex, "nmcn-advisor")
    assert other_cluster.get("/firms/dk-nordalu/edit").status_code == 404
    assert other_cluster.get(f"/firms/{alias}/edit").status_code == 403
    # a forged post is refused the same way, and stores nothing
    before = stored(ex, "dk-nordalu")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', vejle.get("/firms").text)
    assert token
    r = vejle.post(f"/firms/{alias}/edit", data={"csrf": token.group(1), "name": "Taken over", "country": "DK"})
    assert r.status_code == 403
    assert stored(ex, "dk-nordalu")["version"] == before["version"]
    assert browser(ex, "admin").get("/firms/no-such-firm/edit").status_code == 404


def test_the_form_needs_its_csrf_token(ex):
    client = browser(ex, "nordalu")
    fields = form_of(client, "dk-nordalu")
    r = client.post("/firms/dk-nordalu/edit", data={**fields, "csrf": "0" * 32, "name": "Forged"})
    assert r.status_code in (400, 403)
    assert stored(ex, "dk-nordalu")["name"] == "Nordalu Extrusion A/S"


def test_the_form_starts_with_the_stored_details(ex):
    fields = form_of(browser(ex, "nordalu"), "dk-nordalu")
    assert fields["name"] == "Nordalu Extrusion A/S" and fields["country"] == "DK" and fields["city"] == "Tønder"
    assert fields["capabilities"].splitlines()[0] == "aluminium extrusion: 70000"
    assert fields["nace"].splitlines() == ["24.42", "25.62"]
    assert fields["export_countries"].splitlines() == ["DE", "SE", "NL", "PL"]
    assert fields["contact_email"] == "post@nordalu.example" and fields["version"]
    assert fields["employees"] == "180" and fields["size_class"] == ""  # the size follows the employees


def test_the_size_follows_the_employees_unless_one_is_chosen(ex):
    client = browser(ex, "valdres")
    r = client.post(
        "/firms/no-valdres-dorfabrikk/edit", data={**form_of(client, "no-valdres-dorfabrikk"), "employees": "600"}
    )
    assert r.status_code == 303
    assert stored(ex, "no-valdres-dorfabrikk")["size_class"] == "large"
    fields = form_of(client, "no-valdres-dorfabrikk")
    r = client.post("/firms/no-valdres-dorfabrikk/edit", data={**fields, "size_class": "medium"})
    assert r.status_code == 303
    assert stored(ex, "no-valdres-dorfabrikk")["size_class"] == "medium"
    assert form_of(client, "no-valdres-dorfabrikk")["size_class"] == "medium"


BAD_INPUTS = [
    ("country", "Narnia", "not a country we know"),
    ("country", "GE", "did you mean DE (Germany)?"),
    ("name", "", "is required"),
    ("employees", "many", "whole number"),
    ("nace", "24.42\n99.99", "“99.99”"),
    ("capabilities", "aluminium extrusion: lots", "“aluminium extrusion:lots”: capacity_per_year must be a whole"),
    ("languages", "da\nklingon", "“klingon”"),
    ("export_countries", "Sverige\nAtlantis", "“Atlantis”"),
    ("contact_email", "not-an-address", "not an e-mail address"),
    ("size_class", "gigantic", "expected one of: micro, small, medium, large"),
]


@pytest.mark.parametrize(("field", "value", "shown"), BAD_INPUTS, ids=[f"{f}={v!r}" for f, v, _ in BAD_INPUTS])
def test_bad_input_comes_back_beside_its_field_and_nothing_is_stored(ex, field, value, shown):
    client = browser(ex, "dac-advisor")
    fields = form_of(client, "dk-nordalu")
    before = stored(ex, "dk-nordalu")
    r = client.post("/firms/dk-nordalu/edit", data={**fields, "city": "Sønderborg", field: value})
    assert r.status_code == 422, r.text
    beside = re.search(rf'<span class="field-error" data-for="{field}" role="alert">([^<]+)</span>', r.text)
    assert beside, r.text
    assert shown in beside.group(1), beside.group(1)
    assert "nothing was saved" in r.text
    assert 'value="Sønderborg"' in r.text  # what was typed is kept for fixing
    after = stored(ex, "dk-nordalu")
    assert after["version"] == before["version"] and after["city"] == before["city"]


def test_saving_changes_the_details_keeps_the_rest_and_is_audited(ex):
    client = browser(ex, "nordalu")
    before = stored(ex, "dk-nordalu")
    fields = form_of(client, "dk-nordalu")
    changes = {
        "name": "Nordalu Extrusion & Coating A/S",
        "country": "Danmark",
        "city": "Sønderborg",
        "employees": "",
        "size_class": "large",
        "nace": "24.42; 25.61",
        "capabilities": "aluminium extrusion: 80,000\npowder coating: 12000\nbending",
        "certifications": "ISO 9001\nISO 14001",
        "languages": "da\nEN",
        "export_countries": "Tyskland\nSE\nNorway",
        "website": "https://nordalu-coating.example",
    }
    r = client.post("/firms/dk-nordalu/edit", data={**fields, **changes})
    assert r.status_code == 303 and r.headers["location"] == "/firms/dk-nordalu"
    after = stored(ex, "dk-nordalu")
    assert after["name"] == "Nordalu Extrusion & Coating A/S" and after["country"] == "DK"
    assert after["city"] == "Sønderborg" and after["size_class"] == "large" and after["employees"] is None
    assert after["nace"] == ["24.42", "25.61"]
    capabilities = [(c["phrase"], c.get("capacity_per_year")) for c in after["capabilities"]]
    assert capabilities == [("aluminium extrusion", 80000), ("powder coating", 12000), ("bending", None)]
    assert after["certifications"] == ["ISO 9001", "ISO 14001"] and after["languages"] == ["da", "en"]
    assert after["export_countries"] == ["DE", "SE", "NO"]
    assert after["website"] == "https://nordalu-coating.example"
    # what the form does not show is kept as stored
    for kept in ("cluster", "kind", "lat", "lon", "max_concurrent_bids", "excluded_partners", "contact_phone"):
        assert after[kept] == before[kept], kept
    page = client.get("/firms/dk-nordalu").text
    assert "Nordalu Extrusion &amp; Coating A/S" in page and "Sønderborg" in page and "powder coating" in page
    events = ex.get("admin", "/audit?entity=firm&key=dk-nordalu").json()["items"]
    assert any(e.get("action") == "update" and "name" in str(e) for e in events), events


def test_a_concurrent_change_is_refused_with_a_clear_message(ex):
    mine = browser(ex, "dac-advisor")
    fields = form_of(mine, "dk-nordalu")
    theirs = browser(ex, "nordalu")
    r = theirs.post("/firms/dk-nordalu/edit", data={**form_of(theirs, "dk-nordalu"), "city": "Aabenraa"})
    assert r.status_code == 303
    r = mine.post("/firms/dk-nordalu/edit", data={**fields, "city": "Padborg"})
    assert r.status_code == 409
    assert "Someone else changed this firm&#39;s details" in r.text and "nothing was saved" in r.text
    assert stored(ex, "dk-nordalu")["city"] == "Aabenraa"


def test_fields_the_form_does_not_show_cannot_be_slipped_in(ex):
    client = browser(ex, "vejle")
    before = stored(ex, "dk-vejle-praecision")
    forged = {"cluster": "Bergslagen Base Industry", "key": "dk-other", "max_concurrent_bids": "50", "lat": "0"}
    r = client.post("/firms/dk-vejle-praecision/edit", data={**form_of(client, "dk-vejle-praecision"), **forged})
    assert r.status_code == 303
    after = stored(ex, "dk-vejle-praecision")
    for kept in ("key", "cluster", "max_concurrent_bids", "lat"):
        assert after[kept] == before[kept], kept


def test_a_problem_with_a_field_the_form_does_not_show_is_named_in_the_message(ex, monkeypatch):
    from api.actions import exchange as actions
    from profiles.errors import RowError, ValidationFailed

    def refuse(*_args, **_kw):
        raise ValidationFailed([RowError("firm", "cluster", "X", "only an advisor can change the cluster")], "firm")

    monkeypatch.setattr(actions, "update_firm", refuse)
    client = browser(ex, "nordalu")
    r = client.post("/firms/dk-nordalu/edit", data=form_of(client, "dk-nordalu"))
    assert r.status_code == 422
    assert "Not on this form: cluster: only an advisor can change the cluster." in r.text
