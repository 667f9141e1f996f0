"""Journey "inputs as people type them", in a real browser (Debian's Chromium driven by Playwright) against
the real server on the demo data: an advisor uploads what Excel writes in the Nordics (semicolon CSV with
decimal commas and a BOM, a workbook), sees a readable report or the rows to fix with long values wrapped;
filters firms by a country's name and is asked about a likely slip; a firm's capability outside the
vocabulary is flagged beside the field with the closest concepts."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
import webkit
from webkit import artefacts, require_chromium

pytestmark = pytest.mark.slow

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

TODAY = date(2026, 11, 21)
SHOTS = artefacts() / "screenshots"


@pytest.fixture(scope="module")
def seed_matches() -> bool:
    return False


@pytest.fixture
def page_options():
    return {"width": 1200}


def upload(page: Page, name: str, data: bytes, mime: str) -> None:
    page.goto("/uploads")
    page.set_input_files("#upload-form input[type=file]", files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.click("#upload-form button[type=submit]")


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Firms"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_uploads_as_excel_writes_them_report_as_tables_and_wrap_bad_values(page):
    webkit.sign_in(page, "admin", confirm=True)
    csv_text = (
        "key;name;country;city;lat;lon;employees;capabilities\r\n"
        "dk-journey-smed;Ølund Smed ApS;Danmark;Århus;56,15;10,21;1.200;svejsning\r\n"
        'de-journey-fraes;Fräserei Köln GmbH;Tyskland;Köln;50,94;6,96;85;"Fräsen;quantum widgetry"\r\n'
    )
    upload(page, "firmaer.csv", b"\xef\xbb\xbf" + csv_text.encode(), "text/csv")
    report = page.locator("#upload-report")
    expect(report).to_contain_text("firmaer.csv stored.")
    counts = page.locator("#upload-counts")
    expect(counts.locator("tbody tr").first).to_contain_text("Firms")
    expect(counts.locator("thead")).to_contain_text("Created")
    expect(counts.locator("tbody tr").first.locator("td").first).to_have_text("2")
    assert "{'" not in report.inner_text()
    expect(page.locator("#upload-notes")).to_contain_text("semicolon")
    expect(page.locator("#upload-unknown")).to_contain_text("quantum widgetry")
    page.screenshot(path=str(SHOTS / "inputs-upload-report.png"), full_page=True)

    long_value = "Bundesrepublik " * 40
    bad = workbook(
        [
            ["key", "name", "country", "lat"],
            ["no-journey-ok", "Fjord Verksted AS", "Norge", 60.39],
            ["de-journey-slip", "Slip GmbH", "GE", 50.1],
            ["de-journey-long", "Long GmbH", long_value, 50.2],
        ]
    )
    upload(page, "firms.xlsx", bad, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    errors = page.locator("#upload-errors")
    expect(page.locator(".message.error")).to_contain_text("nothing was stored")
    expect(errors.locator("tbody tr").nth(0)).to_contain_text("sheet Firms row 3")
    expect(errors.locator("tbody tr").nth(0)).to_contain_text("GE is Georgia; did you mean DE (Germany)?")
    expect(errors.locator("tbody tr").nth(1)).to_contain_text("sheet Firms row 4")
    # the long value wraps inside its cell: the table stays within the page
    table_box = errors.bounding_box()
    main_box = page.locator("main").bounding_box()
    assert table_box and main_box and table_box["width"] <= main_box["width"] + 1
    cell = errors.locator("tbody tr").nth(1).locator("td.value")
    cell_box = cell.bounding_box()
    assert cell_box and cell_box["height"] > 60  # several lines, not one line running off the page
    page.screenshot(path=str(SHOTS / "inputs-upload-errors.png"), full_page=True)
    page.goto("/firms?country=Norge")
    expect(page.locator("main")).not_to_contain_text("Fjord Verksted")


def test_firms_filter_takes_country_names_and_asks_about_a_slip(page):
    webkit.sign_in(page, "dac-advisor", confirm=True)
    page.goto("/firms")
    page.fill("form.filters input[name=country]", "Norge")
    page.locator("form.filters button[type=submit]").click()
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    for text in rows.all_inner_texts():
        assert "\tNO\t" in text or " NO " in f" {text} ", text
    page.fill("form.filters input[name=country]", "GE")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator('.field-error[data-for="country"]')).to_contain_text(
        "GE is Georgia; did you mean DE (Germany)?"
    )
    page.screenshot(path=str(SHOTS / "inputs-country-filter.png"), full_page=True)


def test_profile_form_flags_capabilities_outside_the_vocabulary(page):
    webkit.sign_in(page, "nordalu", confirm=True)
    page.goto("/profiles-new")
    page.fill("input[name=key]", "dk-nordalu-journey")
    page.fill("input[name=title]", "Coated aluminium profiles")
    page.fill("textarea[name=summary]", "Extruded, anodised and coated aluminium profiles")
    page.fill("textarea[name=capabilities]", "anodising\npowdercoat")
    page.click("form.profile-form button[type=submit]")
    note = page.locator("#capability-notes")
    expect(note).to_contain_text("powdercoat")
    expect(note).to_contain_text("powder coating")
    expect(note).not_to_contain_text("anodising")
    expect(page.locator("textarea[name=capabilities]")).to_have_value("anodising\npowdercoat")
    page.screenshot(path=str(SHOTS / "inputs-capability-flag.png"), full_page=True)
    page.check("#capability-notes input[name=keep_unknown]")
    page.click("form.profile-form button[type=submit]")
    expect(page).to_have_url(f"{page.url.split('/profiles')[0]}/profiles/dk-nordalu-journey")
