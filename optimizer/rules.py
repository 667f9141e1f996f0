"""The rules of the consortium model, each declared once: its rows, its plain check, what pruning must respect.

A rule is everything the engine knows about one constraint of a bid:

* `rows` writes its rows into the model (named `<rule>__<row>`, so an infeasible model is explained by name);
* `check` finds the same rule broken in a solved plan, in plain Python, without the model;
* `respects` says what dominance pruning (`optimizer.reduce`) must respect for it: the ways in which
  one firm may fail to stand in for another under this rule;
* `relaxed` says, in words for the user, what it means when dropping the rule makes a bid feasible
  (None: the rule is never dropped in a diagnosis).

`RULES` is the registry. The model builds its rows from it, `verify` checks plans with it, the relaxation
diagnosis drops its rules one at a time, and the reducer refuses to prune when a registered rule asks it to
respect something it does not implement. A new constraint is one more entry here; the objective's own
structure (fit staircase, pair terms, the joint bounds and no-good cuts) lives in `optimizer.model`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulp

from profiles.domain import Bid

from .instance import BidInput, Candidate, pair

if TYPE_CHECKING:
    from .verify import Plan

Row = tuple[str, pulp.LpConstraint]  # the row's name within its rule, the row


@dataclass(frozen=True)
class Respect:
    """One way a firm may fail to stand in for another under a rule; dominance pruning must respect it."""

    name: str
    meaning: str


SWAP = Respect("swap", "the rule only counts members: any firm may take another's place")
FIT = Respect("fit", "the stand-in fits every requirement the firm fits, at least as well")
CAPACITY = Respect(
    "capacity", "the stand-in declares at least the firm's capacity on every mandatory requirement with a volume"
)
LEAD = Respect("lead", "the stand-in can lead the consortium whenever the firm can")
COUNTRY = Respect("country", "the stand-in comes from the firm's country")
KIND = Respect("kind", "the stand-in is of the firm's kind (company, research, ...)")
EXCLUSIONS = Respect("exclusions", "the stand-in is excluded from no firm the firm itself may work with")
KEEP = Respect("keep", "the firms the rule names are never pruned")
DUPLICATES = Respect(
    "duplicates", "the stand-in is flagged as a possible duplicate of no firm the firm itself may work with"
)
ONE_BID = Respect(
    "one bid", "the rule links bids; pruning is exact for one bid, so a joint plan is bounded by the separate optima"
)


@dataclass(frozen=True)
class BidRows:
    """What a rule's rows for one bid are written over."""

    bi: BidInput
    b: int  # the bid's position in the model, for row and variable names
    z: pulp.LpVariable | int  # the bid's staffed flag; 1 when the bid is solved alone
    x: Mapping[str, pulp.LpVariable]  # firm → member variable
    index: Mapping[str, int]  # firm → position, for row names
    countries: dict[tuple[int, str], pulp.LpVariable]  # (bid, country) → flag, kept for warm starts


@dataclass(frozen=True)
class JointRows:
    """What a rule linking simultaneous bids is written over."""

    x: Mapping[tuple[int, str], pulp.LpVariable]  # (bid, firm) → member variable
    availability: Mapping[str, int]  # firm → consortia it may join at once


