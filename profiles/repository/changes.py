"""The profile change feed: profile rows and removals after a position, in one (time, source, id) order.

Profiles come in `updated_at` order, removals (profiles whose firm was deleted) in `removed_at` order; at
the same instant profiles come before removals, and each by id. A position names the last row a client
has read, so a client following the feed never misses or repeats a row even when many share a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from .. import een
from ..tables import FirmRow, ProfileRemovalRow, ProfileRow
from .search import Scope, in_scope

PROFILE, REMOVAL = 0, 1


@dataclass(frozen=True, order=True)
class Position:
    at: datetime
    source: int
    id: int


def _after(time_column: Any, id_column: Any, source: int, after: Position | None) -> Any:
    if after is None:
        return None
    if after.source < source:  # rows of a later source at the same instant are still ahead
        return col(time_column) >= after.at
    if after.source > source:
        return col(time_column) > after.at
    return or_(col(time_column) > after.at, and_(col(time_column) == after.at, col(id_column) > after.id))


def profile_changes(
    session: Session,
    scope: Scope,
    today: date,
    after: Position | None,
    since: datetime | None,
    until: datetime,
    limit: int,
) -> list[tuple[ProfileRow, FirmRow]]:
    """Changed profiles the viewer sees now, or saw once (published: they carry a reference), in order."""
    conditions: list[Any] = [col(ProfileRow.updated_at) <= until]
    if since is not None:
        conditions.append(col(ProfileRow.updated_at) >= since)
    position = _after(ProfileRow.updated_at, ProfileRow.id, PROFILE, after)
    if position is not None:
        conditions.append(position)
    if not scope.all_private:
        mine = in_scope(scope)
        shown = [een.live_clause(today), col(ProfileRow.reference).is_not(None)]
        conditions.append(or_(*shown, mine) if mine is not None else or_(*shown))
    query = (
        select(ProfileRow, FirmRow)
        .join(FirmRow, col(FirmRow.id) == col(ProfileRow.firm_id))
        .where(*conditions)
        .order_by(col(ProfileRow.updated_at), col(ProfileRow.id))
        .limit(limit)
    )
    return [(p, f) for p, f in session.exec(query).all()]


def removals(
    session: Session, scope: Scope, after: Position | None, since: datetime | None, until: datetime, limit: int
) -> list[ProfileRemovalRow]:
    """Removed profiles that were published, or that were the viewer's own, in order."""
    conditions: list[Any] = [col(ProfileRemovalRow.removed_at) <= until]
    if since is not None:
        conditions.append(col(ProfileRemovalRow.removed_at) >= since)
    position = _after(ProfileRemovalRow.removed_at, ProfileRemovalRow.id, REMOVAL, after)
    if position is not None:
        conditions.append(position)
    if not scope.all_private:
        mine = [col(ProfileRemovalRow.was_published).is_(True)]
        if scope.firm_id is not None:
            mine.append(ProfileRemovalRow.firm_id == scope.firm_id)
        if scope.cluster is not None:
            mine.append(ProfileRemovalRow.cluster == scope.cluster)
        conditions.append(or_(*mine))
    query = (
        select(ProfileRemovalRow)
        .where(*conditions)
        .order_by(col(ProfileRemovalRow.removed_at), col(ProfileRemovalRow.id))
        .limit(limit)
    )
    return list(session.exec(query).all())
