"""Every page a role can reach by following links answers without a server error, and bad addresses and
filters are error pages with a message (404/422), never 500s or traces."""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Iterator
from html import escape
from urllib.parse import quote, urljoin, urlsplit

import pytest
from apikit import PASSWORD, Exchange, exchange
from conftest import TODAY, postgres_schema
from fastapi.testclient import TestClient
from webkit import hidden_identities, leaks, sign_in_form

from api.actions import proposals
from api.actions.operator import operator
from optimizer.config import OptimizerConfig

pytestmark = pytest.mark.slow

BASE = "http://testserver"
MAX_PAGES = 300
PER_PATTERN = 10  # pages of one link pattern (e.g. /firms/*) worth visiting; documents are slower
PER_DOCUMENT_PATTERN = 1


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def ex(request, tmp_path_factory) -> Iterator[Exchange]:
    tmp = tmp_path_factory.mktemp("crawl")
    if request.param == "sqlite":
        yield _seeded(exchange(f"sqlite:///{tmp / 'crawl.db'}", tmp / "out", TODAY))
        return
    with postgres_schema() as url:
        yield _seeded(exchange(url, tmp / "out", TODAY))


def _seeded(ex: Exchange) -> Exchange:
    """The demo exchange with proposals for one bid and one expression of interest, so their pages exist."""
    proposals.propose(
        operator(ex.client.app.state.engine, ex.settings),
        "bid-crash-management",
        OptimizerConfig(alternatives=2, time_limit=20),
        documents=False,
    )
    wanted = ex.get("dac-advisor", "/profiles", params={"firm": "dk-vejle-praecision", "status": "published"})
    sent = ex.post(
        "nordalu", "/interests", json={"profile": wanted.json()["items"][0]["reference"], "message": "Hello."}
    )
    assert sent.status_code == 201, sent.text
    return ex


def signed_in(ex: Exchange, who: str) -> TestClient:
    client = TestClient(ex.client.app, raise_server_exceptions=False, follow_redirects=False)
    assert sign_in_form(client, who, PASSWORD).status_code == 303
    return client


def pattern(path: str) -> str:
    """/firms/dk-nordalu and /firms/F0A1B2C3D4E are one pattern; so are /proposals/7/document.pdf and /8/."""
    parts = urlsplit(path)
    segments = parts.path.split("/")
    shape = "/".join(segments[:2] + ["*" for _ in segments[2:-1]] + ([segments[-1]] if len(segments) > 2 else []))
    shape = re.sub(r"/\d+(?=/|$)", "/*", shape)
    if len(segments) > 2 and not re.search(r"\.(pdf|md|html|svg)$|/(edit|status)$", shape):
        shape = "/".join(segments[:2]) + "/*"
    return shape + ("?" + ",".join(sorted(k.split("=")[0] for k in parts.query.split("&"))) if parts.query else "")


def links(path: str, response) -> list[str]:
    found = [response.headers["location"]] if response.is_redirect else []
    if response.headers.get("content-type", "").startswith("text/html"):
        found += [h.replace("&amp;", "&") for h in re.findall(r'(?:href|src|action)="([^"]+)"', response.text)]
    out = []
    for href in found:
        url = urljoin(BASE + path, href).split("#")[0]
        if url.startswith(BASE + "/") and "/logout" not in url:
            out.append(url[len(BASE) :])
    return out


def crawl(client: TestClient, start: str = "/") -> tuple[dict[str, int], dict[str, str]]:
    """Breadth first over same-site links (GET only; forms' actions are followed as pages too, which
    must answer 405 or a page, never 5xx); a few pages of each link pattern, at most MAX_PAGES."""
    statuses: dict[str, int] = {}
    texts: dict[str, str] = {}
    per_pattern: dict[str, int] = {}
    queue, seen = deque([start]), {start}
    while queue and len(statuses) < MAX_PAGES:
        path = queue.popleft()
        r = client.get(path)
        statuses[path] = r.status_code
        if r.headers.get("content-type", "").startswith("text/html"):
            texts[path] = r.text
        for link in links(path, r):
            if link in seen:
                continue
            seen.add(link)
            shape = pattern(link)
            limit = PER_DOCUMENT_PATTERN if re.search(r"\.(pdf|md)\b", shape) else PER_PATTERN
            per_pattern[shape] = per_pattern.get(shape, 0) + 1
            if per_pattern[shape] <= limit:
                queue.append(link)
    return statuses, texts


