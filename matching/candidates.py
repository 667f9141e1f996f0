"""Candidate generation (blocking): which pairs get the full score.

Two cheap sources, united: the top-k text neighbours of each profile, and for
each profile that seeks something the top-k profiles that offer most of it;
both are sparse products that keep only the best entries per row
(sparse_dot_topn). Pairs within one firm are never candidates. The cost grows with
profiles × k, not with all pairs.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse
from sparse_dot_topn import sp_matmul_topn

from .features import ProfileFeatures

# One thread: results must not depend on scheduling, and the machine runs other work.
THREADS = None


def text_neighbours(matrix: sparse.csr_matrix, k: int, firm_ids: np.ndarray) -> set[tuple[int, int]]:
    """Each row's k most similar other-firm rows (by cosine > 0), as ordered index pairs i<j.

    sparse_dot_topn keeps only the best entries of each row while multiplying, so memory stays
    at rows × k; a few extra entries per row make room for the row itself and its firm's other profiles.
    """
    n = matrix.shape[0]
    per_firm = np.bincount(firm_ids).max() if n else 0
    top = sp_matmul_topn(matrix, matrix.T.tocsr(), top_n=min(n, k + int(per_firm)), threshold=0.0, sort=True,
                         n_threads=THREADS).tocsr()
    return _best_per_row(top, k, firm_ids)


def complement_neighbours(credit: sparse.csr_matrix, sought: sparse.csr_matrix, k: int,
                          firm_ids: np.ndarray) -> set[tuple[int, int]]:
    """For each profile that seeks something, the k profiles that offer most of it (other firms only).

    credit·soughtᵀ is the complementarity numerator of every (offerer, seeker) pair; the top-k
    product keeps only the best offerers per seeker.
    """
    if k == 0 or sought.nnz == 0:
        return set()
    per_firm = int(np.bincount(firm_ids).max())
    top = sp_matmul_topn(sought.astype(np.float32), credit.T.tocsr().astype(np.float32),
                         top_n=min(credit.shape[0], k + per_firm), threshold=0.0, sort=True,
                         n_threads=THREADS).tocsr()
    return _best_per_row(top, k, firm_ids)


def _best_per_row(top: sparse.csr_matrix, k: int, firm_ids: np.ndarray) -> set[tuple[int, int]]:
    n = top.shape[0]
    rows = np.repeat(np.arange(n), np.diff(top.indptr))
    cols, vals = top.indices.astype(np.int64), top.data
    keep = (firm_ids[cols] != firm_ids[rows]) & (vals > 0)
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    order = np.lexsort((cols, -vals, rows))  # per row: best first, ties by index, so the set is deterministic
    rows, cols = rows[order], cols[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if len(rows) else np.array([], dtype=np.int64)
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
    rows, cols = rows[rank < k], cols[rank < k]
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    return set(zip(lo.tolist(), hi.tolist()))


def candidate_pairs(features: list[ProfileFeatures], matrix: sparse.csr_matrix, k: int,
                    credit: sparse.csr_matrix, sought: sparse.csr_matrix, complement_k: int) -> list[tuple[int, int]]:
    firm_index = {key: n for n, key in enumerate(sorted({f.firm_key for f in features}))}
    firm_ids = np.array([firm_index[f.firm_key] for f in features], dtype=np.int64)
    pairs = text_neighbours(matrix, k, firm_ids) | complement_neighbours(credit, sought, complement_k, firm_ids)
    return sorted(pairs)
