"""What a proposal reads to find its candidate firms: every firm's capability phrases, and whether any
firm changed since they were read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from ..tables import FirmRow


def capability_rows(session: Session) -> list[tuple[str, list[str]]]:
    """Each firm that can take a bid (max_concurrent_bids ≥ 1), with its capability phrases."""
    query = select(FirmRow.key, FirmRow.capabilities).where(FirmRow.max_concurrent_bids >= 1)
    return [(key, [c["phrase"] for c in caps]) for key, caps in session.exec(query).all()]


def firm_data_version(session: Session) -> tuple[int, int | None, datetime | None]:
    """Changes whenever a firm is added, deleted, merged or edited: count, highest id, latest update."""
    count, top, latest = session.exec(
        select(func.count(), func.max(FirmRow.id), func.max(FirmRow.updated_at)).select_from(FirmRow)
    ).one()
    return int(count), top, latest
