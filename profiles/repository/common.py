"""What every entity module of the repository shares: key lookups in slices and upsert counts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, any_, bindparam, func, literal_column
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
    """`column IN values` with the values as one parameter instead of one per value (PostgreSQL: `column =
    ANY(array)`; SQLite: `column IN (SELECT value FROM json_each(array))`): a slice of 1,000 keys is then
    not a statement of 1,000 placeholders for SQLAlchemy to render (and psycopg to parse) for every slice.
    The same rows, found through the same index."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    if dialect == "sqlite" and all(type(v) is str for v in values):
        # The same on SQLite: the keys as one JSON array, read back as rows by json_each.
        listed: Any = select(literal_column("value")).select_from(func.json_each(bindparam(None, json.dumps(values))))
        return col(column).in_(listed)
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
