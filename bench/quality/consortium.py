"""The optimiser on a held-out project: does it pick the real partners?

The bid is the project's imported bid (its EuroSciVoc labels, or its topic,
as optional requirements; at least three countries, the Horizon Europe
rule), resized to the real consortium: the coordinator, locked in as lead,
plus as many partners as the project really has describable ones. No cap at
five: the bid's max_size is set to that size, so the overlap can reach 1.

The candidates are the method's best POOL organisations (a shortlist, as the
product's blocking would give). Their requirement fit comes from the score:
fit = score / best score in the pool, in full when the organisation's other
projects carry that label (or topic), at LABEL_MISS otherwise — so members
are chosen for the labels they bring, and ranked by how well they match.
Synergy between two candidates is the same method's score between their
descriptions. The input is built directly (as bench/synthetic_consortia.py
does) because the fits are not capability fits from the vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from optimizer.config import OptimizerConfig
from optimizer.fit import RequirementFit
from optimizer.instance import BidInput, Candidate, ProblemInput, pair
from optimizer.propose import propose_bid
from optimizer.solve import available_solvers
from profiles.domain import Firm
from profiles.taxonomy.vocabulary import fold

from .cases import Case
from .methods import Method

POOL = 30
LABEL_MISS = 0.5
# Pair terms among the best 12 candidates by fit (the optimiser's own shortlist knob; its default
# of 30 makes each solve several times slower here for a small gain).
SYNERGY_CANDIDATES = 12


def optimizer_config() -> OptimizerConfig:
    # Threshold 0: eligibility is already decided by the shortlist; the fit value does the ranking.
    # One thread and a generous time limit, so every solve ends optimal and reruns agree.
    settings = {
        "min_fit": 0.0,
        "alternatives": 1,
        "time_limit": 120.0,
        "threads": 1,
        "solver": "highs" if "highs" in available_solvers() else "cbc",
        "synergy_candidates": SYNERGY_CANDIDATES,
    }
    return OptimizerConfig(**{k: v for k, v in settings.items() if k in OptimizerConfig.model_fields})


@dataclass(frozen=True)
class ConsortiumResult:
    overlap: float  # |proposed ∩ real| / |real|
    status: str
    members: tuple[str, ...]


def build_problem(
    case: Case, method: Method, ranking: list[str], scores: dict[str, float], firms: dict[str, Firm]
) -> ProblemInput:
    pool = ranking[:POOL]
    best = max((scores[k] for k in pool), default=0.0)
    candidates, all_fits = [], {}
    for key in sorted(pool):
        rel = scores[key] / best if best > 0 else 0.0
        fits = {}
        for req in case.bid.requirements:
            held = fold(req.capability) in case.org_keywords[key]
            fit = RequirementFit(
                firm=key,
                requirement=req.key,
                fit=round(rel * (1.0 if held else LABEL_MISS), 4),
                how="label in its other projects" if held else "match score only",
                matched_phrase=req.capability if held else None,
                capacity=None,
                missing_certifications=(),
            )
            fits[req.key] = all_fits[(key, req.key)] = fit
        candidates.append(
            Candidate(firm=key, country=firms[key].country, kind=firms[key].kind.value, fits=fits, lead_eligible=False)
        )
    lead = firms[case.coordinator]
    # The coordinator is the searcher: always in, always the lead, covering nothing of its own here.
    candidates.append(
        Candidate(firm=lead.key, country=lead.country, kind=lead.kind.value, fits={}, lead_eligible=True, locked=True)
    )
    size = len(case.real) + 1
    bid = replace(case.bid, min_size=size, max_size=size, min_countries=3, locked_firms=(lead.key,))
    bi = BidInput(
        bid=bid,
        candidates=tuple(sorted(candidates, key=lambda c: c.firm)),
        fits=all_fits,
        exclusions=frozenset(),
        thresholds={r.key: 0.0 for r in bid.requirements},
    )
    # Synergy only among the shortlisted organisations: the coordinator is in every plan anyway.
    synergy = {}
    ordered = sorted(pool)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            s = round(method.pair_score(case, a, b), 4)
            if s > 0:
                synergy[pair(a, b)] = s
    keys = [c.firm for c in bi.candidates]
    return ProblemInput(
        bids=(bi,), availability=dict.fromkeys(keys, 1), synergy=synergy, firm_names={k: firms[k].name for k in keys}
    )


def propose(
    case: Case,
    method: Method,
    ranking: list[str],
    scores: dict[str, float],
    firms: dict[str, Firm],
    config: OptimizerConfig,
) -> ConsortiumResult:
    problem = build_problem(case, method, ranking, scores, firms)
    outcome = propose_bid(problem, firms, config, alternatives=1)
    if not outcome.feasible:
        why = outcome.reasons[0].code if outcome.reasons else outcome.status or "infeasible"
        return ConsortiumResult(0.0, f"no plan ({why})", ())
    chosen = tuple(m["firm"] for m in outcome.proposals[0]["plan"]["members"] if m["firm"] != case.coordinator)
    hit = len(set(chosen) & set(case.real))
    return ConsortiumResult(hit / len(case.real), outcome.status, chosen)
