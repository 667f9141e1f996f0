"""Request and response bodies of the HTTP service, with the examples shown in the OpenAPI page.

Request bodies follow the import format, so a record exported as JSON can be sent back as is.
Deeper rules (NACE codes, countries, EEN limits, vocabulary) are checked by the same
validation as the command line and reported per field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictFloat, StrictInt

from profiles import een
from profiles.achievements import AGREEMENT_TYPES

T = TypeVar("T")


class Strict(BaseModel):
    """Request bodies. Their booleans are `StrictBool`: plain `bool` would also take 0, 1, "yes" or "off",
    which the OpenAPI document (`type: boolean`) rules out."""

    model_config = ConfigDict(extra="forbid")


# errors ----------------------------------------------------------------------
class ErrorDetail(BaseModel):
    field: str = Field(description="The field at fault, e.g. `title` or `requirements[2].capability`.")
    row: str | None = Field(default=None, description="Row of an uploaded file, when there is one.")
    value: str | None = None
    reason: str


class ErrorInfo(BaseModel):
    status: int
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorBody(BaseModel):
    error: ErrorInfo


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


# accounts --------------------------------------------------------------------
class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: str | None = None


class AccountIn(Strict):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=10, max_length=200)
    role: Literal["firm", "advisor", "admin"]
    firm: str | None = Field(default=None, max_length=80, description="Firm key (firm users).")
    cluster: str | None = Field(default=None, max_length=200, description="Cluster (advisors).")
    email: str | None = Field(default=None, max_length=200)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"username": "mette", "password": "a long passphrase", "role": "firm", "firm": "dk-nordalu"}]
        },
    )


class AccountOut(BaseModel):
    id: int
    username: str
    role: str
    firm: str | None = None
    cluster: str | None = None
    email: str | None = None
    active: bool
    locked: bool = Field(False, description="Locked after too many failed sign-ins; an admin unlocks it")
    failed_sign_ins: int = Field(0, description="Failed sign-ins since the last successful one")
    created_at: str


class ActiveIn(Strict):
    active: StrictBool


class ApiKeyIn(Strict):
    label: str = Field(default="", max_length=100)


class ApiKeyCreated(BaseModel):
    id: int
    label: str
    api_key: str = Field(description="Shown once; store it now.")


class ApiKeyOut(BaseModel):
    id: int
    label: str
    prefix: str
    created_at: str


def _whole(value: Any) -> Any:
    # JSON Schema's `integer` includes 98.0, which a strict int would refuse; "98", true and 2.5 stay refused.
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = Annotated[StrictInt, BeforeValidator(_whole)]


class DigestIn(Strict):
    """Nightly digest preferences; PUT replaces all three."""

    enabled: StrictBool = Field(description="Whether the nightly digest is sent to your e-mail address.")
    min_score: StrictFloat = Field(ge=0, le=1, description="Matches scoring below this are left out.")
    max_items: WholeNumber = Field(ge=1, le=200, description="Most items listed in each section of a digest.")

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"enabled": True, "min_score": 0.5, "max_items": 10}]}
    )


class DigestOut(BaseModel):
    enabled: bool
    min_score: float
    max_items: int


# firms -----------------------------------------------------------------------
class CapabilityIn(Strict):
    phrase: str = Field(min_length=1, max_length=200)
    capacity_per_year: int | None = Field(default=None, ge=0)


class FirmIn(Strict):
    key: str | None = Field(
        default=None, max_length=80, description="Required on create; taken from the URL on update."
    )
    name: str = Field(max_length=200)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    city: str | None = Field(default=None, max_length=120)
    region: str | None = Field(default=None, max_length=120)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    employees: int | None = Field(default=None, ge=0)
    size_class: Literal["micro", "small", "medium", "large"] | None = None
    kind: Literal["company", "university", "research", "public", "other"] = "company"
    nace: list[str] = Field(default=[], max_length=20)
    capabilities: list[CapabilityIn | str] = Field(default=[], max_length=100)
    certifications: list[str] = Field(default=[], max_length=50)
    languages: list[str] = Field(default=[], max_length=20)
    export_countries: list[str] = Field(default=[], max_length=60)
    max_concurrent_bids: int = Field(default=1, ge=1, le=50)
    cluster: str | None = Field(default=None, max_length=200)
    excluded_partners: list[str] = Field(default=[], max_length=100)
    website: str | None = Field(default=None, max_length=300)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=60)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "key": "dk-nordalu",
                    "name": "Nordalu Extrusion A/S",
                    "country": "DK",
                    "city": "Tønder",
                    "employees": 180,
                    "nace": ["24.42"],
                    "capabilities": [{"phrase": "aluminium extrusion", "capacity_per_year": 70000}],
                    "certifications": ["IATF 16949"],
                    "languages": ["da", "en", "de"],
                }
            ]
        },
    )


class FirmOut(BaseModel):
    alias: str
    identity_visible: bool
    country: str
    size_class: str | None = None
    kind: str
    nace: list[str]
    capabilities: list[dict[str, Any]]
    certifications: list[str]
    languages: list[str]
    export_countries: list[str]
    key: str | None = None
    name: str | None = None
    city: str | None = None
    region: str | None = None
    lat: float | None = None
    lon: float | None = None
    employees: int | None = None
    cluster: str | None = None
    website: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    max_concurrent_bids: int | None = None
    excluded_partners: list[str] | None = None
    version: str | None = None
    updated_at: str | None = None


# profiles --------------------------------------------------------------------
class ProfileIn(Strict):
    key: str | None = Field(
        default=None, max_length=80, description="Required on create; taken from the URL on update."
    )
    firm: str | None = Field(default=None, max_length=80, description="Firm key; firm users may leave it out.")
    type: Literal["BO", "BR", "TO", "TR", "RDR"]
    title: str = Field(max_length=een.TITLE_MAX)
    summary: str = Field(max_length=een.SUMMARY_MAX)
    description: str = Field(default="", max_length=een.DESCRIPTION_MAX)
    language: str | None = Field(default=None, max_length=10)
    keywords: list[str] = Field(default=[], max_length=50)
    capabilities: list[str] = Field(default=[], max_length=100)
    partner_sought: str = Field(default="", max_length=een.DESCRIPTION_MAX)
    partnership_types: list[str] = Field(default=[], max_length=11)
    status: Literal["draft", "published"] | None = Field(default=None, description="On create only.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "key": "dk-nordalu-bo-1",
                    "type": "BO",
                    "title": "Danish aluminium extruder offers automotive-grade profiles",
                    "summary": "IATF 16949 certified extruder offers multi-hollow profiles, bent, machined and anodised.",
                    "keywords": ["aluminium extrusion", "battery tray"],
                    "capabilities": ["aluminium extrusion", "anodising"],
                    "partnership_types": ["supplier agreement"],
                }
            ]
        },
    )


class ProfileOut(BaseModel):
    reference: str | None = None
    type: str
    status: str
    title: str
    summary: str
    description: str
    language: str | None = None
    keywords: list[str]
    capabilities: list[str]
    partner_sought: str
    partnership_types: list[str]
    published_on: str | None = None
    expires_on: str | None = None
    country: str
    size_class: str | None = None
    firm_alias: str
    identity_visible: bool
    key: str | None = None
    firm: str | None = None
    firm_name: str | None = None
    extensions: int | None = None
    version: str | None = None
    updated_at: str | None = None


class ProfileBrief(BaseModel):
    reference: str | None = None
    type: str
    status: str
    title: str
    country: str
    size_class: str | None = None
    firm_alias: str
    identity_visible: bool
    key: str | None = None
    firm: str | None = None
    firm_name: str | None = None


class MatchOut(BaseModel):
    rank: int
    score: float
    kind: str = Field(
        description="What the other side is to you: customer (seeks what you offer), supplier "
        "(offers what you seek), complement (offers what goes with your offer) or peer "
        "(offers what you offer)."
    )
    components: dict[str, Any]
    explanation: dict[str, Any]
    other: ProfileBrief
    profile: str | None = Field(default=None, description="Own profile key (firm-level lists).")


class UploadReport(BaseModel):
    source: str
    counts: dict[str, dict[str, int]]
    unknown_phrases: list[str]
    approximate_phrases: list[str]
    possible_duplicates: list[str]
    warnings: list[str]


# bids and proposals ----------------------------------------------------------
class RequirementIn(Strict):
    key: str = Field(max_length=80)
    capability: str = Field(max_length=200)
    mandatory: StrictBool = True
    certifications: list[str] = Field(default=[], max_length=20)
    volume_per_year: int | None = Field(default=None, ge=0)
    min_fit: float | None = Field(default=None, ge=0, le=1)
    weight: float = Field(default=1.0, ge=0, le=100)


class LeadIn(Strict):
    certifications: list[str] = Field(default=[], max_length=20)
    export_experience: StrictBool = False
    languages: list[str] = Field(default=[], max_length=20)


class BidIn(Strict):
    key: str | None = Field(
        default=None, max_length=80, description="Required on create; taken from the URL on update."
    )
    title: str = Field(max_length=een.TITLE_MAX)
    customer: str = Field(max_length=200)
    customer_country: str = Field(min_length=2, max_length=2)
    delivery_country: str = Field(min_length=2, max_length=2)
    description: str = Field(default="", max_length=een.DESCRIPTION_MAX)
    deadline: date | None = None
    volume_per_year: int | None = Field(default=None, ge=0)
    status: Literal["open", "closed"] = "open"
    min_size: int = Field(default=2, ge=1, le=20)
    max_size: int = Field(default=5, ge=1, le=20)
    min_countries: int = Field(default=1, ge=1, le=20)
    max_per_country: int | None = Field(default=None, ge=1, le=20)
    required_kinds: list[Literal["company", "university", "research", "public", "other"]] = []
    lead: LeadIn = LeadIn()
    excluded_firms: list[str] = Field(default=[], max_length=200)
    excluded_pairs: list[list[str]] = Field(default=[], max_length=200)
    locked_firms: list[str] = Field(default=[], max_length=20)
    cluster: str | None = Field(default=None, max_length=200)
    requirements: list[RequirementIn] = Field(min_length=1, max_length=50)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "key": "bid-battery-tray",
                    "title": "Aluminium battery tray, 40,000 units a year",
                    "customer": "Südwerk Automotive GmbH",
                    "customer_country": "DE",
                    "delivery_country": "DE",
                    "volume_per_year": 40000,
                    "max_size": 4,
                    "lead": {"certifications": ["IATF 16949"]},
                    "requirements": [
                        {"key": "extrusion", "capability": "aluminium extrusion", "volume_per_year": 40000},
                        {"key": "fsw", "capability": "friction stir welding"},
                    ],
                }
            ]
        },
    )


class BidOut(BaseModel):
    key: str
    title: str
    customer: str
    customer_country: str
    delivery_country: str
    description: str
    deadline: str | None = None
    volume_per_year: int | None = None
    status: str
    min_size: int
    max_size: int
    min_countries: int
    max_per_country: int | None = None
    required_kinds: list[str]
    lead: dict[str, Any]
    excluded_firms: list[str]
    excluded_pairs: list[list[str]]
    locked_firms: list[str]
    cluster: str | None = None
    requirements: list[dict[str, Any]]
    version: str
    updated_at: str


class SolveIn(Strict):
    solver: Literal["cbc", "highs"] = "cbc"
    alternatives: int = Field(default=3, ge=1, le=10)
    time_limit: int = Field(default=30, ge=1, le=3600, description="Seconds; capped by the server's limit.")
    wait: StrictBool = Field(default=False, description="Solve before answering instead of as a background job.")


class EditIn(SolveIn):
    lock: list[str] = Field(default=[], max_length=20, description="Firm keys or aliases to lock in.")
    exclude: list[str] = Field(default=[], max_length=50, description="Firm keys or aliases to exclude.")
    unlock: list[str] = Field(default=[], max_length=50, description="Firms to release from a lock or exclusion.")


class DecisionIn(Strict):
    decision: Literal["accepted", "rejected"]
    note: str = Field(default="", max_length=2000)


class JobOut(BaseModel):
    id: int
    kind: str
    status: Literal["queued", "running", "finished", "failed"]
    subject: str
    params: dict[str, Any]
    result: dict[str, Any]
    error: str | None = None
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None


class ProposalOut(BaseModel):
    id: int
    bid: str
    batch: str
    rank: int
    status: str
    feasible: bool
    objective: float | None = None
    solver: str
    solver_status: str
    gap: float | None = None
    solve_seconds: float
    plan: dict[str, Any]
    explanation: dict[str, Any]
    note: str
    created_at: str
    decided_at: str | None = None
    flags: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Set by nightly runs: on an accepted proposal, `better_alternative` (id of a better plan the run "
            "found) and `objective_gain`."
        ),
    )


# introductions ---------------------------------------------------------------
class InterestIn(Strict):
    profile: str = Field(max_length=40, description="EEN reference of the published profile.")
    message: str = Field(default="", max_length=2000)
    sender_profile: str | None = Field(default=None, max_length=80, description="One of your own profiles.")
    firm: str | None = Field(default=None, max_length=80, description="Advisors: the firm it is from.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"profile": "BRSE20260119001", "message": "We anodise 6xxx profiles and can start in Q3."}]
        },
    )


class NoteIn(Strict):
    note: str = Field(default="", max_length=2000)


class InterestOut(BaseModel):
    id: int
    status: str
    message: str
    note: str
    profile: ProfileBrief
    sender: dict[str, Any]
    owner: dict[str, Any]
    sender_profile: ProfileBrief | None = None
    created_at: str
    forwarded_at: str | None = None
    decided_at: str | None = None


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    entity: str
    key: str
    detail: dict[str, Any]


class Health(BaseModel):
    status: str
    database: str
    revision: str | None = None


# supplier and customer relations, cluster map ---------------------------------------
class RelationIn(Strict):
    direction: Literal["customer", "supplier"]
    counterpart: str = Field(
        min_length=1, max_length=200, description="A firm of the exchange (key, alias or name) or an outside name."
    )
    item: str = Field(default="", max_length=200, description="What is bought or sold: a capability or product phrase.")
    share: float | str | None = Field(
        default=None, description='Share of the firm\'s turnover (customer) or purchases (supplier): 0.35 or "35%".'
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "direction": "supplier",
                    "counterpart": "Nordic Billet Supply AS",
                    "item": "aluminium billets",
                    "share": "55%",
                }
            ]
        },
    )


class RelationOut(BaseModel):
    id: int
    firm: str
    direction: str
    counterpart: str
    counterpart_in_exchange: bool
    counterpart_firm: str | None = None
    item: str
    concept: str | None = None
    share: float | None = None


# partnering achievements and outcomes ------------------------------------------------
class AchievementIn(Strict):
    firm: str = Field(min_length=1, max_length=80, description="The firm of your cluster that signed: key or alias.")
    partner: str | None = Field(
        default=None,
        max_length=80,
        description="The partner, a firm of the exchange: key or alias. Left out with "
        "`interest_id`, the other side of the introduction.",
    )
    partner_name: str | None = Field(default=None, max_length=200, description="An outside partner's name.")
    agreement_type: str = Field(max_length=80, description="One of: " + ", ".join(AGREEMENT_TYPES) + ".")
    signed_on: date = Field(description="The day the agreement was signed; not in the future.")
    note: str = Field(default="", max_length=2000)
    interest_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The accepted expression of interest it came from."
    )
    proposal_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The consortium proposal it came from (the firm is a member)."
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "firm": "dk-nordalu",
                    "partner": "f7k2m9q4",
                    "agreement_type": "supplier agreement",
                    "signed_on": "2026-11-30",
                    "interest_id": 12,
                    "note": "Three-year frame agreement for anodised profiles.",
                }
            ]
        },
    )


class AchievementOut(BaseModel):
    id: int
    agreement_type: str
    signed_on: str
    note: str
    firm: dict[str, Any] = Field(description="alias, country, size_class; key and name where you may see them.")
    partner: dict[str, Any] = Field(
        description="A firm of the exchange (by alias until an introduction was agreed) "
        "or an outside partner's name; never contact details."
    )
    interest_id: int | None = None
    proposal_id: int | None = None
    recorded_by: str
    recorded_at: str
    cluster: str | None = None


class InterestOutcomes(BaseModel):
    expressed: int
    accepted: int
    declined: int
    withdrawn: int
    open: int
    conversion: float | None = Field(description="accepted ÷ (accepted + declined); null when none was answered.")
    answered: int
    median_hours: float | None = None
    p90_hours: float | None = None
    median_days: float | None = None
    p90_days: float | None = None


class ProposalOutcomes(BaseModel):
    accepted: int
    rejected: int
    share_accepted: float | None = None


class AchievementCounts(BaseModel):
    total: int
    by_type: dict[str, int]


class ClusterOutcomes(BaseModel):
    cluster: str
    interests: InterestOutcomes
    proposals: ProposalOutcomes
    achievements: AchievementCounts


class OutcomesOut(BaseModel):
    since: str | None = Field(description="First day of the period (null: from the start).")
    until: str | None = Field(description="Last day of the period (null: up to now).")
    clusters: list[ClusterOutcomes]
