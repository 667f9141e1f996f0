"""Inputs as people type them, over HTTP: country names in API filters and bodies, Excel uploads on the
upload page with a readable report, capabilities outside the vocabulary flagged on the profile form."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from apikit import PASSWORD, exchange
from conftest import TODAY
from fastapi.testclient import TestClient
from webkit import sign_in_form


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("inputs")
    return exchange(f"sqlite:///{tmp / 'inputs.db'}", tmp / "out", TODAY, match=False)


def browser(ex, who: str) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False, follow_redirects=False)
    assert sign_in_form(client, who, PASSWORD).status_code == 303
    return client


def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(path).text)
    assert found
    return found.group(1)


def test_api_filters_take_country_names_and_ask_about_slips(ex):
    by_code = ex.get("admin", "/firms?country=NO&per_page=100").json()
    assert by_code["total"] > 0
    for typed in ("Norge", "Norwegen", "Norway", "NOR", "no"):
        r = ex.get("admin", f"/firms?country={typed}&per_page=100")
        assert r.status_code == 200 and r.json()["total"] == by_code["total"], typed
    assert ex.get("admin", "/profiles?country=Danmark").status_code == 200
    r = ex.get("admin", "/firms?country=GE")
    assert r.status_code == 422
    assert "GE is Georgia; did you mean DE (Germany)?" in r.text and "country" in r.text


def test_api_bodies_take_country_names(ex):
    body = {"key": "de-inputs-api", "name": "Inputs GmbH", "country": "Deutschland", "export_countries": ["Sverige"]}
    r = ex.post("admin", "/firms", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["country"] == "DE"
    r = ex.post("admin", "/firms", json=body | {"key": "ge-inputs-api", "country": "GE"})
    assert r.status_code == 422 and "did you mean DE (Germany)?" in r.text
    assert ex.get("admin", "/firms/ge-inputs-api").status_code == 404


def _workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Firms"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_xlsx_upload_reports_a_table_and_a_bad_one_stores_nothing(ex):
    client = browser(ex, "admin")
    token = csrf(client, "/uploads")
    header = ["key", "name", "country", "lat", "capabilities"]
    good = _workbook([header, ["se-inputs-xl", "Verkstad AB", "Sverige", 59.3, "robot welding;quantum widgetry"]])
    r = client.post("/uploads", data={"csrf": token}, files={"file": ("firms.xlsx", good, XLSX)})
    assert r.status_code == 200, r.text
    assert 'id="upload-counts"' in r.text and "{&#39;" not in r.text and "{'" not in r.text
    assert re.search(r"<th scope=\"row\">Firms</th><td>1</td><td>0</td><td>0</td>", r.text)
    assert "quantum widgetry" in r.text and 'id="upload-unknown"' in r.text
    long_value = "G" + "E" * 300
    bad = _workbook([header, ["dk-inputs-ok", "OK ApS", "DK", 55.1, ""], ["de-inputs-bad", "Bad", long_value, 1, ""]])
    r = client.post("/uploads", data={"csrf": token}, files={"file": ("bad.xlsx", bad, XLSX)})
    assert r.status_code == 422
    assert re.search(r"<tr><td>sheet Firms row 3</td><td>country</td>", r.text)
    assert "nothing was stored" in r.text
    r = client.post(
        "/uploads",
        data={"csrf": token},
        files={"file": ("slip.xlsx", _workbook([header, ["de-x", "X", "GE", 1, ""]]), XLSX)},
    )
    assert r.status_code == 422 and "did you mean DE (Germany)?" in r.text
    assert ex.get("admin", "/firms/dk-inputs-ok").status_code == 404


def test_semicolon_csv_upload_as_excel_writes_it(ex):
    client = browser(ex, "admin")
    token = csrf(client, "/uploads")
    body = "key;name;country;lat;lon;employees\r\ndk-inputs-csv;Ølund Smed ApS;Danmark;56,15;10,21;1.200\r\n"
    files = {"file": ("firms.csv", b"\xef\xbb\xbf" + body.encode(), "text/csv")}
    r = client.post("/uploads", data={"csrf": token}, files=files)
    assert r.status_code == 200, r.text
    assert "semicolon" in r.text
    firm = ex.get("admin", "/firms/dk-inputs-csv").json()
    assert (firm["country"], firm["lat"], firm["employees"]) == ("DK", 56.15, 1200)
    files = {"file": ("firms.csv", body.replace("inputs-csv", "inputs-1252").encode("cp1252"), "text/csv")}
    r = client.post("/uploads", data={"csrf": token}, files=files)
    assert r.status_code == 200 and "Windows-1252" in r.text
    r = client.post("/uploads", data={"csrf": token}, files={"file": ("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "")})
    assert r.status_code == 422 and "save it as .xlsx" in r.text


def test_profile_form_flags_capabilities_outside_the_vocabulary(ex):
    client = browser(ex, "nordalu")
    token = csrf(client, "/profiles-new")
    form = {
        "csrf": token,
        "key": "dk-nordalu-inputs",
        "type": "BO",
        "title": "Coated profiles",
        "summary": "Extruded and coated aluminium profiles",
        "capabilities": "anodising\npowdercoat",
    }
    r = client.post("/profiles-new", data=form)
    assert r.status_code == 422
    note = re.search(r'<div class="field-note" id="capability-notes".*?</div>', r.text, re.S)
    assert note and "powdercoat" in note.group(0) and "powder coating" in note.group(0)
    assert "anodising" not in note.group(0)
    assert client.get("/profiles/dk-nordalu-inputs").status_code == 404
    r = client.post("/profiles-new", data=form | {"keep_unknown": "on"})
    assert r.status_code == 303, r.text
    r = client.get("/profiles/dk-nordalu-inputs/edit")
    assert 'id="capability-notes"' in r.text and re.search(r'name="keep_unknown" checked', r.text)


def test_bid_form_takes_country_names_and_asks_about_a_slip(ex):
    client = browser(ex, "dac-advisor")
    token = csrf(client, "/bids-new")
    assert 'name="customer_country" value="" size="10" maxlength="80"' in client.get("/bids-new").text
    form = {
        "csrf": token,
        "key": "bid-inputs-1",
        "title": "Trays",
        "customer": "OEM",
        "customer_country": "Tyskland",
        "delivery_country": "GE",
        "requirement_rows": "1",
        "req-0-key": "ext",
        "req-0-capability": "aluminium extrusion",
        "req-0-mandatory": "on",
    }
    r = client.post("/bids-new", data=form)
    assert r.status_code == 422
    assert re.search(r'data-for="delivery_country"[^>]*>GE is Georgia; did you mean DE \(Germany\)\?', r.text)
    r = client.post("/bids-new", data=form | {"delivery_country": "Sverige"})
    assert r.status_code == 303, r.text
    bid = ex.get("dac-advisor", "/bids/bid-inputs-1").json()
    assert (bid["customer_country"], bid["delivery_country"]) == ("DE", "SE")
