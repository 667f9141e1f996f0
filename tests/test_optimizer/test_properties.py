"""Property tests: on random small instances the solver's optimum equals brute force, and
every proposal covers every mandatory requirement and respects size, capacity and exclusions."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimizerkit import assert_optimum_equals_brute_force, assert_reduced_optimum_equals_brute_force

from optimizer.bruteforce import best_by_enumeration
from optimizer.config import OptimizerConfig
from optimizer.fit import RequirementFit
from optimizer.instance import BidInput, Candidate, ProblemInput, pair, without
from optimizer.model import build
from optimizer.propose import propose_bid
from optimizer.reduce import Reducer, fit_value, reduce_bid, synergy_shortlist
from optimizer.solve import available_solvers, solve
from profiles.domain import Bid, Capability, Firm, LeadCriteria, Requirement

COUNTRIES = ("DK", "NO", "SE")


@st.composite
def instances(draw):
    n_firms = draw(st.integers(2, 9))
    n_reqs = draw(st.integers(1, 4))
    reqs = []
    for r in range(n_reqs):
        volume = draw(st.one_of(st.none(), st.integers(1000, 60000)))
        reqs.append(
            Requirement(
                key=f"r{r}",
                capability=f"cap{r}",
                mandatory=draw(st.booleans()) or r == 0,
                volume_per_year=volume,
                weight=draw(st.sampled_from([0.5, 1.0, 2.0])),
            )
        )
    min_size = draw(st.integers(1, 3))
    max_size = draw(st.integers(min_size, 5))
    bid = Bid(
        key="b",
        title="t",
        customer="c",
        customer_country="DE",
        delivery_country="DE",
        requirements=tuple(reqs),
        min_size=min_size,
        max_size=max_size,
        min_countries=draw(st.integers(1, 2)),
        max_per_country=draw(st.one_of(st.none(), st.integers(1, 3))),
    )
    candidates = []
    for f in range(n_firms):
        fits = {}
        for req in reqs:
            if draw(st.integers(0, 2)) > 0:
                fits[req.key] = RequirementFit(
                    f"f{f}",
                    req.key,
                    draw(st.sampled_from([0.6, 0.7, 0.9, 1.0])),
                    "same",
                    None,
                    draw(st.sampled_from([None, 10000, 25000, 50000])),
                    (),
                )
        candidates.append(Candidate(f"f{f}", draw(st.sampled_from(COUNTRIES)), "company", fits, draw(st.booleans())))
    keys = [c.firm for c in candidates]
    exclusions = frozenset(
        pair(a, b)
        for a, b in draw(st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(keys)), max_size=3))
        if a != b
    )
    synergy = {
        pair(a, b): draw(st.sampled_from([0.1, 0.3, 0.5, 0.8]))
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if draw(st.booleans())
    }
    bi = BidInput(bid, tuple(candidates), {}, exclusions, {r.key: 0.6 for r in reqs})
    return ProblemInput((bi,), dict.fromkeys(keys, 1), synergy, {k: k for k in keys})


CONFIG = OptimizerConfig(time_limit=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_solver_optimum_equals_brute_force(problem):
    assert_optimum_equals_brute_force(problem, CONFIG, optimal=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_alternative_covers_all_mandatory_requirements(problem):
    bi = problem.bids[0]
    firms = {
        c.firm: Firm(key=c.firm, name=c.firm.upper(), country=c.country, capabilities=(Capability("x"),))
        for c in bi.candidates
    }
    outcome = propose_bid(problem, firms, CONFIG, alternatives=3)
    seen = set()
    for p in outcome.proposals:
        members = tuple(m["firm"] for m in p["plan"]["members"])
        assert frozenset(members) not in seen  # alternatives are distinct consortia
        seen.add(frozenset(members))
        assert bi.bid.min_size <= len(members) <= bi.bid.max_size
        covered = {c["requirement"]: c for c in p["plan"]["coverage"]}
        for req in bi.bid.requirements:
            if req.mandatory:
                assert covered[req.key]["covered_by"] in members
                if req.volume_per_year:
                    assert covered[req.key]["capacity"]["available"] >= req.volume_per_year
        for a in members:
            for b in members:
                assert a >= b or pair(a, b) not in bi.exclusions
    objectives = [p["objective"] for p in outcome.proposals]
    assert objectives == sorted(objectives, reverse=True)


@pytest.mark.skipif("highs" not in available_solvers(), reason="highspy not installed")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_cbc_and_highs_agree(problem):
    cbc = solve(build(problem, CONFIG)[0], CONFIG, "cbc")
    highs = solve(build(problem, CONFIG)[0], CONFIG, "highs")
    assert cbc.has_plan == highs.has_plan
    if cbc.has_plan:
        assert cbc.objective == pytest.approx(highs.objective, abs=1e-6)


def test_lead_criteria_in_brute_force_reference():
    """A bid whose only coverers cannot lead has no plan, in the model and in enumeration."""
    req = Requirement(key="r0", capability="x")
    bid = Bid(
        key="b",
        title="t",
        customer="c",
        customer_country="DE",
        delivery_country="DE",
        requirements=(req,),
        min_size=1,
        max_size=2,
        lead=LeadCriteria(certifications=("IATF 16949",)),
    )
    fit = RequirementFit("f0", "r0", 1.0, "same", None, None, ())
    bi = BidInput(bid, (Candidate("f0", "DK", "company", {"r0": fit}, False),), {}, frozenset(), {"r0": 0.6})
    problem = ProblemInput((bi,), {"f0": 1}, {}, {"f0": "F0"})
    assert best_by_enumeration(problem, CONFIG) is None
    assert not solve(build(problem, CONFIG)[0], CONFIG).has_plan


@st.composite
def crowded_instances(draw):
    """More firms than the consortium size, few requirements: many firms are dominated."""
    problem = draw(instances())
    (bi,) = problem.bids
    extra = []
    for n in range(draw(st.integers(3, 6))):
        base = draw(st.sampled_from(bi.candidates))
        fits = {
            r: replace(
                f,
                firm=f"g{n}",
                fit=draw(st.sampled_from([0.6, f.fit])),
                capacity=draw(st.sampled_from([None, f.capacity])),
            )
            for r, f in base.fits.items()
        }
        extra.append(Candidate(f"g{n}", base.country, "company", fits, draw(st.booleans()) and base.lead_eligible))
    cands = tuple(sorted(bi.candidates + tuple(extra), key=lambda c: c.firm))
    availability = {**problem.availability, **{c.firm: 1 for c in extra}}
    return replace(problem, bids=(replace(bi, candidates=cands),), availability=availability)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded_instances(), st.integers(2, 6))
def test_pruning_and_shortlist_keep_the_optimum(problem, shortlist):
    """The reduced model's optimum equals brute force over all firms (with the same synergy shortlist)."""
    assert_reduced_optimum_equals_brute_force(problem, CONFIG, shortlist)


