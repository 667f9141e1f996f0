"""New rows of an import written in bulk through the database driver, storing what SQLAlchemy's `insert()`
would store.

`insert(table)` with a list of parameter dicts spends most of its time per row in SQLAlchemy: the
parameters are checked and every value goes through its type's bind processor, JSON columns included.
Here each value is converted once, by the same converter SQLAlchemy would use (the column type's bind
processor; for JSON the dialect's serializer, None as JSON `null` like SQLAlchemy's `JSON`), and the rows
go to the driver as plain tuples: `executemany` on SQLite and `COPY ... FROM STDIN` on PostgreSQL. A
column missing from the rows gets its scalar Python default, as `insert()` gives it.

On SQLite, the full-text index of profiles (migration 0015's contentless `profile_fts`, whose rowid is the
profile's place in publication order) is filled by one `INSERT ... SELECT` per call (or once for a whole
import, within `profile_text_index_filled_after`) instead of the insert trigger firing once per row: within
the import's transaction the trigger is dropped, the rows are inserted, the index rows are added with the
trigger's own expression, and the trigger is created again from the text SQLite kept of it. Schema changes
in SQLite are transactional, so other connections only ever see the trigger in place; if anything fails, the
rollback restores it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import Connection, Dialect
from sqlmodel import Session

Converter = Callable[[Any], Any]

PROFILE_FTS_TRIGGER = "profile_fts_insert"
# The rowid and texts of a profile in `profile_fts`, as migration 0015's triggers write them. In rowid order:
# FTS5 writes its pending terms to disk whenever a rowid comes below the last one written, so rows in
# publication order are one segment per slice instead of one for almost every row (3× faster at 10,000).
PROFILE_FTS_FILL = (
    "INSERT INTO profile_fts(rowid, title, summary, description, keywords) "
    "SELECT coalesce(CAST(julianday(published_on) AS INTEGER), 0) * 4294967296 + id, "
    "title, summary, description, keywords FROM profile WHERE id > ? ORDER BY 1"
)


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT `rows` (dicts with the same keys) into `table`, as `session.execute(insert(table), rows)` would."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    defaults = [c for c in table.columns if c.name not in rows[0] and not _generated(c)]
    for column in defaults:
        if column.default is None or not column.default.is_scalar:
            raise ValueError(f"{table.name}.{column.name} is missing from the rows and has no scalar default")
    converters = [_converter(column, dialect, connection) for column in columns]
    constants = tuple(_convert(_converter(c, dialect, connection), c.default.arg) for c in defaults)
    all_names = names + [c.name for c in defaults]
    values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    converted = [(i, convert) for i, convert in enumerate(converters) if convert is not None]
    tuples = []
    for row in rows:
        cells = list(values(row))
        for i, convert in converted:
            cells[i] = convert(cells[i])
        tuples.append((*cells, *constants))
    if dialect.name == "postgresql":
        _copy(connection, table.name, all_names, tuples)
    elif dialect.name == "sqlite" and table.name == "profile":
        _sqlite_profiles(connection, all_names, tuples)
    else:
        connection.exec_driver_sql(_insert_sql(table.name, all_names, dialect), tuples)


def _convert(converter: Converter | None, value: Any) -> Any:
    return value if converter is None else converter(value)


def _generated(column: Column[Any]) -> bool:
    """Left to the database: an autoincrement primary key, a server default, a computed column."""
    return (
        bool(column.primary_key and column.autoincrement)
        or column.server_default is not None
        or column.computed is not None
    )


def _converter(column: Column[Any], dialect: Dialect, connection: Connection) -> Any:
    kind = column.type
    if isinstance(kind, sqltypes.JSON):
        serializer = getattr(dialect, "_json_serializer", None) or json.dumps
        # SQLAlchemy's JSON stores Python None as JSON null unless none_as_null is set.
        if kind.none_as_null:
            return lambda value: None if value is None else serializer(value)
        return serializer
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    stamp = kind.impl_instance if isinstance(kind, sqltypes.TypeDecorator) else kind
    if not isinstance(stamp, sqltypes.DateTime):
        return process
    if dialect.name == "postgresql" and not stamp.timezone:
        to_timestamp = _pg_timestamp(connection)
        if process is None:
            return to_timestamp
        decorate = process
        return _last_remembered(lambda value: to_timestamp(decorate(value)))
    return None if process is None else _last_remembered(process)


def _last_remembered(process: Converter) -> Converter:
    """`process` remembering its last value: the time stamps of an import's rows are all the same."""
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[:] = [value, process(value)]
        return last[1]

    return convert


def _pg_timestamp(connection: Connection) -> Converter:
    """An aware datetime as PostgreSQL stores it in a `timestamp` column when bound as a parameter (converted
    to the session's time zone; COPY would drop the offset instead). The few distinct values of an import
    (its `now`) are asked once each."""
    seen: dict[datetime, datetime] = {}

    def convert(value: Any) -> Any:
        if not isinstance(value, datetime) or value.tzinfo is None:
            return value
        if value not in seen:
            seen[value] = connection.exec_driver_sql("SELECT CAST(%s AS timestamp)", (value,)).scalar_one()
        return seen[value]

    return convert


def placeholder(dialect: Dialect) -> str:
    """The driver's parameter marker, for statements sent through `exec_driver_sql`."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


def _insert_sql(table: str, names: list[str], dialect: Dialect) -> str:
    marker = placeholder(dialect)
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join([marker] * len(names))})"


def _copy(connection: Connection, table: str, names: list[str], tuples: list[tuple[Any, ...]]) -> None:
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for row in tuples:
            copy.write_row(row)


def _sqlite_profiles(connection: Connection, names: list[str], tuples: list[tuple[Any, ...]]) -> None:
    with _text_index_filled_after(connection):
        connection.exec_driver_sql(_insert_sql("profile", names, connection.dialect), tuples)


@contextmanager
def profile_text_index_filled_after(session: Session) -> Iterator[None]:
    """Within the context, new profiles (of `insert_rows`, in any number of calls) get their full-text index
    rows once, at the end, in one `INSERT ... SELECT` in rowid order: what one statement per call would add,
    with fewer segments for FTS5 to write and merge (an import of 100,000 rows in slices wrote some fifty).
    Rows updated meanwhile keep theirs through the update trigger. Nothing to do but on SQLite."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    with _text_index_filled_after(connection):
        yield


@contextmanager
def _text_index_filled_after(connection: Connection) -> Iterator[None]:
    trigger = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (PROFILE_FTS_TRIGGER,)
    ).scalar()
    if trigger is None:  # no full-text index in this database, or filled by an outer context
        yield
        return
    driver = connection.connection.driver_connection
    if not driver.in_transaction:
        # The trigger is dropped inside the transaction: it must not be gone for a moment in autocommit.
        connection.exec_driver_sql("BEGIN")
    before = connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM profile").scalar_one()
    connection.exec_driver_sql(f"DROP TRIGGER {PROFILE_FTS_TRIGGER}")
    try:
        yield
        # New rows got ids above the greatest one (SQLite's rowid, no row at the largest possible id).
        connection.exec_driver_sql(PROFILE_FTS_FILL, (before,))
    finally:
        connection.exec_driver_sql(trigger)
