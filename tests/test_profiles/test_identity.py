"""Identity resolution: the score, its bands and the blocking that finds candidates."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from profiles.domain import Firm
from profiles.errors import RowError
from profiles.identity import LINK, NEW, REVIEW, fill_missing, identity_score, resolve, website_domain
from profiles.settings import Settings
from profiles.validation import validate_firm

LINK_AT, REVIEW_AT = Settings().identity_link_at, Settings().identity_review_at

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøåäöü ", min_size=1, max_size=30).filter(str.strip)
countries = st.sampled_from(["DK", "SE", "NO", "FI", "DE"])
optional = st.none() | st.sampled_from(["Aarhus", "Växjö", "Oulu"])
firms = st.builds(
    Firm,
    key=st.text(alphabet="abc123", min_size=1, max_size=6),
    name=names,
    country=countries,
    city=optional,
    website=st.none() | st.sampled_from(["www.a.dk", "https://b.se/x", "c.no"]),
    vat_number=st.none() | st.sampled_from(["DK12345678", "SE556677889901"]),
    registry_number=st.none() | st.sampled_from(["12345678", "5566778899"]),
)


@settings(max_examples=200, deadline=None)
@given(firms, firms)
def test_the_score_is_symmetric_and_in_range(a, b):
    ab, ba = identity_score(a, b), identity_score(b, a)
    assert 0.0 <= ab.score <= 1.0
    assert ab.score == ba.score
    assert ab.evidence == ba.evidence


@settings(max_examples=200, deadline=None)
@given(firms)
def test_a_firm_scores_as_itself_in_the_link_band(a):
    assert identity_score(a, replace(a, key=a.key + "x")).score >= LINK_AT


@settings(max_examples=200, deadline=None)
@given(firms)
def test_conflicting_vat_numbers_stay_below_review(a):
    a = replace(a, vat_number="DK12345678", registry_number=None)
    b = replace(a, key=a.key + "x", vat_number="DK87654321")
    s = identity_score(a, b)
    assert s.score < REVIEW_AT
    assert s.conflicting_identifiers


def test_the_same_vat_number_links_across_spellings_and_countries():
    a = Firm("a", "Møller Plast A/S", "DK", vat_number="DK12345678")
    b = Firm("b", "MP Holding", "SE", vat_number="DK12345678")
    assert identity_score(a, b).score >= LINK_AT


def test_the_same_name_in_another_country_is_another_firm():
    a = Firm("a", "Nordic Alu Castings AB", "SE", city="Västerås")
    b = Firm("b", "Nordic Alu Castings AB", "DK")
    assert identity_score(a, b).score < REVIEW_AT


def test_websites_compare_by_registrable_domain():
    assert website_domain("https://www.MollerPlast.dk/kontakt") == "mollerplast.dk"
    assert website_domain("shop.mollerplast.dk") == "mollerplast.dk"
    assert website_domain("http://example.co.uk:8080") == "example.co.uk"
    assert website_domain(" ") is None


def test_transliterations_and_legal_forms_read_alike():
    a = Firm("a", "Møller Plast A/S", "DK", city="Aarhus")
    b = Firm("b", "Moeller Plast", "DK", city="Aarhus")
    s = identity_score(a, b)
    assert s.name_similarity == 1.0 and s.same_city
    assert "same city" in s.explain()


def test_resolve_bands_each_incoming_firm_against_the_stored_ones():
    stored = [
        Firm("s1", "Nordic Alu Castings AB", "SE", city="Västerås", website="nordicalu.se"),
        Firm("s2", "Jensen Plast ApS", "DK", city="Vejle"),
        Firm("s3", "Hämeen Metallityö Oy", "FI", vat_number="FI12345671"),
    ]
    incoming = [
        Firm("i1", "Nordic Alu Castings", "SE", city="Västerås", website="https://www.nordicalu.se/"),
        Firm("i2", "Jensens Plast ApS", "DK", city="Vejle"),
        Firm("i3", "Nordic Alu Extrusion AB", "SE", city="Luleå", website="nordicalu-extrusion.se"),
        Firm("i4", "HM Works", "FI", vat_number="FI12345671"),
    ]
    decisions = {d.incoming.key: d for d in resolve(stored, incoming, LINK_AT, REVIEW_AT)}
    assert decisions["i1"].band == LINK and decisions["i1"].candidate.key == "s1"
    assert decisions["i2"].band == REVIEW and decisions["i2"].candidate.key == "s2"
    assert decisions["i3"].band == NEW and decisions["i3"].candidate is None
    assert decisions["i4"].band == LINK and decisions["i4"].candidate.key == "s3"


def test_resolve_never_offers_a_firm_as_its_own_candidate():
    firm = Firm("a", "Fjordstål AS", "NO")
    assert resolve([firm], [firm], LINK_AT, REVIEW_AT)[0].band == NEW


def test_filling_in_keeps_what_the_kept_firm_has():
    kept = Firm("a", "Fjordstål AS", "NO", city="Bergen")
    other = Firm("b", "Fjordstaal", "NO", city="Oslo", website="fjordstaal.no", vat_number="NO923456789MVA")
    filled = fill_missing(kept, other)
    assert (filled.key, filled.name, filled.city) == ("a", "Fjordstål AS", "Bergen")
    assert (filled.website, filled.vat_number) == ("fjordstaal.no", "NO923456789MVA")


def test_identifiers_are_normalised_and_implausible_ones_named():
    errors: list[RowError] = []
    firm = validate_firm(
        {"key": "a", "name": "A", "country": "DK", "vat_number": "dk 12.34.56-78", "registry_number": "5566-778899"},
        3,
        errors,
    )
    assert errors == [] and firm is not None
    assert (firm.vat_number, firm.registry_number) == ("DK12345678", "5566778899")
    validate_firm({"key": "b", "name": "B", "country": "DK", "vat_number": "12"}, 4, errors)
    validate_firm({"key": "c", "name": "C", "country": "DK", "registry_number": "n/a"}, 5, errors)
    assert [(e.row, e.field) for e in errors] == [(4, "vat_number"), (5, "registry_number")]
    assert all("is not a" in e.reason for e in errors)
