"""The advisor workspace in a real browser (Debian's Chromium driven by Playwright) against the real server."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from apikit import PASSWORD
from pypdf import PdfReader
from webkit import artefacts, hidden_identities, leaks, nordalu_interested_in_vejle, require_chromium, sign_in

pytestmark = pytest.mark.slow

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

TODAY = date(2026, 11, 21)
SHOTS = artefacts() / "screenshots"


@pytest.fixture(scope="module")
def workspace(served):
    """Base and database URL of the served demo exchange, once Nordalu is interested in a Vejle profile."""
    nordalu_interested_in_vejle(served)
    return served.base, served.url


@pytest.fixture
def page_options():
    return {"width": 1400, "accept_downloads": True}


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_sign_in_rejects_a_wrong_password_then_signs_in_and_out(page):
    page.goto("/firms")
    expect(page).to_have_url(re.compile(r"/login\?next=/firms"))
    page.fill("input[name=username]", "dac-advisor")
    page.fill("input[name=password]", "wrong password!")
    page.click("button[type=submit]")
    expect(page.locator(".message.error")).to_contain_text("unknown user or wrong password")
    shot(page, "01-sign-in-error.png")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/firms$"))
    expect(page.locator("header .who")).to_contain_text("dac-advisor")
    page.click("text=Sign out")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/bids")
    expect(page).to_have_url(re.compile(r"/login\?next=/bids"))


def test_firms_list_filters_and_firm_page_with_explained_matches(page):
    sign_in(page, "dac-advisor")
    page.goto("/firms")
    shot(page, "02-firms.png")
    page.fill("#firm-filters input[name=capability]", "friction stir welding")
    page.select_option("#firm-filters select[name=certification]", "IATF 16949")
    page.click("#firm-filters button")
    expect(page.locator("#firm-list")).to_contain_text("Alssund Friction Welding ApS")
    page.fill("#firm-filters input[name=capability]", "no such capability at all")
    page.click("#firm-filters button")
    expect(page.locator("[data-for=capability]")).to_contain_text("not a capability the vocabulary knows")
    page.goto("/firms/dk-nordalu")
    expect(page.locator("h1")).to_contain_text("Nordalu Extrusion A/S")
    first = page.locator("details.match").first
    expect(first.locator("table.components")).to_contain_text("capabilities")
    expect(first).to_contain_text("Words both profiles use")
    shot(page, "03-firm-page.png")


def test_profile_form_validates_live_and_survives_bad_input(page):
    sign_in(page, "nordalu")
    page.goto("/profiles-new")
    page.fill("input[name=key]", "dk-nordalu-bo-web")
    page.fill("input[name=language]", "xx")
    expect(page.locator("[data-for=language]")).to_contain_text("ISO 639-1", timeout=5000)
    page.fill("input[name=title]", "Anodised aluminium profiles for battery housings")
    page.click("button:text('Save')")
    expect(page.locator(".message.error")).to_contain_text("problem(s) to fix")
    expect(page.locator("[data-for=summary]")).to_contain_text("required")
    expect(page.locator("input[name=title]")).to_have_value("Anodised aluminium profiles for battery housings")
    shot(page, "04-profile-form-errors.png")
    page.fill("input[name=language]", "en")
    page.fill("textarea[name=summary]", "Extruded and anodised 6xxx profiles, cut and machined, for battery housings.")
    page.fill("textarea[name=capabilities]", "aluminium extrusion\nanodising")
    page.click("button:text('Save')")
    expect(page.locator(".flash")).to_contain_text("saved as draft")
    page.click("button:text('Publish')")
    expect(page.locator(".flash")).to_contain_text("Published as BODK")
    page.click("button:text('Extend by a year')")
    expect(page.locator(".flash")).to_contain_text("Extended until")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:text('Withdraw')")
    expect(page.locator(".flash")).to_contain_text("Withdrawn")


def test_csv_upload_with_a_bad_row_shows_the_error_table_and_stores_nothing(page, tmp_path):
    sign_in(page, "nordalu")
    header = "key,firm,type,title,summary,capabilities\n"
    good = (
        "dk-nordalu-csv-1,dk-nordalu,BO,Bent aluminium profiles,Stretch-bent profiles for roof rails,"
        "aluminium extrusion;bending\n"
    )
    bad = "dk-nordalu-csv-2,dk-nordalu,XX,Broken row,,aluminium extrusion\n"
    csv_path = tmp_path / "profiles.csv"
    csv_path.write_text(header + good + bad, encoding="utf-8")
    page.goto("/uploads")
    page.set_input_files("input[name=file]", str(csv_path))
    page.click("#upload-form button")
    table = page.locator("#upload-errors")
    expect(table).to_contain_text("line 3")
    expect(table).to_contain_text("type")
    expect(table).to_contain_text("summary")
    expect(page.locator(".message.error")).to_contain_text("nothing was stored")
    shot(page, "05-upload-errors.png")
    page.goto("/profiles/dk-nordalu-csv-1")
    expect(page.locator(".message.error")).to_contain_text("no profile")
    csv_path.write_text(header + good, encoding="utf-8")
    page.goto("/uploads")
    page.set_input_files("input[name=file]", str(csv_path))
    page.click("#upload-form button")
    expect(page.locator("#upload-report")).to_contain_text("stored")


def _member_names(page: Page, rank: int) -> list[str]:
    return page.locator(f"article.proposal[data-rank='{rank}'] ul.members li strong").all_inner_texts()


def test_bid_proposals_lock_reoptimise_decide_and_export_pdf(page):
    sign_in(page, "dac-advisor")
    page.goto("/bids-new")
    page.fill("input[name=key]", "bid-web-tray")
    page.fill("input[name=title]", "Battery tray pilot series")
    page.fill("input[name=customer]", "Südwerk Automotive GmbH")
    page.fill("input[name=customer_country]", "DE")
    page.fill("input[name=delivery_country]", "DE")
    page.fill("input[name=max_size]", "4")
    page.fill("input[name=volume_per_year]", "20000")
    for i, (key, capability) in enumerate(
        [("extrusion", "aluminium extrusion"), ("fsw", "friction stir welding"), ("machining", "CNC machining")]
    ):
        page.fill(f"input[name=req-{i}-key]", key)
        page.fill(f"input[name=req-{i}-capability]", capability)
    page.fill("input[name=req-3-key]", "mystery")
    page.fill("input[name=req-3-capability]", "")
    page.click("button:text('Create bid')")
    expect(page.locator("[data-for='req-3-capability']")).not_to_be_empty()
    expect(page.locator("input[name=req-0-capability]")).to_have_value("aluminium extrusion")
    page.fill("input[name=req-3-key]", "")
    page.click("button:text('Create bid')")
    expect(page.locator(".flash")).to_contain_text("Bid bid-web-tray created")

    page.fill("#generate-form input[name=alternatives]", "3")
    page.select_option("#generate-form select[name=solver]", "cbc")
    page.fill("#generate-form input[name=time_limit]", "20")
    page.click("#generate-form button")
    expect(page.locator("#job progress")).to_be_visible()
    shot(page, "06-job-progress.png")
    page.wait_for_url(re.compile(r"/bids/bid-web-tray#proposals"))
    expect(page.locator("article.proposal").first).to_be_visible()
    first = _member_names(page, 1)
    assert len(first) >= 2
    expect(page.locator("article.proposal[data-rank='1'] table.matrix")).to_contain_text("aluminium extrusion")
    shot(page, "07-proposals-side-by-side.png")

    others = [
        n
        for r in range(2, 4)
        if page.locator(f"article.proposal[data-rank='{r}']").count()
        for n in _member_names(page, r)
        if n not in first
    ]
    chosen = others[0] if others else first[-1]
    member = page.locator("article.proposal ul.members li", has_text=chosen).first
    member.locator("button[value=lock]").click()
    page.wait_for_url(re.compile(r"/bids/bid-web-tray#proposals"))
    expect(page.locator("#locked .tag")).to_have_count(1)
    for article in page.locator("article.proposal").all():
        assert chosen in article.locator("ul.members").inner_text()

    decision = page.locator("article.proposal[data-rank='1'] form.decision")
    decision.locator("textarea[name=note]").fill("Send to the customer on Monday.")
    decision.locator("button[value=accepted]").click()
    expect(page.locator(".flash")).to_contain_text("accepted")
    expect(page.locator("article.proposal[data-rank='1'] .status")).to_have_text("accepted")
    shot(page, "08-proposal-accepted.png")

    with page.expect_download() as download:
        page.locator("article.proposal[data-rank='1'] a:text('PDF')").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    (artefacts() / "proposal-bid-web-tray.pdf").write_bytes(pdf)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    names = _member_names(page, 1)
    for name in names:
        assert name in text, name
    assert "Battery tray pilot series" in text


def test_pdf_for_a_member_firm_shows_the_other_members_anonymously(page, workspace):
    sign_in(page, "dac-advisor")
    page.goto("/bids/bid-battery-tray")
    page.click("#generate-form button")
    page.wait_for_url(re.compile(r"/bids/bid-battery-tray#proposals"))
    article = page.locator("article.proposal[data-rank='1']")
    refs = article.locator("select[name=for] option").evaluate_all("options => options.map(o => o.value)")
    names = _member_names(page, 1)
    assert len(refs) >= 2
    article.locator("select[name=for]").select_option(refs[0])
    with page.expect_download() as download:
        article.locator("button:text('Download')").click()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(download.value.path()).pages).split())
    (artefacts() / f"proposal-bid-battery-tray-for-{refs[0]}.pdf").write_bytes(Path(download.value.path()).read_bytes())
    hidden = hidden_identities(workspace[1], {refs[0]})
    assert leaks(text, hidden) == []
    assert f"Prepared for {names[0]}" in text
    assert re.search(r"firm [A-Z][a-z]+ [A-Z][a-z]+ \d\d \(", text), "other members appear by alias"


def test_cluster_map_and_interest_inbox(page):
    sign_in(page, "dac-advisor")
    page.goto("/map")
    expect(page.locator("#network svg")).to_be_visible()
    assert page.locator("#network svg circle").count() >= 10
    shot(page, "09-cluster-map.png")
    page.fill("#map-filters input[name=capability]", "anodising")
    page.click("#map-filters button")
    assert 1 <= page.locator("#network svg circle").count() < 10
    page.goto("/interests")
    expect(page.locator("h1")).to_have_text("Expressions of interest")
    row = page.locator("#incoming tbody tr", has_text="We extrude the profiles you machine.")
    expect(row.locator(".status")).to_have_text("sent")
    shot(page, "10-interests.png")
    row.locator("input[name=note]").fill("Good fit for the tray bid.")
    row.locator("button:text('Forward')").click()
    expect(page.locator(".flash")).to_contain_text("forwarded")
    expect(page.locator("#incoming tbody tr", has_text="We extrude").locator(".status")).to_have_text("forwarded")


def test_firm_user_pages_never_show_another_firms_identity(page, workspace):
    sign_in(page, "nordalu")
    expect(page).to_have_url(re.compile(r"/firms/dk-nordalu$"))
    hidden = hidden_identities(workspace[1], {"dk-nordalu"})
    shot(page, "11-firm-user-home.png")
    visited = {page.url: page.content()}
    links = page.locator("details.match summary").all_inner_texts()
    assert links, "the firm user should have matches to look at"
    for path in ["/firms", "/firms?capability=anodising", "/interests", "/map", "/bids"]:
        page.goto(path)
        visited[page.url] = page.content()
    references = re.findall(r"\b(?:BO|BR|TO|TR|RDR)[A-Z]{2}\d{8}\d{3}\b", visited[next(iter(visited))])
    for ref in sorted(set(references))[:8]:
        page.goto(f"/profiles/{ref}")
        visited[page.url] = page.content()
    for url, html in visited.items():
        # the firm's own records name its customers and suppliers as it recorded them
        html = re.sub(r'<table class="list" id="relation-list">.*?</table>', "", html, flags=re.S)
        assert leaks(html, hidden) == [], url


def test_relations_map_findings_and_report(page):
    sign_in(page, "dac-advisor")
    page.goto("/map")
    expect(page.locator("#relations-network svg")).to_be_visible()
    row = page.locator("#dependency tr", has_text="Give Montage A/S").first
    expect(row).to_contain_text("Südwerk Automotive GmbH")
    expect(row).to_contain_text("concentrated")
    expect(page.locator("#finding-joint_purchasing")).to_contain_text("Nordic Billet Supply AS")
    page.locator("#relations").scroll_into_view_if_needed()
    shot(page, "12-relations-map.png")
    with page.context.expect_page() as report_tab:
        page.click("text=HTML")
    report = report_tab.value
    expect(report.locator("h1")).to_contain_text("Cluster map: Danish Aluminium Cluster")
    expect(report.locator("figure svg")).to_be_visible()
    shot(report, "13-map-report.png")
    with page.expect_download() as download:
        page.click("#relations >> xpath=following-sibling::p[1] >> text=PDF")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(download.value.path()).pages).split())
    assert "Give Montage A/S" in text and "Joint purchasing" in text
    (artefacts() / "cluster-map-danish-aluminium-cluster.pdf").write_bytes(Path(download.value.path()).read_bytes())


def test_firm_user_records_a_relation_and_sees_other_firms_only_in_aggregate(page, workspace):
    sign_in(page, "nordalu")
    form = page.locator("#relation-form")
    form.locator("select[name=direction]").select_option("supplier")
    form.locator("input[name=counterpart]").fill("Baltic Alloy Trading")
    form.locator("input[name=item]").fill("aluminium billets")
    form.locator("input[name=share]").fill("250%")
    form.locator("button").click()
    expect(page.locator("#relation-form [data-for=share]")).to_contain_text("at most 1")
    page.locator("#relation-form input[name=share]").fill("10%")
    page.locator("#relation-form button").click()
    expect(page.locator(".flash")).to_contain_text("Saved: supplier Baltic Alloy Trading AB")
    page.goto("/map")
    expect(page.locator("h1")).to_have_text("Your suppliers and customers")
    billets = page.locator("#my-relations tr", has_text="Baltic Alloy Trading AB")
    expect(billets.locator("td").nth(4)).to_have_text("1")
    shot(page, "14-firm-user-relations.png")
    assert leaks(page.content(), hidden_identities(workspace[1], {"dk-nordalu"})) == []
