"""The steps of a matching run, one by one, on small hand-built inputs (see `matching.incremental.update`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from matching.batch import Encoding, HistoryArrays, encode
from matching.config import MatchingConfig
from matching.executor import LocalExecutor
from matching.features import ProfileFeatures
from matching.history import ExchangeHistory
from matching.incremental import (
    ENGINE_VERSION,
    Changes,
    Encoded,
    MatchState,
    PairScores,
    RunPlan,
    best_matches,
    candidate_pairs,
    carry_scores,
    diff_matches,
    plan_run,
    reselect_matches,
    score_pairs,
    select_changes,
    splice_features,
    splice_vectors,
    update_neighbours,
)
from matching.kinds import EXCHANGE, PEER
from matching.neighbours import Lists
from matching.text_model import TfidfTextModel
from matching.vectors import Vectors
from profiles.taxonomy.vocabulary import load_vocabulary

VOCAB = load_vocabulary()
CONFIG = MatchingConfig()
WELDING = VOCAB.normalise("welding").concept_id
ANODISING = VOCAB.normalise("anodising").concept_id


def features(key: str, firm: str, **fields: Any) -> ProfileFeatures:
    base: dict[str, Any] = {
        "key": key,
        "firm_key": firm,
        "type": "BO",
        "text": "",
        "offered": frozenset(),
        "sought": frozenset(),
        "topics": frozenset(),
        "unknown_phrases": frozenset(),
        "nace": (),
        "country": None,
        "region": None,
        "lat": None,
        "lon": None,
        "size_rank": None,
        "languages": frozenset(),
    }
    return ProfileFeatures(**(base | fields))


def strings(*values: str) -> np.ndarray:
    return np.array(values, dtype=object)


def state(**fields: Any) -> MatchState:
    """A previous run's state: nothing in it but the fields given."""
    none = np.zeros(0, dtype=np.int64)
    base: dict[str, Any] = {
        "run_id": 1,
        "config_digest": CONFIG.digest(),
        "engine_version": ENGINE_VERSION,
        "keys": strings(),
        "hashes": strings(),
        "firms": strings(),
        "model": TfidfTextModel(),
        "fit_hashes": strings(),
        "matrix": sparse.csr_matrix((0, 1)),
        "encoding": Encoding.for_vocabulary(VOCAB),
        "arrays": encode([], VOCAB),
        "text": Lists.empty(0),
        "comp": Lists.empty(0),
        "pair_lo": none,
        "pair_hi": none,
        "pair_score": np.zeros(0),
        "pair_present": none,
        "match_profile": none,
        "match_other": none,
        "vectors": Vectors(strings(), np.zeros((0, 2), dtype=np.int8)),
        "history_digest": ExchangeHistory().digest(),
    }
    return MatchState(**(base | fields))


def pairs_of(lists: Lists, k: int) -> set[tuple[int, int]]:
    rows, cols = lists.first(k)
    return set(zip(rows.tolist(), cols.tolist(), strict=True))


# plan ---------------------------------------------------------------------------
def test_plan_first_run_is_full_and_fits_the_model():
    plan = plan_run(None, strings("h1"), CONFIG, "d", None, drift_limit=0.2, full=False, refit=False)
    assert plan == RunPlan("full", refit=True, drift=1.0, rescore_all=False, semantic=True)


def test_plan_reuses_a_state_of_the_same_engine_settings_and_history():
    previous = state(fit_hashes=strings("h1", "h2"), history_digest="d")
    plan = plan_run(previous, strings("h1", "h2"), CONFIG, "d", None, drift_limit=0.2, full=False, refit=False)
    assert plan == RunPlan("incremental", refit=False, drift=0.0, rescore_all=False, semantic=True)
    forced = plan_run(previous, strings("h1", "h2"), CONFIG, "d", None, drift_limit=0.2, full=True, refit=False)
    assert (forced.kind, forced.refit) == ("full", False)  # the same model: numbers comparable with the last run


def test_plan_refits_past_the_drift_limit():
    previous = state(fit_hashes=strings("h1", "h2", "h3", "h4", "h5"))
    now = strings("h1", "h2", "h3", "h4", "x")  # 4 of 6 profile versions shared: drift 1/3
    low = plan_run(previous, now, CONFIG, previous.history_digest, None, drift_limit=0.2, full=False, refit=False)
    high = plan_run(previous, now, CONFIG, previous.history_digest, None, drift_limit=0.5, full=False, refit=False)
    assert (low.kind, low.refit, low.drift) == ("full", True, 0.3333)
    assert (high.kind, high.refit, high.drift) == ("incremental", False, 0.3333)


