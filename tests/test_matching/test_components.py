"""One conformance suite over every registered comparator, plus property tests of the scorer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import features

from matching.components import REGISTRY, PairContext
from matching.config import MatchingConfig
from matching.features import ProfileFeatures
from matching.scorer import combine, score_pair
from profiles.taxonomy.vocabulary import load_vocabulary

VOCAB = load_vocabulary()


def _ctx(sim: float | None = 0.5) -> PairContext:
    return PairContext(VOCAB, 600.0, sim, ("term",) if sim else ())


@pytest.mark.parametrize("name", sorted(REGISTRY))
@settings(max_examples=80, deadline=None)
@given(a=features(), b=features(), sim=st.one_of(st.none(), st.floats(0, 1)))
def test_component_conformance(name, a, b, sim):
    comparator = REGISTRY[name]
    result = comparator.compare(a, b, _ctx(sim))
    if result is None:
        return
    assert 0.0 <= result.value <= 1.0
    assert isinstance(result.evidence, dict)
    if comparator.symmetric:
        back = comparator.compare(b, a, _ctx(sim))
        assert back is not None and back.value == pytest.approx(result.value)


@settings(max_examples=100, deadline=None)
@given(a=features(key="a"), b=features(key="b"), sim=st.floats(0, 1))
def test_score_in_unit_interval_and_symmetric(a, b, sim):
    config = MatchingConfig()
    ab = score_pair(a, b, _ctx(sim), config)
    ba = score_pair(b, a, _ctx(sim), config)
    assert 0.0 <= ab.score <= 1.0
    assert ab.score == pytest.approx(ba.score)
    total = sum(c["contribution"] for c in ab.components.values() if c)
    assert total == pytest.approx(ab.score, abs=1e-3)


def test_missing_component_is_left_out_not_scored_zero():
    from matching.components import ComponentResult

    weights = {"text": 0.5, "sector": 0.5}
    score, breakdown = combine({"text": ComponentResult(0.8), "sector": None}, weights)
    assert score == pytest.approx(0.8)
    assert breakdown["sector"] is None
    assert breakdown["text"]["effective_weight"] == 1.0


def test_complementarity_is_directional_in_evidence():
    extr = VOCAB.normalise("aluminium extrusion").concept_id
    fsw = VOCAB.normalise("friction stir welding").concept_id
    base = {
        "text": "",
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
    offer = ProfileFeatures(
        key="o", firm_key="f1", type="BO", offered=frozenset({extr, fsw}), sought=frozenset(), **base
    )
    need = ProfileFeatures(key="n", firm_key="f2", type="BR", offered=frozenset(), sought=frozenset({fsw}), **base)
    result = REGISTRY["complementarity"].compare(offer, need, _ctx())
    assert result.value == 1.0
    assert result.evidence["a_offers_b"]["concepts"] == ["friction stir welding"]
    assert result.evidence["b_offers_a"]["value"] == 0.0


def test_config_rejects_unknown_weights():
    with pytest.raises(ValueError, match="unknown component"):
        MatchingConfig(weights={"text": 1.0, "vibes": 1.0})


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.one_of(st.sampled_from([0, 1, 0.0, 1.0, -0.0]), st.floats(0, 1)), min_size=3, max_size=3),
    missing=st.integers(0, 3),
)
def test_breakdown_values_are_rounded_to_four_places_as_round_does(values, missing):
    from matching.components import ComponentResult

    names = ("text", "sector", "size")
    weights = {"text": 0.5, "sector": 0.3, "size": 0.2}
    given_values = enumerate(zip(names, values, strict=True))
    results = {n: (None if i == missing else ComponentResult(v)) for i, (n, v) in given_values}
    _, breakdown = combine(results, weights)
    for name, value in zip(names, values, strict=True):
        if results[name] is None:
            assert breakdown[name] is None
        else:
            got, want = breakdown[name]["value"], round(value, 4)
            assert (got, type(got), str(got)) == (want, type(want), str(want))


@settings(max_examples=100, deadline=None)
@given(a=features(), b=features())
def test_offer_coverage_remembered_is_coverage_worked_out(a, b):
    from matching.components.complementarity import _coverage, coverage

    value, met = coverage(a.offered, b.sought, VOCAB)
    if b.sought:
        assert (value, tuple(met)) == _coverage.__wrapped__(a.offered, b.sought, VOCAB)
    met.append("changed by a caller")
    assert coverage(a.offered, b.sought, VOCAB)[1] == met[:-1]
