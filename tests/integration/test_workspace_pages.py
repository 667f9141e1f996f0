"""The workspace's pages over HTTP (no browser), on SQLite and PostgreSQL: sign-in, forms, errors, anonymity."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest
from apikit import API, PASSWORD, exchange
from conftest import TODAY, postgres_schema
from fastapi.testclient import TestClient
from pypdf import PdfReader
from webkit import hidden_identities, leaks, sign_in_form

ADVISOR_PAGES = [
    "/",
    "/firms",
    "/firms?capability=anodising&certification=IATF+16949",
    "/firms/dk-nordalu",
    "/profiles-new",
    "/uploads",
    "/bids",
    "/bids-new",
    "/bids/bid-battery-tray",
    "/map",
    "/map?sector=25",
    "/interests",
    "/interests?status=sent",
]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def ex(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    if request.param == "sqlite":
        yield exchange(f"sqlite:///{tmp / 'pages.db'}", tmp / "out", TODAY)
        return
    with postgres_schema() as url:
        yield exchange(url, tmp / "out", TODAY)


def browser(ex, who: str | None = None) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False, follow_redirects=False)
    if who:
        r = sign_in_form(client, who, PASSWORD)
        assert r.status_code == 303, r.text
    return client


def csrf(client: TestClient, path: str = "/uploads") -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(path).text)
    assert found
    return found.group(1)


def no_trace(html: str) -> None:
    assert "Traceback" not in html and 'File "' not in html


def test_pages_need_sign_in_and_come_back_after_it(ex):
    anonymous = browser(ex)
    for path in ADVISOR_PAGES[1:]:
        r = anonymous.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    r = sign_in_form(anonymous, "dac-advisor", PASSWORD, "/map?sector=25")
    assert r.headers["location"] == "/map?sector=25"
    r = sign_in_form(anonymous, "dac-advisor", PASSWORD, "https://evil.example/")
    assert r.headers["location"] == "/"
    r = sign_in_form(browser(ex), "dac-advisor", "nope nope nope")
    assert r.status_code == 401 and "unknown user or wrong password" in r.text


def test_every_advisor_page_renders(ex):
    client = browser(ex, "dac-advisor")
    for path in ADVISOR_PAGES:
        r = client.get(path, follow_redirects=True)
        assert r.status_code == 200, (path, r.text[:500])
        assert r.headers["content-type"].startswith("text/html")
        no_trace(r.text)


def test_sign_out_ends_the_session(ex):
    client = browser(ex, "dac-advisor")
    token = csrf(client)
    cookie = client.cookies.get("pm_session")
    assert client.post("/logout", data={"csrf": token}).status_code == 303
    stale = browser(ex)
    stale.cookies.set("pm_session", cookie)
    assert stale.get("/bids").headers["location"].startswith("/login")


def test_forms_without_the_session_token_are_refused_and_store_nothing(ex):
    client = browser(ex, "nordalu")
    r = client.post("/profiles-new", data={"key": "dk-nordalu-csrf", "type": "BO", "title": "T", "summary": "S"})
    assert r.status_code == 400 and "reload the page" in r.text
    no_trace(r.text)
    assert client.get("/profiles/dk-nordalu-csrf").status_code == 404
    r = client.post(
        "/profiles-new", data={"csrf": "0" * 40, "key": "dk-nordalu-csrf", "type": "BO", "title": "T", "summary": "S"}
    )
    assert r.status_code == 400


def test_errors_are_pages_with_messages_never_traces(ex):
    client = browser(ex, "dac-advisor")
    for path, status in [
        ("/firms/no-such-firm", 404),
        ("/bids/no-such-bid", 404),
        ("/jobs/999999", 404),
        ("/proposals/999999/document.pdf", 404),
        ("/jobs/abc", 422),
        ("/nowhere", 404),
        ("/firms?page=0", 422),
    ]:
        r = client.get(path)
        assert r.status_code == status, path
        assert r.headers["content-type"].startswith("text/html") and 'class="message error"' in r.text, path
        no_trace(r.text)
    r = browser(ex, "nordalu").get("/bids")
    assert r.status_code == 403 and "advisor" in r.text


def test_profile_form_keeps_input_and_names_each_bad_field(ex):
    client = browser(ex, "nordalu")
    token = csrf(client, "/profiles-new")
    r = client.post(
        "/profiles-new",
        data={
            "csrf": token,
            "key": "dk-nordalu-form",
            "type": "BO",
            "title": "Profiles <b>bold</b>",
            "language": "xx",
            "summary": "",
            "partnership_types": "friendship",
        },
    )
    assert r.status_code == 422
    assert 'value="Profiles &lt;b&gt;bold&lt;/b&gt;"' in r.text
    for field, words in [
        ("summary", "required"),
        ("language", "ISO 639-1"),
        ("partnership_types", "unknown partnership"),
    ]:
        assert re.search(rf'data-for="{field}"[^>]*>[^<]*{words}', r.text), field
    r = client.post("/profiles-validate", data={"csrf": token, "title": "x" * 400, "type": "BO"})
    assert r.status_code == 200
    errors = r.json()["errors"]
    assert "title" in errors and "summary" in errors and "key" not in errors and "firm" not in errors


def test_bid_form_and_solver_settings_survive_bad_input(ex):
    client = browser(ex, "dac-advisor")
    token = csrf(client, "/bids-new")
    form = {
        "csrf": token,
        "key": "bid-pages-1",
        "title": "Trays",
        "customer": "OEM",
        "customer_country": "DE",
        "delivery_country": "ZZ",
        "min_size": "4",
        "max_size": "2",
        "requirement_rows": "2",
        "req-0-key": "ext",
        "req-0-capability": "aluminium extrusion",
        "req-0-mandatory": "on",
        "req-1-key": "odd",
        "req-1-capability": "",
        "req-1-volume_per_year": "-5",
    }
    r = client.post("/bids-new", data=form)
    assert r.status_code == 422
    for field in ("delivery_country", "min_size", "req-1-capability", "req-1-volume_per_year"):
        assert re.search(rf'data-for="{field}"[^>]*>[^<]+<', r.text), field
    assert 'value="aluminium extrusion"' in r.text
    assert client.get("/bids/bid-pages-1").status_code == 404
    r = client.post("/bids/bid-battery-tray/generate", data={"csrf": token, "time_limit": "abc", "solver": "gurobi"})
    assert r.status_code == 422 and "nothing was started" in r.text
    assert re.search(r'data-for="solver"[^>]*>one of cbc, highs', r.text)


def test_bad_csv_upload_lists_every_bad_row_and_stores_nothing(ex):
    client = browser(ex, "nordalu")
    token = csrf(client)
    body = (
        "key,firm,type,title,summary,capabilities\n"
        "dk-nordalu-up-1,dk-nordalu,BO,Good row,Fine summary,anodising\n"
        "dk-nordalu-up-2,dk-nordalu,ZZ,Bad type,Fine summary,anodising\n"
        "dk-nordalu-up-3,dk-valdres,BO,Someone else's firm,Summary,anodising\n"
    )
    r = client.post("/uploads", data={"csrf": token}, files={"file": ("bad.csv", body.encode(), "text/csv")})
    assert r.status_code == 422
    rows = re.findall(r"<tr><td>(line \d+)</td><td>([^<]*)</td>", r.text)
    assert ("line 3", "type") in rows and any(line == "line 4" for line, _ in rows)
    assert client.get("/profiles/dk-nordalu-up-1").status_code == 404
    r = client.post("/uploads", data={"csrf": token}, files={"file": ("x.bin", b"\xff\xfe\x00garbage", "text/csv")})
    assert r.status_code == 422 and 'class="message error"' in r.text
    r = client.post("/uploads", data={"csrf": token})
    assert r.status_code == 422 and "Choose a CSV or JSON file" in r.text


def _latest_proposal(client: TestClient, bid: str) -> tuple[int, list[str]]:
    html = client.get(f"/bids/{bid}").text
    found = re.search(r'id="proposal-(\d+)" data-rank="1"', html)
    assert found, html[:2000]
    refs = re.findall(
        r'<option value="([^"]+)">', html.split(f'id="proposal-{found.group(1)}"')[1].split("</article>")[0]
    )
    return int(found.group(1)), refs


def test_generate_lock_and_documents_for_advisor_and_member(ex, tmp_path):
    client = browser(ex, "dac-advisor")
    token = csrf(client, "/bids/bid-crash-management")
    r = client.post(
        "/bids/bid-crash-management/generate", data={"csrf": token, "alternatives": "2", "time_limit": "20"}
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job = client.get(r.headers["location"]).text
    assert "Done:" in job or "Queued" in job or "Running" in job
    proposal, refs = _latest_proposal(client, "bid-crash-management")
    assert len(refs) >= 2
    r = client.post(
        f"/proposals/{proposal}/edit", data={"csrf": token, "firm": refs[0], "action": "lock", "time_limit": "20"}
    )
    assert r.status_code == 303
    assert refs[0] in ex.get("dac-advisor", "/bids/bid-crash-management").json()["locked_firms"]
    proposal, members = _latest_proposal(client, "bid-crash-management")
    assert refs[0] in members
    r = client.post(
        f"/proposals/{proposal}/edit", data={"csrf": token, "firm": refs[-1], "action": "exclude", "time_limit": "20"}
    )
    assert r.status_code == 303
    assert refs[-1] in ex.get("dac-advisor", "/bids/bid-crash-management").json()["excluded_firms"]
    page = client.get("/bids/bid-crash-management").text
    if "No consortium is possible" not in page:
        _, members = _latest_proposal(client, "bid-crash-management")
        assert refs[-1] not in members
    r = client.post(
        f"/proposals/{proposal}/edit", data={"csrf": token, "firm": refs[-1], "action": "unlock", "time_limit": "20"}
    )
    assert r.status_code == 303
    proposal, members = _latest_proposal(client, "bid-crash-management")
    pdf = client.get(f"/proposals/{proposal}/document.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"].startswith("attachment")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    names = list(re.findall(r"<li><strong>([^<]+)</strong>", client.get("/bids/bid-crash-management").text))
    assert names and all(n in text for n in names[: len(members)])
    html = client.get(f"/proposals/{proposal}/document.html").text
    assert "<svg" in html and "line width = pairwise match score" in html
    for fmt in ("md", "html", "pdf"):
        r = client.get(f"/proposals/{proposal}/document.{fmt}", params={"for": members[0]})
        assert r.status_code == 200
        content = (
            r.text
            if fmt != "pdf"
            else " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).split())
        )
        assert leaks(content, hidden_identities(ex.settings.database_url, {members[0]})) == [], fmt
    r = client.get(f"/proposals/{proposal}/document.pdf", params={"for": "no-valdres-dorfabrikk"})
    assert r.status_code in (404, 422) and 'class="message error"' in r.text
    api = ex.get("dac-advisor", f"/proposals/{proposal}/document", params={"format": "pdf", "for": members[0]})
    assert api.status_code == 200 and api.content.startswith(b"%PDF-")
    assert ex.get("nordalu", f"/proposals/{proposal}/document", params={"format": "pdf"}).status_code == 404


def test_firm_user_pages_show_other_firms_only_anonymously(ex):
    client = browser(ex, "valdres")
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200 and "Valdres Dørfabrikk AS" in home.text
    hidden = hidden_identities(ex.settings.database_url, {"no-valdres-dorfabrikk"})
    pages = {"/": home.text}
    for path in [
        "/firms",
        "/firms?q=AS",
        "/firms?capability=upholstery",
        "/interests",
        "/uploads",
        "/profiles-new",
        "/bids",
        "/map",
    ]:
        pages[path] = client.get(path, follow_redirects=True).text
    for ref in sorted(set(re.findall(r"\b(?:BO|BR|TO|TR|RDR)[A-Z]{2}\d{11}\b", home.text)))[:10]:
        pages[f"/profiles/{ref}"] = client.get(f"/profiles/{ref}").text
    for alias in sorted(set(re.findall(r"firm ([A-Z][a-z]+ [A-Z][a-z]+ \d\d)", pages["/firms"])))[:10]:
        pages[f"/firms/{alias}"] = client.get(f"/firms/{quote(alias)}").text
    assert len(pages) > 12
    for path, html in pages.items():
        assert leaks(html, hidden) == [], path


def test_advisor_inbox_forwards_and_owner_accepts_then_identities_open(ex):
    sent = ex.post(
        "nordalu",
        "/interests",
        json={"profile": _published_reference(ex, "dk-vejle-praecision"), "message": "We could machine your profiles."},
    )
    if sent.status_code != 201:  # same cluster: the interest may go straight to the owner
        pytest.fail(sent.text)
    interest = sent.json()["id"]
    advisor = browser(ex, "dac-advisor")
    token = csrf(advisor)
    inbox = advisor.get("/interests").text
    assert f'id="interest-{interest}"' in inbox
    r = advisor.post(f"/interests/{interest}/forward", data={"csrf": token, "note": "worth a call"})
    assert r.status_code == 303
    owner = browser(ex, "vejle")
    r = owner.post(f"/interests/{interest}/accept", data={"csrf": csrf(owner), "note": ""})
    assert r.status_code == 303
    html = owner.get("/interests?status=accepted").text
    assert "Nordalu Extrusion A/S" in html


def _published_reference(ex, firm: str) -> str:
    items = ex.get("dac-advisor", "/profiles", params={"firm": firm, "status": "published"}).json()["items"]
    assert items
    return items[0]["reference"]


def test_api_lists_firms_by_certification(ex):
    r = ex.get("dac-advisor", "/firms", params={"certification": "ISO 3834-2", "per_page": 200})
    assert r.status_code == 200
    items = r.json()["items"]
    assert items and all("ISO 3834-2" in f["certifications"] for f in items)
    assert API == "/api/v1"
