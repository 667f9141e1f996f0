"""One nightly run at a time per database.

PostgreSQL: a session advisory lock on a connection held for the whole run.
SQLite: an exclusive `flock` on a file next to the database file. Both are let
go by the operating system or the server when the process dies, even by
`kill -9`, so a crashed run never blocks the next one.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from profiles.errors import PartnermatchError

# "pmni": partnermatch nightly; the second key is the schema, so exchanges in one database do not block each other.
ADVISORY_KEY = 0x70_6D_6E_69


class AlreadyRunning(PartnermatchError):
    """Another nightly run holds the lock."""


def _holder_text(info: dict) -> str:
    if not info:
        return "another nightly run is in progress"
    return (
        f"another nightly run is in progress (pid {info.get('pid')} on {info.get('host')}, "
        f"started {info.get('started')})"
    )


def lock_path(engine: Engine, state_dir: Path) -> Path:
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return Path(database + ".nightly.lock")
    return state_dir / "nightly.lock"


@contextmanager
def nightly_lock(engine: Engine, state_dir: Path) -> Iterator[None]:
    me = {"pid": os.getpid(), "host": socket.gethostname(), "started": datetime.now(UTC).isoformat(timespec="seconds")}
    if engine.dialect.name == "postgresql":
        with _advisory(engine, me):
            yield
    else:
        with _file_lock(lock_path(engine, state_dir), me):
            yield


@contextmanager
def _file_lock(path: Path, me: dict) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(_holder_text(_read_info(fd))) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor lets the lock go


def _read_info(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}


@contextmanager
def _advisory(engine: Engine, me: dict) -> Iterator[None]:
    connection = engine.connect()
    try:
        got = connection.execute(
            text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"), {"k": ADVISORY_KEY}
        ).scalar()
        connection.commit()
        if not got:
            holder = connection.execute(
                text("SELECT pid, host, started_at FROM match_run WHERE status = 'running' ORDER BY id DESC LIMIT 1")
            ).first()
            info = {"pid": holder[0], "host": holder[1], "started": holder[2]} if holder else {}
            raise AlreadyRunning(_holder_text(info))
        yield
    finally:
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"), {"k": ADVISORY_KEY})
            connection.commit()
        finally:
            connection.close()
