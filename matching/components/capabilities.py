"""Capability overlap: Jaccard of the normalised vocabulary concepts both profiles name."""

from __future__ import annotations

import numpy as np

from ..features import ProfileFeatures
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext, row_counts


def compare(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext) -> ComponentResult | None:
    ca, cb = a.concepts, b.concepts
    if not ca or not cb:
        return None
    shared = ca & cb
    value = len(shared) / len(ca | cb)
    return ComponentResult(value, {"shared": sorted(ctx.vocabulary.label(c) for c in shared)})


def batch(ctx: BatchContext) -> ArrayResult:
    concepts, left, right = ctx.arrays.concepts, ctx.left, ctx.right
    counts = row_counts(concepts)
    shared = ctx.dot(concepts)
    union = counts[left] + counts[right] - shared
    present = (counts[left] > 0) & (counts[right] > 0)
    return np.divide(shared, union, out=np.zeros_like(shared), where=union > 0), present


COMPONENT = Component(
    "capabilities",
    compare,
    batch,
    label="shared capabilities",
    description="Jaccard overlap of normalised capabilities",
)
