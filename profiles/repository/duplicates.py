"""Duplicate firm pairs: flags stored at import, the decisions on them, and merging (and unmerging) two firms.

A merge keeps one firm and deletes the other, after moving everything that hangs on it to the kept firm:
profiles (and with them their matches), user accounts, expressions of interest on either side, relations
on either side, achievements on either side, proposal memberships, and the key aliases it had itself. The
other firm's key becomes an alias of the kept firm. What moved is written down in the pair's `merge` record
(row ids per column, the deleted firm row, and the rows that could not move because the kept firm already
had their twin: a membership of the same proposal, the same relation), which is exactly what undoing needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from ..duplicates import DuplicateFirm
from ..tables import (
    AccountRow,
    AchievementRow,
    DuplicatePairRow,
    FirmKeyAliasRow,
    FirmRow,
    InterestRow,
    ProfileRow,
    ProposalMemberRow,
    RelationRow,
)

OPEN, SAME, DIFFERENT = "open", "same", "different"

# Every column that names a firm by id, as "table.column": what a merge moves to the kept firm.
MOVED: dict[str, tuple[Any, str]] = {
    "profile.firm_id": (ProfileRow, "firm_id"),
    "account.firm_id": (AccountRow, "firm_id"),
    "interest.owner_firm_id": (InterestRow, "owner_firm_id"),
    "interest.sender_firm_id": (InterestRow, "sender_firm_id"),
    "relation.firm_id": (RelationRow, "firm_id"),
    "relation.counterpart_firm_id": (RelationRow, "counterpart_firm_id"),
    "achievement.firm_id": (AchievementRow, "firm_id"),
    "achievement.partner_firm_id": (AchievementRow, "partner_firm_id"),
    "proposal_member.firm_id": (ProposalMemberRow, "firm_id"),
    "firm_key_alias.firm_id": (FirmKeyAliasRow, "firm_id"),
}
# Rows that cannot move when the kept firm already has their twin; they are set aside (and put back on undo).
SET_ASIDE: dict[str, Any] = {"proposal_member": ProposalMemberRow, "relation": RelationRow}


# flags ---------------------------------------------------------------------------
def aliased_keys(session: Session, keys: Iterable[str] | None = None) -> dict[str, int]:
    """Old keys of merged firms, with the id of the firm they now reach."""
    query = select(FirmKeyAliasRow.key, FirmKeyAliasRow.firm_id)
    if keys is not None:
        query = query.where(col(FirmKeyAliasRow.key).in_(sorted(set(keys))))
    return dict(session.exec(query).all())


def flag(session: Session, found: Iterable[DuplicateFirm], now: datetime) -> int:
    """Store the pairs not stored before (whatever was decided on them); returns how many are new."""
    found = list(found)
    if not found:
        return 0
    known = set(session.exec(select(DuplicatePairRow.first_key, DuplicatePairRow.second_key)).all())
    aliases = aliased_keys(session, [k for d in found for k in (d.first, d.second)])
    new = 0
    for d in found:
        if (d.first, d.second) in known or d.first in aliases or d.second in aliases:
            continue
        session.add(
            DuplicatePairRow(
                first_key=d.first,
                second_key=d.second,
                first_name=d.first_name,
                second_name=d.second_name,
                similarity=d.name_similarity,
                same_city=d.same_city,
                status=OPEN,
                flagged_at=now,
                evidence=d.evidence,
            )
        )
        known.add((d.first, d.second))
        new += 1
    session.flush()
    return new


def still_to_decide(session: Session, found: Iterable[DuplicateFirm]) -> list[DuplicateFirm]:
    """The pairs an advisor has yet to decide: new ones and open ones. A pair decided before (different
    firms, or merged) is not queued again, nor one naming the old key of a merged firm."""
    found = list(found)
    if not found:
        return []
    decided = set(
        session.exec(
            select(DuplicatePairRow.first_key, DuplicatePairRow.second_key).where(DuplicatePairRow.status != OPEN)
        ).all()
    )
    aliases = aliased_keys(session, [k for d in found for k in (d.first, d.second)])
    return [
        d for d in found if (d.first, d.second) not in decided and d.first not in aliases and d.second not in aliases
    ]


def link(session: Session, d: DuplicateFirm, kept_key: str, now: datetime) -> DuplicatePairRow | None:
    """Store the pair as the same firm, decided by nobody (identity resolution at import), and merge the other
    firm into `kept_key`'s; None (nothing done) when the pair is known already or either firm is gone."""
    known = session.exec(
        select(DuplicatePairRow.id).where(
            DuplicatePairRow.first_key == d.first, DuplicatePairRow.second_key == d.second
        )
    ).first()
    if known is not None or aliased_keys(session, [d.first, d.second]):
        return None
    other_key = d.second if kept_key == d.first else d.first
    kept = session.exec(select(FirmRow).where(FirmRow.key == kept_key)).first()
    other = session.exec(select(FirmRow).where(FirmRow.key == other_key)).first()
    if kept is None or other is None:
        return None
    pair = DuplicatePairRow(
        first_key=d.first,
        second_key=d.second,
        first_name=d.first_name,
        second_name=d.second_name,
        similarity=d.name_similarity,
        same_city=d.same_city,
        status=SAME,
        flagged_at=now,
        decided_at=now,
        evidence=d.evidence,
    )
    session.add(pair)
    session.flush()
    merge(session, pair, kept, other, now)
    return pair


