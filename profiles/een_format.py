"""Profiles in the network's own shape: EEN web-service records in and out, without losing anything.

Reading: `from_een` turns one EEN record into the raw profile row (and, when the record names its client
organisation, the raw firm row) that the ordinary validators take, plus the network's own rules on it
(limits, keyword counts, partnership types allowed per profile type). The whole record is kept with the
profile (`Profile.een`), so fields partnermatch has no column for travel with it.

Writing: `to_een` starts from the kept record and writes back only the fields whose partnermatch value no
longer is what the record maps to, so a profile imported and exported unchanged is the record it came
from, field for field; a profile that never came from the network gets a record built from its columns.

What maps where (network → partnermatch):

* `reference` → `reference` (and the key, lower-cased, for records without a key of their own), `profileType`
  → `type`, `title`, `shortSummary` → `summary`, `description`, `expectedRoleOfThePartner` →
  `partner_sought`, `publicationDate` / `expirationDate` → `published_on` / `expires_on` (their date part).
* `technologyKeywords` then `marketKeywords` → `keywords`; on the way out each keyword goes back to the list
  it came from, new ones to the technology list while it has room (5), then the market list.
* `typesOfPartnership` → `partnership_types` through `PARTNERSHIPS_IN`; investment agreements have no
  partnermatch equivalent and are only kept in the record. On the way out partnermatch types are mapped
  back through `PARTNERSHIPS_OUT` and filtered to those the profile type allows.
* `profileStatus` → `status` through `STATUS_IN` (the twelve network statuses onto four); on the way out a
  status that still maps from the kept one keeps it (UNDER_REVIEW stays UNDER_REVIEW), otherwise
  `STATUS_OUT`.
* `advantagesAndInnovation` and `technicalSpecificationOrExpertiseSought` have no column: they stay in the
  record and count in the profile's text for matching (`Profile.text`).
* Everything else (`sdgKeywords`, the R&D request block, `openForEOI`, `attachments`, `videoPitch`, …) is
  kept and exported again as it came.
* `partnerOrganisationCountry` is the firm's country. Network records are anonymous; a record may carry
  the client organisation as the sending office knows it in `organisation` (name, city, website,
  vatNumber, registryNumber, key), which partnermatch reads as the firm row. Without it the profile belongs
  to a firm of its own, keyed `een-<reference>`, until an advisor merges it with the firm it really is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .domain import EEN_TEXTS, Profile, ProfileStatus, ProfileType
from .errors import RowError
from .validation import validate_profile

REFERENCE = re.compile(r"(?:BO|BR|TO|TR|RDR)[A-Z]{2}[0-9]{8,14}")

# Network limits (characters) of the texts partnermatch maps and of those it only keeps.
TEXT_LIMITS = {
    "title": 256,
    "shortSummary": 500,
    "description": 4000,
    "expectedRoleOfThePartner": 4000,
    "advantagesAndInnovation": 2000,
    "technicalSpecificationOrExpertiseSought": 2000,
}
KEYWORD_LISTS = ("technologyKeywords", "marketKeywords")
MAX_KEYWORDS = 5  # per list
MATCHED_TEXTS = EEN_TEXTS

STATUS_IN: dict[str, ProfileStatus] = {
    "DRAFT": ProfileStatus.DRAFT,
    "DRAFT_ACCEPTED": ProfileStatus.DRAFT,
    "DRAFT_REJECTED": ProfileStatus.DRAFT,
    "CLIENT_VALIDATION_PENDING": ProfileStatus.DRAFT,
    "UNDER_REVIEW": ProfileStatus.DRAFT,
    "UNDER_VALIDATION": ProfileStatus.DRAFT,
    "FLAGGED": ProfileStatus.DRAFT,
    "ON_HOLD": ProfileStatus.DRAFT,
    "REJECTED": ProfileStatus.WITHDRAWN,
    "PUBLISHED": ProfileStatus.PUBLISHED,
    "EXPIRED": ProfileStatus.EXPIRED,
    "ARCHIVED": ProfileStatus.WITHDRAWN,
}
STATUS_OUT: dict[ProfileStatus, str] = {
    ProfileStatus.DRAFT: "DRAFT",
    ProfileStatus.PUBLISHED: "PUBLISHED",
    ProfileStatus.EXPIRED: "EXPIRED",
    ProfileStatus.WITHDRAWN: "ARCHIVED",
}

# The network's partnership types (folded to lower case), which profile types they are advised for, and
# the partnermatch type each reads as (None: no equivalent, kept in the record only).
COMMERCIAL, INVESTMENT, OUTSOURCING, SUPPLIER = (
    "commercial agreement",
    "investment agreement",
    "outsourcing agreement",
    "supplier agreement",
)
TECHNICAL_ASSISTANCE = "commercial agreement with technical assistance"
RESEARCH = "research and development cooperation agreement"
ALLOWED_PARTNERSHIPS: dict[ProfileType, tuple[str, ...]] = {
    ProfileType.BUSINESS_OFFER: (COMMERCIAL, INVESTMENT, OUTSOURCING, SUPPLIER),
    ProfileType.BUSINESS_REQUEST: (COMMERCIAL, INVESTMENT, OUTSOURCING, SUPPLIER),
    ProfileType.TECHNOLOGY_OFFER: (INVESTMENT, TECHNICAL_ASSISTANCE, RESEARCH),
    ProfileType.TECHNOLOGY_REQUEST: (INVESTMENT, TECHNICAL_ASSISTANCE, RESEARCH),
    ProfileType.RD_REQUEST: (RESEARCH,),
}
SHORT_NAMES = {
    "commercial": COMMERCIAL,
    "investment": INVESTMENT,
    "outsourcing": OUTSOURCING,
    "supplier": SUPPLIER,
    "commercial with technical assistance": TECHNICAL_ASSISTANCE,
    "r&d cooperation": RESEARCH,
    "research and development cooperation": RESEARCH,
    "r&d cooperation agreement": RESEARCH,
}
PARTNERSHIPS_IN: dict[str, str | None] = {
    COMMERCIAL: "commercial agreement",
    INVESTMENT: None,
    OUTSOURCING: "subcontracting",
    SUPPLIER: "supplier agreement",
    TECHNICAL_ASSISTANCE: "technical cooperation",
    RESEARCH: "research cooperation",
}
# partnermatch → network, for profiles edited or made in partnermatch; several types fold into one.
PARTNERSHIPS_OUT: dict[str, str] = {
    "commercial agreement": COMMERCIAL,
    "distribution agreement": COMMERCIAL,
    "subcontracting": OUTSOURCING,
    "manufacturing agreement": OUTSOURCING,
    "services agreement": OUTSOURCING,
    "supplier agreement": SUPPLIER,
    "joint venture": INVESTMENT,
    "acquisition": INVESTMENT,
    "technical cooperation": TECHNICAL_ASSISTANCE,
    "licence agreement": TECHNICAL_ASSISTANCE,
    "research cooperation": RESEARCH,
}
ORGANISATION_FIELDS = {
    "key": "key",
    "name": "name",
    "city": "city",
    "website": "website",
    "vatNumber": "vat_number",
    "registryNumber": "registry_number",
}


def is_een_record(item: Any) -> bool:
    """A record in the network's field names (what tells the two formats apart in one file)."""
    return isinstance(item, Mapping) and "profileType" in item


