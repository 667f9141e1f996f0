"""Check a solved plan again in plain Python; a failed check is a bug in the model."""

from __future__ import annotations

from dataclasses import dataclass

from profiles.errors import PlanCheckFailed

from .instance import BidInput, pair


@dataclass(frozen=True)
class Plan:
    bid: str
    members: tuple[str, ...]
    lead: str
    primary: dict[str, str]  # requirement key → firm covering it


def plan_problems(bi: BidInput, plan: Plan) -> list[str]:
    bid = bi.bid
    members = set(plan.members)
    by_firm = {c.firm: c for c in bi.candidates}
    problems = []
    if not bid.min_size <= len(members) <= bid.max_size:
        problems.append(f"size {len(members)} outside {bid.min_size}..{bid.max_size}")
    unknown = members - set(by_firm)
    if unknown:
        problems.append(f"members {sorted(unknown)} are not candidates")
        return problems
    for req in bid.requirements:
        firm = plan.primary.get(req.key)
        if req.mandatory and firm is None:
            problems.append(f"mandatory requirement {req.key} is not covered")
        if firm is not None:
            if firm not in members:
                problems.append(f"requirement {req.key} covered by non-member {firm}")
            elif req.key not in by_firm[firm].fits:
                problems.append(f"{firm} is not eligible for requirement {req.key}")
        if req.mandatory and req.volume_per_year:
            supply = sum(by_firm[f].fits[req.key].capacity or 0 for f in members if req.key in by_firm[f].fits)
            if supply < req.volume_per_year:
                problems.append(f"capacity for {req.key} is {supply} < {req.volume_per_year}")
    if plan.lead not in members or not by_firm[plan.lead].lead_eligible:
        problems.append(f"lead {plan.lead} is not an eligible member")
    for a in members:
        for b in members:
            if a < b and pair(a, b) in bi.exclusions:
                problems.append(f"excluded pair {a} + {b} together")
    countries = [by_firm[f].country for f in members]
    if len(set(countries)) < bid.min_countries:
        problems.append(f"{len(set(countries))} countries < {bid.min_countries}")
    if bid.max_per_country and any(countries.count(k) > bid.max_per_country for k in set(countries)):
        problems.append(f"more than {bid.max_per_country} firms from one country")
    for kind in bid.required_kinds:
        if not any(by_firm[f].kind == kind.value for f in members):
            problems.append(f"no {kind.value} member")
    for firm in bid.locked_firms:
        if firm not in members:
            problems.append(f"locked firm {firm} is missing")
    return problems


def check_plan(bi: BidInput, plan: Plan) -> None:
    problems = plan_problems(bi, plan)
    if problems:
        raise PlanCheckFailed(f"plan for bid {plan.bid} breaks the rules: {'; '.join(problems)}")


def over_availability(plans: list[Plan], availability: dict[str, int]) -> dict[str, int]:
    """Firms placed in more consortia than they allow, with how many."""
    used: dict[str, int] = {}
    for p in plans:
        for f in p.members:
            used[f] = used.get(f, 0) + 1
    return {f: n for f, n in used.items() if n > availability.get(f, 1)}


def check_availability(plans: list[Plan], availability: dict[str, int]) -> None:
    over = over_availability(plans, availability)
    if over:
        raise PlanCheckFailed(f"firms over their availability across bids: {over}")
