"""Latency of the advisor workspace's server-rendered pages (python -m bench.web).

Builds (or, with `--workdir`, reuses) the same database as bench/api/latency.py: `--profiles`
synthetic profiles (bench/perf/synthetic_profiles.py, seed 1) plus the demo firms, profiles and
bids, imported and matched with the real CLI, with an advisor of the Danish Aluminium Cluster
(`advisor`) and a firm user of dk-nordalu (`firm-demo`), both with a password. It starts
`partnermatch serve` (1 worker) as a subprocess on a free loopback port, signs both accounts in
through `POST /login` (the `pm_session` cookie), generates proposals for `bid-battery-tray` once
through the API (`{"wait": true}`) unless the bid has some, and measures with the closed-loop
load generator of bench/api/loadgen.py, over real TCP, each page at 1 and at 8 concurrent
clients (the PDF: 10 requests, at 1 and 2 clients). A page whose warm-up median says that
`--requests` would take longer than `--phase-seconds` (60) gets fewer requests, at least 20.
Pages measured:

- the firm list (`/firms`, and filtered by a capability), a firm page with its best matches and
  their explanations (`/firms/dk-nordalu`, as the advisor and as the firm's own user), a profile
  page, the bid list and the bid page (proposals side by side, coverage matrix, SVG), the cluster
  map (spring layout drawn as SVG), the interests inbox;
- a proposal's document as HTML and as PDF (WeasyPrint).

Median and p95 latency, throughput, server CPU per request, page size and errors (any answer but
200) go to docs/benchmarks.md, section "Workspace page latency", for runs of 10,000 profiles or more.

    python -m bench.web                                   # 10k profiles, writes the docs
    python -m bench.web --profiles 1000 --requests 20     # smoke test, docs untouched
    python -m bench.web --workdir /tmp/pm-web             # keep (and reuse) the database between runs
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.api import loadgen
from bench.api.latency import DEMO_BID, DOCS_MIN_PROFILES, PASSWORD, Server, Setup, _ms, _rate, build, reuse
from bench.report import write_section

SECTION = "Workspace page latency"
SCRIPT = "python -m bench.web"
ADVISOR, FIRM_USER = "advisor", "firm-demo"  # made by bench.api.latency.build, password PASSWORD
FIRM, PROFILE = "dk-nordalu", "dk-nordalu-bo-1"
MIN_REQUESTS = 20


def _http(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer, answer.read()
    finally:
        conn.close()


def sign_in(port: int, username: str) -> str:
    """The `pm_session` cookie value after signing in through the form."""
    _, blank, page = _http(port, "GET", "/login")
    token = re.search(rb'name="csrf" value="([^"]+)"', page)
    login_cookie = next(
        (c.split(";", 1)[0] for c in blank.msg.get_all("Set-Cookie") or [] if c.startswith("pm_login=")), ""
    )
    if token is None or not login_cookie:
        raise SystemExit(f"the sign-in form carried no login token: {page[:300]!r}")
    form = urlencode(
        {"username": username, "password": PASSWORD, "next": "/", "csrf": token.group(1).decode()}
    ).encode()
    status, answer, body = _http(
        port, "POST", "/login", {"Content-Type": "application/x-www-form-urlencoded", "Cookie": login_cookie}, form
    )
    cookies = [c.split(";", 1)[0].split("=", 1) for c in answer.msg.get_all("Set-Cookie") or []]
    session = next((v for k, v in cookies if k.strip() == "pm_session"), None)
    if status != 303 or not session:
        raise SystemExit(f"signing in as {username} answered {status}: {body[:300]!r}")
    return session


def proposals(port: int, setup: Setup) -> tuple[list[dict], bool]:
    """The bid's latest proposals, generated once (synchronously, default solver) when it has none."""
    headers = {"X-API-Key": setup.keys[ADVISOR], "Content-Type": "application/json"}
    path = f"/api/v1/bids/{setup.bid}/proposals"
    generated = False
    status, _, body = _http(port, "GET", path, headers)
    if status == 200 and not json.loads(body):
        status, _, body = _http(port, "POST", path, headers, json.dumps({"wait": True}).encode())
        job = json.loads(body) if status == 200 else {}
        if job.get("status") != "finished":
            raise SystemExit(f"generating proposals answered {status}: {body[:300]!r}")
        generated = True
        status, _, body = _http(port, "GET", path, headers)
    found = json.loads(body) if status == 200 else []
    if not any(p["feasible"] for p in found):
        raise SystemExit(f"no feasible proposal for {setup.bid} ({status}): {body[:300]!r}")
    return found, generated