EXPECTED = {
    # role -> link patterns its crawl must have reached (so the crawl cannot quietly shrink)
    "admin": {
        "/firms",
        "/firms/*",
        "/bids",
        "/bids/*",
        "/map",
        "/interests",
        "/profiles/*",
        "/proposals/*/document.pdf",
    },
    "dac-advisor": {"/firms", "/firms/*", "/bids/*", "/map", "/interests", "/profiles/*", "/proposals/*/document.html"},
    "nordalu": {"/firms", "/firms/*", "/interests", "/map", "/profiles/*"},
    "valdres": {"/firms", "/firms/*", "/interests", "/map", "/profiles/*"},
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_every_linked_page_answers_without_a_server_error(ex, who):
    statuses, texts = crawl(signed_in(ex, who))
    broken = {path: status for path, status in statuses.items() if status >= 500}
    assert broken == {}, broken
    reached = {pattern(p).split("?")[0] for p, s in statuses.items() if s < 400}
    assert EXPECTED[who] <= reached, sorted(EXPECTED[who] - reached)
    assert len(statuses) >= 20, statuses
    for path, html in texts.items():
        assert "Traceback" not in html, path
    if who in ("nordalu", "valdres"):
        own = {"nordalu": "dk-nordalu", "valdres": "no-valdres-dorfabrikk"}[who]
        anonymous = [a for a in _aliases(ex, who) if statuses.get(f"/firms/{quote(a)}") == 200]
        assert anonymous, "a firm user reaches the anonymous view of other firms from the firm list"
        # its own recorded customers and suppliers it names itself; their contact details stay hidden
        named = {r["counterpart"] for r in ex.get(who, f"/firms/{own}/relations").json()}
        hidden = {
            key: [v for v in values if v not in named]
            for key, values in hidden_identities(ex.settings.database_url, {own}).items()
        }
        for path, html in texts.items():
            assert leaks(html, hidden) == [], path


def _aliases(ex: Exchange, who: str) -> list[str]:
    items = ex.get(who, "/firms", params={"limit": 200}).json()["items"]
    return [f["alias"] for f in items if not f["identity_visible"]]


@pytest.mark.parametrize("who", ["admin", "dac-advisor", "nordalu", "valdres"])
def test_a_firm_by_its_alias_is_a_page_for_every_role(ex, who):
    client = signed_in(ex, who)
    aliases = _aliases(ex, "nordalu")[:5]
    assert aliases
    for alias in aliases:
        r = client.get(f"/firms/{quote(alias)}")
        assert r.status_code in (200, 404), (alias, r.status_code)
        assert r.headers["content-type"].startswith("text/html")
        if r.status_code == 404:
            assert 'class="message error"' in r.text
    if who == "nordalu":
        r = client.get(f"/firms/{quote(aliases[0])}")
        assert r.status_code == 200 and f"Firm {escape(aliases[0])}" in r.text
        assert leaks(r.text, hidden_identities(ex.settings.database_url, {"dk-nordalu"})) == []


@pytest.mark.parametrize("who", ["admin", "dac-advisor", "nordalu"])
@pytest.mark.parametrize(
    "path, status, words",
    [
        ("/map?capability=zzqxw+nothing", 422, "not a capability the vocabulary knows"),
        ("/map?sector=99.999", 422, "not a NACE"),
        ("/map?sector=abc", 422, "not a NACE"),
        ("/map?sector=25.6.2.1", 422, "not a NACE"),
        ("/map?sector=.", 422, "not a NACE"),
        ("/map?since=yesterday", 422, "not a date"),
        ("/map?min_score=2", 422, ""),
        ("/map?per_firm=many", 422, ""),
        ("/firms?capability=zzqxw+nothing", 200, "not a capability the vocabulary knows"),
        ("/firms?nace=99.999", 200, "not a NACE"),
        ("/firms?nace=C", 200, "not a NACE"),
        ("/firms?country=Atlantis", 200, ""),
        ("/firms?page=-1", 422, ""),
        ("/firms/%00", 422, "control character U+0000"),
        ("/profiles/BO%01", 422, "control character U+0001"),
        ("/firms/" + "x" * 300, 404, ""),
        ("/profiles/NOPE", 404, ""),
        ("/bids/%2e%2e", 404, ""),
        ("/interests?status=lost", 422, ""),
        ("/jobs/99999999999999999999", 422, ""),
        ("/jobs/0", 422, ""),
        ("/proposals/99999999999999999999/document.pdf", 422, ""),
    ],
)
def test_bad_addresses_and_filters_are_error_pages(ex, who, path, status, words):
    r = signed_in(ex, who).get(path)
    if who == "nordalu" and path.startswith("/map"):
        assert r.status_code in (200, 422) and "Traceback" not in r.text  # a firm's own map takes no filters
        return
    if who == "nordalu" and path.startswith("/bids"):
        assert r.status_code in (403, 404)
        return
    assert r.status_code == status, (path, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html"), path
    assert 'class="message error"' in r.text, path
    assert words in r.text, path
    assert "Traceback" not in r.text


def test_a_control_character_in_an_api_address_is_refused_before_any_query(ex):
    for path in ("/firms/%00", "/profiles/x%00y", "/bids/%1b"):
        r = ex.get("admin", path)
        assert r.status_code == 422, (path, r.text)
        assert r.json()["error"]["details"][0]["field"] == "path"


def test_a_record_number_too_large_for_the_database_is_refused_not_a_server_error(ex):
    client = signed_in(ex, "admin")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/uploads").text)
    assert token
    huge = "99999999999999999999"
    for path in (f"/relations/{huge}/delete", f"/achievements/{huge}/delete", f"/interests/{huge}/forward"):
        r = client.post(path, data={"csrf": token.group(1)})
        assert r.status_code == 422, (path, r.status_code)
        assert 'class="message error"' in r.text, path


@pytest.mark.parametrize("rows", ["99999999999", "²", "-1", "4.5", ""])
def test_a_bid_form_claiming_odd_numbers_of_requirement_rows_is_answered_at_once(ex, rows):
    client = signed_in(ex, "dac-advisor")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/bids-new").text)
    assert token
    started = time.monotonic()
    r = client.post("/bids-new", data={"csrf": token.group(1), "requirement_rows": rows, "key": "bid-odd-rows"})
    assert time.monotonic() - started < 10
    assert r.status_code == 422 and 'class="message error"' in r.text, r.status_code
