"""A solved model's plan, and a plan's value computed from the plan itself (not from the model)."""

from __future__ import annotations

from .config import OptimizerConfig
from .instance import BidInput
from .model import ModelVars
from .verify import Plan


def extract(bi: BidInput, v: ModelVars, b: int) -> Plan:
    members = sorted(f for (bb, f), var in v.x.items() if bb == b and (var.value() or 0) > 0.5)
    return plan_for(bi, members)


def plan_for(bi: BidInput, members: list[str]) -> Plan:
    """A member set's plan: each requirement goes to its best-fitting member (ties: larger capacity, key)."""
    by_firm = {c.firm: c for c in bi.candidates}
    primary = {}
    for req in bi.bid.requirements:
        able = [f for f in members if req.key in by_firm[f].fits]
        if able:
            primary[req.key] = min(
                able, key=lambda f: (-by_firm[f].fits[req.key].fit, -(by_firm[f].fits[req.key].capacity or 0), f)
            )
    eligible = [f for f in members if by_firm[f].lead_eligible]
    # The model only guarantees a qualified lead exists; pick it by a fixed rule so output is deterministic.
    lead = (
        min(
            eligible,
            key=lambda f: (
                -sum(by_firm[f].fits[r].fit for r, k in primary.items() if k == f),
                -len(by_firm[f].fits),
                f,
            ),
        )
        if eligible
        else ""
    )
    return Plan(bi.bid.key, tuple(members), lead, dict(sorted(primary.items())))


def plan_terms(bi: BidInput, plan: Plan, synergy: dict[tuple[str, str], float]) -> dict[str, float]:
    """The objective's parts for one plan, computed from the plan itself."""
    weights = {r.key: r.weight for r in bi.bid.requirements}
    by_firm = {c.firm: c for c in bi.candidates}
    fit = sum(weights[r] * by_firm[f].fits[r].fit for r, f in plan.primary.items())
    members = sorted(plan.members)
    pairs = sum(
        synergy.get((a, b), 0.0) for i, a in enumerate(members) for b in members[i + 1 :] if bi.has_pair_terms(a, b)
    )
    return {"fit": fit, "synergy": pairs / max(1, bi.bid.max_size - 1), "size": float(len(members))}


def plan_value(terms: dict[str, float], config: OptimizerConfig) -> float:
    return (
        config.fit_weight * terms["fit"]
        + config.synergy_weight * terms["synergy"]
        - config.size_penalty * terms["size"]
    )
