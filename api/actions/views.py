"""What each viewer is shown: table rows turned into plain dicts, identity removed where it must be.

Every record about a firm passes through here before it leaves the service, so
the privacy rules of `profiles.visibility` are applied in one place.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from profiles import een
from profiles.duplicates import LEGAL_FORMS
from profiles.name_mentions import NamedFirm, NameIndex
from profiles.tables import (
    AccountRow,
    AchievementRow,
    AuditRow,
    BidRow,
    FirmRow,
    InterestRow,
    JobRow,
    ProfileRow,
    ProposalRow,
    RequirementRow,
)
from profiles.taxonomy.vocabulary import load_vocabulary
from profiles.visibility import Viewer

# Distances in anonymous views are coarsened so repeated matches cannot pin a firm on the map.
ANONYMOUS_KM_STEP = 25


class HiddenNames:
    """Names of the firms one viewer may not see, found in any text however spelt, and replaced by aliases."""

    def __init__(self, index: NameIndex, clusters: dict[int, str | None], viewer: Viewer) -> None:
        self.index, self.clusters, self.viewer = index, clusters, viewer
        self._hidden: dict[int, bool] = {}

    def hidden(self, firm_id: int) -> bool:
        if firm_id not in self._hidden:
            self._hidden[firm_id] = not self.viewer.sees_identity(firm_id, self.clusters.get(firm_id))
        return self._hidden[firm_id]

    def text(self, value: str) -> str:
        return self.index.scrub(value, self.hidden) if value else value

    def record(self, value: Any) -> Any:
        """Every string of a nested record (dictionary keys included) with hidden names replaced."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.record(v) for v in value]
        if isinstance(value, dict):
            return {
                self.record(k): (self.terms(v) if k == "shared_terms" and isinstance(v, list) else self.record(v))
                for k, v in value.items()
            }
        return value

    def terms(self, words: list[Any]) -> list[Any]:
        """Shared words that are part of a hidden firm's name would point at it; leave them out."""
        return [w for w in words if not (isinstance(w, str) and any(map(self.hidden, self.index.firms_named_by(w))))]


@lru_cache(maxsize=8)
def name_index(firms: tuple[tuple[int, str, str], ...]) -> NameIndex:
    return NameIndex.build((NamedFirm(i, name, f"firm {alias}") for i, name, alias in firms), common_words())


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words of the capability vocabulary: a firm called "Anodising" must not blank out every anodising."""
    vocabulary = load_vocabulary()
    phrases = [p for c in vocabulary.concepts.values() for p in (c.label, *c.synonyms)]
    return frozenset(w for p in phrases for w in re.findall(r"\w+", p.casefold()))


def hidden_names(firms: list[tuple[int, str, str, str | None]], viewer: Viewer) -> HiddenNames:
    """The viewer's scrubber over (id, name, alias, cluster) of every exchange firm."""
    index = name_index(tuple((i, name, alias) for i, name, alias, _ in firms))
    return HiddenNames(index, {i: cluster for i, _, _, cluster in firms}, viewer)


def _names_of_others(names: HiddenNames | None) -> Callable[[str], str]:
    return names.text if names is not None else (lambda t: t)


def etag(content_hash: str) -> str:
    return f'"{content_hash[:32]}"'


def firm_view(firm: FirmRow, viewer: Viewer) -> dict[str, Any]:
    assert firm.id is not None
    out: dict[str, Any] = {
        "alias": firm.alias,
        "identity_visible": viewer.sees_identity(firm.id, firm.cluster),
        "country": firm.country,
        "size_class": firm.size_class,
        "kind": firm.kind,
        "nace": list(firm.nace),
        "capabilities": [dict(c) for c in firm.capabilities],
        "certifications": list(firm.certifications),
        "languages": list(firm.languages),
        "export_countries": list(firm.export_countries),
    }
    if out["identity_visible"]:
        out.update(
            key=firm.key,
            name=firm.name,
            city=firm.city,
            region=firm.region,
            lat=firm.lat,
            lon=firm.lon,
            employees=firm.employees,
            cluster=firm.cluster,
            website=firm.website,
            contact_name=firm.contact_name,
            contact_email=firm.contact_email,
            contact_phone=firm.contact_phone,
            max_concurrent_bids=firm.max_concurrent_bids,
            excluded_partners=list(firm.excluded_partners),
            version=etag(firm.content_hash),
            updated_at=firm.updated_at.isoformat(),
        )
    if viewer.manages(firm.id, firm.cluster):
        # VAT and registry numbers identify the firm beyond doubt: only those who manage it see them,
        # not even firms it was introduced to.
        out.update(vat_number=firm.vat_number, registry_number=firm.registry_number)
    return out


