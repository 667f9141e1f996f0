"""Matching runs that re-score only what changed since the last run, to the same result as a full run.

A run takes the previous run's `MatchState` (None for the first run) and a
`Snapshot` of the profiles that may match now, each with a hash of everything
its features are built from. Profiles that are new or whose hash changed are
*changed*; profiles no longer in the snapshot are *removed*.

- The text model is kept between runs; it is refitted (and every profile
  re-scored) only when the corpus drifted past a limit since the fit, when
  asked, or when the matching settings changed. Between refits, a full run and
  an incremental run use the same model and so give the same numbers.
- Multilingual vectors are kept by text: only changed texts are embedded
  (see `vectors`). Without the model the run goes on without the semantic
  component and says so in its stats; a later run with the model is full.
- Neighbour lists (text, multilingual meaning and offer-meets-need) are
  brought up to date exactly (see `neighbours`), candidate pairs are the first
  k of each list, and only pairs with a changed profile, or pairs never scored
  before, are scored.
- The best matches of each profile are then chosen from all candidate pairs;
  a profile's stored matches are rewritten only when its list changed or a
  pair in it involves a changed profile.

`update` runs these as steps, each a function over plain data that can be run
and tested alone: `plan_run` → `select_changes` → `splice_features` →
`splice_vectors` → `update_neighbours` → `candidate_pairs` → `carry_scores` →
`score_pairs` → `best_matches` (`reselect_matches` in an incremental run) →
`diff_matches`. Loading features and embedding texts are the only steps that
reach outside; blocks of work go through the executor.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from profiles.taxonomy.vocabulary import Vocabulary

from . import sorted_sets
from .batch import Encoding, FeatureArrays, HistoryArrays, encode, score_block
from .config import MatchingConfig
from .executor import Executor, LocalExecutor
from .features import ProfileFeatures
from .forked import forked_call
from .history import ExchangeHistory
from .kinds import PEER
from .neighbours import Lists, compute_lists, remap, update_lists
from .stored_rows import LoadFeatures, LoadTexts, RunModel, stored_rows
from .text_model import TfidfTextModel
from .vectors import VectorCache, Vectors, unavailable_reason, vectors_for

# Bump when features, encoding or scoring change meaning: a state from an older engine is not reused.
ENGINE_VERSION = "3"
SCORE_BLOCK = 200_000

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class Snapshot:
    """The profiles that may match now, sorted by key, with their firm and feature hash."""

    keys: list[str]
    firms: list[str]
    hashes: list[str]

    def __post_init__(self) -> None:
        if self.keys != sorted(self.keys):
            raise ValueError("snapshot keys must be sorted")

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Keys, feature hashes and firms as arrays (of str)."""
        return (
            np.array(self.keys, dtype=object),
            np.array(self.hashes, dtype=object),
            np.array(self.firms, dtype=object),
        )


@dataclass
class MatchState:
    """Everything the next run needs from this one. A cache: losing it costs one full run."""

    run_id: int
    config_digest: str
    engine_version: str
    keys: np.ndarray
    hashes: np.ndarray
    firms: np.ndarray
    model: TfidfTextModel
    fit_hashes: np.ndarray
    matrix: sparse.csr_matrix
    encoding: Encoding
    arrays: FeatureArrays
    text: Lists
    comp: Lists
    pair_lo: np.ndarray
    pair_hi: np.ndarray
    pair_score: np.ndarray
    pair_present: np.ndarray
    match_profile: np.ndarray
    match_other: np.ndarray
    vectors: Vectors | None = None  # None: the semantic component was not used or unavailable
    semantic: Lists | None = None
    pair_class: np.ndarray | None = None  # int8 per candidate pair (see `kinds.pair_classes`)
    chain: Lists | None = None  # value-chain neighbours (None: no learned value chains)
    history_digest: str = ""  # the exchange history the scores were computed with


@dataclass
class Update:
    """The new state and the change to the stored match rows. A full run replaces every row;
    an incremental run deletes `delete`, re-ranks `rerank` and inserts the rows of `matches()`."""

    state: MatchState
    kind: str  # "full" or "incremental"
    refit: bool
    drift: float
    delete: list[tuple[str, str]]  # (profile, other)
    rerank: list[tuple[str, str, int]]  # (profile, other, new rank)
    removed: list[str]  # profiles that no longer take part
    stats: dict[str, Any]
    _explain: Callable[..., Iterator[dict[str, Any]]] | None = field(repr=False, default=None)

    def matches(self, encoded: bool = False, processes: int = 1) -> Iterator[dict[str, Any]]:
        """Rows to insert (profile, other, rank, score, kind, components, explanation), explained lazily;
        `encoded`: the JSON of components and explanation already written, by up to `processes` worker
        processes (see `stored_rows`)."""
        return self._explain(encoded, processes) if self._explain is not None else iter(())


def feature_hash(*parts: str) -> str:
    return hashlib.sha256("|".join((ENGINE_VERSION, *parts)).encode()).hexdigest()[:32]


def drift(fit_hashes: np.ndarray, hashes: np.ndarray) -> float:
    """Share of the corpus the model was not fitted on: 1 - |fit ∩ now| / |fit ∪ now| over profile versions."""
    fitted, now = set(fit_hashes.tolist()), set(hashes.tolist())
    both, union = len(fitted & now), len(fitted | now)
    return 0.0 if union == 0 else round(1.0 - both / union, 4)


