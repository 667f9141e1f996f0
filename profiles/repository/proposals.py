"""Consortium proposals: batches stored per bid, their members, decisions and flags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ..tables import BidRow, ProposalMemberRow, ProposalRow
from .firms import firm_ids

# A better plan a nightly run found for a bid with an accepted proposal: shown beside it, never instead.
ALTERNATIVE = "alternative"


def store_proposals(
    session: Session, bid_key: str, batch: str, proposals: list[dict[str, Any]], now: datetime, status: str = "proposed"
) -> list[int]:
    """Store a batch of ranked proposals for a bid; earlier batches stay for the record."""
    bid_id = session.exec(select(BidRow.id).where(BidRow.key == bid_key)).one()
    firms = firm_ids(session, {m["firm"] for p in proposals for m in p["plan"].get("members", [])})
    out = []
    for p in proposals:
        row = ProposalRow(
            bid_id=bid_id,
            batch=batch,
            rank=p["rank"],
            status=status,
            feasible=p["feasible"],
            objective=p.get("objective"),
            solver=p["solver"],
            solver_status=p["solver_status"],
            gap=p.get("gap"),
            solve_seconds=p.get("solve_seconds", 0.0),
            build_seconds=p.get("build_seconds", 0.0),
            plan=p["plan"],
            explanation=p["explanation"],
            config=p["config"],
            created_at=now,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        for member in p["plan"].get("members", []):
            session.add(
                ProposalMemberRow(
                    proposal_id=row.id, firm_id=firms[member["firm"]], is_lead=member["lead"], covers=member["covers"]
                )
            )
        out.append(row.id)
    session.flush()
    return out


def load_proposals(session: Session, bid_key: str | None = None, latest_only: bool = True) -> list[dict[str, Any]]:
    query = select(ProposalRow, BidRow.key).join(BidRow, col(BidRow.id) == col(ProposalRow.bid_id))
    if bid_key is not None:
        query = query.where(BidRow.key == bid_key)
    rows = session.exec(query.order_by(BidRow.key, col(ProposalRow.id))).all()
    if latest_only:
        newest: dict[str, str] = {}
        for row, key in rows:
            if row.status != ALTERNATIVE:
                newest[key] = max(row.batch, newest.get(key, ""))
        rows = [(r, k) for r, k in rows if r.batch == newest.get(k)]
    return [
        {
            "id": r.id,
            "bid": k,
            "batch": r.batch,
            "rank": r.rank,
            "status": r.status,
            "feasible": r.feasible,
            "objective": r.objective,
            "solver": r.solver,
            "solver_status": r.solver_status,
            "gap": r.gap,
            "solve_seconds": r.solve_seconds,
            "build_seconds": r.build_seconds,
            "plan": r.plan,
            "explanation": r.explanation,
            "config": r.config,
            "created_at": r.created_at.isoformat(),
        }
        for r, k in sorted(rows, key=lambda rk: (rk[1], rk[0].batch, rk[0].rank))
    ]


def standing_proposals(session: Session, bid_key: str) -> list[ProposalRow]:
    """The bid's newest batch of proposals, leaving out better alternatives filed beside accepted ones."""
    rows = list(
        session.exec(
            select(ProposalRow)
            .join(BidRow, col(BidRow.id) == col(ProposalRow.bid_id))
            .where(BidRow.key == bid_key)
            .where(ProposalRow.status != ALTERNATIVE)
            .order_by(ProposalRow.batch, ProposalRow.rank)
        ).all()
    )
    newest = max((r.batch for r in rows), default=None)
    return [r for r in rows if r.batch == newest]


# stored rows -----------------------------------------------------------------------
def get_proposal_row(session: Session, proposal_id: int) -> ProposalRow | None:
    return session.get(ProposalRow, proposal_id)


def proposal_with_bid(
    session: Session, proposal_id: int, *, for_update: bool = False
) -> tuple[ProposalRow, BidRow] | None:
    """A proposal and its bid (the proposal locked with `for_update`)."""
    query = (
        select(ProposalRow, BidRow)
        .join(BidRow, col(BidRow.id) == col(ProposalRow.bid_id))
        .where(ProposalRow.id == proposal_id)
    )
    if for_update:
        query = query.with_for_update()
    hit = session.exec(query).first()
    return (hit[0], hit[1]) if hit is not None else None


def proposals_of_bid(session: Session, bid_id: int | None) -> list[ProposalRow]:
    """Every proposal made for a bid, by batch and rank."""
    query = select(ProposalRow).where(ProposalRow.bid_id == bid_id)
    return list(session.exec(query.order_by(ProposalRow.batch, ProposalRow.rank)).all())


def batch_of(session: Session, bid_id: int | None, batch: str) -> list[ProposalRow]:
    """The proposals of one batch of a bid, by rank."""
    query = select(ProposalRow).where(ProposalRow.bid_id == bid_id, ProposalRow.batch == batch)
    return list(session.exec(query.order_by(ProposalRow.rank)).all())


def member_firm_ids(session: Session, proposal_id: int) -> set[int]:
    query = select(ProposalMemberRow.firm_id).where(ProposalMemberRow.proposal_id == proposal_id)
    return set(session.exec(query).all())


def record_decision(session: Session, row: ProposalRow, status: str, note: str, at: datetime, by: int | None) -> None:
    """An advisor's decision on a proposal (accepted or rejected), with a note, when and by whom."""
    row.status, row.note, row.decided_at, row.decided_by = status, note, at, by
    session.add(row)
    session.flush()


def flag_proposal(session: Session, proposal_id: int, flags: dict[str, Any]) -> None:
    row = session.get(ProposalRow, proposal_id)
    assert row is not None
    row.flags = {**(row.flags or {}), **flags}
    session.add(row)
    session.flush()


def proposals_with_member(session: Session, firm_id: int) -> list[tuple[ProposalRow, BidRow]]:
    """Every stored proposal the firm is a member of, with its bid, newest first."""
    query = (
        select(ProposalRow, BidRow)
        .join(BidRow, col(BidRow.id) == col(ProposalRow.bid_id))
        .join(ProposalMemberRow, col(ProposalMemberRow.proposal_id) == col(ProposalRow.id))
        .where(ProposalMemberRow.firm_id == firm_id)
        .order_by(col(ProposalRow.created_at).desc(), col(ProposalRow.rank))
    )
    return [(p, b) for p, b in session.exec(query).all()]
