"""Journey "edit a firm's details", in a real browser (Debian's Chromium driven by Playwright) against the
real server on the demo data: an advisor opens "Edit firm details" on a firm of the cluster, types a
country that is a likely slip, sees the question beside the field with nothing stored, fixes it, saves,
and sees the new details on the firm page."""

from __future__ import annotations

from datetime import date

import pytest
import webkit
from webkit import artefacts, require_chromium

pytestmark = pytest.mark.slow

require_chromium()

from playwright.sync_api import expect  # noqa: E402

TODAY = date(2026, 11, 21)
SHOTS = artefacts() / "screenshots"


@pytest.fixture(scope="module")
def seed_matches() -> bool:
    return False


@pytest.fixture
def page_options():
    return {"width": 1200}


def test_an_advisor_fixes_a_bad_country_and_saves_the_firm_details(page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    webkit.sign_in(page, "dac-advisor", confirm=True)
    page.goto("/firms/dk-nordalu")
    page.get_by_role("link", name="Edit firm details").click()
    expect(page.locator("h1")).to_contain_text("Edit firm details: Nordalu Extrusion A/S")
    form = page.locator("form.firm-form")
    expect(form.locator("textarea[name=capabilities]")).to_contain_text("aluminium extrusion: 70000")

    form.locator("input[name=city]").fill("Sønderborg")
    form.locator("input[name=country]").fill("GE")
    capabilities = form.locator("textarea[name=capabilities]")
    capabilities.fill(capabilities.input_value() + "\npowder coating: 12,000")
    form.locator("textarea[name=export_countries]").fill("Tyskland\nSverige\nNorge")
    form.locator("button[type=submit]").click()

    expect(page.locator(".message.error")).to_contain_text("nothing was saved")
    expect(page.locator('.field-error[data-for="country"]')).to_contain_text("did you mean DE (Germany)?")
    expect(page.locator("input[name=city]")).to_have_value("Sønderborg")  # what was typed stays to fix
    page.screenshot(path=str(SHOTS / "firm-edit-01-errors.png"), full_page=True)

    page.locator("input[name=country]").fill("Danmark")
    page.locator("form.firm-form button[type=submit]").click()

    expect(page).to_have_url(f"{page.url.split('/firms/')[0]}/firms/dk-nordalu")
    expect(page.get_by_text("Firm details saved.")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("DK, Sønderborg")
    expect(facts).to_contain_text("DE, SE, NO")
    expect(page.locator("table.list").first).to_contain_text("powder coating")
    expect(page.locator("table.list").first).to_contain_text("12")
    page.screenshot(path=str(SHOTS / "firm-edit-02-saved.png"), full_page=True)


def test_a_firm_of_another_cluster_offers_no_edit(page):
    webkit.sign_in(page, "nmcn-advisor", confirm=True)
    page.goto("/firms")
    page.goto("/firms/dk-nordalu/edit")
    expect(page.locator("h1")).to_contain_text("Not found")
