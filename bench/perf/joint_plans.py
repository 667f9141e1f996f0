"""Joint plans across simultaneous bids (python -m bench.perf.joint_plans [--quick]).

In one run, on the same random instances (bench/synthetic_consortia.py, 2,000 firms, one
consortium per firm at a time): the compact baseline model's time to its proven optimum, the
earlier joint path (greedy, then the joint model warm-started from it), the Lagrangian prices
alone (10 bids: the engine with its search over shared firms off) and the engine as it is,
each with its time, value, bound and gap. Every engine plan is checked again with
`optimizer.verify` (every bid rule, and availability across bids); the compact model's plans are
checked the same way, to show what its rules leave out. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from bench.perf.compact_model import build_compact
from bench.report import write_section
from bench.synthetic_consortia import random_problem
from optimizer.config import OptimizerConfig
from optimizer.instance import ProblemInput
from optimizer.plans import plan_for
from optimizer.propose import GREEDY, LAGRANGIAN, BidOutcome, propose_joint
from optimizer.rules import over_availability
from optimizer.solve import solve
from optimizer.verify import Plan, plan_problems
from profiles.domain import Capability, Firm

from .versions import versions_line


def _firms(problem: ProblemInput) -> dict[str, Firm]:
    return {f: Firm(key=f, name=f, country="DK", capabilities=(Capability("x"),)) for f in problem.availability}


def _plans(outcomes: list[BidOutcome]) -> list[Plan]:
    out = []
    for o in outcomes:
        if o.feasible:
            p = o.proposals[0]["plan"]
            members = tuple(sorted(m["firm"] for m in p["members"]))
            primary = {r: m["firm"] for m in p["members"] for r in m["covers"]}
            out.append(Plan(o.bid, members, p["lead"], primary))
    return out


def verified(problem: ProblemInput, plans: list[Plan]) -> tuple[int, int]:
    """(plans breaking a bid rule, firms over their availability), checked by optimizer.verify's rules."""
    by_key = {bi.bid.key: bi for bi in problem.bids}
    broken = sum(1 for p in plans if plan_problems(by_key[p.bid], p))
    return broken, len(over_availability(plans, problem.availability))


def run_engine(problem: ProblemInput, method: str, config: OptimizerConfig) -> dict[str, Any]:
    t0 = time.perf_counter()
    outcomes = propose_joint(problem, _firms(problem), config, method_name=method)
    seconds = time.perf_counter() - t0
    staffed = [o for o in outcomes if o.feasible]
    joint = staffed[0].proposals[0]["explanation"]["joint"]
    broken, over = verified(problem, _plans(outcomes))
    return {
        "seconds": seconds,
        "staffed": len(staffed),
        "method": joint["method"],
        "value": joint["value"],
        "bound": joint["bound"],
        "gap": joint["gap"],
        "status": staffed[0].status,
        "nodes": joint.get("nodes", 0),
        "broken": broken,
        "over": over,
    }


def run_compact(problem: ProblemInput, config: OptimizerConfig, limit: float) -> dict[str, Any]:
    t0 = time.perf_counter()
    prob = build_compact(problem, config)
    result = solve(prob, config, config.solver, limit)
    seconds = time.perf_counter() - t0
    chosen: dict[int, list[str]] = {}
    for var in prob.variables():
        if var.name.startswith("x_") and (var.value() or 0) > 0.5:
            _, b, n = var.name.split("_")
            chosen.setdefault(int(b), []).append(problem.bids[int(b)].candidates[int(n)].firm)
    plans = [plan_for(problem.bids[b], sorted(m)) for b, m in sorted(chosen.items())]
    broken, over = verified(problem, plans)
    return {"seconds": seconds, "status": result.status, "gap": result.gap, "broken": broken, "over": over}


TITLES = (
    ("greedy", "earlier joint path (greedy + joint model)"),
    ("prices", "Lagrangian prices only (before)"),
    ("engine", "search over shared firms, then prices (new)"),
)


