"""The capability index is a superset: every firm whose requirement fit reaches the threshold is a candidate.

Generated firms hold vocabulary labels, synonyms in other languages, and phrases the vocabulary does not
know; requirements ask for any of them at any threshold. A firm the index leaves out must fit below it.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.capability_index import CapabilityIndex
from optimizer.fit import requirement_fit
from profiles.domain import Capability, Firm, Requirement
from profiles.taxonomy.vocabulary import load_vocabulary

VOCABULARY = load_vocabulary()
KNOWN = sorted({s for c in VOCABULARY.concepts.values() for s in (c.label, *c.synonyms[:3])})[:400]
UNKNOWN = [
    "ultrasonic deburring",
    "cryogenic tempering",
    "bespoke sauna benches",
    "drone inspection of roofs",
    "laser marking of glass",
    "custom saddlery",
    "aluminium boat hulls",
    "precision welding of titanium",
]
PHRASES = st.sampled_from(KNOWN + UNKNOWN)


@st.composite
def firms(draw):
    count = draw(st.integers(1, 12))
    return [
        Firm(
            key=f"f{i}",
            name=f"Firm {i}",
            country="DK",
            capabilities=tuple(Capability(p) for p in draw(st.lists(PHRASES, min_size=0, max_size=4))),
        )
        for i in range(count)
    ]


@settings(max_examples=150, deadline=None)
@given(firms(), PHRASES, st.sampled_from([0.0, 0.25, 0.3, 0.5, 0.6, 0.75, 0.9, 1.0]))
def test_every_firm_that_fits_is_a_candidate(exchange, wanted, threshold):
    index = CapabilityIndex.build([(f.key, [c.phrase for c in f.capabilities]) for f in exchange], VOCABULARY)
    requirement = Requirement(key="r", capability=wanted)
    found = index.candidates(requirement, threshold, VOCABULARY)
    fitting = {f.key for f in exchange if requirement_fit(f, requirement, VOCABULARY).fit >= threshold}
    assert fitting <= found


def test_the_index_leaves_out_firms_that_cannot_reach_the_requirement():
    exchange = [("welder", ["MIG welding"]), ("coater", ["powder coating"]), ("saddler", ["custom saddlery"])]
    index = CapabilityIndex.build(exchange, VOCABULARY)
    assert index.candidates(Requirement(key="r", capability="welding"), 0.5, VOCABULARY) == {"welder"}
    assert index.candidates(Requirement(key="r", capability="saddlery for horses"), 0.5, VOCABULARY) == {"saddler"}
    assert index.candidates(Requirement(key="r", capability="welding"), 0.0, VOCABULARY) == {
        "welder",
        "coater",
        "saddler",
    }
