"""Profiles: upserts with EEN references, domain reads, expiry, and the stored rows user actions look up."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import text, update
from sqlmodel import Session, col, select

from .. import een
from ..domain import Profile, ProfileStatus
from ..errors import NotFound
from ..mapping import content_hash, profile_columns_and_hash, profile_from_row
from ..tables import FirmKeyAliasRow, FirmRow, ProfileRow
from .bulk import insert_rows
from .common import UpsertCounts, one_of, rows_by_key, slices

# The greatest reference of each prefix, found in the unique index on `reference`: a reference is its prefix
# and a three-digit serial, so the prefix's references lie between its serials 000 and 999 (the network's
# longer serials, which share the prefix, are left out by their length). A range per prefix, not a scan of
# every profile per slice of an import.
_GREATEST_REFERENCE = (
    "(SELECT max(reference) FROM profile WHERE reference BETWEEN {p} || '000' AND {p} || '999' "
    "AND length(reference) = length({p}) + 3)"
)
_GREATEST_REFERENCES = {
    "sqlite": f"SELECT p.value, {_GREATEST_REFERENCE.format(p='p.value')} FROM json_each(:prefixes) AS p",
    "postgresql": f"SELECT p, {_GREATEST_REFERENCE.format(p='p')} FROM unnest(CAST(:prefixes AS text[])) AS p",
}


def _next_serials(session: Session, prefixes: set[str]) -> dict[str, int]:
    """Highest serial already used per reference prefix (type+country+date), 0 for a prefix not used yet."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if prefixes and postgres:
        # Two transactions publishing at once would pick the same serial; this lock, held to the
        # end of the transaction, makes them take turns. SQLite already serialises writers.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('partnermatch:een-reference'))"))
    out = dict.fromkeys(prefixes, 0)
    query = text(_GREATEST_REFERENCES["postgresql" if postgres else "sqlite"])
    for part in slices(sorted(prefixes)):
        found = session.execute(query, {"prefixes": part if postgres else json.dumps(part)}).all()
        for prefix, top in found:
            if prefix in out and top and top[-3:].isdigit():
                out[prefix] = max(out[prefix], int(top[-3:]))
    return out


# Rows written per statement: bounds the parameter lists kept at once, whatever the size of the import.
WRITE_SLICE = 2000


@dataclass(frozen=True)
class _Stored:
    """What an upsert needs of a stored profile: no ORM object, no text columns."""

    id: int
    firm_id: int
    content_hash: str
    reference: str | None
    published_on: date | None
    expires_on: date | None


def _stored_profiles(session: Session, keys: Iterable[str]) -> dict[str, _Stored]:
    t = ProfileRow.__table__.c  # type: ignore[attr-defined]
    query = sa_select(t.key, t.id, t.firm_id, t.content_hash, t.reference, t.published_on, t.expires_on)
    out: dict[str, _Stored] = {}
    for part in slices(sorted(set(keys))):
        out.update({r[0]: _Stored(*r[1:]) for r in session.execute(query.where(one_of(session, t.key, part))).all()})
    return out


