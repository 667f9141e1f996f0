"""The optimiser against brute force (optimizer.bruteforce) on small random instances, for property tests."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer.bruteforce import best_by_enumeration
from optimizer.config import OptimizerConfig
from optimizer.instance import ProblemInput
from optimizer.model import build
from optimizer.propose import extract
from optimizer.reduce import reduce_problem, synergy_shortlist
from optimizer.solve import solve
from optimizer.verify import plan_problems


def assert_optimum_equals_brute_force(problem: ProblemInput, config: OptimizerConfig, *, optimal: bool = False) -> None:
    """The model's optimum is the objective of the best consortium by enumeration (no plan when there is none),
    and its plan passes the plan check; with optimal, the solver must also have proven it optimal."""
    expected = best_by_enumeration(problem, config)
    prob, v = build(problem, config)
    result = solve(prob, config)
    if expected is None:
        assert not result.has_plan
        return
    if optimal:
        assert result.status == "optimal"
    assert result.objective == pytest.approx(expected[0], abs=1e-6)
    plan = extract(problem.bids[0], v, 0)
    assert plan_problems(problem.bids[0], plan) == []


def assert_reduced_optimum_equals_brute_force(problem: ProblemInput, config: OptimizerConfig, shortlist: int) -> None:
    """Pruning and the synergy shortlist keep the optimum: the reduced model's optimum equals brute force over all
    firms (with the same synergy shortlist), and its plan passes the plan check."""
    config = config.model_copy(update={"synergy_candidates": shortlist})
    (bi,) = problem.bids
    full = replace(problem, bids=(replace(bi, pair_firms=synergy_shortlist(bi, shortlist)),))
    expected = best_by_enumeration(full, config)
    reduced, _ = reduce_problem(problem, config)
    prob, v = build(reduced, config)
    result = solve(prob, config)
    if expected is None:
        assert not result.has_plan
        return
    assert result.objective == pytest.approx(expected[0], abs=1e-6)
    assert plan_problems(bi, extract(reduced.bids[0], v, 0)) == []
