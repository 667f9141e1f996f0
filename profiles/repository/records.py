"""All database reads and writes of the engine, in one place.

Functions take an open Session and never commit: the caller owns the
transaction (see `db.session_scope`), so an import or a run is all-or-nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, text
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from .. import een
from ..domain import Bid, BidStatus, Firm, Profile, ProfileStatus
from ..errors import NotFound
from ..mapping import (
    bid_columns,
    bid_from_rows,
    content_hash,
    firm_columns,
    firm_from_row,
    profile_columns,
    profile_from_row,
    requirement_columns,
)
from ..tables import (
    BidRow,
    FirmRow,
    MatchRow,
    MatchRunRow,
    ProfileRow,
    ProposalMemberRow,
    ProposalRow,
    RequirementRow,
)

# Databases cap the parameters of one statement (SQLite 32,766, PostgreSQL 65,535), so key lists
# of large imports are looked up in slices.
KEY_SLICE = 1000


def _slices(keys: Iterable) -> Iterator[list]:
    items = list(keys)
    for start in range(0, len(items), KEY_SLICE):
        yield items[start : start + KEY_SLICE]


def _rows_by_key(session: Session, table, keys: Iterable[str]) -> dict:
    out = {}
    for part in _slices(sorted(set(keys))):
        out.update({r.key: r for r in session.exec(select(table).where(col(table.key).in_(part))).all()})
    return out


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


# firms ---------------------------------------------------------------------
def firm_ids(session: Session, keys: Iterable[str] | None = None) -> dict[str, int]:
    if keys is None:
        return {k: i for k, i in session.exec(select(FirmRow.key, FirmRow.id)).all()}
    out: dict[str, int] = {}
    for part in _slices(sorted(set(keys))):
        out.update(
            {k: i for k, i in session.exec(select(FirmRow.key, FirmRow.id).where(col(FirmRow.key).in_(part))).all()}
        )
    return out


def new_alias() -> str:
    """A random public handle: derived from nothing, so it reveals nothing about the firm."""
    return "F" + secrets.token_hex(5).upper()


def upsert_firms(session: Session, firms: list[Firm], now: datetime) -> UpsertCounts:
    counts = UpsertCounts()
    existing = _rows_by_key(session, FirmRow, (f.key for f in firms))
    for firm in firms:
        digest = content_hash(firm)
        row = existing.get(firm.key)
        if row is None:
            session.add(
                FirmRow(**firm_columns(firm), alias=new_alias(), content_hash=digest, created_at=now, updated_at=now)
            )
            counts.created += 1
        elif row.content_hash == digest:
            counts.unchanged += 1
        else:
            for name, value in firm_columns(firm).items():
                setattr(row, name, value)
            row.content_hash, row.updated_at = digest, now
            counts.updated += 1
    session.flush()
    return counts


def load_firms(session: Session, keys: Iterable[str] | None = None) -> list[Firm]:
    if keys is not None:
        rows = _rows_by_key(session, FirmRow, keys)
        return [firm_from_row(rows[k]) for k in sorted(rows)]
    return [firm_from_row(r) for r in session.exec(select(FirmRow).order_by(FirmRow.key)).all()]


def get_firm(session: Session, key: str) -> Firm:
    row = session.exec(select(FirmRow).where(FirmRow.key == key)).first()
    if row is None:
        raise NotFound(f"no firm with key '{key}'")
    return firm_from_row(row)


# profiles ------------------------------------------------------------------
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
    firms = _rows_by_key(session, FirmRow, (p.firm_key for p in profiles))
    existing = _rows_by_key(session, ProfileRow, (p.key for p in profiles))
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
    return set(_rows_by_key(session, ProfileRow, keys))


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
    query = (
        select(ProfileRow, FirmRow.key)
        .join(FirmRow, col(FirmRow.id) == col(ProfileRow.firm_id))
        .where((ProfileRow.key == key_or_reference) | (ProfileRow.reference == key_or_reference))
    )
    hit = session.exec(query).first()
    if hit is None:
        raise NotFound(f"no profile with key or reference '{key_or_reference}'")
    return profile_from_row(*hit)


def expire_profiles(session: Session, today: date, now: datetime) -> int:
    rows = session.exec(
        select(ProfileRow).where(ProfileRow.status == ProfileStatus.PUBLISHED.value, col(ProfileRow.expires_on) < today)
    ).all()
    for row in rows:
        row.status, row.updated_at = ProfileStatus.EXPIRED.value, now
    session.flush()
    return len(rows)


# bids ----------------------------------------------------------------------
def upsert_bids(session: Session, bids: list[Bid], now: datetime) -> UpsertCounts:
    counts = UpsertCounts()
    existing = _rows_by_key(session, BidRow, (b.key for b in bids))
    for bid in bids:
        digest = content_hash(bid)
        row = existing.get(bid.key)
        if row is not None and row.content_hash == digest:
            counts.unchanged += 1
            continue
        if row is None:
            row = BidRow(**bid_columns(bid), content_hash=digest, created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            counts.created += 1
        else:
            for name, value in bid_columns(bid).items():
                setattr(row, name, value)
            row.content_hash, row.updated_at = digest, now
            session.exec(delete(RequirementRow).where(RequirementRow.bid_id == row.id))  # type: ignore[call-overload]
            counts.updated += 1
        for position, req in enumerate(bid.requirements):
            session.add(RequirementRow(**requirement_columns(req, position), bid_id=row.id))
    session.flush()
    return counts


def load_bids(session: Session, keys: Iterable[str] | None = None, only_open: bool = False) -> list[Bid]:
    query = select(BidRow).order_by(BidRow.key)
    if keys is not None:
        query = query.where(col(BidRow.key).in_(list(keys)))
    if only_open:
        query = query.where(BidRow.status == BidStatus.OPEN.value)
    rows = session.exec(query).all()
    reqs: dict[int, list[RequirementRow]] = {}
    if rows:
        for r in session.exec(select(RequirementRow).where(col(RequirementRow.bid_id).in_([b.id for b in rows]))).all():
            reqs.setdefault(r.bid_id, []).append(r)
    return [bid_from_rows(b, reqs.get(b.id or 0, [])) for b in rows]


def get_bid(session: Session, key: str) -> Bid:
    bids = load_bids(session, [key])
    if not bids:
        raise NotFound(f"no bid with key '{key}'")
    return bids[0]


# matches -------------------------------------------------------------------
def start_run(session: Session, config: dict[str, Any], config_hash: str, now: datetime) -> int:
    run = MatchRunRow(started_at=now, status="running", config=config, config_hash=config_hash)
    session.add(run)
    session.flush()
    assert run.id is not None
    return run.id


def replace_matches(
    session: Session,
    run_id: int,
    matches: list[dict[str, Any]],
    now: datetime,
    profiles_scored: int,
    candidate_pairs: int,
) -> None:
    """Swap the stored matches for a new full set, within the caller's transaction."""
    ids = {k: i for k, i in session.exec(select(ProfileRow.key, ProfileRow.id)).all()}
    session.exec(delete(MatchRow))  # type: ignore[call-overload]
    session.add_all(
        MatchRow(
            run_id=run_id,
            profile_id=ids[m["profile"]],
            other_profile_id=ids[m["other"]],
            rank=m["rank"],
            score=m["score"],
            kind=m.get("kind", ""),
            components=m["components"],
            explanation=m["explanation"],
            first_run_id=run_id,
        )
        for m in matches
    )
    run = session.get(MatchRunRow, run_id)
    assert run is not None
    run.finished_at, run.status = now, "finished"
    run.profiles_scored, run.candidate_pairs, run.matches_stored = profiles_scored, candidate_pairs, len(matches)
    session.flush()