def firm_places(session: Session, keys: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Firm id and country by key, for the firms profiles belong to; the old key of a merged firm reaches the
    firm it was merged into (as `firm_ids`)."""
    firm, alias = FirmRow.__table__, FirmKeyAliasRow.__table__  # type: ignore[attr-defined]
    t, a = firm.c, alias.c
    connection = session.connection()
    out: dict[str, tuple[int, str]] = {}
    for part in slices(sorted(set(keys))):
        query = sa_select(t.key, t.id, t.country).where(one_of(session, t.key, part))
        out.update({k: (i, c) for k, i, c in connection.execute(query).all()})
        aliased = sa_select(a.key, t.id, t.country).join_from(alias, firm, t.id == a.firm_id)
        found = connection.execute(aliased.where(one_of(session, a.key, part)))
        out.update({k: (i, c) for k, i, c in found if k not in out})
    return out


def upsert_profiles(
    session: Session,
    profiles: list[Profile],
    now: datetime,
    today: date,
    serials: dict[str, int] | None = None,
    concepts: list[list[str]] | None = None,
    firms: dict[str, tuple[int, str]] | None = None,
) -> UpsertCounts:
    """Insert or update profiles; publishing assigns the EEN reference and the expiry date.

    Stored profiles are read by key in slices (id, firm, hash and publication only) and written with one
    executemany INSERT and one UPDATE by id per slice of rows, not one ORM object per row. `serials`, the
    last serial per reference prefix, carries over between calls within one transaction (an import written
    in slices): prefixes in it are not looked up again. `concepts`, when given, are each profile's
    `mapping.profile_concepts`, in the order of `profiles`; `firms`, the `firm_places` the caller has
    already looked up (the rest are looked up here)."""
    counts = UpsertCounts()
    session.flush()  # whatever the caller added is in the database before the bulk statements read it
    firms = dict(firms or {})
    firms.update(firm_places(session, {p.firm_key for p in profiles if p.firm_key not in firms}))
    existing = _stored_profiles(session, (p.key for p in profiles))
    prepared: list[tuple[Profile, str | None]] = []  # each profile, and the prefix of the reference it gets
    for p in profiles:
        row = existing.get(p.key)
        published = p.status == ProfileStatus.PUBLISHED
        if published and not p.reference and row is not None and row.reference:
            p = replace(p, reference=row.reference, published_on=row.published_on, expires_on=row.expires_on)
        if published and p.published_on is None:
            p = replace(p, published_on=today, expires_on=een.expiry_for(today))
        prefix = None
        if published and not p.reference and p.published_on is not None:
            prefix = een.reference_prefix(p.type, firms[p.firm_key][1], p.published_on)
        prepared.append((p, prefix))
    serials = {} if serials is None else serials
    serials.update(_next_serials(session, {x for _, x in prepared if x is not None} - serials.keys()))
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for i, (p, prefix) in enumerate(prepared):
        firm_id = firms[p.firm_key][0]
        reference = None
        if prefix is not None:
            serials[prefix] += 1
            reference = een.reference_of(prefix, serials[prefix])
        columns, digest = profile_columns_and_hash(p, None if concepts is None else concepts[i], reference)
        row = existing.get(p.key)
        if row is None:
            stamps = {"created_at": now, "updated_at": now}
            inserts.append({**columns, "firm_id": firm_id, "content_hash": digest, **stamps})
            counts.created += 1
        elif row.content_hash == digest and row.firm_id == firm_id:
            counts.unchanged += 1
        else:
            updates.append({**columns, "id": row.id, "firm_id": firm_id, "content_hash": digest, "updated_at": now})
            counts.updated += 1
        if len(inserts) >= WRITE_SLICE:
            _write(session, inserts, [])
            inserts = []
        if len(updates) >= WRITE_SLICE:
            _write(session, [], updates)
            updates = []
    _write(session, inserts, updates)
    return counts


def _write(session: Session, inserts: list[dict[str, Any]], updates: list[dict[str, Any]]) -> None:
    """The new rows in bulk through the driver (`bulk.insert_rows`: COPY on PostgreSQL, executemany and one
    full-text statement on SQLite), then one executemany UPDATE by primary key (psycopg pipelines it)."""
    if inserts:
        insert_rows(session, ProfileRow.__table__, inserts)  # type: ignore[attr-defined]
    if updates:
        session.execute(update(ProfileRow), updates)
        # A bulk UPDATE bypasses the identity map: rows of these profiles loaded earlier are read again.
        changed = {u["id"] for u in updates}
        for obj in list(session.identity_map.values()):
            if isinstance(obj, ProfileRow) and obj.id in changed:
                session.expire(obj)


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
            .where(one_of(session, ProfileRow.reference, part))
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
