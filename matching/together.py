"""Capabilities that go together in a value chain, learned from what the exchange holds.

Evidence comes in *events*, each a set of concept pairs seen together across
parties:

- a bid: its requirements, pairwise (a customer wants them in one package);
- an accepted consortium: what one member offers with what another offers;
- a supplier/customer relation: what a firm makes with what it buys or sells.

The strength of a pair is its normalised pointwise mutual information over the
events, shrunk towards 0 for pairs seen once (n / (n + 1)), and only where the
two concepts are not the same know-how (identical, or related in the
vocabulary's hierarchy: that is a peer, not a complement).

`between` compares what two profiles offer, using only what one has and the
other lacks: two firms that both extrude and anodise are look-alikes however
well extrusion goes with anodising.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

SOURCES = ("bid", "consortium", "relation")
STRENGTH_DIGITS = 4


@dataclass(frozen=True)
class Event:
    source: str  # one of SOURCES
    left: frozenset[str]
    right: frozenset[str] | None = None  # None: pairs within `left` (a bid's requirements)

    def pairs(self) -> set[tuple[str, str]]:
        if self.right is None:
            return {(x, y) for x, y in combinations(sorted(self.left), 2)}
        return {(min(x, y), max(x, y)) for x in self.left for y in self.right if x != y}

    def concepts(self) -> frozenset[str]:
        return self.left | (self.right or frozenset())


@dataclass(frozen=True)
class GoesTogether:
    strength: dict[tuple[str, str], float] = field(default_factory=dict)  # (min, max) → (0, 1]
    seen: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # → events by source

    def of(self, x: str, y: str) -> float:
        return self.strength.get((min(x, y), max(x, y)), 0.0)

    def between(self, a: frozenset[str], b: frozenset[str]) -> tuple[float, tuple[str, str] | None]:
        """The strongest link from what a has and b lacks to what b has and a lacks; (0, None) if none.
        Ties go to the first pair in concept order, so the evidence is the same on every run."""
        best, pair = 0.0, None
        for x in sorted(a - b):
            for y in sorted(b - a):
                s = self.of(x, y)
                if s > best:
                    best, pair = s, (x, y)
        return best, pair

    def words(self, pair: tuple[str, str], label) -> dict:
        x, y = pair
        seen = self.seen.get((min(x, y), max(x, y)), {})
        return {"link": f"{label(x)} + {label(y)}", "seen": dict(sorted(seen.items()))}

    def matrix(self, index: dict[str, int]) -> np.ndarray:
        out = np.zeros((len(index), len(index)), dtype=np.float64)
        for (x, y), s in self.strength.items():
            if x in index and y in index:
                out[index[x], index[y]] = out[index[y], index[x]] = s
        return out

    def digest(self) -> str:
        body = json.dumps(sorted(f"{x}|{y}|{s}" for (x, y), s in self.strength.items()))
        return hashlib.sha256(body.encode()).hexdigest()[:16]


def learn(events: Iterable[Event], related=None) -> GoesTogether:
    """`related(x, y)` is true when x and y are the same know-how (the vocabulary's hierarchy)."""
    events = [e for e in events if e.pairs()]
    if not events:
        return GoesTogether()
    n = len(events)
    single: Counter[str] = Counter()
    joint: Counter[tuple[str, str]] = Counter()
    by_source: dict[tuple[str, str], Counter[str]] = {}
    for e in events:
        single.update(e.concepts())
        for pair in e.pairs():
            joint[pair] += 1
            by_source.setdefault(pair, Counter())[e.source] += 1
    strength = {}
    for (x, y), nxy in sorted(joint.items()):
        if related is not None and related(x, y):
            continue
        p_xy = nxy / n
        if p_xy >= 1.0:  # everywhere together: as strong as evidence gets
            npmi = 1.0
        else:
            npmi = math.log(p_xy / ((single[x] / n) * (single[y] / n))) / -math.log(p_xy)
        value = round(max(0.0, npmi) * nxy / (nxy + 1), STRENGTH_DIGITS)
        if value > 0:
            strength[(x, y)] = value
    seen = {pair: dict(by_source[pair]) for pair in strength}
    return GoesTogether(strength, seen)
