"""Partnering achievements: the agreements firms signed, and what they may be linked to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..tables import AchievementRow


def create_achievement(
    session: Session,
    *,
    firm_id: int,
    partner_firm_id: int | None,
    partner_name: str,
    interest_id: int | None,
    proposal_id: int | None,
    agreement_type: str,
    signed_on: date,
    note: str,
    recorded_by: int | None,
    recorded_at: datetime,
    cluster: str | None,
) -> AchievementRow:
    row = AchievementRow(
        firm_id=firm_id,
        partner_firm_id=partner_firm_id,
        partner_name=partner_name,
        interest_id=interest_id,
        proposal_id=proposal_id,
        agreement_type=agreement_type,
        signed_on=signed_on,
        note=note,
        recorded_by=recorded_by,
        recorded_at=recorded_at,
        cluster=cluster,
    )
    session.add(row)
    session.flush()
    return row


def get_achievement(session: Session, achievement_id: int, for_update: bool = False) -> AchievementRow | None:
    query = select(AchievementRow).where(AchievementRow.id == achievement_id)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def list_achievements(
    session: Session,
    *,
    cluster: str | None = None,
    firm_ids: Iterable[int] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[AchievementRow], int]:
    """Achievements, newest signature first; of one cluster and/or some firms (all when neither is given)."""
    query = select(AchievementRow)
    if cluster is not None:
        query = query.where(AchievementRow.cluster == cluster)
    if firm_ids is not None:
        query = query.where(col(AchievementRow.firm_id).in_(list(firm_ids)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    query = query.order_by(col(AchievementRow.signed_on).desc(), col(AchievementRow.id).desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all()), total


def delete_achievement(session: Session, row: AchievementRow) -> None:
    session.delete(row)
    session.flush()


def achievements_of_firm(session: Session, firm_id: int) -> int:
    """How many achievements name the firm, on either side (a firm with achievements is not deleted)."""
    return session.exec(
        select(func.count())
        .select_from(AchievementRow)
        .where((AchievementRow.firm_id == firm_id) | (AchievementRow.partner_firm_id == firm_id))
    ).one()
