"""Inputs as people type them: country names and likely slips, Excel's CSV and workbooks, decimal commas,
capabilities outside the vocabulary with the closest concepts."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import openpyxl
import pytest

from profiles.errors import RowError, UnreadableInput, ValidationFailed
from profiles.importing import validate_raw
from profiles.readers import XLSX_MAX_UNPACKED, parse_bytes
from profiles.taxonomy.countries import ambiguous_codes, read_country
from profiles.taxonomy.vocabulary import load_vocabulary
from profiles.validation import validate_bid, validate_firm


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        ("DEU", "DE"),
        ("Germany", "DE"),
        ("Tyskland", "DE"),
        ("Deutschland", "DE"),
        (" germany ", "DE"),
        ("Danmark", "DK"),
        ("Dänemark", "DK"),
        ("Norge", "NO"),
        ("Norwegen", "NO"),
        ("Sverige", "SE"),
        ("Schweden", "SE"),
        ("Schweiz", "CH"),
        ("Österreich", "AT"),
        ("Østrig", "AT"),
        ("Holland", "NL"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("Storbritannien", "GB"),
        ("EL", "GR"),
        ("Georgia", "GE"),
        ("GEO", "GE"),
        ("AU", "AU"),  # a G20 member: Australia stays Australia
    ],
)
def test_countries_as_typed(typed, code):
    assert read_country(typed).code == code


def test_a_likely_slip_is_a_question_not_georgia():
    reading = read_country("GE")
    assert reading.code is None
    assert reading.problem is not None and reading.problem.startswith("GE is Georgia; did you mean DE (Germany)?")


def test_the_ambiguity_rule_is_computed_and_leaves_real_markets_alone():
    table = ambiguous_codes()
    assert table["GE"] == ("DE",)
    assert "SE" in table["SV"] and "CH" in table["SC"] and table["IR"] == ("IE",) and table["NE"] == ("NL",)
    for code in ("DE", "DK", "NO", "SE", "AU", "BR", "KR", "IN", "US", "CN", "GB"):
        assert code not in table, code


def test_the_firms_own_domain_confirms_an_ambiguous_code():
    assert read_country("GE", ("https://www.tbilisi-metal.ge/en",)).code == "GE"
    assert read_country("GE", ("sales@tbilisi-metal.ge",)).code == "GE"
    assert read_country("GE", ("https://example.de",)).code is None


def test_unknown_country_suggests_the_nearest_name():
    reading = read_country("Tysklnd")
    assert reading.code is None and reading.problem and "did you mean Germany (DE)?" in reading.problem
    assert read_country("XX").code is None


def _firm(**fields: Any) -> tuple[Any, list[RowError]]:
    errors: list[RowError] = []
    raw = {"key": "x-firm", "name": "X", "country": "DK"} | fields
    return validate_firm(raw, "line 2", errors), errors


def test_firm_rows_read_names_and_refuse_slips_naming_field_row_and_reason():
    firm, errors = _firm(country="Tyskland", export_countries="Sverige; NOR; uk; Deutschland")
    assert not errors and firm is not None
    assert firm.country == "DE" and firm.export_countries == ("SE", "NO", "GB", "DE")
    firm, errors = _firm(country="GE", export_countries=["SV"])
    assert firm is None
    assert [(e.row, e.field, e.value) for e in errors] == [
        ("line 2", "country", "GE"),
        ("line 2", "export_countries[0]", "SV"),
    ]
    assert "did you mean DE (Germany)?" in errors[0].reason
    firm, errors = _firm(country="GE", website="https://metal.ge")
    assert not errors and firm is not None and firm.country == "GE"


def test_bids_take_country_names():
    errors: list[RowError] = []
    bid = validate_bid(
        {
            "key": "b-1",
            "title": "Trays",
            "customer": "OEM",
            "customer_country": "Deutschland",
            "delivery_country": "Sverige",
            "requirements": [{"key": "r", "capability": "anodising", "min_fit": "0,5", "weight": "1,5"}],
        },
        "bids[0]",
        errors,
    )
    assert not errors and bid is not None
    assert (bid.customer_country, bid.delivery_country) == ("DE", "SE")
    assert bid.requirements[0].min_fit == 0.5 and bid.requirements[0].weight == 1.5


def test_decimal_commas_and_thousands_as_typed():
    firm, errors = _firm(lat="55,68", lon="12,57", employees="1.200")
    assert not errors and firm is not None
    assert (firm.lat, firm.lon, firm.employees) == (55.68, 12.57, 1200)
    _, errors = _firm(employees="1,5")
    assert errors and errors[0].field == "employees"


def _semicolon_firms() -> str:
    return (
        "key;name;country;city;lat;lon;employees;capabilities;export_countries\r\n"
        'dk-olund;Ølund Smed ApS;Danmark;Århus;56,15;10,21;42;svejsning;"Tyskland;Sverige"\r\n'
        'de-muller;Müller GmbH;Deutschland;Köln;50,94;6,96;1.200;"Fräsen;Drehen";"Danmark;Norge"\r\n'
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
def test_csv_as_excel_writes_it_in_the_nordics(encoding):
    raw = parse_bytes(_semicolon_firms().encode(encoding), "firms.csv", "text/csv")
    batch, errors = validate_raw(raw)
    assert not errors, errors
    assert [(f.key, f.name, f.country, f.city, f.lat, f.employees, f.export_countries) for f in batch.firms] == [
        ("dk-olund", "Ølund Smed ApS", "DK", "Århus", 56.15, 42, ("DE", "SE")),
        ("de-muller", "Müller GmbH", "DE", "Köln", 50.94, 1200, ("DK", "NO")),
    ]
    assert ("Windows-1252" in " ".join(raw.notes)) == (encoding == "cp1252")


def test_broken_utf8_after_utf8_text_is_still_refused_with_its_line():
    data = "key,name,country\nx-a,Ølund,DK\n".encode() + b"x-b,M\xfcller,DE\n"
    with pytest.raises(UnreadableInput, match=r"not valid UTF-8 .*line 3"):
        parse_bytes(data, "f.csv")


def _workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_one_kind_per_sheet():
    data = _workbook(
        {
            "Firms": [
                ["key", "name", "country", "lat", "employees", "export_countries"],
                ["se-verk", "Verkstad AB", "Sverige", 59.33, 35, "Norge;Danmark"],
                [None, None, None, None, None, None],
            ],
            "Profiles": [
                ["key", "firm", "type", "title", "summary", "capabilities"],
                ["se-verk-bo", "se-verk", "BO", "Welding", "Robot welding of steel frames", "robot welding"],
            ],
            "Empty": [],
        }
    )
    raw = parse_bytes(data, "exchange.xlsx")
    batch, errors = validate_raw(raw)
    assert not errors, errors
    firm = batch.firms[0]
    assert (firm.country, firm.lat, firm.employees, firm.export_countries) == ("SE", 59.33, 35, ("NO", "DK"))
    assert batch.profiles[0].firm_key == "se-verk"


def test_xlsx_errors_name_sheet_row_and_field():
    data = _workbook({"Firms": [["key", "name", "country"], ["a-firm", "A", "DK"], ["b-firm", "B", "GE"]]})
    batch, errors = validate_raw(parse_bytes(data, "f.xlsx"))
    assert [(e.row, e.field, e.value) for e in errors] == [("sheet Firms row 3", "country", "GE")]


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"PK\x03\x04 not really a zip", "f.xlsx", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "f.xls", "old Excel (.xls)"),
        (b"%PDF-1.4\n\x00\x01binary", "f.csv", "binary file"),
        (b"", "f.csv", "empty"),
        (b"just,some,words\n1,2,3\n", "f.xlsx", "not an Excel workbook"),
        (b"just,some,words\n1,2,3\n", "f.csv", "cannot tell what the CSV holds"),
    ],
)
def test_bad_files_say_what_is_wrong(data, name, words):
    with pytest.raises(UnreadableInput, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse_bytes(data, name)


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_reading():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (XLSX_MAX_UNPACKED + 1))
    assert len(out.getvalue()) < 1_000_000
    with pytest.raises(UnreadableInput, match="unpacks to more than"):
        parse_bytes(out.getvalue(), "bomb.xlsx")


def test_json_is_still_json_and_takes_names():
    doc = {"firms": [{"key": "de-a", "name": "A", "country": "Deutschland"}]}
    batch, errors = validate_raw(parse_bytes(json.dumps(doc).encode(), "upload", None))
    assert not errors and batch.firms[0].country == "DE"
    with pytest.raises(ValidationFailed):
        batch, errors = validate_raw(parse_bytes(b'{"firms": [], "oops": 1}', "x.json"))


def test_closest_concepts_for_a_phrase_outside_the_vocabulary():
    vocabulary = load_vocabulary()
    assert not vocabulary.normalise("powdercoat").known
    assert vocabulary.label(vocabulary.closest("powdercoat")[0]) == "powder coating"
    assert vocabulary.closest("") == []
