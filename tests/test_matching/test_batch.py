"""The array scorer gives the comparators' numbers, pair for pair."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import CONCEPTS
from strategies import features as feature_strategy

from matching.batch import Encoding, component_arrays, encode, score_arrays, vector_cosines
from matching.components import REGISTRY, BatchContext, PairContext
from matching.config import MatchingConfig
from matching.features import ProfileFeatures, build_all
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


@pytest.mark.slow  # every candidate pair of the demo exchange, after a whole run
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
    pairs = list(zip(state.pair_lo.tolist(), state.pair_hi.tolist(), strict=True))
    assert len(pairs) > 1000 and state.vectors is not None
    meanings = vector_cosines(state.vectors.values, state.pair_lo, state.pair_hi).tolist()
    _check(features, pairs, text_similarities(matrix, pairs).tolist(), config, meanings)


@pytest.mark.slow
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


# Every registered component, both forms -------------------------------------------
TOLERANCE = 1e-6  # offer credit is stored as float32 (0.9 → 0.89999998), everything else agrees to the last bits


def _forms_disagree(component, feats, sims, meanings, history) -> list[str]:
    """Where the component's batch form differs from its comparator, over every ordered pair of `feats`:
    in presence (None ⟺ not present) or in value."""
    pairs = [(i, j) for i in range(len(feats)) for j in range(len(feats)) if i != j]
    encoding = Encoding.for_vocabulary(VOCAB)
    arrays = encode(feats, VOCAB, encoding)
    hist = history.arrays(encoding.concepts, np.array([f.firm_key for f in feats], dtype=object))
    ctx = BatchContext(
        arrays,
        np.array([i for i, _ in pairs]),
        np.array([j for _, j in pairs]),
        np.array([sims[min(i, j), max(i, j)] for i, j in pairs]),
        None if meanings is None else np.array([meanings[min(i, j), max(i, j)] for i, j in pairs]),
        600.0,
        hist,
    )
    values, present = component.batch(ctx)
    assert values.shape == present.shape == (len(pairs),) and present.dtype == bool
    out = []
    for n, (i, j) in enumerate(pairs):
        key = min(i, j), max(i, j)
        scalar = component.compare(
            feats[i],
            feats[j],
            PairContext(
                VOCAB, 600.0, sims[key], (), None if meanings is None else meanings[key], history.together, history.ties
            ),
        )
        if (scalar is not None) != bool(present[n]):
            out.append(f"{feats[i].key}-{feats[j].key}: comparator {scalar}, batch present {bool(present[n])}")
        elif scalar is not None and abs(scalar.value - values[n]) > TOLERANCE:
            out.append(f"{feats[i].key}-{feats[j].key}: comparator {scalar.value}, batch {values[n]}")
    return out


@pytest.mark.slow  # one to two seconds per component; the comparators' own conformance test stays in make check
@pytest.mark.parametrize("name", sorted(REGISTRY))
@settings(max_examples=60, deadline=None)
@given(st.lists(feature_strategy(), min_size=2, max_size=5), st.data())
def test_every_component_has_a_batch_form_that_agrees_with_its_comparator(name, feats, data):
    feats = [dataclasses.replace(f, key=f"p{i}") for i, f in enumerate(feats)]
    keys = [(i, j) for i in range(len(feats)) for j in range(i + 1, len(feats))]
    sims = {k: data.draw(st.floats(0, 1)) for k in keys}
    meanings = data.draw(st.one_of(st.none(), st.fixed_dictionaries({k: st.floats(-1, 1) for k in keys})))
    assert _forms_disagree(REGISTRY[name], feats, sims, meanings, data.draw(histories())) == []


def test_the_conformance_check_catches_a_batch_form_that_disagrees():
    """A batch form that scores a missing size as a match is caught, in presence and in value."""
    size = REGISTRY["size"]

    def sloppy(ctx):
        values, _ = size.batch(ctx)
        return np.where(values > 0.5, 1.0, values), ctx.everywhere()

    feats = [dataclasses.replace(_FIXED, key="p0", size_rank=None), dataclasses.replace(_FIXED, key="p1", size_rank=1)]
    feats.append(dataclasses.replace(_FIXED, key="p2", size_rank=2))
    sims = {(0, 1): 0.5, (0, 2): 0.5, (1, 2): 0.5}
    found = _forms_disagree(dataclasses.replace(size, batch=sloppy), feats, sims, None, ExchangeHistory())
    assert any("present True" in f for f in found) and any("batch 1.0" in f for f in found)
    assert _forms_disagree(size, feats, sims, None, ExchangeHistory()) == []


_FIXED = ProfileFeatures(
    key="p",
    firm_key="f1",
    type="BO",
    text="",
    offered=frozenset(),
    sought=frozenset(),
    topics=frozenset(),
    unknown_phrases=frozenset(),
    nace=(),
    country=None,
    region=None,
    lat=None,
    lon=None,
    size_rank=None,
    languages=frozenset(),
)
