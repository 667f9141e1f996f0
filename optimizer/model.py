"""The mixed-integer program, built with PuLP.

Per bid b (staffed flag z_b, fixed to 1 when the bid is solved alone):
  x[f,b]    firm f is a member (binary)
  u[r,k,b]  some member covers requirement r with fit ≥ level k (continuous in [0, 1])
  p[f,g,b]  both f and g are members (only pairs with a match score inside the synergy shortlist)
  c[k,b]    some member comes from country k (only when the bid needs several countries)

A requirement earns the fit of its best-fitting member. With the distinct fit levels
l1 < l2 < … of the firms eligible for r, that is l1·u1 + (l2 − l1)·u2 + …, where u_k may
be 1 only if a member reaches level k. This staircase has one row per level instead of
a variable per firm and requirement, and its relaxation is far tighter than choosing a
"primary coverer" per requirement; the best-fitting member is read off the plan afterwards.

Rows come from the rules in `optimizer.rules`, each named `<rule>__<row>` so an infeasible model
can be explained by name (`drop` leaves whole rules out, for diagnosis):
  cover      Σ_{f eligible for r} x[f,b] ≥ z_b for mandatory r
  lead       Σ_{f lead-eligible} x[f,b] ≥ z_b
  size       min·z_b ≤ Σ_f x[f,b] ≤ max·z_b
  countries  c[k,b] ≤ Σ_{f in k} x;  Σ_k c[k,b] ≥ min_countries·z_b;  Σ_{f in k} x ≤ max_per_country
  kinds      Σ_{f of kind} x ≥ z_b
  exclusion  x[f,b] + x[g,b] ≤ 1
  capacity   Σ_f cap[f,r]·x[f,b] ≥ volume_r·z_b over firms eligible for r
  locked     x[f,b] = z_b
  available  Σ_b x[f,b] ≤ availability_f
The objective's own rows are written here:
  level      u[r,k,b] ≤ Σ_{f: fit ≥ l_k} x[f,b]
  pair       p ≤ x[f], p ≤ x[g] and the star rows Σ_g p[f,g,b] ≤ (max−1)·x[f,b]
  bound      a bid's value in a joint plan ≤ its optimum alone (joint plans only)
  nogood     not this member set again (alternatives)
Objective: staffing reward·Σ z + fit·Σ_r w_r·(staircase of r) + synergy·Σ s[f,g]·p / (max−1) − size_penalty·Σ x.
The synergy sum is divided by (max − 1) because it grows with the square of the size; so scaled, one
member adds at most about its mean match score, and the size penalty can keep consortia lean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pulp

from .config import OptimizerConfig
from .instance import BidInput, ProblemInput
from .rules import RULES, BidRows, JointRows, Row, bid_rules, joint_rules


@dataclass
class ModelVars:
    x: dict[tuple[int, str], pulp.LpVariable] = field(default_factory=dict)
    levels: dict[tuple[int, str], list[tuple[float, pulp.LpVariable]]] = field(default_factory=dict)
    pairs: dict[tuple[int, str, str], pulp.LpVariable] = field(default_factory=dict)
    staffed: dict[int, pulp.LpVariable | int] = field(default_factory=dict)
    countries: dict[tuple[int, str], pulp.LpVariable] = field(default_factory=dict)
    terms: dict[str, pulp.LpAffineExpression] = field(default_factory=dict)


def _write(prob: pulp.LpProblem, rule: str, rows: Iterable[Row]) -> None:
    for name, row in rows:
        prob += row, f"{rule}__{name}"


def _fit_staircase(prob: pulp.LpProblem, v: ModelVars, bi: BidInput, b: int, x: dict[str, pulp.LpVariable]) -> list:
    """The objective's fit terms of bid b: per requirement, the fit of its best-fitting member."""
    fit_terms = []
    for r, req in enumerate(bi.bid.requirements):
        eligible = [c for c in bi.candidates if req.key in c.fits]
        steps, previous = [], 0.0
        for k, level in enumerate(sorted({c.fits[req.key].fit for c in eligible})):
            u = pulp.LpVariable(f"u_{b}_{r}_{k}", lowBound=0, upBound=1)
            reach = pulp.lpSum(x[c.firm] for c in eligible if c.fits[req.key].fit >= level)
            prob += u <= reach, f"level__b{b}_r{r}_{k}"
            steps.append((level, u))
            fit_terms.append(req.weight * (level - previous) * u)
            previous = level
        v.levels[(b, req.key)] = steps
    return fit_terms