def test_plan_rescores_everything_when_the_history_changed():
    previous = state(fit_hashes=strings("h1"), history_digest="before")
    plan = plan_run(previous, strings("h1"), CONFIG, "after", None, drift_limit=0.2, full=False, refit=False)
    assert (plan.kind, plan.rescore_all) == ("incremental", True)


@pytest.mark.parametrize(
    "previous, config, unavailable",
    [
        (state(config_digest="other settings"), CONFIG, None),
        (state(), MatchingConfig(top_k=5), None),
        (state(engine_version="0"), CONFIG, None),
        (state(vectors=None), CONFIG, None),  # the multilingual model came since the last run
        (state(), CONFIG, "no model"),  # ... or went
    ],
)
def test_plan_does_not_reuse_a_state_made_otherwise(previous, config, unavailable):
    plan = plan_run(
        previous, strings(), config, previous.history_digest, unavailable, drift_limit=1, full=False, refit=False
    )
    assert (plan.kind, plan.refit, plan.drift) == ("full", True, 1.0)
    assert plan.semantic == (unavailable is None)


# changed profiles ---------------------------------------------------------------------
def test_select_changes_finds_new_edited_and_removed_profiles():
    changes = select_changes(
        strings("a", "b", "d", "e"),
        strings("1", "2", "4", "5"),
        strings("a", "b", "c", "d"),
        strings("1", "2x", "3", "4"),
    )
    assert changes.is_changed.tolist() == [False, True, True, False]  # b edited, c new
    assert changes.changed.tolist() == [1, 2]
    assert changes.old_to_new.tolist() == [0, 1, 3, -1]
    assert changes.kept.tolist() == [0, -1, 3, -1]
    assert changes.removed == ["e"]
    assert changes.boundary.tolist() == [0, 1, 3, 4, 4]  # where each old key falls among the new ones
    # spliced rows: [kept old rows a, d; changed rows b, c] put back in key order a, b, c, d
    assert changes.kept_rows.tolist() == [0, 2]
    assert changes.source.tolist() == [0, 2, 3, 1]


def test_in_a_full_run_every_profile_is_changed():
    changes = Changes.everything(3)
    assert changes.changed.tolist() == [0, 1, 2] and changes.removed == []
    assert changes.source.tolist() == [0, 1, 2]


# features ------------------------------------------------------------------------------
FIRST = [
    features("a", "f1", text="aluminium extrusion profiles", languages=frozenset({"da"})),
    features("b", "f2", text="robotic welding of steel frames", languages=frozenset({"sv"})),
    features("c", "f3", text="anodising and powder coating", languages=frozenset({"de"})),
]
FIRST_RUN = RunPlan("full", refit=True, drift=1.0, rescore_all=False, semantic=False)
NEXT_RUN = RunPlan("incremental", refit=False, drift=0.0, rescore_all=False, semantic=False)


def first_state() -> tuple[MatchState, Encoded]:
    encoded = splice_features(None, FIRST_RUN, Changes.everything(3), FIRST, strings("3", "1", "2"), CONFIG, VOCAB)
    previous = state(
        keys=strings("a", "b", "c"),
        hashes=strings("3", "1", "2"),
        model=encoded.model,
        fit_hashes=encoded.fit_hashes,
        matrix=encoded.matrix,
        encoding=encoded.encoding,
        arrays=encoded.arrays,
    )
    return previous, encoded


def test_a_full_run_fits_the_model_on_every_profile():
    _, encoded = first_state()
    assert encoded.fit_hashes.tolist() == ["1", "2", "3"]
    assert encoded.matrix.shape[0] == 3 and encoded.matrix.has_sorted_indices
    assert np.array_equal(encoded.matrix.toarray(), encoded.model.transform([f.text for f in FIRST]).toarray())
    assert sorted(encoded.encoding.languages) == ["da", "de", "sv"]


def test_splice_features_puts_the_changed_rows_among_the_kept_ones():
    previous, _ = first_state()
    edited = features("b", "f2", text="robotic welding and anodising", languages=frozenset({"fi"}), size_rank=2)
    added = features("d", "f4", text="aluminium extrusion and welding", languages=frozenset({"da"}))
    changes = select_changes(previous.keys, previous.hashes, strings("a", "b", "d"), strings("3", "1x", "4"))
    spliced = splice_features(previous, NEXT_RUN, changes, [edited, added], strings("3", "1x", "4"), CONFIG, VOCAB)
    now = [FIRST[0], edited, added]
    assert spliced.model is previous.model and spliced.fit_hashes is previous.fit_hashes  # no refit
    assert np.array_equal(spliced.matrix.toarray(), previous.model.transform([f.text for f in now]).toarray())
    expected = encode(now, VOCAB, spliced.encoding)
    assert np.array_equal(spliced.arrays.languages.toarray(), expected.languages.toarray())
    assert spliced.arrays.size.tolist() == [-1, 2, -1]
    assert "fi" in spliced.encoding.languages and "fi" not in previous.encoding.languages  # the old state is left alone


