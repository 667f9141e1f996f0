"""Joint plans across simultaneous bids: Lagrangian relaxation of the firms' availability.

The joint problem is one consortium per bid, each under every rule of its bid (optimizer.rules),
with no firm in more consortia than its availability. Moving the availability rows into the
objective with prices π_f ≥ 0 splits it into the bids: every joint plan that staffs all bids is
worth at most

  L(π) = Σ_f a_f·π_f + Σ_b max_S (v_b(S) − π(S))

where the inner maximum is the bid solved alone with the real per-bid model, each member charged
its price (dominance pruning stays exact: a stand-in must cost no more). At zero prices L is the
sum of the separate optima, the bound the greedy path reported; good prices pull it down to the
true optimum's neighbourhood. A bid whose pooled consortium already reaches its optimum alone at
these prices is not solved again.

Prices start from the duals of the availability rows in the joint model's LP relaxation (over the
bids as reduced alone, each bid capped at its optimum alone) and then follow subgradient steps.
Every consortium found (optima alone, priced optima, repairs) joins a pool; the plan is the best
set packing of the pool (at most one consortium per bid, availability respected), bids it leaves
out are staffed from the firms still free, and bids below their optimum alone are re-solved over
the firms the others leave free. It stops once the plan is within `joint_gap_rel` of the bound
(optimal when they meet), or at the time limit.

The Lagrangian bound can stall above the optimum (on 10 bids × 2,000 firms it stayed 0.04–0.1% above it
for a minute). So when the bids' optima alone overuse few firms (`joint_search`), a search that branches on those firms
(optimizer.branch) runs first, with up to half the time: its node bounds are exact, and it usually proves
the optimum on its own. If it stops first, the rounds above go on from its plan and bound. Many shared
firms (tens of bids) would make that search too wide; there the rounds start at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import pulp

from .branch import branch_on_shared_firms
from .columns import Column, Priced, pack, parallel_map, price_bid
from .config import OptimizerConfig
from .instance import BidInput, ProblemInput, without
from .model import build
from .solve import available_solvers, solve
from .verify import Plan

LAGRANGIAN = "lagrangian"
BRANCHING = "branching on shared firms"
MAX_ROUNDS = 60
STALLED_ROUNDS = 3  # the subgradient step halves after this many rounds without a better bound
PRICING_LIMIT = 5.0  # seconds for one priced bid
BRANCH_SHARE = 0.5  # of the time limit, for that search; the Lagrangian rounds continue if it stops
PRICE_FLOOR = 1e-3  # smaller starting prices (interior duals) are dropped: they only make the priced bids larger


@dataclass(frozen=True)
class JointPlan:
    plans: dict[str, Plan]
    value: float  # the plans' total value
    bound: float  # bounds the total value of any joint plan that staffs every bid (-inf: none does)
    rounds: int
    columns: int
    seconds: float
    method: str  # LAGRANGIAN, or BRANCHING when the search over shared firms closed the gap on its own
    nodes: int  # search nodes (0: no search)


def tolerance(bound: float, config: OptimizerConfig) -> float:
    """How close to its bound a joint plan must come to be called optimal."""
    return max(1e-9, config.gap_rel * abs(bound))


def partial_bound(ceiling: Mapping[str, float]) -> float:
    """Bounds every joint plan whichever bids it leaves out, for a plan that does not staff them all. The
    Lagrangian bound (and the sum of the optima alone) covers only plans that staff every bid: leaving out
    a bid whose optimum alone is worth less than nothing gives a plan worth more than that sum."""
    return sum(max(0.0, c) for c in ceiling.values())


def _used(plans: Sequence[Plan]) -> dict[str, int]:
    used: dict[str, int] = {}
    for p in plans:
        for f in p.members:
            used[f] = used.get(f, 0) + 1
    return used


def _lp_prices(
    problem: ProblemInput,
    reduced: Sequence[BidInput],
    ceiling: Mapping[str, float],
    config: OptimizerConfig,
    solver: str,
    limit: float,
) -> dict[str, float]:
    """Starting prices: the availability rows' duals in the joint model's LP relaxation over the bids as reduced
    alone (with each bid's value capped at its optimum alone). Only a start: the bound comes from pricing."""
    joint = replace(problem, bids=tuple(reduced))
    prob, v = build(joint, config, joint=True, bounds=dict(ceiling))
    for var in prob.variables():
        var.cat = pulp.LpContinuous
    firms = sorted({f for (_, f) in v.x})  # the availability rows are numbered over these (optimizer.rules)
    rows = {f: f"available__f{n}" for n, f in enumerate(firms) if f"available__f{n}" in prob.constraints}
    duals = _lp_duals_highs(prob, limit) if "highs" in available_solvers() else _lp_duals(prob, config, solver, limit)
    # Solvers differ in the sign they report for a maximisation's ≤ rows; the true duals are ≥ 0.
    prices = {f: abs(duals.get(row, 0.0)) for f, row in rows.items()}
    return {f: p for f, p in prices.items() if p > PRICE_FLOOR}


def _lp_duals(prob: pulp.LpProblem, config: OptimizerConfig, solver: str, limit: float) -> dict[str, float]:
    result = solve(prob, config, solver, limit)
    if not result.has_plan:
        return {}
    return {name: row.pi or 0.0 for name, row in prob.constraints.items()}


def _lp_duals_highs(prob: pulp.LpProblem, limit: float) -> dict[str, float]:
    """The LP's row duals by HiGHS's interior point method (three times its simplex on these relaxations);
    without crossover the duals are interior, which serve as prices as well as any (every π ≥ 0 is valid)."""
    import highspy

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("solver", "ipm")
    highs.setOptionValue("run_crossover", "off")
    highs.setOptionValue("time_limit", float(limit))
    prob.solverModel = highs
    pulp.HiGHS(msg=False).buildSolverModel(prob)  # PuLP's own translation (a maximisation goes in negated)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return {}
    row_dual = list(highs.getSolution().row_dual)
    return {name: row_dual[n] for n, name in enumerate(prob.constraints)}


def plan_jointly(
    problem: ProblemInput,
    bids: Sequence[BidInput],
    alone: Mapping[str, Column],
    ceiling: Mapping[str, float],
    reduced: Mapping[str, BidInput],
    config: OptimizerConfig,
    solver: str,
    limit: float,
    say: Callable[[str], None] = lambda _msg: None,
) -> JointPlan:
    """A joint plan for `bids` and its bound. Each bid is staffable alone: `alone` holds its best consortium
    alone, `ceiling` an upper bound on that consortium's value (the value itself when proven optimal) and
    `reduced` the bid as reduced alone (only to start the prices)."""
    start = time.perf_counter()
    reward = config.staffing_reward
    target = max(config.joint_gap_rel, tolerance(1.0, config))

    def left() -> float:
        return limit - (time.perf_counter() - start)

    pool = [alone[bi.bid.key] for bi in bids]
    seen = {(c.bid, c.members) for c in pool}

    def add(column: Column | None) -> None:
        if column is not None and (column.bid, column.members) not in seen:
            pool.append(column)
            seen.add((column.bid, column.members))

    bound = sum(ceiling[bi.bid.key] for bi in bids)  # the Lagrangian bound at zero prices
    plans: dict[str, Column] = {}

    def gap() -> float:
        if len(plans) < len(bids):
            return float("inf")
        return (bound - sum(c.value for c in plans.values())) / max(1e-9, abs(bound))

    nodes = 0
    if overuse(problem, [c.plan for c in pool]) <= config.joint_search:
        # Few firms shared: search first (exact node bounds); the Lagrangian bound rarely closes the last gap.
        share = BRANCH_SHARE * limit
        branched = branch_on_shared_firms(
            problem, bids, alone, ceiling, target, config, solver, lambda: min(left(), share - (limit - left()))
        )
        nodes = branched.nodes
        say(f"search over shared firms: {nodes} nodes, plan {branched.value:.4f}, bound {branched.bound:.4f}")
        bound = min(bound, branched.bound)
        if len(branched.plans) == len(bids):
            plans = dict(branched.plans)
            for column in plans.values():
                add(column)
            if gap() <= target:
                return JointPlan(
                    {k: c.plan for k, c in plans.items()},
                    sum(c.value for c in plans.values()),
                    bound,
                    0,
                    len(pool),
                    time.perf_counter() - start,
                    BRANCHING,
                    nodes,
                )
    prices = _lp_prices(problem, [reduced[bi.bid.key] for bi in bids], ceiling, config, solver, max(1.0, left()))
    say(f"{len(prices)} contested firms priced by the joint relaxation ({time.perf_counter() - start:.1f} s)")
    rounds, step_scale, stalled, best_bound = 0, 2.0, 0, bound
    while rounds < MAX_ROUNDS and left() > 0:
        rounds += 1
        lagrangian, chosen = _lagrangian(problem, bids, prices, pool, ceiling, config, solver, left)
        for column in chosen.values():
            add(column)
        if lagrangian < bound:
            bound = lagrangian
        packed = pack(pool, problem.availability, reward, config, solver, max(1.0, left()))
        if _better(packed, plans):
            plans = {c.bid: c for c in packed}
        plans = _staff(problem, bids, plans, ceiling, config, solver, left)
        if gap() > target:
            plans = _improve(problem, bids, plans, ceiling, config, solver, left)
        for column in plans.values():
            add(column)
        value = sum(c.value for c in plans.values())
        say(f"round {rounds}: plan {value:.4f}, bound {bound:.4f} ({len(plans)}/{len(bids)} bids staffed)")
        if gap() <= target or left() <= 0 or bound == float("-inf"):  # -inf: the search found no plan staffs all
            break
        # A subgradient step (Polyak's rule towards the plan's value) on the prices of over- and under-used firms.
        used = _used([c.plan for c in chosen.values()])
        slope = {f: used.get(f, 0) - problem.availability.get(f, 1) for f in set(used) | set(prices)}
        slope = {f: g for f, g in slope.items() if g > 0 or prices.get(f, 0.0) > 0}
        norm = sum(g * g for g in slope.values())
        if norm == 0:  # the priced solutions share no firm beyond its availability: they are a joint optimum
            break
        stalled = stalled + 1 if lagrangian > best_bound - 1e-9 else 0
        if stalled >= STALLED_ROUNDS:
            step_scale, stalled = step_scale / 2, 0
        best_bound = min(best_bound, lagrangian)
        step = step_scale * max(lagrangian - value, 1e-3 * abs(lagrangian)) / norm
        prices = {f: p for f in sorted(slope) if (p := max(0.0, prices.get(f, 0.0) + step * slope[f])) > 1e-9}
    value = sum(c.value for c in plans.values())
    return JointPlan(
        {k: c.plan for k, c in plans.items()},
        value,
        bound,
        rounds,
        len(pool),
        time.perf_counter() - start,
        LAGRANGIAN,
        nodes,
    )


def overuse(problem: ProblemInput, plans: Sequence[Plan]) -> int:
    """How many memberships the plans hold beyond their firms' availability."""
    used = _used(plans)
    return sum(n - problem.availability.get(f, 1) for f, n in used.items() if n > problem.availability.get(f, 1))


def _lagrangian(
    problem: ProblemInput,
    bids: Sequence[BidInput],
    prices: Mapping[str, float],
    pool: Sequence[Column],
    ceiling: Mapping[str, float],
    config: OptimizerConfig,
    solver: str,
    left: Callable[[], float],
) -> tuple[float, dict[str, Column]]:
    """The Lagrangian bound at `prices` (in plan value, for plans staffing every bid) and each bid's best
    consortium at those prices. Availability moves into the objective: every joint plan that staffs all
    bids is worth at most Σ_f a_f·π_f + Σ_b max_S (v_b(S) − π(S)), whatever the prices π ≥ 0."""
    total = sum(problem.availability.get(f, 1) * p for f, p in prices.items())
    chosen: dict[str, Column] = {}
    to_price = []
    for bi in bids:
        key = bi.bid.key
        own = max((c for c in pool if c.bid == key), key=lambda c: (c.priced(prices), c.members))
        if own.priced(prices) >= ceiling[key] - 1e-9:  # a pooled consortium reaches the optimum alone: exact
            total += ceiling[key]
            chosen[key] = own
        else:
            to_price.append(bi)

    def one(bi: BidInput) -> Priced:
        if left() <= 0:
            return Priced(None, ceiling[bi.bid.key])  # out of time: the bid's optimum alone still bounds it
        return price_bid(problem, bi, prices, ceiling[bi.bid.key], config, solver, _pricing_limit(left()))

    for bi, priced in zip(to_price, parallel_map(one, to_price, config.joint_workers), strict=True):
        total += priced.bound
        if priced.column is not None:
            chosen[bi.bid.key] = priced.column
    return total, chosen


def _pricing_limit(left: float) -> float:
    """A priced bid gets at most PRICING_LIMIT seconds; if that stops it, its solver bound still holds."""
    return max(1.0, min(PRICING_LIMIT, left))


def _better(chosen: Sequence[Column], plans: Mapping[str, Column]) -> bool:
    """More bids staffed, or as many at a higher total value."""
    return (len(chosen), sum(c.value for c in chosen)) > (len(plans), sum(c.value for c in plans.values()) + 1e-9)


def _free_for(problem: ProblemInput, bi: BidInput, plans: Mapping[str, Column]) -> BidInput:
    """The bid with the firms the other bids' plans use up taken out."""
    others = [c.plan for k, c in plans.items() if k != bi.bid.key]
    busy = {f for f, n in _used(others).items() if n >= problem.availability.get(f, 1)}
    return without(bi, busy)


def _staff(
    problem: ProblemInput,
    bids: Sequence[BidInput],
    plans: Mapping[str, Column],
    ceiling: Mapping[str, float],
    config: OptimizerConfig,
    solver: str,
    left: Callable[[], float],
) -> dict[str, Column]:
    """Staff the bids `plans` leaves out, one after another (fewest candidates first), from the firms still free."""
    plans = dict(plans)
    for bi in sorted(bids, key=lambda b: (len(b.candidates), b.bid.key)):
        key = bi.bid.key
        if key in plans or left() <= 0:
            continue
        free = _free_for(problem, bi, plans)
        if set(bi.bid.locked_firms) - {c.firm for c in free.candidates}:
            continue
        priced = price_bid(problem, free, {}, ceiling[key], config, solver, max(1.0, left()))
        if priced.column is not None:
            plans[key] = priced.column
    return plans


def _improve(
    problem: ProblemInput,
    bids: Sequence[BidInput],
    plans: Mapping[str, Column],
    ceiling: Mapping[str, float],
    config: OptimizerConfig,
    solver: str,
    left: Callable[[], float],
) -> dict[str, Column]:
    """Re-solve each bid below its optimum alone over the firms the others leave free; keep what improves."""
    plans = dict(plans)
    for bi in sorted(bids, key=lambda b: (len(b.candidates), b.bid.key)):
        key = bi.bid.key
        if key not in plans or plans[key].value >= ceiling[key] - 1e-9 or left() <= 0:
            continue
        priced = price_bid(problem, _free_for(problem, bi, plans), {}, ceiling[key], config, solver, max(1.0, left()))
        if priced.column is not None and priced.column.value > plans[key].value + 1e-9:
            plans[key] = priced.column
    return plans
