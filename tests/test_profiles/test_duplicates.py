"""Duplicate firms reported by `partnermatch duplicates`: stored firms resolved against each other with
`profiles.identity` and the settings' thresholds, written so a person can decide."""

from api.actions import exchange
from api.actions.operator import operator
from profiles import repository
from profiles.db import session_scope
from profiles.domain import Firm
from profiles.duplicates import DuplicateFirm, name_key
from profiles.identity import LINK, NEW, REVIEW, resolve
from profiles.repository import duplicates as duplicate_store

LINK_AT, REVIEW_AT = 0.85, 0.45


def test_legal_forms_and_accents_do_not_hide_a_duplicate():
    assert name_key("Vejle Præcision ApS") == name_key("VEJLE PRAECISION A/S")


def _bands(firms: list[Firm]) -> dict[str, tuple[str | None, str]]:
    return {
        d.incoming.key: (d.candidate.key if d.candidate else None, d.band)
        for d in resolve(firms, firms, LINK_AT, REVIEW_AT)
    }


def test_same_firm_twice_is_found_within_its_country_only():
    firms = [
        Firm("dk-vp1", "Vejle Præcision ApS", "DK", city="Vejle"),
        Firm("dk-vp2", "Vejle Praecision Aps", "DK", city="Vejle"),
        Firm("dk-other", "Tønder Aluminium A/S", "DK", city="Tønder"),
        Firm("se-vp", "Vejle Praecision AB", "SE", city="Borlänge"),
    ]
    bands = _bands(firms)
    assert bands["dk-vp1"][0] == "dk-vp2" and bands["dk-vp1"][1] in (LINK, REVIEW)
    assert bands["dk-other"] == (None, NEW) and bands["se-vp"] == (None, NEW)


def test_different_firms_in_one_city_are_not_duplicates():
    firms = [
        Firm("a", "Nordic Extrusion A/S", "DK", city="Tønder"),
        Firm("b", "Nordic Anodising A/S", "DK", city="Tønder"),
    ]
    assert {band for _, band in _bands(firms).values()} == {NEW}


def test_a_conflicting_vat_number_keeps_look_alikes_apart():
    firms = [
        Firm("a", "Vejle Præcision ApS", "DK", city="Vejle", vat_number="DK12345678"),
        Firm("b", "Vejle Praecision ApS", "DK", city="Vejle", vat_number="DK87654321"),
    ]
    assert _bands(firms)["a"] == (None, NEW)


def test_only_incoming_firms_are_resolved():
    stored = [
        Firm("dk-vp1", "Vejle Præcision ApS", "DK", city="Vejle"),
        Firm("dk-vp2", "Vejle Praecision Aps", "DK", city="Vejle"),
    ]
    incoming = [Firm("dk-vp3", "Vejle Precision ApS", "DK", city="Vejle")]
    decisions = resolve(stored, incoming, LINK_AT, REVIEW_AT)
    assert [d.incoming.key for d in decisions] == ["dk-vp3"]
    assert decisions[0].candidate is not None and decisions[0].candidate.key in ("dk-vp1", "dk-vp2")


def test_a_reported_pair_reads_as_a_sentence_with_its_evidence():
    plain = DuplicateFirm("a", "b", "Vejle Præcision ApS", "Vejle Praecision Aps", 100.0, True)
    assert str(plain) == (
        "'Vejle Præcision ApS' (a) and 'Vejle Praecision Aps' (b) look like the same firm: names 100% alike, same city"
    )
    evidence = {"score": 0.9712, "name_similarity": 0.96, "same_country": True, "same_city": True, "same_vat": True}
    scored = DuplicateFirm("a", "b", "A", "B", 96.0, True, evidence | {"band": LINK})
    assert str(scored) == (
        "'A' (a) and 'B' (b) are very likely the same firm: names 96% alike, same city, same VAT number; score 0.97"
    )


def test_the_duplicates_command_lists_stored_pairs_best_first_without_dismissed_ones(engine, settings):
    firms = [
        Firm("dk-vp1", "Vejle Præcision ApS", "DK", city="Vejle", website="https://vejle-praecision.example"),
        Firm("dk-vp2", "Vejle Praecision Aps", "DK", city="Vejle", website="http://www.vejle-praecision.example/"),
        Firm("dk-nm1", "Nordic Metal Finish ApS", "DK", city="Aarhus"),
        Firm("dk-nm2", "Nordisk Metal Finish", "DK", city="Aarhus"),
        Firm("dk-other", "Tønder Aluminium A/S", "DK", city="Tønder"),
        Firm("een-bodk1", "Client of network profile BODK1", "DK"),
        Firm("een-bodk2", "Client of network profile BODK2", "DK"),
    ]
    with session_scope(engine) as session:
        repository.upsert_firms(session, firms, settings.now())
    found = exchange.duplicate_firms(operator(engine, settings))
    pairs = [(d.first, d.second) for d in found]
    assert pairs[0] == ("dk-vp1", "dk-vp2") and set(pairs) <= {("dk-vp1", "dk-vp2"), ("dk-nm1", "dk-nm2")}
    assert "same website" in str(found[0]) and "score" in str(found[0])
    # an advisor's "different firms" holds: the pair is not reported again
    with session_scope(engine) as session:
        duplicate_store.flag(session, [found[0]], settings.now())
        pair = duplicate_store.pairs(session, duplicate_store.OPEN)[0]
        duplicate_store.decide(session, pair, duplicate_store.DIFFERENT, None, settings.now())
    assert ("dk-vp1", "dk-vp2") not in [
        (d.first, d.second) for d in exchange.duplicate_firms(operator(engine, settings))
    ]
