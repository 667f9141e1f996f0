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
