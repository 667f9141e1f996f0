"""Every firm's name, alias and cluster: what privacy scrubbing needs, read cheaply and cached by version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from ..tables import FirmRow


def database_key(session: Session) -> str:
    """Which database the session reads: what a cache of firm names is kept per."""
    return str(session.get_bind().engine.url)


def names_version(session: Session) -> tuple[int, datetime | None, int | None]:
    """Changes whenever a firm is added, removed or renamed (renaming updates `updated_at`). Cheap at any
    size: the latest change and the highest id are index lookups, and SQLite counts rows from an index."""
    # Three scalar subqueries: the databases find a lone max() in an index, not several aggregates at once.
    firms = select(func.count()).select_from(FirmRow).scalar_subquery()
    latest_change = select(func.max(FirmRow.updated_at)).scalar_subquery()
    highest_id = select(func.max(FirmRow.id)).scalar_subquery()
    count, latest, top = session.exec(select(firms, latest_change, highest_id)).one()
    return int(count), latest, top


def firm_names(session: Session) -> list[tuple[int, str, str, str | None, str]]:
    """(id, name, alias, cluster, country) of every firm, by id."""
    rows = session.exec(
        select(FirmRow.id, FirmRow.name, FirmRow.alias, FirmRow.cluster, FirmRow.country).order_by(FirmRow.id)
    ).all()
    return [(int(i), n, a, c, country) for i, n, a, c, country in rows]
