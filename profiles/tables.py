"""SQLModel tables. Lists are JSON columns; everything a query filters on is a column.

The schema is created and changed only through the Alembic migrations in
`profiles/migrations`; these classes describe it for the ORM.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _json(default: Any = None) -> Any:
    return Field(default_factory=lambda: [] if default is None else default, sa_column=Column(JSON, nullable=False))


class FirmRow(SQLModel, table=True):
    __tablename__ = "firm"
    # The latest change is read with every search (firm_names.names_version).
    __table_args__ = (Index("ix_firm_updated_at", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True, index=True)
    name: str = Field(max_length=200)
    country: str = Field(max_length=2, index=True)
    city: str | None = Field(default=None, max_length=120)
    region: str | None = Field(default=None, max_length=120)
    lat: float | None = None
    lon: float | None = None
    employees: int | None = None
    size_class: str | None = Field(default=None, max_length=10)
    kind: str = Field(default="company", max_length=20)
    nace: list[str] = _json()
    capabilities: list[dict[str, Any]] = _json()
    certifications: list[str] = _json()
    languages: list[str] = _json()
    export_countries: list[str] = _json()
    max_concurrent_bids: int = 1
    cluster: str | None = Field(default=None, max_length=200, index=True)
    excluded_partners: list[str] = _json()
    website: str | None = Field(default=None, max_length=300)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=60)
    # Identifiers (normalised: upper case, no spaces, dots or dashes). They identify the firm: shown only
    # where its contact details are.
    vat_number: str | None = Field(default=None, max_length=20, index=True)
    registry_number: str | None = Field(default=None, max_length=30, index=True)
    # Public handle, two words and a number ("Amber Falcon 42"): how the firm appears to those who may not
    # see its identity. `former_alias` is the random handle it had before ("F1A2B3C4D5E"); links and
    # references using it still reach the firm.
    alias: str = Field(max_length=16, unique=True, index=True)
    former_alias: str | None = Field(default=None, max_length=16, unique=True, index=True)
    # Normalised vocabulary concepts of capabilities and certifications, for filtering.
    concepts: list[str] = _json()
    content_hash: str = Field(max_length=64)
    created_at: datetime
    updated_at: datetime


class ProfileRow(SQLModel, table=True):
    __tablename__ = "profile"
    # The change feed (`GET /profiles?modified_since=`) reads profiles in this order.
    __table_args__ = (
        Index("ix_profile_updated_id", "updated_at", "id"),
        Index("ix_profile_published_id", "published_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True, index=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    type: str = Field(max_length=3, index=True)
    title: str = Field(max_length=256)
    summary: str = Field(max_length=500)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    language: str | None = Field(default=None, max_length=10)
    keywords: list[str] = _json()
    capabilities: list[str] = _json()
    partner_sought: str = Field(default="", sa_column=Column(Text, nullable=False))
    partnership_types: list[str] = _json()
    status: str = Field(max_length=10, index=True)
    reference: str | None = Field(default=None, max_length=20, unique=True)
    published_on: date | None = None
    expires_on: date | None = None
    extensions: int = 0
    concepts: list[str] = _json()
    # The network record the profile came in as (profiles.een_format), kept whole so that the fields
    # partnermatch has no column for are exported again; None for profiles made in partnermatch.
    een: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    content_hash: str = Field(max_length=64)
    created_at: datetime
    updated_at: datetime


class ProfileRemovalRow(SQLModel, table=True):
    """A profile that is gone (its firm was deleted): what the change feed reports to machine clients."""

    __tablename__ = "profile_removal"
    __table_args__ = (Index("ix_profile_removal_at_id", "removed_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80)
    reference: str | None = Field(default=None, max_length=20)
    # The firm and its cluster as they were, for deciding who is told (no foreign key: the firm is gone).
    firm_id: int
    cluster: str | None = Field(default=None, max_length=200)
    was_published: bool = False
    removed_at: datetime


class SyncRunRow(SQLModel, table=True):
    """One synchronisation from a network source (`partnermatch een sync`), recorded like nightly runs.

    `checkpoint` is how far the run got (the last record stored: its modification time and reference, and
    the page at that time); a run killed part-way is resumed from it. The last successful run's
    `checkpoint` is where the next sync of the same source starts."""

    __tablename__ = "sync_run"
    __table_args__ = (Index("ix_sync_run_source", "source", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=300)
    started_at: datetime
    finished_at: datetime | None = None
    status: str = Field(max_length=20, index=True)
    since: str | None = Field(default=None, max_length=40)
    checkpoint: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    attempts: int = 1
    host: str = Field(default="", max_length=120)
    pid: int | None = None
    stats: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    errors: list[dict[str, Any]] = _json()


class BidRow(SQLModel, table=True):
    __tablename__ = "bid"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True, index=True)
    title: str = Field(max_length=256)
    customer: str = Field(max_length=200)
    customer_country: str = Field(max_length=2)
    delivery_country: str = Field(max_length=2)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    deadline: date | None = None
    volume_per_year: int | None = None
    status: str = Field(max_length=10, index=True)
    min_size: int = 2
    max_size: int = 5
    min_countries: int = 1
    max_per_country: int | None = None
    required_kinds: list[str] = _json()
    lead: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    excluded_firms: list[str] = _json()
    excluded_pairs: list[list[str]] = _json()
    locked_firms: list[str] = _json()
    # The cluster office that owns the bid; its advisors manage it.
    cluster: str | None = Field(default=None, max_length=200, index=True)
    content_hash: str = Field(max_length=64)
    created_at: datetime
    updated_at: datetime


class RequirementRow(SQLModel, table=True):
    __tablename__ = "bid_requirement"
    __table_args__ = (UniqueConstraint("bid_id", "key", name="uq_bid_requirement_key"),)

    id: int | None = Field(default=None, primary_key=True)
    bid_id: int = Field(foreign_key="bid.id", index=True)
    position: int
    key: str = Field(max_length=80)
    capability: str = Field(max_length=200)
    mandatory: bool = True
    certifications: list[str] = _json()
    volume_per_year: int | None = None
    min_fit: float | None = None
    weight: float = 1.0


class MatchRunRow(SQLModel, table=True):
    __tablename__ = "match_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime
    finished_at: datetime | None = None
    status: str = Field(max_length=20)
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    config_hash: str = Field(max_length=64)
    profiles_scored: int = 0
    candidate_pairs: int = 0
    matches_stored: int = 0
    # Nightly runs: full or incremental, the last stage committed (a resumed run skips those),
    # how often it was started, where, what it counted and what went wrong.
    kind: str = Field(default="full", max_length=12)
    stage: str = Field(default="", max_length=20)
    attempts: int = 1
    host: str = Field(default="", max_length=120)
    pid: int | None = None
    stats: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    errors: list[dict[str, Any]] = _json()


class MatchRow(SQLModel, table=True):
    __tablename__ = "match"
    __table_args__ = (
        UniqueConstraint("profile_id", "other_profile_id", name="uq_match_pair"),
        Index("ix_match_profile_rank", "profile_id", "rank"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="match_run.id", index=True)
    profile_id: int = Field(foreign_key="profile.id")
    other_profile_id: int = Field(foreign_key="profile.id", index=True)
    rank: int
    score: float
    # What the other side is to this profile's firm: customer, supplier, complement or peer.
    kind: str = Field(default="", max_length=12, index=True, sa_column_kwargs={"server_default": ""})
    components: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    explanation: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The run in which this pair first entered the profile's best matches: what digests call new.
    first_run_id: int | None = Field(default=None, index=True)


class ProposalRow(SQLModel, table=True):
    __tablename__ = "proposal"
    __table_args__ = (Index("ix_proposal_bid_rank", "bid_id", "batch", "rank"),)

    id: int | None = Field(default=None, primary_key=True)
    bid_id: int = Field(foreign_key="bid.id", index=True)
    batch: str = Field(max_length=40)
    rank: int
    status: str = Field(max_length=12)
    feasible: bool
    objective: float | None = None
    solver: str = Field(max_length=10)
    solver_status: str = Field(max_length=40)
    gap: float | None = None
    solve_seconds: float = 0.0
    build_seconds: float = 0.0
    plan: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    explanation: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    decided_at: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="account.id")
    # Set by nightly runs, e.g. {"better_alternative": id, "objective_gain": 0.4} on an accepted proposal.
    flags: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ProposalMemberRow(SQLModel, table=True):
    __tablename__ = "proposal_member"
    __table_args__ = (UniqueConstraint("proposal_id", "firm_id", name="uq_proposal_member"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    is_lead: bool = False
    covers: list[str] = _json()


# accounts, introductions, audit and jobs -------------------------------------
class AccountRow(SQLModel, table=True):
    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True, index=True)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=10)
    firm_id: int | None = Field(default=None, foreign_key="firm.id", index=True)
    cluster: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    active: bool = True
    created_at: datetime
    # Digest preferences ({"enabled", "min_score", "max_items"}) and what the last digest covered.
    digest: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    digest_run_id: int | None = None
    digest_at: datetime | None = None
    # Failed sign-ins since the last successful one; at the lockout limit the account is locked
    # until an administrator unlocks it.
    failed_sign_ins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    locked_at: datetime | None = None


class SignInFailureRow(SQLModel, table=True):
    """One failed sign-in, kept for throttling by account name and by address."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        Index("ix_sign_in_failure_username_at", "username", "at"),
        Index("ix_sign_in_failure_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    username: str = Field(max_length=80)
    address: str = Field(max_length=64)


class CredentialRow(SQLModel, table=True):
    """A login token or an API key; only a hash of the secret is stored."""

    __tablename__ = "credential"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    kind: str = Field(max_length=10)
    secret_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=12)
    label: str = Field(default="", max_length=100)
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class InterestRow(SQLModel, table=True):
    """An expression of interest in a published profile, and the introduction it may lead to."""

    __tablename__ = "interest"

    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profile.id", index=True)
    owner_firm_id: int = Field(foreign_key="firm.id", index=True)
    sender_firm_id: int = Field(foreign_key="firm.id", index=True)
    sender_profile_id: int | None = Field(default=None, foreign_key="profile.id")
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=12, index=True)
    created_at: datetime
    created_by: int = Field(foreign_key="account.id")
    forwarded_at: datetime | None = None
    forwarded_by: int | None = Field(default=None, foreign_key="account.id")
    decided_at: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="account.id")
    # Each side's note is internal to it: `note` by the owner's side, `sender_note` by the sender's.
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    sender_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_key"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    actor: str = Field(max_length=80)
    action: str = Field(max_length=40)
    entity: str = Field(max_length=20)
    entity_key: str = Field(max_length=80)
    cluster: str | None = Field(default=None, max_length=200, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class JobRow(SQLModel, table=True):
    """A long piece of work (a proposal solve) run in the background; the row is its status."""

    __tablename__ = "job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    status: str = Field(max_length=10, index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    cluster: str | None = Field(default=None, max_length=200)
    subject: str = Field(max_length=80)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


class OutboxRow(SQLModel, table=True):
    """A message waiting to be sent, or sent. `dedupe_key` makes queueing idempotent; `status`
    moves pending → sending → sent (or back to pending with a later `next_attempt_at` on failure)."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    dedupe_key: str = Field(max_length=200, unique=True, index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    run_id: int | None = None
    recipient: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=10, index=True)
    attempts: int = 0
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))
    message_id: str = Field(max_length=200)
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None = None


class RelationRow(SQLModel, table=True):
    """A firm's supplier or customer. The counterpart is a firm of the exchange (`counterpart_firm_id`)
    or an outside name; `counterpart_key` is the normalised name that de-duplicates spellings."""

    __tablename__ = "relation"
    __table_args__ = (
        UniqueConstraint(
            "firm_id", "direction", "counterpart_key", "item_key", name="uq_relation_firm_counterpart_item"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    direction: str = Field(max_length=10)
    counterpart_key: str = Field(max_length=200, index=True)
    counterpart_name: str = Field(max_length=200)
    counterpart_firm_id: int | None = Field(default=None, foreign_key="firm.id", index=True)
    item: str = Field(default="", max_length=200)
    item_key: str = Field(default="", max_length=200)
    concept_id: str | None = Field(default=None, max_length=80, index=True)
    share: float | None = None
    created_at: datetime
    updated_at: datetime


class AchievementRow(SQLModel, table=True):
    """A partnering achievement: a partnership agreement a firm signed with a partner, recorded by
    an advisor of the firm's cluster. The partner is a firm of the exchange or an outside name."""

    __tablename__ = "achievement"

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    partner_firm_id: int | None = Field(default=None, foreign_key="firm.id", index=True)
    partner_name: str = Field(default="", max_length=200)
    interest_id: int | None = Field(default=None, foreign_key="interest.id", index=True)
    # Proposals go when their bid is deleted; the achievement keeps the id it came from.
    proposal_id: int | None = Field(default=None, index=True)
    agreement_type: str = Field(max_length=60)
    signed_on: date = Field(index=True)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    recorded_by: int | None = Field(default=None, foreign_key="account.id")
    recorded_at: datetime
    cluster: str | None = Field(default=None, max_length=200, index=True)


class ShownMatchRow(SQLModel, table=True):
    """A match list as it stood when a firm acted on it (expressed interest in one of its profiles):
    the candidates the engine showed, with their component values. Weights are learned only from
    these, never from pairs the engine did not show."""

    __tablename__ = "shown_match"
    __table_args__ = (Index("ix_shown_match_interest", "interest_id"),)

    id: int | None = Field(default=None, primary_key=True)
    interest_id: int = Field(foreign_key="interest.id")
    profile_id: int = Field(foreign_key="profile.id", index=True)
    other_profile_id: int = Field(foreign_key="profile.id")
    run_id: int | None = None
    rank: int
    score: float
    kind: str = Field(default="", max_length=12)
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    shown_at: datetime


class MatchingConfigRow(SQLModel, table=True):
    """A stored matching configuration with where it came from; the active one is what runs use."""

    __tablename__ = "matching_config"

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64)
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str = Field(max_length=20)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    metrics: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active: bool = Field(default=False, index=True)
    created_at: datetime
    created_by: str = Field(default="", max_length=80)