def changed_since(t: float) -> list[str]:
    """Source files and templates modified after `t` (templates reload from disk, Python code does not)."""
    root = Path(__file__).resolve().parents[1]
    return sorted(
        str(p.relative_to(root))
        for d in ("api", "profiles", "matching", "optimizer")
        for p in (root / d).rglob("*")
        if p.suffix in (".py", ".j2") and p.stat().st_mtime > t
    )


def expect_200(status: int, body: bytes) -> str | None:
    return None if status == 200 else f"HTTP {status}: {body[:160].decode('utf-8', 'replace')}"


@dataclass
class Row:
    page: str
    path: str
    clients: int
    result: loadgen.Result
    cpu_ms: float  # server CPU per request

    def line(self) -> str:
        r = self.result
        size = r.bytes_read / max(1, r.ok) / 1024
        return (
            f"| {self.page} | {self.clients} | {len(r.latencies_s)} | {_ms(r.percentile(50))} | "
            f"{_ms(r.percentile(95))} | {_rate(r.throughput)} | {self.cpu_ms:.1f} | {size:,.0f} KB | "
            f"{len(r.errors)} |"
        )


def pages(bid: str, proposal_id: int) -> list[tuple[str, str, str]]:
    """(label, account, path) of every page measured."""
    return [
        ("firm list", ADVISOR, "/firms"),
        ("firm list, capability filter", ADVISOR, "/firms?capability=anodising"),
        ("firm page (advisor)", ADVISOR, f"/firms/{FIRM}"),
        ("firm page (firm user)", FIRM_USER, f"/firms/{FIRM}"),
        ("profile page", ADVISOR, f"/profiles/{PROFILE}"),
        ("bid list", ADVISOR, "/bids"),
        ("bid page", ADVISOR, f"/bids/{bid}"),
        ("cluster map", ADVISOR, "/map"),
        ("interests", ADVISOR, "/interests"),
        ("proposal document, HTML", ADVISOR, f"/proposals/{proposal_id}/document.html"),
        ("proposal document, PDF", ADVISOR, f"/proposals/{proposal_id}/document.pdf"),
    ]


def measure(server: Server, page: str, request: loadgen.Request, total: int, clients: int) -> Row:
    cpu0 = server.cpu_s()
    result = loadgen.run("127.0.0.1", server.port, [request], total, clients, expect_200, 600.0)
    row = Row(page, request.path, clients, result, 1000 * (server.cpu_s() - cpu0) / max(1, len(result.latencies_s)))
    print(row.line(), flush=True)
    for message in sorted(set(result.errors))[:3]:
        print(f"    error ×{result.errors.count(message)}: {message}", flush=True)
    return row


