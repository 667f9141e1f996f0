"""Component weights learned from outcomes: which of the candidates a firm was shown did it go for.

The data are *shown lists*: a match list as it stood when a firm acted on it, every
candidate with its component values, and the candidates that turned out well (an
interest accepted). Only shown candidates are used, so the engine never learns
from pairs it did not show (a ranking cannot learn about what it hides).

The fit is a conditional logit in pairwise form: within a list each component is
standardised (so a list of strong candidates and a list of weak ones weigh the
same), every (good, other) pair of the list gives the difference of their rows, and
a logistic regression without intercept learns how much each component's
difference says about which one was chosen. The coefficients, divided by each
component's within-list spread, and then refined by a short coordinate search on the
learning lists' own MRR (see `refine`), become weights on the engine's scale: the
components the outcomes say nothing about (absent or constant within every list)
keep their current weights, and the learned ones share the weight the current
configuration gave them (a component learned to point the wrong way gets none).
Ranking is the engine's own weighted mean of present components, so the learned
weights are used exactly as they were evaluated.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

import numpy as np

from .components import ComponentResult
from .scorer import combine

DIGITS = 3
BOOTSTRAP = 1000


@dataclass(frozen=True)
class ShownList:
    query: str
    at: float  # when it was shown (sortable: seconds since the epoch)
    candidates: tuple[tuple[str, dict[str, float | None]], ...]  # (key, component → value or None)
    good: frozenset[str]  # candidates that turned out well


def score(values: dict[str, float | None], weights: dict[str, float]) -> float:
    """The engine's score of a candidate from its stored component values (matching.scorer.combine)."""
    return combine({n: (None if v is None else ComponentResult(v)) for n, v in values.items()}, weights)[0]


class Packed:
    """Shown lists with a good candidate as arrays (list × candidate × component), candidates in key
    order, so a weight vector's reciprocal ranks are a few array operations."""

    def __init__(self, lists: list[ShownList], names: list[str]):
        usable = [s for s in lists if s.good and s.candidates]
        width = max((len(s.candidates) for s in usable), default=1)
        self.names = names
        self.values = np.zeros((len(usable), width, len(names)))
        self.present = np.zeros((len(usable), width, len(names)), dtype=bool)
        self.valid = np.zeros((len(usable), width), dtype=bool)
        self.good = np.zeros((len(usable), width), dtype=bool)
        for i, shown in enumerate(usable):
            for j, (key, values) in enumerate(sorted(shown.candidates, key=lambda c: c[0])):
                self.valid[i, j] = True
                self.good[i, j] = key in shown.good
                for k, n in enumerate(names):
                    v = values.get(n)
                    if v is not None:
                        self.values[i, j, k], self.present[i, j, k] = float(v), True

    def __len__(self) -> int:
        return len(self.values)

    def reciprocal_ranks(self, weights: dict[str, float]) -> np.ndarray:
        w = np.array([weights.get(n, 0.0) for n in self.names])
        w = w / w.max() if w.max() > 0 else w  # a weighted mean: the scale is free, tiny weights must not vanish
        on = self.present & (w > 0)
        total = (np.where(on, self.values, 0.0) * w).sum(axis=2)
        mass = (on * w).sum(axis=2)
        scores = np.divide(total, mass, out=np.zeros_like(total), where=mass > 0)
        scores = np.where(self.valid, scores, -np.inf)
        # the best-placed good candidate: the highest score, the first by key among equals
        best = np.where(self.good, scores, -np.inf).max(axis=1, keepdims=True)
        position = np.arange(scores.shape[1])[None, :]
        first = np.where(self.good & (scores == best), position, scores.shape[1]).min(axis=1, keepdims=True)
        ahead = (scores > best) | ((scores == best) & (position < first))
        return 1.0 / (1 + (ahead & self.valid).sum(axis=1))


def reciprocal_ranks(lists: list[ShownList], weights: dict[str, float]) -> list[float]:
    """1/rank of the best-placed good candidate of each list (ties broken by key, as stored lists are)."""
    return Packed(lists, sorted(weights)).reciprocal_ranks(weights).tolist()


def interval(values: list[float], seed: int = 7) -> tuple[float, float, float]:
    """Mean and 95% bootstrap interval."""
    if not values:
        return (math.nan, math.nan, math.nan)
    rng = random.Random(seed)
    means = sorted(fmean(rng.choices(values, k=len(values))) for _ in range(BOOTSTRAP))
    return fmean(values), means[int(0.025 * BOOTSTRAP)], means[int(0.975 * BOOTSTRAP) - 1]


def paired_difference(a: list[float], b: list[float], seed: int = 7) -> tuple[float, float, float]:
    return interval([x - y for x, y in zip(a, b, strict=True)], seed)


def _or_nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


