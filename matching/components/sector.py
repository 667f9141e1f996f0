"""Sector proximity on the NACE Rev. 2 hierarchy (class, group, division, section)."""

from __future__ import annotations

from profiles.taxonomy.nace import nace_proximity

from . import Comparator, ComponentResult


def compare(a, b, ctx) -> ComponentResult | None:
    if not a.nace or not b.nace:
        return None
    best, pair = 0.0, None
    for x in a.nace:
        for y in b.nace:
            value = nace_proximity(x, y)
            if value > best:
                best, pair = value, (x, y)
    return ComponentResult(best, {"closest_codes": list(pair) if pair else []})


COMPARATOR = Comparator("sector", compare, description="closest NACE codes: 1 same class … 0.25 same section")
