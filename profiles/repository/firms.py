"""Firms: upserts and domain reads for the engine, and the stored rows the user actions look up."""

from __future__ import annotations

from collections.abc import Container, Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete, func, insert, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ..aliases import alias_forms, random_alias
from ..domain import Firm
from ..errors import NotFound
from ..mapping import firm_columns_and_hash, firm_from_row
from ..tables import (
    AccountRow,
    FirmKeyAliasRow,
    FirmRow,
    InterestRow,
    MatchRow,
    ProfileRemovalRow,
    ProfileRow,
    ProposalMemberRow,
)
from .common import UpsertCounts, one_of, rows_by_key, slices


def firm_ids(session: Session, keys: Iterable[str] | None = None) -> dict[str, int]:
    """Firm ids by key; with `keys`, the old key of a merged firm reaches the firm it was merged into."""
    query = select(FirmRow.key, FirmRow.id)
    if keys is None:
        return {k: i for k, i in session.exec(query).all() if i is not None}
    out: dict[str, int] = {}
    for part in slices(sorted(set(keys))):
        rows = session.exec(query.where(one_of(session, FirmRow.key, part))).all()
        out.update({k: i for k, i in rows if i is not None})
        aliased = select(FirmKeyAliasRow.key, FirmKeyAliasRow.firm_id).where(one_of(session, FirmKeyAliasRow.key, part))
        out.update({k: i for k, i in session.exec(aliased).all() if k not in out})
    return out