def effective_status(profile: ProfileRow, today: date) -> str:
    """The status a viewer is shown: a published profile that is no longer live is expired, even before
    the nightly run records it."""
    if profile.status == "published" and not een.is_live(profile, today):
        return "expired"
    return profile.status


@lru_cache(maxsize=4096)
def _identity_pattern(name: str, extras: tuple[str, ...]) -> re.Pattern[str]:
    """The firm's name (with and without its legal form), website, e-mail and phone, as one pattern."""
    words = name.split()
    short = " ".join(w for w in words if not LEGAL_FORMS.fullmatch(w.lower().replace("/", " ")))
    variants = {name, short} | {e for e in extras if e}
    if "://" in " ".join(variants):
        variants |= {v.split("://", 1)[1].strip("/") for v in variants if "://" in v}
    alternatives = sorted((re.escape(v) for v in variants if len(v) >= 3), key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def name_tokens(firm: FirmRow) -> set[str]:
    return {w.lower() for w in re.findall(r"\w+", firm.name) if len(w) >= 3}


def scrub(text: str, firm: FirmRow) -> str:
    """Published text with the firm's own name and contacts taken out: EEN profiles are anonymous,
    but firms do write "Limfjord Svejseteknik ApS has 35 employees" into their descriptions."""
    if not text:
        return text
    contacts = (firm.website or "", firm.contact_email or "", firm.contact_phone or "", firm.contact_name or "")
    return _scrubbed(text, firm.name, contacts, _identifiers(firm))


# Texts scrubbed before, by text and what was taken out of it: search pages show the same profiles again.
@lru_cache(maxsize=16_384)
def _scrubbed(text: str, name: str, contacts: tuple[str, ...], identifiers: tuple[str, ...]) -> str:
    return _without_identifiers(_identity_pattern(name, contacts).sub("the company", text), identifiers)


def _identifiers(firm: FirmRow) -> tuple[str, ...]:
    return tuple(v for v in (firm.vat_number, firm.registry_number) if v)


@lru_cache(maxsize=4096)
def _identifier_pattern(identifiers: tuple[str, ...]) -> re.Pattern[str] | None:
    """The firm's VAT and registry numbers however written: "DK12345678" also as "DK 12 34 56 78" or
    "dk-1234.5678" (stored numbers are normalised: no spaces, dots or dashes)."""
    separators = r"[\s.\-/]*"
    alternatives = sorted(
        (separators.join(re.escape(c) for c in value) for value in set(identifiers) if len(value) >= 4),
        key=len,
        reverse=True,
    )
    if not alternatives:
        return None
    return re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(alternatives) + r")(?![0-9A-Za-z])", re.IGNORECASE)


def scrub_identifiers(text: str, firm: FirmRow) -> str:
    """Text with the firm's VAT and registry numbers taken out: seen only by those who manage the firm."""
    if not text:
        return text
    return _without_identifiers(text, _identifiers(firm))


@lru_cache(maxsize=16_384)
def _without_identifiers(text: str, identifiers: tuple[str, ...]) -> str:
    pattern = _identifier_pattern(identifiers)
    return pattern.sub("[identifier withheld]", text) if pattern is not None else text


def profile_view(
    profile: ProfileRow, firm: FirmRow, viewer: Viewer, today: date, names: HiddenNames | None = None
) -> dict[str, Any]:
    """A profile as `viewer` may see it. Texts of a firm the viewer does not manage lose the firm's own
    name and contacts (unless introduced) and the names of every other firm hidden from the viewer."""
    assert firm.id is not None
    visible = viewer.sees_identity(firm.id, firm.cluster)
    shown = _texts_shown(firm, viewer, visible, names)
    out: dict[str, Any] = {
        "reference": profile.reference,
        "type": profile.type,
        "status": effective_status(profile, today),
        "title": shown(profile.title),
        "summary": shown(profile.summary),
        "description": shown(profile.description),
        "language": profile.language,
        "keywords": [shown(k) for k in profile.keywords],
        "capabilities": list(profile.capabilities),
        "partner_sought": shown(profile.partner_sought),
        "partnership_types": list(profile.partnership_types),
        "published_on": profile.published_on.isoformat() if profile.published_on else None,
        "expires_on": profile.expires_on.isoformat() if profile.expires_on else None,
        "country": firm.country,
        "size_class": firm.size_class,
        "firm_alias": firm.alias,
        "identity_visible": visible,
    }
    if visible:
        out.update(
            key=profile.key,
            firm=firm.key,
            firm_name=firm.name,
            extensions=profile.extensions,
            version=etag(profile.content_hash),
            updated_at=profile.updated_at.isoformat(),
        )
    return out