def pair_with_id(session: Session, pair_id: int, *, for_update: bool = False) -> DuplicatePairRow | None:
    query = select(DuplicatePairRow).where(DuplicatePairRow.id == pair_id)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def pairs(session: Session, status: str | None = None, firm_key: str | None = None) -> list[DuplicatePairRow]:
    """Stored pairs, oldest first; with `firm_key`, those naming the firm (on either side, or kept)."""
    query = select(DuplicatePairRow).order_by(DuplicatePairRow.id)
    if status is not None:
        query = query.where(DuplicatePairRow.status == status)
    if firm_key is not None:
        query = query.where(
            or_(
                DuplicatePairRow.first_key == firm_key,
                DuplicatePairRow.second_key == firm_key,
                DuplicatePairRow.kept_key == firm_key,
            )
        )
    return list(session.exec(query).all())


def open_pair_keys(session: Session) -> list[tuple[str, str]]:
    """The unresolved pairs by firm key: what the optimiser must never put in one consortium. A key of a firm
    merged away since stands for the firm it went into."""
    query = select(DuplicatePairRow.first_key, DuplicatePairRow.second_key).where(DuplicatePairRow.status == OPEN)
    found = [(a, b) for a, b in session.exec(query).all()]
    kept = dict(
        session.exec(
            select(FirmKeyAliasRow.key, FirmRow.key).join(FirmRow, col(FirmRow.id) == FirmKeyAliasRow.firm_id)
        ).all()
    )
    pairs_ = {(kept.get(a, a), kept.get(b, b)) for a, b in found}
    return sorted((a, b) for a, b in pairs_ if a != b)


def decide(session: Session, pair: DuplicatePairRow, status: str, account_id: int | None, now: datetime) -> None:
    pair.status, pair.decided_at, pair.decided_by = status, now, account_id
    session.add(pair)
    session.flush()


# merging -------------------------------------------------------------------------
def _ids(session: Session, table: Any, column: str, firm_id: int) -> list[int]:
    query = select(table.id).where(getattr(table, column) == firm_id).order_by(table.id)
    return [i for i in session.exec(query).all() if i is not None]


def _twins(session: Session, kept_id: int, other_id: int) -> dict[str, list[int]]:
    """Rows of the other firm whose twin the kept firm already has (they cannot both exist)."""
    kept_proposals = select(ProposalMemberRow.proposal_id).where(ProposalMemberRow.firm_id == kept_id)
    members = session.exec(
        select(ProposalMemberRow.id).where(
            ProposalMemberRow.firm_id == other_id, col(ProposalMemberRow.proposal_id).in_(kept_proposals)
        )
    ).all()
    kept_relations = {
        (r.direction, r.counterpart_key, r.item_key)
        for r in session.exec(select(RelationRow).where(RelationRow.firm_id == kept_id)).all()
    }
    relations = [
        r.id
        for r in session.exec(select(RelationRow).where(RelationRow.firm_id == other_id)).all()
        if (r.direction, r.counterpart_key, r.item_key) in kept_relations
    ]
    return {"proposal_member": sorted(i for i in members if i is not None), "relation": sorted(relations)}


