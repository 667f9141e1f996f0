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
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from profiles.taxonomy.vocabulary import Vocabulary

from .batch import Encoding, FeatureArrays, HistoryArrays, encode, score_block, vector_cosines
from .components import PairContext
from .config import MatchingConfig
from .executor import Executor, LocalExecutor
from .explain import explain
from .features import ProfileFeatures
from .history import ExchangeHistory
from .kinds import PEER, kind_of
from .neighbours import Lists, compute_lists, remap, update_lists
from .scorer import PairScore, score_pair
from .text_model import TfidfTextModel
from .vectors import VectorCache, Vectors, unavailable_reason, vectors_for

# Bump when features, encoding or scoring change meaning: a state from an older engine is not reused.
ENGINE_VERSION = "3"
SCORE_BLOCK = 200_000

LoadFeatures = Callable[[list[str]], list[ProfileFeatures]]
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
    _explain: Callable[[], Iterator[dict[str, Any]]] = field(repr=False, default=None)  # type: ignore

    def matches(self) -> Iterator[dict[str, Any]]:
        """Rows to insert (profile, other, rank, score, components, explanation), explained lazily."""
        return self._explain()


def feature_hash(*parts: str) -> str:
    return hashlib.sha256("|".join((ENGINE_VERSION, *parts)).encode()).hexdigest()[:32]


def drift(fit_hashes: np.ndarray, hashes: np.ndarray) -> float:
    """Share of the corpus the model was not fitted on: 1 - |fit ∩ now| / |fit ∪ now| over profile versions."""
    both = len(np.intersect1d(fit_hashes, hashes))
    union = len(np.union1d(fit_hashes, hashes))
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
    for a, b in zip(fa.tolist(), fb.tolist()):
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
    codes = np.unique(_pair_codes(np.minimum(a, b), np.maximum(a, b), n))
    return codes // max(n, 1), codes % max(n, 1)


