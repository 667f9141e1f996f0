"""Infeasibility diagnosis before any solve, in words a user can act on.

Each check looks at one rule in plain Python (who covers which requirement,
which certification is missing, how much capacity is short, who could lead),
so the common reasons for "no consortium possible" are found without a
solver and named precisely.
"""

from __future__ import annotations

from dataclasses import dataclass

from profiles.domain import Bid, Firm

from .instance import BidInput, pair


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    requirement: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "requirement": self.requirement}


def _names(keys, names: dict[str, str], limit: int = 4) -> str:
    shown = [names.get(k, k) for k in list(keys)[:limit]]
    more = len(list(keys)) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def diagnose(bi: BidInput, firms: dict[str, Firm]) -> list[Reason]:
    bid = bi.bid
    names = {k: f.name for k, f in firms.items()}
    reasons: list[Reason] = []
    reasons += _coverage_reasons(bi, firms, names)
    reasons += _composition_reasons(bi, bid, names)
    return reasons


def _coverage_reasons(bi: BidInput, firms: dict[str, Firm], names: dict[str, str]) -> list[Reason]:
    reasons = []
    bid = bi.bid
    for req in bid.requirements:
        if not req.mandatory:
            continue
        limit = bi.thresholds[req.key]
        known = {firm: f for (firm, rk), f in bi.fits.items() if rk == req.key and firm not in bid.excluded_firms}
        known.update({c.firm: c.fits[req.key] for c in bi.candidates if req.key in c.fits})
        fits = list(known.values())
        offering = sorted((f for f in fits if f.fit >= limit), key=lambda f: (-f.fit, f.firm))
        certified = [f for f in offering if f.certified]
        cert_text = f" with {', '.join(req.certifications)}" if req.certifications else ""
        if not offering:
            closest = max(fits, key=lambda f: (f.fit, f.firm), default=None)
            hint = ""
            if closest is not None and closest.fit > 0:
                hint = (
                    f"; the closest is {names[closest.firm]} with '{closest.matched_phrase}' "
                    f"(fit {closest.fit:.2f}, needs {limit:.2f})"
                )
            reasons.append(Reason("no_capability", f"no firm offers {req.capability}{cert_text}{hint}", req.key))
            continue
        if not certified:
            missing = sorted({c for f in offering for c in f.missing_certifications})
            reasons.append(
                Reason(
                    "missing_certification",
                    f"no firm offers {req.capability}{cert_text}: {_names([f.firm for f in offering], names)} "
                    f"offer{'s' if len(offering) == 1 else ''} it but lack{'s' if len(offering) == 1 else ''} "
                    f"{', '.join(missing)}",
                    req.key,
                )
            )
            continue
        if req.volume_per_year:
            capacities = sorted(((f.capacity or 0), f.firm) for f in certified)
            capacities.reverse()
            total = sum(c for c, _ in capacities)
            best_in_size = sum(c for c, _ in capacities[: bid.max_size])
            if total < req.volume_per_year:
                unknown = [f.firm for f in certified if f.capacity is None]
                note = f"; capacity not declared by {_names(unknown, names)}" if unknown else ""
                reasons.append(
                    Reason(
                        "capacity_short",
                        f"capacity for {req.capability} is short by {req.volume_per_year - total:,} units/year: "
                        f"the bid needs {req.volume_per_year:,}, the {len(certified)} eligible firm(s) together "
                        f"declare {total:,}{note}",
                        req.key,
                    )
                )
            elif best_in_size < req.volume_per_year:
                reasons.append(
                    Reason(
                        "capacity_short",
                        f"capacity for {req.capability} is short by {req.volume_per_year - best_in_size:,} units/year "
                        f"within {bid.max_size} firms: the {bid.max_size} largest eligible firms declare "
                        f"{best_in_size:,} of {req.volume_per_year:,}",
                        req.key,
                    )
                )
    return reasons


def _composition_reasons(bi: BidInput, bid: Bid, names: dict[str, str]) -> list[Reason]:
    reasons = []
    cands = bi.candidates
    lead_text = ", ".join(
        [
            *bid.lead.certifications,
            *(["export experience"] if bid.lead.export_experience else []),
            *([f"language {'/'.join(bid.lead.languages)}"] if bid.lead.languages else []),
        ]
    )
    if cands and not any(c.lead_eligible for c in cands):
        reasons.append(
            Reason(
                "no_lead",
                f"none of the {len(cands)} firms that can cover a requirement can lead "
                f"the consortium (the lead needs {lead_text or 'nothing special'})",
            )
        )
    if len(cands) < bid.min_size:
        reasons.append(
            Reason(
                "too_few_firms",
                f"only {len(cands)} firm(s) can cover any requirement; the bid needs at least {bid.min_size}",
            )
        )
    countries = sorted({c.country for c in cands})
    if len(countries) < bid.min_countries:
        reasons.append(
            Reason(
                "too_few_countries",
                f"the firms that can cover a requirement come from "
                f"{len(countries)} country(ies) ({', '.join(countries) or 'none'}); "
                f"the bid needs {bid.min_countries}",
            )
        )
    for kind in bid.required_kinds:
        if not any(c.kind == kind.value for c in cands):
            reasons.append(
                Reason("missing_kind", f"the bid needs a {kind.value} partner and none can cover a requirement")
            )
    locked = [c.firm for c in cands if c.locked]
    missing_locked = sorted(set(bid.locked_firms) - set(locked))
    if missing_locked:
        reasons.append(
            Reason(
                "locked_unavailable",
                f"locked firm(s) {_names(missing_locked, names)} are excluded or unavailable for this bid",
            )
        )
    if len(bid.locked_firms) > bid.max_size:
        reasons.append(
            Reason(
                "too_many_locked",
                f"{len(bid.locked_firms)} firms are locked in but the bid allows at most {bid.max_size}",
            )
        )
    for a in locked:
        for b in locked:
            if a < b and pair(a, b) in bi.exclusions:
                reasons.append(
                    Reason(
                        "locked_conflict",
                        f"locked firms {names.get(a, a)} and {names.get(b, b)} must not be in the same consortium",
                    )
                )
    return reasons
