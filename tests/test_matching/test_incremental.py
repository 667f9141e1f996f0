"""Incremental matching gives what a full run gives: neighbour lists, candidate pairs, scores and rows."""

from __future__ import annotations

import dataclasses
import os
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from matching import incremental
from matching.config import MatchingConfig
from matching.executor import LocalExecutor
from matching.features import build_features
from matching.forked import can_fork
from matching.history import ExchangeHistory, HistoryRecords, RelationRecord, build_history
from matching.incremental import Snapshot, feature_hash, update
from matching.neighbours import _dense_top_block, _products_above, compute_lists, remap, update_lists
from profiles.taxonomy.vocabulary import load_vocabulary

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.perf.synthetic_profiles import to_domain  # noqa: E402

VOCAB = load_vocabulary()
CACHE = Path(os.environ["PARTNERMATCH_VECTOR_CACHE"])  # the suite's (see conftest)


# neighbour lists ---------------------------------------------------------------
@st.composite
def tied_matrices(draw):
    """Small sparse matrices with few distinct values, so that many products tie."""
    n = draw(st.integers(2, 30))
    dim = draw(st.integers(1, 8))
    cells = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, dim - 1), st.sampled_from([0.5, 1.0, 2.0])), max_size=n * 3
        )
    )
    dense = np.zeros((n, dim), dtype=np.float32)
    for r, c, v in cells:
        dense[r, c] = v
    firm = np.array(draw(st.lists(st.integers(0, max(1, n // 2)), min_size=n, max_size=n)), dtype=np.int64)
    return sparse.csr_matrix(dense), firm


def brute_top(matrix: sparse.csr_matrix, firm: np.ndarray, k: int) -> set[tuple[int, int]]:
    product = (matrix @ matrix.T).toarray()
    out = set()
    for i in range(matrix.shape[0]):
        ranked = sorted((-product[i, j], j) for j in range(matrix.shape[0]) if firm[j] != firm[i] and product[i, j] > 0)
        out |= {(i, j) for _, j in ranked[:k]}
    return out


def as_set(rows: np.ndarray, cols: np.ndarray) -> set[tuple[int, int]]:
    return set(zip(rows.tolist(), cols.tolist(), strict=True))


@settings(max_examples=80, deadline=None)
@given(tied_matrices(), st.integers(1, 5), st.integers(0, 4))
def test_lists_hold_the_exact_top_k_ties_broken_by_column(data, k, slack):
    matrix, firm = data
    lists = compute_lists(np.arange(matrix.shape[0]), matrix, matrix, firm, k, k + slack)
    assert as_set(*lists.first(k)) == brute_top(matrix, firm, k)


@st.composite
def alike_integer_rows(draw):
    """Requests seeking the same few capabilities: rows drawn from a handful of distinct integer rows, so
    that many rows are alike and many products tie; the right side is another integer matrix."""
    n = draw(st.integers(2, 40))
    dim = draw(st.integers(1, 6))
    distinct = draw(
        st.lists(st.lists(st.sampled_from([0.0, 1.0, 2.0]), min_size=dim, max_size=dim), min_size=1, max_size=4)
    )
    left = np.array([distinct[draw(st.integers(0, len(distinct) - 1))] for _ in range(n)], dtype=np.float32)
    right = np.array(
        draw(
            st.lists(
                st.lists(st.sampled_from([0.0, 3.0, 5.0, 10.0]), min_size=dim, max_size=dim), min_size=n, max_size=n
            )
        ),
        dtype=np.float32,
    )
    firm = np.array(draw(st.lists(st.integers(0, max(1, n // 3)), min_size=n, max_size=n)), dtype=np.int64)
    return sparse.csr_matrix(left), sparse.csr_matrix(right), firm


@settings(max_examples=120, deadline=None)
@given(alike_integer_rows(), st.integers(1, 5), st.integers(0, 4))
def test_dense_lists_computed_once_per_distinct_row_are_each_rows_exact_list(data, k, slack):
    left, right, firm = data
    depth = k + slack
    lists = compute_lists(np.arange(left.shape[0]), left, right, firm, k, depth, dense=True)
    product = (left @ right.T).toarray()
    for i in range(left.shape[0]):
        ranked = sorted((-product[i, j], j) for j in range(left.shape[0]) if firm[j] != firm[i] and product[i, j] > 0)
        mine = lists.rows == i
        assert list(zip(lists.cols[mine].tolist(), lists.vals[mine].tolist(), strict=True)) == [
            (j, -v) for v, j in ranked[:depth]
        ]
        boundary = (-ranked[depth][0], ranked[depth][1]) if len(ranked) > depth else (0.0, 0)
        assert (float(lists.bound_val[i]), int(lists.bound_col[i])) == boundary


@settings(max_examples=120, deadline=None)
@given(alike_integer_rows(), st.integers(1, 8))
def test_a_dense_block_sorted_or_partitioned_gives_the_same_entries(data, take):
    left, right, _ = data
    block = np.arange(left.shape[0])
    right_dense_t = right.T.toarray().astype(np.float32)
    sorted_ = _dense_top_block(block, left, right_dense_t, take, few_positive=1.0)
    partitioned = _dense_top_block(block, left, right_dense_t, take, few_positive=0.0)
    for got, want in zip(sorted_, partitioned, strict=True):
        assert got.dtype == want.dtype
        assert np.array_equal(got, want)


@settings(max_examples=120, deadline=None)
@given(tied_matrices(), st.sampled_from([0.0, 0.5, 1.0, 2.0]), st.integers(1, 6))
def test_products_above_a_threshold_are_all_found_when_rows_fill_their_first_places(data, threshold, first):
    matrix, _ = data
    matrix_t = matrix.T.tocsr()
    rows, cols, vals = _products_above(matrix, matrix_t, threshold, 1, first)
    product = (matrix @ matrix.T).toarray()
    want = {(i, j, float(product[i, j])) for i, j in zip(*np.nonzero(product > threshold), strict=True)}
    got = list(zip(rows.tolist(), cols.tolist(), vals.tolist(), strict=True))
    assert len(got) == len(set(got)) and set(got) == want


@settings(max_examples=80, deadline=None)
@given(tied_matrices(), st.data())
def test_updated_lists_equal_lists_computed_afresh(data, draw):
    matrix, firm = data
    n = matrix.shape[0]
    k, depth = 2, 4
    lists = compute_lists(np.arange(n), matrix, matrix, firm, k, depth)
    changed = np.array(sorted(draw.draw(st.sets(st.integers(0, n - 1), max_size=n))), dtype=np.int64)
    dense = matrix.toarray()
    rng = np.random.default_rng(len(changed))
    for i in changed:
        dense[i] = rng.choice([0.0, 0.5, 1.0, 2.0], size=dense.shape[1]).astype(np.float32)
    edited = sparse.csr_matrix(dense)
    keep = np.ones(n, dtype=bool)
    keep[changed] = False
    carried = remap(lists, np.where(keep, np.arange(n), -1), n, np.arange(n + 1))
    updated, _ = update_lists(carried, changed, edited, edited, firm, k, depth)
    assert as_set(*updated.first(k)) == brute_top(edited, firm, k)
    # rows brought up to date from the changed columns' side (above the floor) or from their own
    for share in (0.0, 0.5, 1.0):
        again, _ = update_lists(carried, changed, edited, edited, firm, k, depth, low_share=share)
        assert_exact_lists(again, edited, firm, k)


@settings(max_examples=80, deadline=None)
@given(alike_integer_rows(), st.data())
def test_updated_dense_lists_are_exact(data, draw):
    left, right, firm = data
    n, k, depth = left.shape[0], 2, 4
    lists = compute_lists(np.arange(n), left, right, firm, k, depth, dense=True)
    changed = np.array(sorted(draw.draw(st.sets(st.integers(0, n - 1), max_size=n))), dtype=np.int64)
    rng = np.random.default_rng(len(changed))
    new_left, new_right = left.toarray(), right.toarray()
    for i in changed:
        new_left[i] = rng.choice([0.0, 1.0, 2.0], size=new_left.shape[1])
        new_right[i] = rng.choice([0.0, 3.0, 5.0], size=new_right.shape[1])
    new_left, new_right = sparse.csr_matrix(new_left), sparse.csr_matrix(new_right)
    keep = np.ones(n, dtype=bool)
    keep[changed] = False
    carried = remap(lists, np.where(keep, np.arange(n), -1), n, np.arange(n + 1))
    updated, _ = update_lists(carried, changed, new_left, new_right, firm, k, depth, dense=True)
    assert_exact_lists(updated, new_left, firm, k, new_right)
    # the changed columns' products gathered sparse (share 1) or in dense blocks (share 0): the same lists
    for share in (0.0, 1.0):
        again, _ = update_lists(carried, changed, new_left, new_right, firm, k, depth, dense=True, sparse_share=share)
        assert_exact_lists(again, new_left, firm, k, new_right)
        for name in ("rows", "cols", "vals", "bound_val", "bound_col"):
            assert np.array_equal(getattr(again, name), getattr(updated, name))


@pytest.mark.parametrize("seed", range(4))
def test_lists_updated_above_a_floor_are_exact_in_denser_exchanges(seed):
    """Rows with more entries than their list holds, so boundaries (and the floor) are above zero."""
    rng = np.random.default_rng(seed)
    n, k, depth = 30, 2, 4
    for _ in range(15):
        dense = ((rng.random((n, 6)) < 0.5) * rng.choice([0.5, 1.0, 2.0], size=(n, 6))).astype(np.float32)
        firm = rng.integers(0, 15, n)
        lists = compute_lists(np.arange(n), sparse.csr_matrix(dense), sparse.csr_matrix(dense), firm, k, depth)
        changed = np.sort(rng.choice(n, 5, replace=False))
        dense[changed] = rng.choice([0.0, 0.5, 1.0, 2.0], size=(5, 6))
        edited = sparse.csr_matrix(dense)
        keep = np.ones(n, dtype=bool)
        keep[changed] = False
        carried = remap(lists, np.where(keep, np.arange(n), -1), n, np.arange(n + 1))
        for share in (0.0, 0.5, 1.0):
            updated, _ = update_lists(carried, changed, edited, edited, firm, k, depth, low_share=share)
            assert_exact_lists(updated, edited, firm, k)


def assert_exact_lists(lists, matrix: sparse.csr_matrix, firm: np.ndarray, k: int, right=None) -> None:
    """Every row's list is every other-firm entry of matrix·rightᵀ (right: the matrix itself) before its
    boundary, in order, and at least k long unless it holds all of the row's entries."""
    product = (matrix @ (matrix if right is None else right).T).toarray()
    for i in range(matrix.shape[0]):
        ranked = sorted((-product[i, j], j) for j in range(matrix.shape[0]) if firm[j] != firm[i] and product[i, j] > 0)
        bv, bc = float(lists.bound_val[i]), int(lists.bound_col[i])
        before = [(j, -v) for v, j in ranked if bv == 0 or -v > bv or (-v == bv and j < bc)]
        mine = lists.rows == i
        assert list(zip(lists.cols[mine].tolist(), lists.vals[mine].tolist(), strict=True)) == before
        assert len(before) >= min(k, len(ranked))


# whole runs ---------------------------------------------------------------------
class Exchange:
    """Synthetic firms and profiles that can be edited between runs."""

    def __init__(self, n: int, seed: int) -> None:
        firms, profiles = to_domain(n, seed)
        self.firms = {f.key: f for f in firms}
        self.profiles = {p.key: p for p in profiles}
        self.rng = random.Random(seed)

    def snapshot(self) -> Snapshot:
        keys = sorted(self.profiles)
        return Snapshot(
            keys,
            [self.profiles[k].firm_key for k in keys],
            [feature_hash(repr(self.profiles[k]), repr(self.firms[self.profiles[k].firm_key])) for k in keys],
        )

    def load(self, keys: list[str]):
        return [build_features(self.profiles[k], self.firms[self.profiles[k].firm_key], VOCAB) for k in keys]

    def edit(self, share: float) -> None:
        keys = sorted(self.profiles)
        count = max(2, int(len(keys) * share))
        for i, key in enumerate(self.rng.sample(keys, count)):  # new wording; in the summary: a new vector
            p = self.profiles[key]
            self.profiles[key] = (
                dataclasses.replace(p, description=p.description + " anodised aluminium welding")
                if i % 2
                else dataclasses.replace(p, summary=p.summary + " Anodised aluminium.")
            )
        for key in self.rng.sample(sorted(self.profiles), count // 2):  # withdrawn or expired
            del self.profiles[key]
        for key in self.rng.sample(sorted(self.profiles), count // 2):  # copies: ties in every component
            p = self.profiles[key]
            self.profiles[key + "-copy"] = dataclasses.replace(p, key=key + "-copy")
        firm = self.rng.choice(sorted({p.firm_key for p in self.profiles.values()}))
        self.firms[firm] = dataclasses.replace(self.firms[firm], languages=("en", "de", "fi"))


def history_of(ex: Exchange, bids: int, seed: int) -> ExchangeHistory:
    """Bids over what the firms offer, consortia and supply relations between firms: value chains and ties."""
    rng = random.Random(seed)
    offers: dict[str, set[str]] = {}
    for f in ex.load(sorted(ex.profiles)):
        offers.setdefault(f.firm_key, set()).update(f.offered)
    firms = sorted(k for k, v in offers.items() if v)
    concepts = sorted(set().union(*offers.values()))
    records = HistoryRecords(
        bids=[frozenset(rng.sample(concepts, 3)) for _ in range(bids)],
        consortia=[tuple(rng.sample(firms, 3)) for _ in range(4)],
        introductions=[tuple(rng.sample(firms, 2)) for _ in range(3)],
        relations=[
            RelationRecord(a, "customer", f"k-{b}", b, b, rng.choice(sorted(offers[a])))
            for a, b in (rng.sample(firms, 2) for _ in range(6))
        ]
        + [RelationRecord(a, "supplier", "outside-steel", "Outside Steel AB") for a in rng.sample(firms, 5)],
        offers={k: frozenset(v) for k, v in offers.items()},
    )
    return build_history(records, VOCAB)


def stored_rows(rows) -> dict:
    return {(r["profile"], r["other"]): r for r in rows}


def apply(stored: dict, result) -> dict:
    out = dict(stored)
    for pair in result.delete:
        del out[pair]
    for profile, other, rank in result.rerank:
        out[profile, other] = dict(out[profile, other], rank=rank)
    for row in result.matches():
        assert (row["profile"], row["other"]) not in out
        out[row["profile"], row["other"]] = row
    return out


# Exchanges of one seed share their first profiles, and seed 11 is the nightly tests' exchange: with the
# suite's vector cache their texts are embedded once per run of the suite.
@pytest.mark.slow  # whole runs over exchanges of hundreds of profiles
@pytest.mark.parametrize("seed, size", [(11, 500), (2, 120)])
def test_incremental_runs_store_what_a_full_run_stores(seed, size):
    config = MatchingConfig()
    ex = Exchange(size, seed)
    history = history_of(ex, 12, seed)
    first = update(None, ex.snapshot(), ex.load, config, VOCAB, run_id=1, vector_cache=CACHE, history=history)
    assert first.kind == "full" and first.refit
    assert first.state.chain is not None and first.stats["history"]["tied_firms"] > 0
    stored, state = stored_rows(first.matches()), first.state
    for run_id in (2, 3, 4):
        ex.edit(0.02)
        new_bids = run_id == 3  # the exchange's history changed: every pair is rescored, lists stay exact
        if new_bids:
            history = history_of(ex, 14, seed)
        step = update(state, ex.snapshot(), ex.load, config, VOCAB, run_id=run_id, history=history)
        assert step.kind == "incremental" and not step.refit
        assert step.stats["history"]["rescored"] == new_bids
        if not new_bids:
            assert 0 < step.stats["pairs_scored"] < step.stats["candidate_pairs"] / 4
        assert 0 < step.stats["semantic"]["embedded"] <= len(ex.profiles) // 50 + 1
        reference = update(state, ex.snapshot(), ex.load, config, VOCAB, run_id=run_id, full=True, history=history)
        assert reference.kind == "full" and not reference.refit  # same model: comparable numbers
        stored = apply(stored, step)
        assert stored == stored_rows(reference.matches())
        for name in ("pair_lo", "pair_hi", "pair_score", "pair_class", "match_profile", "match_other"):
            assert np.array_equal(getattr(step.state, name), getattr(reference.state, name)), name
        assert {r["kind"] for r in stored.values()} >= {"customer", "supplier", "peer"}
        state = step.state


def test_a_second_run_on_the_same_data_changes_nothing():
    ex = Exchange(300, 11)
    first = update(None, ex.snapshot(), ex.load, MatchingConfig(), VOCAB, run_id=1, vector_cache=CACHE)
    again = update(first.state, ex.snapshot(), ex.load, MatchingConfig(), VOCAB, run_id=2)
    assert (again.kind, again.delete, again.rerank, list(again.matches())) == ("incremental", [], [], [])
    assert again.stats["pairs_scored"] == 0 and again.drift == 0.0


@pytest.mark.slow
def test_drift_past_the_limit_refits_the_model_and_rescores_everything():
    ex = Exchange(300, 11)
    first = update(None, ex.snapshot(), ex.load, MatchingConfig(), VOCAB, run_id=1, vector_cache=CACHE)
    ex.edit(0.2)
    small = update(first.state, ex.snapshot(), ex.load, MatchingConfig(), VOCAB, run_id=2, drift_limit=0.9)
    large = update(first.state, ex.snapshot(), ex.load, MatchingConfig(), VOCAB, run_id=2, drift_limit=0.1)
    assert not small.refit and small.kind == "incremental"
    assert large.refit and large.kind == "full" and large.drift == small.drift > 0.1
    changed = update(first.state, ex.snapshot(), ex.load, MatchingConfig(top_k=5), VOCAB, run_id=2)
    assert changed.refit, "other matching settings: the old state is not reused"


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_a_model_fitted_meanwhile_gives_the_run_a_model_fitted_in_place_gives(monkeypatch):
    monkeypatch.setattr(incremental, "MEANWHILE_FROM", 1)
    ex = Exchange(150, 2)
    texts_read: list[list[str]] = []

    def load_texts(keys: list[str]) -> list[str]:
        texts_read.append(keys)
        return [ex.profiles[k].text for k in keys]

    def run(**options):
        return update(None, ex.snapshot(), ex.load, MatchingConfig(), VOCAB, run_id=1, vector_cache=CACHE, **options)

    in_place = run()
    meanwhile = run(load_texts=load_texts, executor=LocalExecutor(processes=2))
    assert texts_read == [sorted(ex.profiles)]
    assert (meanwhile.state.matrix != in_place.state.matrix).nnz == 0
    assert list(meanwhile.state.model.vocabulary_terms_) == list(in_place.state.model.vocabulary_terms_)
    assert list(meanwhile.matches()) == list(in_place.matches())

    # A profile edited between reading the texts and reading the features: the texts are not used.
    def stale_texts(keys: list[str]) -> list[str]:
        return ["an older wording of every profile" for _ in keys]

    fresh = run(load_texts=stale_texts, executor=LocalExecutor(processes=2))
    assert (fresh.state.matrix != in_place.state.matrix).nnz == 0
    assert list(fresh.matches()) == list(in_place.matches())

    # In one process nothing would be worked out meanwhile: the texts are not read first.
    run(load_texts=load_texts, executor=LocalExecutor(processes=1))
    assert len(texts_read) == 1


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_offer_meets_need_lists_worked_out_meanwhile_are_the_lists_worked_out_in_place(monkeypatch):
    ex = Exchange(150, 5)
    text_only = MatchingConfig(weights={**MatchingConfig().weights, "semantic": 0.0}, semantic_k=0)
    first = update(None, ex.snapshot(), ex.load, text_only, VOCAB, run_id=1)
    ex.edit(0.05)

    def again(processes: int):
        return update(
            first.state,
            ex.snapshot(),
            ex.load,
            text_only,
            VOCAB,
            run_id=2,
            executor=LocalExecutor(processes=processes),
        )

    in_place = again(1)
    monkeypatch.setattr(incremental, "MEANWHILE_FROM", 1)
    meanwhile = again(2)
    assert meanwhile.kind == in_place.kind == "incremental"
    for name in ("rows", "cols", "vals", "bound_val", "bound_col"):
        assert np.array_equal(getattr(meanwhile.state.comp, name), getattr(in_place.state.comp, name)), name
    assert len(in_place.state.comp.rows) > 0
    assert list(meanwhile.matches()) == list(in_place.matches())
