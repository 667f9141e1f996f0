"""The audit log: who changed what, when. Rows are only ever added."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..tables import AuditRow


def record(
    session: Session,
    *,
    at: datetime,
    account_id: int | None,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    cluster: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditRow(
            at=at,
            account_id=account_id,
            actor=actor,
            action=action,
            entity=entity,
            entity_key=entity_key,
            cluster=cluster,
            detail=detail or {},
        )
    )


def list_events(
    session: Session,
    *,
    cluster: str | None,
    entity: str | None,
    entity_key: str | None,
    actor: str | None,
    since: datetime | None,
    offset: int,
    limit: int,
) -> tuple[list[AuditRow], int]:
    query = select(AuditRow)
    if cluster is not None:
        query = query.where(AuditRow.cluster == cluster)
    if entity is not None:
        query = query.where(AuditRow.entity == entity)
    if entity_key is not None:
        query = query.where(AuditRow.entity_key == entity_key)
    if actor is not None:
        query = query.where(AuditRow.actor == actor)
    if since is not None:
        query = query.where(col(AuditRow.at) >= since)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(AuditRow.id).desc()).offset(offset).limit(limit)).all()
    return list(rows), total
