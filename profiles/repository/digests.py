"""What digests and expiry warnings read: who gets one, and what is new for them.

"New" is bounded by the account's last digest: match rows by the run in which a
pair first appeared (`first_run_id`), proposals and interests by time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from .. import een
from ..tables import (
    AccountRow,
    BidRow,
    FirmRow,
    InterestRow,
    MatchRow,
    ProfileRow,
    ProposalRow,
)

# Better plans filed beside an accepted proposal; digests report them through the accepted one's flags.
ALTERNATIVE = "alternative"


def digest_accounts(session: Session) -> list[tuple[AccountRow, FirmRow | None]]:
    """Active firm users (with their firm) and advisors of a cluster that have an e-mail address, by id.
    Their preferences are JSON, read by the caller."""
    rows = session.exec(
        select(AccountRow, FirmRow)
        .outerjoin(FirmRow, col(FirmRow.id) == col(AccountRow.firm_id))
        .where(
            AccountRow.active == true(),
            col(AccountRow.email).is_not(None),
            AccountRow.email != "",
            or_(
                and_(AccountRow.role == "firm", col(AccountRow.firm_id).is_not(None)),
                and_(AccountRow.role == "advisor", col(AccountRow.cluster).is_not(None)),
            ),
        )
        .order_by(AccountRow.id)
    ).all()
    return [(account, firm) for account, firm in rows]


def mark_digested(session: Session, account: AccountRow, run_id: int, now: datetime) -> None:
    """Record what the account's digest covered: the next one starts after this run and this moment."""
    account.digest_run_id, account.digest_at = run_id, now
    session.add(account)
    session.flush()


