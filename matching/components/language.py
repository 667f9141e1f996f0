"""Common language: can the two firms work together without an interpreter?"""

from __future__ import annotations

import numpy as np

from ..features import ProfileFeatures
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext, row_counts


def compare(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext) -> ComponentResult | None:
    if not a.languages or not b.languages:
        return None
    shared = sorted(a.languages & b.languages)
    return ComponentResult(1.0 if shared else 0.0, {"shared": shared})


def batch(ctx: BatchContext) -> ArrayResult:
    languages = ctx.arrays.languages
    counts = row_counts(languages)
    return (ctx.dot(languages) > 0).astype(np.float64), (counts[ctx.left] > 0) & (counts[ctx.right] > 0)


COMPONENT = Component(
    "language",
    compare,
    batch,
    label="common language",
    description="1 if the firms share a working language",
)
