"""Exact neighbour lists that can be brought up to date when a few profiles change.

A row's list holds its other-firm columns with positive value, ordered by value
(largest first) and then by column, down to a *boundary* (value, column): the
list contains every other-firm column whose (value, column) comes before the
boundary, and nothing after it. A row whose every positive column is listed
has the boundary value 0. The first k entries of a list are therefore the row's
exact top k, ties included, whichever way the list was computed.

Lists are computed with sparse_dot_topn (fast; a row whose cut falls inside a
run of equal values keeps only the values above the cut, since which of the
tied columns the product kept is not specified) and, for the few rows left with
fewer than k entries that way, with a full sparse product of the row.

After a change, an unchanged row keeps its list minus the changed columns, and
gains the changed columns' new values that fall before its boundary: the
result is again exact. Lists are kept deeper than k, so removals seldom leave
a row short; a row that is short is recomputed. The changed columns' new values
are gathered only where they can matter: text products above the least
boundary of most rows (the floor), offer-meets-need products by a sparse
product where the changed profiles' offers are sought by few others.

Values are the same floats however the product is split: sparse products here
sum the terms of one entry in column order, on either side, so v(i, j) is the
same bits computed from row i, from row j, in a block or alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sparse_dot_topn import sp_matmul_topn

from . import sorted_sets
from .executor import Executor, LocalExecutor

ROW_BLOCK = 2_000
EXACT_BLOCK = 200
DENSE_BLOCK = 128
LOW_SHARE = 0.05  # of rows, whose lists are brought up to date from their side (see _changed_column_entries)
FEW_POSITIVE = 0.25  # share of a dense block's products below which its positive ones are sorted
COLUMN_TOP = 4_096  # products above the floor kept per changed column at first (see _products_above)
SPARSE_SHARE = 0.1  # of rows a changed column reaches at most, for its integer products to be gathered sparse
SPARSE_BLOCK = 4_000_000  # products gathered at once, at most (about 100 MB while they are filtered)


@dataclass
class Lists:
    """Entries sorted by (row, value desc, col); per-row boundary (value, col)."""

    rows: np.ndarray  # int32
    cols: np.ndarray  # int32
    vals: np.ndarray  # float32
    bound_val: np.ndarray  # float32, one per row
    bound_col: np.ndarray  # int64, one per row

    @property
    def n_rows(self) -> int:
        return len(self.bound_val)

    def first(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(row, col) of the first k entries of every row."""
        rank = _rank_within(self.rows)
        keep = rank < k
        return self.rows[keep], self.cols[keep]

    @staticmethod
    def empty(n_rows: int) -> Lists:
        return Lists(
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0, np.float32),
            np.zeros(n_rows, np.float32),
            np.zeros(n_rows, np.int64),
        )