def _standardised(shown: ShownList, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the list's candidates, each component centred and scaled within the list (missing: the
    list's mean, so it says nothing), and the per-component spread used."""
    raw = np.array([[_or_nan(v.get(n)) for n in names] for _, v in shown.candidates])
    mean = np.nanmean(np.where(np.isnan(raw).all(axis=0), 0.0, raw), axis=0) if len(raw) else np.zeros(len(names))
    filled = np.where(np.isnan(raw), mean, raw)
    spread = filled.std(axis=0)
    return np.divide(filled - mean, spread, out=np.zeros_like(filled), where=spread > 0), spread


@dataclass(frozen=True)
class Fit:
    weights: dict[str, float]
    learned: tuple[str, ...]  # components the outcomes moved
    kept: tuple[str, ...]  # components left at their current weight
    coefficients: dict[str, float]
    pairs: int
    lists: int
    notes: tuple[str, ...] = field(default_factory=tuple)


PAIRS_PER_GOOD = 200  # others compared with each good candidate (a seeded sample of long lists)


def fit(lists: list[ShownList], current: dict[str, float], c: float = 1.0) -> Fit:
    from sklearn.linear_model import LogisticRegression

    names = sorted(current)
    rows: list[np.ndarray] = []
    spreads: list[np.ndarray] = []
    used = 0
    rng = random.Random(0)
    for shown in lists:
        keys = [k for k, _ in shown.candidates]
        good = [i for i, k in enumerate(keys) if k in shown.good]
        if not good or len(keys) < 2:
            continue
        x, spread = _standardised(shown, names)
        spreads.append(spread)
        used += 1
        others = [o for o in range(len(keys)) if keys[o] not in shown.good]
        for g in good:
            sample = others if len(others) <= PAIRS_PER_GOOD else sorted(rng.sample(others, PAIRS_PER_GOOD))
            rows.extend(x[g] - x[o] for o in sample)
    if not rows:
        return Fit(dict(current), (), tuple(names), {}, 0, 0, ("no list with a good candidate and another",))
    diffs = np.array(rows)
    # both orientations, so the model needs no intercept and the classes balance
    features = np.vstack([diffs, -diffs])
    labels = np.r_[np.ones(len(diffs)), np.zeros(len(diffs))]
    informative = np.abs(diffs).sum(axis=0) > 0
    coef = np.zeros(len(names))
    if informative.any():
        model = LogisticRegression(fit_intercept=False, C=c, max_iter=1000)
        model.fit(features[:, informative], labels)
        coef[informative] = model.coef_[0]
    spread = np.mean(np.array(spreads), axis=0)
    raw = np.divide(coef, spread, out=np.zeros_like(coef), where=spread > 0)
    # a component the outcomes moved gets its learned share (none if it pointed the wrong way);
    # one they could not move keeps its weight: no evidence is no reason to change it
    learned = [n for i, n in enumerate(names) if informative[i]]
    kept = [n for n in names if n not in learned]
    weights = dict(current)
    budget = sum(current[n] for n in learned)
    raw = np.maximum(raw, 0.0)
    total = sum(raw[names.index(n)] for n in learned)
    notes = []
    if learned and total > 0:
        if budget <= 0:  # the outcomes found value where the current weights put none
            budget = 0.5 * sum(current.values())
            notes.append("learned components had no weight; they now share half of it")
        for n in learned:
            weights[n] = raw[names.index(n)] / total * budget
    weights = refine(Packed(lists, names), weights, learned)
    norm = sum(weights.values())
    weights = {n: float(round(w / norm, DIGITS)) for n, w in weights.items()}
    return Fit(
        weights,
        tuple(learned),
        tuple(kept),
        {n: round(float(coef[i]), 4) for i, n in enumerate(names)},
        len(diffs),
        used,
        tuple(notes),
    )


STEPS = (0.0, 0.5, 0.8, 1.25, 2.0)
ROUNDS = 3


def refine(packed: Packed, weights: dict[str, float], learned: list[str]) -> dict[str, float]:
    """A few rounds of coordinate search on the learning lists' MRR, starting from the logit's weights:
    the engine scores by a weighted mean over *present* components, which a linear model only
    approximates when components are missing for some candidates. A step is kept only when it
    strictly improves, components in name order, so the result is deterministic."""
    if not len(packed) or not learned:
        return weights
    best = dict(weights)
    best_mrr = round(float(packed.reciprocal_ranks(best).mean()), 9)
    for _ in range(ROUNDS):
        changed = False
        for name in sorted(learned):
            base = best[name] if best[name] > 0 else 0.02
            for step in STEPS:
                trial = {**best, name: base * step}
                if trial[name] == best[name] or sum(trial.values()) <= 0:
                    continue
                mrr = round(float(packed.reciprocal_ranks(trial).mean()), 9)
                if mrr > best_mrr:
                    best, best_mrr, changed = trial, mrr, True
        if not changed:
            break
    return best


@dataclass(frozen=True)
class Evaluation:
    before: tuple[float, float, float]
    after: tuple[float, float, float]
    difference: tuple[float, float, float]
    lists: int

    @property
    def wins(self) -> bool:
        """Better on the held-out lists, and not by chance: the interval of the difference is above 0."""
        return self.lists > 0 and self.difference[1] > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "lists": self.lists,
            "mrr_before": [round(x, 4) for x in self.before],
            "mrr_after": [round(x, 4) for x in self.after],
            "difference": [round(x, 4) for x in self.difference],
        }


def evaluate(lists: list[ShownList], before: dict[str, float], after: dict[str, float]) -> Evaluation:
    a, b = reciprocal_ranks(lists, before), reciprocal_ranks(lists, after)
    return Evaluation(interval(a), interval(b), paired_difference(b, a), len(a))


def time_split(lists: list[ShownList], held_out: float = 0.3) -> tuple[list[ShownList], list[ShownList]]:
    """Older lists to learn from, the newest `held_out` share to check on."""
    ordered = sorted(lists, key=lambda s: (s.at, s.query))
    cut = len(ordered) - max(1, round(held_out * len(ordered))) if len(ordered) > 1 else len(ordered)
    return ordered[:cut], ordered[cut:]
