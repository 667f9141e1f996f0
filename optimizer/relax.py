"""When the pre-check passes but the solver finds no plan: relax one named rule at a time.

Each rule group is dropped in turn and the model re-solved; a group whose
removal makes the bid feasible is reported as the reason, in words.
"""

from __future__ import annotations

from profiles.domain import Bid

from .config import OptimizerConfig
from .instance import ProblemInput
from .model import build
from .precheck import Reason
from .solve import solve

RELAXABLE = ("lead", "size", "countries", "kinds", "exclusion", "capacity", "locked", "available")


def _message(group: str, bid: Bid) -> str:
    return {
        "lead": "no consortium that covers every mandatory requirement also contains a firm that can lead it; "
        "relax the lead criteria or add a qualified firm",
        "size": f"no consortium of {bid.min_size}–{bid.max_size} firms covers every mandatory requirement; "
        "allow more members",
        "countries": f"the country rules (at least {bid.min_countries} countries"
        + (f", at most {bid.max_per_country} firms per country" if bid.max_per_country else "")
        + ") cannot be met by a consortium that covers every mandatory requirement",
        "kinds": "no consortium that covers every mandatory requirement includes the required kinds of partner "
        f"({', '.join(k.value for k in bid.required_kinds)})",
        "exclusion": "the excluded pairs (competitors or conflicts) rule out every consortium that covers "
        "the mandatory requirements",
        "capacity": "capacity cannot be met together with the other rules (size, exclusions); allow more members",
        "locked": f"the locked firms ({', '.join(bid.locked_firms)}) cannot be part of a valid consortium; "
        "unlock one of them",
        "available": "the firms this bid needs are committed to other open bids at the same time",
    }[group]


def explain_by_relaxation(
    problem: ProblemInput, config: OptimizerConfig, solver: str, time_limit: float
) -> list[Reason]:
    bid = problem.bids[0].bid
    culprits = []
    for group in RELAXABLE:
        prob, _ = build(problem, config, drop=frozenset({group}))
        if solve(prob, config, solver, time_limit).has_plan:
            culprits.append(group)
    if not culprits:
        return [
            Reason(
                "combination",
                "no single rule is to blame: several rules together (size, lead, "
                "exclusions, countries, capacity) cannot be met at once",
            )
        ]
    return [Reason(f"rule_{g}", _message(g, bid)) for g in culprits]
