"""Validated domain records: plain frozen data shared by every stage.

Validation turns raw rows into these; storage turns them into table rows and
back; matching and the optimiser read only these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class ProfileType(StrEnum):
    BUSINESS_OFFER = "BO"
    BUSINESS_REQUEST = "BR"
    TECHNOLOGY_OFFER = "TO"
    TECHNOLOGY_REQUEST = "TR"
    RD_REQUEST = "RDR"

    @property
    def is_offer(self) -> bool:
        return self in (ProfileType.BUSINESS_OFFER, ProfileType.TECHNOLOGY_OFFER)


class ProfileStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class FirmKind(StrEnum):
    COMPANY = "company"
    UNIVERSITY = "university"
    RESEARCH = "research"
    PUBLIC = "public"
    OTHER = "other"


class SizeClass(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"

    @classmethod
    def from_employees(cls, employees: int) -> SizeClass:
        # EU recommendation 2003/361 headcount bands.
        if employees < 10:
            return cls.MICRO
        if employees < 50:
            return cls.SMALL
        if employees < 250:
            return cls.MEDIUM
        return cls.LARGE

    @property
    def rank(self) -> int:
        return list(SizeClass).index(self)


class BidStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Direction(StrEnum):
    """Which side the counterpart is on: a firm's customer buys from it, its supplier sells to it."""

    CUSTOMER = "customer"
    SUPPLIER = "supplier"


# Texts of a network record that partnermatch keeps without a column of their own, but matches on.
EEN_TEXTS = ("advantagesAndInnovation", "technicalSpecificationOrExpertiseSought")

PARTNERSHIP_TYPES = (
    "commercial agreement",
    "subcontracting",
    "manufacturing agreement",
    "supplier agreement",
    "distribution agreement",
    "joint venture",
    "licence agreement",
    "technical cooperation",
    "research cooperation",
    "services agreement",
    "acquisition",
)


@dataclass(frozen=True)
class Capability:
    phrase: str
    capacity_per_year: int | None = None


@dataclass(frozen=True)
class Firm:
    key: str
    name: str
    country: str
    city: str | None = None
    region: str | None = None
    lat: float | None = None
    lon: float | None = None
    employees: int | None = None
    size_class: SizeClass | None = None
    kind: FirmKind = FirmKind.COMPANY
    nace: tuple[str, ...] = ()
    capabilities: tuple[Capability, ...] = ()
    certifications: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    export_countries: tuple[str, ...] = ()
    max_concurrent_bids: int = 1
    cluster: str | None = None
    excluded_partners: tuple[str, ...] = ()
    website: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    # Identifiers, normalised (upper case, no spaces, dots or dashes); identifying data like the contact.
    vat_number: str | None = None
    registry_number: str | None = None

    @property
    def has_export_experience(self) -> bool:
        return bool(self.export_countries)


@dataclass(frozen=True)
class Profile:
    key: str
    firm_key: str
    type: ProfileType
    title: str
    summary: str
    description: str = ""
    language: str | None = None
    keywords: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    partner_sought: str = ""
    partnership_types: tuple[str, ...] = ()
    status: ProfileStatus = ProfileStatus.DRAFT
    reference: str | None = None
    published_on: date | None = None
    expires_on: date | None = None
    # The network record the profile came in as, kept whole (profiles.een_format); not part of its hash.
    een: dict[str, Any] | None = field(default=None, hash=False)

    @property
    def text(self) -> str:
        return profile_text(self.title, self.summary, self.description, self.keywords, self.partner_sought, self.een)


def profile_text(
    title: str,
    summary: str,
    description: str,
    keywords: Sequence[str],
    partner_sought: str,
    een: dict[str, Any] | None,
) -> str:
    """What a profile says, as the text model reads it."""
    # The network's texts without a column of their own (advantages, expertise sought) count too.
    kept = [een.get(name) for name in EEN_TEXTS] if een else []
    return "\n".join(
        p for p in (title, summary, description, " ".join(keywords), partner_sought, *kept) if p and isinstance(p, str)
    )


@dataclass(frozen=True)
class Requirement:
    key: str
    capability: str
    mandatory: bool = True
    certifications: tuple[str, ...] = ()
    volume_per_year: int | None = None
    min_fit: float | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class LeadCriteria:
    certifications: tuple[str, ...] = ()
    export_experience: bool = False
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bid:
    key: str
    title: str
    customer: str
    customer_country: str
    delivery_country: str
    requirements: tuple[Requirement, ...]
    description: str = ""
    deadline: date | None = None
    volume_per_year: int | None = None
    status: BidStatus = BidStatus.OPEN
    min_size: int = 2
    max_size: int = 5
    min_countries: int = 1
    max_per_country: int | None = None
    required_kinds: tuple[FirmKind, ...] = ()
    lead: LeadCriteria = field(default_factory=LeadCriteria)
    excluded_firms: tuple[str, ...] = ()
    excluded_pairs: tuple[tuple[str, str], ...] = ()
    locked_firms: tuple[str, ...] = ()
    cluster: str | None = None  # the cluster office that owns the bid


@dataclass(frozen=True)
class Relation:
    """A firm's supplier or customer: who (a firm in the exchange or an outside name), what, and how much.

    `share` is the counterpart's share of the firm's turnover (customers) or of its purchases
    (suppliers), as a fraction; None when the firm did not say.
    """

    firm_key: str
    direction: Direction
    counterpart: str
    item: str = ""
    share: float | None = None
