"""Journeys through bids and proposals in a real browser (Debian's Chromium driven by Playwright) against the
real server: correcting a bid and its requirements, closing and reopening it, one accepted proposal at a time,
and alternatives side by side that an advisor can read at 1366 and 375 px."""

from __future__ import annotations

import re
from datetime import date

import pytest
from webkit import artefacts, new_page, require_chromium, sign_in

pytestmark = pytest.mark.slow

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

TODAY = date(2026, 11, 21)
SHOTS = artefacts() / "screenshots"
FIRM_KEY = re.compile(r"^[a-z]{2}-[a-z0-9-]+$")


@pytest.fixture
def page_options():
    return {"timeout": 60_000, "csp_check": False}


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name), full_page=True)


def proposals_of(page: Page, key: str) -> None:
    """The bid's page with proposals: generated through the form (three alternatives) when it has none."""
    page.goto(f"/bids/{key}")
    if page.locator("article.proposal").count():
        return
    page.fill("#generate-form input[name=alternatives]", "3")
    page.fill("#generate-form input[name=time_limit]", "20")
    page.click("#generate-form button")
    page.wait_for_url(re.compile(rf"/bids/{key}#proposals"), timeout=120_000)
    expect(page.locator("article.proposal").first).to_be_visible()


def test_edit_a_bid_with_its_requirements_then_close_and_reopen_it(page):
    sign_in(page, "dac-advisor", confirm=True)
    page.goto("/bids/bid-subframe-pilot")
    page.click("text=Edit bid")
    expect(page.locator("h1")).to_contain_text("Edit bid")
    expect(page.locator("input[name=req-2-capability]")).to_have_value("FEA simulation")
    page.fill("input[name=title]", "Rear subframe: pre-development and pilot series")
    page.fill("input[name=req-0-volume_per_year]", "12000")
    page.uncheck("input[name=req-1-mandatory]")
    page.fill("input[name=req-2-certifications]", "ISO 9001")
    page.check("input[name=req-4-remove]")
    page.fill("input[name=req-5-key]", "anodising")
    page.fill("input[name=req-5-capability]", "anodising")
    page.click("button[data-add-row=requirements]")
    expect(page.locator("input[name=req-6-remove]")).not_to_be_checked()
    page.fill("input[name=req-6-key]", "leak")
    page.fill("input[name=req-6-capability]", "")
    page.click("button:text('Save bid')")
    expect(page.locator(".message.error")).to_contain_text("nothing was saved")
    # the page comes back with what was typed (the removed row gone) and the problem beside the field
    row = page.locator("#requirements tbody tr").filter(has=page.locator("input[value=leak]"))
    expect(row.locator(".field-error[data-for$='-capability']")).not_to_be_empty()
    expect(page.locator("#requirements input[value='prototyping']")).to_have_count(0)
    expect(page.locator("#requirements input[value='anodising']")).to_have_count(2)
    shot(page, "bids-01-edit-bid-errors.png")
    row.locator("input[name$='-capability']").fill("leak testing")
    page.click("button:text('Save bid')")
    expect(page.locator(".flash")).to_contain_text("Bid bid-subframe-pilot saved")
    expect(page.locator("h1")).to_contain_text("Rear subframe: pre-development and pilot series")
    requirements = page.locator("table.list").first
    expect(requirements).to_contain_text("anodising")
    expect(requirements).to_contain_text("leak testing")
    expect(requirements).not_to_contain_text("prototyping")
    expect(requirements.locator("tr", has_text="friction stir welding")).to_contain_text("optional")
    expect(requirements.locator("tr", has_text="aluminium extrusion")).to_contain_text("12,000")
    shot(page, "bids-02-bid-saved.png")

    page.click("button:text('Close bid')")
    expect(page.locator("#bid-status")).to_have_text("closed")
    expect(page.locator(".flash")).to_contain_text("no longer proposes")
    shot(page, "bids-03-bid-closed.png")
    page.goto("/bids?status=open")
    expect(page.locator("main")).not_to_contain_text("Rear subframe")
    page.goto("/bids/bid-subframe-pilot")
    page.click("button:text('Reopen bid')")
    expect(page.locator("#bid-status")).to_have_text("open")


