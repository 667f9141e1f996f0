"""The labelled manufacturing partner set (bench/quality/partner_set.json): it validates and imports with
the project's own readers, and its queries are well formed."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from profiles.db import make_engine, session_scope, upgrade
from profiles.importing import import_raw, validate_raw
from profiles.readers import KINDS, parse_json

SET_PATH = Path(__file__).resolve().parents[2] / "bench" / "quality" / "partner_set.json"
LANGUAGES = ("da", "de", "en", "no", "sv")
ASKS = {"customer", "supplier", "complement", "capacity"}
OFFERS, REQUESTS = {"BO", "TO"}, {"BR", "TR", "RDR"}
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
TODAY = date(2026, 11, 21)


@pytest.fixture(scope="module")
def partner_set() -> dict:
    return json.loads(SET_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def profiles(partner_set) -> dict[str, dict]:
    return {p["key"]: p for p in partner_set["profiles"]}


def _part(partner_set: dict, kind: str) -> list[dict]:
    return partner_set["history"][kind] if kind in ("bids", "relations") else partner_set[kind]


def _raw(partner_set: dict, kinds=KINDS):
    return parse_json(
        json.dumps({kind: _part(partner_set, kind) for kind in kinds}, ensure_ascii=False), "partner_set.json"
    )


def test_the_file_has_the_expected_parts(partner_set):
    assert set(partner_set) == {"about", "firms", "profiles", "history", "queries"}
    assert set(partner_set["history"]) == {"bids", "relations"}
    assert isinstance(partner_set["about"], str) and partner_set["about"].strip()


def test_every_row_validates(partner_set):
    batch, errors = validate_raw(_raw(partner_set))
    assert [str(e) for e in errors] == []
    assert len(batch.firms) == len(partner_set["firms"])
    assert len(batch.profiles) == len(partner_set["profiles"])
    assert len(batch.bids) == len(partner_set["history"]["bids"])
    assert len(batch.relations) == len(partner_set["history"]["relations"])


def test_it_imports_into_an_empty_database_in_the_importer_s_order(partner_set, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'set.db'}")
    upgrade(engine)
    try:
        for kind in KINDS:
            with session_scope(engine) as session:
                report = import_raw(session, _raw(partner_set, (kind,)), NOW, TODAY)
            assert report.counts[kind]["created"] == len(_part(partner_set, kind))
    finally:
        engine.dispose()


def test_profiles_belong_to_firms_of_the_set_and_say_their_language(partner_set):
    firms = {f["key"] for f in partner_set["firms"]}
    for p in partner_set["profiles"]:
        assert p["firm"] in firms, p["key"]
        assert p["language"] in LANGUAGES, p["key"]
    for r in partner_set["history"]["relations"]:
        assert r["firm"] in firms


def test_enough_queries_in_every_language(partner_set, profiles):
    queries = partner_set["queries"]
    assert len(queries) >= 60
    per_language = Counter(q["language"] for q in queries)
    assert all(per_language[lang] >= 10 for lang in LANGUAGES), per_language
    assert {q["asks"] for q in queries} <= ASKS
    assert Counter(q["asks"] for q in queries)["capacity"] <= 6
    assert len({q["profile"] for q in queries}) == len(queries)
    for q in queries:
        assert q["language"] == profiles[q["profile"]]["language"], q["profile"]
        assert q["note"].strip(), q["profile"]


def test_every_referenced_profile_exists(partner_set, profiles):
    for q in partner_set["queries"]:
        for key in [q["profile"], *q["intended"], *q["peers"]]:
            assert key in profiles, (q["profile"], key)


def test_intended_and_peers_are_disjoint_and_never_the_query(partner_set):
    for q in partner_set["queries"]:
        intended, peers = set(q["intended"]), set(q["peers"])
        assert 1 <= len(q["intended"]) <= 2, q["profile"]
        assert len(intended) == len(q["intended"]) and len(peers) == len(q["peers"]), q["profile"]
        assert not intended & peers, q["profile"]
        assert q["profile"] not in intended | peers


def test_peers_are_offers_of_other_firms(partner_set, profiles):
    for q in partner_set["queries"]:
        if q["asks"] == "capacity":
            continue
        firm = profiles[q["profile"]]["firm"]
        assert 2 <= len(q["peers"]) <= 4, q["profile"]
        for key in q["peers"]:
            assert profiles[key]["firm"] != firm, (q["profile"], key)
            assert profiles[key]["type"] in OFFERS, (q["profile"], key)


def test_what_a_query_asks_fits_the_profile_types(partner_set, profiles):
    for q in partner_set["queries"]:
        own = profiles[q["profile"]]["type"]
        kinds = {profiles[k]["type"] for k in q["intended"]}
        if q["asks"] in ("customer", "complement"):
            assert own in OFFERS, q["profile"]
        else:
            assert own in REQUESTS, q["profile"]
        assert kinds <= (REQUESTS if q["asks"] == "customer" else OFFERS), q["profile"]
        assert all(profiles[k]["firm"] != profiles[q["profile"]]["firm"] for k in q["intended"]), q["profile"]


def test_every_query_lists_its_other_valid_partners(partner_set, profiles):
    for q in partner_set["queries"]:
        assert isinstance(q.get("also"), list), q["profile"]
        also = set(q["also"])
        assert len(also) == len(q["also"]), q["profile"]
        for key in q["also"]:
            assert key in profiles, (q["profile"], key)


def test_also_is_disjoint_from_intended_peers_and_the_query_s_own_firm(partner_set, profiles):
    for q in partner_set["queries"]:
        firm = profiles[q["profile"]]["firm"]
        own = {key for key, p in profiles.items() if p["firm"] == firm}
        also = set(q["also"])
        assert not also & set(q["intended"]), q["profile"]
        assert not also & set(q["peers"]), q["profile"]
        assert not also & own, q["profile"]


def test_also_fits_what_the_query_asks(partner_set, profiles):
    for q in partner_set["queries"]:
        firm = profiles[q["profile"]]["firm"]
        for key in q["also"]:
            if q["asks"] == "customer":
                assert profiles[key]["type"] in REQUESTS, (q["profile"], key)
            elif q["asks"] == "complement":
                assert profiles[key]["type"] in OFFERS, (q["profile"], key)
                assert profiles[key]["firm"] != firm, (q["profile"], key)
