"""Forming consortia: K alternatives for one bid, or one joint plan across simultaneous bids.

One bid: pre-check → reduce (shortlist, dominance) → build → solve → extract →
check again in plain Python → assemble; alternatives come from no-good cuts on
the member set, so each alternative is a different consortium.

Several bids: each bid is first solved alone (exactly); if those plans fit the
firms' availability together, they are the joint optimum. Otherwise, when they
share few firms, a search branches on those firms (`optimizer.branch`), which
usually proves the joint optimum. With many shared firms, or when that search
stops on time, the availability rows are priced out (Lagrangian relaxation,
`optimizer.joint`): the bids are solved alone again with contested firms charged
a price, which gives a bound on every joint plan, and the consortia found are
packed into one plan. The gap is reported against that bound. The earlier path (greedy staffing, then the
joint model warm-started from it, against the sum of the separate optima) stays
available as method GREEDY.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import product
from typing import Any

import pulp

from profiles.domain import Firm

from .columns import Column, parallel_map
from .config import OptimizerConfig
from .instance import BidInput, ProblemInput
from .joint import partial_bound, plan_jointly
from .model import add_nogood, build, set_start
from .plans import extract, plan_terms, plan_value
from .precheck import Reason, diagnose
from .proposal import assemble
from .reduce import reduce_bid, reduce_problem, synergy_shortlist
from .relax import explain_by_relaxation
from .rules import over_availability
from .solve import INFEASIBLE, NO_SOLUTION, OPTIMAL, SolveResult, solve
from .verify import Plan, check_availability, check_plan

DIAGNOSIS_TIME_LIMIT = 10.0
WITHIN_BOUND = "feasible (gap to the bound)"
GAP_TOLERANCE = 1e-6  # a joint plan this close to its bound is reported optimal
LAGRANGIAN = "lagrangian"
GREEDY = "greedy"


@dataclass
class BidOutcome:
    bid: str
    feasible: bool
    proposals: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    status: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "bid": self.bid,
            "feasible": self.feasible,
            "status": self.status,
            "reasons": [r.as_dict() for r in self.reasons],
            "proposals": self.proposals,
        }


def _infeasible(bid: str, reasons: list[Reason], status: str = INFEASIBLE) -> BidOutcome:
    return BidOutcome(bid, False, [], reasons, status)


TWIN_VARIANTS = 64  # at most this many look-alike member sets are ruled out after each alternative


def twin_variants(bi: BidInput, members: Sequence[str]) -> list[list[str]]:
    """The member sets that differ from `members` only by swapping a firm for its flagged possible duplicate.

    An alternative like that is the same consortium under another record of the same firm, so it is
    never offered: each is ruled out with a no-good cut as soon as the original is found."""
    options = [[f, *[t for t in bi.twins(f) if t not in members]] for f in members]
    variants: list[list[str]] = []
    for chosen in product(*options):
        if list(chosen) != list(members):
            variants.append(list(chosen))
            if len(variants) >= TWIN_VARIANTS:
                break
    return variants


def _single(problem: ProblemInput, bi: BidInput) -> ProblemInput:
    return replace(problem, bids=(bi,))


def propose_bid(
    problem: ProblemInput,
    firms: dict[str, Firm],
    config: OptimizerConfig,
    alternatives: int | None = None,
    solver: str | None = None,
    time_limit: float | None = None,
) -> BidOutcome:
    """Up to K ranked alternative consortia for the single bid in `problem`."""
    if len(problem.bids) != 1:
        raise ValueError("propose_bid takes a problem with exactly one bid")
    full = problem.bids[0]
    k = alternatives or config.alternatives
    solver = solver or config.solver
    limit = config.time_limit if time_limit is None else time_limit
    reasons = diagnose(full, firms)
    if reasons:
        return _infeasible(full.bid.key, reasons)
    start = time.perf_counter()
    reduced, stats = reduce_problem(problem, config)
    bi = reduced.bids[0]
    prob, v = build(reduced, config)
    build_seconds = time.perf_counter() - start
    outcome = BidOutcome(full.bid.key, True)
    for rank in range(1, k + 1):
        result = solve(prob, config, solver, limit)
        if not result.has_plan:
            if rank == 1:
                if result.status == NO_SOLUTION:
                    return _infeasible(
                        full.bid.key,
                        [Reason("time_limit", f"no plan found within the time limit ({limit:g} s); allow more time")],
                        NO_SOLUTION,
                    )
                return _infeasible(
                    full.bid.key, explain_by_relaxation(reduced, config, solver, min(DIAGNOSIS_TIME_LIMIT, limit))
                )
            break
        plan = extract(bi, v, 0)
        check_plan(bi, plan)
        proposal = assemble(
            bi,
            plan,
            result,
            firms,
            problem.synergy,
            plan_terms(bi, plan, problem.synergy),
            rank,
            build_seconds if rank == 1 else 0.0,
        )
        proposal["explanation"]["model"] = stats[full.bid.key].as_dict()
        outcome.proposals.append(proposal)
        add_nogood(prob, v, 0, list(plan.members), rank)
        for n, variant in enumerate(twin_variants(bi, plan.members)):
            add_nogood(prob, v, 0, variant, rank * 1000 + n + 1)
    outcome.status = outcome.proposals[0]["solver_status"]
    return outcome


# joint planning ---------------------------------------------------------------
@dataclass
class _Solved:
    bi: BidInput  # the reduced bid the plan was found in
    plan: Plan
    value: float
    bound: float  # bounds the bid's value alone: the value itself when proven optimal


def _solve_alone(
    problem: ProblemInput, bi: BidInput, config: OptimizerConfig, solver: str, limit: float
) -> _Solved | SolveResult:
    reduced, _ = reduce_bid(bi, problem.synergy, config)
    prob, v = build(_single(problem, reduced), config)
    result = solve(prob, config, solver, limit)
    if not result.has_plan:
        return result
    plan = extract(reduced, v, 0)
    check_plan(reduced, plan)
    value = plan_value(plan_terms(reduced, plan, problem.synergy), config)
    bound = value if result.status == OPTIMAL or result.bound is None else max(value, result.bound)
    return _Solved(reduced, plan, value, bound)


def _without(bi: BidInput, busy: set[str]) -> BidInput:
    keep = tuple(c for c in bi.candidates if c.firm not in busy)
    keys = {c.firm for c in keep}
    return replace(bi, candidates=keep, exclusions=frozenset(p for p in bi.exclusions if p[0] in keys and p[1] in keys))


def _greedy(
    problem: ProblemInput, bids: list[BidInput], config: OptimizerConfig, solver: str, limit: float
) -> dict[str, _Solved]:
    """Staff bids one after another (fewest candidates first), each from the firms still available."""
    used: dict[str, int] = {}
    plans: dict[str, _Solved] = {}
    for bi in sorted(bids, key=lambda b: (len(b.candidates), b.bid.key)):
        busy = {f for f, n in used.items() if n >= problem.availability.get(f, 1)}
        if set(bi.bid.locked_firms) & busy:
            continue
        solved = _solve_alone(problem, _without(bi, busy), config, solver, limit)
        if isinstance(solved, _Solved):
            plans[bi.bid.key] = solved
            for f in solved.plan.members:
                used[f] = used.get(f, 0) + 1
    return plans


def _joint_model(
    problem: ProblemInput,
    bids: list[BidInput],
    alone: dict[str, _Solved],
    start: dict[str, _Solved],
    config: OptimizerConfig,
    solver: str,
    limit: float,
) -> tuple[dict[str, Plan], float, SolveResult]:
    """The joint model over the bids as reduced when solved alone, warm-started from `start`.

    Returns the plans, their value and the solver result.
    """
    reduced = []
    for bi in bids:
        small = alone[bi.bid.key].bi
        if bi.bid.key in start:  # the warm-start plan must stay feasible in the restricted model
            kept = {c.firm for c in small.candidates}
            plan_firms = set(start[bi.bid.key].plan.members) - kept
            extra = tuple(c for c in bi.candidates if c.firm in plan_firms)
            small = replace(small, candidates=tuple(sorted(small.candidates + extra, key=lambda c: c.firm)))
        reduced.append(small)
    joint = replace(problem, bids=tuple(reduced))
    bounds = {k: s.value for k, s in alone.items()}
    prob, v = build(joint, config, joint=True, bounds=bounds)
    for b, bi in enumerate(reduced):
        s = start.get(bi.bid.key)
        set_start(v, b, bi, s.plan.members if s else ())
    result = solve(prob, config, solver, limit, warm_start=True)
    plans: dict[str, Plan] = {}
    if result.has_plan:
        for b, bi in enumerate(reduced):
            z = v.staffed[b]
            if isinstance(z, pulp.LpVariable) and (z.value() or 0) > 0.5:
                plans[bi.bid.key] = extract(bi, v, b)
    value = sum(
        plan_value(plan_terms(bi, plans[bi.bid.key], problem.synergy), config) for bi in reduced if bi.bid.key in plans
    )
    return plans, value, result


def _greedy_then_model(
    problem: ProblemInput,
    staffable: list[BidInput],
    alone: dict[str, _Solved],
    config: OptimizerConfig,
    solver: str,
    limit: float,
    say: Callable[[str], None],
) -> tuple[dict[str, Plan], float, str]:
    """The earlier joint path: greedy staffing, then the joint model warm-started from it."""
    t0 = time.perf_counter()
    bound = sum(s.value for s in alone.values())
    say("separate plans overlap; staffing bids one after another")
    greedy = _greedy(problem, staffable, config, solver, limit)
    plans = {k: s.plan for k, s in greedy.items()}
    value = sum(s.value for s in greedy.values())
    method = GREEDY
    remaining = max(1.0, limit - (time.perf_counter() - t0))
    say(f"greedy plan within {100 * (bound - value) / max(1e-9, abs(bound)):.2f}% of the separate optima")
    say("improving with the joint model")
    joint_plans, joint_value, joint_result = _joint_model(problem, staffable, alone, greedy, config, solver, remaining)
    if joint_result.has_plan and joint_value > value + 1e-9:
        plans, value, method = joint_plans, joint_value, "joint model"
    return plans, value, method


def propose_joint(
    problem: ProblemInput,
    firms: dict[str, Firm],
    config: OptimizerConfig,
    solver: str | None = None,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
    method_name: str = LAGRANGIAN,
) -> list[BidOutcome]:
    """One consortium per bid, chosen jointly so no firm exceeds its availability across bids.

    `method_name` picks how overlapping separate optima are resolved: LAGRANGIAN (prices on contested firms,
    a Lagrangian bound, see `optimizer.joint`) or GREEDY (staff bids one after another, then the joint
    model warm-started from that plan, reported against the sum of the separate optima)."""
    if method_name not in (LAGRANGIAN, GREEDY):
        raise ValueError(f"unknown joint method '{method_name}'; choose '{LAGRANGIAN}' or '{GREEDY}'")
    solver = solver or config.solver
    limit = config.time_limit if time_limit is None else time_limit
    say = progress or (lambda _msg: None)
    outcomes: dict[str, BidOutcome] = {}
    alone: dict[str, _Solved] = {}
    problem = replace(
        problem,
        bids=tuple(replace(bi, pair_firms=synergy_shortlist(bi, config.synergy_candidates)) for bi in problem.bids),
    )
    ready = []
    for bi in problem.bids:
        reasons = diagnose(bi, firms)
        if reasons:
            outcomes[bi.bid.key] = _infeasible(bi.bid.key, reasons)
        else:
            ready.append(bi)
    say(f"solving {len(ready)} bids alone")
    solved_alone = parallel_map(
        lambda bi: _solve_alone(problem, bi, config, solver, limit), ready, config.joint_workers
    )
    for bi, solved in zip(ready, solved_alone, strict=True):
        if isinstance(solved, _Solved):
            alone[bi.bid.key] = solved
        elif solved.status == NO_SOLUTION:
            outcomes[bi.bid.key] = _infeasible(
                bi.bid.key, [Reason("time_limit", "no plan found within the time limit")], NO_SOLUTION
            )
        else:
            outcomes[bi.bid.key] = _infeasible(
                bi.bid.key,
                explain_by_relaxation(_single(problem, bi), config, solver, min(DIAGNOSIS_TIME_LIMIT, limit)),
            )
    staffable = [bi for bi in problem.bids if bi.bid.key in alone]
    bound = sum(s.bound for s in alone.values())
    t0 = time.perf_counter()
    plans = {k: s.plan for k, s in alone.items()}
    value = sum(s.value for s in alone.values())
    method = "separate optima"
    rounds: dict[str, int] = {}
    if not over_availability(list(plans.values()), problem.availability):
        gap = (bound - value) / max(1e-9, abs(bound))
        status = OPTIMAL if gap <= GAP_TOLERANCE else WITHIN_BOUND
        result = SolveResult(status, value, bound, max(0.0, gap), 0.0, solver)
    else:
        if method_name == GREEDY:
            plans, value, method = _greedy_then_model(problem, staffable, alone, config, solver, limit, say)
        else:
            say("separate plans overlap; pricing contested firms across bids")
            columns = {k: Column(k, s.plan, s.value) for k, s in alone.items()}
            ceiling = {k: s.bound for k, s in alone.items()}
            reduced = {k: s.bi for k, s in alone.items()}
            planned = plan_jointly(problem, staffable, columns, ceiling, reduced, config, solver, limit, say)
            plans, value, method = planned.plans, planned.value, planned.method
            rounds = {"rounds": planned.rounds, "columns": planned.columns, "nodes": planned.nodes}
            if len(plans) == len(staffable):  # the Lagrangian bound holds for plans that staff every bid
                bound = min(bound, planned.bound)
        if len(plans) < len(staffable):  # the bounds above cover only plans that staff every bid
            bound = partial_bound({k: s.bound for k, s in alone.items()})
        gap = (bound - value) / max(1e-9, abs(bound))
        result = SolveResult(
            OPTIMAL if gap <= GAP_TOLERANCE and len(plans) == len(staffable) else WITHIN_BOUND,
            value,
            bound,
            max(0.0, gap),
            time.perf_counter() - t0,
            solver,
        )
    by_key = {bi.bid.key: bi for bi in problem.bids}
    checked = []
    for bi in staffable:
        if bi.bid.key not in plans:
            outcomes[bi.bid.key] = _infeasible(
                bi.bid.key,
                [
                    Reason(
                        "not_staffed",
                        "it could not be staffed together with the other open bids: the firms it needs are "
                        "committed elsewhere (each firm joins at most its allowed number of consortia)",
                    )
                ],
                "not staffed",
            )
            continue
        full = by_key[bi.bid.key]
        plan = plans[bi.bid.key]
        check_plan(full, plan)
        checked.append(plan)
        proposal = assemble(full, plan, result, firms, problem.synergy, plan_terms(full, plan, problem.synergy), 1, 0.0)
        proposal["explanation"]["joint"] = {
            "bids": [x.bid.key for x in staffable],
            "method": method,
            "value": round(value, 6),
            "bound": round(bound, 6),
            "gap": result.gap,
            "alone_value": round(alone[bi.bid.key].value, 6),
            **rounds,
        }
        outcomes[bi.bid.key] = BidOutcome(bi.bid.key, True, [proposal], [], result.status)
    check_availability(checked, problem.availability)
    return [outcomes[bi.bid.key] for bi in problem.bids]
