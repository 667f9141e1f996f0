"""Explanations a non-technical advisor understands, in a real browser against the real server:
match explanations as sentences with the matched phrases, NACE codes with their names, and anonymous
firms under pronounceable aliases."""

from __future__ import annotations

import re
from datetime import date

import pytest
from alembic import command
from sqlalchemy import text
from webkit import artefacts, require_chromium, sign_in

from profiles.db import alembic_config, make_engine, upgrade

pytestmark = pytest.mark.slow

require_chromium()

from playwright.sync_api import expect  # noqa: E402

TODAY = date(2026, 11, 21)
SHOTS = artefacts() / "screenshots"
OLD_ALIASES: dict[str, str] = {}  # key -> the firm's hex alias before the migration
RAW_KEYS = ("a offers b", "b offers a", "concepts", "shared_terms", "closest codes", "cosine")


@pytest.fixture(scope="module")
def before_serving():
    """The demo exchange as it was before pronounceable aliases (hex aliases), then migrated."""

    def migrate(url: str) -> None:
        engine = make_engine(url)
        cfg = alembic_config(url)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0009")
        with engine.connect() as connection:
            OLD_ALIASES.update(connection.execute(text("select key, alias from firm")).all())
        upgrade(engine)
        engine.dispose()

    return migrate


@pytest.fixture
def page_options():
    return {"csp_check": False}


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


def test_a_firm_sees_other_firms_under_pronounceable_aliases_and_old_links_still_work(page):
    sign_in(page, "nordalu")
    page.goto("/firms/dk-nordalu")
    other = page.locator("details.match summary strong").first
    expect(other).to_have_text(re.compile(r"^firm [A-Z][a-z]+ [A-Z][a-z]+ \d\d$"))
    alias = other.inner_text().removeprefix("firm ")
    assert not re.search(r"firm F[0-9A-F]{10}", page.content())
    page.locator("details.match summary").first.screenshot(path=str(SHOTS / "explanations-03-alias-in-match.png"))

    page.goto("/firms/" + alias.lower().replace(" ", "-"))  # as someone types it from a phone call
    expect(page.locator("h1")).to_contain_text(f"Firm {alias}")
    page.screenshot(path=str(SHOTS / "explanations-04-anonymous-firm-by-alias.png"), full_page=True)

    old = next(a for k, a in OLD_ALIASES.items() if k != "dk-nordalu" and re.fullmatch(r"F[0-9A-F]{10}", a))
    page.goto(f"/firms/{old}")  # a link from before the migration
    expect(page.locator("h1")).to_contain_text(re.compile(r"Firm [A-Z][a-z]+ [A-Z][a-z]+ \d\d"))
