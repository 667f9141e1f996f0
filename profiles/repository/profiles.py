"""Profiles: upserts with EEN references, domain reads, expiry, and the stored rows user actions look up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from .. import een
from ..domain import Profile, ProfileStatus
from ..errors import NotFound
from ..mapping import content_hash, profile_columns, profile_from_row
from ..tables import FirmRow, ProfileRow
from .common import UpsertCounts, rows_by_key, slices


def _next_serials(session: Session, prefixes: set[str]) -> dict[str, int]:
    """Highest serial already used per reference prefix (type+country+date)."""
    if prefixes and session.get_bind().dialect.name == "postgresql":
        # Two transactions publishing at once would pick the same serial; this lock, held to the
        # end of the transaction, makes them take turns. SQLite already serialises writers.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('partnermatch:een-reference'))"))
    out: dict[str, int] = {}
    for prefix in prefixes:
        refs = session.exec(select(ProfileRow.reference).where(col(ProfileRow.reference).like(f"{prefix}%"))).all()
        out[prefix] = max((int(r[-3:]) for r in refs if r and len(r) == len(prefix) + 3), default=0)
    return out


def upsert_profiles(session: Session, profiles: list[Profile], now: datetime, today: date) -> UpsertCounts:
    """Insert or update profiles; publishing assigns the EEN reference and the expiry date."""
    counts = UpsertCounts()
    firms = rows_by_key(session, FirmRow, (p.firm_key for p in profiles))
    existing = rows_by_key(session, ProfileRow, (p.key for p in profiles))
    prepared: list[Profile] = []
    for p in profiles:
        row = existing.get(p.key)
        if p.status == ProfileStatus.PUBLISHED and not p.reference and row is not None and row.reference:
            p = replace(p, reference=row.reference, published_on=row.published_on, expires_on=row.expires_on)
        if p.status == ProfileStatus.PUBLISHED and p.published_on is None:
            p = replace(p, published_on=today, expires_on=een.expiry_for(today))
        prepared.append(p)
    prefixes = {
        f"{p.type.value}{firms[p.firm_key].country}{p.published_on:%Y%m%d}"
        for p in prepared
        if p.status == ProfileStatus.PUBLISHED and not p.reference
    }
    serials = _next_serials(session, prefixes)
    for p in prepared:
        if p.status == ProfileStatus.PUBLISHED and not p.reference and p.published_on is not None:
            country = firms[p.firm_key].country
            prefix = f"{p.type.value}{country}{p.published_on:%Y%m%d}"
            serials[prefix] += 1
            p = replace(p, reference=een.make_reference(p.type, country, p.published_on, serials[prefix]))
        digest = content_hash(p)
        row = existing.get(p.key)
        if row is None:
            session.add(
                ProfileRow(
                    **profile_columns(p),
                    firm_id=firms[p.firm_key].id,
                    content_hash=digest,
                    created_at=now,
                    updated_at=now,
                )
            )
            counts.created += 1
        elif row.content_hash == digest and row.firm_id == firms[p.firm_key].id:
            counts.unchanged += 1
        else:
            for name, value in profile_columns(p).items():
                setattr(row, name, value)
            row.firm_id = firms[p.firm_key].id
            row.content_hash, row.updated_at = digest, now
            counts.updated += 1
    session.flush()
    return counts


def profile_keys(session: Session, keys: Iterable[str]) -> set[str]:
    return set(rows_by_key(session, ProfileRow, keys))


def load_profiles(
    session: Session, statuses: Iterable[ProfileStatus] | None = None, firm_key: str | None = None
) -> list[Profile]:
    query = select(ProfileRow, FirmRow.key).join(FirmRow, col(FirmRow.id) == col(ProfileRow.firm_id))
    if statuses is not None:
        query = query.where(col(ProfileRow.status).in_([s.value for s in statuses]))
    if firm_key is not None:
        query = query.where(FirmRow.key == firm_key)
    query = query.order_by(ProfileRow.key)
    return [profile_from_row(row, fkey) for row, fkey in session.exec(query).all()]


def get_profile(session: Session, key_or_reference: str) -> Profile:
    hit = profile_with_key_or_reference(session, key_or_reference)
    if hit is None:
        raise NotFound(f"no profile with key or reference '{key_or_reference}'")
    row, firm = hit
    return profile_from_row(row, firm.key)


def expire_profiles(session: Session, today: date, now: datetime) -> int:
    """Mark every published profile that is no longer live as expired; returns how many."""
    rows = session.exec(select(ProfileRow).where(een.lapsed_clause(today))).all()
    for row in rows:
        row.status, row.updated_at = ProfileStatus.EXPIRED.value, now
    session.flush()
    return len(rows)


# stored rows -----------------------------------------------------------------------
def profile_with_id(session: Session, profile_id: int | None) -> ProfileRow | None:
    return session.get(ProfileRow, profile_id) if profile_id is not None else None


def profile_with_key_or_reference(
    session: Session, ref: str, *, for_update: bool = False
) -> tuple[ProfileRow, FirmRow] | None:
    """The profile whose key or EEN reference is `ref`, with its firm (locked with `for_update`)."""
    query = (
        select(ProfileRow, FirmRow)
        .join(FirmRow, col(FirmRow.id) == col(ProfileRow.firm_id))
        .where((ProfileRow.key == ref) | (ProfileRow.reference == ref))
    )
    if for_update:
        query = query.with_for_update()
    hit = session.exec(query).first()
    return (hit[0], hit[1]) if hit is not None else None


def profile_exists(session: Session, key: str) -> bool:
    return session.exec(select(ProfileRow.id).where(ProfileRow.key == key)).first() is not None


def profile_ids_of_firm(session: Session, firm_id: int) -> list[int]:
    return [i for i in session.exec(select(ProfileRow.id).where(ProfileRow.firm_id == firm_id)).all() if i is not None]


def profile_owners(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """The firm id of each stored profile among these keys, by profile key."""
    out: dict[str, int] = {}
    for part in slices(sorted(set(keys))):
        query = select(ProfileRow.key, ProfileRow.firm_id).where(col(ProfileRow.key).in_(part))
        out.update(dict(session.exec(query).all()))
    return out


def live_capabilities(session: Session, types: Iterable[str], today: date) -> list[list[str]]:
    """The capability phrases of every live profile of the given types (one list per profile)."""
    query = select(ProfileRow.capabilities).where(een.live_clause(today), col(ProfileRow.type).in_(list(types)))
    return [list(phrases) for phrases in session.exec(query).all()]


def set_status(session: Session, row: ProfileRow, firm_key: str, status: ProfileStatus, now: datetime) -> None:
    row.status = status.value
    _stored(session, row, firm_key, now)


def extend(session: Session, row: ProfileRow, firm_key: str, expires_on: date, now: datetime) -> None:
    """Extend a profile to a new expiry date: published again, and one extension more."""
    row.expires_on = expires_on
    row.status = ProfileStatus.PUBLISHED.value
    row.extensions += 1
    _stored(session, row, firm_key, now)


def _stored(session: Session, row: ProfileRow, firm_key: str, now: datetime) -> None:
    row.content_hash = content_hash(profile_from_row(row, firm_key))
    row.updated_at = now
    session.add(row)
    session.flush()


def stored_by_reference(session: Session, references: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The profiles stored under these EEN references: reference → (profile key, firm key)."""
    wanted = sorted({r for r in references if r})
    out: dict[str, tuple[str, str]] = {}
    for part in slices(wanted):
        query = (
            select(ProfileRow.reference, ProfileRow.key, FirmRow.key)
            .join(FirmRow, col(FirmRow.id) == ProfileRow.firm_id)
            .where(col(ProfileRow.reference).in_(part))
        )
        out |= {reference: (key, firm) for reference, key, firm in session.exec(query).all() if reference}
    return out


def profiles_for_network(session: Session) -> list[tuple[Profile, str, datetime, datetime]]:
    """Every profile with its firm's country and its created and updated times, by key: what the network
    format's export writes."""
    query = (
        select(ProfileRow, FirmRow.key, FirmRow.country)
        .join(FirmRow, col(FirmRow.id) == col(ProfileRow.firm_id))
        .order_by(ProfileRow.key)
    )
    return [
        (profile_from_row(row, key), country, row.created_at, row.updated_at)
        for row, key, country in session.exec(query).all()
    ]
