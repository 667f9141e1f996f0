"""The matching stages as public functions: features → text model → candidates → scores → top-k.

`run_matching` chains them for the common case; a large user can call the
stages separately (and the nightly run can persist between them).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

import numpy as np

from profiles.domain import Firm, Profile, ProfileStatus
from profiles.taxonomy.vocabulary import Vocabulary

from .batch import encode, score_arrays
from .candidates import candidate_pairs
from .config import MatchingConfig
from .explain import explain
from .features import ProfileFeatures, build_all
from .scorer import PairScore, score_pairs, text_similarities
from .text_model import TfidfTextModel

Progress = Callable[[int], None]


@dataclass
class MatchResult:
    config: MatchingConfig
    profiles: int
    candidate_pairs: int
    scores: list[PairScore]
    matches: list[dict[str, Any]]
    seconds: dict[str, float] = field(default_factory=dict)  # per stage


def matchable(profiles: list[Profile], today: date) -> list[Profile]:
    """Published profiles that have not expired: the only ones that take part in matching."""
    return [p for p in profiles
            if p.status == ProfileStatus.PUBLISHED and (p.expires_on is None or p.expires_on >= today)]


def top_k_pairs(left: np.ndarray, right: np.ndarray, scores: np.ndarray, present: np.ndarray,
                config: MatchingConfig) -> np.ndarray:
    """Indices of the pairs that are among the best `top_k` of either of their profiles."""
    keep = (scores >= config.min_score) & (present >= config.min_components)
    idx = np.flatnonzero(keep)
    src = np.concatenate([left[idx], right[idx]])
    dst = np.concatenate([right[idx], left[idx]])
    pair_idx = np.concatenate([idx, idx])
    order = np.lexsort((dst, -scores[pair_idx], src))  # by profile, best first, ties by the other's key
    src_sorted = src[order]
    starts = np.flatnonzero(np.r_[True, src_sorted[1:] != src_sorted[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return np.unique(pair_idx[order][rank < config.top_k])


def select_top_k(scores: list[PairScore], config: MatchingConfig) -> list[dict[str, Any]]:
    """For every profile, its best `top_k` partners with explanations, ranked deterministically."""
    per_profile: dict[str, list[tuple[PairScore, bool]]] = {}
    for s in scores:
        if s.score < config.min_score or s.present < config.min_components:
            continue
        per_profile.setdefault(s.a, []).append((s, True))
        per_profile.setdefault(s.b, []).append((s, False))
    matches = []
    for key in sorted(per_profile):
        ranked = sorted(per_profile[key], key=lambda t: (-t[0].score, t[0].b if t[1] else t[0].a))
        for rank, (s, viewer_is_a) in enumerate(ranked[: config.top_k], start=1):
            matches.append({
                "profile": key,
                "other": s.b if viewer_is_a else s.a,
                "rank": rank,
                "score": s.score,
                "components": s.components,
                "explanation": explain(s, viewer_is_a),
            })
    return matches


def run_matching(profiles: list[Profile], firms: dict[str, Firm], config: MatchingConfig,
                 vocabulary: Vocabulary, progress_total: Callable[[int], None] | None = None,
                 progress: Progress | None = None) -> MatchResult:
    """Score every candidate pair with array arithmetic, then explain the pairs that are kept."""
    clock = _Stopwatch()
    features: list[ProfileFeatures] = build_all(profiles, firms, vocabulary)
    clock.lap("features")
    if not features:
        return MatchResult(config, 0, 0, [], [], clock.laps)
    model = TfidfTextModel(config.tfidf_max_features, config.tfidf_ngram_max)
    matrix = model.fit_transform([f.text for f in features])
    clock.lap("text model")
    arrays = encode(features, vocabulary)
    pairs = candidate_pairs(features, matrix, config.candidate_k, arrays.credit, arrays.sought, config.complement_k)
    clock.lap("candidates")
    if not pairs:
        return MatchResult(config, len(features), 0, [], [], clock.laps)
    left = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    right = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    scores, present = score_arrays(arrays, left, right, text_similarities(matrix, pairs),
                                   config.weights, config.geography_scale_km)
    chosen = top_k_pairs(left, right, scores, present, config)
    clock.lap("scores")
    if progress_total is not None:
        progress_total(len(chosen))
    kept = [pairs[i] for i in chosen.tolist()]
    explained = list(score_pairs(features, matrix, model, kept, config, vocabulary, progress))
    matches = select_top_k(explained, config)
    clock.lap("explanations")
    return MatchResult(config, len(features), len(pairs), explained, matches, clock.laps)


class _Stopwatch:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 4)
        self._last = now