def test_only_one_accepted_alternative_and_locked_firms_by_name(page):
    sign_in(page, "dac-advisor", confirm=True)
    proposals_of(page, "bid-battery-tray")
    article = page.locator("article.proposal[data-rank='2']")
    expect(article).to_be_visible()
    member = article.locator("ul.members li").first
    name = member.locator("strong").inner_text()
    member.locator("button[value=lock]").click()
    page.wait_for_url(re.compile(r"/bids/bid-battery-tray#proposals"), timeout=120_000)
    locked = page.locator("#locked .tag")
    expect(locked).to_have_count(1)
    expect(locked).to_have_text(name)
    assert not FIRM_KEY.match(locked.inner_text())
    option = page.locator("select[name=firm] option").first
    expect(option).to_have_text(name)

    first = page.locator("article.proposal[data-rank='1']")
    first.locator("textarea[name=note]").fill("Send to the customer on Monday.")
    first.locator("button[value=accepted]").click()
    expect(page.locator(".flash")).to_contain_text("accepted")
    first_id = page.locator("article.proposal[data-rank='1']").get_attribute("id")
    second = page.locator("article.proposal[data-rank='2']")
    second_id = second.get_attribute("id")
    assert first_id and second_id
    second.locator("button[value=accepted]").click()
    box = page.locator("#confirm-supersede")
    expect(box).to_be_visible()
    expect(box).to_contain_text(f"Proposal {first_id.removeprefix('proposal-')} is already accepted")
    shot(page, "bids-04-accept-another-asks.png")
    box.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("accepted")
    expect(page.locator(f"#{second_id} .status")).to_have_text("accepted")
    expect(page.locator(f"#{first_id} .status")).to_have_text("superseded")
    expect(page.locator(f"#{first_id} .note")).to_contain_text("Send to the customer on Monday.")
    shot(page, "bids-05-superseded.png")


def _matrix_columns_visible(page: Page) -> None:
    """Every member column of every coverage matrix can be brought into view whole, inside its proposal."""
    articles = page.locator("article.proposal")
    assert articles.count() >= 2
    for i in range(articles.count()):
        article = articles.nth(i)
        headers = article.locator("table.matrix thead th")
        assert headers.count() >= 3
        for j in range(headers.count()):
            header = headers.nth(j)
            header.scroll_into_view_if_needed()
            box, frame = header.bounding_box(), article.bounding_box()
            assert box and frame
            assert box["x"] >= frame["x"] - 1 and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1, (i, j)
            assert box["x"] >= -1 and box["x"] + box["width"] <= page.viewport_size["width"] + 1, (i, j)
            clipped = header.evaluate("th => th.scrollWidth > th.clientWidth + 1")
            assert not clipped, header.inner_text()
            assert "…" not in header.inner_text()


@pytest.mark.parametrize("width", [1366, 375])
def test_alternatives_side_by_side_are_readable(browser, workspace, width):
    page = new_page(browser, workspace, width, timeout=60_000)
    try:
        sign_in(page, "dac-advisor", confirm=True)
        proposals_of(page, "bid-crash-management")
        _matrix_columns_visible(page)
        articles = page.locator("article.proposal")
        expect(articles.first.locator("p.difference")).to_have_count(0)
        for i in range(1, articles.count()):
            line = articles.nth(i).locator("p.difference")
            expect(line).to_have_count(1)
            assert re.search(r"instead of|replaces|adds|leaves|same firms", line.inner_text(), re.I), line.inner_text()
        for i in range(articles.count()):
            head = articles.nth(i).locator("header")
            assert re.search(r"\b(strong|good|weak) fit\b", head.inner_text())
            assert "objective" not in head.inner_text() and "confidence" not in head.inner_text()
            assert head.locator(".fit").get_attribute("title")
            assert head.locator(".objective").get_attribute("title")
        page.click("details.legend summary")
        expect(page.locator("details.legend")).to_contain_text("Strong fit")
        shot(page, f"bids-06-alternatives-{width}.png")
    finally:
        page.context.close()
