"""Offer ↔ request complementarity: how much of one side's needs the other side offers.

Directional: A→B is the share of B's sought concepts that A offers (with
partial credit through the vocabulary hierarchy). The component value is the
better of the two directions; the evidence keeps both, so each side's
explanation says who offers what to whom.
"""

from __future__ import annotations

from . import Comparator, ComponentResult


def coverage(offered: frozenset[str], sought: frozenset[str], vocabulary) -> tuple[float, list[str]]:
    if not sought:
        return 0.0, []
    total, met = 0.0, []
    for want in sorted(sought):
        best = max((vocabulary.relatedness(have, want) for have in offered), default=0.0)
        if best > 0:
            met.append(vocabulary.label(want))
        total += best
    return total / len(sought), met


def compare(a, b, ctx) -> ComponentResult | None:
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


COMPARATOR = Comparator(
    "complementarity",
    compare,
    description="share of one side's sought capabilities the other offers (BO/TO ↔ BR/TR/RDR)",
)