def merge(session: Session, pair: DuplicatePairRow, kept: FirmRow, other: FirmRow, now: datetime) -> dict[str, Any]:
    """Move everything of `other` to `kept`, delete `other`, make its key an alias; returns the merge record."""
    assert kept.id is not None and other.id is not None and pair.id is not None
    set_aside: dict[str, list[dict[str, Any]]] = {}
    for name, ids in _twins(session, kept.id, other.id).items():
        table = SET_ASIDE[name]
        rows = session.exec(select(table).where(col(table.id).in_(ids))).all() if ids else []
        set_aside[name] = [r.model_dump(mode="json") for r in rows]
        if ids:
            session.exec(delete(table).where(col(table.id).in_(ids)))
    moved: dict[str, list[int]] = {}
    for name, (table, column) in MOVED.items():
        ids = _ids(session, table, column, other.id)
        moved[name] = ids
        if ids:
            session.exec(update(table).where(col(table.id).in_(ids)).values({column: kept.id}))
    record = {"kept": kept.key, "merged": other.key, "firm": other.model_dump(mode="json"), "moved": moved}
    record["set_aside"] = set_aside
    session.flush()
    session.delete(other)
    session.flush()
    session.add(FirmKeyAliasRow(key=other.key, firm_id=kept.id, pair_id=pair.id, created_at=now))
    pair.kept_key, pair.merge = kept.key, record
    session.add(pair)
    session.flush()
    return record


def undo_blockers(session: Session, pair: DuplicatePairRow) -> list[str]:
    """Why the pair's merge cannot be undone now (nothing: it can). See `unmerge` for the rule."""
    if pair.status != SAME or not pair.merge:
        return ["the pair was not merged"]
    record = pair.merge
    kept = session.exec(select(FirmRow).where(FirmRow.key == record["kept"])).first()
    if kept is None:
        return [f"the kept firm '{record['kept']}' no longer exists (merged or deleted since)"]
    reasons = []
    firm = record["firm"]
    if (
        session.get(FirmRow, firm["id"]) is not None
        or session.exec(
            select(FirmRow.id).where(or_(FirmRow.key == firm["key"], FirmRow.alias == firm["alias"]))
        ).first()
    ):
        reasons.append(f"firm '{firm['key']}' (or its id or alias) has been taken by another firm since")
    alias = session.exec(select(FirmKeyAliasRow).where(FirmKeyAliasRow.key == firm["key"])).first()
    if alias is None or alias.pair_id != pair.id:
        reasons.append(f"the key '{firm['key']}' is no longer an alias from this merge")
    for name, ids in record["moved"].items():
        table, column = MOVED[name]
        if not ids:
            continue
        still = session.exec(select(table.id).where(col(table.id).in_(ids), getattr(table, column) == kept.id)).all()
        if len(still) != len(ids):
            reasons.append(f"{len(ids) - len(still)} of the {name.split('.')[0]} rows that moved have changed since")
    return reasons


def unmerge(session: Session, pair: DuplicatePairRow) -> None:
    """Undo the pair's merge: the other firm is back with exactly what moved, and the pair is open again.

    The rule: a merge can be undone while nothing later depends on it, that is while the kept firm still
    exists under its key, the merged firm's id, key and alias are free, its key is still this merge's
    alias, and every row that moved still exists and still belongs to the kept firm. What was added to the
    kept firm after the merge (including through the old key) stays with the kept firm. Callers check
    `undo_blockers` first."""
    record = pair.merge
    kept = session.exec(select(FirmRow).where(FirmRow.key == record["kept"])).first()
    assert kept is not None and kept.id is not None
    session.exec(delete(FirmKeyAliasRow).where(FirmKeyAliasRow.key == record["merged"]))
    session.add(FirmRow.model_validate(record["firm"]))
    session.flush()
    other_id = record["firm"]["id"]
    for name, ids in record["moved"].items():
        table, column = MOVED[name]
        if ids:
            session.exec(update(table).where(col(table.id).in_(ids)).values({column: other_id}))
    for name, rows in record["set_aside"].items():
        for row in rows:
            session.add(SET_ASIDE[name].model_validate(row))
    pair.status, pair.decided_at, pair.decided_by, pair.kept_key, pair.merge = OPEN, None, None, None, {}
    session.add(pair)
    session.flush()
