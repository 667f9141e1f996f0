"""What proposals keep of the exchange between requests (api.actions.proposal_inputs): firms and the
stored matches between them, and the versions that tell when to read them again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import cast

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..domain import Firm
from ..mapping import firm_from_row
from ..tables import FirmRow, MatchRow, MatchRunRow, ProfileRow


def firm_data_version(session: Session) -> tuple[int, int | None, datetime | None]:
    """Changes whenever a firm is added, deleted, merged or edited: count, highest id, latest update."""
    count, top, latest = session.exec(
        select(func.count(), func.max(FirmRow.id), func.max(FirmRow.updated_at)).select_from(FirmRow)
    ).one()
    return int(count), top, latest


def firms_updated_since(session: Session, since: datetime) -> list[Firm]:
    """Firms changed at or after `since` (a few re-read at the boundary do no harm), as domain records."""
    query = sa_select(*FirmRow.__table__.columns).where(col(FirmRow.updated_at) >= since)  # type: ignore[attr-defined]
    return [firm_from_row(cast(FirmRow, r)) for r in session.execute(query).all()]


def synergy_version(session: Session) -> tuple[int | None, int, datetime | None]:
    """Changes with every match run, and whenever a profile is added, removed or changed (moved to another
    firm): latest run, profile count, latest profile update."""
    run = session.exec(select(func.max(MatchRunRow.id))).one()
    count, latest = session.exec(select(func.count(), func.max(ProfileRow.updated_at)).select_from(ProfileRow)).one()
    return run, int(count), latest


def firm_pair_scores(session: Session) -> Iterator[tuple[str, str, float]]:
    """Firm, other firm and score of every stored match, streamed."""
    own, other = aliased(ProfileRow), aliased(ProfileRow)
    own_firm, other_firm = aliased(FirmRow), aliased(FirmRow)
    query = (
        sa_select(own_firm.key, other_firm.key, MatchRow.score)
        .join(own, own.id == col(MatchRow.profile_id))
        .join(other, other.id == col(MatchRow.other_profile_id))
        .join(own_firm, own_firm.id == own.firm_id)
        .join(other_firm, other_firm.id == other.firm_id)
    )
    for a, b, score in session.execute(query.execution_options(yield_per=20_000)):
        yield str(a), str(b), float(score)
