"""Capability overlap: Jaccard of the normalised vocabulary concepts both profiles name."""

from __future__ import annotations

from . import Comparator, ComponentResult


def compare(a, b, ctx) -> ComponentResult | None:
    ca, cb = a.concepts, b.concepts
    if not ca or not cb:
        return None
    shared = ca & cb
    value = len(shared) / len(ca | cb)
    return ComponentResult(value, {"shared": sorted(ctx.vocabulary.label(c) for c in shared)})


COMPARATOR = Comparator("capabilities", compare, description="Jaccard overlap of normalised capabilities")