def _firm_codes(firms: np.ndarray) -> np.ndarray:
    _, codes = np.unique(firms, return_inverse=True)
    return codes.astype(np.int64)


def _pair_codes(lo: np.ndarray, hi: np.ndarray, n: int) -> np.ndarray:
    return lo.astype(np.int64) * n + hi.astype(np.int64)


def tie_pairs(history: HistoryArrays, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Profile pairs of the `k` most strongly tied firms of each firm (every profile of both)."""
    none = (np.zeros(0, np.int64),) * 2
    if history.ties is None or history.tie_codes is None or k <= 0 or history.ties.nnz == 0:
        return none
    ties = history.ties.tocsr()
    firm_a, firm_b = [], []
    for f in range(ties.shape[0]):
        cols, vals = ties.indices[ties.indptr[f] : ties.indptr[f + 1]], ties.data[ties.indptr[f] : ties.indptr[f + 1]]
        best = np.lexsort((cols, -vals))[:k]
        firm_a.append(np.full(len(best), f))
        firm_b.append(cols[best])
    if not firm_a:
        return none
    fa, fb = np.concatenate(firm_a), np.concatenate(firm_b)
    codes = history.tie_codes
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    left, right = [], []
    for a, b in zip(fa.tolist(), fb.tolist(), strict=True):
        pa = order[np.searchsorted(sorted_codes, a) : np.searchsorted(sorted_codes, a, side="right")]
        pb = order[np.searchsorted(sorted_codes, b) : np.searchsorted(sorted_codes, b, side="right")]
        if len(pa) and len(pb):
            left.append(np.repeat(pa, len(pb)))
            right.append(np.tile(pb, len(pa)))
    if not left:
        return none
    return np.concatenate(left).astype(np.int64), np.concatenate(right).astype(np.int64)


def candidate_pairs(
    text: Lists,
    comp: Lists,
    config: MatchingConfig,
    n: int,
    semantic: Lists | None = None,
    tied: tuple[np.ndarray, np.ndarray] | None = None,
    chain: Lists | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Unique (lo, hi) of the first candidate_k text, complement_k offer-meets-need, semantic_k
    multilingual and chain_k value-chain neighbours, and the profiles of tied firms."""
    none = (np.zeros(0, np.int32),) * 2
    tr, tc = text.first(config.candidate_k)
    cr, cc = comp.first(config.complement_k) if config.complement_k else none
    sr, sc = semantic.first(config.semantic_k) if semantic is not None and config.semantic_k else none
    vr, vc = chain.first(config.chain_k) if chain is not None and config.chain_k else none
    gr, gc = tied if tied is not None else none
    a = np.concatenate([tr, cr, sr, vr, gr]).astype(np.int64)
    b = np.concatenate([tc, cc, sc, vc, gc]).astype(np.int64)
    codes = sorted_sets.unique(_pair_codes(np.minimum(a, b), np.maximum(a, b), n))
    return codes // max(n, 1), codes % max(n, 1)


def best_matches(
    lo: np.ndarray,
    hi: np.ndarray,
    scores: np.ndarray,
    present: np.ndarray,
    config: MatchingConfig,
    classes: np.ndarray | None = None,
    only: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(profile, other) of every profile's best `top_k` partners by score (then the other's key),
    and best `complement_top_k` complements, merged by score, followed by its best `peer_k` peers:
    partners lead every list, look-alikes come after. With `only` (bool per profile), the lists of
    those profiles alone."""
    classes = np.zeros(len(lo), dtype=np.int8) if classes is None else classes
    keep = _eligible(scores, present, config)
    if only is not None:
        keep &= only[lo] | only[hi]
    src = np.concatenate([lo[keep], hi[keep]])
    dst = np.concatenate([hi[keep], lo[keep]])
    val = np.concatenate([scores[keep], scores[keep]])
    cls = np.concatenate([classes[keep], classes[keep]]).astype(np.int64)
    if only is not None:
        mine = only[src]
        src, dst, val, cls = src[mine], dst[mine], val[mine], cls[mine]
    group = src * 3 + cls  # rank within (profile, class)
    order = _by_group_value_other(group, val, dst)
    src, dst, cls, val, group = src[order], dst[order], cls[order], val[order], group[order]
    if len(src) == 0:
        return src, dst
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    rank = np.arange(len(src)) - np.repeat(starts, np.diff(np.r_[starts, len(src)]))
    chosen = rank < _quotas(config)[cls]
    src, dst, val, is_peer = src[chosen], dst[chosen], val[chosen], cls[chosen] == PEER
    order = np.lexsort((dst, -val, is_peer, src))
    return src[order], dst[order]


def _by_group_value_other(group: np.ndarray, val: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The order of `np.lexsort((other, -val, group))` by three stable sorts, least significant key first:
    about 40 % faster on millions of entries (a full run sorts both sides of every candidate pair)."""
    order = np.argsort(other, kind="stable")
    order = order[np.argsort(-val[order], kind="stable")]
    return order[np.argsort(group[order], kind="stable")]


def _eligible(scores: np.ndarray, present: np.ndarray, config: MatchingConfig) -> np.ndarray:
    return (scores >= config.min_score) & (present >= config.min_components)


def _quotas(config: MatchingConfig) -> np.ndarray:
    """Matches kept per class (partner, complement, peer)."""
    return np.array([config.top_k, config.complement_top_k, config.peer_k])


def reselect_matches(
    previous: MatchState, changes: Changes, carried: PairScores, pairs: PairScores, config: MatchingConfig
) -> tuple[np.ndarray, np.ndarray]:
    """`best_matches` of every profile, chosen again only for the profiles whose choice can differ:
    changed profiles, profiles that lost one of their matches (the other profile changed or is gone, or
    the pair is no longer a candidate) and profiles with a pair scored now (`carried.todo`) that would
    enter their list: a class not yet full, or ahead of the last match of its class. Every other
    profile's pairs differ from the previous run's only by pairs it did not choose or would not choose,
    so it keeps its previous matches (rows and columns keep their relative order between runs, so ties
    are broken the same way)."""
    n, kept = changes.n, changes.kept
    affected = changes.is_changed.copy()
    codes = _pair_codes(pairs.lo, pairs.hi, n)
    if len(codes) > 1 and not bool(np.all(codes[1:] > codes[:-1])):
        raise ValueError("candidate pairs must be unique and in pair order")
    old_p, old_o = kept[previous.match_profile], kept[previous.match_other]
    alive = (old_p >= 0) & (old_o >= 0)
    m_codes = _pair_codes(np.minimum(old_p, old_o), np.maximum(old_p, old_o), n)
    at = np.minimum(np.searchsorted(codes, m_codes), max(len(codes) - 1, 0))
    found = alive & (codes[at] == m_codes) & ~carried.todo[at] if len(codes) else np.zeros(len(old_p), bool)
    affected[old_p[(old_p >= 0) & ~found]] = True
    # the last match of each (profile, class) in list order, and how many the class holds
    group = old_p[found] * 3 + pairs.classes[at[found]]
    held = np.bincount(group, minlength=3 * n)
    last = np.full(3 * n, -1, dtype=np.int64)
    np.maximum.at(last, group, np.flatnonzero(found))
    quota = _quotas(config)
    todo = carried.todo & _eligible(pairs.scores, pairs.present, config)
    src = np.concatenate([pairs.lo[todo], pairs.hi[todo]])
    dst = np.concatenate([pairs.hi[todo], pairs.lo[todo]])
    val = np.concatenate([pairs.scores[todo], pairs.scores[todo]])
    cls = np.concatenate([pairs.classes[todo], pairs.classes[todo]]).astype(np.int64)
    g = src * 3 + cls
    full = held[g] >= quota[cls]
    m_val = np.zeros(len(old_p))
    m_val[found] = pairs.scores[at[found]]
    cut = last[g]  # -1 (no match in the class) picks the infinite score nothing is ahead of
    cut_val, cut_dst = np.r_[m_val, np.inf][cut], np.r_[old_o, -1][cut]
    ahead = (val > cut_val) | ((val == cut_val) & (dst < cut_dst))
    enters = (quota[cls] > 0) & (~full | ahead)
    affected[src[enters]] = True
    new_p, new_o = best_matches(pairs.lo, pairs.hi, pairs.scores, pairs.present, config, pairs.classes, only=affected)
    stay = (old_p >= 0) & ~affected[np.maximum(old_p, 0)]
    if bool((old_o[stay] < 0).any()):
        raise ValueError("a kept match names a profile that changed; the previous state is inconsistent")
    profile = np.concatenate([old_p[stay], new_p]).astype(np.int64)
    other = np.concatenate([old_o[stay], new_o]).astype(np.int64)
    order = np.argsort(profile, kind="stable")  # each profile's rows come from one side, in rank order
    return profile[order], other[order]


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self._last, 3)
        self._last = now


