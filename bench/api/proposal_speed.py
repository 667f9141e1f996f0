"""Proposal for one bid at exchange scale (python -m bench.api.proposal_speed).

For each size (`--profiles`, default 10k and 100k synthetic profiles plus the demo data, built once per
size by bench.api.latency and reused from `--workdir`):

1. In process, the problem preparation of the demo bid, in the same run:
   - *all firms* (the baseline, before): every firm loaded, requirement fit for every firm, every stored
     match read for synergy;
   - *index, cold*: firms, the capability index and the synergy of stored matches read afresh (the first
     request of a process), then only the candidate firms fitted;
   - *index, warm*: the same with them kept (every later request: the database is asked only whether a
     firm, a profile or the matches changed).
2. End to end through HTTP: `partnermatch serve` (1 worker), then `POST /api/v1/bids/{bid}/proposals` with
   `{"wait": true, "alternatives": 3}` by the bid's advisor, `--requests` times one after another after
   one warm-up request; the median with a bootstrap 95% interval, and the slowest.

The goal: p50 < 0.5 s at 10k profiles and < 1.5 s at 100k.

    python -m bench.api.proposal_speed                        # 10k and 100k, writes docs/benchmarks.md
    python -m bench.api.proposal_speed --profiles 2000 --requests 5 --no-docs   # smoke test
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from bench.api import latency
from bench.report import write_section

SECTION = "Proposal for one bid at scale"
SCRIPT = "python -m bench.api.proposal_speed"
BODY = {"wait": True, "time_limit": 30, "alternatives": 3}
GOALS = {10_000: 0.5, 100_000: 1.5}


def match_by_words(env: dict[str, str]) -> str:
    """Score the exchange without the semantic component: a first run embeds every profile (about two hours
    at 100k on two cores), and a proposal reads only the stored scores, whatever made them."""
    from api.actions import match_runs
    from api.actions.operator import operator
    from matching.config import MatchingConfig
    from profiles.db import make_engine
    from profiles.settings import Settings

    settings = Settings(DATABASE_URL=env["DATABASE_URL"], today=latency.TODAY)
    config = MatchingConfig()
    weights = dict(config.weights, semantic=0.0)
    total = sum(weights.values())
    config = MatchingConfig(**(config.model_dump() | {"weights": {k: v / total for k, v in weights.items()}}))
    config = config.model_copy(update={"semantic_k": 0})
    engine = make_engine(settings.database_url)
    summary = match_runs.match_all(operator(engine, settings), config)
    engine.dispose()
    return str(summary)


def _old_problem(session, bids, config):
    """The preparation before the capability index: every firm and every stored match."""
    from optimizer.instance import prepare_problem
    from profiles import repository
    from profiles.repository import duplicates as duplicate_store
    from profiles.taxonomy.vocabulary import load_vocabulary

    firms = repository.load_firms(session)
    twins = duplicate_store.open_pair_keys(session)
    problem = prepare_problem(bids, firms, repository.match_scores(session), load_vocabulary(), config, twins)
    return problem, {f.key: f for f in firms}


def _timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def in_process(setup: latency.Setup, repeats: int) -> dict[str, object]:
    from api.actions import proposal_inputs, proposals
    from optimizer.config import OptimizerConfig
    from profiles import repository
    from profiles.db import make_engine, session_scope

    engine = make_engine(f"sqlite:///{setup.db}")
    config = OptimizerConfig()
    with session_scope(engine, readonly=True) as session:
        bid = repository.get_bid(session, setup.bid)

        def old() -> None:
            _old_problem(session, [bid], config)

        def cold() -> None:
            proposal_inputs.forget()
            proposals._problem_for(session, [bid], config)

        def warm() -> None:
            proposals._problem_for(session, [bid], config)

        result: dict[str, object] = {
            "all firms": _timed(old, repeats),
            "index, cold": _timed(cold, repeats),
            "index, warm": _timed(warm, repeats),
        }
        old_problem, _ = _old_problem(session, [bid], config)
        new_problem, _ = proposals._problem_for(session, [bid], config)
    # The same candidates and fits, so the same proposals: the index only skips firms that could not fit.
    same = [c.firm for c in old_problem.bids[0].candidates] == [c.firm for c in new_problem.bids[0].candidates]
    result["same candidates"] = same
    result["candidates"] = len(new_problem.bids[0].candidates)
    result["firms read"] = len(new_problem.firm_names)
    result["all firms read"] = len(old_problem.firm_names)
    engine.dispose()
    return result


def over_http(setup: latency.Setup, requests: int) -> list[float]:
    server = latency.Server(setup, 1, 8192)
    try:
        server.wait_ready()
        url = f"http://127.0.0.1:{server.port}/api/v1/bids/{quote(setup.bid)}/proposals"
        headers = {"X-API-Key": setup.keys["advisor"], "Content-Type": "application/json"}
        times = []
        for i in range(requests + 1):
            request = urllib.request.Request(url, json.dumps(BODY).encode(), headers, method="POST")
            t0 = time.perf_counter()
            with urllib.request.urlopen(request, timeout=300) as response:
                body = json.loads(response.read())
                assert response.status in (200, 201, 202), response.status
            if i:  # the first request warms the process (imports, the index)
                times.append(time.perf_counter() - t0)
            assert body, body
        return times
    finally:
        server.stop()


def median_interval(values: list[float], rounds: int = 2000, seed: int = 1) -> tuple[float, float, float]:
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(rounds))
    return statistics.median(values), medians[int(0.025 * rounds)], medians[int(0.975 * rounds) - 1]


def _fmt(values: list[float]) -> str:
    mid, low, high = median_interval(values)
    return f"{mid:.3f} [{low:.3f}, {high:.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/pm-proposal-speed"))
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument(
        "--with-meaning", action="store_true", help="build with the semantic component (slow: embeds every profile)"
    )
    args = parser.parse_args()

    rows = []
    for n in args.profiles:
        work = args.workdir / f"{n}"
        work.mkdir(parents=True, exist_ok=True)
        setup = latency.reuse(work, n, 1, latency.DEMO_BID) or latency.build(
            work, n, 1, latency.DEMO_BID, None if args.with_meaning else match_by_words
        )
        prepared = in_process(setup, args.repeats)
        http = over_http(setup, args.requests)
        print(n, prepared, http, flush=True)
        rows.append((n, prepared, http))

    lines = [
        "Problem preparation of the demo bid (seconds: median [bootstrap 95% interval] of the repeats) in one "
        "process, the baseline and the index path in the same run; then the whole proposal through HTTP "
        "(`POST /bids/{bid}/proposals`, wait, 3 alternatives, 1 worker, one request at a time after a warm-up).",
        "",
        "| profiles | prepare: all firms (before) | prepare: index, cold | prepare: index, warm | warm ÷ before "
        "| firms fitted (before → now) | same candidates | HTTP p50 [95%] | HTTP slowest | goal |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, prepared, http in rows:
        old = statistics.median(prepared["all firms"])  # type: ignore[arg-type]
        warm = statistics.median(prepared["index, warm"])  # type: ignore[arg-type]
        goal = GOALS.get(n)
        p50 = statistics.median(http)
        verdict = "–" if goal is None else (f"< {goal} s: {'met' if p50 < goal else 'missed'}")
        lines.append(
            f"| {n:,} | {_fmt(prepared['all firms'])} | {_fmt(prepared['index, cold'])} "  # type: ignore[arg-type]
            f"| {_fmt(prepared['index, warm'])} | {warm / old:.3f} "  # type: ignore[arg-type]
            f"| {prepared['all firms read']:,} → {prepared['firms read']:,} | {prepared['same candidates']} "
            f"| {_fmt(http)} | {max(http):.3f} | {verdict} |"
        )
    lines += [
        "",
        "The index path keeps firms, their capability index and the stored matches' synergy in the process, "
        "and asks the database on every request whether a firm, a profile or the matches changed (a firm "
        "edited since is read again; a match run means the synergy is read again); *cold* is the first "
        "request of a process, or the first after a firm was deleted or merged. *Same candidates*: the "
        "baseline and the index path give the same candidate firms, so the same proposals.",
    ]
    if not args.no_docs:
        write_section(SECTION, SCRIPT, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
