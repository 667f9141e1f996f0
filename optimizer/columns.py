"""What joint planning and its search share: a consortium for one bid (a column), and one bid solved alone
with its members charged prices or with some firms taken out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TypeVar

import pulp

from .config import OptimizerConfig
from .instance import BidInput, ProblemInput
from .model import build
from .plans import extract, plan_terms, plan_value
from .reduce import reduce_bid
from .solve import INFEASIBLE, OPTIMAL, solve
from .verify import Plan, check_plan


@dataclass(frozen=True)
class Column:
    """One consortium for one bid, with its value (the objective without the staffing reward)."""

    bid: str
    plan: Plan
    value: float

    @property
    def members(self) -> tuple[str, ...]:
        return self.plan.members

    def priced(self, prices: Mapping[str, float]) -> float:
        return self.value - sum(prices.get(f, 0.0) for f in self.plan.members)


@dataclass(frozen=True)
class Priced:
    column: Column | None  # the best consortium found at these prices
    bound: float  # an upper bound on the bid's best priced value (its value less the members' prices)
    infeasible: bool = False  # proven: the bid has no consortium at all


def price_bid(
    problem: ProblemInput,
    bi: BidInput,
    prices: Mapping[str, float],
    ceiling: float,
    config: OptimizerConfig,
    solver: str,
    limit: float,
    reduced: BidInput | None = None,
) -> Priced:
    """The bid's best consortium with each member charged its price; `ceiling` bounds it (its optimum alone).
    `reduced`: the bid already reduced for these prices (else it is reduced here)."""
    if reduced is None:
        reduced, _ = reduce_bid(bi, problem.synergy, config, prices)
    prob, v = build(replace(problem, bids=(reduced,)), config)
    charged = [(f, prices[f]) for (_, f) in sorted(v.x) if prices.get(f, 0.0) > 0]
    if charged:
        prob.setObjective(prob.objective - pulp.lpSum(p * v.x[(0, f)] for f, p in charged))
    result = solve(prob, config, solver, limit)
    if not result.has_plan:
        return Priced(None, ceiling, infeasible=result.status == INFEASIBLE)
    plan = extract(reduced, v, 0)
    check_plan(reduced, plan)
    column = Column(bi.bid.key, plan, plan_value(plan_terms(bi, plan, problem.synergy), config))
    found = column.priced(prices)
    if result.status == OPTIMAL:  # proven within the solver's relative gap, taken as exact (as alone optima are)
        bound = found
    else:
        bound = ceiling if result.bound is None else max(found, result.bound)
    return Priced(column, min(ceiling, bound))


T = TypeVar("T")
R = TypeVar("R")


def parallel_map(work: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """`work` over `items` in order, in up to `workers` threads (each solve runs in its own solver process)."""
    if workers <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, items))


def pack(
    pool: Sequence[Column],
    availability: Mapping[str, int],
    reward: float,
    config: OptimizerConfig,
    solver: str,
    limit: float,
) -> list[Column]:
    """The best set packing of pooled consortia: at most one per bid, no firm beyond its availability."""
    prob = pulp.LpProblem("joint_columns", pulp.LpMaximize)
    y = [pulp.LpVariable(f"y_{j}", cat=pulp.LpBinary) for j in range(len(pool))]
    prob += pulp.lpSum((reward + c.value) * y[j] for j, c in enumerate(pool))
    by_bid: dict[str, list[int]] = {}
    by_firm: dict[str, list[int]] = {}
    for j, c in enumerate(pool):
        by_bid.setdefault(c.bid, []).append(j)
        for f in c.members:
            by_firm.setdefault(f, []).append(j)
    for n, (_, js) in enumerate(sorted(by_bid.items())):
        prob += pulp.lpSum(y[j] for j in js) <= 1, f"one__b{n}"
    for n, (f, js) in enumerate(sorted(by_firm.items())):
        allowed = availability.get(f, 1)
        if len({pool[j].bid for j in js}) > allowed:
            prob += pulp.lpSum(y[j] for j in js) <= allowed, f"available__f{n}"
    result = solve(prob, config, solver, limit)
    if not result.has_plan:  # the empty plan is always feasible: only a solver failure lands here
        return []
    return [c for j, c in enumerate(pool) if (y[j].value() or 0) > 0.5]
