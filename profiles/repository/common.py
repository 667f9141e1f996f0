"""What every entity module of the repository shares: key lookups in slices and upsert counts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col, select

T = TypeVar("T")

# Databases cap the parameters of one statement (SQLite 32,766, PostgreSQL 65,535), so key lists
# of large imports are looked up in slices.
KEY_SLICE = 1000


def slices(items: Iterable[T]) -> Iterator[list[T]]:
    listed = list(items)
    for start in range(0, len(listed), KEY_SLICE):
        yield listed[start : start + KEY_SLICE]


def one_of(session: Session, column: Any, values: list[Any]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `column = ANY(array)`, one parameter instead of one per value: a
    slice of 1,000 keys is then not a statement of 1,000 placeholders for SQLAlchemy to render and psycopg
    to parse for every slice (the same rows, found through the same index)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return col(column).in_(values)


def rows_by_key(session: Session, table: Any, keys: Iterable[str]) -> dict[str, Any]:
    """Rows of a table with a unique `key` column, by key, for the keys that exist."""
    out: dict[str, Any] = {}
    for part in slices(sorted(set(keys))):
        out.update({r.key: r for r in session.exec(select(table).where(col(table.key).in_(part))).all()})
    return out


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
