"""What the exchange has done, as plain records for the matcher: bids' requirements, accepted
consortia, accepted introductions, supplier/customer relations and what each firm offers; the match
lists firms acted on; and the stored matching configurations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..tables import (
    FirmRow,
    InterestRow,
    MatchingConfigRow,
    MatchRow,
    ProfileRow,
    ProposalMemberRow,
    ProposalRow,
    RelationRow,
    RequirementRow,
    ShownMatchRow,
)


def history_records(session: Session, concept_of: Callable[[str], str | None]) -> dict[str, Any]:
    """Plain records of the exchange's history; `concept_of` maps a requirement's phrase to a concept."""
    # Every firm, read once through the connection as plain rows: every run reads them all.
    firm_key: dict[int, str] = {}
    offers: dict[str, frozenset[str]] = {}
    for firm_id, key, concepts in session.connection().execute(sa_select(FirmRow.id, FirmRow.key, FirmRow.concepts)):
        firm_key[firm_id] = key
        if concepts:
            offers[key] = frozenset(concepts)
    bids: dict[int, set[str]] = {}
    for bid_id, phrase in session.exec(
        select(RequirementRow.bid_id, RequirementRow.capability).order_by(
            RequirementRow.bid_id, RequirementRow.position
        )
    ).all():
        concept = concept_of(phrase)
        if concept:
            bids.setdefault(bid_id, set()).add(concept)
    consortia: dict[int, list[str]] = {}
    for proposal_id, firm_id in session.exec(
        select(ProposalMemberRow.proposal_id, ProposalMemberRow.firm_id)
        .join(ProposalRow, col(ProposalRow.id) == col(ProposalMemberRow.proposal_id))
        .where(ProposalRow.status == "accepted")
        .order_by(ProposalMemberRow.proposal_id)
    ).all():
        consortia.setdefault(proposal_id, []).append(firm_key[firm_id])
    introductions = [
        (firm_key[a], firm_key[b])
        for a, b in session.exec(
            select(InterestRow.owner_firm_id, InterestRow.sender_firm_id)
            .where(InterestRow.status == "accepted")
            .order_by(InterestRow.id)
        ).all()
    ]
    relations = [
        {
            "firm": firm_key[r.firm_id],
            "direction": r.direction,
            "counterpart_key": r.counterpart_key,
            "counterpart_name": r.counterpart_name,
            "counterpart_firm": firm_key.get(r.counterpart_firm_id) if r.counterpart_firm_id else None,
            "concept": r.concept_id,
        }
        for r in session.exec(select(RelationRow).order_by(RelationRow.id)).all()
    ]
    return {
        "bids": [frozenset(bids[k]) for k in sorted(bids)],
        "consortia": [tuple(consortia[k]) for k in sorted(consortia)],
        "introductions": introductions,
        "relations": relations,
        "offers": offers,
    }


# match lists firms acted on ------------------------------------------------------------------------
def record_shown(
    session: Session,
    interest_id: int,
    sender_firm_id: int,
    target_profile_id: int,
    sender_profile_id: int | None,
    now: datetime,
) -> int:
    """Keep the match list in which the sender met the target profile (the sender's profile whose stored
    matches hold the target, or the named one), with every candidate's component values. Returns rows kept;
    0 when the engine never showed the target to the sender (found by search, say)."""
    query = (
        select(MatchRow)
        .join(ProfileRow, col(ProfileRow.id) == col(MatchRow.profile_id))
        .where(ProfileRow.firm_id == sender_firm_id, MatchRow.other_profile_id == target_profile_id)
    )
    if sender_profile_id is not None:
        query = query.where(MatchRow.profile_id == sender_profile_id)
    hit = session.exec(query.order_by(MatchRow.rank, MatchRow.profile_id)).first()
    if hit is None:
        return 0
    rows = session.exec(select(MatchRow).where(MatchRow.profile_id == hit.profile_id).order_by(MatchRow.rank)).all()
    for m in rows:
        values = {name: (None if c is None else c["value"]) for name, c in (m.components or {}).items()}
        session.add(
            ShownMatchRow(
                interest_id=interest_id,
                profile_id=m.profile_id,
                other_profile_id=m.other_profile_id,
                run_id=m.run_id,
                rank=m.rank,
                score=m.score,
                kind=m.kind,
                values=values,
                shown_at=now,
            )
        )
    session.flush()
    return len(rows)


def shown_lists(session: Session) -> list[dict[str, Any]]:
    """Every kept match list with the interest's outcome: the target, its status and when it was decided."""
    profile_key = dict(session.exec(select(ProfileRow.id, ProfileRow.key)).all())
    interests = {i.id: i for i in session.exec(select(InterestRow)).all()}
    lists: dict[int, dict[str, Any]] = {}
    for s in session.exec(select(ShownMatchRow).order_by(ShownMatchRow.interest_id, ShownMatchRow.rank)).all():
        interest = interests[s.interest_id]
        entry = lists.setdefault(
            s.interest_id,
            {
                "interest": s.interest_id,
                "query": profile_key[s.profile_id],
                "target": profile_key[interest.profile_id],
                "status": interest.status,
                "shown_at": s.shown_at,
                "decided_at": interest.decided_at,
                "candidates": [],
            },
        )
        entry["candidates"].append(
            {
                "key": profile_key[s.other_profile_id],
                "rank": s.rank,
                "score": s.score,
                "kind": s.kind,
                "values": s.values,
            }
        )
    return [lists[k] for k in sorted(lists)]


# matching configurations -----------------------------------------------------------------------------
def active_config(session: Session) -> MatchingConfigRow | None:
    return session.exec(
        select(MatchingConfigRow)
        .where(MatchingConfigRow.active == True)  # noqa: E712
        .order_by(col(MatchingConfigRow.id).desc())
    ).first()


def store_config(
    session: Session,
    config: dict[str, Any],
    digest: str,
    source: str,
    note: str,
    metrics: dict[str, Any],
    created_by: str,
    now: datetime,
    activate: bool,
) -> MatchingConfigRow:
    if activate:
        session.exec(update(MatchingConfigRow).values(active=False))
    row = MatchingConfigRow(
        digest=digest,
        config=config,
        source=source,
        note=note,
        metrics=metrics,
        active=activate,
        created_at=now,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def configs(session: Session) -> list[MatchingConfigRow]:
    return list(session.exec(select(MatchingConfigRow).order_by(col(MatchingConfigRow.id).desc())).all())