def _rank_within(rows: np.ndarray) -> np.ndarray:
    """Position of each entry within its row, for entries already grouped by row."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    return np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))


def _inside(vals: np.ndarray, cols: np.ndarray, bound_val: np.ndarray, bound_col: np.ndarray) -> np.ndarray:
    return (vals > bound_val) | ((vals == bound_val) & (cols < bound_col))


def _finish(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, bound_val: np.ndarray, bound_col: np.ndarray, depth: int
) -> Lists:
    """Sort entries, cut every row at `depth` (moving its boundary to the first entry left out)."""
    order = _entry_order(rows, cols, vals)
    rows, cols, vals = rows[order], cols[order], vals[order]
    rank = _rank_within(rows)
    cut = rank == depth
    bound_val, bound_col = bound_val.copy(), bound_col.copy()
    bound_val[rows[cut]] = vals[cut]
    bound_col[rows[cut]] = cols[cut]
    keep = rank < depth
    return Lists(
        rows[keep].astype(np.int32), cols[keep].astype(np.int32), vals[keep].astype(np.float32), bound_val, bound_col
    )


def _entry_order(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """Order of entries by (row, value desc, col). Values are positive float32, whose bit patterns
    order as the values do: row and inverted value bits make one int64 key. A stable sort by that key
    alone (a merge sort, which takes runs already in order as they are: lists brought up to date are
    mostly sorted) is the order whenever entries of equal key already stand in column order;
    otherwise both keys are sorted."""
    if len(vals) and (vals.dtype == np.float32) and bool((vals > 0).all()) and int(np.max(rows)) < 2**31:
        bits = vals.view(np.uint32).astype(np.int64)
        key = (rows.astype(np.int64) << 32) | (0xFFFFFFFF - bits)
        order = np.argsort(key, kind="stable")
        k, c = key[order], cols[order]
        if not bool(((k[1:] == k[:-1]) & (c[1:] < c[:-1])).any()):
            return order
        return np.lexsort((cols, key))
    return np.lexsort((cols, -vals, rows))


def _other_firm(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, firm: np.ndarray):
    keep = (firm[cols] != firm[rows]) & (vals > 0)
    return rows[keep], cols[keep], vals[keep]


def _fast_block(block: np.ndarray, left: sparse.csr_matrix, right_t: sparse.csr_matrix, top_n: int, threads: int = 1):
    """Top entries of rows `block` by sparse_dot_topn; per row, the value below which it is unsure.
    Rows are shared among `threads` threads; each row's values are the same bits whatever the count."""
    top = sp_matmul_topn(left[block], right_t, top_n=top_n, threshold=0.0, sort=True, n_threads=threads).tocsr()
    counts = np.diff(top.indptr)
    rows = np.repeat(block, counts)
    cols, vals = top.indices.astype(np.int64), top.data.astype(np.float32)
    full = counts >= top_n
    lowest = np.zeros(len(block), dtype=np.float32)
    if full.any():
        ends = top.indptr[1:][full] - 1
        lowest[full] = top.data[ends]  # sorted: the last kept value is the smallest
    cut = np.repeat(lowest, counts)
    keep = vals > cut  # entries equal to the cut may have tied columns left out
    return rows[keep], cols[keep], vals[keep], lowest


def _top_of_rows(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, block: np.ndarray, n: int, depth: int):
    """Exact lists of the rows in `block` from all their entries: the first `depth`, and the boundary."""
    bound_val = np.zeros(n, dtype=np.float32)
    bound_col = np.zeros(n, dtype=np.int64)
    lists = _finish(rows, cols, vals, bound_val, bound_col, depth)
    return lists.rows, lists.cols, lists.vals, lists.bound_val[block], lists.bound_col[block]


def _sparse_exact_block(
    block: np.ndarray, left: sparse.csr_matrix, right_t: sparse.csr_matrix, firm: np.ndarray, depth: int
):
    product = (left[block] @ right_t).tocsr()
    counts = np.diff(product.indptr)
    r, c, v = _other_firm(
        np.repeat(block, counts), product.indices.astype(np.int64), product.data.astype(np.float32), firm
    )
    return _top_of_rows(r, c, v, block, len(firm), depth)


def _dense_top_block(
    block: np.ndarray,
    left: sparse.csr_matrix,
    right_dense_t: np.ndarray,
    take: int,
    few_positive: float = FEW_POSITIVE,
):
    """For narrow inputs with integer values: a dense product (exact whatever the summation order), and
    each row's best `take` positive entries, as (row, col, value) ordered by the rows of `block`, then
    value (largest first), then column. When at most a `few_positive` share of the products is positive
    (a request meets the few profiles offering what it seeks) those are sorted; otherwise every row is
    partitioned, which needs a sortable number for every product."""
    values = left[block].toarray() @ right_dense_t
    n = values.shape[1]
    take = min(take, n)
    positive = values > 0
    if np.count_nonzero(positive) <= few_positive * positive.size:
        at, cols = np.nonzero(positive)  # by row, then column
        vals = values[at, cols].astype(np.float32)
        order = _entry_order(at, cols, vals)
        at, cols, vals = at[order], cols[order], vals[order]
        first = _rank_within(at) < take
        return block[at[first]], cols[first].astype(np.int64), vals[first]
    # One sortable number per entry: larger value first, then smaller column.
    key = np.where(values > 0, values.astype(np.int64) * (n + 1) + (n - np.arange(n)), -1)
    best = np.argpartition(-key, take - 1, axis=1)[:, :take] if take < n else np.tile(np.arange(n), (len(block), 1))
    picked = np.take_along_axis(key, best, axis=1)
    order = np.argsort(-picked, axis=1)
    best, picked = np.take_along_axis(best, order, axis=1), np.take_along_axis(picked, order, axis=1)
    keep = picked > 0
    at = np.repeat(np.arange(len(block)), keep.sum(axis=1))
    cols = best[keep].astype(np.int64)
    return block[at], cols, values[at, cols].astype(np.float32)