def uses_semantic(config: MatchingConfig) -> bool:
    return config.weights.get("semantic", 0.0) > 0 or config.semantic_k > 0


def semantic_matrix(vectors: Vectors) -> sparse.csr_matrix:
    """Quantised vectors as a float32 matrix: products of whole numbers, exact in any order."""
    out = sparse.csr_matrix(vectors.values.astype(np.float32))
    out.sort_indices()
    return out


@dataclass(frozen=True)
class RunPlan:
    """What kind of run this is, decided from the previous state, the settings and the history."""

    kind: str  # "full" or "incremental"
    refit: bool  # a new text model is fitted
    drift: float  # share of the corpus the previous model was not fitted on (1.0 without a usable state)
    rescore_all: bool  # the exchange's history changed: every candidate pair is scored again
    semantic: bool  # the multilingual vectors are used and their model is available

    @property
    def incremental(self) -> bool:
        return self.kind == "incremental"


def plan_run(
    state: MatchState | None,
    hashes: np.ndarray,
    config: MatchingConfig,
    history_digest: str,
    semantic_unavailable: str | None,
    *,
    drift_limit: float,
    full: bool,
    refit: bool,
) -> RunPlan:
    """Full or incremental, refit or not. The previous state is reused only when it comes from
    this engine, these settings and the same availability of the multilingual model (the model coming
    or going changes every pair's components); the model is refitted past `drift_limit`."""
    semantic = uses_semantic(config) and semantic_unavailable is None
    usable = (
        state
        if state is not None
        and state.engine_version == ENGINE_VERSION
        and state.config_digest == config.digest()
        and (state.vectors is not None) == semantic
        else None
    )
    measured = drift(usable.fit_hashes, hashes) if usable is not None else 1.0
    refit = refit or usable is None or measured > drift_limit
    kind = "full" if (full or refit) else "incremental"
    # New bids, consortia or relations change components of unchanged pairs: rescore every pair.
    rescore_all = kind == "incremental" and usable is not None and usable.history_digest != history_digest
    return RunPlan(kind, refit, measured, rescore_all, semantic)


