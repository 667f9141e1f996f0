"""The scorer: a pair's score is the weighted mean of its present components.

A component whose data is missing on either side is left out and its weight
spread over the others (missing is not dissimilar); the breakdown records
which were missing. Every PairScore carries its full breakdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from .components import REGISTRY, ComponentResult, PairContext
from .config import MatchingConfig
from .features import ProfileFeatures


@dataclass(frozen=True)
class PairScore:
    a: str
    b: str
    score: float
    components: dict[str, dict[str, Any] | None]

    @property
    def present(self) -> int:
        return sum(1 for c in self.components.values() if c is not None)

    def drivers(self) -> list[tuple[str, float]]:
        """Components by their share of the score, largest first."""
        parts = [(name, c["contribution"]) for name, c in self.components.items() if c is not None]
        return sorted(parts, key=lambda p: (-p[1], p[0]))


def combine(results: dict[str, ComponentResult | None], weights: dict[str, float]) -> tuple[float, dict]:
    present = {n: r for n, r in results.items() if r is not None and weights.get(n, 0) > 0}
    total_weight = sum(weights[n] for n in present)
    breakdown: dict[str, dict[str, Any] | None] = {}
    score = 0.0
    for name, weight in weights.items():
        r = present.get(name)
        if r is None:
            breakdown[name] = None
            continue
        share = weight / total_weight
        value = r.value
        contribution = share * value
        score += contribution
        breakdown[name] = {
            # most values are whole (a shared language, the same size class): round() is the costly part
            "value": value if value == 0 or value == 1 else round(value, 4),
            "weight": weight,
            "effective_weight": round(share, 4),
            "contribution": round(contribution, 4),
            "evidence": r.evidence,
        }
    return round(score, 4), breakdown


TEXT_BLOCK = 100_000


def text_similarities(matrix: sparse.csr_matrix, pairs: list[tuple[int, int]]) -> np.ndarray:
    """Cosine of each pair's TF-IDF rows, in blocks: gathering the rows of millions of pairs
    at once would copy the matrix many times over."""
    out = np.zeros(len(pairs), dtype=np.float64)
    if not pairs:
        return out
    left = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    right = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    for start in range(0, len(pairs), TEXT_BLOCK):
        part = slice(start, start + TEXT_BLOCK)
        out[part] = np.asarray(matrix[left[part]].multiply(matrix[right[part]]).sum(axis=1)).ravel()
    return out


def score_pair(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext, config: MatchingConfig) -> PairScore:
    results = {name: REGISTRY[name].compare(a, b, ctx) for name in config.weights}
    score, breakdown = combine(results, config.weights)
    return PairScore(a.key, b.key, score, breakdown)