def _bid_rows(
    prob: pulp.LpProblem,
    v: ModelVars,
    bi: BidInput,
    b: int,
    z: pulp.LpVariable | int,
    drop: frozenset[str],
    synergy: dict[tuple[str, str], float],
) -> list:
    bid = bi.bid
    cands = bi.candidates
    x = {c.firm: pulp.LpVariable(f"x_{b}_{n}", cat="Binary") for n, c in enumerate(cands)}
    for c in cands:
        v.x[(b, c.firm)] = x[c.firm]
    index = {c.firm: n for n, c in enumerate(cands)}
    fit_terms = _fit_staircase(prob, v, bi, b, x)

    rows = BidRows(bi, b, z, x, index, v.countries)
    for rule in bid_rules():
        if rule.name not in drop:
            _write(prob, rule.name, rule.rows(rows))

    star: dict[str, list[pulp.LpVariable]] = {}
    pair_firms = sorted(c.firm for c in cands if bi.pair_firms is None or c.firm in bi.pair_firms)
    for i, f in enumerate(pair_firms):
        for g in pair_firms[i + 1 :]:
            key = (f, g)
            if synergy.get(key, 0.0) <= 0 or key in bi.exclusions:
                continue
            pv = pulp.LpVariable(f"p_{b}_{index[f]}_{index[g]}", lowBound=0, upBound=1)
            v.pairs[(b, f, g)] = pv
            prob += pv <= x[f], f"pair__a_{b}_{index[f]}_{index[g]}"
            prob += pv <= x[g], f"pair__b_{b}_{index[f]}_{index[g]}"
            star.setdefault(f, []).append(pv)
            star.setdefault(g, []).append(pv)
    for f, pvs in sorted(star.items()):
        prob += pulp.lpSum(pvs) <= (bid.max_size - 1) * x[f], f"pair__star_{b}_{index[f]}"
    return fit_terms


def build(
    problem: ProblemInput,
    config: OptimizerConfig,
    joint: bool = False,
    drop: frozenset[str] = frozenset(),
    bounds: dict[str, float] | None = None,
) -> tuple[pulp.LpProblem, ModelVars]:
    """Build the model for one or several bids; `drop` leaves out named row groups (for diagnosis).

    `bounds` (bid key → the bid's optimum when solved alone) adds a row per bid saying its
    value in a joint plan cannot exceed that; it is valid and lets the solver prove a joint
    plan optimal as soon as one reaches those values.
    """
    unknown = drop - set(RULES)
    if unknown:
        raise ValueError(f"cannot drop {sorted(unknown)}: not rules of the model; its rules are {sorted(RULES)}")
    prob = pulp.LpProblem("consortia", pulp.LpMaximize)
    v = ModelVars()
    fit_terms = []
    for b, bi in enumerate(problem.bids):
        z = pulp.LpVariable(f"z_{b}", cat="Binary") if joint else 1
        v.staffed[b] = z
        bid_fit = _bid_rows(prob, v, bi, b, z, drop, problem.synergy)
        fit_terms += bid_fit
        if bounds and bi.bid.key in bounds:
            bid_scale = 1.0 / max(1, bi.bid.max_size - 1)
            value = (
                config.fit_weight * pulp.lpSum(bid_fit)
                + config.synergy_weight
                * bid_scale
                * pulp.lpSum(problem.synergy[(f, g)] * p for (bb, f, g), p in v.pairs.items() if bb == b)
                - config.size_penalty * pulp.lpSum(x for (bb, _), x in v.x.items() if bb == b)
            )
            prob += value <= bounds[bi.bid.key] * z + 1e-6, f"bound__b{b}"

    if len(problem.bids) > 1:
        joint_rows = JointRows(v.x, problem.availability)
        for joint_rule in joint_rules():
            if joint_rule.name not in drop:
                _write(prob, joint_rule.name, joint_rule.rows(joint_rows))

    scale = {b: 1.0 / max(1, bi.bid.max_size - 1) for b, bi in enumerate(problem.bids)}
    v.terms["fit"] = pulp.lpSum(fit_terms)
    v.terms["synergy"] = pulp.lpSum(scale[b] * problem.synergy[(f, g)] * p for (b, f, g), p in v.pairs.items())
    v.terms["size"] = pulp.lpSum(v.x.values())
    v.terms["staffed"] = pulp.lpSum(z for z in v.staffed.values() if not isinstance(z, int))
    prob += (
        config.staffing_reward * v.terms["staffed"]
        + config.fit_weight * v.terms["fit"]
        + config.synergy_weight * v.terms["synergy"]
        - config.size_penalty * v.terms["size"]
    )
    return prob, v


def add_nogood(prob: pulp.LpProblem, v: ModelVars, b: int, members: list[str], n: int) -> None:
    """Forbid exactly this member set again for bid b: at least one member out or one outsider in."""
    inside = [v.x[(b, f)] for f in members]
    outside = [var for (bb, f), var in v.x.items() if bb == b and f not in members]
    prob += pulp.lpSum(1 - var for var in inside) + pulp.lpSum(outside) >= 1, f"nogood__{b}_{n}"


def set_start(v: ModelVars, b: int, bi: BidInput, members: tuple[str, ...]) -> None:
    """Give every variable of bid b the value it has in a known plan (a warm start for the solver)."""
    inside = set(members)
    staffed = v.staffed[b]
    if not isinstance(staffed, int):
        staffed.setInitialValue(1 if inside else 0)
    for (bb, f), var in v.x.items():
        if bb == b:
            var.setInitialValue(1 if f in inside else 0)
    by_firm = {c.firm: c for c in bi.candidates}
    for (bb, r), steps in v.levels.items():
        if bb == b:
            best = max((by_firm[f].fits[r].fit for f in inside if r in by_firm[f].fits), default=0.0)
            for level, u in steps:
                u.setInitialValue(1 if best >= level else 0)
    for (bb, f, g), var in v.pairs.items():
        if bb == b:
            var.setInitialValue(1 if f in inside and g in inside else 0)
    countries = {by_firm[f].country for f in inside}
    for (bb, k), var in v.countries.items():
        if bb == b:
            var.setInitialValue(1 if k in countries else 0)
