"""The plain compact consortium model the engine is measured against.

Binary membership per firm and bid, coverage rows (every mandatory requirement
has an eligible member), size 2–5, firm availability across bids, and pair
variables for the top-30 candidates of each bid (p ≤ x_f, p ≤ x_g, no star
rows), with the same objective weights as the engine. No pruning, no lead,
capacity or primary-coverer variables.
"""

from __future__ import annotations

import time

import pulp

from optimizer.config import OptimizerConfig
from optimizer.instance import ProblemInput, pair
from optimizer.reduce import fit_value, synergy_shortlist
from optimizer.solve import SolveResult, solve

TOP = 30


def build_compact(problem: ProblemInput, config: OptimizerConfig) -> pulp.LpProblem:
    prob = pulp.LpProblem("compact", pulp.LpMaximize)
    objective = []
    per_firm: dict[str, list[pulp.LpVariable]] = {}
    for b, bi in enumerate(problem.bids):
        x = {c.firm: pulp.LpVariable(f"x_{b}_{n}", cat="Binary") for n, c in enumerate(bi.candidates)}
        for f, var in x.items():
            per_firm.setdefault(f, []).append(var)
        for r, req in enumerate(bi.bid.requirements):
            if req.mandatory:
                prob += pulp.lpSum(x[c.firm] for c in bi.candidates if req.key in c.fits) >= 1, f"cover_{b}_{r}"
        prob += pulp.lpSum(x.values()) >= bi.bid.min_size, f"min_{b}"
        prob += pulp.lpSum(x.values()) <= bi.bid.max_size, f"max_{b}"
        objective += [(config.fit_weight * fit_value(bi, c) - config.size_penalty) * x[c.firm] for c in bi.candidates]
        top = sorted(synergy_shortlist(bi, TOP))
        scale = config.synergy_weight / max(1, bi.bid.max_size - 1)
        for i, f in enumerate(top):
            for g in top[i + 1 :]:
                s = problem.synergy.get(pair(f, g), 0.0)
                if s > 0:
                    p = pulp.LpVariable(f"p_{b}_{f}_{g}", lowBound=0, upBound=1)
                    prob += p <= x[f]
                    prob += p <= x[g]
                    objective.append(scale * s * p)
    if len(problem.bids) > 1:
        for n, (f, vars_) in enumerate(sorted(per_firm.items())):
            if len(vars_) > 1:
                prob += pulp.lpSum(vars_) <= problem.availability.get(f, 1), f"avail_{n}"
    prob += pulp.lpSum(objective)
    return prob


def solve_compact(
    problem: ProblemInput, config: OptimizerConfig, solver: str, time_limit: float
) -> tuple[SolveResult, float]:
    start = time.perf_counter()
    prob = build_compact(problem, config)
    build_seconds = time.perf_counter() - start
    return solve(prob, config, solver, time_limit), build_seconds
