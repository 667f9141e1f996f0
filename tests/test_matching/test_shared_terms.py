"""Shared terms offered in match explanations: words that say what two firms do, never units or numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.text_model import TfidfTextModel, _by_row_weight_term, explanatory


@pytest.mark.parametrize("term", ["μm", "µm", "mm", "kg", "kw", "mpa", "e", "x", "mm μm", "kg mm"])
def test_units_and_lone_letters_are_not_explanatory(term):
    assert not explanatory(term)


@pytest.mark.parametrize("term", ["anodising", "e coating", "μm tolerances", "ktl", "3d", "iatf"])
def test_words_about_the_work_are_explanatory(term):
    assert explanatory(term)


def test_shared_terms_leave_out_units_numbers_and_lone_letters_but_the_cosine_keeps_them():
    texts = [
        "Anodising of aluminium profiles, layers 5-25 μm, parts up to 6000 mm and 40 kg; e-coating",
        "We seek anodising for aluminium profiles: 15 μm layer, 3000 mm long, 12 kg; e-coating line",
        "Wooden windows and doors",
    ]
    model = TfidfTextModel(ngram_max=1)
    matrix = model.fit_transform(texts)
    cosine, terms = model.cosine_and_terms(matrix, 0, 1, 20)
    assert {"anodising", "aluminium", "profiles", "coating"} <= set(terms)
    assert not {"μm", "mm", "kg", "e"} & set(terms), terms
    assert not any(t.isdigit() for t in terms)
    assert {"μm", "mm", "kg"} <= set(model.vocabulary_terms_)  # still part of the text similarity
    assert cosine > 0


def test_the_number_of_terms_counts_only_the_terms_offered():
    texts = ["μm mm kg anodising coating", "μm mm kg anodising coating"]
    model = TfidfTextModel(ngram_max=1)
    matrix = model.fit_transform(texts)
    assert len(model.cosine_and_terms(matrix, 0, 1, 2)[1]) == 2
    assert model.cosine_and_terms(matrix, 0, 1, 0)[1] == ()


def test_no_common_words_no_terms():
    model = TfidfTextModel()
    matrix = model.fit_transform(["anodising mm", "timber kg"])
    assert model.cosine_and_terms(matrix, 0, 1, 5) == (0.0, ())


def test_the_one_line_explanation_names_no_units_kept_by_older_runs():
    from matching.explain import sentence

    line = sentence({"drivers": [], "shared_terms": ["μm", "anodising", "kg"]})
    assert line.endswith("terms: anodising")
    assert "terms" not in sentence({"drivers": [], "shared_terms": ["μm", "mm"]})


def test_the_terms_of_many_pairs_at_once_are_those_of_each_pair():
    texts = [
        "Anodising of aluminium profiles, layers 5-25 μm, e-coating and powder coating",
        "We seek anodising for aluminium profiles: 15 μm layer, e-coating line",
        "Powder coating of steel frames and aluminium profiles",
        "Wooden windows and doors",
        "CNC machining of aluminium and steel, anodising by partners",
        "",
    ]
    model = TfidfTextModel()
    matrix = model.fit_transform(texts)
    left, right = np.array([0, 0, 1, 2, 3, 4, 5, 4, 2]), np.array([1, 2, 2, 4, 0, 0, 1, 4, 2])
    for n in (0, 1, 3, 20):
        cosines, terms = model.cosines_and_terms(matrix, left, right, n)
        for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
            cosine, expected = model.cosine_and_terms(matrix, i, j, n)
            assert cosines[k] == pytest.approx(cosine, abs=1e-12)
            assert terms[k] == expected, (i, j, n)


@settings(max_examples=200, deadline=None)
@given(
    entries=st.lists(
        st.tuples(
            st.integers(0, 40), st.integers(0, 300), st.floats(0, 2, allow_nan=False, width=32, exclude_min=True)
        ),
        max_size=120,
        unique_by=lambda e: (e[0], e[1]),
    ),
    many_terms=st.booleans(),
)
def test_shared_terms_ordered_by_one_key_as_by_three(entries, many_terms):
    """The one-key sort orders (row, weight from the largest, term) as lexsort does, and the lexsort
    taken when the key would not fit in 64 bits (vocabularies of 2**40 terms here) does too."""
    entries.sort()
    rows = np.array([e[0] for e in entries], dtype=np.int64)
    terms = np.array([e[1] for e in entries], dtype=np.int32)
    weight = np.array([e[2] for e in entries], dtype=np.float32)
    order = np.lexsort((terms, -weight, rows))
    got_rows, got_terms = _by_row_weight_term(rows, weight, terms, 41, 2**40 if many_terms else 301)
    assert got_rows.tolist() == rows[order].tolist()
    assert got_terms.tolist() == terms[order].tolist()
    assert got_terms.dtype == terms.dtype
