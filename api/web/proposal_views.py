"""What the proposal pages show, computed from a (redacted) proposal record: pure functions."""

from __future__ import annotations

from typing import Any


def coverage_matrix(proposal: dict[str, Any]) -> dict[str, Any]:
    """Requirements × member firms: who covers each requirement with what fit, who adds capacity,
    and which of the requirement's certifications each member holds."""
    plan = proposal.get("plan") or {}
    members = plan.get("members", [])
    rows = []
    for c in plan.get("coverage", []):
        contributors = {x["firm"]: x["capacity"] for x in (c.get("capacity") or {}).get("contributors", [])}
        cells = []
        for m in members:
            held = set(m.get("certifications", []))
            covers = c.get("covered_by") == m["firm"]
            cells.append(
                {
                    "covers": covers,
                    "fit": c.get("fit") if covers else None,
                    "capacity": contributors.get(m["firm"]),
                    "certifications": [(cert, cert in held) for cert in c.get("certifications", [])],
                }
            )
        capacity = c.get("capacity") or None
        rows.append(
            {
                "requirement": c.get("requirement"),
                "capability": c.get("capability"),
                "mandatory": c.get("mandatory", False),
                "covered": c.get("covered_by") is not None,
                "how": c.get("how"),
                "cells": cells,
                "needed": capacity.get("needed") if capacity else None,
                "available": capacity.get("available") if capacity else None,
                "short": capacity is not None and capacity.get("available", 0) < capacity.get("needed", 0),
            }
        )
    return {"members": members, "rows": rows}


def synergy_pairs(proposal: dict[str, Any]) -> list[dict[str, Any]]:
    """Member pairs, strongest first; pairs without a match score last."""
    pairs = list((proposal.get("plan") or {}).get("synergy", []))
    return sorted(pairs, key=lambda s: (s.get("score") is None, -(s.get("score") or 0.0), s.get("a_name", "")))


def member_refs(proposal: dict[str, Any]) -> list[tuple[str, str]]:
    """(reference for lock/exclude forms, label) per member; hidden members are referred to by alias."""
    return [(m["firm"], m.get("name") or m["firm"]) for m in (proposal.get("plan") or {}).get("members", [])]


def fit_words(confidence: float | None) -> str:
    """The proposal's confidence in an advisor's words."""
    if confidence is None:
        return "fit not rated"
    if confidence >= 0.8:
        return "strong fit"
    if confidence >= 0.6:
        return "good fit"
    return "weak fit"


def confidence_reasons(proposal: dict[str, Any]) -> str:
    """What the fit rating rests on, in words (for its tooltip)."""
    basis = ((proposal.get("explanation") or {}).get("confidence") or {}).get("basis") or {}
    parts = [
        f"members match the mandatory requirements {basis.get('mean_mandatory_fit', 0.0):.0%} on average",
        f"capacity headroom {basis.get('capacity_headroom', 0.0):.0%}",
        f"{basis.get('member_pairs_with_match', 0.0):.0%} of member pairs have matched before",
    ]
    if basis and not basis.get("proven_optimal", True):
        parts.append("the solver stopped before proving this the best plan")
    return "; ".join(parts)


def difference(proposal: dict[str, Any], recommended: dict[str, Any] | None) -> str:
    """One line saying how an alternative differs from the recommended proposal, in firm names and
    capabilities ("replaces A with B for anodising")."""
    if recommended is None or proposal.get("id") == recommended.get("id"):
        return ""
    plan, best = proposal.get("plan") or {}, recommended.get("plan") or {}
    names = {m["firm"]: m.get("name") or m["firm"] for p in (best, plan) for m in p.get("members", [])}
    mine = {m["firm"] for m in plan.get("members", [])}
    theirs = {m["firm"] for m in best.get("members", [])}
    before = {c.get("requirement"): c.get("covered_by") for c in best.get("coverage", [])}
    swaps: dict[tuple[str, str], list[str]] = {}
    parts: list[str] = []
    for c in plan.get("coverage", []):
        old, new, what = before.get(c.get("requirement")), c.get("covered_by"), str(c.get("capability"))
        if old == new:
            continue
        if old and new:
            swaps.setdefault((old, new), []).append(what)
        elif new:
            parts.append(f"also covers {what} with {names[new]}")
        else:
            parts.append(f"leaves {what} uncovered")
    mentioned: set[str] = set()
    for (old, new), caps in swaps.items():
        if old in mine:
            parts.append(f"{names[new]} covers {', '.join(caps)} instead of {names[old]}")
        else:
            parts.append(f"replaces {names[old]} with {names[new]} for {', '.join(caps)}")
        mentioned |= {old, new}
    parts += [f"adds {names[f]}" for f in sorted(mine - theirs - mentioned, key=names.__getitem__)]
    parts += [f"leaves out {names[f]}" for f in sorted(theirs - mine - mentioned, key=names.__getitem__)]
    lead = next((m["firm"] for m in plan.get("members", []) if m.get("lead")), None)
    best_lead = next((m["firm"] for m in best.get("members", []) if m.get("lead")), None)
    if lead and best_lead and lead != best_lead:
        parts.append(f"{names[lead]} leads instead of {names[best_lead]}")
    if not parts:
        return "Same firms in the same roles as the recommended one."
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
