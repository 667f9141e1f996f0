"""Exhaustive search over member sets: the reference the integer program is tested against.

Only for small instances (it enumerates every subset of the candidates up to
the bid's maximum size). Given a member set, the best primary coverer of each
requirement is simply its best-fitting eligible member, so a subset's value
is computed directly.
"""

from __future__ import annotations

from itertools import combinations

from .config import OptimizerConfig
from .instance import ProblemInput, pair
from .verify import Plan, plan_problems


def best_by_enumeration(problem: ProblemInput, config: OptimizerConfig) -> tuple[float, Plan] | None:
    (bi,) = problem.bids
    bid = bi.bid
    cands = bi.candidates
    weights = {r.key: r.weight for r in bid.requirements}
    best: tuple[float, Plan] | None = None
    for size in range(bid.min_size, min(bid.max_size, len(cands)) + 1):
        for group in combinations(cands, size):
            members = tuple(sorted(c.firm for c in group))
            primary, fit_total = {}, 0.0
            for req in bid.requirements:
                options = [(c.fits[req.key].fit, c.firm) for c in group if req.key in c.fits]
                if options:
                    value, firm = max(options)
                    primary[req.key] = firm
                    fit_total += weights[req.key] * value
            leads = [c.firm for c in group if c.lead_eligible]
            plan = Plan(bid.key, members, leads[0] if leads else "", primary)
            if plan_problems(bi, plan):
                continue
            synergy = sum(
                problem.synergy.get(pair(a, b), 0.0) for a, b in combinations(members, 2) if bi.has_pair_terms(a, b)
            ) / max(1, bid.max_size - 1)
            value = config.fit_weight * fit_total + config.synergy_weight * synergy - config.size_penalty * size
            if best is None or value > best[0] + 1e-9:
                best = (value, plan)
    return best
