"""Offer ↔ request complementarity: how much of one side's needs the other side offers.

Directional: A→B is the share of B's sought concepts that A offers (with
partial credit through the vocabulary hierarchy). The component value is the
better of the two directions; the evidence keeps both, so each side's
explanation says who offers what to whom.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..features import ProfileFeatures
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext, row_counts


def coverage(offered: frozenset[str], sought: frozenset[str], vocabulary: Any) -> tuple[float, list[str]]:
    """The share of `sought` that `offered` meets (partial credit through the hierarchy), and the
    labels of the sought concepts met."""
    if not sought:
        return 0.0, []
    value, met = _coverage(offered, sought, vocabulary)
    return value, list(met)


@lru_cache(maxsize=65_536)
def _coverage(offered: frozenset[str], sought: frozenset[str], vocabulary: Any) -> tuple[float, tuple[str, ...]]:
    # remembered: explaining a stored match asks for each direction three times (the component and
    # both rows' kinds), and profiles of one firm often name the same concepts
    total, met = 0.0, []
    for want in sorted(sought):
        best = max((vocabulary.relatedness(have, want) for have in offered), default=0.0)
        if best > 0:
            met.append(vocabulary.label(want))
        total += best
    return total / len(sought), tuple(met)


def compare(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext) -> ComponentResult | None:
    if not a.sought and not b.sought:
        return None
    a_to_b, a_gives = coverage(a.offered, b.sought, ctx.vocabulary)
    b_to_a, b_gives = coverage(b.offered, a.sought, ctx.vocabulary)
    return ComponentResult(
        max(a_to_b, b_to_a),
        {
            "a_offers_b": {"value": round(a_to_b, 4), "concepts": a_gives},
            "b_offers_a": {"value": round(b_to_a, 4), "concepts": b_gives},
        },
    )


def batch(ctx: BatchContext) -> ArrayResult:
    """The offer credit (relatedness of the best offered concept, per concept) of one side summed over
    what the other seeks, in both directions."""
    a, left, right = ctx.arrays, ctx.left, ctx.right
    need = row_counts(a.sought)
    a_gives = np.asarray(a.credit[left].multiply(a.sought[right]).sum(axis=1)).ravel()
    b_gives = np.asarray(a.credit[right].multiply(a.sought[left]).sum(axis=1)).ravel()
    a_to_b = np.divide(a_gives, need[right], out=np.zeros_like(a_gives, dtype=np.float64), where=need[right] > 0)
    b_to_a = np.divide(b_gives, need[left], out=np.zeros_like(b_gives, dtype=np.float64), where=need[left] > 0)
    return np.maximum(a_to_b, b_to_a), (need[left] > 0) | (need[right] > 0)


COMPONENT = Component(
    "complementarity",
    compare,
    batch,
    label="offer meets need",
    description="share of one side's sought capabilities the other offers (BO/TO ↔ BR/TR/RDR)",
)
