"""Synchronisation runs from network sources: started, resumed, advanced page by page, finished."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ..tables import SyncRunRow

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"


def unfinished(session: Session, source: str) -> SyncRunRow | None:
    """The source's run that never finished (killed, or still going), if any."""
    query = select(SyncRunRow).where(SyncRunRow.source == source, SyncRunRow.status == RUNNING)
    return session.exec(query.order_by(col(SyncRunRow.id).desc()).with_for_update()).first()


def last_success(session: Session, source: str) -> SyncRunRow | None:
    query = select(SyncRunRow).where(SyncRunRow.source == source, SyncRunRow.status == SUCCEEDED)
    return session.exec(query.order_by(col(SyncRunRow.id).desc())).first()


def start(
    session: Session, source: str, since: str | None, checkpoint: dict[str, Any], now: datetime, host: str, pid: int
) -> SyncRunRow:
    run = SyncRunRow(
        source=source,
        started_at=now,
        status=RUNNING,
        since=since,
        checkpoint=checkpoint,
        host=host,
        pid=pid,
        stats={},
        errors=[],
    )
    session.add(run)
    session.flush()
    return run


def resume(session: Session, run: SyncRunRow, host: str, pid: int) -> None:
    run.attempts += 1
    run.host, run.pid = host, pid
    session.add(run)
    session.flush()


def advance(
    session: Session, run_id: int, checkpoint: dict[str, Any], stats: dict[str, int], errors: list[dict[str, Any]]
) -> None:
    """Record how far the run got, in the transaction that stored the page."""
    run = session.get(SyncRunRow, run_id, with_for_update=True)
    assert run is not None
    run.checkpoint = dict(checkpoint)
    run.stats = {k: run.stats.get(k, 0) + v for k, v in stats.items()} | {
        k: v for k, v in run.stats.items() if k not in stats
    }
    run.errors = [*run.errors, *errors]
    session.add(run)
    session.flush()


def finish(session: Session, run_id: int, status: str, now: datetime, error: str | None = None) -> SyncRunRow:
    run = session.get(SyncRunRow, run_id, with_for_update=True)
    assert run is not None
    run.status, run.finished_at = status, now
    if error:
        run.errors = [*run.errors, {"error": error}]
    session.add(run)
    session.flush()
    return run


def runs(session: Session, source: str | None = None, limit: int = 20) -> list[SyncRunRow]:
    query = select(SyncRunRow)
    if source is not None:
        query = query.where(SyncRunRow.source == source)
    return list(session.exec(query.order_by(col(SyncRunRow.id).desc()).limit(limit)).all())