def test_splice_vectors_keeps_unchanged_rows_and_takes_fresh_ones():
    previous = Vectors(strings("ka", "kb", "kc"), np.array([[1, 0], [2, 0], [3, 0]], dtype=np.int8))
    fresh = Vectors(strings("kb2", "kd"), np.array([[4, 0], [5, 0]], dtype=np.int8))
    changes = select_changes(
        strings("a", "b", "c"), strings("1", "2", "3"), strings("a", "b", "d"), strings("1", "2x", "4")
    )
    spliced = splice_vectors(previous, changes, fresh)
    assert spliced.keys.tolist() == ["ka", "kb2", "kd"]
    assert spliced.values[:, 0].tolist() == [1, 4, 5]
    assert splice_vectors(None, changes, fresh) is fresh  # a full run: every row is fresh


# neighbour lists ------------------------------------------------------------------------
SMALL = MatchingConfig(candidate_k=1, complement_k=1, semantic_k=0, chain_k=0)


def encoded_of(rows: list[list[float]], profiles: list[ProfileFeatures]) -> Encoded:
    encoding = Encoding.for_vocabulary(VOCAB)
    matrix = sparse.csr_matrix(np.array(rows, dtype=np.float32))
    return Encoded(TfidfTextModel(), strings(), matrix, encoding, encode(profiles, VOCAB, encoding))


def test_neighbour_lists_computed_afresh_and_brought_up_to_date():
    seeker = features("a", "f1", type="BR", sought=frozenset({WELDING}))
    before = [seeker, features("b", "f2"), features("c", "f3", offered=frozenset({WELDING}))]
    firms = np.array([0, 1, 2])
    encoded = encoded_of([[1, 0], [0.8, 0.6], [0, 1]], before)
    fresh = update_neighbours(
        None, Changes.everything(3), encoded, None, HistoryArrays(), firms, SMALL, LocalExecutor()
    )
    assert pairs_of(fresh.text, 1) == {(0, 1), (1, 0), (2, 1)}  # each profile's most similar wording
    assert pairs_of(fresh.comp, 1) == {(0, 2)}  # the seeker's best offer
    assert (fresh.semantic, fresh.chain, fresh.recomputed) == (None, None, 0)

    # c is edited: now worded like a, and it no longer offers welding
    after = [*before[:2], features("c", "f3")]
    changes = select_changes(
        strings("a", "b", "c"), strings("1", "2", "3"), strings("a", "b", "c"), strings("1", "2", "3x")
    )
    previous = state(text=fresh.text, comp=fresh.comp)
    edited = encoded_of([[1, 0], [0.8, 0.6], [1, 0]], after)
    updated = update_neighbours(previous, changes, edited, None, HistoryArrays(), firms, SMALL, LocalExecutor())
    assert pairs_of(updated.text, 1) == {(0, 2), (1, 0), (2, 0)}  # b's tie between a and c goes to the first
    assert pairs_of(updated.comp, 1) == set()
    again = update_neighbours(None, Changes.everything(3), edited, None, HistoryArrays(), firms, SMALL, LocalExecutor())
    assert pairs_of(updated.text, 1) == pairs_of(again.text, 1)


def test_candidate_pairs_are_the_first_entries_of_every_list_once():
    text = Lists(
        np.array([0, 0, 1, 2], np.int32),
        np.array([1, 2, 0, 0], np.int32),
        np.array([0.9, 0.5, 0.9, 0.5], np.float32),
        np.zeros(3, np.float32),
        np.zeros(3, np.int64),
    )
    tied = np.array([1]), np.array([2])
    lo, hi = candidate_pairs(text, Lists.empty(3), SMALL, 3, tied=tied)
    assert list(zip(lo.tolist(), hi.tolist(), strict=True)) == [(0, 1), (0, 2), (1, 2)]


