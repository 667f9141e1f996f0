"""When the pre-check passes but the solver finds no plan: relax one named rule at a time.

Each rule of the model that may be relaxed (`optimizer.rules`) is dropped in turn and the
model re-solved; a rule whose removal makes the bid feasible is reported as the reason, in words.
"""

from __future__ import annotations

from .config import OptimizerConfig
from .instance import ProblemInput
from .model import build
from .precheck import Reason
from .rules import RULES
from .solve import solve


def explain_by_relaxation(
    problem: ProblemInput, config: OptimizerConfig, solver: str, time_limit: float
) -> list[Reason]:
    bi = problem.bids[0]
    culprits = []
    for rule in RULES.values():
        if rule.relaxed is None or not rule.applies(bi):  # a rule that writes no rows cannot be the reason
            continue
        prob, _ = build(problem, config, drop=frozenset({rule.name}))
        if solve(prob, config, solver, time_limit).has_plan:
            culprits.append(Reason(f"rule_{rule.name}", rule.relaxed(bi.bid)))
    if not culprits:
        return [
            Reason(
                "combination",
                "no single rule is to blame: several rules together (size, lead, "
                "exclusions, countries, capacity) cannot be met at once",
            )
        ]
    return culprits
