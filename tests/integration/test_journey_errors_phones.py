"""Journeys in a real browser (Debian's Chromium driven by Playwright) against the real server: an anonymous
firm opened from the firm list, bad map filters answered with an error page, and the main pages on a phone
(375 px: no sideways scrolling, lists as stacked rows) and on laptop and desktop screens."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

import pytest
from webkit import artefacts, hidden_identities, leaks, new_page, nordalu_interested_in_vejle, require_chromium, sign_in

pytestmark = pytest.mark.slow

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

TODAY = date(2026, 11, 21)
SHOTS = artefacts() / "screenshots"
WIDTHS = (375, 1366, 1920)


@pytest.fixture(scope="module")
def workspace(served):
    """Base and database URL of the served demo exchange, once Nordalu is interested in a Vejle profile."""
    nordalu_interested_in_vejle(served)
    return served.base, served.url


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_firm_user_opens_an_anonymous_firm_from_the_firm_list(browser, workspace):
    page = new_page(browser, workspace[0])
    sign_in(page, "nordalu", confirm=True)
    page.goto("/firms")
    anonymous = page.locator("#firm-list a.anon").first
    expect(anonymous).to_be_visible()
    alias = re.sub(r"^firm ", "", anonymous.inner_text().strip())
    anonymous.click()
    expect(page).to_have_url(re.compile(rf"/firms/{re.escape(quote(alias))}$"))
    expect(page.locator("h1")).to_contain_text(f"Firm {alias}")
    expect(page.locator("h1 .anon")).to_contain_text("anonymous")
    assert leaks(page.content(), hidden_identities(workspace[1], {"dk-nordalu"})) == []
    shot(page, "errors-01-anonymous-firm.png")
    page.goto("/firms/dk-vejle-praecision")  # the key of a firm not introduced: as if it did not exist
    expect(page.locator(".message.error")).to_be_visible()
    assert "Vejle" not in page.content()
    page.context.close()


@pytest.mark.parametrize("who", ["admin", "dac-advisor"])
def test_bad_map_filters_are_an_error_page_that_names_the_filter(browser, workspace, who):
    page = new_page(browser, workspace[0])
    sign_in(page, who, confirm=True)
    answered = page.goto("/map?capability=zzqxw+nothing&sector=25.6.2.1")
    assert answered is not None and answered.status == 422
    expect(page.locator("[data-for=capability]")).to_contain_text("not a capability the vocabulary knows")
    expect(page.locator("[data-for=sector]")).to_contain_text("not a NACE")
    assert "Traceback" not in page.content()
    shot(page, f"errors-02-map-bad-filters-{who}.png")
    answered = page.goto("/map?sector=C")
    assert answered is not None and answered.status == 422
    page.context.close()


def _phone_pages(page: Page) -> dict[str, str]:
    page.goto("/bids")
    bid = page.locator("#bid-list a[href^='/bids/']").first.get_attribute("href")
    assert bid
    return {"firms": "/firms", "firm": "/firms/dk-nordalu", "bid": bid, "interests": "/interests"}


@pytest.mark.parametrize("width", WIDTHS)
def test_main_pages_fit_the_screen_without_sideways_scrolling(browser, workspace, width):
    page = new_page(browser, workspace[0], width, 800)
    sign_in(page, "dac-advisor", confirm=True)
    too_wide: dict[str, tuple[int, int]] = {}
    for name, path in _phone_pages(page).items():
        page.goto(path)
        page.wait_for_load_state("load")
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            too_wide[path] = (scroll, inner)
        shot(page, f"phones-{width}-{name}.png")
        if width == 375 and name in ("firms", "firm"):
            # lists are stacked rows, each cell under its column's heading
            first = page.locator("table.list tbody tr").first
            assert first.evaluate("row => getComputedStyle(row).display") == "block"
            assert first.locator("td[data-label]").count() >= 2
    if width == 375:
        for path in ("/bids", "/bids-new", "/map", "/profiles", "/profiles-new", "/uploads"):
            page.goto(path)
            scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                too_wide[path] = (scroll, inner)
    assert too_wide == {}, too_wide
    page.context.close()


def test_a_firm_user_on_a_phone_sees_its_pages_without_sideways_scrolling(browser, workspace):
    page = new_page(browser, workspace[0], 375, 800)
    sign_in(page, "nordalu", confirm=True)
    for name, path in {"firms": "/firms", "firm": "/firms/dk-nordalu", "interests": "/interests"}.items():
        page.goto(path)
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, (path, scroll, inner)
        shot(page, f"phones-375-firm-user-{name}.png")
    page.context.close()