@dataclass(frozen=True)
class EenRows:
    """One network record read as partnermatch rows; `firm` is None when the record names no organisation."""

    profile: dict[str, Any]
    firm: dict[str, Any]
    errors: tuple[RowError, ...] = ()


PLACEHOLDER_NAME = "Client of network profile "


def placeholder_firm_key(reference: str) -> str:
    return f"een-{reference.lower()}"


def is_placeholder(firm_key: str, name: str) -> bool:
    """A firm standing for an anonymous record's unknown client: it has no name to compare with others."""
    return firm_key.startswith("een-") and name.startswith(PLACEHOLDER_NAME)


def _day(value: Any) -> Any:
    """The date part of a network date or date-time ("2026-03-01T09:12:00Z" → "2026-03-01"); others as given."""
    if isinstance(value, str) and len(value) > 10 and value[4:5] == "-" and value[10:11] in ("T", " "):
        return value[:10]
    return value


def _partnership(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    folded = " ".join(value.lower().split())
    return SHORT_NAMES.get(folded, folded)


def _check_network_rules(record: Mapping[str, Any], row: str, errors: list[RowError]) -> None:
    for name, limit in TEXT_LIMITS.items():
        value = record.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors.append(RowError(row, name, value, f"at most {limit} characters in the network's rules"))
    for name in KEYWORD_LISTS:
        value = record.get(name)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
            errors.append(RowError(row, name, value, "must be a list of keywords (text)"))
        elif len(value) > MAX_KEYWORDS:
            errors.append(RowError(row, name, value, f"at most {MAX_KEYWORDS} keywords in the network's rules"))
    status = record.get("profileStatus")
    if status is not None and status not in STATUS_IN:
        errors.append(
            RowError(row, "profileStatus", status, f"not a network status; expected one of {list(STATUS_IN)}")
        )
    reference = record.get("reference")
    if reference is not None and not (isinstance(reference, str) and REFERENCE.fullmatch(reference)):
        errors.append(
            RowError(
                row,
                "reference",
                reference,
                "not a network reference (e.g. BODK20261121001: type, country, date and serial)",
            )
        )
    types = record.get("typesOfPartnership")
    if types is None:
        return
    if not isinstance(types, list):
        errors.append(RowError(row, "typesOfPartnership", types, "must be a list"))
        return
    try:
        allowed = ALLOWED_PARTNERSHIPS[ProfileType(str(record.get("profileType")))]
    except ValueError:
        return  # the profile type's own error says it
    for value in types:
        folded = _partnership(value)
        if folded not in PARTNERSHIPS_IN:
            errors.append(
                RowError(
                    row,
                    "typesOfPartnership",
                    value,
                    f"not a network partnership type; expected one of {sorted(PARTNERSHIPS_IN)}",
                )
            )
        elif folded not in allowed:
            errors.append(
                RowError(
                    row,
                    "typesOfPartnership",
                    value,
                    f"not for {record.get('profileType')} profiles; use one of {list(allowed)}",
                )
            )


def from_een(record: Mapping[str, Any], row: str, key: str | None = None) -> EenRows:
    """Rows for the validators from one network record; `key` is the profile's key when it is known already
    (a profile with this reference is stored), else the lower-cased reference."""
    errors: list[RowError] = []
    _check_network_rules(record, row, errors)
    reference = record.get("reference")
    status = STATUS_IN.get(record.get("profileStatus") or "DRAFT", ProfileStatus.DRAFT)
    country = record.get("partnerOrganisationCountry")
    organisation = record.get("organisation")
    if organisation is not None and not isinstance(organisation, Mapping):
        errors.append(RowError(row, "organisation", organisation, "must be an object (name, city, website, ...)"))
        organisation = None
    if not isinstance(reference, str) or not reference:
        errors.append(RowError(row, "reference", reference, "a network record needs its reference"))
        reference = ""
    firm: dict[str, Any] = {"country": country, "kind": "company"}
    if organisation:
        firm |= {ours: organisation[theirs] for theirs, ours in ORGANISATION_FIELDS.items() if theirs in organisation}
        firm.setdefault("key", placeholder_firm_key(reference))
        unknown = sorted(set(organisation) - set(ORGANISATION_FIELDS))
        if unknown:
            errors.append(
                RowError(
                    row, "organisation", unknown, f"unknown organisation fields; expected {sorted(ORGANISATION_FIELDS)}"
                )
            )
    else:
        firm |= {"key": placeholder_firm_key(reference), "name": PLACEHOLDER_NAME + reference}
    keywords = [k for name in KEYWORD_LISTS for k in (record.get(name) or []) if isinstance(k, str)]
    partnerships = []
    for value in record.get("typesOfPartnership") or []:
        ours = PARTNERSHIPS_IN.get(_partnership(value) or "")
        if ours is not None and ours not in partnerships:
            partnerships.append(ours)
    profile: dict[str, Any] = {
        "key": key or reference.lower(),
        "firm": firm["key"],
        "type": record.get("profileType"),
        "title": record.get("title"),
        "summary": record.get("shortSummary"),
        "description": record.get("description") or "",
        "language": "en",  # the network's profiles are written in English
        "keywords": keywords,
        "partner_sought": record.get("expectedRoleOfThePartner") or "",
        "partnership_types": partnerships,
        "status": status.value,
        "een": dict(record),
    }
    # A partnermatch draft carries no reference or dates; the record keeps them for the network.
    if status != ProfileStatus.DRAFT:
        profile |= {
            "reference": reference or None,
            "published_on": _day(record.get("publicationDate")),
            "expires_on": _expiry(record),
        }
    return EenRows(profile, firm, tuple(errors))


def _expiry(record: Mapping[str, Any]) -> Any:
    """The expiry date; an R&D request ends with its call when the call closes first."""
    expires = _day(record.get("expirationDate"))
    call = _day(record.get("deadlineOfTheCall"))
    if record.get("profileType") == ProfileType.RD_REQUEST.value and isinstance(call, str):
        try:
            if expires is None or date.fromisoformat(call) < date.fromisoformat(str(expires)):
                return call
        except ValueError:
            pass  # a malformed date is reported by validation (expirationDate) or kept as the record has it
    return expires


# writing ---------------------------------------------------------------------------
def _split_keywords(keywords: tuple[str, ...], kept: Mapping[str, Any]) -> dict[str, list[str]]:
    home = {k: name for name in KEYWORD_LISTS for k in (kept.get(name) or []) if isinstance(k, str)}
    out: dict[str, list[str]] = {name: [] for name in KEYWORD_LISTS}
    for k in keywords:
        name = home.get(k)
        if name is None:
            name = next((n for n in KEYWORD_LISTS if len(out[n]) < MAX_KEYWORDS), None)
        if name is not None and len(out[name]) < MAX_KEYWORDS:
            out[name].append(k)
    return out


def _partnerships_out(profile: Profile, kept: Mapping[str, Any]) -> list[str]:
    allowed = ALLOWED_PARTNERSHIPS[profile.type]
    # Types partnermatch has no equivalent for (investment) stay as the record had them, and each type is
    # written as the record spelled it, else as the network does ("Supplier agreement").
    spelled = {_partnership(v): v for v in kept.get("typesOfPartnership") or [] if isinstance(v, str)}
    folded = [f for f in spelled if f in PARTNERSHIPS_IN and PARTNERSHIPS_IN[f] is None]
    for ours in profile.partnership_types:
        theirs = PARTNERSHIPS_OUT.get(ours)
        if theirs is not None and theirs in allowed and theirs not in folded:
            folded.append(theirs)
    return [spelled.get(f) or f[0].upper() + f[1:] for f in folded if f]


def _when(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + ("" if value.tzinfo else "Z")
    return value.isoformat()


MAPPED = (
    "reference",
    "type",
    "title",
    "summary",
    "description",
    "partner_sought",
    "published_on",
    "expires_on",
    "keywords",
    "partnership_types",
    "status",
)


def changed_fields(profile: Profile, as_imported: Profile | None) -> set[str]:
    """The mapped fields where the profile is no longer what its kept record reads as (all without one)."""
    if as_imported is None:
        return set(MAPPED)
    return {name for name in MAPPED if getattr(profile, name) != getattr(as_imported, name)}


def to_een(
    profile: Profile,
    country: str,
    created: datetime | None,
    modified: datetime | None,
    as_imported: Profile | None,
) -> dict[str, Any]:
    """The network record of a profile. `as_imported` is what the kept record (`profile.een`) reads as
    (`validation.validate_profile` of `from_een(profile.een)`), None when there is no record; fields where
    the profile still equals it are written exactly as the record had them."""
    kept: Mapping[str, Any] = profile.een or {}
    out: dict[str, Any] = dict(kept)
    changed = changed_fields(profile, as_imported)
    simple = {
        "reference": ("reference", profile.reference),
        "type": ("profileType", profile.type.value),
        "title": ("title", profile.title),
        "summary": ("shortSummary", profile.summary),
        "description": ("description", profile.description),
        "partner_sought": ("expectedRoleOfThePartner", profile.partner_sought),
        "published_on": ("publicationDate", _when(profile.published_on)),
        "expires_on": ("expirationDate", _when(profile.expires_on)),
    }
    for ours, (theirs, value) in simple.items():
        if ours in changed and (value not in (None, "") or theirs in kept):
            out[theirs] = value
    if "keywords" in changed:
        for name, words in _split_keywords(profile.keywords, kept).items():
            if words or name in kept:
                out[name] = words
    if "partnership_types" in changed:
        out["typesOfPartnership"] = _partnerships_out(profile, kept)
    if "status" in changed:
        kept_status = kept.get("profileStatus")
        mapped = STATUS_IN.get(kept_status) if isinstance(kept_status, str) else None
        out["profileStatus"] = kept_status if mapped == profile.status else STATUS_OUT[profile.status]
    if as_imported is None:
        out["partnerOrganisationCountry"] = country
        if created is not None:
            out["created"] = _when(created)
    if changed and modified is not None:
        out["lastModified"] = _when(modified)
    return out


def record_key(record: Mapping[str, Any]) -> tuple[str, str]:
    """Order of records in a feed: last modified, then reference."""
    return (str(record.get("lastModified") or ""), str(record.get("reference") or ""))


def as_imported(profile: Profile) -> Profile | None:
    """What the profile's kept network record reads as today; None without one (or when it no longer
    validates: then every field is written from the profile)."""
    if not profile.een:
        return None
    rows = from_een(profile.een, "kept", key=profile.key)
    errors: list[RowError] = list(rows.errors)
    imported = validate_profile(rows.profile | {"firm": profile.firm_key}, "kept", errors)
    return None if errors else imported
