"""Candidate generation (blocking): which pairs get the full score.

Two cheap sources, united: the top-k text neighbours of each profile from a
chunked sparse product of TF-IDF rows, and pairs where one profile offers a
capability the other seeks (an inverted index over concept ids, capped per
concept). Pairs within one firm are never candidates. The cost grows with
profiles × k, not with all pairs.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy import sparse

from .features import ProfileFeatures

CHUNK_ROWS = 2048


def text_neighbours(matrix: sparse.csr_matrix, k: int, firm_ids: np.ndarray) -> set[tuple[int, int]]:
    """Each row's k most similar other-firm rows (by cosine > 0), as ordered index pairs i<j."""
    pairs: set[tuple[int, int]] = set()
    n = matrix.shape[0]
    transposed = matrix.T.tocsc()
    for start in range(0, n, CHUNK_ROWS):
        block = (matrix[start:start + CHUNK_ROWS] @ transposed).tocsr()
        for local in range(block.shape[0]):
            i = start + local
            lo, hi = block.indptr[local], block.indptr[local + 1]
            cols, vals = block.indices[lo:hi], block.data[lo:hi]
            keep = (firm_ids[cols] != firm_ids[i]) & (vals > 0)
            cols, vals = cols[keep], vals[keep]
            if len(cols) > k:
                # Ties broken by index so the candidate set is deterministic.
                order = np.lexsort((cols, -vals))[:k]
                cols = cols[order]
            for j in cols.tolist():
                pairs.add((i, j) if i < j else (j, i))
    return pairs


def complement_pairs(features: list[ProfileFeatures], cap: int) -> set[tuple[int, int]]:
    """Pairs where one profile offers a concept the other seeks (the concept or a narrower one)."""
    if cap == 0:
        return set()
    offering: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(features):
        for concept in f.offered:
            offering[concept].append(i)
    pairs: set[tuple[int, int]] = set()
    for j, f in enumerate(features):
        for concept in sorted(f.sought):
            for i in offering.get(concept, [])[:cap]:
                if features[i].firm_key != f.firm_key:
                    pairs.add((i, j) if i < j else (j, i))
    return pairs


def candidate_pairs(features: list[ProfileFeatures], matrix: sparse.csr_matrix, k: int,
                    capability_cap: int) -> list[tuple[int, int]]:
    firm_index = {key: n for n, key in enumerate(sorted({f.firm_key for f in features}))}
    firm_ids = np.array([firm_index[f.firm_key] for f in features], dtype=np.int64)
    pairs = text_neighbours(matrix, k, firm_ids) | complement_pairs(features, capability_cap)
    return sorted(pairs)