def _span(values: list[float], fmt: str) -> str:
    if len(values) == 1:
        return format(values[0], fmt)
    return f"{format(statistics.median(values), fmt)} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def case(
    n_bids: int,
    seeds: list[int],
    old_seeds: list[int],
    limit: float,
    gap: float,
    notes: list[str],
    prices_only: bool = False,
) -> list[str]:
    """With `prices_only`, the engine also runs with the search over shared firms off: the path before it."""
    rows = []
    engine_cfg = OptimizerConfig(time_limit=limit, joint_gap_rel=gap)
    prices_cfg = engine_cfg.model_copy(update={"joint_search": 0})
    greedy_cfg = OptimizerConfig(time_limit=limit)
    compact_cfg = OptimizerConfig()
    runs: dict[str, list[dict[str, Any]]] = {"compact": [], "greedy": [], "prices": [], "engine": []}
    for seed in seeds:
        problem = random_problem(2000, n_bids=n_bids, seed=seed)
        runs["compact"].append(run_compact(problem, compact_cfg, limit))
        runs["engine"].append(run_engine(problem, LAGRANGIAN, engine_cfg))
        if prices_only:
            runs["prices"].append(run_engine(problem, LAGRANGIAN, prices_cfg))
        if seed in old_seeds:
            runs["greedy"].append(run_engine(problem, GREEDY, greedy_cfg))
        print(n_bids, seed, {k: v[-1] for k, v in runs.items() if v}, flush=True)
    base = statistics.median(r["seconds"] for r in runs["compact"])
    label = f"{n_bids} bids × 2000 ({len(seeds)} seeds)"
    c = runs["compact"]
    rows.append(
        f"| {label} | compact baseline (fewer rules) | {_span([r['seconds'] for r in c], '.1f')} s | – | – | "
        f"{', '.join(sorted({r['status'] for r in c}))}, own gap {_span([100 * (r['gap'] or 0) for r in c], '.2f')}% "
        f"| 1.00 | plans breaking a real rule: {sum(r['broken'] for r in c)} of {n_bids * len(c)} |"
    )
    for name, title in TITLES:
        r = runs[name]
        if not r:
            continue
        times = [x["seconds"] for x in r]
        statuses = ", ".join(sorted({f"{x['status']} ({x['method']})" for x in r}))
        rows.append(
            f"| {label if name == 'greedy' and len(r) == len(seeds) else f'{n_bids} bids × 2000 ({len(r)} seeds)'} "
            f"| {title} | {_span(times, '.1f')} s | {_span([x['value'] for x in r], '.2f')} | "
            f"{_span([x['bound'] for x in r], '.2f')} | {statuses}, gap {_span([100 * x['gap'] for x in r], '.2f')}% | "
            f"{statistics.median(times) / base:.2f} | verify: {sum(x['broken'] for x in r)} broken plans, "
            f"{sum(x['over'] for x in r)} firms over availability; {min(x['staffed'] for x in r)}/{n_bids} staffed |"
        )
    for name in ("compact", "greedy", "prices", "engine"):
        if not runs[name]:
            continue
        per_seed = "; ".join(
            f"seed {seed}: {r['status']}, {r['seconds']:.1f} s"
            + (f", gap {100 * r['gap']:.2f}%" if name != "compact" else "")
            + (f", {r['nodes']} search nodes" if r.get("nodes") else "")
            for seed, r in zip(seeds if name != "greedy" else old_seeds, runs[name], strict=False)
        )
        notes.append(f"{n_bids} bids, {name}: {per_seed}.")
    for row in rows:
        print(row, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one seed per case and 10 bids only (a smoke run)")
    args = parser.parse_args()
    head = [
        "| case | method | time (median, range) | plan value | bound | status, gap to bound | time / compact | check |",
        "|---|---|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    load_before = os.getloadavg()[0]
    ten = [17] if args.quick else [17, 18, 19]
    rows = case(10, ten, ten, 60.0, 0.0, notes, prices_only=True)
    if not args.quick:
        rows += case(50, [57, 58], [57], 150.0, 0.02, notes)
    load_after = os.getloadavg()[0]
    config = OptimizerConfig()
    body = "\n".join(
        [
            versions_line(),
            "",
            "Random instances (bench/synthetic_consortia.py, seeds as shown): 2,000 firms, each bid asks 6 of 12 "
            "shared capabilities, so simultaneous bids compete for the same strong firms; every firm joins one "
            "consortium at a time. Each method runs on the same instance in the same run. The compact baseline "
            "(bench/perf/compact_model.py) proves its own optimum, but it has no lead, capacity or best-member fit "
            "rules: its plans are checked with the real rules in the last column. The engine's plans are checked "
            "again with `optimizer.verify` (every bid rule, and availability across bids). "
            "New engine: when the bids' optima alone overuse firms at most `joint_search` "
            f"({config.joint_search}) times in all, a search over those firms runs first with up to half the time "
            "(optimizer/branch.py: each node bans firms from bids; its bound is the bids' optima alone under the "
            "bans, lowered by what they lose without the shared firms); then, or at once when more firms are "
            "shared (every 50-bid seed here), Lagrangian prices from the joint LP relaxation and subgradient "
            "steps. 'Prices only (before)' is the same engine with the search off (`joint_search` 0), the path "
            f"before it; not run for 50 bids, where the new engine takes that path itself. Bids solved in "
            f"{config.joint_workers} solver processes; stops at `joint_gap_rel` 0 for 10 bids (until proven "
            "optimal) and 0.02 for 50 bids. The earlier path's gap is against the sum of the separate optima, the "
            "only bound it has; the engine's against its own bound (never above that sum). Time limit "
            "60 s (10 bids), 150 s (50 bids).",
            "",
            f"Load average on the 2 cores (other work shares the machine): {load_before:.1f} at the start, "
            f"{load_after:.1f} at the end; times are comparable within this run only.",
            "",
            *head,
            *rows,
            "",
            "Per seed: " + " ".join(notes),
        ]
    )
    write_section("Joint plans", "python -m bench.perf.joint_plans", body)
    print(body)


if __name__ == "__main__":
    main()
