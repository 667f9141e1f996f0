"""Background jobs: one row per job is its queue entry, its status and its result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ..errors import NotFound
from ..tables import JobRow


def create_job(
    session: Session,
    *,
    kind: str,
    subject: str,
    params: dict[str, Any],
    account_id: int | None,
    cluster: str | None,
    now: datetime,
) -> JobRow:
    row = JobRow(
        kind=kind,
        status="queued",
        subject=subject,
        params=params,
        account_id=account_id,
        cluster=cluster,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def get_job(session: Session, job_id: int) -> JobRow:
    row = session.get(JobRow, job_id)
    if row is None:
        raise NotFound(f"no job with id {job_id}")
    return row


def mark_started(session: Session, job_id: int, now: datetime) -> None:
    row = get_job(session, job_id)
    row.status, row.started_at = "running", now
    session.flush()


def mark_finished(session: Session, job_id: int, now: datetime, result: dict[str, Any]) -> None:
    row = get_job(session, job_id)
    row.status, row.finished_at, row.result = "finished", now, result
    session.flush()


def mark_failed(session: Session, job_id: int, now: datetime, error: str) -> None:
    row = get_job(session, job_id)
    row.status, row.finished_at, row.error = "failed", now, error
    session.flush()


def unfinished_jobs(session: Session) -> list[JobRow]:
    return list(session.exec(select(JobRow).where(col(JobRow.status).in_(["queued", "running"]))).all())
