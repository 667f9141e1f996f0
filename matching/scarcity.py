"""Requests are scarce (about 9 business offers per business request in the EEN): rank reciprocally
and share out the attention of requesters, so a few strong offerers do not crowd out the rest.

*Reciprocal* ranking scores a pair by both sides' view of it: how high the other stands in my
list and how high I stand in theirs (harmonic mean of the two reciprocal ranks; a side that did
not list the other counts as just below its list). An offerer that tops every requester's list
but ranks most of them low in its own list stops leading everywhere.

*Allocation* hands out digest places greedily, best reciprocal score first, with at most `cap`
places per offer in one round of digests and `limit` places per recipient; ties break by score
and then by keys, so the same data always gives the same digests.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


def reciprocal(rank_here: int, rank_there: int | None, depth: int) -> float:
    """Harmonic mean of 1/rank from both sides; an unlisted side counts as rank depth + 1."""
    there = rank_there if rank_there is not None else depth + 1
    a, b = 1.0 / rank_here, 1.0 / there
    return round(2 * a * b / (a + b), 6)


@dataclass(frozen=True)
class Candidate:
    recipient: str  # whose digest
    item: int  # the stored match
    offer: str | None  # the offered profile the item pushes (None: not an offer, never capped)
    reciprocal: float
    score: float


def allocate(candidates: list[Candidate], limits: dict[str, int], cap: int) -> dict[str, list[int]]:
    """Items per recipient, best first, within each recipient's limit and each offer's cap."""
    shown: dict[str, int] = defaultdict(int)
    out: dict[str, list[int]] = defaultdict(list)
    for c in sorted(candidates, key=lambda c: (-c.reciprocal, -c.score, c.recipient, c.item)):
        if len(out[c.recipient]) >= limits.get(c.recipient, 0):
            continue
        if c.offer is not None and shown[c.offer] >= cap:
            continue
        out[c.recipient].append(c.item)
        if c.offer is not None:
            shown[c.offer] += 1
    return dict(out)
