"""The profile search page over HTTP: the API's filters, capabilities in any language, each hit with its
best stored match score to the viewer's own profiles, other firms anonymous, bad filters named."""

from __future__ import annotations

import re

import pytest
from apikit import PASSWORD, exchange, firm_names
from conftest import TODAY
from fastapi.testclient import TestClient
from webkit import sign_in_form


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("profile-search")
    return exchange(f"sqlite:///{tmp / 'search.db'}", tmp / "out", TODAY)


def browser(ex, who: str) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False, follow_redirects=False)
    assert sign_in_form(client, who, PASSWORD).status_code == 303
    return client


def _rows(html: str) -> list[str]:
    table = html.split('id="profile-list"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)


def _ref(row: str) -> str:
    found = re.search(r'href="/profiles/[^"]+">([^<]+)<', row)
    assert found
    return found.group(1)


def test_search_finds_what_the_api_finds_with_best_scores_to_own_profiles(ex):
    api = ex.get("nordalu", "/profiles", params={"capability": "eloxering", "status": "published", "per_page": 200})
    expected = {p["reference"] for p in api.json()["items"]}
    assert expected
    html = browser(ex, "nordalu").get("/profiles", params={"capability": "eloxering"}).text
    rows = _rows(html)
    assert {_ref(r) for r in rows} == expected
    own = ex.get("nordalu", "/firms/dk-nordalu/matches", params={"per_page": 200})
    assert own.status_code == 200
    scores: dict[str, float] = {}
    for m in own.json()["items"]:
        ref = m["other"]["reference"]
        scores[ref] = max(scores.get(ref, 0.0), m["score"])
    assert set(scores) & {_ref(r) for r in rows}
    for row in rows:
        ref = _ref(row)
        shown = re.search(r'class="score">([0-9.]+)<', row)
        if ref in scores:
            assert shown and shown.group(1) == f"{scores[ref]:.2f}", ref
    names = firm_names(ex.settings)
    assert not [n for k, n in names.items() if k != "dk-nordalu" and n in html]


def test_filters_combine_type_country_and_words(ex):
    page = browser(ex, "dac-advisor")
    rows = _rows(page.get("/profiles", params={"type": "BR", "country": "Norge"}).text)
    assert rows and all("Business request" in r and "(NO)" in r for r in rows)
    assert _rows(page.get("/profiles", params={"q": "battery tray"}).text)


def test_advisor_sees_scores_to_its_cluster_profiles(ex):
    html = browser(ex, "dac-advisor").get("/profiles", params={"country": "SE"}).text
    assert re.search(r'class="score">0\.\d\d<', html)


def test_bad_filters_are_named_beside_the_fields(ex):
    r = browser(ex, "vejle").get(
        "/profiles", params={"capability": "telepathy", "nace": "99.999", "country": "Atlantis", "type": "XX"}
    )
    assert r.status_code == 422 and "Traceback" not in r.text
    assert "not a capability the vocabulary knows" in r.text and "NACE" in r.text
    assert 'id="profile-list"' not in r.text
    assert browser(ex, "vejle").get("/profiles").status_code == 200


@pytest.fixture(scope="module")
def valdres_introduced_to_vejle(ex):
    """Valdres and Vejle Præcision agree an introduction (once per exchange, whichever test asks first)."""
    target = ex.get("admin", "/profiles", params={"firm": "dk-vejle-praecision", "status": "published"})
    reference = target.json()["items"][0]["reference"]
    sent = ex.post("valdres", "/interests", json={"profile": reference, "message": "door hinges"}).json()
    assert ex.post("dac-advisor", f"/interests/{sent['id']}/forward").status_code == 200
    assert ex.post("vejle", f"/interests/{sent['id']}/accept").status_code == 200


def test_every_hit_opens_also_for_a_firm_introduced_to_the_viewer(ex, valdres_introduced_to_vejle):
    page = browser(ex, "valdres")
    html = page.get("/profiles", params={"country": "DK"}).text
    assert "Vejle Præcision ApS" in html  # introduced: named
    links = set(re.findall(r'<td><a href="(/profiles/[^"]+)">', html))
    assert links and all(page.get(link).status_code == 200 for link in links)


def test_an_introduced_firms_page_links_its_profiles_so_they_open(ex, valdres_introduced_to_vejle):
    page = browser(ex, "valdres")
    html = page.get("/firms/dk-vejle-praecision").text
    assert "Vejle Præcision ApS" in html
    links = set(re.findall(r'<td><a href="(/profiles/[^"]+)">', html))
    assert links and all(page.get(link).status_code == 200 for link in links)
    own = browser(ex, "vejle").get("/firms/dk-vejle-praecision").text
    assert "/profiles/dk-vejle-praecision-" in own  # the firm's own, drafts included, by key


def test_a_count_cut_at_the_limit_says_so_in_the_api_and_on_the_page(ex, monkeypatch):
    from profiles.repository import search

    full = ex.get("nordalu", "/profiles", params={"q": "aluminium", "per_page": 200}).json()
    assert full["total_exact"] is True and full["total"] == len(full["items"]) > 3
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    cut = ex.get("nordalu", "/profiles", params={"q": "aluminium", "per_page": 200}).json()
    assert (cut["total"], cut["total_exact"]) == (3, False)
    assert cut["items"] == full["items"]  # only the count stops, not the list
    html = browser(ex, "nordalu").get("/profiles", params={"q": "aluminium"}).text
    assert "more than 3 profiles" in html
