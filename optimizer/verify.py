"""Check a solved plan again in plain Python; a failed check is a bug in the model.

Beyond the plan's own consistency (members are candidates, each requirement's coverer is an
eligible member), every rule of the model checks itself (`optimizer.rules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from profiles.errors import PlanCheckFailed

from .instance import BidInput
from .rules import bid_rules, joint_rules


@dataclass(frozen=True)
class Plan:
    bid: str
    members: tuple[str, ...]
    lead: str
    primary: dict[str, str]  # requirement key → firm covering it


def plan_problems(bi: BidInput, plan: Plan) -> list[str]:
    by_firm = {c.firm: c for c in bi.candidates}
    members = set(plan.members)
    unknown = members - set(by_firm)
    if unknown:
        return [f"members {sorted(unknown)} are not candidates"]
    problems = []
    for req in bi.bid.requirements:
        firm = plan.primary.get(req.key)
        if firm is None:
            continue
        if firm not in members:
            problems.append(f"requirement {req.key} covered by non-member {firm}")
        elif req.key not in by_firm[firm].fits:
            problems.append(f"{firm} is not eligible for requirement {req.key}")
    for rule in bid_rules():
        problems += rule.check(bi, plan)
    return problems


def check_plan(bi: BidInput, plan: Plan) -> None:
    problems = plan_problems(bi, plan)
    if problems:
        raise PlanCheckFailed(f"plan for bid {plan.bid} breaks the rules: {'; '.join(problems)}")


def check_availability(plans: Sequence[Plan], availability: dict[str, int]) -> None:
    """Check the rules across simultaneous bids (a firm joins at most its allowed number of consortia)."""
    problems = [problem for rule in joint_rules() for problem in rule.check(plans, availability)]
    if problems:
        raise PlanCheckFailed("; ".join(problems))
