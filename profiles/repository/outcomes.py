"""What the outcomes report reads: interests, proposal decisions and achievements as plain records,
each with the cluster it belongs to, narrowed to a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from ..tables import AchievementRow, BidRow, FirmRow, InterestRow, ProposalRow

DECIDED_PROPOSALS = ("accepted", "rejected")


@dataclass(frozen=True)
class InterestRecord:
    """An expression of interest; it belongs to the cluster of the profile owner's firm."""

    cluster: str | None
    status: str
    created_at: datetime
    decided_at: datetime | None = None


@dataclass(frozen=True)
class ProposalRecord:
    """A decided consortium proposal; it belongs to its bid's cluster."""

    cluster: str | None
    status: str
    decided_at: datetime


@dataclass(frozen=True)
class AchievementRecord:
    cluster: str | None
    agreement_type: str
    signed_on: date


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC.
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole days in UTC: from the start of `since` to the end of `until`."""
    start = datetime.combine(since, time.min, tzinfo=UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC) if until else None
    return start, end


def clusters(session: Session) -> list[str]:
    """Every cluster some firm belongs to."""
    return sorted(c for c in session.exec(select(FirmRow.cluster).distinct()).all() if c)


def interest_records(
    session: Session, since: date | None, until: date | None, cluster: str | None = None
) -> list[InterestRecord]:
    """Interests expressed in the period (by the day they were sent)."""
    query = select(FirmRow.cluster, InterestRow.status, InterestRow.created_at, InterestRow.decided_at).join(
        FirmRow, FirmRow.id == InterestRow.owner_firm_id
    )
    start, end = _bounds(since, until)
    if start is not None:
        query = query.where(col(InterestRow.created_at) >= start)
    if end is not None:
        query = query.where(col(InterestRow.created_at) < end)
    if cluster is not None:
        query = query.where(FirmRow.cluster == cluster)
    return [
        InterestRecord(c, s, _aware(created), _aware(decided))
        for c, s, created, decided in session.exec(query.order_by(InterestRow.id)).all()
    ]


def proposal_records(
    session: Session, since: date | None, until: date | None, cluster: str | None = None
) -> list[ProposalRecord]:
    """Proposals accepted or rejected in the period (by the day of the decision)."""
    query = (
        select(BidRow.cluster, ProposalRow.status, ProposalRow.decided_at)
        .join(BidRow, BidRow.id == ProposalRow.bid_id)
        .where(col(ProposalRow.status).in_(DECIDED_PROPOSALS), col(ProposalRow.decided_at).is_not(None))
    )
    start, end = _bounds(since, until)
    if start is not None:
        query = query.where(col(ProposalRow.decided_at) >= start)
    if end is not None:
        query = query.where(col(ProposalRow.decided_at) < end)
    if cluster is not None:
        query = query.where(BidRow.cluster == cluster)
    return [
        ProposalRecord(c, s, _aware(decided)) for c, s, decided in session.exec(query.order_by(ProposalRow.id)).all()
    ]


def achievement_records(
    session: Session, since: date | None, until: date | None, cluster: str | None = None
) -> list[AchievementRecord]:
    """Agreements signed in the period."""
    query = select(AchievementRow.cluster, AchievementRow.agreement_type, AchievementRow.signed_on)
    if since is not None:
        query = query.where(col(AchievementRow.signed_on) >= since)
    if until is not None:
        query = query.where(col(AchievementRow.signed_on) <= until)
    if cluster is not None:
        query = query.where(AchievementRow.cluster == cluster)
    return [AchievementRecord(c, t, d) for c, t, d in session.exec(query.order_by(AchievementRow.id)).all()]
