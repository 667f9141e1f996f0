"""Weights learned from shown lists: recovered from clean outcomes, ranked as the engine ranks,
never moved by lists without information, deterministic."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.learning import Packed, ShownList, evaluate, fit, reciprocal_ranks, score, time_split

NAMES = ("a", "b", "c")
CURRENT = {"a": 0.4, "b": 0.3, "c": 0.3}


def _lists(hidden: dict[str, float], n: int, seed: int, missing: float = 0.0) -> list[ShownList]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        cands = []
        for j in range(8):
            values = {name: (None if rng.random() < missing else round(rng.random(), 4)) for name in NAMES}
            cands.append((f"q{i}-c{j}", values))
        best = max(cands, key=lambda c: (score(c[1], hidden), c[0]))[0]
        out.append(ShownList(f"q{i}", float(i), tuple(cands), frozenset({best})))
    return out


def test_clean_outcomes_give_back_the_hidden_ranking():
    hidden = {"a": 0.05, "b": 0.15, "c": 0.8}
    learned = fit(_lists(hidden, 300, seed=1), CURRENT)
    check = _lists(hidden, 300, seed=2)
    assert sum(reciprocal_ranks(check, learned.weights)) / 300 > 0.95
    assert sum(reciprocal_ranks(check, CURRENT)) / 300 < 0.8
    assert learned.weights["c"] > learned.weights["b"] > learned.weights["a"]
    assert set(learned.learned) == set(NAMES) and abs(sum(learned.weights.values()) - 1) < 0.01
    ev = evaluate(check, CURRENT, learned.weights)
    assert ev.wins and ev.difference[1] > 0


def test_missing_components_are_handled_like_the_engine_does():
    hidden = {"a": 0.7, "b": 0.2, "c": 0.1}
    learned = fit(_lists(hidden, 300, seed=3, missing=0.3), CURRENT)
    check = _lists(hidden, 300, seed=4, missing=0.3)
    hidden_mrr = sum(reciprocal_ranks(check, hidden)) / 300
    assert sum(reciprocal_ranks(check, learned.weights)) / 300 >= 0.95 * hidden_mrr


def test_a_component_constant_in_every_list_keeps_its_weight():
    lists = [
        ShownList(s.query, s.at, tuple((k, {**v, "c": 0.5}) for k, v in s.candidates), s.good)
        for s in _lists({"a": 1.0, "b": 0.0, "c": 0.0}, 100, seed=5)
    ]
    learned = fit(lists, CURRENT)
    assert "c" in learned.kept and learned.weights["c"] == CURRENT["c"]


def test_lists_without_a_good_candidate_teach_nothing():
    lists = [ShownList(s.query, s.at, s.candidates, frozenset()) for s in _lists(CURRENT, 20, seed=6)]
    learned = fit(lists, CURRENT)
    assert learned.weights == CURRENT and learned.pairs == 0


def test_time_split_checks_on_the_newest():
    lists = _lists(CURRENT, 10, seed=7)
    learn, check = time_split(list(reversed(lists)), 0.3)
    assert max(s.at for s in learn) < min(s.at for s in check) and len(check) == 3


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(NAMES), st.floats(0, 1)), min_size=1, max_size=3), st.integers(0, 10_000))
def test_array_ranks_agree_with_the_engine_scores(pairs, seed):
    weights = dict.fromkeys(NAMES, 0.0) | dict(pairs)
    if sum(weights.values()) <= 0:
        weights["a"] = 1.0
    lists = _lists({"a": 0.2, "b": 0.5, "c": 0.3}, 5, seed=seed, missing=0.2)
    fast = Packed(lists, sorted(NAMES)).reciprocal_ranks(weights)
    for shown, rr in zip(lists, fast, strict=True):
        order = sorted(shown.candidates, key=lambda c: (-score(c[1], weights), c[0]))
        rank = next(i for i, (k, _) in enumerate(order, 1) if k in shown.good)
        # the engine rounds scores to 4 digits; equal rounded scores may order differently
        assert abs(1 / rr - rank) <= sum(
            1 for c in shown.candidates if abs(score(c[1], weights) - score(order[rank - 1][1], weights)) < 1e-4
        )


def test_fitting_is_deterministic():
    lists = _lists({"a": 0.1, "b": 0.6, "c": 0.3}, 120, seed=8)
    assert fit(lists, CURRENT) == fit(list(lists), CURRENT)
