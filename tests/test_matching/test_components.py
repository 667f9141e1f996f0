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