def latest_run(session: Session) -> MatchRunRow | None:
    return session.exec(
        select(MatchRunRow).where(MatchRunRow.status == "finished").order_by(col(MatchRunRow.id).desc())
    ).first()


def load_matches(
    session: Session, profile_keys: Iterable[str] | None = None, kinds: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Stored matches as plain dicts (profile key, other key, rank, score, kind, components, explanation),
    of the given kinds of match when `kinds` is given."""
    keys = {
        i: (k, fk)
        for i, k, fk in session.exec(
            select(ProfileRow.id, ProfileRow.key, FirmRow.key).join(FirmRow, col(FirmRow.id) == col(ProfileRow.firm_id))
        ).all()
    }
    query = select(MatchRow).order_by(MatchRow.profile_id, MatchRow.rank)
    if profile_keys is not None:
        wanted = [i for i, (k, _) in keys.items() if k in set(profile_keys)]
        query = query.where(col(MatchRow.profile_id).in_(wanted))
    if kinds is not None:
        query = query.where(col(MatchRow.kind).in_(list(kinds)))
    out = []
    for m in session.exec(query).all():
        (pkey, pfirm), (okey, ofirm) = keys[m.profile_id], keys[m.other_profile_id]
        out.append(
            {
                "profile": pkey,
                "firm": pfirm,
                "other": okey,
                "other_firm": ofirm,
                "rank": m.rank,
                "score": m.score,
                "kind": m.kind,
                "components": m.components,
                "explanation": m.explanation,
            }
        )
    out.sort(key=lambda m: (m["profile"], m["rank"]))
    return out


def match_scores(session: Session) -> list[dict[str, Any]]:
    """Firm, other firm and score of every stored match: all the optimiser needs for pairwise synergy,
    without reading the components and explanations."""
    own, other = aliased(ProfileRow), aliased(ProfileRow)
    own_firm, other_firm = aliased(FirmRow), aliased(FirmRow)
    query = (
        select(own_firm.key, other_firm.key, MatchRow.score)
        .join(own, own.id == col(MatchRow.profile_id))
        .join(other, other.id == col(MatchRow.other_profile_id))
        .join(own_firm, own_firm.id == own.firm_id)
        .join(other_firm, other_firm.id == other.firm_id)
    )
    return [{"firm": a, "other_firm": b, "score": s} for a, b, s in session.exec(query).all()]


# proposals -----------------------------------------------------------------
def store_proposals(
    session: Session, bid_key: str, batch: str, proposals: list[dict[str, Any]], now: datetime, status: str = "proposed"
) -> list[int]:
    """Store a batch of ranked proposals for a bid; earlier batches stay for the record."""
    bid_id = session.exec(select(BidRow.id).where(BidRow.key == bid_key)).one()
    firms = firm_ids(session)
    out = []
    for p in proposals:
        row = ProposalRow(
            bid_id=bid_id,
            batch=batch,
            rank=p["rank"],
            status=status,
            feasible=p["feasible"],
            objective=p.get("objective"),
            solver=p["solver"],
            solver_status=p["solver_status"],
            gap=p.get("gap"),
            solve_seconds=p.get("solve_seconds", 0.0),
            build_seconds=p.get("build_seconds", 0.0),
            plan=p["plan"],
            explanation=p["explanation"],
            config=p["config"],
            created_at=now,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        for member in p["plan"].get("members", []):
            session.add(
                ProposalMemberRow(
                    proposal_id=row.id, firm_id=firms[member["firm"]], is_lead=member["lead"], covers=member["covers"]
                )
            )
        out.append(row.id)
    session.flush()
    return out


def load_proposals(session: Session, bid_key: str | None = None, latest_only: bool = True) -> list[dict[str, Any]]:
    query = select(ProposalRow, BidRow.key).join(BidRow, col(BidRow.id) == col(ProposalRow.bid_id))
    if bid_key is not None:
        query = query.where(BidRow.key == bid_key)
    rows = session.exec(query.order_by(BidRow.key, col(ProposalRow.id))).all()
    if latest_only:
        newest: dict[str, str] = {}
        for row, key in rows:
            if row.status != "alternative":  # a nightly run's better plan beside an accepted one
                newest[key] = max(row.batch, newest.get(key, ""))
        rows = [(r, k) for r, k in rows if r.batch == newest.get(k)]
    return [
        {
            "id": r.id,
            "bid": k,
            "batch": r.batch,
            "rank": r.rank,
            "status": r.status,
            "feasible": r.feasible,
            "objective": r.objective,
            "solver": r.solver,
            "solver_status": r.solver_status,
            "gap": r.gap,
            "solve_seconds": r.solve_seconds,
            "build_seconds": r.build_seconds,
            "plan": r.plan,
            "explanation": r.explanation,
            "config": r.config,
            "created_at": r.created_at.isoformat(),
        }
        for r, k in sorted(rows, key=lambda rk: (rk[1], rk[0].batch, rk[0].rank))
    ]


def count_rows(session: Session) -> dict[str, int]:
    out = {}
    for name, table in (
        ("firms", FirmRow),
        ("profiles", ProfileRow),
        ("bids", BidRow),
        ("requirements", RequirementRow),
        ("matches", MatchRow),
        ("proposals", ProposalRow),
    ):
        out[name] = session.exec(select(func.count()).select_from(table)).one()
    return out
