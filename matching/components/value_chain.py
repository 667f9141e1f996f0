"""Capabilities that go together: what one side offers is often bought or bid with what the other offers.

Reads the exchange's learned `GoesTogether` table (bids, accepted consortia, supplier/customer
relations; see `matching.together`) and compares only what each side has and the other lacks, so
look-alikes get nothing here. Missing when the exchange has no such history yet, or a side offers
nothing known.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ..features import ProfileFeatures
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext

CHAIN_CELLS = 4_000_000  # pair × concept × concept cells compared at once for the value chain


def compare(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext) -> ComponentResult | None:
    together = ctx.together
    if together is None or not together.strength or not a.offered or not b.offered:
        return None
    value, pair = together.between(a.offered, b.offered)
    evidence = together.words(pair, ctx.vocabulary.label) if pair else {}
    return ComponentResult(value, evidence)


def batch(ctx: BatchContext) -> ArrayResult:
    together = ctx.history.together
    if together is None:
        return ctx.missing()
    return value_chain_arrays(ctx.arrays.offered, together, ctx.left, ctx.right)


def _padded(matrix: sparse.csr_matrix, rows: np.ndarray, pad: int) -> np.ndarray:
    """Each row's column indices, padded with `pad` to the longest row."""
    counts = np.diff(matrix.indptr)[rows]
    width = int(counts.max()) if len(rows) else 0
    out = np.full((len(rows), max(width, 1)), pad, dtype=np.int64)
    for k in range(width):
        has = counts > k
        out[has, k] = matrix.indices[matrix.indptr[rows[has]] + k]
    return out


def value_chain_arrays(
    offered: sparse.csr_matrix, together: np.ndarray, left: np.ndarray, right: np.ndarray
) -> ArrayResult:
    """Max learned strength from a concept one side offers and the other lacks to one the other offers
    and the first lacks: the twin of `GoesTogether.between`."""
    counts = np.diff(offered.indptr)
    present = (counts[left] > 0) & (counts[right] > 0) & bool(together.any())
    values = np.zeros(len(left), dtype=np.float64)
    idx = np.flatnonzero(present)
    if not len(idx):
        return values, present
    pad = together.shape[0]
    strengths = np.zeros((pad + 1, pad + 1), dtype=np.float64)
    strengths[:pad, :pad] = together
    a_all, b_all = _padded(offered, left[idx], pad), _padded(offered, right[idx], pad)
    step = max(1, CHAIN_CELLS // (a_all.shape[1] * b_all.shape[1]))
    for start in range(0, len(idx), step):
        a, b = a_all[start : start + step], b_all[start : start + step]
        same = a[:, :, None] == b[:, None, :]
        a_own = ~same.any(axis=2) & (a < pad)
        b_own = ~same.any(axis=1) & (b < pad)
        cells = strengths[a[:, :, None], b[:, None, :]]
        cells = np.where(a_own[:, :, None] & b_own[:, None, :], cells, 0.0)
        values[idx[start : start + step]] = cells.reshape(len(a), -1).max(axis=1)
    return values, present


COMPONENT = Component(
    "value_chain",
    compare,
    batch,
    label="goes together in a value chain",
    description="what each side offers and the other lacks goes together in bids, consortia "
    "and supply relations of the exchange",
)
