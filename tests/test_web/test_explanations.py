"""Match explanations and NACE codes in words: the rules behind the pages, and the pages over HTTP."""

from __future__ import annotations

import re

import pytest
from apikit import PASSWORD, exchange
from conftest import TODAY
from fastapi.testclient import TestClient
from webkit import sign_in_form

from api.web.explanations import evidence_words, nace_label
from matching.explain import reasons

RAW_KEYS = ("a offers b", "b offers a", "a_offers_b", "concepts", "value,", "shared_terms", "closest codes:", "cosine")


def test_reasons_are_sentences_from_the_viewers_side_with_the_matched_phrases():
    explanation = {
        "drivers": [{"component": "complementarity", "label": "offer meets need", "contribution": 0.2}],
        "you_offer_what_they_seek": ["anodising"],
        "they_offer_what_you_seek": [],
        "goes_with": "machining + e-coating",
        "shared_terms": ["μm", "mm", "e", "anodised profiles", "kg"],
        "kind": "customer",
    }
    assert reasons(explanation) == [
        ("You offer what they seek", ["anodising"]),
        ("Goes together", ["machining + e-coating"]),
        ("Words both profiles use", ["anodised profiles"]),
    ]


@pytest.mark.parametrize("explanation", [{}, {"shared_terms": ["μm", "kg"]}, {"ties": None}, {"kind": "peer"}])
def test_an_explanation_without_phrases_gives_no_reasons(explanation):
    assert reasons(explanation) == []


def test_evidence_in_words_names_no_dictionary_keys():
    directional = {
        "a_offers_b": {"value": 1.0, "concepts": ["anodising"]},
        "b_offers_a": {"value": 0.5, "concepts": []},
    }
    assert evidence_words("complementarity", directional) == "one offers what the other seeks: anodising"
    assert evidence_words("text", {"shared_terms": ["μm", "anodising"]}) == "words both use: anodising"
    assert evidence_words("text", {"shared_terms": ["μm"]}) == "no telling words in common"
    assert evidence_words("sector", {"closest_codes": ["25.62", "25.61"]}) == (
        "closest sectors: 25.62 Machining and 25.61 Treatment and coating of metals"
    )
    assert evidence_words("geography", {"km": 1020}) == "about 1,020 km apart"
    assert evidence_words("size", {"classes_apart": 0}) == "same size class"
    assert evidence_words("size", {"classes_apart": 2}) == "2 size classes apart"
    assert evidence_words("value_chain", {"link": "machining + e-coating", "seen": {"bid": 3, "relation": 1}}) == (
        "goes together: machining + e-coating (seen in 3 bids, 1 relation)"
    )


@pytest.mark.parametrize(
    "name",
    [
        "text",
        "semantic",
        "capabilities",
        "complementarity",
        "value_chain",
        "sector",
        "geography",
        "size",
        "language",
        "relationship",
        "counterpart",
        "new_component",
    ],
)
@pytest.mark.parametrize("evidence", [None, {}, {"km": "far", "classes_apart": None, "seen": {}}])
def test_evidence_in_words_survives_missing_or_odd_evidence(name, evidence):
    assert isinstance(evidence_words(name, evidence), str)


def test_a_component_added_later_is_shown_by_its_flat_values_in_words():
    assert evidence_words("new_thing", {"shared_x": ["a", "b"], "nested": {"k": 1}}) == "shared x: a, b"


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("25.62", "25.62 Machining"),
        ("2562", "25.62 Machining"),
        ("C", "C MANUFACTURING"),
        ("99.99", "99.99"),
        ("", ""),
        ("not a code", "not a code"),
    ],
)
def test_nace_codes_with_their_names(code, shown):
    assert nace_label(code) == shown


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("explanations")
    return exchange(f"sqlite:///{tmp / 'exchange.db'}", tmp / "out", TODAY)


def signed_in(ex, who: str) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False)
    assert sign_in_form(client, who, PASSWORD).status_code in (200, 303)
    return client


@pytest.mark.parametrize(("who", "path"), [("nordalu", "/firms/dk-nordalu"), ("dac-advisor", "/firms/dk-nordalu")])
def test_match_explanations_on_the_firm_page_are_sentences(ex, who, path):
    html = signed_in(ex, who).get(path).text
    explanations = re.findall(r'<div class="explanation">.*?</table>', html, re.S)
    assert explanations, html[:2000]
    text = " ".join(re.sub(r"<[^>]+>", " ", e) for e in explanations)
    assert "offer what" in text and "seek:" in text
    for raw in RAW_KEYS:
        assert raw not in text, raw
    for unit in ("μm", "mm", "kg"):
        assert not re.search(rf'class="term phrase">{unit}<', html), unit
    assert "Machining" in text or "metal" in text  # closest sectors named


def test_nace_codes_are_named_on_the_firm_pages_and_in_the_filters(ex):
    client = signed_in(ex, "dac-advisor")
    assert '<span class="nace">25.62 Machining</span>' in client.get("/firms").text
    assert '<span class="nace">25.62 Machining</span>' in client.get("/firms?nace=2562").text
    assert "24.42 Aluminium production" in client.get("/firms/dk-nordalu").text
    assert "25 Manufacture of fabricated metal products" in client.get("/map?sector=25").text
    assert '<span class="nace">25.62 Machining</span>' in client.get("/profiles?nace=2562").text


@pytest.mark.parametrize(("path", "status"), [("/firms?nace=zz.99", 200), ("/map?sector=99.99", 422)])
def test_an_unknown_nace_code_is_an_error_beside_the_field_not_a_name(ex, path, status):
    response = signed_in(ex, "dac-advisor").get(path)
    assert response.status_code == status
    assert "not a NACE Rev. 2" in response.text


def _anonymous_firm(ex, who: str) -> dict:
    firms = ex.get(who, "/firms", params={"limit": 200}).json()["items"]
    return next(f for f in firms if not f["identity_visible"])


def test_anonymous_firms_appear_under_pronounceable_aliases_on_the_pages(ex):
    html = signed_in(ex, "nordalu").get("/firms/dk-nordalu").text
    aliases = re.findall(r"firm ([A-Z][a-z]+ [A-Z][a-z]+ \d\d)", html)
    assert aliases, html[:3000]
    assert not re.search(r"firm F[0-9A-F]{10}\b", html)


def test_an_anonymous_firm_is_reached_by_its_alias_as_typed_and_by_its_former_alias(ex):
    from urllib.parse import quote

    from profiles.db import make_engine, session_scope
    from profiles.repository import firms as firm_store

    other = _anonymous_firm(ex, "nordalu")
    alias = other["alias"]
    engine = make_engine(ex.settings.database_url)
    with session_scope(engine) as session:
        row = firm_store.firm_with_key_or_alias(session, alias)
        assert row is not None
        key, row.former_alias = row.key, "F0123456789"
    engine.dispose()
    for ref in (alias, alias.lower().replace(" ", "-"), f"firm {alias}", "F0123456789"):
        response = ex.get("nordalu", f"/firms/{quote(ref)}")
        assert response.status_code == 200, (ref, response.text)
        assert response.json()["alias"] == alias and "name" not in response.json()
    assert ex.get("nordalu", f"/firms/{key}").status_code == 404  # the key would name it: not found
    assert ex.get("admin", f"/firms/{key}").status_code == 200
    for bad in ("F0123456788", "Amber Falcon", "amber falcon 4242", "x" * 80):
        assert ex.get("nordalu", f"/firms/{quote(bad)}").status_code == 404, bad
