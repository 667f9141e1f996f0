"""Firms acting on matches, in a real browser against the real server: from a match to the matched
profile's anonymous view, expressing interest and withdrawing it; the interests page split into
incoming and outgoing with only the steps the viewer may take; notes internal to their side."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
import webkit
from webkit import artefacts, hidden_identities, leaks, require_chromium

pytestmark = pytest.mark.slow

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

TODAY = date(2026, 11, 21)
SHOTS = artefacts() / "screenshots"


@pytest.fixture(scope="module")
def workspace(served):
    """Base and database URL of the served demo exchange, a client of its API and the API key per account."""
    return served.base, served.url, httpx.Client(base_url=served.base + "/api/v1", timeout=30), served.keys


@pytest.fixture
def page_options():
    return {"accept_dialogs": True, "csp_check": False}


def sign_in(page: Page, who: str) -> None:
    webkit.sign_in(page, who)
    expect(page.locator("input[name=password]")).to_have_count(0)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_firm_user_expresses_interest_from_a_match_and_withdraws_it(page, workspace):
    sign_in(page, "vejle")
    page.goto("/firms/dk-vejle-praecision")
    first = page.locator('#matches a[href^="/profiles/"]').first
    reference = first.inner_text().strip()
    first.click()
    expect(page).to_have_url(re.compile(rf"/profiles/{reference}$"))
    expect(page.locator("h1")).to_be_visible()
    assert leaks(page.content(), hidden_identities(workspace[1], {"dk-vejle-praecision"})) == []
    page.fill("#interest-form textarea[name=message]", "Five-axis milling of your profiles, short runs.")
    shot(page, "interests-01-express-from-match.png")
    page.click("#interest-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/interests"))
    row = page.locator("#outgoing tr.interest", has_text=reference)
    expect(row).to_contain_text("Five-axis milling of your profiles, short runs.")
    expect(row).to_contain_text("sent")
    expect(row.get_by_role("button", name="Withdraw")).to_be_visible()
    for dead_end in ("Accept", "Decline", "Forward"):
        expect(page.get_by_role("button", name=dead_end)).to_have_count(0)
    shot(page, "interests-02-outgoing-with-withdraw.png")
    row.get_by_role("button", name="Withdraw").click()
    expect(page.locator("#outgoing tr.interest", has_text=reference)).to_contain_text("withdrawn")
    expect(page.locator("#outgoing tr.interest", has_text=reference).get_by_role("button")).to_have_count(0)
    page.goto(f"/profiles/{reference}")
    expect(page.locator("#interest-form")).to_be_visible()  # may express again once withdrawn


def test_interests_page_offers_each_side_only_its_steps_and_keeps_notes_internal(page, workspace):
    _, _, api, keys = workspace
    wanted = api.get(
        "/profiles",
        params={"firm": "dk-nordalu", "status": "published"},
        headers={"X-API-Key": keys["dac-advisor"]},
    ).json()["items"][0]["reference"]
    sent = api.post(
        "/interests",
        json={"profile": wanted, "message": "Anodised door thresholds, 4000 a year."},
        headers={"X-API-Key": keys["valdres"]},
    )
    assert sent.status_code == 201, sent.text
    interest = sent.json()["id"]

    sign_in(page, "dac-advisor")
    page.goto("/interests")
    incoming = page.locator(f"#incoming #interest-{interest}")
    expect(incoming.get_by_role("button")).to_have_text(["Forward", "Decline"])
    expect(page.locator(f"#outgoing #interest-{interest}")).to_have_count(0)
    incoming.locator("input[name=note]").fill("Internal: ask Nordalu about capacity first")
    shot(page, "interests-03-advisor-incoming.png")
    incoming.get_by_role("button", name="Forward").click()
    expect(page.locator(f"#incoming #interest-{interest}")).to_contain_text("Internal: ask Nordalu about capacity")
    expect(page.locator(f"#incoming #interest-{interest}").get_by_role("button")).to_have_text(["Accept", "Decline"])

    page.context.clear_cookies()
    sign_in(page, "valdres")
    page.goto("/interests")
    outgoing = page.locator(f"#outgoing #interest-{interest}")
    expect(outgoing).to_contain_text("forwarded")
    expect(outgoing.get_by_role("button")).to_have_text(["Withdraw"])
    assert "ask Nordalu about capacity" not in page.content()
    shot(page, "interests-04-sender-sees-no-internal-note.png")
    seen = api.get(f"/interests/{interest}", headers={"X-API-Key": keys["valdres"]}).json()
    assert seen["note"] == "" and seen["actions"] == ["withdraw"]

    page.context.clear_cookies()
    sign_in(page, "nordalu")
    page.goto("/interests")
    mine = page.locator(f"#incoming #interest-{interest}")
    expect(mine.get_by_role("button")).to_have_text(["Accept", "Decline"])
    expect(page.locator("#outgoing").get_by_role("button", name="Accept")).to_have_count(0)
    mine.get_by_role("button", name="Accept").click()
    expect(page.locator(f"#incoming #interest-{interest}")).to_contain_text("accepted")
    expect(page.locator(f"#incoming #interest-{interest}")).to_contain_text("Valdres")
    shot(page, "interests-05-owner-accepted.png")


def test_firm_sees_its_own_customers_by_name_and_its_consortia_anonymised(page, workspace):
    _, url, api, keys = workspace
    solved = api.post(
        "/bids/bid-battery-tray/proposals",
        json={"alternatives": 2, "wait": True},
        headers={"X-API-Key": keys["dac-advisor"]},
        timeout=120,
    )
    assert solved.status_code in (200, 201, 202), solved.text
    proposals = api.get("/bids/bid-battery-tray/proposals", headers={"X-API-Key": keys["admin"]}).json()
    member_keys = {m["firm"] for p in proposals for m in p["plan"]["members"]}
    firm, user = next(
        (k, u) for k, u in (("dk-vejle-praecision", "vejle"), ("dk-nordalu", "nordalu")) if k in member_keys
    )

    sign_in(page, "vejle")
    page.goto("/firms/dk-vejle-praecision#relations")
    customer = page.locator("#relation-list tr", has_text="Nordalu Extrusion A/S")
    expect(customer).to_contain_text("customer")
    expect(customer).to_contain_text("in the exchange")
    shot(page, "interests-06-own-customers-by-name.png")

    page.context.clear_cookies()
    sign_in(page, user)
    page.goto(f"/firms/{firm}#consortia")
    rows = page.locator("#consortium-list tbody tr")
    expect(rows.first).to_contain_text("Aluminium battery tray")
    expect(rows.first.locator(".member").first).to_contain_text("firm ")
    listed = page.locator("#consortium-list").inner_html()
    visible = {firm, "dk-vejlepraecision"} if firm == "dk-vejle-praecision" else {firm}
    assert leaks(listed, hidden_identities(url, visible)) == []
    page.locator("#consortia").scroll_into_view_if_needed()
    shot(page, "interests-07-own-consortia-anonymised.png")


def test_profile_search_with_scores_leads_to_expressing_interest(page, workspace):
    sign_in(page, "nordalu")
    page.get_by_role("link", name="Profiles", exact=True).click()
    page.fill("#profile-filters input[name=capability]", "eloxering")
    page.click("#profile-filters button[type=submit]")
    rows = page.locator("#profile-list tbody tr")
    expect(rows.first.locator(".score")).to_have_text(re.compile(r"^0\.\d\d$"))
    # Valdres may be named: an earlier test in this module has Nordalu accept its introduction
    assert leaks(page.content(), hidden_identities(workspace[1], {"dk-nordalu", "no-valdres-dorfabrikk"})) == []
    shot(page, "interests-08-profile-search-with-scores.png")
    page.select_option("#profile-filters select[name=type]", "BR")
    page.fill("#profile-filters input[name=nace]", "99.999")
    page.click("#profile-filters button[type=submit]")
    expect(page.locator('#profile-filters .field-error[data-for="nace"]')).to_contain_text("NACE")
    page.fill("#profile-filters input[name=nace]", "")
    page.click("#profile-filters button[type=submit]")
    first = page.locator("#profile-list tbody tr a").first
    target = first.get_attribute("href")
    first.click()
    expect(page).to_have_url(re.compile(rf"{target}$"))
    expect(page.locator("#interest-form")).to_be_visible()
