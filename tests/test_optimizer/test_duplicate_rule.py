"""Flagged duplicate firms in the optimiser: never both in one consortium, and no alternative that only swaps one
for the other."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimizerkit import assert_optimum_equals_brute_force, assert_reduced_optimum_equals_brute_force

from optimizer.config import OptimizerConfig
from optimizer.fit import RequirementFit
from optimizer.instance import BidInput, Candidate, ProblemInput, pair
from optimizer.propose import propose_bid, twin_variants
from optimizer.rules import RULES
from optimizer.verify import Plan, plan_problems
from profiles.domain import Bid, Capability, Firm, Requirement

CONFIG = OptimizerConfig(time_limit=20)


@st.composite
def problems(draw) -> ProblemInput:
    """Up to 8 firms, up to three requirements, and up to three flagged duplicate pairs among them."""
    n_firms = draw(st.integers(2, 8))
    reqs = tuple(
        Requirement(key=f"r{r}", capability=f"cap{r}", mandatory=r == 0 or draw(st.booleans()))
        for r in range(draw(st.integers(1, 3)))
    )
    min_size = draw(st.integers(1, 3))
    bid = Bid(
        key="b",
        title="t",
        customer="c",
        customer_country="DE",
        delivery_country="DE",
        requirements=reqs,
        min_size=min_size,
        max_size=draw(st.integers(min_size, 4)),
    )
    candidates = []
    for f in range(n_firms):
        fits = {
            r.key: RequirementFit(f"f{f}", r.key, draw(st.sampled_from([0.6, 0.8, 1.0])), "same", None, None, ())
            for r in reqs
            if draw(st.integers(0, 2)) > 0
        }
        candidates.append(Candidate(f"f{f}", draw(st.sampled_from(["DK", "NO"])), "company", fits, draw(st.booleans())))
    keys = [c.firm for c in candidates]
    twins = frozenset(
        pair(a, b)
        for a, b in draw(st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(keys)), max_size=3))
        if a != b
    )
    synergy = {pair(a, b): 0.5 for i, a in enumerate(keys) for b in keys[i + 1 :] if draw(st.booleans())}
    bi = BidInput(bid, tuple(candidates), {}, frozenset(), {r.key: 0.6 for r in reqs}, duplicates=twins)
    return ProblemInput((bi,), dict.fromkeys(keys, 1), synergy, {k: k for k in keys})


def _firms(problem: ProblemInput) -> dict[str, Firm]:
    return {
        c.firm: Firm(key=c.firm, name=c.firm.upper(), country=c.country, capabilities=(Capability("x"),))
        for c in problem.bids[0].candidates
    }


def test_the_rule_is_declared_once_in_the_registry():
    assert "duplicate" in RULES
    assert RULES["duplicate"].relaxed is not None


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_a_proposal_never_holds_both_firms_of_an_unresolved_pair(problem):
    bi = problem.bids[0]
    outcome = propose_bid(problem, _firms(problem), CONFIG, alternatives=4)
    seen: list[frozenset[str]] = []
    for p in outcome.proposals:
        members = frozenset(m["firm"] for m in p["plan"]["members"])
        assert not any(a in members and b in members for a, b in bi.duplicates)
        # No alternative is an earlier one with a firm swapped for its possible duplicate.
        for earlier in seen:
            assert members not in {frozenset(v) for v in twin_variants(bi, sorted(earlier))}
        seen.append(members)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_the_optimum_with_the_rule_equals_brute_force(problem):
    assert_optimum_equals_brute_force(problem, CONFIG)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(2, 4))
def test_pruning_keeps_the_optimum_under_the_flagged_pairs(problem, shortlist):
    """Dominance pruning must not drop the firm that stands in for a firm whose twin is in the consortium."""
    assert_reduced_optimum_equals_brute_force(problem, CONFIG, shortlist)


def test_the_plan_check_names_the_pair():
    bi = BidInput(
        Bid(key="b", title="t", customer="c", customer_country="DE", delivery_country="DE", requirements=()),
        (Candidate("a", "DK", "company", {}, True), Candidate("b", "DK", "company", {}, True)),
        {},
        frozenset(),
        {},
        duplicates=frozenset({("a", "b")}),
    )
    problems_found = plan_problems(bi, Plan("b", ("a", "b"), "a", {}))
    assert any("possible duplicates a + b" in p for p in problems_found)


def test_twin_variants_swap_one_firm_at_a_time_for_its_twins():
    bi = BidInput(
        Bid(key="b", title="t", customer="c", customer_country="DE", delivery_country="DE", requirements=()),
        (),
        {},
        frozenset(),
        {},
        duplicates=frozenset({("a", "a2"), ("c", "c2")}),
    )
    assert sorted(map(tuple, twin_variants(bi, ["a", "b", "c"]))) == [
        ("a", "b", "c2"),
        ("a2", "b", "c"),
        ("a2", "b", "c2"),
    ]
    assert twin_variants(bi, ["b"]) == []
