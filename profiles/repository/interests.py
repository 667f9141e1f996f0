"""Expressions of interest and the introductions they lead to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from ..errors import NotFound
from ..tables import InterestRow

OPEN_STATUSES = ("sent", "forwarded")


def create_interest(
    session: Session,
    *,
    profile_id: int,
    owner_firm_id: int,
    sender_firm_id: int,
    sender_profile_id: int | None,
    message: str,
    account_id: int,
    now: datetime,
) -> InterestRow:
    row = InterestRow(
        profile_id=profile_id,
        owner_firm_id=owner_firm_id,
        sender_firm_id=sender_firm_id,
        sender_profile_id=sender_profile_id,
        message=message,
        status="sent",
        created_at=now,
        created_by=account_id,
    )
    session.add(row)
    session.flush()
    return row


def get_interest(session: Session, interest_id: int, for_update: bool = False) -> InterestRow:
    query = select(InterestRow).where(InterestRow.id == interest_id)
    if for_update:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise NotFound(f"no expression of interest with id {interest_id}")
    return row


def open_interest(session: Session, profile_id: int, sender_firm_id: int) -> InterestRow | None:
    return session.exec(
        select(InterestRow).where(
            InterestRow.profile_id == profile_id,
            InterestRow.sender_firm_id == sender_firm_id,
            col(InterestRow.status).in_(OPEN_STATUSES + ("accepted",)),
        )
    ).first()


def interests_touching(session: Session, firm_ids: Iterable[int] | None) -> list[InterestRow]:
    """Interests sent or received by any of the firms (all interests when firm_ids is None)."""
    query = select(InterestRow).order_by(col(InterestRow.id).desc())
    if firm_ids is not None:
        ids = list(firm_ids)
        query = query.where(col(InterestRow.owner_firm_id).in_(ids) | col(InterestRow.sender_firm_id).in_(ids))
    return list(session.exec(query).all())


def introduced_firms(session: Session, firm_ids: Iterable[int]) -> frozenset[int]:
    """Firms with an accepted introduction to any of the given firms."""
    ids = list(firm_ids)
    if not ids:
        return frozenset()
    rows = session.exec(
        select(InterestRow.owner_firm_id, InterestRow.sender_firm_id).where(
            InterestRow.status == "accepted",
            col(InterestRow.owner_firm_id).in_(ids) | col(InterestRow.sender_firm_id).in_(ids),
        )
    ).all()
    out: set[int] = set()
    for owner, sender in rows:
        out.update((owner, sender))
    return frozenset(out - set(ids))


def set_status(
    session: Session, row: InterestRow, status: str, *, at: datetime, by: int | None, note: str = ""
) -> None:
    """Move an interest to `status`: forwarding stamps when and by whom it was forwarded, every other
    step when and by whom it was decided; a note, when given, replaces the one before on its side
    (withdrawing is the sender's step, every other the owner's)."""
    row.status = status
    if status == "forwarded":
        row.forwarded_at, row.forwarded_by = at, by
    else:
        row.decided_at, row.decided_by = at, by
    if note and status == "withdrawn":
        row.sender_note = note
    elif note:
        row.note = note
    session.add(row)
    session.flush()