def _texts_shown(firm: FirmRow, viewer: Viewer, visible: bool, names: HiddenNames | None) -> Callable[[str], str]:
    assert firm.id is not None
    if viewer.manages(firm.id, firm.cluster):
        return lambda t: t  # the firm's own words, as its own people wrote them (and edit them)
    others = _names_of_others(names)
    if visible:
        return lambda t: others(scrub_identifiers(t, firm))
    return lambda t: others(scrub(t, firm))


def profile_brief(
    profile: ProfileRow, firm: FirmRow, viewer: Viewer, today: date, names: HiddenNames | None = None
) -> dict[str, Any]:
    """The few fields a list of matches or interests shows; the same rules as `profile_view`."""
    assert firm.id is not None
    visible = viewer.sees_identity(firm.id, firm.cluster)
    out: dict[str, Any] = {
        "reference": profile.reference,
        "type": profile.type,
        "status": effective_status(profile, today),
        "title": _texts_shown(firm, viewer, visible, names)(profile.title),
        "country": firm.country,
        "size_class": firm.size_class,
        "firm_alias": firm.alias,
        "identity_visible": visible,
    }
    if visible:
        out.update(key=profile.key, firm=firm.key, firm_name=firm.name)
    return out


def _coarsen(components: dict[str, Any]) -> dict[str, Any]:
    geo = components.get("geography")
    if not geo or "km" not in (geo.get("evidence") or {}):
        return components
    km = geo["evidence"]["km"]
    coarse = dict(geo, evidence=dict(geo["evidence"], km=int(round(km / ANONYMOUS_KM_STEP) * ANONYMOUS_KM_STEP)))
    return dict(components, geography=coarse)


def match_view(
    match: dict[str, Any],
    other: ProfileRow,
    other_firm: FirmRow,
    viewer: Viewer,
    today: date,
    names: HiddenNames | None = None,
) -> dict[str, Any]:
    assert other_firm.id is not None
    visible = viewer.sees_identity(other_firm.id, other_firm.cluster)
    components, explanation = match["components"], match["explanation"]
    if not visible:
        components = _without_direct_ties(_without_name_terms(_coarsen(components), other_firm))
        explanation = _without_direct_ties(_without_name_terms(explanation, other_firm))
    if names is not None:
        components, explanation = names.record(components), names.record(explanation)
    return {
        "rank": match["rank"],
        "score": match["score"],
        "kind": match.get("kind") or "",
        "components": components,
        "explanation": explanation,
        "other": profile_brief(other, other_firm, viewer, today, names),
    }


def _without_direct_ties(record: dict[str, Any]) -> dict[str, Any]:
    """Work done together or supply between the two firms would tell the viewer who an anonymous firm
    is; only shared partners ("both supply Südwerk") stay in words until an introduction is agreed."""

    def shared(lines: list) -> list:
        return [t for t in lines if isinstance(t, str) and (t.startswith("both ") or "shared partner" in t)]

    out = dict(record)
    if isinstance(out.get("ties"), list):  # an explanation
        out["ties"] = shared(out["ties"])
    rel = out.get("relationship")
    if isinstance(rel, dict) and isinstance(rel.get("evidence"), dict):  # the components
        evidence = {k: v for k, v in rel["evidence"].items() if k not in ("direct", "supplies")}
        evidence["ties"] = shared(evidence.get("ties", []))
        out["relationship"] = {**rel, "evidence": evidence}
    return out


def _without_name_terms(record: dict[str, Any], firm: FirmRow) -> dict[str, Any]:
    """Shared words that are part of the other firm's name would name it; leave them out."""
    tokens = name_tokens(firm)

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (
                    [t for t in v if not (isinstance(t, str) and t.lower() in tokens)]
                    if k == "shared_terms" and isinstance(v, list)
                    else clean(v)
                )
                for k, v in value.items()
            }
        return value

    return clean(record)