@pytest.mark.slow  # a joint model over several bids per example: seconds in all
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000))
def test_joint_plans_respect_availability_and_bound(seed):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.synthetic_consortia import random_problem
    from optimizer.propose import propose_joint

    problem = random_problem(40, n_bids=4, n_requirements=3, seed=seed, pair_neighbours=4)
    firms = {f: Firm(key=f, name=f, country="DK", capabilities=(Capability("x"),)) for f in problem.availability}
    outcomes = propose_joint(problem, firms, CONFIG, time_limit=3)
    plans = []
    for o in outcomes:
        for p in o.proposals:
            plans.append({m["firm"] for m in p["plan"]["members"]})
            joint = p["explanation"]["joint"]
            assert joint["value"] <= joint["bound"] + 1e-6
    for firm in problem.availability:
        assert sum(firm in p for p in plans) <= 1


def _same_reduction(bi: BidInput, synergy: dict, banned: frozenset[str]) -> None:
    expected, _ = reduce_bid(without(bi, set(banned)), synergy, CONFIG)
    got = Reducer(bi, synergy, CONFIG).without(banned)
    assert [c.firm for c in got.candidates] == [c.firm for c in expected.candidates]
    assert got.pair_firms == expected.pair_firms
    assert got.exclusions == expected.exclusions and got.duplicates == expected.duplicates


