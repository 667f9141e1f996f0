"""Explanations a non-technical advisor understands, in a real browser against the real server:
match explanations as sentences with the matched phrases, NACE codes with their names, and anonymous
firms under pronounceable aliases."""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from apikit import PASSWORD, seed
from webkit import CHROMIUM, artefacts, running_server

pytestmark = pytest.mark.slow

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    pytest.skip("no /usr/bin/chromium on this machine", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

TODAY = date(2026, 11, 21)
SHOTS = artefacts() / "screenshots"
RAW_KEYS = ("a offers b", "b offers a", "concepts", "shared_terms", "closest codes", "cosine")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("explanations")
    url = f"sqlite:///{root}/exchange.db"
    seed(url, root, TODAY)
    with running_server(url, root, TODAY.isoformat()) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, workspace):
    context = browser.new_context(base_url=workspace, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(30_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Page, who: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_a_firm_reads_why_a_match_was_made_in_sentences(page):
    sign_in(page, "nordalu")
    page.goto("/firms/dk-nordalu")
    first = page.locator("details.match").first
    reasons = first.locator("ul.reasons")
    expect(reasons).to_contain_text(re.compile(r"(They|You) offer what (you|they) seek: \S"))
    expect(reasons.locator(".phrase").first).to_be_visible()
    expect(first.locator("table.components")).to_contain_text("closest sectors: 25.")
    explanations = " ".join(page.locator("div.explanation").all_inner_texts())
    for raw in RAW_KEYS:
        assert raw not in explanations, raw
    phrases = {p.strip() for p in page.locator(".explanation .phrase").all_inner_texts()}
    assert not phrases & {"μm", "mm", "kg", "e"}, phrases
    assert not any(p.isdigit() for p in phrases)
    first.screenshot(path=str(SHOTS / "explanations-01-match-in-sentences.png"))


def test_an_advisor_sees_nace_codes_with_their_names(page):
    sign_in(page, "dac-advisor")
    page.goto("/firms?nace=2562")
    expect(page.locator("#firm-list .nace").first).to_contain_text(re.compile(r"\d\d(\.\d+)? [A-Z][a-z]"))
    expect(page.locator("#firm-filters")).to_contain_text("25.62 Machining")
    page.screenshot(path=str(SHOTS / "explanations-02-nace-names-firms.png"), full_page=True)
    page.goto("/firms/dk-nordalu")
    expect(page.locator("dl .nace, dd .nace").first).to_contain_text("24.42 Aluminium production")
    page.goto("/map?sector=25")
    expect(page.locator("#map-filters")).to_contain_text("Manufacture of fabricated metal products")