def requirement_view(r: RequirementRow) -> dict[str, Any]:
    return {
        "key": r.key,
        "capability": r.capability,
        "mandatory": r.mandatory,
        "certifications": list(r.certifications),
        "volume_per_year": r.volume_per_year,
        "min_fit": r.min_fit,
        "weight": r.weight,
    }


def bid_view(bid: BidRow, requirements: list[RequirementRow]) -> dict[str, Any]:
    return {
        "key": bid.key,
        "title": bid.title,
        "customer": bid.customer,
        "customer_country": bid.customer_country,
        "delivery_country": bid.delivery_country,
        "description": bid.description,
        "deadline": bid.deadline.isoformat() if bid.deadline else None,
        "volume_per_year": bid.volume_per_year,
        "status": bid.status,
        "min_size": bid.min_size,
        "max_size": bid.max_size,
        "min_countries": bid.min_countries,
        "max_per_country": bid.max_per_country,
        "required_kinds": list(bid.required_kinds),
        "lead": dict(bid.lead),
        "excluded_firms": list(bid.excluded_firms),
        "excluded_pairs": [list(p) for p in bid.excluded_pairs],
        "locked_firms": list(bid.locked_firms),
        "cluster": bid.cluster,
        "requirements": [requirement_view(r) for r in sorted(requirements, key=lambda r: r.position)],
        "version": etag(bid.content_hash),
        "updated_at": bid.updated_at.isoformat(),
    }


def _replace_strings(value: Any, replacements: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in replacements:
            if old in value:
                value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replace_strings(v, replacements) for v in value]
    if isinstance(value, dict):
        return {_replace_strings(k, replacements): _replace_strings(v, replacements) for k, v in value.items()}
    return value