HEADER = [
    "| page | clients | requests | median | p95 | req/s | server CPU / req (ms) | size | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def report(
    rows: list[Row],
    setup: Setup,
    args: argparse.Namespace,
    matches: int,
    shown: int,
    problems: list[str],
    changed: list[str],
    load: tuple[float, float],
) -> str:
    from bench.perf.versions import versions_line

    c = setup.counts
    first = {r.page: r for r in rows if r.clients == 1}
    html = [r for p, r in first.items() if "PDF" not in p]
    slowest = max(html, key=lambda r: r.result.percentile(50))
    pdf, doc = first.get("proposal document, PDF"), first.get("proposal document, HTML")
    dominant = f"The slowest HTML page at 1 client is the {slowest.page} (median {_ms(slowest.result.percentile(50))})."
    if pdf and doc:
        dominant = (
            f"The PDF takes {_ms(pdf.result.percentile(50))} (median) against "
            f"{_ms(doc.result.percentile(50))} for the same document as HTML: WeasyPrint's layout and PDF "
            f"writing add {_ms(pdf.result.percentile(50) - doc.result.percentile(50))}. " + dominant
        )
    errors = sum(len(r.result.errors) for r in rows)
    body = [
        versions_line(),
        "",
        f"Data: {c['synthetic_profiles']:,} synthetic profiles of {c['synthetic_firms']:,} firms "
        f"(bench/perf/synthetic_profiles.py, seed {args.seed}) plus the demo data ({c['demo_firms']} firms, "
        f"{c['demo_profiles']} profiles, {c['demo_bids']} bids), imported and matched ({matches:,} stored matches) "
        f'in SQLite as for "HTTP API latency"; {shown} proposals of `{setup.bid}` in its latest batch. Server: '
        f"`partnermatch serve`, 1 worker, loopback. Client: bench/api/loadgen.py (closed loop, keep-alive, the "
        f"`pm_session` cookie of a `POST /login`), as the advisor of the Danish Aluminium Cluster unless said "
        f"otherwise; {args.requests} requests per page after {args.warmup} warm-up requests (fewer, at least "
        f"{MIN_REQUESTS}, for pages too slow for {args.requests} in about {args.phase_seconds:.0f} s; "
        f"{args.pdf_requests} for the PDF), at {' and '.join(map(str, args.concurrency))} clients "
        f"({' and '.join(map(str, args.pdf_concurrency))} for the PDF). Any answer but 200 is an error. 1-minute "
        f"load average {load[0]:.1f} before, {load[1]:.1f} after, on {os.cpu_count()} cores (the machine is shared).",
        "",
        *HEADER,
        *(r.line() for r in rows),
        "",
        "Paths: " + "; ".join(f"{p} `{path}`" for p, path in {r.page: r.path for r in rows}.items()) + ".",
        "",
        dominant,
        *(["", f"Errors: {errors}; server log: " + "; ".join(problems[:3])] if errors or problems else []),
        *(
            [
                "",
                f"Caution: {len(changed)} source file(s) changed while the server ran ({', '.join(changed[:4])}); "
                "these numbers may mix code versions.",
            ]
            if changed
            else []
        ),
    ]
    return "\n".join(body).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=10_000, help="synthetic profiles (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200, help="requests per page and concurrency (default 200)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--pdf-requests", type=int, default=10, help="requests for the PDF (default 10)")
    parser.add_argument("--pdf-concurrency", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--phase-seconds",
        type=float,
        default=60.0,
        help=f"fewer requests (at least {MIN_REQUESTS}) for slower pages, to about this long (default 60)",
    )
    parser.add_argument("--warmup", type=int, default=5, help="warm-up requests per page (default 5)")
    parser.add_argument("--memory-limit-mb", type=int, default=10_240, help="address-space limit of the server")
    parser.add_argument("--workdir", type=Path, help="keep the database here and reuse it when it matches")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md even for a small run")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)

    temp = None
    if args.workdir:
        work = args.workdir.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        temp = tempfile.TemporaryDirectory(prefix="pm-web-")
        work = Path(temp.name)
    try:
        setup = reuse(work, args.profiles, args.seed, DEMO_BID) if args.workdir else None
        if setup is None:
            setup = build(work, args.profiles, args.seed, DEMO_BID)
        else:
            print(f"reusing the database in {work}", flush=True)
        with sqlite3.connect(f"file:{setup.db}?mode=ro", uri=True) as db:
            matches = db.execute("SELECT count(*) FROM match").fetchone()[0]
        rows: list[Row] = []
        started, load0 = time.time(), os.getloadavg()[0]
        server = Server(setup, 1, args.memory_limit_mb)
        try:
            server.wait_ready()
            cookies = {user: sign_in(server.port, user) for user in (ADVISOR, FIRM_USER)}
            found, generated = proposals(server.port, setup)
            proposal = next(p for p in found if p["feasible"])
            print(
                f"{'generated' if generated else 'found'} {len(found)} proposal(s) of {setup.bid}; "
                f"documents of proposal {proposal['id']}",
                flush=True,
            )
            print("\n".join(HEADER), flush=True)
            for page, user, path in pages(setup.bid, proposal["id"]):
                request = loadgen.Request("GET", path, (("Cookie", f"pm_session={cookies[user]}"),), label=page)
                is_pdf = path.endswith(".pdf")
                warm = loadgen.run(
                    "127.0.0.1", server.port, [request], 1 if is_pdf else args.warmup, 1, expect_200, 600.0
                )
                if warm.errors:
                    print(f"    warm-up errors ({page}): {warm.errors[:2]}", flush=True)
                fit = int(args.phase_seconds / max(warm.percentile(50), 1e-3))
                total = args.pdf_requests if is_pdf else min(args.requests, max(MIN_REQUESTS, fit))
                for clients in args.pdf_concurrency if is_pdf else args.concurrency:
                    rows.append(measure(server, page, request, total, clients))
                if server.proc.poll() is not None:
                    raise SystemExit(f"the server died; see {server.log_path}")
            problems, changed = server.new_log_problems(), changed_since(started)
        finally:
            server.stop()
        body = report(rows, setup, args, matches, len(found), problems, changed, (load0, os.getloadavg()[0]))
        print()
        print(body)
        if not args.no_write and (args.write or args.profiles >= DOCS_MIN_PROFILES):
            write_section(SECTION, SCRIPT, body)
            print(f"\nwritten to docs/benchmarks.md (section '{SECTION}')")
    finally:
        if temp is not None:
            temp.cleanup()


if __name__ == "__main__":
    main()
