"""Import: every error reported with row, field, value and reason; a bad file stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.actions import exports, imports
from api.actions.operator import operator
from profiles import repository
from profiles.db import session_scope
from profiles.domain import ProfileStatus
from profiles.errors import UnreadableInput, ValidationFailed

FIRM_HEADER = "key,name,country,city,employees,nace,capabilities,certifications,languages,export_countries\n"
GOOD_FIRM = 'dk-one,One Metal ApS,DK,Vejle,40,25.62,"CNC machining:20000;welding",ISO 9001,da;en,DE\n'


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _counts(engine):
    with session_scope(engine) as session:
        return repository.count_rows(session)


def _errors(exc: pytest.ExceptionInfo) -> list[tuple[str, str]]:
    return [(str(e.row), e.field) for e in exc.value.errors]


def test_golden_file_imports_and_reimport_changes_nothing(engine, settings, golden_path):
    first = imports.import_path(operator(engine, settings), golden_path)
    assert first.counts["firms"]["created"] == 5
    assert first.counts["profiles"]["created"] == 7
    assert first.counts["bids"]["created"] == 2
    before = _counts(engine)
    second = imports.import_path(operator(engine, settings), golden_path)
    assert second.changed == 0
    assert second.counts["firms"]["unchanged"] == 5
    assert _counts(engine) == before


def test_publishing_assigns_een_reference_and_expiry(engine, settings, golden_path):
    imports.import_path(operator(engine, settings), golden_path)
    with session_scope(engine) as session:
        profiles = {p.key: p for p in repository.load_profiles(session)}
    alpha = profiles["dk-alpha-bo-1"]
    assert alpha.reference == "BODK20260302001"
    assert alpha.expires_on.isoformat() == "2027-03-02"
    draft = profiles["no-epsilon-draft"]
    assert draft.status is ProfileStatus.DRAFT and draft.reference is None


def test_references_count_up_per_day_and_country(engine, settings, tmp_path, golden_path):
    imports.import_path(operator(engine, settings), golden_path)
    doc = {
        "profiles": [
            {
                "key": f"dk-alpha-bo-extra{i}",
                "firm": "dk-alpha",
                "type": "BO",
                "title": f"Extra offer {i}",
                "summary": "More extrusion capacity.",
                "status": "published",
                "published_on": "2026-03-02",
            }
            for i in range(2)
        ]
    }
    imports.import_path(operator(engine, settings), _write(tmp_path, "more.json", json.dumps(doc)))
    with session_scope(engine) as session:
        refs = sorted(
            p.reference for p in repository.load_profiles(session) if (p.reference or "").startswith("BODK20260302")
        )
    assert refs == ["BODK20260302001", "BODK20260302002", "BODK20260302003"]


def test_bad_nace_code_and_overlong_title_are_all_reported(engine, settings, tmp_path, golden_path):
    doc = json.loads(golden_path.read_text("utf-8"))
    doc["firms"][0]["nace"] = ["99.99"]
    doc["firms"][3]["country"] = "XX"
    doc["profiles"][1]["title"] = "x" * 257
    doc["profiles"][2]["type"] = "OFFER"
    path = _write(tmp_path, "bad.json", json.dumps(doc))
    with pytest.raises(ValidationFailed) as exc:
        imports.import_path(operator(engine, settings), path)
    found = _errors(exc)
    assert ("firms[0]", "nace[0]") in found
    assert ("firms[3]", "country") in found
    assert ("profiles[1]", "title") in found
    assert ("profiles[2]", "type") in found
    by_field = {e.field: e for e in exc.value.errors}
    assert "257 characters" in by_field["title"].reason
    assert "NACE" in by_field["nace[0]"].reason
    assert _counts(engine)["firms"] == 0 and _counts(engine)["profiles"] == 0


def test_duplicate_keys_in_one_file(engine, settings, tmp_path):
    path = _write(tmp_path, "firms.csv", FIRM_HEADER + GOOD_FIRM + GOOD_FIRM.replace("One Metal", "Other"))
    with pytest.raises(ValidationFailed) as exc:
        imports.import_path(operator(engine, settings), path)
    assert ("line 3", "key") in _errors(exc)
    assert "first used at line 2" in exc.value.errors[0].reason
    assert _counts(engine)["firms"] == 0


def test_missing_required_column_values(engine, settings, tmp_path):
    path = _write(tmp_path, "firms.csv", "key,name,country\ndk-a,,DK\n,Nameless,\n")
    with pytest.raises(ValidationFailed) as exc:
        imports.import_path(operator(engine, settings), path)
    assert {("line 2", "name"), ("line 3", "key"), ("line 3", "country")} <= set(_errors(exc))


def test_missing_columns_are_reported_per_row(engine, settings, tmp_path, golden_path):
    imports.import_path(operator(engine, settings), golden_path)
    path = _write(tmp_path, "profiles.csv", "key,firm,type\ndk-alpha-x,dk-alpha,BO\ndk-alpha-y,dk-alpha,TO\n")
    with pytest.raises(ValidationFailed) as exc:
        imports.import_path(operator(engine, settings), path)
    assert set(_errors(exc)) == {("line 2", "title"), ("line 2", "summary"), ("line 3", "title"), ("line 3", "summary")}
    assert all(e.reason == "is required" for e in exc.value.errors)


def test_header_without_known_columns(engine, settings, tmp_path):
    path = _write(tmp_path, "what.csv", "foo,bar\n1,2\n")
    with pytest.raises(UnreadableInput, match="cannot tell what the CSV holds"):
        imports.import_path(operator(engine, settings), path)


def test_ragged_csv_row(engine, settings, tmp_path):
    path = _write(tmp_path, "firms.csv", FIRM_HEADER + "dk-x,X ApS,DK\n")
    with pytest.raises(ValidationFailed) as exc:
        imports.import_path(operator(engine, settings), path)
    assert "header has 10 columns" in exc.value.errors[0].reason


def test_windows_1252_csv_is_read_and_broken_utf8_names_the_line(engine, settings, tmp_path):
    row = "dk-two,Møller Svejs ApS,DK,Tønder,5,25.62,welding,,da,\n"
    path = _write(tmp_path, "latin1.csv", (FIRM_HEADER + GOOD_FIRM + row).encode("cp1252"))
    report = imports.import_path(operator(engine, settings), path)
    assert report.counts["firms"]["created"] == 2 and any("Windows-1252" in n for n in report.notes)
    # UTF-8 before the bad byte: a broken UTF-8 file, not Windows-1252
    mixed = (FIRM_HEADER + row.replace("dk-two", "dk-three")).encode() + b"dk-four,M\xf8ller,DK,,5,,,,,\n"
    path = _write(tmp_path, "mixed.csv", mixed)
    with pytest.raises(UnreadableInput, match=r"not valid UTF-8 .*line 3"):
        imports.import_path(operator(engine, settings), path)
    assert _counts(engine)["firms"] == 2


def test_invalid_json_names_the_position(engine, settings, tmp_path):
    path = _write(tmp_path, "broken.json", '{"firms": [ {"key": "a",} ]}')
    with pytest.raises(UnreadableInput, match="line 1, column"):
        imports.import_path(operator(engine, settings), path)


def test_unknown_field_and_wrong_types(engine, settings, tmp_path):
    doc = {
        "firms": [
            {
                "key": "dk-a",
                "name": "A",
                "country": "DK",
                "employes": 5,
                "employees": "many",
                "capabilities": [{"phrase": "welding", "capacity_per_year": "lots"}],
            }
        ]
    }
    with pytest.raises(ValidationFailed) as exc:
        imports.import_path(operator(engine, settings), _write(tmp_path, "f.json", json.dumps(doc)))
    fields = {e.field for e in exc.value.errors}
    assert {"employes", "employees", "capabilities[0]"} <= fields


def test_profile_of_unknown_firm_stores_nothing(engine, settings, tmp_path):
    doc = {
        "firms": [{"key": "dk-a", "name": "A ApS", "country": "DK"}],
        "profiles": [{"key": "p1", "firm": "dk-nobody", "type": "BO", "title": "T", "summary": "S"}],
    }
    with pytest.raises(ValidationFailed) as exc:
        imports.import_path(operator(engine, settings), _write(tmp_path, "p.json", json.dumps(doc)))
    assert ("profiles[0]", "firm") in _errors(exc)
    assert _counts(engine)["firms"] == 0


def test_bid_errors_name_the_requirement(engine, settings, tmp_path):
    doc = {
        "bids": [
            {
                "key": "b1",
                "title": "T",
                "customer": "C",
                "customer_country": "DE",
                "delivery_country": "DE",
                "min_size": 4,
                "max_size": 2,
                "requirements": [
                    {"key": "r1", "capability": "welding", "volume_per_year": -5},
                    {"key": "r1", "capability": "machining"},
                ],
            }
        ]
    }
    with pytest.raises(ValidationFailed) as exc:
        imports.import_path(operator(engine, settings), _write(tmp_path, "b.json", json.dumps(doc)))
    fields = {e.field for e in exc.value.errors}
    assert {"min_size", "requirements[0].volume_per_year", "requirements[1].key"} <= fields


def test_bids_from_csv_group_requirements(engine, settings, tmp_path):
    csv_text = (
        "bid,title,customer,customer_country,delivery_country,lead_certifications,requirement,capability,"
        "mandatory,certifications,requirement_volume\n"
        "b1,Tray,Südwerk,DE,DE,IATF 16949,ext,aluminium extrusion,yes,IATF 16949,40000\n"
        "b1,,,,,,fsw,friction stir welding,yes,,\n"
        "b1,,,,,,coat,e-coating,no,,\n"
    )
    imports.import_path(operator(engine, settings), _write(tmp_path, "bids.csv", csv_text))
    with session_scope(engine) as session:
        bid = repository.get_bid(session, "b1")
    assert [r.key for r in bid.requirements] == ["ext", "fsw", "coat"]
    assert bid.requirements[0].volume_per_year == 40000
    assert bid.requirements[2].mandatory is False
    assert bid.lead.certifications == ("IATF 16949",)


def test_unknown_phrases_are_reported_and_kept(engine, settings, tmp_path):
    doc = {
        "firms": [
            {
                "key": "dk-a",
                "name": "A ApS",
                "country": "DK",
                "capabilities": ["snow-groomer blade refurbishment", "anodizng"],
            }
        ]
    }
    report = imports.import_path(operator(engine, settings), _write(tmp_path, "f.json", json.dumps(doc)))
    assert [n.phrase for n in report.unknown_phrases] == ["snow-groomer blade refurbishment"]
    assert [n.phrase for n in report.approximate_phrases] == ["anodizng"]
    with session_scope(engine) as session:
        firm = repository.get_firm(session, "dk-a")
    assert [c.phrase for c in firm.capabilities] == ["snow-groomer blade refurbishment", "anodizng"]


def test_export_round_trips_through_import(engine, settings, tmp_path, golden_path):
    imports.import_path(operator(engine, settings), golden_path)
    for what in ("firms", "profiles", "bids"):
        text = exports.format_records(
            exports.export_records(operator(engine, settings), what, include_contacts=True), what, "json"
        )
        report = imports.import_path(operator(engine, settings), _write(tmp_path, f"{what}.json", text))
        assert report.changed == 0, what
    for what in ("firms", "profiles"):
        text = exports.format_records(
            exports.export_records(operator(engine, settings), what, include_contacts=True), what, "csv"
        )
        report = imports.import_path(operator(engine, settings), _write(tmp_path, f"{what}.csv", text))
        assert report.changed == 0, what


def test_export_leaves_contacts_out_by_default(engine, settings, golden_path):
    imports.import_path(operator(engine, settings), golden_path)
    text = exports.format_records(exports.export_records(operator(engine, settings), "firms"), "firms", "json")
    assert "anne@alpha.example" not in text and "contact" not in text


def test_key_lookups_work_in_slices(engine, settings, golden_path, monkeypatch):
    """Large imports look keys up in slices (databases cap a statement's parameters)."""
    from profiles import repository as repo

    monkeypatch.setattr(repo, "KEY_SLICE", 2)
    first = imports.import_path(operator(engine, settings), golden_path)
    assert first.counts["firms"]["created"] == 5
    assert imports.import_path(operator(engine, settings), golden_path).changed == 0
    with session_scope(engine) as session:
        assert len(repo.firm_ids(session, ["dk-alpha", "dk-beta", "dk-gamma", "se-delta", "no-such"])) == 4
        assert [f.key for f in repo.load_firms(session, ["se-delta", "dk-alpha", "dk-gamma"])] == [
            "dk-alpha",
            "dk-gamma",
            "se-delta",
        ]


def test_twins_in_one_file_are_linked_and_their_profiles_go_with_the_kept_firm(engine, settings, tmp_path):
    twin = {"name": "Brekke Møbelfabrikk AS", "country": "NO", "city": "Sykkylven", "website": "https://brekke.example"}
    doc = {
        "firms": [twin | {"key": "no-brekke-1"}, twin | {"key": "no-brekke-2"}],
        "profiles": [
            {"key": f"p{i}", "firm": f"no-brekke-{i}", "type": "BO", "title": "Furniture", "summary": "Sofas."}
            for i in (1, 2)
        ],
    }
    path = _write(tmp_path, "twins.json", json.dumps(doc))
    report = imports.import_path(operator(engine, settings), path)
    assert len(report.linked) == 1 and report.counts["profiles"]["created"] == 2
    with session_scope(engine, readonly=True) as session:
        owners = {p.firm_key for p in repository.load_profiles(session)}
    assert owners == {report.linked[0].kept}
    assert imports.import_path(operator(engine, settings), path).changed == 0
