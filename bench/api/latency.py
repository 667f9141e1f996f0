"""Latency of the HTTP service under load (python -m bench.api.latency).

Builds a fresh SQLite database in a temporary directory with `--profiles`
synthetic profiles (bench/perf/synthetic_profiles.py, seed 1) plus the demo
firms, profiles and bids, all through `partnermatch import`, then runs
`partnermatch match`. It creates an advisor of the demo bid's cluster and a few
firm users with API keys, starts `partnermatch serve` as a subprocess on a free
loopback port (once per `--workers` value), warms it up and measures, with the
closed-loop load generator in bench/api/loadgen.py over real TCP:

- profile search: `GET /api/v1/profiles` with a rotating mix of realistic queries
  (free-text words, type, country, capability, a second page), default page size
  (50), by all the accounts in turn;
- matches of a profile: `GET /api/v1/profiles/{key}/matches` of the firm users' own
  profiles and of the advisor's cluster profiles, in turn;
- proposal generation: `POST /api/v1/bids/{bid}/proposals` with
  `{"wait": true, "time_limit": 30, "alternatives": 3}` (synchronous solve, default
  solver), by the advisor; a job that did not finish counts as an error;

each at 1 and at 50 concurrent clients. Median and p99 latency, throughput,
server CPU time per request and peak server memory go to docs/benchmarks.md
(section "HTTP API latency"). Any non-2xx answer is an error.

The server runs under an address-space limit (`--memory-limit-mb`, RLIMIT_AS,
split evenly over the worker processes): every proposal solve holds all firms
and stored match scores in memory (about 1.2 GB at 10k profiles before the
solver read only the scores), and 50 of them at once could exhaust the
machine's memory rather than fail with an error. The server logs at info level (the access log stays off), so
that worker restarts by uvicorn's supervisor and memory errors show up; they
are counted per phase.

    python -m bench.api.latency                                   # 10k profiles, workers 1 and 2, writes the docs
    python -m bench.api.latency --profiles 1000 --requests 200 --proposal-requests 2 10   # smoke test, docs untouched
    python -m bench.api.latency --workdir /tmp/pm-lat              # keep (and reuse) the database between runs
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from bench.api import loadgen
from bench.report import write_section

SECTION = "HTTP API latency"
SCRIPT = "python -m bench.api.latency"
ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "profiles" / "demo"
TODAY = "2026-11-21"
PASSWORD = "latency-bench-password"
DEMO_BID = "bid-battery-tray"
DOCS_MIN_PROFILES = 10_000
GOAL_P99_S = 0.100
PROPOSAL_BODY = {"wait": True, "time_limit": 30, "alternatives": 3}

# Realistic searches: words people type, the filters the UI offers, and one second page.
SEARCHES: tuple[dict[str, str], ...] = (
    {"q": "aluminium"},
    {"q": "welding", "country": "DK"},
    {"type": "BO", "country": "SE"},
    {"capability": "CNC machining"},
    {"q": "automation", "type": "BR"},
    {"capability": "powder coating", "country": "DE"},
    {"q": "furniture"},
    {"type": "TO"},
    {"country": "NO", "capability": "welding"},
    {"q": "extrusion", "capability": "aluminium extrusion"},
    {"q": "maritime", "country": "FI"},
    {"capability": "injection moulding", "type": "BO"},
    {"q": "robot"},
    {"type": "RDR"},
    {"q": "packaging", "country": "SE"},
    {"capability": "laser cutting"},
    {"q": "sheet metal", "type": "BO", "country": "DK"},
    {"country": "DE"},
    {"q": "precision"},
    {"capability": "PLC programming", "type": "BR"},
    {"q": "wood", "country": "NO"},
    {"capability": "anodising"},
    {"q": "casting", "type": "BO"},
    {},
    {"q": "aluminium", "page": "2"},
)


# --------------------------------------------------------------------------- setup
def _cli() -> str:
    here = Path(sys.executable).parent / "partnermatch"
    return str(here) if here.exists() else (shutil.which("partnermatch") or "partnermatch")


def _env(db: Path, work: Path) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{db}",
        PARTNERMATCH_TODAY=TODAY,
        PARTNERMATCH_OUTPUT_DIR=str(work / "out"),
        PARTNERMATCH_PASSWORD=PASSWORD,
    )


def _run_cli(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [_cli(), *args], env=env, cwd=env.get("PARTNERMATCH_OUTPUT_DIR"), capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"partnermatch {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


@dataclass
class Setup:
    work: Path
    db: Path
    keys: dict[str, str]  # username -> API key
    own_profiles: dict[str, list[str]]  # username -> profile keys it may ask matches of
    bid: str
    seconds: dict[str, float]
    counts: dict[str, int]


def build(
    work: Path, n_profiles: int, seed: int, bid: str, matcher: Callable[[dict[str, str]], str] | None = None
) -> Setup:
    """Fresh database: synthetic + demo data imported, matched (by `partnermatch match`, or `matcher` given
    the command's environment), accounts and API keys created."""
    from bench.perf.synthetic_profiles import generate

    db = work / "bench.db"
    for stale in work.glob("bench.db*"):
        stale.unlink()
    (work / "out").mkdir(parents=True, exist_ok=True)
    env = _env(db, work)
    seconds: dict[str, float] = {}

    t0 = time.perf_counter()
    firms, profiles = generate(n_profiles, seed)
    synthetic = work / "synthetic.json"
    synthetic.write_text(json.dumps({"firms": firms, "profiles": profiles}), "utf-8")
    seconds["generate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    _run_cli(
        env, "import", str(synthetic), str(DEMO / "firms.json"), str(DEMO / "profiles.json"), str(DEMO / "bids.json")
    )
    seconds["import"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = matcher(env) if matcher is not None else _run_cli(env, "match")
    seconds["match"] = time.perf_counter() - t0
    print(
        f"imported in {seconds['import']:.0f} s, matched in {seconds['match']:.0f} s: {' '.join(summary.split())}",
        flush=True,
    )

    demo_bids = json.loads((DEMO / "bids.json").read_text("utf-8"))["bids"]
    cluster = next(b["cluster"] for b in demo_bids if b["key"] == bid)
    demo_firms = json.loads((DEMO / "firms.json").read_text("utf-8"))["firms"]
    demo_profiles = json.loads((DEMO / "profiles.json").read_text("utf-8"))["profiles"]
    cluster_firms = {f["key"] for f in demo_firms if f.get("cluster") == cluster}
    cluster_profiles = [
        p["key"] for p in demo_profiles if p["firm"] in cluster_firms and p.get("status", "published") == "published"
    ]

    # Firm users: a demo firm of the bid's cluster and synthetic firms with two or more profiles, spread over the data.
    by_firm: dict[str, list[str]] = {}
    for p in profiles:
        by_firm.setdefault(p["firm"], []).append(p["key"])
    multi = [f["key"] for f in firms if len(by_firm.get(f["key"], [])) >= 2]
    chosen = [multi[i * len(multi) // 5] for i in range(5)] if len(multi) >= 5 else multi
    firm_users = {"firm-demo": ("dk-nordalu", [p["key"] for p in demo_profiles if p["firm"] == "dk-nordalu"])}
    for i, key in enumerate(chosen, 1):
        firm_users[f"firm-{i}"] = (key, by_firm[key])

    t0 = time.perf_counter()
    keys: dict[str, str] = {}
    own: dict[str, list[str]] = {}
    _run_cli(env, "user", "create", "advisor", "--role", "advisor", "--cluster", cluster)
    keys["advisor"] = _run_cli(env, "user", "api-key", "advisor", "--label", "latency bench").strip().splitlines()[-1]
    own["advisor"] = cluster_profiles[:4]
    for name, (firm_key, profile_keys) in firm_users.items():
        _run_cli(env, "user", "create", name, "--role", "firm", "--firm", firm_key)
        keys[name] = _run_cli(env, "user", "api-key", name, "--label", "latency bench").strip().splitlines()[-1]
        own[name] = profile_keys[:3]
    seconds["accounts"] = time.perf_counter() - t0
    setup = Setup(
        work,
        db,
        keys,
        own,
        bid,
        seconds,
        {
            "synthetic_profiles": len(profiles),
            "synthetic_firms": len(firms),
            "demo_profiles": len(demo_profiles),
            "demo_firms": len(demo_firms),
            "demo_bids": len(demo_bids),
            "accounts": len(keys),
        },
    )
    (work / "setup.json").write_text(
        json.dumps({**setup.__dict__, "work": str(work), "db": str(db), "n_profiles": n_profiles, "seed": seed}),
        "utf-8",
    )
    return setup


def reuse(work: Path, n_profiles: int, seed: int, bid: str) -> Setup | None:
    meta = work / "setup.json"
    if not meta.exists() or not (work / "bench.db").exists():
        return None
    raw = json.loads(meta.read_text("utf-8"))
    if (raw.pop("n_profiles"), raw.pop("seed"), raw["bid"]) != (n_profiles, seed, bid):
        return None
    return Setup(**dict(raw, work=Path(raw["work"]), db=Path(raw["db"])))


# --------------------------------------------------------------------------- server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """The process and its live descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _tree_cpu_s(pid: int) -> float:
    total = 0.0
    for p in _tree(pid):
        try:
            total += loadgen.process_cpu_s(p)
        except (OSError, IndexError, ValueError):
            pass
    return total


def _tree_rss_mb(pid: int) -> float:
    total = 0
    for p in _tree(pid):
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            pass
    return total / 1024


class Server:
    """`partnermatch serve` in its own process group, with an address-space limit per process."""

    def __init__(self, setup: Setup, workers: int, memory_limit_mb: int) -> None:
        self.port = _free_port()
        self.workers = workers
        limit = memory_limit_mb * 1024 * 1024 // workers

        def restrict() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        self.log_path = setup.work / f"serve-{workers}w.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [
                _cli(),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--log-level",
                "info",
            ],
            env=_env(setup.db, setup.work),
            cwd=str(setup.work / "out"),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=restrict,
        )
        self._peak_mb = 0.0
        self._spread: list[int] = []
        self._sampling = False
        self._sampler: threading.Thread | None = None
        self._log_seen = 0

    def new_log_problems(self) -> list[str]:
        """Lines logged since the last call that tell of trouble: restarted workers, memory errors, tracebacks."""
        self.log.flush()
        text = self.log_path.read_text("utf-8", "replace")
        fresh, self._log_seen = text[self._log_seen :], len(text)
        marks = ("died", "MemoryError", "Traceback", "ERROR", "Killed", "hung")
        return [line.strip() for line in fresh.splitlines() if any(m in line for m in marks)]

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        url = f"http://127.0.0.1:{self.port}/api/v1/health"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited ({self.proc.returncode}); see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        # With several workers, wait until each has started (each answers health on its own).
                        if len(_tree(self.proc.pid)) >= 1 + (self.workers if self.workers > 1 else 0):
                            return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        raise SystemExit(f"the server did not answer within {timeout_s:.0f} s; see {self.log_path}")

    def cpu_s(self) -> float:
        return _tree_cpu_s(self.proc.pid)

    def connections_per_worker(self) -> list[int]:
        """Established client connections held by each worker process, busiest first (needs `ss`)."""
        ss = shutil.which("ss")
        if ss is None or self.workers < 2:
            return []
        pids = [p for p in _tree(self.proc.pid) if p != self.proc.pid]
        out = subprocess.run(
            [ss, "-tnpH", "state", "established", f"sport = :{self.port}"], capture_output=True, text=True
        ).stdout
        counts = {p: sum(f"pid={p}," in line for line in out.splitlines()) for p in pids}
        return sorted((n for n in counts.values() if n), reverse=True)

    def start_memory_sampling(self) -> None:
        """Sample the server's memory (peak RSS) and, with several workers, how the connections are spread."""
        self._peak_mb, self._sampling, self._spread = _tree_rss_mb(self.proc.pid), True, []

        def sample() -> None:
            checked = 0.0
            while self._sampling:
                self._peak_mb = max(self._peak_mb, _tree_rss_mb(self.proc.pid))
                if self.workers > 1 and time.monotonic() - checked > 1.0:  # keep the fullest snapshot
                    checked, spread = time.monotonic(), self.connections_per_worker()
                    if sum(spread) > sum(self._spread):
                        self._spread = spread
                time.sleep(0.25)

        self._sampler = threading.Thread(target=sample, daemon=True)
        self._sampler.start()

    def stop_memory_sampling(self) -> tuple[float, list[int]]:
        self._sampling = False
        if self._sampler is not None:
            self._sampler.join()
        return self._peak_mb, self._spread

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group: the server and its workers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# --------------------------------------------------------------------------- workloads
def _auth(key: str) -> tuple[tuple[str, str], ...]:
    return (("X-API-Key", key),)


def search_requests(setup: Setup) -> list[loadgen.Request]:
    users = sorted(setup.keys)
    out = []
    # Every query by every account: the scope (own drafts, cluster) differs per account.
    for i in range(len(SEARCHES) * len(users)):
        params = SEARCHES[i % len(SEARCHES)]
        user = users[i % len(users)]
        path = "/api/v1/profiles" + ("?" + urlencode(params, quote_via=quote) if params else "")
        out.append(loadgen.Request("GET", path, _auth(setup.keys[user]), label="search"))
    return out


def matches_requests(setup: Setup) -> list[loadgen.Request]:
    pairs = [(u, p) for u in sorted(setup.own_profiles) for p in setup.own_profiles[u]]
    random.Random(0).shuffle(pairs)
    return [
        loadgen.Request("GET", f"/api/v1/profiles/{quote(p)}/matches", _auth(setup.keys[u]), label="matches")
        for u, p in pairs
    ]


def proposal_requests(setup: Setup) -> list[loadgen.Request]:
    headers = _auth(setup.keys["advisor"]) + (("Content-Type", "application/json"),)
    return [
        loadgen.Request(
            "POST",
            f"/api/v1/bids/{quote(setup.bid)}/proposals",
            headers,
            json.dumps(PROPOSAL_BODY).encode(),
            label="proposals",
        )
    ]


def describe_searches(port: int, requests: list[loadgen.Request]) -> dict[str, float]:
    """Hits per search query (one pass, outside the measurement), to show the mix is realistic."""
    totals = []
    for r in requests[: len(SEARCHES)]:
        req = urllib.request.Request(f"http://127.0.0.1:{port}{r.path}", headers=dict(r.headers))
        with urllib.request.urlopen(req, timeout=60) as answer:
            body = json.loads(answer.read())
        totals.append(body["total"])
    return {
        "median_hits": statistics.median(totals),
        "min_hits": min(totals),
        "max_hits": max(totals),
        "queries": len(totals),
    }


@dataclass
class Phase:
    workers: int
    endpoint: str
    clients: int
    result: loadgen.Result
    server_cpu_s: float
    peak_rss_mb: float
    load_before: float
    load_after: float
    server_problems: list[str]
    run_throughputs: list[float]
    spread: list[int]

    @property
    def cpu_ms_per_request(self) -> float:
        n = len(self.result.latencies_s)
        return 1000 * self.server_cpu_s / n if n else float("nan")


def measure(
    server: Server,
    workers: int,
    endpoint: str,
    requests: list[loadgen.Request],
    total: int,
    clients: int,
    check: loadgen.Check,
    timeout_s: float,
    runs: int = 1,
) -> Phase:
    """`runs` runs of `total` requests each, on fresh connections every time, pooled into one result."""
    load_before = os.getloadavg()[0]
    server.start_memory_sampling()
    cpu0 = server.cpu_s()
    results = [loadgen.run("127.0.0.1", server.port, requests, total, clients, check, timeout_s) for _ in range(runs)]
    result = loadgen.Result.pooled(results)
    cpu = server.cpu_s() - cpu0
    peak, spread = server.stop_memory_sampling()
    problems = server.new_log_problems()
    if server.proc.poll() is not None:
        problems.append(f"the server exited with {server.proc.returncode}")
    phase = Phase(
        workers,
        endpoint,
        clients,
        result,
        cpu,
        peak,
        load_before,
        os.getloadavg()[0],
        problems,
        [r.throughput for r in results],
        spread,
    )
    print(_row(phase), flush=True)
    for message in sorted(set(result.errors))[:5]:
        print(f"    error ×{result.errors.count(message)}: {message}", flush=True)
    for line in problems[:5]:
        print(f"    server log: {line[:200]}", flush=True)
    return phase


# --------------------------------------------------------------------------- where the time goes
# Parts of a request, as (file suffix, function name) whose cumulative time is the part's time.
READ_PARTS = {
    "auth (API key → viewer)": [("api/http/deps.py", "context")],
    "database (SQL + rows → objects)": [
        ("profiles/repository/search.py", "search_profiles"),
        ("profiles/repository/search.py", "matches_of"),
        ("api/context.py", "profile_row"),
    ],
    "views (rows → dicts, anonymising)": [("api/exchange.py", "<listcomp>")],
}
PROPOSAL_PARTS = {
    "load stored match scores": [
        ("profiles/repository/records.py", "load_matches"),
        ("profiles/repository/records.py", "match_scores"),
    ],
    "load firms": [("profiles/repository/records.py", "load_firms")],
    "prepare problem (fit, synergy)": [("optimizer/instance.py", "prepare_problem")],
    "solve (model + cbc, 3 alternatives)": [("optimizer/propose.py", "propose_bid")],
    "store proposals": [("api/services.py", "_store")],
}
SQLITE_CALLS = ("execute", "fetchall", "fetchone", "fetchmany")


def _cumulative(stats: Any, wanted: list[tuple[str, str]]) -> float:
    return sum(
        ct
        for (file, _, name), (_, _, _, ct, _) in stats.stats.items()
        if any(file.endswith(suffix) and name == fn for suffix, fn in wanted)
    )


def _sqlite_s(stats: Any) -> float:
    return sum(
        tt
        for (_, _, name), (_, _, tt, _, _) in stats.stats.items()
        if "sqlite3.Cursor" in name and any(f"'{call}'" in name for call in SQLITE_CALLS)
    )


def profile_in_process(
    setup: Setup, endpoints: list[str], n_reads: int, n_proposals: int
) -> dict[str, dict[str, float]]:
    """One request at a time through the ASGI app in this process, under cProfile, with FastAPI's
    thread pool replaced by a direct call so that the profiler sees the endpoint's work.

    Returns, per endpoint, seconds per request: the whole request, its parts (READ_PARTS or
    PROPOSAL_PARTS) and the time inside SQLite's C calls; plus the CPU time per request of an
    unprofiled run of the same requests.
    """
    import asyncio
    import cProfile
    import pstats

    import fastapi.dependencies.utils
    import fastapi.routing
    import httpx

    from api.http.app import create_app
    from profiles.settings import Settings

    async def inline(func: Any, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    saved = fastapi.routing.run_in_threadpool, fastapi.dependencies.utils.run_in_threadpool
    fastapi.routing.run_in_threadpool = fastapi.dependencies.utils.run_in_threadpool = inline
    settings = Settings(DATABASE_URL=f"sqlite:///{setup.db}", today=TODAY, output_dir=setup.work / "out")
    app = create_app(settings)
    workloads = {
        "search": (search_requests(setup), n_reads, READ_PARTS),
        "matches": (matches_requests(setup), n_reads, READ_PARTS),
        "proposals": (proposal_requests(setup), n_proposals, PROPOSAL_PARTS),
    }
    out: dict[str, dict[str, float]] = {}

    async def send(client: Any, r: loadgen.Request) -> None:
        answer = await client.request(r.method, r.path, headers=dict(r.headers), content=r.body or None)
        if answer.status_code >= 300:
            raise SystemExit(f"profiling: {r.method} {r.path} answered {answer.status_code}: {answer.text[:200]}")

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
            for endpoint, (requests, n, parts) in workloads.items():
                if n <= 0 or endpoint not in endpoints:
                    continue
                for r in requests[: min(len(requests), 50 if endpoint != "proposals" else 1)]:
                    await send(client, r)  # warm-up
                cpu0 = time.process_time()
                for i in range(n):
                    await send(client, requests[i % len(requests)])
                cpu = (time.process_time() - cpu0) / n
                profiler = cProfile.Profile()
                profiler.enable()
                for i in range(n):
                    await send(client, requests[i % len(requests)])
                profiler.disable()
                stats = pstats.Stats(profiler)
                total = _cumulative(stats, [("httpx/_transports/asgi.py", "handle_async_request")])
                row = {"cpu_unprofiled": cpu, "total": total / n, "sqlite": _sqlite_s(stats) / n}
                for label, wanted in parts.items():
                    row[label] = _cumulative(stats, wanted) / n
                out[endpoint] = row
                print(f"profiled {endpoint}: " + ", ".join(f"{k} {_ms(v)}" for k, v in row.items()), flush=True)

    try:
        asyncio.run(run())
    finally:
        fastapi.routing.run_in_threadpool, fastapi.dependencies.utils.run_in_threadpool = saved
        app.state.engine.dispose()
    return out


def _profile_table(profiled: dict[str, dict[str, float]]) -> list[str]:
    if not profiled:
        return []
    lines = [
        "Where the time goes, in process (the ASGI app called one request at a time, FastAPI's thread pool "
        "bypassed, cProfile on; its overhead inflates Python-heavy parts against SQLite's C code). "
        "Per request; the unprofiled CPU time of the same requests for scale.",
        "",
    ]
    reads = {k: v for k, v in profiled.items() if k != "proposals"}
    if reads:
        labels = list(READ_PARTS)
        database = labels.index("database (SQL + rows → objects)")
        header = labels[: database + 1] + ["of which in SQLite's C calls"] + labels[database + 1 :]
        lines += [
            "| endpoint | CPU / req (no profiler) | profiled total | "
            + " | ".join(header)
            + " | FastAPI, validation, JSON |",
            "|---|" + "---:|" * (len(header) + 3),
        ]
        for endpoint, row in reads.items():
            rest = row["total"] - sum(row[label] for label in labels)
            cells = [f"{_ms(row[label])} ({100 * row[label] / row['total']:.0f}%)" for label in labels]
            cells.insert(database + 1, f"{_ms(row['sqlite'])} ({100 * row['sqlite'] / row['total']:.0f}%)")
            lines.append(
                f"| {endpoint} | {_ms(row['cpu_unprofiled'])} | {_ms(row['total'])} | "
                + " | ".join(cells)
                + f" | {_ms(rest)} ({100 * rest / row['total']:.0f}%) |"
            )
        lines.append("")
    if "proposals" in profiled:
        row = profiled["proposals"]
        parts = ", ".join(
            f"{label} {_ms(row[label])} ({100 * row[label] / row['total']:.0f}%)" for label in PROPOSAL_PARTS
        )
        lines += [
            f"Proposal generation, in process (wall time; cbc runs as a subprocess): {_ms(row['total'])} per "
            f"request — {parts}.",
            "",
        ]
    return lines


# --------------------------------------------------------------------------- report
def _ms(seconds: float) -> str:
    ms = seconds * 1000
    if ms >= 10_000:
        return f"{seconds:,.0f} s"
    if ms >= 1_000:
        return f"{seconds:.1f} s"
    return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:.1f} ms"


def _spread(p: Phase) -> str:
    if len(p.run_throughputs) < 2:
        return ""
    return f" ({_rate(min(p.run_throughputs))}–{_rate(max(p.run_throughputs))})"


def _rate(per_s: float) -> str:
    return f"{per_s:,.0f}" if per_s >= 100 else f"{per_s:.1f}" if per_s >= 1 else f"{per_s:.3f}"


def _row(p: Phase) -> str:
    r = p.result
    return (
        f"| {p.workers} | {p.endpoint} | {p.clients} | {len(r.latencies_s):,} | {len(r.errors)} | "
        f"{_ms(r.percentile(50))} | {_ms(r.percentile(99))} | {_rate(r.throughput)}{_spread(p)} | "
        f"{_ms(p.cpu_ms_per_request / 1000)} | {'/'.join(map(str, p.spread)) or '–'} | "
        f"{100 * r.client_cpu_s / r.wall_s:.0f}% | {p.peak_rss_mb:,.0f} MB | "
        f"{p.load_before:.1f} → {p.load_after:.1f} |"
    )


def _problems(phases: list[Phase]) -> list[str]:
    out = []
    for p in phases:
        died = sum("died" in line for line in p.server_problems)
        memory = sum("MemoryError" in line for line in p.server_problems)
        kinds: dict[str, int] = {}
        for e in p.result.errors:
            kind = e.split(":", 1)[0] if not e.startswith("job ") else "job " + e.split(" ", 3)[2].rstrip(":")
            kinds[kind] = kinds.get(kind, 0) + 1
        if p.result.errors or p.server_problems:
            parts = [f"{n} × {k}" for k, n in sorted(kinds.items())]
            if died:
                parts.append(f"{died} worker process(es) restarted by uvicorn's supervisor")
            if memory:
                parts.append(f"{memory} MemoryError line(s) in the server log")
            exited = [line for line in p.server_problems if line.startswith("the server exited")]
            parts += exited
            example = next(
                (e for e in p.result.errors if e.startswith("job ")), p.result.errors[0] if p.result.errors else ""
            )
            out.append(
                f"- {p.workers} worker(s), {p.endpoint}, {p.clients} client(s): "
                + "; ".join(parts)
                + (f" (e.g. `{example[:160]}`)" if example else "")
                + "."
            )
    return out


ENDPOINTS = {
    "search": "profile search `GET /profiles`",
    "matches": "matches of a profile `GET /profiles/{key}/matches`",
    "proposals": "proposal generation `POST /bids/{bid}/proposals` (wait)",
}


def _verdict(phases: list[Phase], clients: int) -> tuple[str, bool]:
    lines, met_any = [], False
    for w in sorted({p.workers for p in phases}):
        reads = [p for p in phases if p.workers == w and p.clients == clients and p.endpoint in ("search", "matches")]
        if not reads:
            continue
        met = all(p.result.percentile(99) < GOAL_P99_S and not p.result.errors for p in reads)
        met_any |= met
        detail = ", ".join(f"{p.endpoint} p99 {_ms(p.result.percentile(99))}" for p in reads)
        lines.append(f"{w} worker(s): {detail} — {'met' if met else 'not met'}")
    return "; ".join(lines), met_any


def report(
    phases: list[Phase],
    setup: Setup,
    args: argparse.Namespace,
    mix: dict[str, float],
    profiled: dict[str, dict[str, float]],
) -> str:
    from bench.perf.versions import versions_line

    rows = [_row(p) for p in phases]
    goal_clients = max(args.concurrency)
    verdict, met = _verdict(phases, goal_clients)
    c = setup.counts
    reads50 = [p for p in phases if p.clients == goal_clients and p.endpoint in ("search", "matches")]
    needed = goal_clients / GOAL_P99_S
    little = ""
    reads1 = [p for p in phases if p.clients == 1 and p.endpoint in ("search", "matches")]
    if reads50 and reads1:
        cheap, dear = (min(reads1, key=lambda p: p.cpu_ms_per_request), max(reads1, key=lambda p: p.cpu_ms_per_request))
        hot = max(reads50, key=lambda p: p.cpu_ms_per_request)
        little = (
            f"With {goal_clients} closed-loop clients and no think time, Little's law ties latency to throughput: "
            f"mean latency = {goal_clients} / throughput. A p99 under 100 ms therefore needs well over "
            f"{needed:,.0f} requests/s, i.e. at most {1000 * (os.cpu_count() or 1) / needed:.1f} ms of server CPU "
            f"per request on {os.cpu_count()} cores, with both cores busy. At 1 client a read costs "
            f"{cheap.cpu_ms_per_request:.1f} ms ({cheap.endpoint}) to {dear.cpu_ms_per_request:.1f} ms "
            f"({dear.endpoint}) of server CPU; at {goal_clients} clients up to {hot.cpu_ms_per_request:.1f} ms "
            f"({hot.endpoint}, {hot.workers} worker(s)), as up to 40 threads of a worker's pool take turns "
            f"on its GIL."
        )
    proposal_note = ""
    props = [p for p in phases if p.endpoint == "proposals"]
    if props:
        proposal_note = (
            f"Proposal generation solves `{setup.bid}` with `{json.dumps(PROPOSAL_BODY)}` (default solver "
            f"cbc), {args.proposal_requests[0]} request(s) at 1 client and {args.proposal_requests[-1]} at "
            f"{goal_clients}; it is CPU-bound, so at {goal_clients} clients its latency is the queue."
        )
    body = [
        versions_line(),
        "",
        f"Data: {c['synthetic_profiles']:,} synthetic profiles of {c['synthetic_firms']:,} firms "
        f"(bench/perf/synthetic_profiles.py, seed {args.seed}) plus the demo data ({c['demo_firms']} firms, "
        f"{c['demo_profiles']} profiles, {c.get('demo_bids', 6)} bids), imported with `partnermatch import` "
        "into a fresh SQLite file and matched with `partnermatch match` "
        f"(import {setup.seconds.get('import', 0):.0f} s, "
        f"match {setup.seconds.get('match', 0):.0f} s). Server: `partnermatch serve` (uvicorn, loopback, "
        f"access log off) with {' or '.join(str(w) for w in args.workers)} worker process(es), limited to "
        f"{args.memory_limit_mb:,} MB of address space in all (RLIMIT_AS, split over the workers). "
        f"Client: bench/api/loadgen.py, a closed loop of C clients on keep-alive HTTP/1.1 connections (asyncio + "
        f"uvloop, raw sockets), each sending its next request when the previous answer has been read; "
        f"{c['accounts']} accounts with API keys (1 advisor of the bid's cluster, firm users) take turns.",
        "",
        f"Profile search: {mix.get('queries', 0):.0f} queries (free-text words, type, country, capability, a second "
        f"page; default page size 50) by every account in turn; hits per query: "
        f"median {mix.get('median_hits', 0):,.0f}, min {mix.get('min_hits', 0):,.0f}, "
        f"max {mix.get('max_hits', 0):,.0f}. Matches: the stored top-10 matches of "
        f"the firm users' own profiles and of the advisor's cluster profiles, in turn. {proposal_note}",
        "",
        f"Read phases: {args.runs} run(s) of {args.requests:,} requests after a warm-up, each run on fresh "
        f"connections (with 2 workers the kernel spreads the {max(args.concurrency)} keep-alive connections "
        f"unevenly, and differently every run); latencies pooled over the runs, throughput of all runs with the "
        f"slowest–fastest run in brackets. Latency = request written → last byte read. "
        "p99 is the nearest-rank percentile, so with fewer than 100 requests it is the slowest one. "
        "Server CPU = CPU time of all server processes (and their solver subprocesses) per request. Connections per "
        "worker (2 workers): established client connections of each worker process, the fullest of snapshots taken "
        "every second (`ss`); uvicorn's workers share one listening socket, and a worker that wakes up accepts "
        "every connection waiting, so a burst of new connections can land on one worker. Client CPU = the "
        "load generator's share of one core. Load = 1-minute load average before → after (the machine is shared; "
        "anything above the server's own load is other work).",
        "",
        "| workers | endpoint | clients | requests | errors | median | p99 | throughput (req/s) | server CPU / req | "
        "connections per worker | client CPU | peak server RSS | load |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
        *rows,
        "",
        *(
            ["Errors and server trouble:", *_problems(phases), ""]
            if _problems(phases)
            else ["No errors: every answer was 2xx and every proposal job finished.", ""]
        ),
        "Endpoints: " + "; ".join(f"{k} = {v}" for k, v in ENDPOINTS.items()) + ".",
        "",
        (
            f"**Goal: read p99 under 100 ms at {goal_clients} concurrent clients.** {verdict}. "
            f"**{'Met' if met else 'Not met'}.**"
            if verdict
            else ""
        ),
        "",
        little,
        "",
        *_profile_table(profiled),
    ]
    return "\n".join(body).rstrip() + "\n"


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=10_000, help="synthetic profiles (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=1000, help="requests per read run (default 1,000)")
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per read phase, each on fresh connections, pooled (default 3)"
    )
    parser.add_argument(
        "--proposal-requests",
        type=int,
        nargs=2,
        default=[5, 50],
        metavar=("AT_1", "AT_C"),
        help="proposal requests at 1 client and at the highest concurrency (default 5 50)",
    )
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 50])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="uvicorn worker counts to try")
    parser.add_argument("--endpoints", nargs="+", default=list(ENDPOINTS), choices=list(ENDPOINTS))
    parser.add_argument("--bid", default=DEMO_BID, help=f"demo bid for proposal generation (default {DEMO_BID})")
    parser.add_argument(
        "--memory-limit-mb",
        type=int,
        default=10_240,
        help="address-space limit of the server, split over its worker processes (default 10,240)",
    )
    parser.add_argument(
        "--profile-requests",
        type=int,
        nargs=2,
        default=[300, 2],
        metavar=("READS", "PROPOSALS"),
        help="requests per endpoint for the in-process profile (default 300 2; 0 0 skips it)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the database here and reuse it when it matches")
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md even for a small run")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    args.concurrency = sorted(set(args.concurrency))

    temp = None
    if args.workdir:
        work = args.workdir.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        temp = tempfile.TemporaryDirectory(prefix="pm-latency-")
        work = Path(temp.name)
    try:
        setup = reuse(work, args.profiles, args.seed, args.bid) if args.workdir else None
        if setup is None:
            setup = build(work, args.profiles, args.seed, args.bid)
        else:
            print(f"reusing the database in {work}", flush=True)
        workloads = {
            "search": (search_requests(setup), loadgen.expect_2xx, 120.0),
            "matches": (matches_requests(setup), loadgen.expect_2xx, 120.0),
            "proposals": (proposal_requests(setup), loadgen.expect_finished_job, 3600.0),
        }
        phases: list[Phase] = []
        mix: dict[str, float] = {}
        print(
            "| workers | endpoint | clients | requests | errors | median | p99 | req/s | server CPU/req | conns/worker "
            "| client CPU | peak RSS | load |",
            flush=True,
        )
        for workers in args.workers:
            server = Server(setup, workers, args.memory_limit_mb)
            try:
                server.wait_ready()
                if not mix:
                    mix = describe_searches(server.port, workloads["search"][0])
                for endpoint in args.endpoints:
                    requests, check, timeout_s = workloads[endpoint]
                    if endpoint == "proposals":
                        warm = loadgen.run(
                            "127.0.0.1", server.port, requests, 2 * workers, 2 * workers, check, timeout_s
                        )
                    else:
                        warm = loadgen.run(
                            "127.0.0.1", server.port, requests, max(100, len(requests)), 8, check, timeout_s
                        )
                    if warm.errors:
                        print(f"    warm-up errors ({endpoint}): {warm.errors[:3]}", flush=True)
                    for line in server.new_log_problems()[:5]:
                        print(f"    server log during warm-up: {line[:200]}", flush=True)
                    for clients in args.concurrency:
                        if endpoint == "proposals":
                            total = args.proposal_requests[0] if clients == 1 else args.proposal_requests[-1]
                        else:
                            total = args.requests
                        runs = 1 if endpoint == "proposals" else args.runs
                        phases.append(
                            measure(server, workers, endpoint, requests, total, clients, check, timeout_s, runs)
                        )
                        if server.proc.poll() is not None:
                            break
                    if server.proc.poll() is not None:
                        print(f"    the server died; see {server.log_path}", flush=True)
                        break
            finally:
                server.stop()
        reads, proposals = args.profile_requests
        profiled = profile_in_process(setup, args.endpoints, reads, proposals) if reads or proposals else {}
        body = report(phases, setup, args, mix, profiled)
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
