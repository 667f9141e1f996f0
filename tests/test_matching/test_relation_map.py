"""Cluster-map figures against hand-computed cases, and their properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.relation_map import (
    Link,
    MapFirm,
    Package,
    Thresholds,
    build_map,
    concentration,
    consortium_seeds,
    gaps,
    joint_purchasing,
    rare_capabilities,
    shared_dependencies,
)

A = MapFirm("a", "Alpha", 100, frozenset({"extrusion", "anodising"}))
B = MapFirm("b", "Beta", 50, frozenset({"fsw"}))
C = MapFirm("c", "Gamma", None, frozenset({"machining", "extrusion"}))
FIRMS = [A, B, C]


def link(firm, direction, counterpart, share, concept=None, counterpart_firm=None):
    return Link(firm, direction, counterpart, counterpart.title(), counterpart_firm, concept or "", concept, share)


def label(concept: str) -> str:
    return concept.replace("-", " ")


def test_customer_concentration_by_hand():
    links = [
        link("a", "customer", "oem", 0.6),
        link("a", "customer", "tier1", 0.2),
        link("a", "customer", "small", 0.1),
    ]
    c = concentration(A, "customer", links, Thresholds())
    assert c.counterparts == 3 and c.top_name == "Oem"
    assert c.top_share == pytest.approx(0.6)
    assert c.hhi == pytest.approx(0.36 + 0.04 + 0.01)
    assert c.known_share == pytest.approx(0.9)
    assert c.flagged and "60% of its turnover" in c.text and "Herfindahl index 0.41" in c.text


def test_two_items_from_one_supplier_count_as_one_counterpart():
    links = [
        link("b", "supplier", "mill", 0.3, "aluminium"),
        link("b", "supplier", "mill", 0.25, "steel"),
        link("b", "supplier", "other", 0.45),
    ]
    c = concentration(B, "supplier", links, Thresholds())
    assert c.counterparts == 2 and c.top_share == pytest.approx(0.55)
    assert c.hhi == pytest.approx(0.55**2 + 0.45**2)


def test_unflagged_below_both_limits():
    links = [link("a", "customer", f"c{i}", 0.2) for i in range(5)]
    c = concentration(A, "customer", links, Thresholds())
    assert c.hhi == pytest.approx(0.2) and not c.flagged


def test_shared_supplier_and_how_much_of_the_cluster_rests_on_it():
    links = [
        link("a", "supplier", "billets", 0.5),
        link("b", "supplier", "billets", 0.4),
        link("c", "supplier", "other", 0.9),
    ]
    [shared] = shared_dependencies(FIRMS, links, "supplier")
    assert shared.firms == ("a", "b") and shared.firm_equivalents == pytest.approx(0.9)
    # weights: a 100, b 50, c the median of the known (75): (0.5·100 + 0.4·50) / 225
    assert shared.cluster_share == pytest.approx(70 / 225)
    assert "2 firms buy from Billets" in shared.text


def test_joint_purchasing_by_supplier_and_by_input():
    links = [
        link("a", "supplier", "billets", 0.5, "aluminium"),
        link("b", "supplier", "billets", 0.4, "aluminium"),
        link("b", "supplier", "gas-co", 0.1, "argon"),
        link("c", "supplier", "air-ltd", 0.2, "argon"),
    ]
    groups = joint_purchasing(FIRMS, links, label)
    assert [(g["basis"], g["firms"]) for g in groups] == [("same supplier", ["a", "b"]), ("same input", ["b", "c"])]
    assert groups[1]["suppliers"] == ["Air-Ltd", "Gas-Co"]


def test_rare_capabilities_need_demand_and_few_holders():
    packages = [Package("bid1", "Tray", (("fsw", "fsw", True), ("extrusion", "extrusion", True)))]
    rare = rare_capabilities(FIRMS, packages, {"machining": 2}, label, Thresholds(rare_max_firms=1))
    assert [(r["concept"], r["firms"], r["demand"]) for r in rare] == [("machining", ["c"], 2), ("fsw", ["b"], 1)]


def test_gaps_and_consortium_seeds():
    packages = [
        Package(
            "bid1",
            "Tray",
            (
                ("fsw", "fsw", True),
                ("extrusion", "extrusion", True),
                ("painting", "painting", True),
                ("leak-test", "leak test", False),
            ),
        )
    ]
    assert [g["capability"] for g in gaps(FIRMS, packages)] == ["painting", "leak test"]
    [seed] = consortium_seeds(FIRMS, packages)
    assert seed["firms"] == ["a", "b"] and (seed["covered"], seed["needed"]) == (2, 3)
    assert seed["missing"] == ["painting"]


def test_bridge_firm_that_splits_the_network():
    firms = FIRMS + [MapFirm("d", "Delta")]
    strong = {("a", "b"): 0.6, ("b", "c"): 0.5, ("c", "d"): 0.45}
    result = build_map(firms, [], strong, [], {}, {}, label)
    top = result.bridges[0]
    assert top["firm"] in ("b", "c") and top["splits"] == 1


def test_diversification_leads_skip_current_customers():
    links = [link("a", "customer", "firm:b", 0.8, counterpart_firm="b"), link("a", "customer", "x", 0.1)]
    matches = {"a": [{"firm": "b", "score": 0.9}, {"firm": "c", "score": 0.7}, {"firm": "c", "score": 0.6}]}
    packages = [
        Package("bid1", "Tray", (("extrusion", "extrusion", True),), customer="x tier 1 bavaria"),
        Package("bid2", "Frame", (("extrusion", "extrusion", True),), customer="new"),
    ]
    result = build_map(FIRMS, links, {}, packages, {}, matches, label)
    [lead] = result.diversification
    assert [m["firm"] for m in lead["matches"]] == ["c"]
    assert [b["bid"] for b in lead["bids"]] == ["bid2"]


shares = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from(["customer", "supplier"]),
        st.sampled_from(["p", "q", "r", "s", "firm:a"]),
        st.floats(min_value=0.01, max_value=0.3),
    ),
    max_size=12,
)


def _links(rows):
    return [link(f, d, c, s) for f, d, c, s in rows]


@settings(max_examples=150, deadline=None)
@given(shares)
def test_concentration_is_bounded_by_the_known_shares(rows):
    links = _links(rows)
    for firm in FIRMS:
        for direction in ("customer", "supplier"):
            c = concentration(firm, direction, links, Thresholds())
            assert 0 <= c.top_share <= c.known_share + 1e-9
            assert c.top_share**2 - 1e-6 <= c.hhi <= c.known_share * c.top_share + 1e-6


@settings(max_examples=150, deadline=None)
@given(shares, st.data())
def test_removing_a_relation_never_increases_shared_dependency_counts(rows, data):
    links = _links(rows)
    if not links:
        return
    gone = data.draw(st.integers(min_value=0, max_value=len(links) - 1))
    fewer = links[:gone] + links[gone + 1 :]
    for direction in ("customer", "supplier"):
        before = {s.counterpart: len(s.firms) for s in shared_dependencies(FIRMS, links, direction)}
        after = {s.counterpart: len(s.firms) for s in shared_dependencies(FIRMS, fewer, direction)}
        assert all(count <= before.get(key, 0) for key, count in after.items())
        assert len(after) <= len(before)
