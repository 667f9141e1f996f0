"""Forming consortia: K alternatives for one bid, or one joint plan across simultaneous bids.

Steps: pre-check → build → solve → extract → check again in plain Python →
assemble the explained proposal; alternatives come from no-good cuts on the
member set, so each alternative is a different consortium.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import pulp

from profiles.domain import Firm

from .config import OptimizerConfig
from .instance import BidInput, ProblemInput
from .model import ModelVars, add_nogood, build
from .precheck import Reason, diagnose
from .proposal import assemble
from .relax import explain_by_relaxation
from .solve import INFEASIBLE, NO_SOLUTION, solve
from .verify import Plan, check_availability, check_plan

DIAGNOSIS_TIME_LIMIT = 10.0


@dataclass
class BidOutcome:
    bid: str
    feasible: bool
    proposals: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    status: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"bid": self.bid, "feasible": self.feasible, "status": self.status,
                "reasons": [r.as_dict() for r in self.reasons], "proposals": self.proposals}


def extract(bi: BidInput, v: ModelVars, b: int) -> Plan:
    members = sorted(f for (bb, f), var in v.x.items() if bb == b and (var.value() or 0) > 0.5)
    primary = {r: f for (bb, f, r), var in v.y.items() if bb == b and (var.value() or 0) > 0.5}
    by_firm = {c.firm: c for c in bi.candidates}
    eligible = [f for f in members if by_firm[f].lead_eligible]
    # The model only guarantees a qualified lead exists; pick it by a fixed rule so output is deterministic.
    lead = min(eligible, key=lambda f: (-sum(by_firm[f].fits[r].fit for r, k in primary.items() if k == f),
                                        -len(by_firm[f].fits), f)) if eligible else ""
    return Plan(bi.bid.key, tuple(members), lead, dict(sorted(primary.items())))


def _terms(v: ModelVars) -> dict[str, float]:
    return {name: float(pulp.value(expr) or 0.0) for name, expr in v.terms.items() if name != "staffed"}


def _infeasible(bid: str, reasons: list[Reason], status: str = INFEASIBLE) -> BidOutcome:
    return BidOutcome(bid, False, [], reasons, status)


def propose_bid(problem: ProblemInput, firms: dict[str, Firm], config: OptimizerConfig,
                alternatives: int | None = None, solver: str | None = None,
                time_limit: float | None = None) -> BidOutcome:
    """Up to K ranked alternative consortia for the single bid in `problem`."""
    assert len(problem.bids) == 1, "propose_bid takes a problem with exactly one bid"
    bi = problem.bids[0]
    k = alternatives or config.alternatives
    solver = solver or config.solver
    reasons = diagnose(bi, firms)
    if reasons:
        return _infeasible(bi.bid.key, reasons)
    start = time.perf_counter()
    prob, v = build(problem, config)
    build_seconds = time.perf_counter() - start
    outcome = BidOutcome(bi.bid.key, True)
    for rank in range(1, k + 1):
        result = solve(prob, config, solver, time_limit)
        if not result.has_plan:
            if rank == 1:
                if result.status == NO_SOLUTION:
                    return _infeasible(bi.bid.key, [Reason(
                        "time_limit", f"no plan found within the time limit ({time_limit or config.time_limit:g} s); "
                                      "allow more time")], NO_SOLUTION)
                return _infeasible(bi.bid.key, explain_by_relaxation(
                    problem, config, solver, min(DIAGNOSIS_TIME_LIMIT, time_limit or config.time_limit)))
            break
        plan = extract(bi, v, 0)
        check_plan(bi, plan)
        outcome.proposals.append(assemble(bi, plan, result, firms, problem.synergy, _terms(v), rank,
                                          build_seconds if rank == 1 else 0.0))
        add_nogood(prob, v, 0, list(plan.members), rank)
    outcome.status = outcome.proposals[0]["solver_status"]
    return outcome


def propose_joint(problem: ProblemInput, firms: dict[str, Firm], config: OptimizerConfig,
                  solver: str | None = None, time_limit: float | None = None,
                  progress: Callable[[str], None] | None = None) -> list[BidOutcome]:
    """One consortium per bid, chosen jointly so no firm exceeds its availability across bids."""
    solver = solver or config.solver
    outcomes: dict[str, BidOutcome] = {}
    solvable = []
    for bi in problem.bids:
        reasons = diagnose(bi, firms)
        if reasons:
            outcomes[bi.bid.key] = _infeasible(bi.bid.key, reasons)
        else:
            solvable.append(bi)
    if solvable:
        joint = replace(problem, bids=tuple(solvable))
        if progress:
            progress(f"building the joint model for {len(solvable)} bids")
        start = time.perf_counter()
        prob, v = build(joint, config, joint=True)
        build_seconds = time.perf_counter() - start
        if progress:
            progress("solving")
        result = solve(prob, config, solver, time_limit)
        plans = []
        for b, bi in enumerate(solvable):
            z = v.staffed[b]
            if not result.has_plan or (z.value() or 0) < 0.5:  # type: ignore[union-attr]
                why = ("no joint plan was found within the time limit" if not result.has_plan else
                       "it could not be staffed together with the other open bids: the firms it needs are "
                       "committed elsewhere (each firm joins at most its allowed number of consortia)")
                outcomes[bi.bid.key] = _infeasible(bi.bid.key, [Reason("not_staffed", why)],
                                                   result.status if not result.has_plan else "not staffed")
                continue
            plan = extract(bi, v, b)
            check_plan(bi, plan)
            plans.append(plan)
            terms = _bid_terms(v, b, problem.synergy, bi)
            proposal = assemble(bi, plan, result, firms, problem.synergy, terms, 1, build_seconds)
            proposal["explanation"]["joint"] = {"bids": [x.bid.key for x in solvable],
                                                "objective": result.objective, "gap": result.gap}
            outcomes[bi.bid.key] = BidOutcome(bi.bid.key, True, [proposal], [], result.status)
        check_availability(plans, problem.availability)
    return [outcomes[bi.bid.key] for bi in problem.bids]


def _bid_terms(v: ModelVars, b: int, synergy: dict[tuple[str, str], float], bi: BidInput) -> dict[str, float]:
    weights = {r.key: r.weight for r in bi.bid.requirements}
    by_firm = {c.firm: c for c in bi.candidates}
    fit = sum(weights[r] * by_firm[f].fits[r].fit for (bb, f, r), y in v.y.items() if bb == b and (y.value() or 0) > 0.5)
    syn = sum(synergy[(f, g)] * (p.value() or 0) for (bb, f, g), p in v.pairs.items() if bb == b) / max(1, bi.bid.max_size - 1)
    size = sum(1 for (bb, _), x in v.x.items() if bb == b and (x.value() or 0) > 0.5)
    return {"fit": fit, "synergy": syn, "size": float(size)}