def _always(bi: BidInput) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One rule of the model, declared once; see the module docstring for the fields."""

    name: str
    respects: tuple[Respect, ...]
    relaxed: Callable[[Bid], str] | None
    applies: Callable[[BidInput], bool] = _always  # False: the rule writes no rows for this bid

    def __post_init__(self) -> None:
        if not self.name.isidentifier() or "__" in self.name:
            raise ValueError(f"rule name '{self.name}' must be an identifier without '__' (it prefixes row names)")
        if not self.respects:
            raise ValueError(f"rule '{self.name}' must say what pruning respects for it (SWAP if nothing)")


@dataclass(frozen=True, kw_only=True)
class BidRule(Rule):
    """A rule within one bid."""

    rows: Callable[[BidRows], Iterable[Row]]
    check: Callable[[BidInput, Plan], Iterable[str]]


@dataclass(frozen=True, kw_only=True)
class JointRule(Rule):
    """A rule across simultaneous bids; its rows are written only when several bids are planned together."""

    rows: Callable[[JointRows], Iterable[Row]]
    check: Callable[[Sequence[Plan], Mapping[str, int]], Iterable[str]]


def _eligible(bi: BidInput, requirement: str) -> list[Candidate]:
    return [c for c in bi.candidates if requirement in c.fits]


def _by_firm(bi: BidInput) -> dict[str, Candidate]:
    return {c.firm: c for c in bi.candidates}


# cover -------------------------------------------------------------------------
def _cover_rows(m: BidRows) -> Iterator[Row]:
    for r, req in enumerate(m.bi.bid.requirements):
        if req.mandatory:
            yield f"b{m.b}_r{r}", pulp.lpSum(m.x[c.firm] for c in _eligible(m.bi, req.key)) >= m.z


def _cover_check(bi: BidInput, plan: Plan) -> Iterator[str]:
    for req in bi.bid.requirements:
        if req.mandatory and plan.primary.get(req.key) is None:
            yield f"mandatory requirement {req.key} is not covered"


COVER_RULE = BidRule(name="cover", respects=(FIT,), relaxed=None, rows=_cover_rows, check=_cover_check)


# lead --------------------------------------------------------------------------
def _lead_rows(m: BidRows) -> Iterator[Row]:
    yield f"b{m.b}", pulp.lpSum(m.x[c.firm] for c in m.bi.candidates if c.lead_eligible) >= m.z


def _lead_check(bi: BidInput, plan: Plan) -> Iterator[str]:
    if plan.lead not in plan.members or not _by_firm(bi)[plan.lead].lead_eligible:
        yield f"lead {plan.lead} is not an eligible member"


LEAD_RULE = BidRule(
    name="lead",
    respects=(LEAD,),
    relaxed=lambda bid: (
        "no consortium that covers every mandatory requirement also contains a firm that can lead "
        "it; relax the lead criteria or add a qualified firm"
    ),
    rows=_lead_rows,
    check=_lead_check,
)


# size --------------------------------------------------------------------------
def _size_rows(m: BidRows) -> Iterator[Row]:
    size = pulp.lpSum(m.x.values())
    yield f"min_b{m.b}", size >= m.bi.bid.min_size * m.z
    yield f"max_b{m.b}", size <= m.bi.bid.max_size * m.z


def _size_check(bi: BidInput, plan: Plan) -> Iterator[str]:
    n = len(set(plan.members))
    if not bi.bid.min_size <= n <= bi.bid.max_size:
        yield f"size {n} outside {bi.bid.min_size}..{bi.bid.max_size}"


SIZE_RULE = BidRule(
    name="size",
    respects=(SWAP,),
    relaxed=lambda bid: (
        f"no consortium of {bid.min_size}–{bid.max_size} firms covers every mandatory requirement; allow more members"
    ),
    rows=_size_rows,
    check=_size_check,
)


# countries ---------------------------------------------------------------------
def _by_country(bi: BidInput) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in bi.candidates:
        out.setdefault(c.country, []).append(c.firm)
    return out


def _countries_rows(m: BidRows) -> Iterator[Row]:
    bid = m.bi.bid
    by_country = sorted(_by_country(m.bi).items())
    if bid.min_countries > 1:
        flags = []
        for k, members in by_country:
            flag = pulp.LpVariable(f"c_{m.b}_{k}", cat="Binary")
            m.countries[(m.b, k)] = flag
            flags.append(flag)
            yield f"b{m.b}_{k}", flag <= pulp.lpSum(m.x[f] for f in members)
        yield f"min_b{m.b}", pulp.lpSum(flags) >= bid.min_countries * m.z
    if bid.max_per_country:
        for k, members in by_country:
            if len(members) > bid.max_per_country:
                yield f"max_b{m.b}_{k}", pulp.lpSum(m.x[f] for f in members) <= bid.max_per_country


def _countries_check(bi: BidInput, plan: Plan) -> Iterator[str]:
    by_firm = _by_firm(bi)
    countries = [by_firm[f].country for f in set(plan.members)]
    if len(set(countries)) < bi.bid.min_countries:
        yield f"{len(set(countries))} countries < {bi.bid.min_countries}"
    limit = bi.bid.max_per_country
    if limit and any(countries.count(k) > limit for k in set(countries)):
        yield f"more than {limit} firms from one country"


def _countries_relaxed(bid: Bid) -> str:
    per_country = f", at most {bid.max_per_country} firms per country" if bid.max_per_country else ""
    return (
        f"the country rules (at least {bid.min_countries} countries{per_country}) cannot be met by a consortium "
        "that covers every mandatory requirement"
    )


COUNTRIES_RULE = BidRule(
    name="countries",
    respects=(COUNTRY,),
    relaxed=_countries_relaxed,
    applies=lambda bi: bi.bid.min_countries > 1 or bi.bid.max_per_country is not None,
    rows=_countries_rows,
    check=_countries_check,
)


# kinds -------------------------------------------------------------------------
def _kinds_rows(m: BidRows) -> Iterator[Row]:
    for kind in m.bi.bid.required_kinds:
        yield f"b{m.b}_{kind.value}", pulp.lpSum(m.x[c.firm] for c in m.bi.candidates if c.kind == kind.value) >= m.z


def _kinds_check(bi: BidInput, plan: Plan) -> Iterator[str]:
    by_firm = _by_firm(bi)
    for kind in bi.bid.required_kinds:
        if not any(by_firm[f].kind == kind.value for f in plan.members):
            yield f"no {kind.value} member"


KINDS_RULE = BidRule(
    name="kinds",
    respects=(KIND,),
    relaxed=lambda bid: (
        "no consortium that covers every mandatory requirement includes the required kinds of "
        f"partner ({', '.join(k.value for k in bid.required_kinds)})"
    ),
    applies=lambda bi: bool(bi.bid.required_kinds),
    rows=_kinds_rows,
    check=_kinds_check,
)


# exclusion ---------------------------------------------------------------------
def _exclusion_rows(m: BidRows) -> Iterator[Row]:
    for f, g in sorted(m.bi.exclusions):
        yield f"b{m.b}_{m.index[f]}_{m.index[g]}", m.x[f] + m.x[g] <= 1


def _exclusion_check(bi: BidInput, plan: Plan) -> Iterator[str]:
    members = sorted(set(plan.members))
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            if pair(a, b) in bi.exclusions:
                yield f"excluded pair {a} + {b} together"


EXCLUSION_RULE = BidRule(
    name="exclusion",
    respects=(EXCLUSIONS,),
    relaxed=lambda bid: (
        "the excluded pairs (competitors or conflicts) rule out every consortium that covers the mandatory requirements"
    ),
    applies=lambda bi: bool(bi.exclusions),
    rows=_exclusion_rows,
    check=_exclusion_check,
)


# duplicate ---------------------------------------------------------------------
def _duplicate_rows(m: BidRows) -> Iterator[Row]:
    for f, g in sorted(m.bi.duplicates):
        yield f"b{m.b}_{m.index[f]}_{m.index[g]}", m.x[f] + m.x[g] <= 1


def _duplicate_check(bi: BidInput, plan: Plan) -> Iterator[str]:
    members = set(plan.members)
    for a, b in sorted(bi.duplicates):
        if a in members and b in members:
            yield f"possible duplicates {a} + {b} together (the same firm twice?)"


DUPLICATE_RULE = BidRule(
    name="duplicate",
    respects=(DUPLICATES,),
    relaxed=lambda bid: (
        "every consortium that covers the mandatory requirements needs both firms of a pair flagged as possibly "
        "the same firm; resolve the flag (same firm or different firms) first"
    ),
    applies=lambda bi: bool(bi.duplicates),
    rows=_duplicate_rows,
    check=_duplicate_check,
)


# capacity ----------------------------------------------------------------------
def _capacity_rows(m: BidRows) -> Iterator[Row]:
    for r, req in enumerate(m.bi.bid.requirements):
        if req.volume_per_year and req.mandatory:
            eligible = _eligible(m.bi, req.key)
            supply = pulp.lpSum((c.fits[req.key].capacity or 0) * m.x[c.firm] for c in eligible)
            yield f"b{m.b}_r{r}", supply >= req.volume_per_year * m.z


def _capacity_check(bi: BidInput, plan: Plan) -> Iterator[str]:
    by_firm = _by_firm(bi)
    members = set(plan.members)
    for req in bi.bid.requirements:
        if req.mandatory and req.volume_per_year:
            supply = sum(by_firm[f].fits[req.key].capacity or 0 for f in members if req.key in by_firm[f].fits)
            if supply < req.volume_per_year:
                yield f"capacity for {req.key} is {supply} < {req.volume_per_year}"


CAPACITY_RULE = BidRule(
    name="capacity",
    respects=(CAPACITY,),
    relaxed=lambda bid: "capacity cannot be met together with the other rules (size, exclusions); allow more members",
    applies=lambda bi: any(r.mandatory and r.volume_per_year for r in bi.bid.requirements),
    rows=_capacity_rows,
    check=_capacity_check,
)


# locked ------------------------------------------------------------------------
def _locked_rows(m: BidRows) -> Iterator[Row]:
    for c in m.bi.candidates:
        if c.locked:
            yield f"b{m.b}_{m.index[c.firm]}", m.x[c.firm] == m.z


def _locked_check(bi: BidInput, plan: Plan) -> Iterator[str]:
    for firm in bi.bid.locked_firms:
        if firm not in plan.members:
            yield f"locked firm {firm} is missing"


LOCKED_RULE = BidRule(
    name="locked",
    respects=(KEEP,),
    relaxed=lambda bid: (
        f"the locked firms ({', '.join(bid.locked_firms)}) cannot be part of a valid consortium; unlock one of them"
    ),
    applies=lambda bi: any(c.locked for c in bi.candidates),
    rows=_locked_rows,
    check=_locked_check,
)


# available (across bids) -------------------------------------------------------
def over_availability(plans: Sequence[Plan], availability: Mapping[str, int]) -> dict[str, int]:
    """Firms placed in more consortia than they allow, with how many."""
    used: dict[str, int] = {}
    for p in plans:
        for f in p.members:
            used[f] = used.get(f, 0) + 1
    return {f: n for f, n in used.items() if n > availability.get(f, 1)}


def _available_rows(m: JointRows) -> Iterator[Row]:
    per_firm: dict[str, list[pulp.LpVariable]] = {}
    for (_, f), var in m.x.items():
        per_firm.setdefault(f, []).append(var)
    for n, (f, vars_) in enumerate(sorted(per_firm.items())):
        allowed = m.availability.get(f, 1)
        if len(vars_) > allowed:
            yield f"f{n}", pulp.lpSum(vars_) <= allowed


def _available_check(plans: Sequence[Plan], availability: Mapping[str, int]) -> Iterator[str]:
    over = over_availability(plans, availability)
    if over:
        yield f"firms over their availability across bids: {over}"


AVAILABLE_RULE = JointRule(
    name="available",
    respects=(ONE_BID,),
    relaxed=lambda bid: "the firms this bid needs are committed to other open bids at the same time",
    rows=_available_rows,
    check=_available_check,
)


def registry(*rules: Rule) -> dict[str, Rule]:
    """Rules by name, in the order the model writes and the diagnosis relaxes them; a name may occur once."""
    out: dict[str, Rule] = {}
    for rule in rules:
        if rule.name in out:
            raise ValueError(f"rule '{rule.name}' is declared twice")
        out[rule.name] = rule
    return out


RULES: dict[str, Rule] = registry(
    COVER_RULE,
    LEAD_RULE,
    SIZE_RULE,
    COUNTRIES_RULE,
    KINDS_RULE,
    EXCLUSION_RULE,
    DUPLICATE_RULE,
    CAPACITY_RULE,
    LOCKED_RULE,
    AVAILABLE_RULE,
)


def bid_rules() -> list[BidRule]:
    return [r for r in RULES.values() if isinstance(r, BidRule)]


def joint_rules() -> list[JointRule]:
    return [r for r in RULES.values() if isinstance(r, JointRule)]
