"""Conversions between domain records and table rows, and stable content hashes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields
from datetime import date
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.engine import Row

from .domain import (
    Bid,
    BidStatus,
    Capability,
    Firm,
    FirmKind,
    LeadCriteria,
    Profile,
    ProfileStatus,
    ProfileType,
    Requirement,
    SizeClass,
)
from .tables import BidRow, FirmRow, ProfileRow, RequirementRow
from .taxonomy.vocabulary import Vocabulary, load_vocabulary


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_plain(record: Firm | Profile | Bid | Requirement) -> dict[str, Any]:
    """JSON-ready dict of a record (enums as values, dates ISO)."""
    return _plain(asdict(record))


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _flat_plain(record: Firm | Profile) -> dict[str, Any]:
    """`to_plain` of a firm or profile without `asdict`'s deep copies (the same dict): what the bulk import
    computes once per record for both its columns and its hash."""
    out: dict[str, Any] = {}
    for name in _field_names(type(record)):
        value = getattr(record, name)
        if isinstance(value, tuple):
            out[name] = [
                {"phrase": v.phrase, "capacity_per_year": v.capacity_per_year} if isinstance(v, Capability) else v
                for v in value
            ]
        elif isinstance(value, date):
            out[name] = value.isoformat()
        elif isinstance(value, dict):
            out[name] = _plain(value)
        else:
            out[name] = value
    return out


# Fields added later that count in a record's hash only when set, so the hash of a record without them
# (and so every stored hash) stays what it was.
_HASHED_WHEN_SET = ("vat_number", "registry_number", "een")


# What json.dumps(plain, sort_keys=True, ensure_ascii=False, separators=(",", ":")) writes, without building
# an encoder for every record.
_HASH_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(record: Firm | Profile | Bid) -> str:
    return _hash_of_plain(to_plain(record))


def _hash_of_plain(plain: dict[str, Any], no_floats: bool = False) -> str:
    """`no_floats`: the record holds only text, whole numbers, booleans and None (in lists and dicts), which
    orjson writes byte for byte as `_HASH_JSON` does, in a tenth of the time; a float's digits may differ."""
    plain = dict(plain)
    for name in _HASHED_WHEN_SET:
        if name in plain and plain[name] is None:
            del plain[name]
    if no_floats:
        return hashlib.sha256(orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)).hexdigest()
    text = _HASH_JSON.encode(plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# concepts stored for filtering ------------------------------------------------
def _known_concepts(phrases: Any, vocabulary: Vocabulary) -> list[str]:
    """Concept ids of the phrases with their ancestors, so a filter on "machining" finds "CNC milling"."""
    return list(_concepts_of(tuple(phrases), vocabulary))


# Imports repeat the same phrase lists (a firm's profiles, a cluster's spreadsheet): each distinct list is
# normalised once. Bounded, so a long-running server does not grow with every list it ever saw.
@lru_cache(maxsize=16_384)
def _concepts_of(phrases: tuple[str, ...], vocabulary: Vocabulary) -> tuple[str, ...]:
    out: set[str] = set()
    for phrase in phrases:
        out.update(_phrase_concepts(phrase, vocabulary))
    return tuple(sorted(out))


# Lists of a large import are mostly new, their phrases are not: each phrase is normalised once.
@lru_cache(maxsize=65_536)
def _phrase_concepts(phrase: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    concept = vocabulary.normalise(phrase).concept_id
    return () if concept is None else (concept, *vocabulary.ancestors(concept))


def firm_concepts(capability_phrases: Any, certifications: Any, vocabulary: Vocabulary) -> list[str]:
    return _known_concepts(list(capability_phrases) + list(certifications), vocabulary)


def profile_concepts(capabilities: Any, keywords: Any, vocabulary: Vocabulary) -> list[str]:
    return _known_concepts(list(capabilities) + list(keywords), vocabulary)


# firm ----------------------------------------------------------------------
def firm_columns(firm: Firm) -> dict[str, Any]:
    return _firm_columns(firm, to_plain(firm))


def firm_columns_and_hash(firm: Firm) -> tuple[dict[str, Any], str]:
    """A firm's columns and its content hash from one conversion (what `firm_columns` and `content_hash` give)."""
    plain = _flat_plain(firm)
    return _firm_columns(firm, dict(plain)), _hash_of_plain(plain)


def _firm_columns(firm: Firm, plain: dict[str, Any]) -> dict[str, Any]:
    plain["capabilities"] = [{"phrase": c.phrase, "capacity_per_year": c.capacity_per_year} for c in firm.capabilities]
    plain["size_class"] = firm.size_class.value if firm.size_class else None
    plain["kind"] = firm.kind.value
    plain["concepts"] = firm_concepts([c.phrase for c in firm.capabilities], firm.certifications, load_vocabulary())
    return plain


def firm_from_row(row: FirmRow | Row[Any]) -> Firm:
    return Firm(
        key=row.key,
        name=row.name,
        country=row.country,
        city=row.city,
        region=row.region,
        lat=row.lat,
        lon=row.lon,
        employees=row.employees,
        size_class=SizeClass(row.size_class) if row.size_class else None,
        kind=FirmKind(row.kind),
        nace=tuple(row.nace),
        capabilities=tuple(Capability(c["phrase"], c.get("capacity_per_year")) for c in row.capabilities),
        certifications=tuple(row.certifications),
        languages=tuple(row.languages),
        export_countries=tuple(row.export_countries),
        max_concurrent_bids=row.max_concurrent_bids,
        cluster=row.cluster,
        excluded_partners=tuple(row.excluded_partners),
        website=row.website,
        contact_name=row.contact_name,
        contact_email=row.contact_email,
        contact_phone=row.contact_phone,
        vat_number=row.vat_number,
        registry_number=row.registry_number,
    )


# profile -------------------------------------------------------------------
def profile_columns(profile: Profile) -> dict[str, Any]:
    return _profile_columns(profile, to_plain(profile))


def profile_columns_and_hash(
    profile: Profile, concepts: list[str] | None = None, reference: str | None = None
) -> tuple[dict[str, Any], str]:
    """A profile's columns and its content hash from one conversion; `concepts`, when given, are its
    `profile_concepts`, worked out before (by the process that validated it); `reference`, when given, is
    the EEN reference it is published under (as if it were the profile's own)."""
    plain = _flat_plain(profile)
    if reference is not None:
        plain["reference"] = reference
    # Every field of a profile is text, a date (as text) or a list of text; only the network's record may not be.
    return _profile_columns(profile, dict(plain), concepts), _hash_of_plain(plain, no_floats=profile.een is None)


def _profile_columns(profile: Profile, plain: dict[str, Any], concepts: list[str] | None = None) -> dict[str, Any]:
    plain.pop("firm_key")
    plain["type"] = profile.type.value
    plain["status"] = profile.status.value
    plain["published_on"] = profile.published_on
    plain["expires_on"] = profile.expires_on
    if concepts is None:
        concepts = profile_concepts(profile.capabilities, profile.keywords, load_vocabulary())
    plain["concepts"] = concepts
    return plain


def profile_from_row(row: ProfileRow | Row[Any], firm_key: str) -> Profile:
    return Profile(
        key=row.key,
        firm_key=firm_key,
        type=ProfileType(row.type),
        title=row.title,
        summary=row.summary,
        description=row.description,
        language=row.language,
        keywords=tuple(row.keywords),
        capabilities=tuple(row.capabilities),
        partner_sought=row.partner_sought,
        partnership_types=tuple(row.partnership_types),
        status=ProfileStatus(row.status),
        reference=row.reference,
        published_on=row.published_on,
        expires_on=row.expires_on,
        een=row.een,
    )


# bid -----------------------------------------------------------------------
def bid_columns(bid: Bid) -> dict[str, Any]:
    plain = to_plain(bid)
    plain.pop("requirements")
    plain["status"] = bid.status.value
    plain["deadline"] = bid.deadline
    plain["required_kinds"] = [k.value for k in bid.required_kinds]
    plain["excluded_pairs"] = [list(p) for p in bid.excluded_pairs]
    return plain


def requirement_columns(req: Requirement, position: int) -> dict[str, Any]:
    plain = to_plain(req)
    plain["position"] = position
    return plain


def bid_from_rows(row: BidRow, requirements: list[RequirementRow]) -> Bid:
    lead = row.lead or {}
    return Bid(
        key=row.key,
        title=row.title,
        customer=row.customer,
        customer_country=row.customer_country,
        delivery_country=row.delivery_country,
        requirements=tuple(
            Requirement(
                key=r.key,
                capability=r.capability,
                mandatory=r.mandatory,
                certifications=tuple(r.certifications),
                volume_per_year=r.volume_per_year,
                min_fit=r.min_fit,
                weight=r.weight,
            )
            for r in sorted(requirements, key=lambda r: r.position)
        ),
        description=row.description,
        deadline=row.deadline,
        volume_per_year=row.volume_per_year,
        status=BidStatus(row.status),
        min_size=row.min_size,
        max_size=row.max_size,
        min_countries=row.min_countries,
        max_per_country=row.max_per_country,
        required_kinds=tuple(FirmKind(k) for k in row.required_kinds),
        lead=LeadCriteria(
            certifications=tuple(lead.get("certifications", ())),
            export_experience=bool(lead.get("export_experience", False)),
            languages=tuple(lead.get("languages", ())),
        ),
        excluded_firms=tuple(row.excluded_firms),
        excluded_pairs=tuple((p[0], p[1]) for p in row.excluded_pairs),
        locked_firms=tuple(row.locked_firms),
        cluster=row.cluster,
    )
