"""The exchange's history as the matcher reads it: value chains learned from events, ties between
firms in numbers and words, and the share-out of digest places."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.history import HistoryRecords, RelationRecord, build_history
from matching.scarcity import Candidate, allocate, reciprocal
from matching.ties import Tie, Ties
from matching.together import Event, learn
from profiles.taxonomy.vocabulary import load_vocabulary

VOCAB = load_vocabulary()
EXTRUSION, ANODISING, FSW, WELDING = (
    "process.extrusion.aluminium",
    "process.surface_treatment.anodising",
    "process.welding.friction_stir",
    "process.welding",
)


def test_concepts_asked_for_together_go_together_and_look_alikes_get_nothing():
    for concept in (EXTRUSION, ANODISING, FSW, WELDING):
        assert concept in VOCAB.concepts, concept
    other = frozenset({"process.machining", "process.surface_treatment.coating.powder"})
    events = [
        Event("bid", frozenset({EXTRUSION, ANODISING, FSW})),
        Event("bid", frozenset({EXTRUSION, ANODISING})),
        Event("relation", frozenset({EXTRUSION}), frozenset({ANODISING})),
        Event("bid", frozenset({FSW, WELDING})),
        Event("bid", frozenset({EXTRUSION, FSW})),
        Event("bid", other),
        Event("bid", other),
        Event("bid", frozenset({"process.machining"})),
    ]  # no pair: not an event
    related = lambda x, y: VOCAB.relatedness(x, y) > 0 or VOCAB.relatedness(y, x) > 0  # noqa: E731
    together = learn(events, related)
    assert together.of(EXTRUSION, ANODISING) > together.of(EXTRUSION, FSW) > 0
    assert together.of(EXTRUSION, "process.machining") == 0  # never together: below chance
    assert together.of(FSW, WELDING) == 0  # the same know-how: a peer, not a complement
    assert together.seen[(min(EXTRUSION, ANODISING), max(EXTRUSION, ANODISING))] == {"bid": 2, "relation": 1}
    # only what one side has and the other lacks counts
    assert together.between(frozenset({EXTRUSION}), frozenset({ANODISING}))[0] == together.of(EXTRUSION, ANODISING)
    assert together.between(frozenset({EXTRUSION, ANODISING}), frozenset({EXTRUSION, ANODISING})) == (0.0, None)
    assert learn([]).strength == {}


def test_ties_in_numbers_and_in_words():
    ties = Ties.build(
        [
            Tie("consortium", "a", "b"),
            Tie("consortium", "a", "b"),
            Tie("supplies", "b", "c"),
            Tie("relation", "a", "sud", outside=True, name="Südwerk", role="supply"),
            Tie("relation", "c", "sud", outside=True, name="Südwerk", role="supply"),
            Tie("relation", "d", "x", outside=True, name="X AB", role="buy from"),
        ]
    )
    assert math.isclose(ties.strength("a", "b"), 1 - math.exp(-2))
    assert ties.evidence("a", "b")["ties"] == ["worked together in 2 accepted consortia"]
    shared = ties.evidence("a", "c")
    assert "both supply Südwerk" in shared["ties"] and "1 shared partner on the exchange" in shared["ties"]
    assert ties.evidence("c", "b")["supplies"] == ["b"]  # who supplies whom, as sides
    assert ties.strength("a", "d") == 0.0  # both known, nothing shared: present and zero
    assert ties.strength("a", "new-firm") is None  # unknown is missing, not unrelated
    index = ties.firm_index()
    matrix = ties.matrix()
    for a in ties.firms:
        for b in ties.firms:
            if a != b:
                assert math.isclose(matrix[index[a], index[b]], ties.strength(a, b))


def test_history_from_records_counts_one_relation_recorded_by_both_sides_once():
    records = HistoryRecords(
        relations=[
            RelationRecord("a", "customer", "k-b", "B", "b", EXTRUSION),
            RelationRecord("b", "supplier", "k-a", "A", "a", EXTRUSION),
        ],
        offers={"a": frozenset({EXTRUSION}), "b": frozenset({ANODISING})},
    )
    history = build_history(records, VOCAB)
    assert history.ties is not None and history.ties.direct[("a", "b")] == {"supplies": 1}
    assert history.digest() == build_history(records, VOCAB).digest()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("rstu"), st.sampled_from(["o1", "o2", "o3", None]), st.floats(0, 1), st.floats(0, 1)),
        max_size=40,
    ),
    st.integers(1, 4),
    st.integers(1, 3),
)
def test_digest_places_respect_every_limit_and_cap(rows, limit, cap):
    candidates = [Candidate(r, i, offer, rr, score) for i, (r, offer, rr, score) in enumerate(rows)]
    plan = allocate(candidates, dict.fromkeys("rstu", limit), cap)
    assert all(len(items) <= limit for items in plan.values())
    chosen = [c for c in candidates if c.item in {i for items in plan.values() for i in items}]
    for offer in ("o1", "o2", "o3"):
        assert sum(1 for c in chosen if c.offer == offer) <= cap
    assert plan == allocate(list(reversed(candidates)), dict.fromkeys("rstu", limit), cap)  # order-free


def test_reciprocal_rank_reads_both_sides():
    assert reciprocal(1, 1, 10) == 1.0
    assert reciprocal(1, None, 10) < reciprocal(1, 5, 10) < reciprocal(1, 2, 10)