def best_matches(
    lo: np.ndarray,
    hi: np.ndarray,
    scores: np.ndarray,
    present: np.ndarray,
    config: MatchingConfig,
    classes: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(profile, other) of every profile's best `top_k` partners by score (then the other's key),
    and best `complement_top_k` complements, merged by score, followed by its best `peer_k` peers:
    partners lead every list, look-alikes come after."""
    classes = np.zeros(len(lo), dtype=np.int8) if classes is None else classes
    keep = (scores >= config.min_score) & (present >= config.min_components)
    src = np.concatenate([lo[keep], hi[keep]])
    dst = np.concatenate([hi[keep], lo[keep]])
    val = np.concatenate([scores[keep], scores[keep]])
    cls = np.concatenate([classes[keep], classes[keep]]).astype(np.int64)
    order = np.lexsort((dst, -val, cls, src))
    src, dst, cls, val = src[order], dst[order], cls[order], val[order]
    if len(src) == 0:
        return src, dst
    group = src * 3 + cls  # rank within (profile, class)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    rank = np.arange(len(src)) - np.repeat(starts, np.diff(np.r_[starts, len(src)]))
    quota = np.array([config.top_k, config.complement_top_k, config.peer_k])
    chosen = rank < quota[cls]
    src, dst, val, is_peer = src[chosen], dst[chosen], val[chosen], cls[chosen] == PEER
    order = np.lexsort((dst, -val, is_peer, src))
    return src[order], dst[order]


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
) -> Update:
    executor = executor or LocalExecutor()
    say = progress or (lambda stage, done, total: None)
    clock = _Clock()
    keys = np.array(snapshot.keys, dtype=object)
    hashes = np.array(snapshot.hashes, dtype=object)
    firms = np.array(snapshot.firms, dtype=object)
    n = len(keys)
    semantic_on = uses_semantic(config)
    unavailable = unavailable_reason() if semantic_on else None
    reusable = (
        state is not None
        and state.engine_version == ENGINE_VERSION
        and state.config_digest == config.digest()
        # the model came or went since the last run: every pair's components change
        and (state.vectors is not None) == (semantic_on and unavailable is None)
    )
    measured = drift(state.fit_hashes, hashes) if reusable else 1.0
    refit = refit or not reusable or measured > drift_limit
    kind = "full" if (full or refit) else "incremental"
    history = history or ExchangeHistory()
    history_digest = history.digest()
    # New bids, consortia or relations change components of unchanged pairs: rescore every pair.
    rescore_all = kind == "incremental" and state is not None and state.history_digest != history_digest

    # which profiles changed, and where the old rows go in the new order
    if kind == "incremental":
        assert state is not None
        position = {k: i for i, k in enumerate(snapshot.keys)}
        old_to_new = np.array([position.get(k, -1) for k in state.keys], dtype=np.int64)
        same = old_to_new >= 0
        same[same] = hashes[old_to_new[same]] == state.hashes[same]
        old_to_new_unchanged = np.where(same, old_to_new, -1)
        is_changed = np.ones(n, dtype=bool)
        is_changed[old_to_new_unchanged[same]] = False
        removed = [str(k) for k in state.keys[old_to_new < 0]]
    else:
        is_changed = np.ones(n, dtype=bool)
        removed = []
    changed = np.flatnonzero(is_changed)
    say("features", 0, len(changed))
    new_features = load_features([snapshot.keys[i] for i in changed])
    if [f.key for f in new_features] != [snapshot.keys[i] for i in changed]:
        raise ValueError("load_features must return features for exactly the keys asked, in order")
    say("features", len(changed), len(changed))
    clock.lap("features")

    # text vectors and feature arrays, in the new order
    if kind == "full":
        model = TfidfTextModel(config.tfidf_max_features, config.tfidf_ngram_max) if refit else state.model  # type: ignore[union-attr]
        texts = [f.text for f in new_features]
        matrix = model.fit_transform(texts) if refit else model.transform(texts)
        fit_hashes = np.sort(hashes) if refit else state.fit_hashes  # type: ignore[union-attr]
        encoding = Encoding.for_vocabulary(vocabulary)
        arrays = encode(new_features, vocabulary, encoding)
    else:
        assert state is not None
        model, fit_hashes, encoding = state.model, state.fit_hashes, state.encoding
        kept_old = np.flatnonzero(old_to_new_unchanged >= 0)
        source = np.empty(n, dtype=np.int64)  # row of the stacked [kept old rows; changed rows] per new row
        source[old_to_new_unchanged[kept_old]] = np.arange(len(kept_old))
        source[changed] = len(kept_old) + np.arange(len(changed))
        fresh = (
            model.transform([f.text for f in new_features])
            if len(changed)
            else sparse.csr_matrix((0, state.matrix.shape[1]), dtype=np.float32)
        )
        matrix = sparse.vstack([state.matrix[kept_old], fresh], format="csr")[source]
        arrays = FeatureArrays.stack([state.arrays.take(kept_old), encode(new_features, vocabulary, encoding)]).take(
            source
        )
    matrix = matrix.tocsr()
    matrix.sort_indices()
    firm_codes = _firm_codes(firms)
    clock.lap("text model")

    # multilingual vectors, in the new order; only texts not seen before are embedded
    vectors: Vectors | None = None
    semantic_stats: dict[str, Any] = {"used": semantic_on, "available": semantic_on and unavailable is None}
    if semantic_on and unavailable is None:
        cache = VectorCache(vector_cache) if vector_cache is not None else None
        embedded = vectors_for(
            [f.passage for f in new_features],
            state.vectors if state is not None else None,
            cache,
            executor,
            lambda done, total: say("vectors", done, total),
        )
        if embedded.vectors is None:  # the model failed to load after all
            raise RuntimeError(f"multilingual vectors failed: {embedded.unavailable}")
        vectors = embedded.vectors
        if kind == "incremental":
            assert state is not None and state.vectors is not None
            stacked = Vectors(
                np.concatenate([state.vectors.keys[kept_old], vectors.keys]),
                np.concatenate([state.vectors.values[kept_old], vectors.values]),
            )
            vectors = stacked.take(source)
        semantic_stats.update(embedded=embedded.embedded, reused=embedded.reused)
    elif semantic_on:
        semantic_stats["unavailable"] = unavailable
    clock.lap("vectors")

    # neighbour lists
    text_depth = config.candidate_k + max(10, config.candidate_k // 2)
    comp_depth = config.complement_k + max(10, config.complement_k // 2)
    meaning_depth = config.semantic_k + max(10, config.semantic_k // 2)
    meaning_on = vectors is not None and config.semantic_k > 0
    meaning = semantic_matrix(vectors) if meaning_on else None  # type: ignore[arg-type]
    recomputed = 0
    offers = tenths(arrays.credit)
    say("neighbours", 0, len(changed))
    if kind == "full":
        rows = np.arange(n)
        text = compute_lists(rows, matrix, matrix, firm_codes, config.candidate_k, text_depth, executor)
        comp = (
            compute_lists(
                rows, arrays.sought, offers, firm_codes, config.complement_k, comp_depth, executor, dense=True
            )
            if config.complement_k
            else Lists.empty(n)
        )
        semantic = (
            compute_lists(rows, meaning, meaning, firm_codes, config.semantic_k, meaning_depth, executor, dense=True)
            if meaning_on
            else None
        )
    else:
        boundary = np.r_[np.searchsorted(keys, state.keys), n] if n else np.zeros(len(state.keys) + 1, np.int64)
        boundary = np.asarray(boundary, dtype=np.int64)
        text, r1 = update_lists(
            remap(state.text, old_to_new_unchanged, n, boundary),
            changed,
            matrix,
            matrix,
            firm_codes,
            config.candidate_k,
            text_depth,
            executor,
        )
        comp, r2 = (
            update_lists(
                remap(state.comp, old_to_new_unchanged, n, boundary),
                changed,
                arrays.sought,
                offers,
                firm_codes,
                config.complement_k,
                comp_depth,
                executor,
                dense=True,
            )
            if config.complement_k
            else (Lists.empty(n), 0)
        )
        semantic, r3 = None, 0
        if meaning_on:
            semantic, r3 = update_lists(
                remap(state.semantic, old_to_new_unchanged, n, boundary),
                changed,
                meaning,
                meaning,
                firm_codes,
                config.semantic_k,
                meaning_depth,
                executor,
                dense=True,
            )
        recomputed = r1 + r2 + r3
    history_arrays = history.arrays(encoding.concepts, firms)
    chain: Lists | None = None
    if history_arrays.together is not None and config.chain_k:
        chain_right = chain_credit(arrays.offered, history_arrays.together)
        chain_depth = config.chain_k + max(10, config.chain_k // 2)
        if kind == "full" or rescore_all or state is None or state.chain is None:
            chain = compute_lists(
                np.arange(n), arrays.offered, chain_right, firm_codes, config.chain_k, chain_depth, executor, dense=True
            )
        else:
            chain, r4 = update_lists(
                remap(state.chain, old_to_new_unchanged, n, boundary),
                changed,
                arrays.offered,
                chain_right,
                firm_codes,
                config.chain_k,
                chain_depth,
                executor,
                dense=True,
            )
            recomputed += r4
    say("neighbours", len(changed), len(changed))
    clock.lap("neighbours")

    # candidate pairs and their scores; unchanged pairs keep their old scores
    tied = tie_pairs(history_arrays, config.relationship_k)
    lo, hi = candidate_pairs(text, comp, config, n, semantic, tied, chain)
    scores = np.zeros(len(lo))
    present = np.zeros(len(lo), dtype=np.int64)
    classes = np.zeros(len(lo), dtype=np.int8)
    todo = np.ones(len(lo), dtype=bool)
    if kind == "incremental" and not rescore_all:
        old_lo, old_hi = old_to_new_unchanged[state.pair_lo], old_to_new_unchanged[state.pair_hi]
        alive = (old_lo >= 0) & (old_hi >= 0)
        old_codes = _pair_codes(np.minimum(old_lo, old_hi)[alive], np.maximum(old_lo, old_hi)[alive], n)
        order = np.argsort(old_codes)
        old_codes = old_codes[order]
        old_scores, old_present = state.pair_score[alive][order], state.pair_present[alive][order]
        old_class = (
            state.pair_class[alive][order] if state.pair_class is not None else np.zeros(len(old_scores), dtype=np.int8)
        )
        codes = _pair_codes(lo, hi, n)
        at = np.minimum(np.searchsorted(old_codes, codes), max(len(old_codes) - 1, 0))
        found = (len(old_codes) > 0) & (old_codes[at] == codes) if len(old_codes) else np.zeros(len(codes), bool)
        found &= ~is_changed[lo] & ~is_changed[hi]
        scores[found], present[found] = old_scores[at[found]], old_present[at[found]]
        classes[found] = old_class[at[found]]
        todo = ~found
    idx = np.flatnonzero(todo)
    blocks = [slice(i, i + SCORE_BLOCK) for i in range(0, len(idx), SCORE_BLOCK)]
    say("scores", 0, len(idx))
    parts = executor.map(
        score_block,
        blocks,
        arrays,
        matrix,
        lo[idx],
        hi[idx],
        config.weights,
        config.geography_scale_km,
        None if vectors is None else vectors.values,
        history_arrays,
    )
    if parts:
        scores[idx] = np.concatenate([p[0] for p in parts])
        present[idx] = np.concatenate([p[1] for p in parts])
        classes[idx] = np.concatenate([p[2] for p in parts])
    say("scores", len(idx), len(idx))
    clock.lap("scores")

    # best matches per profile, and how the stored match rows change
    m_profile, m_other = best_matches(lo, hi, scores, present, config, classes)
    m_rank = _ranks(m_profile)
    if kind == "full":
        insert = np.arange(len(m_profile))
        delete: list[tuple[str, str]] = []
        rerank: list[tuple[str, str, int]] = []
    else:
        # A stored row stays when neither profile changed and the pair is still among the profile's
        # best; it only gets its new rank. Every other old row goes and every other new row is added.
        old_p, old_o = old_to_new[state.match_profile], old_to_new[state.match_other]
        old_alive = (old_p >= 0) & (old_o >= 0)
        old_alive[old_alive] &= ~is_changed[old_p[old_alive]] & ~is_changed[old_o[old_alive]]
        if rescore_all:
            old_alive[:] = False
        old_codes = np.where(old_alive, _pair_codes(np.maximum(old_p, 0), np.maximum(old_o, 0), n), -1)
        new_codes = _pair_codes(m_profile, m_other, n)
        kept_new = np.isin(new_codes, old_codes[old_alive])
        kept_old = old_alive & np.isin(old_codes, new_codes)
        insert = np.flatnonzero(~kept_new)
        old_rank = _ranks(state.match_profile)
        order = np.argsort(old_codes)
        at = order[np.searchsorted(old_codes[order], new_codes[kept_new])]
        moved = old_rank[at] != m_rank[kept_new]
        rerank = [
            (str(keys[p]), str(keys[o]), int(r))
            for p, o, r in zip(m_profile[kept_new][moved], m_other[kept_new][moved], m_rank[kept_new][moved])
        ]
        gone = np.flatnonzero(~kept_old)
        delete = [(str(state.keys[state.match_profile[i]]), str(state.keys[state.match_other[i]])) for i in gone]
    clock.lap("selection")

    new_state = MatchState(
        run_id,
        config.digest(),
        ENGINE_VERSION,
        keys,
        hashes,
        firms,
        model,
        fit_hashes,
        matrix,
        encoding,
        arrays,
        text,
        comp,
        lo.astype(np.int32),
        hi.astype(np.int32),
        scores,
        present.astype(np.int8),
        m_profile.astype(np.int32),
        m_other.astype(np.int32),
        vectors,
        semantic,
        classes,
        chain,
        history_digest,
    )
    known = {f.key: f for f in new_features}
    # Both rows of a mutual match side by side: the pair is scored for explanation once.
    pair_order = np.argsort(
        _pair_codes(np.minimum(m_profile[insert], m_other[insert]), np.maximum(m_profile[insert], m_other[insert]), n),
        kind="stable",
    )
    insert = insert[pair_order]
    inserts = (m_profile[insert], m_other[insert], m_rank[insert])

    def explain_rows() -> Iterator[dict[str, Any]]:
        yield from _explained(new_state, inserts, known, load_features, config, vocabulary, history)

    stats = {
        "profiles": n,
        "changed": int(len(changed)),
        "removed": len(removed),
        "candidate_pairs": int(len(lo)),
        "pairs_scored": int(len(idx)),
        "rows_recomputed": int(recomputed),
        "matches": int(len(m_profile)),
        "rows_inserted": int(len(insert)),
        "rows_deleted": len(delete),
        "rows_reranked": len(rerank),
        "drift": measured,
        "refit": bool(refit),
        "executor": executor.name,
        "history": {
            "digest": history_digest,
            "rescored": bool(rescore_all),
            "value_chains": len(history.together.strength) if history.together is not None else 0,
            "tied_firms": len(history.ties.firms) if history.ties is not None else 0,
        },
        "semantic": semantic_stats,
        "seconds": clock.laps,
    }
    return Update(new_state, kind, bool(refit), measured, delete, rerank, removed, stats, explain_rows)


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


def _explained(
    state: MatchState,
    inserts: tuple[np.ndarray, np.ndarray, np.ndarray],
    known: dict[str, ProfileFeatures],
    load_features: LoadFeatures,
    config: MatchingConfig,
    vocabulary: Vocabulary,
    history: ExchangeHistory,
    chunk: int = 5_000,
) -> Iterator[dict[str, Any]]:
    """The rows to insert, explained by the per-pair comparators, chunk by chunk."""
    profiles, others, ranks = inserts
    for begin in range(0, len(profiles), chunk):
        rows = list(
            zip(
                profiles[begin : begin + chunk].tolist(),
                others[begin : begin + chunk].tolist(),
                ranks[begin : begin + chunk].tolist(),
            )
        )
        needed = sorted({str(state.keys[p]) for p, o, _ in rows} | {str(state.keys[o]) for p, o, _ in rows})
        missing = [k for k in needed if k not in known]
        if missing:
            known.update((f.key, f) for f in load_features(missing))
        last: tuple[tuple[int, int], PairScore, PairContext] | None = None
        for p, o, rank in rows:
            a, b = (p, o) if p < o else (o, p)
            if last is None or last[0] != (a, b):
                sim, terms = state.model.cosine_and_terms(state.matrix, a, b, config.explanation_terms)
                meaning = (
                    None
                    if state.vectors is None
                    else float(vector_cosines(state.vectors.values, np.array([a]), np.array([b]))[0])
                )
                ctx = PairContext(
                    vocabulary, config.geography_scale_km, sim, terms, meaning, history.together, history.ties
                )
                pair = score_pair(known[str(state.keys[a])], known[str(state.keys[b])], ctx, config)
                last = ((a, b), pair, ctx)
            pair, ctx = last[1], last[2]
            kind, why = kind_of(known[str(state.keys[p])], known[str(state.keys[o])], ctx)
            yield {
                "profile": str(state.keys[p]),
                "other": str(state.keys[o]),
                "rank": rank,
                "score": pair.score,
                "kind": kind,
                "components": pair.components,
                "explanation": {**explain(pair, p == a), "kind": kind, "kind_reason": why},
            }