@dataclass(frozen=True)
class Changes:
    """Which profiles of the snapshot are new or edited since the previous run, and where the previous
    run's rows go in the new order. In a full run every profile counts as changed."""

    is_changed: np.ndarray  # bool per new row
    old_to_new: np.ndarray  # int64 per previous row: its new row, -1 when the profile is gone
    kept: np.ndarray  # int64 per previous row: its new row when the profile is unchanged, else -1
    removed: list[str]  # keys of previous profiles no longer in the snapshot
    boundary: np.ndarray  # int64 per previous row and one past the end: first new row whose key is not before it

    @staticmethod
    def everything(n: int) -> Changes:
        none = np.zeros(0, dtype=np.int64)
        return Changes(np.ones(n, dtype=bool), none, none, [], np.zeros(1, dtype=np.int64))

    @property
    def n(self) -> int:
        return len(self.is_changed)

    @property
    def changed(self) -> np.ndarray:
        return np.flatnonzero(self.is_changed)

    @property
    def kept_rows(self) -> np.ndarray:
        """Previous rows whose profile is unchanged, in the previous order."""
        return np.flatnonzero(self.kept >= 0)

    @property
    def source(self) -> np.ndarray:
        """Per new row, its row in the stack [previous rows of unchanged profiles; changed rows]: how
        arrays spliced from the previous run's rows and the changed profiles' rows are put in the new order."""
        kept_rows, changed = self.kept_rows, self.changed
        out = np.empty(self.n, dtype=np.int64)
        out[self.kept[kept_rows]] = np.arange(len(kept_rows))
        out[changed] = len(kept_rows) + np.arange(len(changed))
        return out


def select_changes(old_keys: np.ndarray, old_hashes: np.ndarray, keys: np.ndarray, hashes: np.ndarray) -> Changes:
    """The changed profiles, by comparing the previous run's (sorted) keys and feature hashes
    with the snapshot's."""
    n = len(keys)
    position = {k: i for i, k in enumerate(keys)}
    old_to_new = np.array([position.get(k, -1) for k in old_keys], dtype=np.int64)
    same = old_to_new >= 0
    same[same] = hashes[old_to_new[same]] == old_hashes[same]
    kept = np.where(same, old_to_new, -1)
    is_changed = np.ones(n, dtype=bool)
    is_changed[kept[same]] = False
    removed = [str(k) for k in old_keys[old_to_new < 0]]
    boundary = np.r_[np.searchsorted(keys, old_keys), n] if n else np.zeros(len(old_keys) + 1, np.int64)
    return Changes(is_changed, old_to_new, kept, removed, np.asarray(boundary, dtype=np.int64))


@dataclass(frozen=True)
class Encoded:
    """The profiles' text vectors and feature arrays in the new order, and what they were made with."""

    model: TfidfTextModel
    fit_hashes: np.ndarray  # the profile versions the model was fitted on
    matrix: sparse.csr_matrix
    encoding: Encoding
    arrays: FeatureArrays


def splice_features(
    state: MatchState | None,
    plan: RunPlan,
    changes: Changes,
    features: list[ProfileFeatures],
    hashes: np.ndarray,
    config: MatchingConfig,
    vocabulary: Vocabulary,
    fitted: FittedMeanwhile | None = None,
) -> Encoded:
    """Text vectors and feature arrays of every profile, in the new order. A full run encodes
    `features` (all profiles), with a newly fitted model when refitting; an incremental run encodes
    only the changed profiles' `features` and splices them in among the previous run's rows.
    `fitted`: the model fitted meanwhile, used when it was fitted on exactly these features' texts."""
    if state is None or plan.refit:
        encoding = Encoding.for_vocabulary(vocabulary)
        arrays = encode(features, vocabulary, encoding)
        texts = [f.text for f in features]
        if fitted is not None and fitted.texts == texts:
            model, matrix = fitted.result()
        else:
            model = TfidfTextModel(config.tfidf_max_features, config.tfidf_ngram_max)
            matrix = model.fit_transform(texts)
        return _encoded(model, np.sort(hashes), matrix, encoding, arrays)
    model = state.model
    if not plan.incremental:
        encoding = Encoding.for_vocabulary(vocabulary)
        matrix = model.transform([f.text for f in features])
        return _encoded(model, state.fit_hashes, matrix, encoding, encode(features, vocabulary, encoding))
    # The previous encoding is extended with codes first seen now: a copy, so the previous state stays as it was.
    encoding = replace(
        state.encoding,
        languages=dict(state.encoding.languages),
        countries=dict(state.encoding.countries),
        regions=dict(state.encoding.regions),
    )
    kept_rows, source = changes.kept_rows, changes.source
    fresh = (
        model.transform([f.text for f in features])
        if len(features)
        else sparse.csr_matrix((0, state.matrix.shape[1]), dtype=np.float32)
    )
    matrix = sparse.vstack([state.matrix[kept_rows], fresh], format="csr")[source]
    arrays = FeatureArrays.stack([state.arrays.take(kept_rows), encode(features, vocabulary, encoding)]).take(source)
    return _encoded(model, state.fit_hashes, matrix, encoding, arrays)


# From this many profiles, work that takes a core for seconds runs in a forked copy of the run while the run
# goes on with other work (`forked.forked_call`, where the executor allows it): fitting the text model while
# the features are read, the offer-meets-need lists while the text lists are brought up to date, and writing
# the state file while the matches are written. Below it a fork costs about what it saves.
MEANWHILE_FROM = 10_000


