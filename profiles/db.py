"""Database engine and schema migrations.

The schema is created and upgraded by Alembic (`upgrade`); production code
paths never call `create_all`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

# Enough connections for every request thread of the HTTP service (see Settings.request_threads)
# plus its background jobs, so a busy server waits on the database, not on the pool.
POOL_SIZE, POOL_OVERFLOW = 20, 20


def json_text(value: object) -> str:
    """JSON columns' text. orjson writes what json.dumps would read back alike (keys in insertion order,
    shortest round-trip floats), several times faster: a nightly run writes two documents per match."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        pool = (
            {}
            if ":memory:" in url or url in ("sqlite://", "sqlite:///")
            else {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
        )
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            json_serializer=json_text,
            json_deserializer=orjson.loads,
            **pool,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        json_serializer=json_text,
        json_deserializer=orjson.loads,
    )


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("profiles") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (head by default) using the migrations."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    return ScriptDirectory.from_config(cfg).get_current_head()


# SQLite allows one writer; a transaction that read and then writes while another thread
# committed in between fails at once instead of waiting. Writers in one process take turns.
_SQLITE_WRITERS: dict[int, threading.RLock] = {}
_GUARD = threading.Lock()


def _writer_lock(engine: Engine) -> threading.RLock | None:
    if engine.dialect.name != "sqlite":
        return None
    with _GUARD:
        return _SQLITE_WRITERS.setdefault(id(engine), threading.RLock())


@contextmanager
def session_scope(engine: Engine, readonly: bool = False) -> Iterator[Session]:
    """One transaction: commit on success, roll back everything on any error."""
    lock = None if readonly else _writer_lock(engine)
    if lock is not None:
        lock.acquire()
    try:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
                # A read-only scope ends by closing (which ends the transaction without writing);
                # unlike a rollback, closing keeps the loaded objects readable afterwards.
                if not readonly:
                    session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        if lock is not None:
            lock.release()


def database_problem(exc: BaseException, url: str) -> tuple[str, str]:
    """What went wrong with the database, in one line, and what to do: for people, not a traceback."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = reason.lower()
    where = _where(url)
    if "readonly database" in lowered or "read-only" in lowered or "read only" in lowered:
        return (
            f"the database {where} is read-only",
            "make it writable (e.g. chmod u+w on the file and its folder) "
            "or point --database-url / DATABASE_URL at a writable copy",
        )
    if "unable to open database file" in lowered:
        return (f"cannot open the database {where}", "check that its folder exists and is writable")
    if "database is locked" in lowered:
        return (f"the database {where} is locked by another process", "try again when the other run has finished")
    if (
        "connection refused" in lowered
        or "could not connect" in lowered
        or "connection failed" in lowered
        or "could not translate host" in lowered
    ):
        return (f"cannot reach the database {where}", "check that the server runs and DATABASE_URL is right")
    if "disk" in lowered and ("full" in lowered or "i/o" in lowered):
        return (f"the database {where} cannot be written ({reason})", "free disk space and try again")
    return (f"database error on {where}: {reason}", "see the log for details")


def _where(url: str) -> str:
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - an unparsable URL is described as written
        return "(unparsable URL)"
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ":memory:"
        if database.startswith("file:"):
            database = database[5:].split("?", 1)[0]
        return f"file {database}"
    where = f"{parsed.host or 'localhost'}:{parsed.port or ''}".rstrip(":")
    return f"{parsed.get_backend_name()} database '{parsed.database}' at {where}"
