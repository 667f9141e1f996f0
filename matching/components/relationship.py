"""Who has worked with whom: direct ties and shared partners between the two firms (see `matching.ties`).

Missing when either firm has no ties on record: new to the exchange is unknown, not unrelated.
"""

from __future__ import annotations

from . import Comparator, ComponentResult


def compare(a, b, ctx) -> ComponentResult | None:
    ties = ctx.ties
    if ties is None:
        return None
    value = ties.strength(a.firm_key, b.firm_key)
    if value is None:
        return None
    return ComponentResult(value, ties.evidence(a.firm_key, b.firm_key))


COMPARATOR = Comparator(
    "relationship",
    compare,
    description="accepted introductions, shared accepted consortia, supply relations and "
    "shared partners (Adamic-Adar) between the two firms",
)