def works_meanwhile(executor: Executor | None, profiles: int) -> bool:
    """Whether a run over this many profiles hands such work to a forked copy of itself."""
    return executor is not None and executor.works_meanwhile and profiles >= MEANWHILE_FROM


@dataclass(frozen=True)
class FittedMeanwhile:
    texts: list[str]  # what the model is being fitted on
    result: Callable[[], tuple[TfidfTextModel, sparse.csr_matrix]]


@contextmanager
def _fitted_meanwhile(load_texts: LoadTexts, keys: list[str], config: MatchingConfig) -> Iterator[FittedMeanwhile]:
    texts = load_texts(keys)

    def fit() -> tuple[TfidfTextModel, sparse.csr_matrix]:
        model = TfidfTextModel(config.tfidf_max_features, config.tfidf_ngram_max)
        return model, model.fit_transform(texts)

    with forked_call(fit, fork=True) as result:
        yield FittedMeanwhile(texts, result)


def _encoded(
    model: TfidfTextModel, fit_hashes: np.ndarray, matrix: sparse.spmatrix, encoding: Encoding, arrays: FeatureArrays
) -> Encoded:
    out = matrix.tocsr()
    out.sort_indices()
    return Encoded(model, fit_hashes, out, encoding, arrays)


def splice_vectors(previous: Vectors | None, changes: Changes, fresh: Vectors) -> Vectors:
    """Multilingual vectors in the new order: the previous run's rows of unchanged profiles and
    `fresh`, the changed profiles' vectors. Without previous rows (a full run) `fresh` is every row."""
    if previous is None:
        return fresh
    kept_rows = changes.kept_rows
    stacked = Vectors(
        np.concatenate([previous.keys[kept_rows], fresh.keys]),
        np.concatenate([previous.values[kept_rows], fresh.values]),
    )
    return stacked.take(changes.source)


@dataclass(frozen=True)
class Neighbours:
    """The neighbour lists candidate pairs are taken from."""

    text: Lists
    comp: Lists  # offer meets need
    semantic: Lists | None  # None: the multilingual vectors are not used
    chain: Lists | None  # None: no learned value chains
    recomputed: int  # rows of unchanged profiles whose lists had to be computed again


def update_neighbours(
    previous: MatchState | None,
    changes: Changes,
    encoded: Encoded,
    vectors: Vectors | None,
    history: HistoryArrays,
    firm_codes: np.ndarray,
    config: MatchingConfig,
    executor: Executor,
    *,
    rescore_all: bool = False,
) -> Neighbours:
    """Text, offer-meets-need, multilingual and value-chain neighbour lists. With the `previous`
    run's lists they are brought up to date for the changed profiles (exactly: see `neighbours`),
    without them computed afresh. Value-chain lists are computed afresh when the history changed
    (`rescore_all`), since the learned strengths they rank by did."""
    arrays = encoded.arrays

    def lists(
        old: Lists | None, left: sparse.csr_matrix, right: sparse.csr_matrix, k: int, dense: bool
    ) -> tuple[Lists, int]:
        return _neighbour_lists(old, changes, left, right, firm_codes, k, executor, dense)

    def comp_lists(on: Executor) -> tuple[Lists, int]:
        if not config.complement_k:
            return Lists.empty(changes.n), 0
        old = previous.comp if previous is not None else None
        return _neighbour_lists(
            old, changes, arrays.sought, tenths(arrays.credit), firm_codes, config.complement_k, on, True
        )

    # The offer-meets-need lists (whole numbers: the same bits on any executor) in a forked copy, on one
    # core, while the text lists take this process: their product shares both cores, the rest of their
    # work one.
    meanwhile = bool(config.complement_k) and works_meanwhile(executor, changes.n)
    comp_work = partial(comp_lists, LocalExecutor() if meanwhile else executor)
    with forked_call(comp_work, fork=meanwhile) as comp_result:
        old = previous.text if previous is not None else None
        text, recomputed = lists(old, encoded.matrix, encoded.matrix, config.candidate_k, False)
        comp, again = comp_result()
    recomputed += again
    semantic = None
    if vectors is not None and config.semantic_k > 0:
        meaning = semantic_matrix(vectors)
        old = previous.semantic if previous is not None else None
        semantic, again = lists(old, meaning, meaning, config.semantic_k, True)
        recomputed += again
    chain = None
    if history.together is not None and config.chain_k:
        chain_right = chain_credit(arrays.offered, history.together)
        old = previous.chain if previous is not None and not rescore_all else None
        chain, again = lists(old, arrays.offered, chain_right, config.chain_k, True)
        recomputed += again
    return Neighbours(text, comp, semantic, chain, recomputed)