def kept_keys(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """Old keys of merged firms among `keys`, with the key of the firm each was merged into."""
    out: dict[str, str] = {}
    for part in slices(sorted(set(keys))):
        query = (
            select(FirmKeyAliasRow.key, FirmRow.key)
            .join(FirmRow, col(FirmRow.id) == FirmKeyAliasRow.firm_id)
            .where(one_of(session, FirmKeyAliasRow.key, part))
        )
        out.update(dict(session.exec(query).all()))
    return out


def new_alias(taken: Container[str] = ()) -> str:
    """A pronounceable public handle ("Amber Falcon 42") from random bits, so it reveals nothing about the
    firm; unlike every alias in `taken`."""
    return random_alias(taken)


def _aliases_in_use(session: Session) -> set[str]:
    return set(session.exec(select(FirmRow.alias)).all())


def upsert_firms(session: Session, firms: list[Firm], now: datetime) -> UpsertCounts:
    """Insert or update firms: stored ones read by key in slices (id and hash only), written with executemany
    INSERTs and UPDATEs by id in slices, not one ORM object per row."""
    counts = UpsertCounts()
    session.flush()
    t = FirmRow.__table__.c  # type: ignore[attr-defined]
    existing: dict[str, tuple[int, str]] = {}
    for part in slices(sorted({f.key for f in firms})):
        query = sa_select(t.key, t.id, t.content_hash).where(t.key.in_(part))
        existing.update({k: (i, h) for k, i, h in session.execute(query).all()})
    taken = _aliases_in_use(session) if any(f.key not in existing for f in firms) else set()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for firm in firms:
        columns, digest = firm_columns_and_hash(firm)
        row = existing.get(firm.key)
        if row is None:
            alias = new_alias(taken)
            taken.add(alias)
            inserts.append({**columns, "alias": alias, "content_hash": digest, "created_at": now, "updated_at": now})
            counts.created += 1
        elif row[1] == digest:
            counts.unchanged += 1
        else:
            updates.append({**columns, "id": row[0], "content_hash": digest, "updated_at": now})
            counts.updated += 1
        if len(inserts) + len(updates) >= WRITE_SLICE:
            _write(session, inserts, updates)
            inserts, updates = [], []
    _write(session, inserts, updates)
    return counts


# Rows written per statement: bounds the parameter lists kept at once, whatever the size of the import.
WRITE_SLICE = 2000


def _write(session: Session, inserts: list[dict[str, Any]], updates: list[dict[str, Any]]) -> None:
    if inserts:
        session.execute(insert(FirmRow.__table__), inserts)  # type: ignore[attr-defined]
    if updates:
        session.execute(update(FirmRow), updates)
        # A bulk UPDATE bypasses the identity map: rows of these firms loaded earlier are read again.
        changed = {u["id"] for u in updates}
        for obj in list(session.identity_map.values()):
            if isinstance(obj, FirmRow) and obj.id in changed:
                session.expire(obj)


def load_firms(session: Session, keys: Iterable[str] | None = None) -> list[Firm]:
    """Firms as domain records, by key. Read as plain rows, not ORM objects: a proposal reads thousands."""
    query = sa_select(*FirmRow.__table__.columns)  # type: ignore[attr-defined]
    if keys is None:
        rows = list(session.execute(query.order_by(FirmRow.key)).all())
    else:
        rows = []
        for part in slices(sorted(set(keys))):
            rows += session.execute(query.where(col(FirmRow.key).in_(part))).all()
        rows.sort(key=lambda r: r.key)
    return [firm_from_row(cast(FirmRow, r)) for r in rows]


# What identity resolution compares (profiles.identity.identity_score) and reports of a stored firm.
_IDENTITY_COLUMNS = ("key", "name", "country", "city", "website", "vat_number", "registry_number", "cluster")


def identity_candidates(session: Session, countries: Iterable[str], identifiers: Iterable[str] = ()) -> list[Firm]:
    """The stored firms identity resolution may compare incoming firms with: those of the given countries
    and those of any country with one of the given VAT or registry numbers (its blocks), by key, holding
    only the fields it compares (the other fields are left at their defaults)."""
    t = FirmRow.__table__.c  # type: ignore[attr-defined]
    query = sa_select(*(t[name] for name in _IDENTITY_COLUMNS))
    found: dict[str, Firm] = {}
    wanted_countries = sorted(set(countries))
    wanted_identifiers = sorted({i for i in identifiers if i})
    conditions = [t.country.in_(part) for part in slices(wanted_countries)]
    for part in slices(wanted_identifiers):
        conditions += [t.vat_number.in_(part), t.registry_number.in_(part)]
    for condition in conditions:
        for row in session.execute(query.where(condition)).all():
            if row[0] not in found:
                found[row[0]] = Firm(**dict(zip(_IDENTITY_COLUMNS, row, strict=True)))
    return [found[k] for k in sorted(found)]


def get_firm(session: Session, key: str) -> Firm:
    row = firm_with_key(session, key)
    if row is None:
        raise NotFound(f"no firm with key '{key}'")
    return firm_from_row(row)


# stored rows -----------------------------------------------------------------------
def firm_with_id(session: Session, firm_id: int | None) -> FirmRow | None:
    return session.get(FirmRow, firm_id) if firm_id is not None else None


def firm_with_key(session: Session, key: str) -> FirmRow | None:
    """The firm with this key, or the firm a merged firm with this key went into."""
    found = session.exec(select(FirmRow).where(FirmRow.key == key)).first()
    return found if found is not None else _merged_into(session, key)


def _merged_into(session: Session, key: str, for_update: bool = False) -> FirmRow | None:
    query = select(FirmRow).join(FirmKeyAliasRow, col(FirmKeyAliasRow.firm_id) == FirmRow.id)
    query = query.where(FirmKeyAliasRow.key == key)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def firm_with_key_or_alias(session: Session, ref: str, *, for_update: bool = False) -> FirmRow | None:
    """The firm whose key or alias is `ref`, or that a merged firm with key `ref` went into (locked for the
    transaction with `for_update`)."""
    query = select(FirmRow).where(
        or_(col(FirmRow.key) == ref, col(FirmRow.alias).in_(alias_forms(ref)), col(FirmRow.former_alias) == ref)
    )
    if for_update:
        query = query.with_for_update()
    found = session.exec(query).first()
    return found if found is not None else _merged_into(session, ref, for_update)


def firm_exists(session: Session, key: str) -> bool:
    return session.exec(select(FirmRow.id).where(FirmRow.key == key)).first() is not None


def firms_with_keys(session: Session, keys: Iterable[str]) -> dict[str, FirmRow]:
    """The stored firms among these keys, by key."""
    return rows_by_key(session, FirmRow, keys)


def firms_with_ids(session: Session, ids: Iterable[int] | None = None) -> dict[int, FirmRow]:
    """The firms with these ids (every firm when None), by id."""
    query = select(FirmRow).order_by(FirmRow.id)
    if ids is None:
        return {f.id: f for f in session.exec(query).all() if f.id is not None}
    out: dict[int, FirmRow] = {}
    for part in slices(sorted(set(ids))):
        out.update({f.id: f for f in session.exec(query.where(col(FirmRow.id).in_(part))).all() if f.id is not None})
    return out


def all_firms(session: Session) -> list[FirmRow]:
    """Every firm, by id: what hiding names needs, since any text may name any firm."""
    return list(firms_with_ids(session).values())


def firms_in_cluster(session: Session, cluster: str | None) -> list[FirmRow]:
    """The firms of a cluster, by key (none for no cluster)."""
    if cluster is None:
        return []
    return list(session.exec(select(FirmRow).where(FirmRow.cluster == cluster).order_by(FirmRow.key)).all())


def cluster_firm_ids(session: Session, cluster: str) -> list[int]:
    return [i for i in session.exec(select(FirmRow.id).where(FirmRow.cluster == cluster)).all() if i is not None]


def firm_keys_by_id(session: Session) -> dict[int, str]:
    return {i: k for i, k in session.exec(select(FirmRow.id, FirmRow.key)).all() if i is not None}


def certifications_in_use(session: Session) -> list[str]:
    """Every certification some firm holds, sorted."""
    return sorted({c for certs in session.exec(select(FirmRow.certifications)).all() for c in certs})


def firm_dependents(session: Session, firm_id: int) -> dict[str, int]:
    """How many user accounts, proposal memberships and expressions of interest (either side) name the firm."""
    queries = {
        "accounts": select(func.count()).select_from(AccountRow).where(AccountRow.firm_id == firm_id),
        "proposals": select(func.count()).select_from(ProposalMemberRow).where(ProposalMemberRow.firm_id == firm_id),
        "interests": select(func.count())
        .select_from(InterestRow)
        .where(or_(InterestRow.owner_firm_id == firm_id, InterestRow.sender_firm_id == firm_id)),
    }
    return {name: session.exec(query).one() for name, query in queries.items()}


def delete_firm(session: Session, firm: FirmRow, now: datetime) -> None:
    """Delete a firm with its profiles and every match of them (its relations are the caller's: see
    `relations.forget_firm`). Each profile leaves a removal row behind for the change feed."""
    assert firm.id is not None
    for key, reference, status in session.exec(
        select(ProfileRow.key, ProfileRow.reference, ProfileRow.status).where(ProfileRow.firm_id == firm.id)
    ).all():
        session.add(
            ProfileRemovalRow(
                key=key,
                reference=reference,
                firm_id=firm.id,
                cluster=firm.cluster,
                was_published=reference is not None or status == "published",
                removed_at=now,
            )
        )
    profile_ids = select(ProfileRow.id).where(ProfileRow.firm_id == firm.id)
    session.exec(
        delete(MatchRow).where(
            or_(col(MatchRow.profile_id).in_(profile_ids), col(MatchRow.other_profile_id).in_(profile_ids))
        )
    )
    session.exec(delete(ProfileRow).where(ProfileRow.firm_id == firm.id))
    session.delete(firm)
    session.flush()