# scores ----------------------------------------------------------------------------------
def test_carry_scores_keeps_pairs_of_unchanged_profiles_scored_before():
    previous = state(
        keys=strings("a", "b", "c", "e"),
        pair_lo=np.array([0, 0, 1]),
        pair_hi=np.array([1, 2, 2]),
        pair_score=np.array([0.5, 0.6, 0.7]),
        pair_present=np.array([5, 6, 7], dtype=np.int8),
        pair_class=np.array([PEER, EXCHANGE, EXCHANGE], dtype=np.int8),
    )
    # c edited, d new; e unchanged but never a candidate with b before
    changes = select_changes(
        previous.keys, strings("1", "2", "3", "5"), strings("a", "b", "c", "d", "e"), strings("1", "2", "3x", "4", "5")
    )
    lo, hi = np.array([0, 0, 0, 1]), np.array([1, 2, 3, 4])
    carried = carry_scores(previous, changes, lo, hi)
    assert carried.todo.tolist() == [False, True, True, True]
    assert carried.scores.tolist() == [0.5, 0, 0, 0]
    assert carried.present.tolist() == [5, 0, 0, 0]
    assert carried.classes.tolist() == [PEER, 0, 0, 0]
    assert carry_scores(None, changes, lo, hi).todo.all()  # a full run scores every pair


def test_score_pairs_scores_what_is_left_to_do():
    profiles = [features("a", "f1", type="BO"), features("b", "f2", type="BR"), features("c", "f3", type="BO")]
    encoded = encoded_of([[1, 0], [0, 1], [1, 0]], profiles)
    todo = np.array([True, False, True])
    pairs = PairScores(
        np.array([0, 0, 1]),
        np.array([1, 2, 2]),
        np.array([0, 0.42, 0]),
        np.array([0, 3, 0]),
        np.zeros(3, np.int8),
        todo,
    )
    config = MatchingConfig(weights={"counterpart": 1.0})
    scored = score_pairs(pairs, encoded, None, HistoryArrays(), config, LocalExecutor())
    assert scored.scores.tolist() == [1.0, 0.42, 1.0]  # an offer meets a request; (a, c) kept its score
    assert scored.present.tolist() == [1, 3, 1]
    assert scored.classes.tolist() == [EXCHANGE, 0, EXCHANGE]
    assert not scored.todo.any() and pairs.todo.tolist() == [True, False, True]  # the input is left alone


def test_score_blocks_in_forked_processes_score_as_in_this_one(monkeypatch):
    import matching.executor as executor_module
    import matching.incremental as incremental_module

    types = ["BO", "BR", "BO", "TO", "TR", "BR", "BO"]
    profiles = [features(k, f"f{k}", type=t) for k, t in zip("abcdefg", types, strict=True)]
    encoded = encoded_of([[1, 0], [0, 1], [1, 0], [1, 1], [0, 1], [1, 0], [0, 0]], profiles)
    lo, hi = np.triu_indices(len(profiles), k=1)
    n = len(lo)
    pairs = PairScores(lo, hi, np.zeros(n), np.zeros(n, np.int64), np.zeros(n, np.int8), np.ones(n, dtype=bool))
    monkeypatch.setattr(incremental_module, "SCORE_BLOCK", 4)  # six blocks
    monkeypatch.setattr(executor_module, "FORK_FROM_BLOCKS", 2)
    here = score_pairs(pairs, encoded, None, HistoryArrays(), MatchingConfig(), LocalExecutor(1))
    forked = score_pairs(pairs, encoded, None, HistoryArrays(), MatchingConfig(), LocalExecutor(2))
    assert forked.scores.tolist() == here.scores.tolist() and here.scores.any()
    assert forked.present.tolist() == here.present.tolist()
    assert forked.classes.tolist() == here.classes.tolist()


def test_best_matches_put_partners_before_peers():
    config = MatchingConfig(top_k=1, complement_top_k=0, peer_k=1, min_score=0.05, min_components=1)
    lo, hi = np.array([0, 0, 1]), np.array([1, 2, 2])
    scores, present = np.array([0.6, 0.8, 0.03]), np.array([3, 3, 3])
    profile, other = best_matches(lo, hi, scores, present, config, np.array([EXCHANGE, PEER, PEER], np.int8))
    # a: its partner b, then its better-scored peer c; (b, c) is below the minimum score
    assert list(zip(profile.tolist(), other.tolist(), strict=True)) == [(0, 1), (0, 2), (1, 0), (2, 0)]