class DuplicatePairRow(SQLModel, table=True):
    """Two firms that look like the same firm uploaded twice, flagged at import, and what an advisor
    decided: `open` until resolved, `same` (merged into `kept_key`; `merge` holds what moved, so the
    merge can be undone) or `different` (dismissed for good: the pair is never flagged again)."""

    __tablename__ = "duplicate_pair"
    __table_args__ = (UniqueConstraint("first_key", "second_key", name="uq_duplicate_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    first_key: str = Field(max_length=80, index=True)
    second_key: str = Field(max_length=80, index=True)
    first_name: str = Field(max_length=200)
    second_name: str = Field(max_length=200)
    similarity: float
    same_city: bool = False
    status: str = Field(max_length=12, index=True)
    flagged_at: datetime
    decided_at: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="account.id")
    kept_key: str | None = Field(default=None, max_length=80)
    merge: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Why the pair was found: the identity score's breakdown (profiles.identity.IdentityScore.evidence).
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class FirmKeyAliasRow(SQLModel, table=True):
    """The key of a firm merged into another: imports and API calls naming it reach the kept firm."""

    __tablename__ = "firm_key_alias"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True, index=True)
    firm_id: int = Field(foreign_key="firm.id", index=True)
    pair_id: int = Field(foreign_key="duplicate_pair.id", index=True)
    created_at: datetime
