"""The neighbour lists' top-k on threads and its cheaper sorting give exactly the lists of the one-thread method."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from matching.config import MatchingConfig
from matching.executor import LocalExecutor
from matching.neighbours import _entry_order, compute_lists, remap
from matching.text_model import TfidfTextModel

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.perf.synthetic_profiles import to_domain  # noqa: E402


class OneThread(LocalExecutor):
    threads = 1


class TwoThreads(LocalExecutor):
    threads = 2


@pytest.fixture(scope="module")
def corpus() -> tuple[sparse.csr_matrix, np.ndarray]:
    firms, profiles = to_domain(700, seed=5)
    config = MatchingConfig()
    matrix = TfidfTextModel(config.tfidf_max_features, config.tfidf_ngram_max).fit_transform([p.text for p in profiles])
    matrix.sort_indices()
    _, firm = np.unique([p.firm_key for p in profiles], return_inverse=True)
    return matrix, firm.astype(np.int64)


def brute_lists(matrix: sparse.csr_matrix, firm: np.ndarray, depth: int) -> list[list[tuple[int, float]]]:
    """Each row's other-firm columns by (value desc, column), first `depth`, from the whole product."""
    product = (matrix @ matrix.T.tocsr()).toarray()
    out = []
    for i in range(matrix.shape[0]):
        ranked = sorted((-product[i, j], j) for j in range(matrix.shape[0]) if firm[j] != firm[i] and product[i, j] > 0)
        out.append([(j, -v) for v, j in ranked[:depth]])
    return out


def as_rows(lists, n: int) -> list[list[tuple[int, float]]]:
    out: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for r, c, v in zip(lists.rows.tolist(), lists.cols.tolist(), lists.vals.tolist(), strict=True):
        out[r].append((c, v))
    return out


def test_lists_on_threads_equal_the_one_thread_lists_and_brute_force(corpus):
    matrix, firm = corpus
    n, k, depth = matrix.shape[0], 40, 60
    rows = np.arange(n)
    one = compute_lists(rows, matrix, matrix, firm, k, depth, OneThread())
    two = compute_lists(rows, matrix, matrix, firm, k, depth, TwoThreads())
    for name in ("rows", "cols", "vals", "bound_val", "bound_col"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name
    want = brute_lists(matrix, firm, depth)
    got = as_rows(two, n)
    for i in range(n):  # the first k are exact, ties broken by column; values are the same bits
        assert [c for c, _ in got[i][:k]] == [c for c, _ in want[i][:k]], i
        assert np.array_equal(np.float32([v for _, v in got[i][:k]]), np.float32([v for _, v in want[i][:k]])), i


def test_narrow_lists_with_blocks_in_forked_processes_equal_the_lists_computed_here(corpus, monkeypatch):
    """The exact lists of a narrow integer product (offer meets need) are computed block by block in
    forked processes: the same lists, bit for bit."""
    import matching.executor as executor_module
    import matching.neighbours as neighbours_module

    matrix, firm = corpus
    narrow = sparse.csr_matrix((matrix[:, :40] > 0).astype(np.float32))
    monkeypatch.setattr(neighbours_module, "DENSE_BLOCK", 16)
    monkeypatch.setattr(executor_module, "FORK_FROM_BLOCKS", 2)
    rows = np.arange(narrow.shape[0])
    here = compute_lists(rows, narrow, narrow, firm, 40, 60, LocalExecutor(1), dense=True)
    forked = compute_lists(rows, narrow, narrow, firm, 40, 60, LocalExecutor(2), dense=True)
    assert len(here.rows) > 1000
    for name in ("rows", "cols", "vals", "bound_val", "bound_col"):
        assert np.array_equal(getattr(here, name), getattr(forked, name)), name


def test_one_key_entry_order_equals_the_three_key_sort():
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 50, 5_000)
    cols = rng.integers(0, 400, 5_000)
    vals = rng.choice(np.float32([0.125, 0.5, 0.75, 1.0, 3e-8, 0.3333]), 5_000)
    assert np.array_equal(_entry_order(rows, cols, vals), np.lexsort((cols, -vals, rows)))


def test_remap_keeping_the_order_needs_no_sort(corpus):
    matrix, firm = corpus
    n = matrix.shape[0]
    lists = compute_lists(np.arange(n), matrix, matrix, firm, 10, 15)
    gone = np.zeros(n, dtype=bool)
    gone[::7] = True
    old_to_new = np.where(gone, -1, np.cumsum(~gone) - 1)
    carried = remap(lists, old_to_new, int((~gone).sum()), np.r_[np.cumsum(~gone) - ~gone, (~gone).sum()])
    order = np.lexsort((carried.cols, -carried.vals, carried.rows))
    assert np.array_equal(order, np.arange(len(order)))
    keep = ~gone[lists.rows] & ~gone[lists.cols]
    assert np.array_equal(carried.vals, lists.vals[keep])
