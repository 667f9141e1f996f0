"""Supplier and customer relations: stored by (firm, direction, counterpart, item), with counterparts
resolved to exchange firms or to one normalised outside name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ..counterparts import Counterpart, CounterpartIndex
from ..domain import Relation
from ..duplicates import name_key
from ..tables import FirmRow, RelationRow
from ..taxonomy.vocabulary import Vocabulary, fold
from .common import UpsertCounts

Slot = tuple[int, str, str, str]  # firm id, direction, counterpart key, item key


@dataclass(frozen=True)
class Resolved:
    relation: Relation
    firm_id: int
    counterpart: Counterpart
    item_key: str

    @property
    def slot(self) -> Slot:
        return (self.firm_id, self.relation.direction.value, self.counterpart.key, self.item_key)


def counterpart_index(session: Session) -> CounterpartIndex:
    firms = [(f.id, f.key, f.alias, f.name) for f in session.exec(select(FirmRow)).all() if f.id is not None]
    outside = dict(
        session.exec(
            select(RelationRow.counterpart_key, RelationRow.counterpart_name)
            .where(col(RelationRow.counterpart_firm_id).is_(None))
            .order_by(RelationRow.id)
        ).all()
    )
    return CounterpartIndex(firms, outside)


def resolve(relations: Iterable[Relation], firm_ids: dict[str, int], index: CounterpartIndex) -> list[Resolved]:
    return [
        Resolved(r, firm_ids[r.firm_key], index.resolve(r.counterpart), fold(r.item))
        for r in relations
        if r.firm_key in firm_ids
    ]


def stored_shares(session: Session, firm_ids: Iterable[int]) -> dict[Slot, float | None]:
    rows = session.exec(select(RelationRow).where(col(RelationRow.firm_id).in_(list(firm_ids)))).all()
    return {(r.firm_id, r.direction, r.counterpart_key, r.item_key): r.share for r in rows}


def upsert_relations(session: Session, resolved: list[Resolved], now: datetime, vocabulary: Vocabulary) -> UpsertCounts:
    counts = UpsertCounts()
    existing = {
        (r.firm_id, r.direction, r.counterpart_key, r.item_key): r
        for r in session.exec(
            select(RelationRow).where(col(RelationRow.firm_id).in_({x.firm_id for x in resolved}))
        ).all()
    }
    for x in resolved:
        concept = vocabulary.normalise(x.relation.item).concept_id if x.relation.item else None
        values = {
            "counterpart_name": x.counterpart.name,
            "counterpart_firm_id": x.counterpart.firm_id,
            "item": x.relation.item,
            "concept_id": concept,
            "share": x.relation.share,
        }
        row = existing.get(x.slot)
        if row is None:
            row = RelationRow(
                firm_id=x.firm_id,
                direction=x.relation.direction.value,
                counterpart_key=x.counterpart.key,
                item_key=x.item_key,
                created_at=now,
                updated_at=now,
                **values,
            )
            existing[x.slot] = row
            counts.created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.updated_at = now
            counts.updated += 1
        else:
            counts.unchanged += 1
            continue
        session.add(row)
    session.flush()
    return counts


def relations_of(session: Session, firm_ids: Iterable[int]) -> list[RelationRow]:
    return list(
        session.exec(
            select(RelationRow)
            .where(col(RelationRow.firm_id).in_(list(firm_ids)))
            .order_by(RelationRow.firm_id, RelationRow.direction, RelationRow.id)
        ).all()
    )


def get_relation(session: Session, relation_id: int) -> RelationRow | None:
    return session.get(RelationRow, relation_id)


def delete_relation(session: Session, row: RelationRow) -> None:
    session.delete(row)
    session.flush()


def forget_firm(session: Session, firm_id: int) -> None:
    """A deleted firm's own relations go; relations naming it as counterpart keep its name as an outside one."""
    for row in session.exec(select(RelationRow).where(RelationRow.firm_id == firm_id)).all():
        session.delete(row)
    firm = session.get(FirmRow, firm_id)
    for row in session.exec(select(RelationRow).where(RelationRow.counterpart_firm_id == firm_id)).all():
        row.counterpart_firm_id = None
        row.counterpart_key = name_key(firm.name) if firm else row.counterpart_key
        session.add(row)
    session.flush()
