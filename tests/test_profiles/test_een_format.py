"""Profiles in the network's own fields: EEN JSON → import → export is the same JSON, on both databases.

What partnermatch has no field for travels with the profile; a known reference is the same profile; the
network's limits and rules are checked, and a file breaking them stores nothing.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import func, select

from api.actions import exports, imports
from api.actions.operator import operator
from profiles.db import session_scope
from profiles.domain import ProfileStatus, ProfileType
from profiles.een_format import STATUS_IN, changed_fields, from_een, to_een
from profiles.errors import ValidationFailed
from profiles.repository import profiles as profile_store
from profiles.settings import Settings
from profiles.tables import FirmRow, ProfileRow
from profiles.validation import validate_profile

DATA = Path(__file__).parents[1] / "data" / "een" / "profiles.json"
RECORDS = json.loads(DATA.read_text(encoding="utf-8"))["items"]


@pytest.fixture
def ctx(any_engine, tmp_path):
    settings = Settings(DATABASE_URL=any_engine.url.render_as_string(hide_password=False), today=date(2026, 11, 21))
    return operator(any_engine, settings)


def _write(tmp_path: Path, records: list[dict], name: str = "een.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def _by_reference(records: list[dict]) -> dict[str, dict]:
    return {r["reference"]: r for r in records}


def test_import_then_export_gives_the_same_records(ctx, tmp_path):
    report = imports.import_path(ctx, DATA)
    assert report.counts["profiles"]["created"] == len(RECORDS)
    exported = _by_reference(exports.network_records(ctx, include_contacts=True))
    assert exported == _by_reference(RECORDS)  # field for field, unmapped ones included
    # The export imports as it is, and changes nothing; so does the same file again.
    text = exports.format_records(exports.network_records(ctx, include_contacts=True), "profiles", "een")
    again = imports.import_path(ctx, _write(tmp_path, json.loads(text)))
    assert again.changed == 0, again.counts
    assert imports.import_path(ctx, DATA).changed == 0


def test_organisation_identifiers_are_exported_only_with_contacts(ctx):
    imports.import_path(ctx, DATA)
    plain = json.dumps(exports.network_records(ctx)) + json.dumps(exports.export_records(ctx, "profiles"))
    assert "DE123456789" not in plain and "hofmann-fahrwerk.example.de" not in plain
    assert "Hofmann Fahrwerk GmbH" in plain  # the organisation itself is still named for the operator
    with_contacts = json.dumps(exports.network_records(ctx, include_contacts=True))
    assert "DE123456789" in with_contacts
    firms = exports.export_records(ctx, "firms", include_contacts=True)
    assert "DE123456789" in {f["vat_number"] for f in firms}
    assert all("vat_number" not in f and "registry_number" not in f for f in exports.export_records(ctx, "firms"))


def test_what_maps_and_what_is_kept(ctx):
    imports.import_path(ctx, DATA)
    with session_scope(ctx.engine, readonly=True) as session:
        rows = {r.reference or r.key: r for r in session.exec(select(ProfileRow)).all()}
        firms = {f.id: f for f in session.exec(select(FirmRow)).all()}
    offer = rows["BODK20260312004"]
    assert offer.key == "bodk20260312004" and offer.type == "BO" and offer.status == "published"
    assert offer.keywords == [
        "CNC milling",
        "5-axis machining",
        "aluminium machining",
        "automotive parts",
        "machinery components",
    ]
    assert offer.partnership_types == ["subcontracting", "supplier agreement"]
    assert offer.published_on == date(2026, 3, 12) and offer.expires_on == date(2027, 3, 12)
    assert offer.een["sdgKeywords"] == RECORDS[0]["sdgKeywords"]  # kept without a column
    assert firms[offer.firm_id].key == "een-bodk20260312004" and firms[offer.firm_id].country == "DK"
    # The organisation a record names is its firm; investment (no equivalent) is only kept.
    request = rows["BRDE20260401017"]
    firm = firms[request.firm_id]
    assert (firm.name, firm.city, firm.vat_number) == ("Hofmann Fahrwerk GmbH", "Regensburg", "DE123456789")
    assert request.partnership_types == ["supplier agreement"]
    # An R&D request ends with its call; a profile under review is a draft without reference; archived is
    # withdrawn.
    assert rows["RDRFI20260515002"].expires_on == date(2026, 11, 20)
    assert rows["tose20251110003"].status == "draft" and rows["tose20251110003"].reference is None
    assert rows["BONO20240210001"].status == "withdrawn"


def test_an_edited_profile_exports_its_change_and_keeps_the_rest(ctx, tmp_path):
    imports.import_path(ctx, DATA)
    changed = copy.deepcopy(RECORDS[0])
    changed.pop("reference")
    edited = [
        {
            "key": "bodk20260312004",
            "firm": "een-bodk20260312004",
            "type": "BO",
            "status": "published",
            "title": "Danish machining firm offers 5-axis milling and anodised aluminium housings",
            "summary": RECORDS[0]["shortSummary"],
            "description": RECORDS[0]["description"],
            "language": "en",
            "keywords": ["CNC milling", "anodising", "automotive parts"],
            "partner_sought": RECORDS[0]["expectedRoleOfThePartner"],
            "partnership_types": ["subcontracting", "supplier agreement", "joint venture"],
            "reference": "BODK20260312004",
            "published_on": "2026-03-12",
            "expires_on": "2027-03-12",
            "een": RECORDS[0],
        }
    ]
    path = tmp_path / "edit.json"
    path.write_text(json.dumps({"profiles": edited}), encoding="utf-8")
    assert imports.import_path(ctx, path).counts["profiles"]["updated"] == 1
    out = _by_reference(exports.network_records(ctx))["BODK20260312004"]
    before = RECORDS[0]
    assert out["title"].startswith("Danish machining firm offers 5-axis milling and anodised")
    assert out["technologyKeywords"] == ["CNC milling", "anodising"]  # a new keyword goes to technology
    assert out["marketKeywords"] == ["automotive parts"]
    assert out["typesOfPartnership"] == ["Outsourcing agreement", "Supplier agreement", "Investment agreement"]
    assert out["lastModified"] != before["lastModified"]
    unchanged = set(before) - {"title", "technologyKeywords", "marketKeywords", "typesOfPartnership", "lastModified"}
    assert {k: out[k] for k in unchanged} == {k: before[k] for k in unchanged}


def test_a_known_reference_is_the_same_profile_whatever_its_key(ctx, tmp_path):
    imports.import_path(ctx, DATA)
    row = {
        "key": "offer-from-the-cluster-list",
        "firm": "een-bodk20260312004",
        "type": "BO",
        "status": "published",
        "title": "5-axis milling",
        "summary": "Milling of aluminium housings.",
        "reference": "BODK20260312004",
        "published_on": "2026-03-12",
    }
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps({"profiles": [row]}), encoding="utf-8")
    report = imports.import_path(ctx, path)
    assert report.counts["profiles"] == {"created": 0, "updated": 1, "unchanged": 0}
    with session_scope(ctx.engine, readonly=True) as session:
        assert session.exec(select(func.count()).select_from(ProfileRow)).one() == len(RECORDS)
        assert profile_store.get_profile(session, "BODK20260312004").title == "5-axis milling"


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"technologyKeywords": [f"k{i}" for i in range(6)]}, "technologyKeywords", "at most 5 keywords"),
        ({"shortSummary": "x" * 501}, "shortSummary", "at most 500 characters"),
        ({"advantagesAndInnovation": "x" * 2001}, "advantagesAndInnovation", "at most 2000 characters"),
        ({"profileStatus": "LIVE"}, "profileStatus", "not a network status"),
        (
            {"typesOfPartnership": ["Research and development cooperation agreement"]},
            "typesOfPartnership",
            "not for BO profiles",
        ),
        ({"typesOfPartnership": ["Franchise"]}, "typesOfPartnership", "not a network partnership type"),
        ({"reference": "BODK2026"}, "reference", "not a network reference"),
        ({"profileType": "XX"}, "type", ""),
        ({"organisation": "Hofmann"}, "organisation", "must be an object"),
    ],
)
def test_a_record_breaking_the_network_rules_stores_nothing(ctx, tmp_path, change, field, reason):
    records = copy.deepcopy(RECORDS)
    records[0] = records[0] | change
    with pytest.raises(ValidationFailed) as failed:
        imports.import_path(ctx, _write(tmp_path, records))
    hits = [e for e in failed.value.errors if e.field == field and reason in e.reason]
    assert hits and hits[0].row == "[0]", failed.value.errors
    with session_scope(ctx.engine, readonly=True) as session:
        assert session.exec(select(func.count()).select_from(ProfileRow)).one() == 0
        assert session.exec(select(func.count()).select_from(FirmRow)).one() == 0


def test_every_network_status_reads_as_one_of_ours_and_writes_back_as_itself():
    for status, ours in STATUS_IN.items():
        record = RECORDS[0] | {"profileStatus": status}
        rows = from_een(record, "r")
        errors: list = list(rows.errors)
        profile = validate_profile(rows.profile, "r", errors)
        assert not errors and profile is not None and profile.status == ours
        assert to_een(profile, "DK", None, None, profile) == record
        assert changed_fields(profile, profile) == set()


def test_a_profile_made_in_partnermatch_gets_a_record_of_its_own():
    errors: list = []
    profile = validate_profile(
        {
            "key": "p1",
            "firm": "f1",
            "type": "TR",
            "status": "withdrawn",
            "title": "Seeks a coating line",
            "summary": "We seek e-coating.",
            "keywords": [f"k{i}" for i in range(12)],
            "partnership_types": ["research cooperation", "distribution agreement"],
        },
        "r",
        errors,
    )
    assert profile is not None and not errors
    record = to_een(profile, "SE", None, None, None)
    assert record["profileType"] == "TR" and record["profileStatus"] == "ARCHIVED"
    assert record["partnerOrganisationCountry"] == "SE"
    assert record["technologyKeywords"] == ["k0", "k1", "k2", "k3", "k4"]
    assert record["marketKeywords"] == ["k5", "k6", "k7", "k8", "k9"]  # the network takes ten at most
    # Distribution has no place in a technology request: only what the type allows is written.
    assert record["typesOfPartnership"] == ["Research and development cooperation agreement"]
    assert ProfileType(record["profileType"]) == profile.type and profile.status == ProfileStatus.WITHDRAWN