# the change to the stored rows ----------------------------------------------------------------
def test_diff_matches_rewrites_only_rows_of_changed_profiles_and_reranks_the_rest():
    previous = state(
        keys=strings("a", "b", "c"),
        match_profile=np.array([0, 0, 1, 2]),
        match_other=np.array([1, 2, 0, 0]),  # a: b, c; b: a; c: a
    )
    changes = select_changes(previous.keys, strings("1", "2", "3"), previous.keys, strings("1", "2", "3x"))
    profile, other = np.array([0, 0, 1, 2]), np.array([2, 1, 0, 0])  # a now ranks c first
    rows = diff_matches(previous, changes, previous.keys, profile, other)
    assert rows.insert.tolist() == [0, 3]  # (a, c) and (c, a): c changed
    assert rows.delete == [("a", "c"), ("c", "a")]
    assert rows.rerank == [("a", "b", 2)]  # (b, a) stays as it is

    rescored = diff_matches(previous, changes, previous.keys, profile, other, rescore_all=True)
    assert rescored.insert.tolist() == [0, 1, 2, 3] and len(rescored.delete) == 4 and rescored.rerank == []
    full = diff_matches(None, Changes.everything(3), previous.keys, profile, other)
    assert full.insert.tolist() == [0, 1, 2, 3] and full.delete == [] and full.rerank == []


def test_diff_matches_deletes_rows_of_removed_profiles():
    previous = state(keys=strings("a", "b", "c"), match_profile=np.array([0, 1, 1]), match_other=np.array([1, 0, 2]))
    changes = select_changes(previous.keys, strings("1", "2", "3"), strings("a", "c"), strings("1", "3"))
    rows = diff_matches(previous, changes, strings("a", "c"), np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert rows.delete == [("a", "b"), ("b", "a"), ("b", "c")] and rows.insert.tolist() == []


@st.composite
def reselections(draw):
    """A previous run's candidate pairs and matches, then changed profiles, dropped and new pairs."""
    n = draw(st.integers(2, 10))
    config = MatchingConfig(
        top_k=draw(st.integers(1, 3)),
        complement_top_k=draw(st.integers(0, 2)),
        peer_k=draw(st.integers(0, 2)),
        min_score=0.05,
        min_components=1,
    )
    every = [(i, j) for i in range(n) for j in range(i + 1, n)]
    value = st.tuples(st.sampled_from([0.02, 0.3, 0.5, 0.7]), st.integers(0, 3), st.integers(0, 2))
    old = {pair: draw(value) for pair in draw(st.sets(st.sampled_from(every)))}
    changed = draw(st.sets(st.integers(0, n - 1)))
    new: dict[tuple[int, int], tuple[float, int, int, bool]] = {}
    for pair in every:
        touched = pair[0] in changed or pair[1] in changed
        if pair in old and not touched and draw(st.booleans()):
            new[pair] = (*old[pair], False)  # carried over with its score
        elif draw(st.integers(0, 3)) == 0 or (pair in old and touched and draw(st.booleans())):
            new[pair] = (*draw(value), True)  # scored in this run
    return n, config, old, changed, new


def as_arrays(pairs: dict) -> tuple[np.ndarray, ...]:
    ordered = sorted(pairs)
    lo, hi = (np.array([p[i] for p in ordered], dtype=np.int64) for i in (0, 1))
    columns = list(zip(*(pairs[p] for p in ordered), strict=True)) or [(), (), (), ()]
    scores, present = np.array(columns[0], float), np.array(columns[1], np.int64)
    return lo, hi, scores, present, np.array(columns[2], np.int8), np.array(columns[3], bool)


@settings(max_examples=300, deadline=None)
@given(reselections())
def test_reselected_matches_equal_matches_chosen_afresh(case):
    n, config, old, changed, new = case
    lo, hi, scores, present, classes, _ = as_arrays({p: (*v, False) for p, v in old.items()})
    match_profile, match_other = best_matches(lo, hi, scores, present, config, classes)
    previous = state(match_profile=match_profile, match_other=match_other)
    is_changed = np.isin(np.arange(n), sorted(changed))
    kept = np.where(is_changed, -1, np.arange(n))
    changes = Changes(is_changed, np.arange(n), kept, [], np.arange(n + 1))
    lo, hi, scores, present, classes, todo = as_arrays(new)
    carried = PairScores(lo, hi, np.where(todo, 0.0, scores), np.where(todo, 0, present), classes, todo)
    scored = PairScores(lo, hi, scores, present, classes, np.zeros(len(lo), bool))
    profile, other = reselect_matches(previous, changes, carried, scored, config)
    want_profile, want_other = best_matches(lo, hi, scores, present, config, classes)
    assert list(zip(profile.tolist(), other.tolist(), strict=True)) == list(
        zip(want_profile.tolist(), want_other.tolist(), strict=True)
    )
