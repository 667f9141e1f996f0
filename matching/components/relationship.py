"""Who has worked with whom: direct ties and shared partners between the two firms (see `matching.ties`).

Missing when either firm has no ties on record: new to the exchange is unknown, not unrelated.
"""

from __future__ import annotations

from ..features import ProfileFeatures
from ..ties import pair_values
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext


def compare(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext) -> ComponentResult | None:
    ties = ctx.ties
    if ties is None:
        return None
    value = ties.strength(a.firm_key, b.firm_key)
    if value is None:
        return None
    return ComponentResult(value, ties.evidence(a.firm_key, b.firm_key))


def batch(ctx: BatchContext) -> ArrayResult:
    ties, codes = ctx.history.ties, ctx.history.tie_codes
    if ties is None or codes is None:
        return ctx.missing()
    return pair_values(ties, codes[ctx.left], codes[ctx.right])


COMPONENT = Component(
    "relationship",
    compare,
    batch,
    label="worked together or shared partners",
    description="accepted introductions, shared accepted consortia, supply relations and "
    "shared partners (Adamic-Adar) between the two firms",
)