@settings(max_examples=60, deadline=None)
@given(instances(), st.data())
def test_reducing_with_firms_taken_out_equals_reducing_from_scratch(problem, data):
    """The joint search's reducer (counts over all candidates, less what the banned firms gave) keeps the
    same firms as reducing the bid without them from scratch."""
    (bi,) = problem.bids
    bi = replace(bi, pair_firms=synergy_shortlist(bi, data.draw(st.integers(2, 4))))
    if data.draw(st.booleans()):  # without exclusions the counts are reused; with them the bid is reduced anew
        bi = replace(bi, exclusions=frozenset())
    keys = [c.firm for c in bi.candidates]
    banned = frozenset(data.draw(st.lists(st.sampled_from(keys), max_size=3))) if keys else frozenset()
    _same_reduction(bi, problem.synergy, banned)


def test_reducing_with_firms_taken_out_on_a_larger_instance():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.synthetic_consortia import random_problem

    problem = random_problem(300, n_bids=2, seed=3)
    for bi in problem.bids:
        bi = replace(bi, pair_firms=synergy_shortlist(bi, CONFIG.synergy_candidates))
        kept, _ = reduce_bid(bi, problem.synergy, CONFIG)
        strong = [c.firm for c in sorted(kept.candidates, key=lambda c: (-fit_value(bi, c), c.firm))][:6]
        for n in range(len(strong) + 1):
            _same_reduction(bi, problem.synergy, frozenset(strong[:n]))


def _both_counts(bi: BidInput, among=None, prices=None) -> tuple[list[int], list[int]]:
    import numpy as np

    from optimizer.reduce import _dominators, respected

    pair_free = np.array([c.firm not in bi.pair_firms for c in bi.candidates], dtype=bool)
    needs = respected(bi)
    grouped = _dominators(bi, pair_free, needs, prices, among)
    pairwise = _dominators(bi, pair_free, needs, prices, among, grouped=False)
    return grouped.tolist(), pairwise.tolist()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded_instances(), st.data())
def test_dominance_counted_by_groups_of_alike_firms_equals_every_pair(problem, data):
    """Counting dominators over groups of alike candidates (what makes pruning fast at 100k profiles) gives
    each firm the count of comparing every pair, also among a subset, with prices and with exclusions."""
    import numpy as np

    (bi,) = problem.bids
    bi = replace(bi, pair_firms=synergy_shortlist(bi, data.draw(st.integers(1, 3))))
    keys = [c.firm for c in bi.candidates]
    barred = data.draw(st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(keys)), max_size=4))
    bi = replace(bi, exclusions=frozenset(pair(a, b) for a, b in barred if a != b))
    n = len(bi.candidates)
    among = None
    if data.draw(st.booleans()):
        among = np.array(sorted(set(data.draw(st.lists(st.integers(0, n - 1), max_size=n)))), dtype=np.int64)
    prices = None
    if data.draw(st.booleans()):
        prices = {c.firm: data.draw(st.sampled_from([0.0, 0.1, 0.25])) for c in bi.candidates}
    grouped, pairwise = _both_counts(bi, among, prices)
    assert grouped == pairwise


def test_dominance_by_groups_on_a_larger_instance():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.synthetic_consortia import random_problem

    problem = random_problem(600, n_bids=2, seed=5)
    for k, bi in enumerate(problem.bids):
        keys = [c.firm for c in bi.candidates]
        barred = frozenset(pair(keys[i], keys[i + 7]) for i in range(0, 40 * k, 3))  # the second bid has 14
        bi = replace(bi, pair_firms=synergy_shortlist(bi, CONFIG.synergy_candidates), exclusions=barred)
        grouped, pairwise = _both_counts(bi)
        assert grouped == pairwise and max(pairwise) > 0
