"""Capabilities that go together: what one side offers is often bought or bid with what the other offers.

Reads the exchange's learned `GoesTogether` table (bids, accepted consortia, supplier/customer
relations; see `matching.together`) and compares only what each side has and the other lacks, so
look-alikes get nothing here. Missing when the exchange has no such history yet, or a side offers
nothing known.
"""

from __future__ import annotations

from . import Comparator, ComponentResult


def compare(a, b, ctx) -> ComponentResult | None:
    together = ctx.together
    if together is None or not together.strength or not a.offered or not b.offered:
        return None
    value, pair = together.between(a.offered, b.offered)
    evidence = together.words(pair, ctx.vocabulary.label) if pair else {}
    return ComponentResult(value, evidence)


COMPARATOR = Comparator(
    "value_chain",
    compare,
    description="what each side offers and the other lacks goes together in bids, consortia "
    "and supply relations of the exchange",
)
