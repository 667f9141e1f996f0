"""Counterparts: the network's own rule that offers (BO, TO) meet requests (BR, TR, RDR) first.

Two offers or two requests can still match (capacity partners, joint bids), so this is a
preference, not a filter: 1 for an offer and a request, 0 for two of a kind.
"""

from __future__ import annotations

import numpy as np

from ..features import ProfileFeatures
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext

OFFERS = frozenset({"BO", "TO"})


def is_offer(profile_type: str) -> bool:
    return profile_type in OFFERS


def compare(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext) -> ComponentResult | None:
    if not a.type or not b.type:
        return None
    meets = is_offer(a.type) != is_offer(b.type)
    return ComponentResult(1.0 if meets else 0.0, {"types": f"{a.type} and {b.type}"})


def batch(ctx: BatchContext) -> ArrayResult:
    offer = ctx.arrays.offer  # 1 offer, 0 request, -1 no type
    left, right = offer[ctx.left], offer[ctx.right]
    return (left != right).astype(np.float64), (left >= 0) & (right >= 0)


COMPONENT = Component(
    "counterpart",
    compare,
    batch,
    label="offer meets request",
    description="1 if one profile offers and the other requests",
)
