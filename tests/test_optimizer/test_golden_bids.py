"""Consortia for the golden bids: ranked alternatives, explanations, and the infeasible bid explained."""

from __future__ import annotations

import pytest

from api.actions import imports, match_runs, proposals
from api.actions.operator import operator
from matching.config import MatchingConfig
from optimizer.config import OptimizerConfig
from optimizer.solve import available_solvers


@pytest.fixture
def loaded(engine, settings, golden_path):
    imports.import_path(operator(engine, settings), golden_path)
    match_runs.match_all(operator(engine, settings), MatchingConfig())
    return engine


def test_battery_tray_alternatives(loaded, settings):
    bid, outcome, paths = proposals.propose(operator(loaded, settings), "bid-tray", OptimizerConfig(alternatives=3))
    assert outcome.feasible
    first = outcome.proposals[0]
    members = {m["firm"] for m in first["plan"]["members"]}
    assert members == {"dk-alpha", "dk-gamma", "se-delta"}
    assert first["solver_status"] == "optimal" and first["gap"] == 0.0
    cover = {c["requirement"]: c["covered_by"] for c in first["plan"]["coverage"]}
    assert cover == {"extrusion": "dk-alpha", "fsw": "dk-gamma", "machining": "dk-gamma", "coating": "se-delta"}
    assert first["plan"]["lead"] in {"dk-alpha", "dk-gamma"}
    # dk-beta and dk-alpha exclude each other; dk-beta alone lacks extrusion capacity.
    for p in outcome.proposals:
        firms = {m["firm"] for m in p["plan"]["members"]}
        assert not {"dk-alpha", "dk-beta"} <= firms
    assert len({frozenset(m["firm"] for m in p["plan"]["members"]) for p in outcome.proposals}) == len(
        outcome.proposals
    )
    assert [p["rank"] for p in outcome.proposals] == list(range(1, len(outcome.proposals) + 1))
    md = paths[0].read_text("utf-8")
    assert "Alpha Extrusion A/S" in md and "Who covers which requirement" in md
    assert "<table>" in paths[1].read_text("utf-8")


def test_missing_certification_is_named(loaded, settings):
    _, outcome, paths = proposals.propose(operator(loaded, settings), "bid-ecoat-iatf", OptimizerConfig())
    assert not outcome.feasible
    (reason,) = outcome.reasons
    assert reason.code == "missing_certification"
    assert "no firm offers e-coating with IATF 16949" in reason.message
    assert "Delta Verkstad AB" in reason.message
    assert "No consortium is possible" in paths[0].read_text("utf-8")


@pytest.mark.skipif("highs" not in available_solvers(), reason="highspy not installed")
def test_highs_gives_the_same_consortia(loaded, settings):
    _, cbc, _ = proposals.propose(
        operator(loaded, settings), "bid-tray", OptimizerConfig(solver="cbc"), documents=False
    )
    _, highs, _ = proposals.propose(
        operator(loaded, settings), "bid-tray", OptimizerConfig(solver="highs"), documents=False
    )
    assert [p["objective"] for p in cbc.proposals] == pytest.approx([p["objective"] for p in highs.proposals])


def test_joint_plan_respects_availability(loaded, settings):
    results = proposals.propose_all_open(operator(loaded, settings), OptimizerConfig(), documents=False)
    by_bid = {b.key: o for b, o, _ in results}
    assert by_bid["bid-tray"].feasible and not by_bid["bid-ecoat-iatf"].feasible


def test_proposals_are_deterministic(loaded, settings):
    runs = [
        proposals.propose(operator(loaded, settings), "bid-tray", OptimizerConfig(), documents=False)[1]
        for _ in range(2)
    ]
    strip = lambda o: [(p["objective"], p["plan"], dict(p["explanation"])) for p in o.proposals]  # noqa: E731
    assert strip(runs[0]) == strip(runs[1])
