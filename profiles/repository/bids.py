"""Bids and their requirements: upserts and domain reads for the engine, and the stored rows user actions
look up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from ..domain import Bid, BidStatus
from ..errors import NotFound
from ..mapping import bid_columns, bid_from_rows, content_hash, requirement_columns
from ..tables import BidRow, ProposalMemberRow, ProposalRow, RequirementRow
from .common import UpsertCounts, rows_by_key, slices


def upsert_bids(session: Session, bids: list[Bid], now: datetime) -> UpsertCounts:
    counts = UpsertCounts()
    existing = rows_by_key(session, BidRow, (b.key for b in bids))
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
            session.exec(delete(RequirementRow).where(RequirementRow.bid_id == row.id))
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
    reqs = requirements_by_bid(session, [b.id for b in rows if b.id is not None])
    return [bid_from_rows(b, reqs.get(b.id or 0, [])) for b in rows]


def get_bid(session: Session, key: str) -> Bid:
    bids = load_bids(session, [key])
    if not bids:
        raise NotFound(f"no bid with key '{key}'")
    return bids[0]


# stored rows -----------------------------------------------------------------------
def bid_with_key(session: Session, key: str, *, for_update: bool = False) -> BidRow | None:
    query = select(BidRow).where(BidRow.key == key)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def bid_exists(session: Session, key: str) -> bool:
    return session.exec(select(BidRow.id).where(BidRow.key == key)).first() is not None


def bid_rows(session: Session, *, cluster: str | None = None, status: str | None = None) -> list[BidRow]:
    """Stored bids by key: of one cluster and/or with one status (all when neither is given)."""
    query = select(BidRow).order_by(BidRow.key)
    if cluster is not None:
        query = query.where(BidRow.cluster == cluster)
    if status is not None:
        query = query.where(BidRow.status == status)
    return list(session.exec(query).all())


def bid_clusters(session: Session, keys: Iterable[str]) -> dict[str, str | None]:
    """The cluster of each stored bid among these keys, by key."""
    out: dict[str, str | None] = {}
    for part in slices(sorted(set(keys))):
        out.update(dict(session.exec(select(BidRow.key, BidRow.cluster).where(col(BidRow.key).in_(part))).all()))
    return out


def requirements_of(session: Session, bid_id: int | None) -> list[RequirementRow]:
    """A bid's requirements, in their order."""
    return requirements_by_bid(session, [bid_id] if bid_id is not None else []).get(bid_id or 0, [])


def requirements_by_bid(session: Session, bid_ids: Iterable[int]) -> dict[int, list[RequirementRow]]:
    """The requirements of these bids, in their order, by bid id."""
    out: dict[int, list[RequirementRow]] = {}
    for part in slices(sorted(set(bid_ids))):
        query = select(RequirementRow).where(col(RequirementRow.bid_id).in_(part))
        for r in session.exec(query.order_by(RequirementRow.bid_id, RequirementRow.position)).all():
            out.setdefault(r.bid_id, []).append(r)
    return out


def delete_bid(session: Session, bid: BidRow) -> None:
    """Delete a bid with its requirements and every proposal made for it."""
    proposal_ids = select(ProposalRow.id).where(ProposalRow.bid_id == bid.id)
    session.exec(delete(ProposalMemberRow).where(col(ProposalMemberRow.proposal_id).in_(proposal_ids)))
    session.exec(delete(ProposalRow).where(ProposalRow.bid_id == bid.id))
    session.exec(delete(RequirementRow).where(RequirementRow.bid_id == bid.id))
    session.delete(bid)
    session.flush()
