"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

from hypothesis import strategies as st

from matching.features import ProfileFeatures
from profiles.taxonomy.vocabulary import load_vocabulary

VOCAB = load_vocabulary()
CONCEPTS = sorted(VOCAB.concepts)[:40]
NACE = ["25.62", "25.61", "24.42", "29.32", "31.01", "72.19", "16.23"]


@st.composite
def features(draw, key: str | None = None):
    return ProfileFeatures(
        key=key or draw(st.text("abc", min_size=1, max_size=4)),
        firm_key=draw(st.sampled_from(["f1", "f2", "f3"])),
        type=draw(st.sampled_from(["BO", "BR", "TO", "TR", "RDR"])),
        text="",
        offered=frozenset(draw(st.sets(st.sampled_from(CONCEPTS), max_size=5))),
        sought=frozenset(draw(st.sets(st.sampled_from(CONCEPTS), max_size=3))),
        topics=frozenset(draw(st.sets(st.sampled_from(CONCEPTS), max_size=3))),
        unknown_phrases=frozenset(),
        nace=tuple(draw(st.lists(st.sampled_from(NACE), max_size=3, unique=True))),
        country=draw(st.one_of(st.none(), st.sampled_from(["DK", "NO", "SE", "DE"]))),
        region=draw(st.one_of(st.none(), st.sampled_from(["Syddanmark", "Dalarna"]))),
        lat=draw(st.one_of(st.none(), st.floats(54, 70))),
        lon=draw(st.one_of(st.none(), st.floats(4, 25))),
        size_rank=draw(st.one_of(st.none(), st.integers(0, 3))),
        languages=frozenset(draw(st.sets(st.sampled_from(["da", "no", "sv", "de", "en"]), max_size=3))),
    )
