"""Model input: bids, their candidate firms with eligible requirement fits, and pair synergy.

Everything here is plain frozen data prepared in Python before any solver is
touched: firms that can cover no requirement are pruned, exclusions are made
symmetric, and pair synergy is kept only for pairs that have a match score.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, replace
from typing import Any

from profiles.domain import Bid, Firm, Requirement
from profiles.taxonomy.vocabulary import Vocabulary

from .config import OptimizerConfig
from .fit import RequirementFit, missing_certifications, requirement_fit


@dataclass(frozen=True)
class Candidate:
    firm: str
    country: str
    kind: str
    fits: dict[str, RequirementFit]  # requirement key → fit, only where eligible
    lead_eligible: bool
    locked: bool = False


@dataclass(frozen=True)
class BidInput:
    bid: Bid
    candidates: tuple[Candidate, ...]
    fits: dict[tuple[str, str], RequirementFit]  # (firm, requirement) → fit for every firm, for diagnosis
    exclusions: frozenset[tuple[str, str]]
    thresholds: dict[str, float]
    pair_firms: frozenset[str] | None = None  # firms that get pair terms; None: all candidates
    # Pairs of candidates flagged as possibly the same firm and not yet resolved: never both members.
    duplicates: frozenset[tuple[str, str]] = frozenset()

    def twins(self, firm: str) -> list[str]:
        """The candidates flagged as possibly the same firm as `firm`."""
        return sorted({b if a == firm else a for a, b in self.duplicates if firm in (a, b)})

    def has_pair_terms(self, a: str, b: str) -> bool:
        return self.pair_firms is None or (a in self.pair_firms and b in self.pair_firms)

    def candidate(self, key: str) -> Candidate:
        return next(c for c in self.candidates if c.firm == key)


@dataclass(frozen=True)
class ProblemInput:
    bids: tuple[BidInput, ...]
    availability: dict[str, int]
    synergy: dict[tuple[str, str], float]
    firm_names: dict[str, str]


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def firm_synergy(matches: Iterable[dict[str, Any]]) -> dict[tuple[str, str], float]:
    """Firm-pair synergy: the best match score between any profiles of the two firms."""
    out: dict[tuple[str, str], float] = {}
    for m in matches:
        if m["firm"] == m["other_firm"]:
            continue
        key = pair(m["firm"], m["other_firm"])
        out[key] = max(out.get(key, 0.0), float(m["score"]))
    return out


def lead_eligible(firm: Firm, bid: Bid, vocabulary: Vocabulary) -> bool:
    lead = bid.lead
    if missing_certifications(firm.certifications, lead.certifications, vocabulary):
        return False
    if lead.export_experience and not firm.has_export_experience:
        return False
    if lead.languages and not set(lead.languages) & set(firm.languages):
        return False
    return True


def threshold(req: Requirement, config: OptimizerConfig) -> float:
    return config.min_fit if req.min_fit is None else req.min_fit


def prepare_bid(
    bid: Bid,
    firms: list[Firm],
    vocabulary: Vocabulary,
    config: OptimizerConfig,
    duplicates: Iterable[tuple[str, str]] = (),
    reach: dict[str, set[str]] | None = None,
    fits: MutableMapping[tuple[str, Requirement], RequirementFit] | None = None,
) -> BidInput:
    """The bid's candidates and rules; `duplicates` are the unresolved duplicate-firm pairs (by key).

    `reach`, when given, holds for each requirement the firms whose fit may reach its threshold
    (`optimizer.capability_index`); fit is computed for those only, every other firm has none.
    `fits`, when given, keeps fits by (firm key, requirement) from earlier calls over the same firms:
    the caller empties it when a firm changes."""
    excluded = set(bid.excluded_firms)
    thresholds = {r.key: threshold(r, config) for r in bid.requirements}
    all_fits: dict[tuple[str, str], RequirementFit] = {}
    candidates = []
    for firm in sorted(firms, key=lambda f: f.key):
        if firm.key in excluded or firm.max_concurrent_bids < 1:
            continue
        eligible = {}
        for req in bid.requirements:
            if reach is not None and firm.key not in reach.get(req.key, ()):
                continue
            fit = fits.get((firm.key, req)) if fits is not None else None
            if fit is None:
                fit = requirement_fit(firm, req, vocabulary)
                if fits is not None:
                    fits[(firm.key, req)] = fit
            all_fits[(firm.key, req.key)] = fit
            if fit.fit >= thresholds[req.key] and fit.certified:
                eligible[req.key] = fit
        locked = firm.key in bid.locked_firms
        if eligible or locked:
            candidates.append(
                Candidate(
                    firm.key, firm.country, firm.kind.value, eligible, lead_eligible(firm, bid, vocabulary), locked
                )
            )
    keys = {c.firm for c in candidates}
    exclusions = {pair(a, b) for a, b in bid.excluded_pairs if a in keys and b in keys}
    for firm in firms:
        if firm.key in keys:
            exclusions |= {pair(firm.key, other) for other in firm.excluded_partners if other in keys}
    twins = frozenset(pair(a, b) for a, b in duplicates if a in keys and b in keys and a != b)
    return BidInput(bid, tuple(candidates), all_fits, frozenset(exclusions), thresholds, duplicates=twins)


def prepare_problem(
    bids: list[Bid],
    firms: list[Firm],
    matches: Iterable[dict[str, Any]],
    vocabulary: Vocabulary,
    config: OptimizerConfig,
    duplicates: Iterable[tuple[str, str]] = (),
    reach: dict[str, dict[str, set[str]]] | None = None,
    fits: MutableMapping[tuple[str, Requirement], RequirementFit] | None = None,
) -> ProblemInput:
    """The model input for these bids; `duplicates`: the unresolved duplicate-firm pairs, never both in one
    consortium (they come from the stored flags, see `profiles.repository.duplicates.open_pair_keys`);
    `reach`: per bid, per requirement, the firms worth fitting (see `prepare_bid`)."""
    twins = list(duplicates)
    inputs = tuple(
        prepare_bid(b, firms, vocabulary, config, twins, None if reach is None else reach.get(b.key, {}), fits)
        for b in sorted(bids, key=lambda b: b.key)
    )
    used = {c.firm for bi in inputs for c in bi.candidates}
    synergy = {k: v for k, v in firm_synergy(matches).items() if k[0] in used and k[1] in used}
    return ProblemInput(inputs, {f.key: f.max_concurrent_bids for f in firms}, synergy, {f.key: f.name for f in firms})


def without(bi: BidInput, busy: set[str]) -> BidInput:
    """The bid with the firms in `busy` taken out of its candidates."""
    keep = tuple(c for c in bi.candidates if c.firm not in busy)
    keys = {c.firm for c in keep}
    return replace(
        bi,
        candidates=keep,
        exclusions=frozenset(p for p in bi.exclusions if p[0] in keys and p[1] in keys),
        duplicates=frozenset(p for p in bi.duplicates if p[0] in keys and p[1] in keys),
    )