def _strings(value: Any) -> list[str]:
    """Every string in a nested record, dictionary keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    return []


def redactions(firms: list[FirmRow], viewer: Viewer) -> list[tuple[str, str]]:
    """(identity text, alias) for every firm whose identity the viewer may not see, longest first,
    so a name inside a longer name is replaced after the longer one."""
    pairs: list[tuple[str, str]] = []
    for f in firms:
        assert f.id is not None
        if viewer.sees_identity(f.id, f.cluster):
            continue
        label = f"firm {f.alias} ({f.country})"
        pairs += [(f.name, label), (f.key, f.alias)]
    return sorted(pairs, key=lambda p: -len(p[0]))


def redact(value: Any, firms: list[FirmRow], viewer: Viewer) -> Any:
    """Replace every hidden firm's name and key anywhere in a nested record by its alias,
    and drop the city of hidden proposal members."""
    pairs = redactions(firms, viewer)
    if not pairs:
        return value
    names = hidden_names([(f.id, f.name, f.alias, f.cluster) for f in firms if f.id is not None], viewer)
    # Only the names that occur somewhere in the record are replaced string by string; testing
    # thousands of hidden firms against every string made large exchanges slow.
    text = "\x00".join(_strings(value))
    pairs = [(old, new) for old, new in pairs if old in text]
    value = copy.deepcopy(value)
    hidden = {f.key for f in firms if f.id is not None and not viewer.sees_identity(f.id, f.cluster)}
    if isinstance(value, dict):
        # a proposal has a plan; a document's outcome has proposals with plans
        plans = [value["plan"]] if "plan" in value else [p["plan"] for p in value.get("proposals", [])]
        for m in (m for plan in plans for m in plan.get("members", [])):
            if m.get("firm") in hidden:
                m["city"] = None
    return names.record(_replace_strings(value, pairs))


def proposal_view(row: ProposalRow, bid_key: str, firms: list[FirmRow], viewer: Viewer) -> dict[str, Any]:
    out = {
        "id": row.id,
        "bid": bid_key,
        "batch": row.batch,
        "rank": row.rank,
        "status": row.status,
        "feasible": row.feasible,
        "objective": row.objective,
        "solver": row.solver,
        "solver_status": row.solver_status,
        "gap": row.gap,
        "solve_seconds": row.solve_seconds,
        "plan": row.plan,
        "explanation": row.explanation,
        "note": row.note,
        "created_at": row.created_at.isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "flags": row.flags or {},
    }
    return redact(out, firms, viewer)


def interest_view(
    row: InterestRow,
    profile: ProfileRow,
    owner: FirmRow,
    sender: FirmRow,
    sender_profile: ProfileRow | None,
    viewer: Viewer,
    today: date,
    names: HiddenNames | None = None,
) -> dict[str, Any]:
    assert owner.id is not None and sender.id is not None
    introduced = row.status == "accepted"
    others = _names_of_others(names)
    out: dict[str, Any] = {
        "id": row.id,
        "status": row.status,
        "message": others(row.message),
        # each side's note is internal to it
        "note": others(row.note) if viewer.manages(owner.id, owner.cluster) else "",
        "sender_note": others(row.sender_note) if viewer.manages(sender.id, sender.cluster) else "",
        "profile": profile_brief(profile, owner, viewer, today, names),
        "sender": _party(sender, viewer, introduced),
        "owner": _party(owner, viewer, introduced),
        "sender_profile": profile_brief(sender_profile, sender, viewer, today, names) if sender_profile else None,
        "created_at": row.created_at.isoformat(),
        "forwarded_at": row.forwarded_at.isoformat() if row.forwarded_at else None,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
    }
    return out


def _party(firm: FirmRow, viewer: Viewer, introduced: bool) -> dict[str, Any]:
    assert firm.id is not None
    out: dict[str, Any] = {"alias": firm.alias, "country": firm.country, "size_class": firm.size_class}
    # After an accepted introduction both sides see each other; until then each sees only its own side.
    if introduced or viewer.sees_identity(firm.id, firm.cluster):
        out.update(
            key=firm.key,
            name=firm.name,
            website=firm.website,
            contact_name=firm.contact_name,
            contact_email=firm.contact_email,
            contact_phone=firm.contact_phone,
            city=firm.city,
        )
    return out


def account_view(row: AccountRow, firm_key: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "username": row.username,
        "role": row.role,
        "firm": firm_key,
        "cluster": row.cluster,
        "email": row.email,
        "active": row.active,
        "locked": row.locked_at is not None,
        "failed_sign_ins": row.failed_sign_ins,
        "created_at": row.created_at.isoformat(),
    }


def audit_view(row: AuditRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "actor": row.actor,
        "action": row.action,
        "entity": row.entity,
        "key": row.entity_key,
        "detail": row.detail,
    }


def job_view(row: JobRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "subject": row.subject,
        "params": row.params,
        "result": row.result,
        "error": row.error or None,
        "created_at": row.created_at.isoformat(),
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }


def achievement_view(
    row: AchievementRow,
    firm: FirmRow,
    partner: FirmRow | None,
    viewer: Viewer,
    recorded_by: str,
    names: HiddenNames | None = None,
) -> dict[str, Any]:
    """A partnering achievement. The partner (and the firm) appear by alias unless the viewer may see
    them, e.g. after an agreed introduction; contact details never appear here."""
    assert firm.id is not None
    others = _names_of_others(names)
    note = row.note
    if partner is not None and partner.id is not None and not viewer.manages(partner.id, partner.cluster):
        note = (
            scrub_identifiers(note, partner)
            if viewer.sees_identity(partner.id, partner.cluster)
            else scrub(note, partner)
        )
    if partner is not None:
        shown_partner = _achievement_party(partner, viewer)
    else:
        shown_partner = {"in_exchange": False, "name": others(row.partner_name)}
    return {
        "id": row.id,
        "agreement_type": row.agreement_type,
        "signed_on": row.signed_on.isoformat(),
        "note": others(note),
        "firm": _achievement_party(firm, viewer),
        "partner": shown_partner,
        "interest_id": row.interest_id,
        "proposal_id": row.proposal_id,
        "recorded_by": recorded_by,
        "recorded_at": row.recorded_at.isoformat(),
        "cluster": row.cluster if viewer.sees_identity(firm.id, firm.cluster) else None,
    }


def _achievement_party(firm: FirmRow, viewer: Viewer) -> dict[str, Any]:
    assert firm.id is not None
    out: dict[str, Any] = {
        "in_exchange": True,
        "alias": firm.alias,
        "country": firm.country,
        "size_class": firm.size_class,
    }
    if viewer.sees_identity(firm.id, firm.cluster):
        out.update(key=firm.key, name=firm.name)
    return out
