"""Size fit: firms of similar size class team up more easily."""

from __future__ import annotations

import numpy as np

from ..features import ProfileFeatures
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext


def compare(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext) -> ComponentResult | None:
    if a.size_rank is None or b.size_rank is None:
        return None
    return ComponentResult(
        1.0 - abs(a.size_rank - b.size_rank) / 3.0, {"classes_apart": abs(a.size_rank - b.size_rank)}
    )


def batch(ctx: BatchContext) -> ArrayResult:
    size = ctx.arrays.size  # SME size class rank, -1 unknown
    left, right = size[ctx.left], size[ctx.right]
    return 1.0 - np.abs(left - right) / 3.0, (left >= 0) & (right >= 0)


COMPONENT = Component(
    "size",
    compare,
    batch,
    label="similar size",
    description="1 − (size classes apart)/3",
)