def _distinct_rows(matrix: sparse.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One row for each distinct content among `rows`, and for each of `rows` the position of its own."""
    seen: dict[bytes, int] = {}
    first: list[int] = []
    of_row = np.empty(len(rows), dtype=np.int64)
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for at, row in enumerate(rows.tolist()):
        lo, hi = indptr[row], indptr[row + 1]
        content = indices[lo:hi].tobytes() + b"|" + data[lo:hi].tobytes()
        found = seen.get(content)
        if found is None:
            found = seen[content] = len(first)
            first.append(row)
        of_row[at] = found
    return np.asarray(first, dtype=np.int64), of_row


def _dense_exact(
    rows: np.ndarray,
    left: sparse.csr_matrix,
    right_t: sparse.csr_matrix,
    firm: np.ndarray,
    depth: int,
    executor: Executor,
):
    """Exact lists of `rows` of a narrow integer product. Rows alike in `left` (requests seeking the same
    capabilities) have the same products, so each distinct row is computed once, deep enough to hold its
    best depth + 1 entries after any one firm's profiles are left out; every row then leaves out its own
    firm's and keeps the first depth + 1: the entries a product of the row itself would keep."""
    distinct, of_row = _distinct_rows(left, rows)
    take = depth + 1 + (int(np.bincount(firm).max()) if len(firm) else 0)
    blocks = [distinct[i : i + DENSE_BLOCK] for i in range(0, len(distinct), DENSE_BLOCK)]
    right_dense_t = right_t.toarray().astype(np.float32)
    parts = executor.map_single_threaded(_dense_top_block, blocks, left, right_dense_t, take)
    if not parts:
        return _no_entries()
    d_rows, cols, vals = (np.concatenate([p[i] for p in parts]) for i in range(3))
    # entries of distinct row u: [starts[u], starts[u] + counts[u]), in its order
    position = np.full(left.shape[0], -1, dtype=np.int64)
    position[distinct] = np.arange(len(distinct))
    counts = np.bincount(position[d_rows], minlength=len(distinct))
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    per_row = counts[of_row]
    at = np.repeat(starts[of_row] - np.r_[0, np.cumsum(per_row)[:-1]], per_row) + np.arange(per_row.sum())
    r, c, v = np.repeat(rows, per_row), cols[at], vals[at]
    keep = firm[c] != firm[r]
    r, c, v = r[keep], c[keep], v[keep]
    first = _rank_within(r) <= depth
    return _top_of_rows(r[first], c[first], v[first], rows, len(firm), depth)


def _no_entries():
    return (
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, np.float32),
        np.zeros(0, np.float32),
        np.zeros(0, np.int64),
    )


def _exact(
    rows: np.ndarray,
    left: sparse.csr_matrix,
    right_t: sparse.csr_matrix,
    firm: np.ndarray,
    depth: int,
    executor: Executor,
):
    """Exact lists of `rows`, block by block: (rows, cols, vals, bound_val of rows, bound_col of rows)."""
    blocks = [rows[i : i + EXACT_BLOCK] for i in range(0, len(rows), EXACT_BLOCK)]
    parts = executor.map_single_threaded(_sparse_exact_block, blocks, left, right_t, firm, depth)
    if not parts:
        return _no_entries()
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(5))


