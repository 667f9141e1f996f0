"""The array scorer gives the comparators' numbers, pair for pair."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import CONCEPTS
from strategies import features as feature_strategy

from matching.batch import Encoding, component_arrays, encode, score_arrays, vector_cosines
from matching.components import PairContext
from matching.config import MatchingConfig
from matching.features import build_all
from matching.history import ExchangeHistory
from matching.incremental import Snapshot, update
from matching.kinds import CLASS_OF_KIND, kind_of, pair_classes
from matching.scorer import score_pair, text_similarities
from matching.text_model import TfidfTextModel
from matching.ties import Tie, Ties
from matching.together import GoesTogether
from profiles.errors import RowError
from profiles.taxonomy.vocabulary import load_vocabulary
from profiles.validation import validate_firm, validate_profile

VOCAB = load_vocabulary()


def _demo_features():
    root = resources.files("profiles") / "demo"
    errors: list[RowError] = []
    firms = [
        validate_firm(r, i, errors) for i, r in enumerate(json.loads((root / "firms.json").read_text("utf-8"))["firms"])
    ]
    profiles = [
        validate_profile(r, i, errors)
        for i, r in enumerate(json.loads((root / "profiles.json").read_text("utf-8"))["profiles"])
    ]
    assert not errors
    return build_all(profiles, {f.key: f for f in firms}, VOCAB)


MIRRORED = {
    ("customer", "supplier"),
    ("supplier", "customer"),
    ("customer", "customer"),
    ("supplier", "supplier"),
    ("complement", "complement"),
    ("peer", "peer"),
}


def _check(features, pairs, sims, config, meanings=None, history=None):
    history = history or ExchangeHistory()
    left = np.array([p[0] for p in pairs])
    right = np.array([p[1] for p in pairs])
    encoding = Encoding.for_vocabulary(VOCAB)
    arrays = encode(features, VOCAB, encoding)
    hist = history.arrays(encoding.concepts, np.array([f.firm_key for f in features], dtype=object))
    semantic = None if meanings is None else np.array(meanings)
    scores, present = score_arrays(
        arrays, left, right, np.array(sims), config.weights, config.geography_scale_km, semantic, hist
    )
    classes = pair_classes(
        component_arrays(arrays, left, right, np.array(sims), config.geography_scale_km, semantic, hist),
        arrays.offer[left],
        arrays.offer[right],
    )
    for n, (i, j) in enumerate(pairs):
        ctx = PairContext(
            VOCAB,
            config.geography_scale_km,
            sims[n],
            (),
            None if meanings is None else meanings[n],
            history.together,
            history.ties,
        )
        expected = score_pair(features[i], features[j], ctx, config)
        assert scores[n] == pytest.approx(expected.score, abs=1e-4), (features[i].key, features[j].key)
        assert present[n] == expected.present
        kinds = kind_of(features[i], features[j], ctx)[0], kind_of(features[j], features[i], ctx)[0]
        assert classes[n] == CLASS_OF_KIND[kinds[0]] == CLASS_OF_KIND[kinds[1]], kinds
        # one pair, two readings: customer ↔ supplier (or mutual), complement ↔ complement, peer ↔ peer
        assert kinds in MIRRORED, kinds


def test_demo_candidate_pairs_score_the_same():
    features = _demo_features()
    config = MatchingConfig()
    matrix = TfidfTextModel().fit_transform([f.text for f in features])
    by_key = {f.key: f for f in features}
    state = update(
        None,
        Snapshot(sorted(by_key), [by_key[k].firm_key for k in sorted(by_key)], [""] * len(by_key)),
        lambda keys: [by_key[k] for k in keys],
        config,
        VOCAB,
        run_id=0,
    ).state
    pairs = list(zip(state.pair_lo.tolist(), state.pair_hi.tolist()))
    assert len(pairs) > 1000 and state.vectors is not None
    meanings = vector_cosines(state.vectors.values, state.pair_lo, state.pair_hi).tolist()
    _check(features, pairs, text_similarities(matrix, pairs).tolist(), config, meanings)


@settings(max_examples=60, deadline=None)
@given(st.lists(feature_strategy(), min_size=2, max_size=6), st.data())
def test_random_features_score_the_same(feats, data):
    feats = [f.__class__(**{**f.__dict__, "key": f"p{i}"}) for i, f in enumerate(feats)]
    pairs = [(i, j) for i in range(len(feats)) for j in range(i + 1, len(feats))]
    sims = [data.draw(st.floats(0, 1)) for _ in pairs]
    meanings = data.draw(st.one_of(st.none(), st.lists(st.floats(-1, 1), min_size=len(pairs), max_size=len(pairs))))
    _check(feats, pairs, sims, MatchingConfig(), meanings, data.draw(histories()))


@st.composite
def histories(draw):
    """A random learned value-chain table and firm graph (the strategies' firms are f1, f2, f3)."""
    links = draw(
        st.dictionaries(
            st.tuples(st.sampled_from(CONCEPTS), st.sampled_from(CONCEPTS)),
            st.sampled_from([0.1, 0.2, 0.35, 0.8]),
            max_size=8,
        )
    )
    strength = {(min(x, y), max(x, y)): v for (x, y), v in links.items() if x != y}
    kinds = st.sampled_from(["consortium", "introduction", "supplies"])
    direct = draw(
        st.lists(st.tuples(kinds, st.sampled_from(["f1", "f2", "f3"]), st.sampled_from(["f1", "f2", "f3"])), max_size=4)
    )
    outside = draw(st.lists(st.tuples(st.sampled_from(["f1", "f2", "f3"]), st.sampled_from(["x", "y"])), max_size=4))
    ties = [Tie(k, a, b) for k, a, b in direct] + [
        Tie("relation", a, z, outside=True, name=z.upper()) for a, z in outside
    ]
    return ExchangeHistory(
        draw(st.sampled_from([None, GoesTogether(strength)])),
        Ties.build(ties) if ties and draw(st.booleans()) else None,
    )
