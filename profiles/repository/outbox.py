"""The outbox: messages queued by nightly runs, waiting to be sent or sent.

A row moves pending → sending → sent; on a failed attempt back to pending with a
later `next_attempt_at`, or to failed when retrying is pointless. A row is claimed
(`sending`, committed by the caller) before anyone talks to the mail server, so a
row still `sending` later means a process died mid-send: it becomes `uncertain`
and is never resent automatically.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..errors import NotFound
from ..tables import OutboxRow

PENDING, SENDING, SENT, FAILED, UNCERTAIN = "pending", "sending", "sent", "failed", "uncertain"


def message_id_for(dedupe_key: str) -> str:
    """The same message always gets the same Message-ID, so receiving systems can spot a resent copy."""
    return f"<outbox-{hashlib.sha256(dedupe_key.encode('utf-8')).hexdigest()[:32]}@partnermatch>"


def enqueue(
    session: Session,
    *,
    kind: str,
    dedupe_key: str,
    recipient: str,
    subject: str,
    body: str,
    now: datetime,
    account_id: int | None = None,
    run_id: int | None = None,
) -> bool:
    """Queue a message unless one with this dedupe key exists; True when it was queued."""
    if session.exec(select(OutboxRow.id).where(OutboxRow.dedupe_key == dedupe_key)).first() is not None:
        return False
    row = OutboxRow(
        kind=kind,
        dedupe_key=dedupe_key,
        account_id=account_id,
        run_id=run_id,
        recipient=recipient,
        subject=subject,
        body=body,
        status=PENDING,
        attempts=0,
        last_error="",
        message_id=message_id_for(dedupe_key),
        created_at=now,
        next_attempt_at=now,
    )
    try:
        # A concurrent run may insert the same key between the check and this insert; the savepoint
        # lets the unique index settle it without spoiling the caller's transaction.
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def mark_interrupted(session: Session) -> int:
    """Rows left `sending` by a process that died mid-send become `uncertain`; returns how many."""
    result = session.exec(update(OutboxRow).where(col(OutboxRow.status) == SENDING).values(status=UNCERTAIN))
    return result.rowcount


def claim_next(session: Session, now: datetime) -> OutboxRow | None:
    """The next due pending message, switched to `sending`; None when nothing is due.

    The switch is a conditional update, so of two senders only one wins a row.
    """
    while True:
        candidate = session.exec(
            select(OutboxRow.id)
            .where(OutboxRow.status == PENDING, col(OutboxRow.next_attempt_at) <= now)
            .order_by(col(OutboxRow.next_attempt_at), col(OutboxRow.id))
            .limit(1)
        ).first()
        if candidate is None:
            return None
        claimed = session.exec(
            update(OutboxRow)
            .where(col(OutboxRow.id) == candidate, col(OutboxRow.status) == PENDING)
            .values(status=SENDING)
        )
        if claimed.rowcount == 1:
            return session.exec(
                select(OutboxRow).where(OutboxRow.id == candidate).execution_options(populate_existing=True)
            ).one()


def _row(session: Session, outbox_id: int) -> OutboxRow:
    row = session.get(OutboxRow, outbox_id)
    if row is None:
        raise NotFound(f"no outbox message with id {outbox_id}")
    return row


def mark_sent(session: Session, outbox_id: int, now: datetime) -> None:
    row = _row(session, outbox_id)
    row.status, row.sent_at, row.attempts = SENT, now, row.attempts + 1
    session.add(row)
    session.flush()


def release(session: Session, outbox_id: int) -> None:
    """Undo a claim when nothing reached the server: pending again, no attempt counted."""
    row = _row(session, outbox_id)
    row.status = PENDING
    session.add(row)
    session.flush()


def reschedule(session: Session, outbox_id: int, error: str, next_attempt_at: datetime) -> None:
    row = _row(session, outbox_id)
    row.status, row.attempts, row.last_error, row.next_attempt_at = PENDING, row.attempts + 1, error, next_attempt_at
    session.add(row)
    session.flush()


def mark_failed(session: Session, outbox_id: int, error: str) -> None:
    row = _row(session, outbox_id)
    row.status, row.attempts, row.last_error = FAILED, row.attempts + 1, error
    session.add(row)
    session.flush()


def counts_by_status(session: Session) -> dict[str, int]:
    rows = session.exec(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()
    return dict(rows)
