"""Proposal assembly: who covers what, why these firms fit together, what is missing or risky.

Pure functions from a checked plan to a JSON-ready dict; the same dict feeds
the CLI, the database and the proposal document.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, TypedDict

from profiles.domain import Firm

from .instance import BidInput, pair
from .solve import OPTIMAL, SolveResult
from .verify import Plan

THIN_MARGIN = 0.10


class Contributor(TypedDict):
    """A member's share of a requirement's volume."""

    firm: str
    capacity: int


def _coverage(bi: BidInput, plan: Plan, firms: dict[str, Firm]) -> list[dict[str, Any]]:
    by_firm = {c.firm: c for c in bi.candidates}
    rows = []
    for req in bi.bid.requirements:
        firm = plan.primary.get(req.key)
        row: dict[str, Any] = {
            "requirement": req.key,
            "capability": req.capability,
            "mandatory": req.mandatory,
            "certifications": list(req.certifications),
            "covered_by": firm,
        }
        if firm is not None:
            fit = by_firm[firm].fits[req.key]
            row.update(
                {
                    "firm_name": firms[firm].name,
                    "fit": fit.fit,
                    "how": fit.how,
                    "matched_capability": fit.matched_phrase,
                }
            )
        if req.volume_per_year:
            contributors = sorted(
                (
                    Contributor(firm=f, capacity=by_firm[f].fits[req.key].capacity or 0)
                    for f in plan.members
                    if req.key in by_firm[f].fits
                ),
                key=lambda c: (-c["capacity"], c["firm"]),
            )
            available = sum(c["capacity"] for c in contributors)
            row["capacity"] = {
                "needed": req.volume_per_year,
                "available": available,
                "split": " + ".join(
                    f"{firms[c['firm']].name} {c['capacity']:,}" for c in contributors if c["capacity"]
                ),
                "margin": round((available - req.volume_per_year) / req.volume_per_year, 4),
                "contributors": contributors,
            }
        rows.append(row)
    return rows


def _synergy(plan: Plan, synergy: dict[tuple[str, str], float], firms: dict[str, Firm]) -> list[dict[str, Any]]:
    out = []
    for a, b in combinations(sorted(plan.members), 2):
        score = synergy.get(pair(a, b))
        out.append(
            {
                "a": a,
                "b": b,
                "a_name": firms[a].name,
                "b_name": firms[b].name,
                "score": None if score is None else round(score, 4),
            }
        )
    return out


def _risks(
    bi: BidInput, plan: Plan, coverage: list[dict[str, Any]], pairs: list[dict[str, Any]], firms: dict[str, Firm]
) -> list[str]:
    risks = []
    for row in coverage:
        cap = row.get("capacity")
        if cap and row["mandatory"] and cap["margin"] < THIN_MARGIN:
            risks.append(
                f"{row['capability']}: capacity margin only {cap['margin']:.0%} "
                f"({cap['available']:,} for {cap['needed']:,} units/year)"
            )
        if row["covered_by"] and row.get("how") in ("generalist", "related", "similar wording"):
            risks.append(
                f"{row['capability']}: covered by {row['firm_name']} as a {row['how']} "
                f"(fit {row['fit']:.2f}); confirm the firm can do it"
            )
    idle = [
        firms[f].name
        for f in plan.members
        if f not in plan.primary.values()
        and not any(c["firm"] == f for r in coverage for c in (r.get("capacity") or {}).get("contributors", []))
    ]
    if idle:
        risks.append(
            f"{', '.join(idle)} cover{'s' if len(idle) == 1 else ''} no requirement; "
            "included for pairwise synergy or a composition rule"
        )
    unmatched = [p for p in pairs if p["score"] is None]
    if unmatched:
        risks.append(
            f"{len(unmatched)} of {len(pairs)} member pairs have no match score (no shared history "
            "or overlapping profiles); synergy is unproven for them"
        )
    no_export = [firms[f].name for f in plan.members if not firms[f].has_export_experience]
    if no_export:
        risks.append(f"no export experience: {', '.join(no_export)}")
    deliver = bi.bid.delivery_country
    if deliver and not any(deliver in firms[f].export_countries or firms[f].country == deliver for f in plan.members):
        risks.append(f"no member has delivered to {deliver} before")
    return risks


def confidence(coverage: list[dict[str, Any]], pairs: list[dict[str, Any]], result: SolveResult) -> dict[str, Any]:
    mandatory = [r for r in coverage if r["mandatory"] and r["covered_by"]]
    mean_fit = sum(r["fit"] for r in mandatory) / len(mandatory) if mandatory else 0.0
    margins = [
        min(1.0, max(0.0, r["capacity"]["margin"] / 0.5)) for r in coverage if r.get("capacity") and r["mandatory"]
    ]
    capacity = sum(margins) / len(margins) if margins else 1.0
    scored = [p["score"] for p in pairs if p["score"] is not None]
    pair_share = len(scored) / len(pairs) if pairs else 0.0
    value = 0.6 * mean_fit + 0.25 * capacity + 0.15 * pair_share
    proven = result.status == OPTIMAL
    if not proven:
        value *= 0.9
    return {
        "value": round(value, 3),
        "basis": {
            "mean_mandatory_fit": round(mean_fit, 3),
            "capacity_headroom": round(capacity, 3),
            "member_pairs_with_match": round(pair_share, 3),
            "proven_optimal": proven,
        },
        "formula": "0.6·mean fit + 0.25·capacity headroom (margin/50%, capped) + 0.15·share of pairs "
        "with a match score; ×0.9 if not proven optimal",
    }


def assemble(
    bi: BidInput,
    plan: Plan,
    result: SolveResult,
    firms: dict[str, Firm],
    synergy: dict[tuple[str, str], float],
    terms: dict[str, float],
    rank: int,
    build_seconds: float,
) -> dict[str, Any]:
    coverage = _coverage(bi, plan, firms)
    pairs = _synergy(plan, synergy, firms)
    members = []
    for f in sorted(plan.members, key=lambda f: (f != plan.lead, f)):
        firm = firms[f]
        members.append(
            {
                "firm": f,
                "name": firm.name,
                "country": firm.country,
                "city": firm.city,
                "size_class": firm.size_class.value if firm.size_class else None,
                "lead": f == plan.lead,
                "covers": sorted(r for r, k in plan.primary.items() if k == f),
                "supplies": sorted(
                    r["requirement"]
                    for r in coverage
                    if r["covered_by"] != f
                    and any(c["firm"] == f and c["capacity"] for c in (r.get("capacity") or {}).get("contributors", []))
                ),
                "certifications": list(firm.certifications),
            }
        )
    gaps = [r["capability"] for r in coverage if not r["mandatory"] and r["covered_by"] is None]
    scored = [p for p in pairs if p["score"] is not None]
    why = []
    if scored:
        best = max(scored, key=lambda p: (p["score"], p["a"], p["b"]))
        why.append(f"strongest pair: {best['a_name']} + {best['b_name']} (match {best['score']:.2f})")
    mandatory = [r for r in coverage if r["mandatory"]]
    exact = sum(1 for r in mandatory if r.get("how") in ("same capability", "specialist"))
    why.append(
        f"{exact} of {len(mandatory)} mandatory requirements covered by a firm with that exact capability "
        "or a specialism of it"
    )
    why.append(f"lead: {firms[plan.lead].name} ({', '.join(firms[plan.lead].certifications) or 'no certifications'})")
    countries = sorted({firms[f].country for f in plan.members})
    why.append(f"{len(plan.members)} firms from {', '.join(countries)}")
    return {
        "rank": rank,
        "feasible": True,
        "objective": None if result.objective is None else round(result.objective, 6),
        "solver": result.solver,
        "solver_status": result.status,
        "gap": result.gap,
        "solve_seconds": round(result.seconds, 4),
        "build_seconds": round(build_seconds, 4),
        "plan": {"members": members, "lead": plan.lead, "coverage": coverage, "synergy": pairs},
        "explanation": {
            "why": why,
            "objective_terms": {k: round(v, 6) for k, v in terms.items()},
            "gaps": gaps,
            "risks": _risks(bi, plan, coverage, pairs, firms),
            "confidence": confidence(coverage, pairs, result),
        },
    }
