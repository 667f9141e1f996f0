"""Infeasibility explained: pre-check reasons, and relaxation of named rules when the pre-check passes."""

from __future__ import annotations

from optimizer.config import OptimizerConfig
from optimizer.fit import RequirementFit
from optimizer.instance import BidInput, Candidate, ProblemInput, pair
from optimizer.precheck import diagnose
from optimizer.propose import propose_bid
from profiles.domain import Bid, Capability, Firm, LeadCriteria, Requirement

CONFIG = OptimizerConfig(time_limit=10)


def _fit(firm, req, fit=1.0, capacity=None, missing=()):
    return RequirementFit(firm, req, fit, "same capability", "x", capacity, tuple(missing))


def _firms(*keys):
    return {k: Firm(key=k, name=k.upper(), country="DK", capabilities=(Capability("x"),)) for k in keys}


def _bid(reqs, **kw):
    return Bid(
        key="b", title="t", customer="c", customer_country="DE", delivery_country="DE", requirements=tuple(reqs), **kw
    )


def test_capacity_shortfall_says_by_how_much():
    req = Requirement("ext", "aluminium extrusion", volume_per_year=100_000)
    fits = {("a", "ext"): _fit("a", "ext", capacity=30_000), ("b", "ext"): _fit("b", "ext", capacity=20_000)}
    cands = (
        Candidate("a", "DK", "company", {"ext": fits[("a", "ext")]}, True),
        Candidate("b", "DK", "company", {"ext": fits[("b", "ext")]}, True),
    )
    bi = BidInput(_bid([req]), cands, fits, frozenset(), {"ext": 0.6})
    (reason,) = diagnose(bi, _firms("a", "b"))
    assert reason.code == "capacity_short"
    assert "short by 50,000 units/year" in reason.message


def test_no_capability_names_the_closest_firm():
    req = Requirement("mg", "magnesium die casting")
    fits = {("a", "mg"): RequirementFit("a", "mg", 0.5, "generalist", "die casting", None, ())}
    bi = BidInput(_bid([req], min_size=1), (), fits, frozenset(), {"mg": 0.6})
    reasons = diagnose(bi, _firms("a"))
    assert reasons[0].code == "no_capability"
    assert "no firm offers magnesium die casting" in reasons[0].message
    assert "'die casting'" in reasons[0].message


def test_no_lead_is_reported():
    req = Requirement("r", "welding")
    fit = _fit("a", "r")
    bi = BidInput(
        _bid([req], min_size=1, lead=LeadCriteria(certifications=("IATF 16949",))),
        (Candidate("a", "DK", "company", {"r": fit}, False),),
        {("a", "r"): fit},
        frozenset(),
        {"r": 0.6},
    )
    assert [r.code for r in diagnose(bi, _firms("a"))] == ["no_lead"]


def test_exclusions_found_by_relaxation():
    """Every firm can cover something, but the only two that cover both requirements exclude each other."""
    r1, r2 = Requirement("r1", "extrusion"), Requirement("r2", "welding")
    a = Candidate("a", "DK", "company", {"r1": _fit("a", "r1")}, True)
    b = Candidate("b", "DK", "company", {"r2": _fit("b", "r2")}, True)
    bi = BidInput(
        _bid([r1, r2], min_size=2, max_size=2), (a, b), {}, frozenset({pair("a", "b")}), {"r1": 0.6, "r2": 0.6}
    )
    problem = ProblemInput((bi,), {"a": 1, "b": 1}, {}, {"a": "A", "b": "B"})
    assert diagnose(bi, _firms("a", "b")) == []
    outcome = propose_bid(problem, _firms("a", "b"), CONFIG)
    assert not outcome.feasible
    assert [r.code for r in outcome.reasons] == ["rule_exclusion"]
    assert "excluded pairs" in outcome.reasons[0].message


def test_size_limit_found_by_relaxation():
    reqs = [Requirement(f"r{i}", f"cap{i}") for i in range(3)]
    cands = tuple(Candidate(f"f{i}", "DK", "company", {f"r{i}": _fit(f"f{i}", f"r{i}")}, True) for i in range(3))
    bi = BidInput(_bid(reqs, min_size=1, max_size=2), cands, {}, frozenset(), {r.key: 0.6 for r in reqs})
    problem = ProblemInput((bi,), {c.firm: 1 for c in cands}, {}, {c.firm: c.firm for c in cands})
    outcome = propose_bid(problem, _firms("f0", "f1", "f2"), CONFIG)
    assert [r.code for r in outcome.reasons] == ["rule_size"]
    assert "1–2 firms" in outcome.reasons[0].message
