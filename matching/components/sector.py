"""Sector proximity on the NACE Rev. 2 hierarchy (class, group, division, section)."""

from __future__ import annotations

import numpy as np

from profiles.taxonomy.nace import nace_proximity

from ..features import ProfileFeatures
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext, row_counts

# Value by the deepest NACE level two profiles share: none, section, division, group, class.
LEVEL_VALUE = np.array([0.0, 0.25, 0.5, 0.75, 1.0])


def compare(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext) -> ComponentResult | None:
    if not a.nace or not b.nace:
        return None
    best, pair = 0.0, None
    for x in a.nace:
        for y in b.nace:
            value = nace_proximity(x, y)
            if value > best:
                best, pair = value, (x, y)
    return ComponentResult(best, {"closest_codes": list(pair) if pair else []})


def batch(ctx: BatchContext) -> ArrayResult:
    levels = ctx.arrays.nace_levels  # each profile's NACE lineage, one matrix per level (section first)
    deepest = np.zeros(ctx.size, dtype=np.int64)
    for level, matrix in enumerate(levels, start=1):
        deepest = np.where(ctx.dot(matrix) > 0, level, deepest)
    has_nace = row_counts(levels[0]) > 0
    return LEVEL_VALUE[deepest], has_nace[ctx.left] & has_nace[ctx.right]


COMPONENT = Component(
    "sector",
    compare,
    batch,
    label="related sectors",
    description="closest NACE codes: 1 same class … 0.25 same section",
)