def _transposed(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    out = matrix.T.tocsr()
    out.sort_indices()
    return out


def compute_lists(
    rows: np.ndarray,
    left: sparse.csr_matrix,
    right: sparse.csr_matrix,
    firm: np.ndarray,
    k: int,
    depth: int,
    executor: Executor | None = None,
    dense: bool = False,
    right_t: sparse.csr_matrix | None = None,
) -> Lists:
    """Lists for `rows` of the product left·rightᵀ (other rows of the result are left empty).

    `left` and `right` have one row per profile; `firm` gives each profile's firm, whose own
    profiles are never neighbours. Sparse inputs go through sparse_dot_topn, and rows with fewer
    than k sure entries through the full product of the row. `dense` is for narrow inputs whose
    values are integers (so sums are exact in any order): every row is computed exactly.
    """
    executor = executor or LocalExecutor()
    n = left.shape[0]
    left = left.tocsr()
    left.sort_indices()
    right_t = _transposed(right) if right_t is None else right_t
    bound_val = np.zeros(n, dtype=np.float32)
    bound_col = np.zeros(n, dtype=np.int64)
    if dense:
        rows = rows[np.diff(left.indptr)[rows] > 0]  # an empty row has no entries: complete as it is
        r, c, v, bv, bc = _dense_exact(rows, left, right_t, firm, depth, executor)
        bound_val[rows], bound_col[rows] = bv, bc
        return Lists(r.astype(np.int32), c.astype(np.int32), v, bound_val, bound_col)
    per_firm = int(np.bincount(firm).max()) if len(firm) else 0
    top_n = max(1, min(n, depth + per_firm + 1))
    blocks = [rows[i : i + ROW_BLOCK] for i in range(0, len(rows), ROW_BLOCK)]
    parts = executor.map(_fast_block, blocks, left, right_t, top_n, _threads(executor))
    if not parts:
        return Lists.empty(n)
    r, c, v = (np.concatenate([p[i] for p in parts]) for i in range(3))
    bound_val[rows] = np.concatenate([p[3] for p in parts])
    r, c, v = _other_firm(r, c, v, firm)
    short = _short_rows(rows, r, bound_val, k)
    if len(short):
        keep = ~sorted_sets.isin(r, short)
        er, ec, ev, bv, bc = _exact(short, left, right_t, firm, depth, executor)
        bound_val[short], bound_col[short] = bv, bc
        r, c, v = np.concatenate([r[keep], er]), np.concatenate([c[keep], ec]), np.concatenate([v[keep], ev])
    return _finish(r, c, v, bound_val, bound_col, depth)


def _threads(executor: Executor) -> int:
    """Threads per block: one per core in this process; one per block on a cluster, whose workers
    already run blocks side by side."""
    return int(getattr(executor, "threads", 1))


def _short_rows(rows: np.ndarray, entry_rows: np.ndarray, bound_val: np.ndarray, k: int) -> np.ndarray:
    """Rows of `rows` with fewer than k entries whose list is not complete."""
    counts = np.bincount(entry_rows, minlength=len(bound_val))[rows]
    return rows[(counts < k) & (bound_val[rows] != 0)]


def remap(lists: Lists, old_to_new: np.ndarray, n_new: int, boundary_to_new: np.ndarray) -> Lists:
    """Carry lists over to a new row order; entries of rows or columns that are gone are dropped.

    `old_to_new[i]` is the new position of old row i (-1 when gone); `boundary_to_new[c]` maps an
    old boundary column c (0..n_old) to the first new column whose key is not before old key c.
    """
    keep = (old_to_new[lists.rows] >= 0) & (old_to_new[lists.cols] >= 0)
    rows, cols = old_to_new[lists.rows[keep]], old_to_new[lists.cols[keep]]
    bound_val = np.zeros(n_new, dtype=np.float32)
    bound_col = np.zeros(n_new, dtype=np.int64)
    alive = old_to_new >= 0
    bound_val[old_to_new[alive]] = lists.bound_val[alive]
    bound_col[old_to_new[alive]] = boundary_to_new[lists.bound_col[alive]]
    vals = lists.vals[keep]
    moved = old_to_new[alive]
    if len(moved) > 1 and not bool(np.all(moved[1:] > moved[:-1])):  # the order changed: sort again
        order = np.lexsort((cols, -vals, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
    # Otherwise rows and columns keep their relative order, so entries stay sorted by (row, value desc, col).
    return Lists(rows.astype(np.int32), cols.astype(np.int32), vals, bound_val, bound_col)


def _products_above(
    left: sparse.csr_matrix, right_t: sparse.csr_matrix, threshold: float, threads: int, first: int = COLUMN_TOP
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every entry of left·right_t above `threshold`, as (row of left, column, value) in no particular
    order. sparse_dot_topn keeps and sorts a heap of top_n entries for every row, which costs more than
    the product when top_n is every column; so each row keeps its `first` at first, and the few rows
    that fill them are computed again whole."""
    columns = right_t.shape[1]
    top = min(columns, first)
    product = sp_matmul_topn(left, right_t, top_n=top, threshold=threshold, sort=False, n_threads=threads).tocsr()
    counts = np.diff(product.indptr)
    rows = np.repeat(np.arange(left.shape[0]), counts)
    cols, vals = product.indices.astype(np.int64), product.data
    full = np.flatnonzero(counts >= top) if top < columns else np.zeros(0, np.int64)
    if len(full) == 0:
        return rows, cols, vals
    again = sp_matmul_topn(
        left[full], right_t, top_n=columns, threshold=threshold, sort=False, n_threads=threads
    ).tocsr()
    keep = counts[rows] < top
    return (
        np.concatenate([rows[keep], np.repeat(full, np.diff(again.indptr))]),
        np.concatenate([cols[keep], again.indices.astype(np.int64)]),
        np.concatenate([vals[keep], again.data]),
    )


def _column_block(
    block: np.ndarray,
    right_changed: sparse.csr_matrix,
    left_t: sparse.csr_matrix,
    changed: np.ndarray,
    firm: np.ndarray,
    skip: np.ndarray,
    bound_val: np.ndarray,
    bound_col: np.ndarray,
    floor: float,
    threads: int,
    symmetric: bool,
):
    """Entries (row, changed column) of rows not in `skip` that fall inside the row's boundary, for rows
    whose boundary value is at least `floor`: only products above the floor are kept, so the (mostly
    tiny) rest of each changed column's product with every row is never gathered. When the product is
    symmetric, also every other-firm entry above the floor of the changed rows themselves."""
    below = float(np.nextafter(np.float32(floor), np.float32(-1))) if floor > 0 else 0.0
    at, r, v = _products_above(right_changed[block], left_t, below, threads)
    c = changed[block[at]]
    r, c, v = _other_firm(r, c, v.astype(np.float32), firm)
    own = (c, r, v) if symmetric else (r[:0], c[:0], v[:0])
    keep = ~skip[r]
    r, c, v = r[keep], c[keep], v[keep]
    inside = _inside(v, c, bound_val[r], bound_col[r])
    return (r[inside], c[inside], v[inside]), own


def _low_rows_block(
    rows: np.ndarray,
    left: sparse.csr_matrix,
    right_changed_t: sparse.csr_matrix,
    changed: np.ndarray,
    firm: np.ndarray,
    bound_val: np.ndarray,
    bound_col: np.ndarray,
):
    """`_column_block` seen from the rows, for the few rows whose boundary is below the floor."""
    product = (left[rows] @ right_changed_t).tocsr()
    counts = np.diff(product.indptr)
    r = np.repeat(rows, counts)
    c = changed[product.indices]
    r, c, v = _other_firm(r, c, product.data.astype(np.float32), firm)
    inside = _inside(v, c, bound_val[r], bound_col[r])
    return r[inside], c[inside], v[inside]


def _changed_column_entries(
    right_changed: sparse.csr_matrix,
    left: sparse.csr_matrix,
    left_t: sparse.csr_matrix,
    changed: np.ndarray,
    firm: np.ndarray,
    is_changed: np.ndarray,
    bound_val: np.ndarray,
    bound_col: np.ndarray,
    executor: Executor,
    low_share: float,
    symmetric: bool,
) -> tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray]], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Entries (unchanged row, changed column) inside the row's boundary, of a sparse product.

    An entry inside a boundary is at least the boundary value, so for all rows but the `low_share` with
    the lowest boundaries the products below their least boundary (the floor) are not needed; those
    few rows are computed from their side, against the changed columns only.

    Also returns, when the product is symmetric, the changed rows' own other-firm entries at or above
    the floor (row, col, value)."""
    unchanged = np.flatnonzero(~is_changed)
    floor = float(np.quantile(bound_val[unchanged], low_share, method="lower")) if len(unchanged) else 0.0
    low = unchanged[bound_val[unchanged] < floor]
    skip = is_changed.copy()
    skip[low] = True
    blocks = [np.arange(i, min(i + ROW_BLOCK, len(changed))) for i in range(0, len(changed), ROW_BLOCK)]
    threads = _threads(executor)
    both = executor.map(
        _column_block,
        blocks,
        right_changed,
        left_t,
        changed,
        firm,
        skip,
        bound_val,
        bound_col,
        floor,
        threads,
        symmetric,
    )
    parts = [p[0] for p in both]
    none = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
    own = (
        np.concatenate([none[0], *[p[1][0] for p in both]]),
        np.concatenate([none[1], *[p[1][1] for p in both]]),
        np.concatenate([none[2], *[p[1][2] for p in both]]),
    )
    if len(low):
        right_changed_t = _transposed(right_changed)
        low_blocks = [low[i : i + EXACT_BLOCK] for i in range(0, len(low), EXACT_BLOCK)]
        parts += executor.map(_low_rows_block, low_blocks, left, right_changed_t, changed, firm, bound_val, bound_col)
    return parts, own


def _lists_of_changed(
    changed: np.ndarray,
    own: tuple[np.ndarray, np.ndarray, np.ndarray],
    matrix: sparse.csr_matrix,
    firm: np.ndarray,
    k: int,
    depth: int,
    executor: Executor,
    matrix_t: sparse.csr_matrix,
) -> Lists:
    """Lists of the changed rows of a symmetric product from all their entries at or above a floor: a
    row with more than `depth` of them has its exact list and boundary among them (every entry left out
    is below the floor); the few others are computed."""
    n = matrix.shape[0]
    r, c, v = own
    counts = np.bincount(r.astype(np.int64), minlength=n)
    sure = np.zeros(n, dtype=bool)
    sure[changed[counts[changed] > depth]] = True
    keep = sure[r]
    zeros = np.zeros(n, dtype=np.float32), np.zeros(n, dtype=np.int64)
    lists = _finish(r[keep], c[keep], v[keep], *zeros, depth)
    unsure = changed[~sure[changed]]
    if len(unsure) == 0:
        return lists
    again = compute_lists(unsure, matrix, matrix, firm, k, depth, executor, right_t=matrix_t)
    bound_val, bound_col = lists.bound_val.copy(), lists.bound_col.copy()
    bound_val[unsure], bound_col[unsure] = again.bound_val[unsure], again.bound_col[unsure]
    return _finish(
        np.concatenate([lists.rows, again.rows]).astype(np.int64),
        np.concatenate([lists.cols, again.cols]).astype(np.int64),
        np.concatenate([lists.vals, again.vals]),
        bound_val,
        bound_col,
        depth,
    )


def _dense_column_block(
    block: np.ndarray,
    right_changed: sparse.csr_matrix,
    left_dense_t: np.ndarray,
    changed: np.ndarray,
    firm: np.ndarray,
    is_changed: np.ndarray,
    bound_val: np.ndarray,
    bound_col: np.ndarray,
):
    """`_column_block` for narrow integer inputs: a dense product, filtered without building sparse rows."""
    values = right_changed[block].toarray() @ left_dense_t  # (changed columns in block) × rows
    cols = changed[block]
    ok = (values > 0) & (firm[cols][:, None] != firm[None, :]) & ~is_changed[None, :]
    ok &= (values > bound_val[None, :]) | ((values == bound_val[None, :]) & (cols[:, None] < bound_col[None, :]))
    which, r = np.nonzero(ok)
    return r.astype(np.int64), cols[which].astype(np.int64), values[which, r].astype(np.float32)


def _sparse_column_block(
    block: np.ndarray,
    right_changed: sparse.csr_matrix,
    left_t: sparse.csr_matrix,
    changed: np.ndarray,
    firm: np.ndarray,
    is_changed: np.ndarray,
    bound_val: np.ndarray,
    bound_col: np.ndarray,
):
    """`_dense_column_block` for a sparse product: only the rows that share something with a changed
    column are ever reached, so the product is gathered sparse and filtered (the same entries)."""
    product = (right_changed[block] @ left_t).tocsr()
    c = np.repeat(changed[block], np.diff(product.indptr))
    r, c, v = _other_firm(product.indices.astype(np.int64), c, product.data.astype(np.float32), firm)
    ok = ~is_changed[r] & _inside(v, c, bound_val[r], bound_col[r])
    return r[ok], c[ok], v[ok]


def _integer_column_entries(
    right_changed: sparse.csr_matrix,
    left_t: sparse.csr_matrix,
    changed: np.ndarray,
    firm: np.ndarray,
    is_changed: np.ndarray,
    bound_val: np.ndarray,
    bound_col: np.ndarray,
    executor: Executor,
    sparse_share: float,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Entries (unchanged row, changed column) inside the row's boundary, of a narrow integer product.

    Where the changed columns reach few rows (offer meets need: a profile's offers are sought by a few
    hundred others), a sparse product finds the entries without computing the rest; where they reach
    many (dense multilingual vectors), dense blocks are faster. The entries are the same either way."""
    reach = (right_changed != 0).astype(np.int64) @ np.diff(left_t.indptr)  # rows each column can reach
    n = left_t.shape[1]
    if reach.sum() <= sparse_share * n * len(changed):
        ends = np.searchsorted(np.cumsum(reach), np.arange(SPARSE_BLOCK, int(reach.sum()), SPARSE_BLOCK))
        bounds = np.unique(np.r_[0, ends, len(changed)])
        blocks = [np.arange(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        return executor.map_single_threaded(
            _sparse_column_block, blocks, right_changed, left_t, changed, firm, is_changed, bound_val, bound_col
        )
    blocks = [np.arange(i, min(i + DENSE_BLOCK, len(changed))) for i in range(0, len(changed), DENSE_BLOCK)]
    left_dense_t = left_t.toarray().astype(np.float32)
    return executor.map_single_threaded(
        _dense_column_block, blocks, right_changed, left_dense_t, changed, firm, is_changed, bound_val, bound_col
    )


def update_lists(
    lists: Lists,
    changed: np.ndarray,
    left: sparse.csr_matrix,
    right: sparse.csr_matrix,
    firm: np.ndarray,
    k: int,
    depth: int,
    executor: Executor | None = None,
    dense: bool = False,
    low_share: float = LOW_SHARE,
    sparse_share: float = SPARSE_SHARE,
) -> tuple[Lists, int]:
    """Lists after the profiles at `changed` (new positions, new or edited) changed.

    `lists` must already be remapped to the new order (see `remap`) without the changed profiles.
    Returns the lists and how many unchanged rows had to be recomputed.
    """
    executor = executor or LocalExecutor()
    n = left.shape[0]
    symmetric = left is right
    left = left.tocsr()
    left.sort_indices()
    right_t = _transposed(right)
    left_t = right_t if symmetric else _transposed(left)
    is_changed = np.zeros(n, dtype=bool)
    is_changed[changed] = True
    # New values of the changed columns for unchanged rows, right[changed]·leftᵀ, kept when inside a boundary.
    right_changed = right[changed].tocsr()
    right_changed.sort_indices()
    if dense:
        fresh = compute_lists(changed, left, right, firm, k, depth, executor, dense, right_t)
        parts = _integer_column_entries(
            right_changed, left_t, changed, firm, is_changed, lists.bound_val, lists.bound_col, executor, sparse_share
        )
    else:
        bounds = (lists.bound_val, lists.bound_col)
        parts, own = _changed_column_entries(
            right_changed, left, left_t, changed, firm, is_changed, *bounds, executor, low_share, symmetric
        )
        if symmetric:  # the same product holds the changed rows' own best entries
            fresh = _lists_of_changed(changed, own, left, firm, k, depth, executor, right_t)
        else:
            fresh = compute_lists(changed, left, right, firm, k, depth, executor, dense, right_t)
    old_keep = ~is_changed[lists.rows] & ~is_changed[lists.cols]
    rows = np.concatenate([lists.rows[old_keep].astype(np.int64), *[p[0] for p in parts], fresh.rows.astype(np.int64)])
    cols = np.concatenate([lists.cols[old_keep].astype(np.int64), *[p[1] for p in parts], fresh.cols.astype(np.int64)])
    vals = np.concatenate([lists.vals[old_keep], *[p[2] for p in parts], fresh.vals])
    bound_val = np.where(is_changed, fresh.bound_val, lists.bound_val)
    bound_col = np.where(is_changed, fresh.bound_col, lists.bound_col)
    merged = _finish(rows, cols, vals, bound_val, bound_col, depth)
    short = _short_rows(np.flatnonzero(~is_changed), merged.rows, merged.bound_val, k)
    if len(short) == 0:
        return merged, 0
    again = compute_lists(short, left, right, firm, k, depth, executor, dense, right_t)
    keep = ~sorted_sets.isin(merged.rows, short)
    bound_val, bound_col = merged.bound_val.copy(), merged.bound_col.copy()
    bound_val[short], bound_col[short] = again.bound_val[short], again.bound_col[short]
    return _finish(
        np.concatenate([merged.rows[keep], again.rows]).astype(np.int64),
        np.concatenate([merged.cols[keep], again.cols]).astype(np.int64),
        np.concatenate([merged.vals[keep], again.vals]),
        bound_val,
        bound_col,
        depth,
    ), len(short)