def _neighbour_lists(
    old: Lists | None,
    changes: Changes,
    left: sparse.csr_matrix,
    right: sparse.csr_matrix,
    firm_codes: np.ndarray,
    k: int,
    executor: Executor,
    dense: bool,
) -> tuple[Lists, int]:
    """Lists of the product left·rightᵀ kept `k` deep and some (so removals seldom leave a row short):
    `old` brought up to date, or computed afresh without it."""
    depth = k + max(10, k // 2)
    if old is None:
        return compute_lists(np.arange(changes.n), left, right, firm_codes, k, depth, executor, dense=dense), 0
    carried = remap(old, changes.kept, changes.n, changes.boundary)
    return update_lists(carried, changes.changed, left, right, firm_codes, k, depth, executor, dense=dense)


@dataclass(frozen=True)
class PairScores:
    """Candidate pairs (lo < hi) with their scores, present-component counts and classes; `todo` marks
    the pairs still to be scored."""

    lo: np.ndarray
    hi: np.ndarray
    scores: np.ndarray
    present: np.ndarray
    classes: np.ndarray
    todo: np.ndarray

    @property
    def to_score(self) -> int:
        return int(self.todo.sum())


def carry_scores(previous: MatchState | None, changes: Changes, lo: np.ndarray, hi: np.ndarray) -> PairScores:
    """The candidate pairs (lo, hi), each pair of two unchanged profiles that was a candidate
    in the `previous` run with its previous score; every other pair (all of them without `previous`)
    still to be scored."""
    scores = np.zeros(len(lo))
    present = np.zeros(len(lo), dtype=np.int64)
    classes = np.zeros(len(lo), dtype=np.int8)
    if previous is None:
        return PairScores(lo, hi, scores, present, classes, np.ones(len(lo), dtype=bool))
    n = changes.n
    old_lo, old_hi = changes.kept[previous.pair_lo], changes.kept[previous.pair_hi]
    alive = (old_lo >= 0) & (old_hi >= 0)
    old_codes = _pair_codes(np.minimum(old_lo, old_hi)[alive], np.maximum(old_lo, old_hi)[alive], n)
    order = np.argsort(old_codes, kind="stable")  # already in order (rows keep their order): a linear pass
    old_codes = old_codes[order]
    old_scores, old_present = previous.pair_score[alive][order], previous.pair_present[alive][order]
    old_class = (
        previous.pair_class[alive][order]
        if previous.pair_class is not None
        else np.zeros(len(old_scores), dtype=np.int8)
    )
    codes = _pair_codes(lo, hi, n)
    at = np.minimum(np.searchsorted(old_codes, codes), max(len(old_codes) - 1, 0))
    found = old_codes[at] == codes if len(old_codes) else np.zeros(len(codes), bool)
    found &= ~changes.is_changed[lo] & ~changes.is_changed[hi]
    scores[found], present[found] = old_scores[at[found]], old_present[at[found]]
    classes[found] = old_class[at[found]]
    return PairScores(lo, hi, scores, present, classes, ~found)


def score_pairs(
    pairs: PairScores,
    encoded: Encoded,
    vectors: Vectors | None,
    history: HistoryArrays,
    config: MatchingConfig,
    executor: Executor,
) -> PairScores:
    """Every pair marked `todo` scored by the array scorer, in blocks through the executor;
    the other pairs keep their scores. Nothing is left to do afterwards."""
    idx = np.flatnonzero(pairs.todo)
    blocks = [slice(i, i + SCORE_BLOCK) for i in range(0, len(idx), SCORE_BLOCK)]
    parts = executor.map_single_threaded(
        score_block,
        blocks,
        encoded.arrays,
        encoded.matrix,
        pairs.lo[idx],
        pairs.hi[idx],
        config.weights,
        config.geography_scale_km,
        None if vectors is None else vectors.values,
        history,
    )
    scores, present, classes = pairs.scores.copy(), pairs.present.copy(), pairs.classes.copy()
    if parts:
        scores[idx] = np.concatenate([p[0] for p in parts])
        present[idx] = np.concatenate([p[1] for p in parts])
        classes[idx] = np.concatenate([p[2] for p in parts])
    return PairScores(pairs.lo, pairs.hi, scores, present, classes, np.zeros(len(pairs.lo), dtype=bool))


@dataclass(frozen=True)
class RowChanges:
    """How the stored match rows change: rows (positions in the new match lists) to insert, old rows
    to delete and kept rows with a new rank."""

    insert: np.ndarray
    delete: list[tuple[str, str]]  # (profile, other)
    rerank: list[tuple[str, str, int]]  # (profile, other, new rank)


def diff_matches(
    previous: MatchState | None,
    changes: Changes,
    keys: np.ndarray,
    profile: np.ndarray,
    other: np.ndarray,
    *,
    rescore_all: bool = False,
) -> RowChanges:
    """The change from the `previous` run's stored rows to the new match lists (profile[i],
    other[i], grouped by profile in rank order). A stored row stays when neither profile changed, the
    history did not change (`rescore_all`) and the pair is still among the profile's best; it only gets
    its new rank. Every other old row goes and every other new row is added; without `previous` every
    row is new (a full run replaces them all)."""
    if previous is None:
        return RowChanges(np.arange(len(profile)), [], [])
    n, rank = changes.n, _ranks(profile)
    old_p, old_o = changes.old_to_new[previous.match_profile], changes.old_to_new[previous.match_other]
    old_alive = (old_p >= 0) & (old_o >= 0)
    old_alive[old_alive] &= ~changes.is_changed[old_p[old_alive]] & ~changes.is_changed[old_o[old_alive]]
    if rescore_all:
        old_alive[:] = False
    old_codes = np.where(old_alive, _pair_codes(np.maximum(old_p, 0), np.maximum(old_o, 0), n), -1)
    new_codes = _pair_codes(profile, other, n)
    kept_new = sorted_sets.isin(new_codes, old_codes[old_alive])
    kept_old = old_alive & sorted_sets.isin(old_codes, new_codes)
    old_rank = _ranks(previous.match_profile)
    order = np.argsort(old_codes, kind="stable")  # runs already sorted by profile
    at = order[np.searchsorted(old_codes[order], new_codes[kept_new])]
    moved = old_rank[at] != rank[kept_new]
    rerank = [
        (str(keys[p]), str(keys[o]), int(r))
        for p, o, r in zip(profile[kept_new][moved], other[kept_new][moved], rank[kept_new][moved], strict=True)
    ]
    delete = [
        (str(previous.keys[previous.match_profile[i]]), str(previous.keys[previous.match_other[i]]))
        for i in np.flatnonzero(~kept_old)
    ]
    return RowChanges(np.flatnonzero(~kept_new), delete, rerank)


def update(
    state: MatchState | None,
    snapshot: Snapshot,
    load_features: LoadFeatures,
    config: MatchingConfig,
    vocabulary: Vocabulary,
    run_id: int,
    *,
    drift_limit: float = 0.2,
    full: bool = False,
    refit: bool = False,
    executor: Executor | None = None,
    progress: Progress | None = None,
    vector_cache: Path | None = None,
    history: ExchangeHistory | None = None,
    load_texts: LoadTexts | None = None,
) -> Update:
    """One matching run from the previous run's `state` (None: the first run): plan → changed profiles
    → features → vectors → neighbour lists → candidate pairs and their scores → best matches → the
    change to the stored rows. Each step is a function of this module; only loading features,
    embedding texts and the executor's blocks reach outside."""
    executor = executor or LocalExecutor()
    say = progress or _silent
    history = history or ExchangeHistory()
    clock = _Clock()
    keys, hashes, firms = snapshot.columns()
    unavailable = unavailable_reason() if uses_semantic(config) else None
    history_digest = history.digest()
    plan = plan_run(state, hashes, config, history_digest, unavailable, drift_limit=drift_limit, full=full, refit=refit)
    previous = state if plan.incremental else None
    changes = (
        select_changes(previous.keys, previous.hashes, keys, hashes)
        if previous is not None
        else Changes.everything(len(keys))
    )
    fit_meanwhile = (
        _fitted_meanwhile(load_texts, snapshot.keys, config)
        if load_texts is not None
        and (state is None or plan.refit)
        and works_meanwhile(executor, len(keys))  # else reading the texts first would only add a read
        else nullcontext()
    )
    with fit_meanwhile as fitted:
        features = _load_changed(load_features, snapshot.keys, changes.changed, say)
        clock.lap("features")
        encoded = splice_features(state, plan, changes, features, hashes, config, vocabulary, fitted)
        clock.lap("text model")
    vectors, embedded = _vectors(plan, state, previous, changes, features, executor, vector_cache, say)
    clock.lap("vectors")
    history_arrays = history.arrays(encoded.encoding.concepts, firms)
    say("neighbours", 0, len(features))
    firm_codes = _firm_codes(firms)
    neighbours = update_neighbours(
        previous, changes, encoded, vectors, history_arrays, firm_codes, config, executor, rescore_all=plan.rescore_all
    )
    say("neighbours", len(features), len(features))
    clock.lap("neighbours")
    tied = tie_pairs(history_arrays, config.relationship_k)
    lo, hi = candidate_pairs(
        neighbours.text, neighbours.comp, config, len(keys), neighbours.semantic, tied, neighbours.chain
    )
    carried = carry_scores(None if plan.rescore_all else previous, changes, lo, hi)
    say("scores", 0, carried.to_score)
    pairs = score_pairs(carried, encoded, vectors, history_arrays, config, executor)
    say("scores", carried.to_score, carried.to_score)
    clock.lap("scores")
    if previous is None or plan.rescore_all:
        m_profile, m_other = best_matches(lo, hi, pairs.scores, pairs.present, config, pairs.classes)
    else:
        m_profile, m_other = reselect_matches(previous, changes, carried, pairs, config)
    rows = diff_matches(previous, changes, keys, m_profile, m_other, rescore_all=plan.rescore_all)
    clock.lap("selection")
    new_state = _next_state(
        run_id, config, snapshot, encoded, vectors, neighbours, pairs, m_profile, m_other, history_digest
    )
    inserts = _in_pair_order(rows.insert, m_profile, m_other, len(keys))
    known = {f.key: f for f in features}

    run = RunModel(
        new_state.keys,
        new_state.model,
        new_state.matrix,
        None if new_state.vectors is None else new_state.vectors.values,
        config,
        vocabulary,
        history,
    )

    def explain_rows(encoded: bool = False, processes: int = 1) -> Iterator[dict[str, Any]]:
        return stored_rows(run, inserts, known, load_features, encoded=encoded, processes=processes)

    semantic = _semantic_stats(uses_semantic(config), unavailable, embedded)
    stats = _stats(
        new_state,
        plan,
        changes,
        carried.to_score,
        neighbours.recomputed,
        rows,
        history,
        semantic,
        executor.name,
        clock.laps,
    )
    return Update(
        new_state, plan.kind, plan.refit, plan.drift, rows.delete, rows.rerank, changes.removed, stats, explain_rows
    )


def _silent(stage: str, done: int, total: int) -> None:
    pass


def _semantic_stats(used: bool, unavailable: str | None, embedded: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {"used": used, "available": used and unavailable is None}
    if used and unavailable is not None:
        out["unavailable"] = unavailable
    return out | embedded


def _load_changed(
    load_features: LoadFeatures, keys: list[str], changed: np.ndarray, say: Progress
) -> list[ProfileFeatures]:
    """The features of the changed profiles, in snapshot order."""
    wanted = [keys[i] for i in changed]
    say("features", 0, len(wanted))
    features = load_features(wanted)
    if [f.key for f in features] != wanted:
        raise ValueError("load_features must return features for exactly the keys asked, in order")
    say("features", len(wanted), len(wanted))
    return features


def _vectors(
    plan: RunPlan,
    state: MatchState | None,
    previous: MatchState | None,
    changes: Changes,
    features: list[ProfileFeatures],
    executor: Executor,
    vector_cache: Path | None,
    say: Progress,
) -> tuple[Vectors | None, dict[str, int]]:
    """Multilingual vectors in the new order (None when not used or unavailable), and how many texts were
    embedded and reused. Only texts not seen before are embedded: the previous run's vectors and the
    vector cache are looked up first (see `vectors`)."""
    if not plan.semantic:
        return None, {}
    embedded = vectors_for(
        [f.passage for f in features],
        state.vectors if state is not None else None,
        VectorCache(vector_cache) if vector_cache is not None else None,
        executor,
        lambda done, total: say("vectors", done, total),
    )
    if embedded.vectors is None:  # the model failed to load after all
        raise RuntimeError(f"multilingual vectors failed: {embedded.unavailable}")
    vectors = splice_vectors(previous.vectors if previous is not None else None, changes, embedded.vectors)
    return vectors, {"embedded": embedded.embedded, "reused": embedded.reused}


def _in_pair_order(
    insert: np.ndarray, profile: np.ndarray, other: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(profile, other, rank) of the rows to insert, both rows of a mutual match side by side, so the
    pair is scored for its explanation once."""
    rank = _ranks(profile)
    lo, hi = np.minimum(profile[insert], other[insert]), np.maximum(profile[insert], other[insert])
    insert = insert[np.argsort(_pair_codes(lo, hi, n), kind="stable")]
    return profile[insert], other[insert], rank[insert]


def _stats(
    state: MatchState,
    plan: RunPlan,
    changes: Changes,
    pairs_scored: int,
    rows_recomputed: int,
    rows: RowChanges,
    history: ExchangeHistory,
    semantic: dict[str, Any],
    executor: str,
    seconds: dict[str, float],
) -> dict[str, Any]:
    """What the run did, for its log and record."""
    return {
        "profiles": len(state.keys),
        "changed": len(changes.changed),
        "removed": len(changes.removed),
        "candidate_pairs": len(state.pair_lo),
        "pairs_scored": pairs_scored,
        "rows_recomputed": rows_recomputed,
        "matches": len(state.match_profile),
        "rows_inserted": len(rows.insert),
        "rows_deleted": len(rows.delete),
        "rows_reranked": len(rows.rerank),
        "drift": plan.drift,
        "refit": plan.refit,
        "executor": executor,
        "history": {
            "digest": state.history_digest,
            "rescored": plan.rescore_all,
            "value_chains": len(history.together.strength) if history.together is not None else 0,
            "tied_firms": len(history.ties.firms) if history.ties is not None else 0,
        },
        "semantic": semantic,
        "seconds": seconds,
    }


def _next_state(
    run_id: int,
    config: MatchingConfig,
    snapshot: Snapshot,
    encoded: Encoded,
    vectors: Vectors | None,
    neighbours: Neighbours,
    pairs: PairScores,
    match_profile: np.ndarray,
    match_other: np.ndarray,
    history_digest: str,
) -> MatchState:
    keys, hashes, firms = snapshot.columns()
    return MatchState(
        run_id=run_id,
        config_digest=config.digest(),
        engine_version=ENGINE_VERSION,
        keys=keys,
        hashes=hashes,
        firms=firms,
        model=encoded.model,
        fit_hashes=encoded.fit_hashes,
        matrix=encoded.matrix,
        encoding=encoded.encoding,
        arrays=encoded.arrays,
        text=neighbours.text,
        comp=neighbours.comp,
        pair_lo=pairs.lo.astype(np.int32),
        pair_hi=pairs.hi.astype(np.int32),
        pair_score=pairs.scores,
        pair_present=pairs.present.astype(np.int8),
        match_profile=match_profile.astype(np.int32),
        match_other=match_other.astype(np.int32),
        vectors=vectors,
        semantic=neighbours.semantic,
        pair_class=pairs.classes,
        chain=neighbours.chain,
        history_digest=history_digest,
    )


def chain_credit(offered: sparse.csr_matrix, together: np.ndarray) -> sparse.csr_matrix:
    """Per profile and concept, the learned strength (in whole thousandths) of that concept with what
    the profile offers: offered·chain_credit(offered)ᵀ sums whole numbers, exact in any order."""
    strengths = np.rint(together * 1000).astype(np.float32)
    out = sparse.csr_matrix(offered.astype(np.float32) @ strengths)
    out.eliminate_zeros()
    out.sort_indices()
    return out


def tenths(credit: sparse.csr_matrix) -> sparse.csr_matrix:
    """Offer credit in whole tenths (relatedness steps are 0.3, 0.5, 0.9 and 1): sums of whole numbers are
    exact in any order, so offer-meets-need values agree bit for bit however they are computed."""
    out = credit.tocsr(copy=True)
    out.data = np.rint(out.data * 10).astype(np.float32)
    out.eliminate_zeros()
    return out


def _ranks(profile: np.ndarray) -> np.ndarray:
    if len(profile) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, profile[1:] != profile[:-1]])
    return np.arange(len(profile)) - np.repeat(starts, np.diff(np.r_[starts, len(profile)])) + 1
