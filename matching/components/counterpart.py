"""Counterparts: the network's own rule that offers (BO, TO) meet requests (BR, TR, RDR) first.

Two offers or two requests can still match (capacity partners, joint bids), so this is a
preference, not a filter: 1 for an offer and a request, 0 for two of a kind.
"""

from __future__ import annotations

from . import Comparator, ComponentResult

OFFERS = frozenset({"BO", "TO"})


def is_offer(profile_type: str) -> bool:
    return profile_type in OFFERS


def compare(a, b, ctx) -> ComponentResult | None:
    if not a.type or not b.type:
        return None
    meets = is_offer(a.type) != is_offer(b.type)
    return ComponentResult(1.0 if meets else 0.0, {"types": f"{a.type} and {b.type}"})


COMPARATOR = Comparator("counterpart", compare, description="1 if one profile offers and the other requests")
