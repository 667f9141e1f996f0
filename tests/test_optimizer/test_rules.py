"""The model's rule registry: every row belongs to a declared rule, and pruning refuses rules it does not know."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pulp
import pytest

from optimizer import rules
from optimizer.config import OptimizerConfig
from optimizer.fit import RequirementFit
from optimizer.instance import BidInput, Candidate, ProblemInput, pair
from optimizer.model import build
from optimizer.propose import propose_bid
from optimizer.reduce import IMPLEMENTED, reduce_problem, respected
from optimizer.rules import COUNTRY, FIT, RULES, BidRows, BidRule, Respect, registry
from optimizer.verify import Plan
from profiles.domain import Bid, Capability, Firm, FirmKind, Requirement
from profiles.errors import UnknownRule

CONFIG = OptimizerConfig(time_limit=10)
OBJECTIVE_ROWS = {"level", "pair", "bound"}  # the objective's own structure, written by the model itself


def _bid(key: str = "b", **kw) -> Bid:
    reqs = (
        Requirement("ext", "aluminium extrusion", volume_per_year=30_000),
        Requirement("fsw", "friction stir welding"),
        Requirement("coat", "coating", mandatory=False),
    )
    return Bid(key=key, title="t", customer="c", customer_country="DE", delivery_country="DE", requirements=reqs, **kw)


def _bid_input(bid: Bid, n: int = 8) -> BidInput:
    """n firms in two countries; every firm extrudes, the odd ones also weld, the first coats; the last is locked."""
    cands = []
    for i in range(n):
        firm = f"f{i}"
        fits = {"ext": RequirementFit(firm, "ext", 1.0 if i < 2 else 0.7, "same", "x", 20_000, ())}
        if i % 2:
            fits["fsw"] = RequirementFit(firm, "fsw", 0.9, "same", "x", None, ())
        if i == 0:
            fits["coat"] = RequirementFit(firm, "coat", 1.0, "same", "x", None, ())
        locked = i == n - 1 and bool(bid.locked_firms)
        cands.append(Candidate(firm, "DK" if i < n // 2 else "SE", "company", fits, i < 3, locked))
    return BidInput(bid, tuple(cands), {}, frozenset({pair("f0", "f1")}), {r.key: 0.6 for r in bid.requirements})


def _problem(*bids: BidInput) -> ProblemInput:
    firms = {c.firm for bi in bids for c in bi.candidates}
    return ProblemInput(bids, dict.fromkeys(firms, 1), {pair("f1", "f2"): 0.5}, {f: f for f in firms})


def _firms(problem: ProblemInput) -> dict[str, Firm]:
    return {
        c.firm: Firm(key=c.firm, name=c.firm, country=c.country, capabilities=(Capability("x"),))
        for bi in problem.bids
        for c in bi.candidates
    }


def _first_firm_rows(m: BidRows) -> Iterator[rules.Row]:
    yield f"b{m.b}", m.x[min(m.x)] >= m.z


def _first_firm_check(bi: BidInput, plan: Plan) -> Iterator[str]:
    first = min(c.firm for c in bi.candidates)
    if first not in plan.members:
        yield f"{first} is missing"


# A new rule as an engineer might add it, asking pruning to respect something pruning has never heard of.
FIRST_FIRM = BidRule(
    name="first_firm",
    respects=(Respect("first firm", "the stand-in is the bid's first firm whenever the firm is"),),
    relaxed=lambda bid: "the first firm cannot be part of a valid consortium",
    rows=_first_firm_rows,
    check=_first_firm_check,
)


def test_every_row_of_the_model_belongs_to_a_registered_rule():
    rich = _bid(min_countries=2, max_per_country=2, required_kinds=(FirmKind.COMPANY,), locked_firms=("f7",))
    flagged = replace(_bid_input(rich), duplicates=frozenset({pair("f2", "f4")}))  # a possible duplicate pair
    problem = _problem(flagged, _bid_input(_bid("b2")))
    prob, _ = build(problem, CONFIG, joint=True, bounds={"b": 10.0, "b2": 10.0})
    groups = {row.name.split("__")[0] for row in prob.constraints()}
    assert groups <= set(RULES) | OBJECTIVE_ROWS
    assert set(RULES) <= groups  # this instance exercises every rule


def test_every_registered_rule_asks_only_for_what_pruning_implements():
    for rule in RULES.values():
        assert set(rule.respects) <= IMPLEMENTED, rule.name


def test_pruning_refuses_a_rule_it_does_not_know(monkeypatch):
    problem = _problem(_bid_input(_bid(max_size=3)))
    assert reduce_problem(problem, CONFIG)[1]["b"].pruned > 0  # pruning does work on this bid

    monkeypatch.setitem(RULES, FIRST_FIRM.name, FIRST_FIRM)
    prob, _ = build(problem, CONFIG)
    assert prob.get_constraint_by_name("first_firm__b0") is not None  # the model has the new rule
    with pytest.raises(UnknownRule, match="'first_firm' asks dominance pruning to respect first firm"):
        reduce_problem(problem, CONFIG)
    with pytest.raises(UnknownRule):
        propose_bid(problem, _firms(problem), CONFIG)
    # Without pruning there is nothing to refuse: the new rule holds in every proposal.
    outcome = propose_bid(problem, _firms(problem), CONFIG.model_copy(update={"prune_dominated": False}))
    assert outcome.feasible
    assert all("f0" in {m["firm"] for m in p["plan"]["members"]} for p in outcome.proposals)


def test_a_new_rule_with_known_respects_needs_no_change_to_pruning(monkeypatch):
    def home_rows(m: BidRows) -> Iterator[rules.Row]:
        home = [c.firm for c in m.bi.candidates if c.country == "SE"]
        yield f"b{m.b}", pulp.lpSum(m.x[f] for f in home) >= m.z

    home = BidRule(
        name="home",
        respects=(COUNTRY,),
        relaxed=None,
        rows=home_rows,
        check=lambda bi, plan: [],
    )
    bi = _bid_input(_bid(max_size=3))
    assert COUNTRY not in respected(bi)
    monkeypatch.setitem(RULES, home.name, home)
    assert {COUNTRY, FIT} <= respected(bi)
    problem = _problem(bi)
    outcome = propose_bid(problem, _firms(problem), CONFIG)
    countries = {c.firm: c.country for c in bi.candidates}
    assert outcome.proposals
    for p in outcome.proposals:
        assert "SE" in {countries[m["firm"]] for m in p["plan"]["members"]}


def test_a_rule_is_declared_once_and_says_what_pruning_respects():
    with pytest.raises(ValueError, match="declared twice"):
        registry(FIRST_FIRM, FIRST_FIRM)
    with pytest.raises(ValueError, match="what pruning respects"):
        BidRule(name="vague", respects=(), relaxed=None, rows=_first_firm_rows, check=_first_firm_check)
    with pytest.raises(ValueError, match="identifier"):
        BidRule(name="a__b", respects=(FIT,), relaxed=None, rows=_first_firm_rows, check=_first_firm_check)


def test_only_rules_of_the_model_can_be_dropped():
    with pytest.raises(ValueError, match="not rules of the model"):
        build(_problem(_bid_input(_bid())), CONFIG, drop=frozenset({"lead_time"}))
