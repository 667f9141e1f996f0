"""Optimiser speed against the plain compact model (python -m bench.perf.optimizer [--quick]).

Single bids over 100, 500 and 2,000 candidate firms and joint plans for 10 and
50 simultaneous bids over 2,000 firms, with CBC and HiGHS; the compact model
(bench/perf/compact_model.py) runs on the same instance in the same run and
times are reported as engine/baseline ratios. Also: agreement with brute force
on small random instances. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from typing import Any

from bench.perf.compact_model import solve_compact
from bench.report import write_section
from bench.synthetic_consortia import random_problem
from optimizer.bruteforce import best_by_enumeration
from optimizer.config import OptimizerConfig
from optimizer.model import build
from optimizer.propose import propose_bid, propose_joint
from optimizer.reduce import reduce_problem, synergy_shortlist
from optimizer.solve import available_solvers, solve
from profiles.domain import Capability, Firm

from .versions import versions_line

SINGLE_SIZES = (100, 500, 2000)
JOINT = ((10, 60.0), (50, 150.0))


def _firms(problem) -> dict[str, Firm]:
    return {f: Firm(key=f, name=f, country="DK", capabilities=(Capability("x"),)) for f in problem.availability}


def _gap(g: float | None) -> str:
    return "–" if g is None else f"{100 * g:.2f}%"


def single_rows(solvers: list[str], repeats: int, sizes) -> list[str]:
    rows = []
    for n in sizes:
        problem = random_problem(n, n_bids=1, seed=n, pool=6)  # every firm can cover something: n candidates
        firms = _firms(problem)
        for solver in solvers:
            config = OptimizerConfig(solver=solver, time_limit=60)
            ends, proposals = [], []
            for _ in range(repeats):
                t0 = time.perf_counter()
                outcome = propose_bid(problem, firms, config, alternatives=1)
                ends.append(time.perf_counter() - t0)
                proposals.append(outcome.proposals[0])
            builds = [p["build_seconds"] for p in proposals]
            solves = [p["solve_seconds"] for p in proposals]
            p = proposals[-1]
            base_runs = [solve_compact(problem, config, solver, 60) for _ in range(repeats)]
            base = base_runs[-1][0]
            base_times = [base_build + result.seconds for result, base_build in base_runs]
            end, base_end = statistics.median(ends), statistics.median(base_times)
            model = p["explanation"]["model"]
            rows.append(
                f"| 1 bid × {n} | {solver} | {p['solver_status']} | {end:.3f} s | "
                f"{statistics.median(builds):.3f} s | {statistics.median(solves):.3f} s | "
                f"{model['kept']}/{model['candidates']} | {base.status}, {_gap(base.gap)} | "
                f"{base_end:.3f} s | {end / base_end:.2f} |"
            )
            print(rows[-1], flush=True)
    return rows


def joint_rows(solvers: list[str], cases) -> list[str]:
    rows = []
    for n_bids, limit in cases:
        problem = random_problem(2000, n_bids=n_bids, seed=7 + n_bids)
        firms = _firms(problem)
        for solver in solvers:
            t0 = time.perf_counter()
            outcomes = propose_joint(problem, firms, OptimizerConfig(solver=solver, time_limit=limit))
            seconds = time.perf_counter() - t0
            staffed = [o for o in outcomes if o.feasible]
            joint: dict[str, Any] = (
                staffed[0].proposals[0]["explanation"]["joint"] if staffed else {"gap": None, "method": "-"}
            )
            base, base_build = solve_compact(problem, OptimizerConfig(solver=solver), solver, limit)
            base_total = base_build + base.seconds
            rows.append(
                f"| {n_bids} bids × 2000 | {solver} | {len(staffed)}/{n_bids} staffed, {joint['method']} | "
                f"{seconds:.1f} s | gap {_gap(joint['gap'])} | {base.status}, gap {_gap(base.gap)} | "
                f"{base_total:.1f} s (limit {limit:.0f} s) | {seconds / base_total:.2f} |"
            )
            print(rows[-1], flush=True)
    return rows


def brute_force_agreement(count: int) -> str:
    agree = feasible = 0
    config = OptimizerConfig(synergy_candidates=4, time_limit=20)
    for seed in range(count):
        problem = random_problem(9, n_bids=1, n_requirements=3, seed=1000 + seed, pair_neighbours=3)
        (bi,) = problem.bids
        bi = replace(bi, bid=replace(bi.bid, max_size=4))
        problem = replace(problem, bids=(bi,))
        expected = best_by_enumeration(
            replace(problem, bids=(replace(bi, pair_firms=synergy_shortlist(bi, 4)),)), config
        )
        reduced, _ = reduce_problem(problem, config)
        result = solve(build(reduced, config)[0], config)
        if expected is None:
            agree += not result.has_plan
        else:
            feasible += 1
            agree += result.objective is not None and abs(result.objective - expected[0]) < 1e-6
    return (
        f"Brute force agreement: {agree} of {count} random instances (9 firms, 3 requirements, size ≤ 4; "
        f"{feasible} feasible) give the same optimum with pruning and the synergy shortlist on."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    solvers = available_solvers()
    sizes = (100, 500) if args.quick else SINGLE_SIZES
    cases = ((5, 20.0),) if args.quick else JOINT
    head = [
        "| case | solver | engine status | engine end to end | reduce + build | solve | firms kept | "
        "compact model | compact time | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    single = single_rows(solvers, args.repeats, sizes)
    jhead = [
        "| case | solver | engine | engine time | engine gap (to its bound) | compact model | compact time | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    joint = joint_rows(solvers, cases)
    agreement = brute_force_agreement(20 if args.quick else 100)
    body = "\n".join(
        [
            versions_line(),
            "",
            f"Random instances (bench/synthetic_consortia.py): 6 requirements per bid (5 mandatory), volumes on some, "
            f"40% of firms lead-eligible, each firm linked to 10 random others by a match score. Firms hold "
            f"capabilities from a pool of 12 that every bid draws from, so simultaneous bids compete for the same "
            f"strong firms (single bids use a pool of 6, so all firms are candidates). Single bids: median "
            f"of {args.repeats} runs, one consortium (K = 1), end to end = pre-check + reduce + build + solve + "
            "extract + plan check + explanation.",
            "",
            *head,
            *single,
            "",
            "Joint plans (one run each): the engine's gap is measured against its Lagrangian bound (never above the "
            "sum of the bids' separate optima); the compact model's gap is against its own bound. "
            "bench/perf/joint_plans.py compares the joint paths in detail.",
            "",
            *jhead,
            *joint,
            "",
            agreement,
        ]
    )
    write_section("Optimiser speed", "python -m bench.perf.optimizer", body)
    print(body)


if __name__ == "__main__":
    main()