def new_matches(
    session: Session, firm_ids: list[int], after_run_id: int | None, min_score: float, limit: int
) -> tuple[list[tuple[MatchRow, ProfileRow, ProfileRow, FirmRow]], int]:
    """Matches of the firms' profiles that first appeared after a run (all when None), best first:
    (match, own profile, other profile, other firm) for at most `limit` of them, and how many there are."""
    if not firm_ids:
        return [], 0
    other = aliased(ProfileRow)
    query = (
        select(MatchRow, ProfileRow, other, FirmRow)
        .join(ProfileRow, col(ProfileRow.id) == col(MatchRow.profile_id))
        .join(other, other.id == col(MatchRow.other_profile_id))
        .join(FirmRow, col(FirmRow.id) == other.firm_id)
        .where(col(ProfileRow.firm_id).in_(firm_ids), col(MatchRow.score) >= min_score)
    )
    if after_run_id is not None:
        query = query.where(col(MatchRow.first_run_id) > after_run_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    if limit <= 0 or total == 0:
        return [], total
    rows = session.exec(
        query.order_by(col(MatchRow.score).desc(), MatchRow.profile_id, MatchRow.rank).limit(limit)
    ).all()
    return [(match, own, other, firm) for match, own, other, firm in rows], total


def reverse_ranks(session: Session, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Rank of `profile` in `other`'s stored list, for each (profile, other) that has one."""
    wanted = {(o, p) for p, o in pairs}
    others = sorted({o for _, o in pairs})
    out: dict[tuple[int, int], int] = {}
    for start in range(0, len(others), 500):
        part = others[start : start + 500]
        for pid, oid, rank in session.exec(
            select(MatchRow.profile_id, MatchRow.other_profile_id, MatchRow.rank).where(
                col(MatchRow.profile_id).in_(part)
            )
        ).all():
            if (pid, oid) in wanted:
                out[(oid, pid)] = rank
    return out


def waiting_interests(
    session: Session, owner_firm_ids: list[int], status: str
) -> list[tuple[InterestRow, ProfileRow, FirmRow, FirmRow]]:
    """Interests in the firms' profiles with the given status, oldest first:
    (interest, profile, owner firm, sender firm)."""
    if not owner_firm_ids:
        return []
    owner, sender = aliased(FirmRow), aliased(FirmRow)
    rows = session.exec(
        select(InterestRow, ProfileRow, owner, sender)
        .join(ProfileRow, col(ProfileRow.id) == col(InterestRow.profile_id))
        .join(owner, owner.id == col(InterestRow.owner_firm_id))
        .join(sender, sender.id == col(InterestRow.sender_firm_id))
        .where(col(InterestRow.owner_firm_id).in_(owner_firm_ids), InterestRow.status == status)
        .order_by(InterestRow.id)
    ).all()
    return [(interest, profile, owner, sender) for interest, profile, owner, sender in rows]


def batch_heads(
    session: Session, cluster: str, since: datetime | None, until: datetime
) -> list[tuple[ProposalRow, BidRow]]:
    """Rank-1 proposals of every batch of the cluster's bids that got a new batch in (since, until],
    by bid and in the order the batches were made, so each new batch can be compared with the one before."""
    fresh = select(ProposalRow.bid_id).where(
        ProposalRow.rank == 1, ProposalRow.status != ALTERNATIVE, col(ProposalRow.created_at) <= until
    )
    if since is not None:
        fresh = fresh.where(col(ProposalRow.created_at) > since)
    rows = session.exec(
        select(ProposalRow, BidRow)
        .join(BidRow, col(BidRow.id) == col(ProposalRow.bid_id))
        .where(
            BidRow.cluster == cluster,
            ProposalRow.rank == 1,
            ProposalRow.status != ALTERNATIVE,
            col(ProposalRow.created_at) <= until,
            col(ProposalRow.bid_id).in_(fresh),
        )
        .order_by(BidRow.key, ProposalRow.created_at, ProposalRow.batch)
    ).all()
    return [(proposal, bid) for proposal, bid in rows]


def accepted_proposals(session: Session, cluster: str) -> list[tuple[ProposalRow, BidRow]]:
    """Accepted proposals of the cluster's bids, by bid and id (flags are JSON, read by the caller)."""
    rows = session.exec(
        select(ProposalRow, BidRow)
        .join(BidRow, col(BidRow.id) == col(ProposalRow.bid_id))
        .where(BidRow.cluster == cluster, ProposalRow.status == "accepted")
        .order_by(BidRow.key, ProposalRow.id)
    ).all()
    return [(proposal, bid) for proposal, bid in rows]


def proposals_by_id(session: Session, ids: Iterable[Any]) -> dict[int, ProposalRow]:
    wanted = sorted({i for i in ids if isinstance(i, int)})
    if not wanted:
        return {}
    return {
        r.id: r
        for r in session.exec(select(ProposalRow).where(col(ProposalRow.id).in_(wanted))).all()
        if r.id is not None
    }


def expiring_profiles(session: Session, first: date, last: date) -> list[tuple[ProfileRow, FirmRow]]:
    """Profiles live on `first` that expire by `last` (inclusive), by expiry and reference."""
    rows = session.exec(
        select(ProfileRow, FirmRow)
        .join(FirmRow, col(FirmRow.id) == col(ProfileRow.firm_id))
        .where(een.live_clause(first), col(ProfileRow.expires_on) <= last)
        .order_by(ProfileRow.expires_on, ProfileRow.reference, ProfileRow.id)
    ).all()
    return [(profile, firm) for profile, firm in rows]


def firm_users_with_email(session: Session, firm_ids: Iterable[int]) -> dict[int, list[AccountRow]]:
    """Active firm-role accounts with an e-mail address, per firm id."""
    ids = sorted(set(firm_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(AccountRow)
        .where(
            col(AccountRow.firm_id).in_(ids),
            AccountRow.role == "firm",
            AccountRow.active == true(),
            col(AccountRow.email).is_not(None),
            AccountRow.email != "",
        )
        .order_by(AccountRow.id)
    ).all()
    out: dict[int, list[AccountRow]] = {}
    for row in rows:
        if row.firm_id is not None:
            out.setdefault(row.firm_id, []).append(row)
    return out
