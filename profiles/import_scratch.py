"""What a streamed import remembers about the rows behind it, kept in a temporary SQLite file instead of the
process's memory, so that an import's memory is bounded by its slice however long the file.

Two things outlive a slice: the row that first used each key (a key used again further down is an error
naming that row) and the stored profiles the file's EEN references name (a row under a stored reference is
about that profile). Held in dictionaries they cost about 250 bytes a row; here each slice looks up just
its own keys and references, and SQLite's page cache (2 MiB) bounds what stays in memory.

The file is private to one import and removed when it ends. A forked reader opens its own connection: a
SQLite connection must not be used on both sides of a fork.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType

LOOKUP_SLICE = 500  # values bound in one `IN (...)`, well under SQLite's limit on parameters

_SCHEMA = """
CREATE TABLE IF NOT EXISTS first_use (key TEXT PRIMARY KEY, row TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stored (reference TEXT PRIMARY KEY, key TEXT NOT NULL, firm TEXT NOT NULL) WITHOUT ROWID;
"""


def chunks(values: Iterable[str], size: int = LOOKUP_SLICE) -> Iterator[list[str]]:
    chunk: list[str] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class ImportScratch:
    """A temporary SQLite file of the keys and references an import has passed; a context manager that
    removes the file."""

    def __init__(self) -> None:
        self._directory = Path(tempfile.mkdtemp(prefix="partnermatch-import-"))
        self.path = self._directory / "scratch.sqlite"
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def __enter__(self) -> ImportScratch:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            # A fork's copy of the parent's connection is left alone (never closed or used here).
            connection = sqlite3.connect(self.path, isolation_level=None)
            # Nothing here must survive a crash: the file is thrown away with the import.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.executescript(_SCHEMA)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def release(self) -> None:
        """Close this process's connection (before forking a reader that will open its own)."""
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None

    def close(self) -> None:
        self.release()
        shutil.rmtree(self._directory, ignore_errors=True)

    def first_uses(self, keys: Iterable[str]) -> dict[str, str]:
        """The row that first used each of these keys, for those used before."""
        db = self._db()
        out: dict[str, str] = {}
        for chunk in chunks(keys):
            marks = ",".join("?" * len(chunk))
            out.update(db.execute(f"SELECT key, row FROM first_use WHERE key IN ({marks})", chunk).fetchall())
        return out

    def add_first_uses(self, first: dict[str, str]) -> None:
        """Remember the row that first used each of these keys (keys not seen before)."""
        db = self._db()
        with db:
            db.execute("BEGIN")
            db.executemany("INSERT INTO first_use (key, row) VALUES (?, ?)", first.items())

    def add_stored(self, stored: dict[str, tuple[str, str]]) -> None:
        """Remember stored profiles by EEN reference: reference → (profile key, firm key)."""
        db = self._db()
        with db:
            db.execute("BEGIN")
            db.executemany(
                "INSERT OR REPLACE INTO stored (reference, key, firm) VALUES (?, ?, ?)",
                ((reference, key, firm) for reference, (key, firm) in stored.items()),
            )

    def stored(self, references: Iterable[str]) -> dict[str, tuple[str, str]]:
        """The stored profiles these references name: reference → (profile key, firm key)."""
        db = self._db()
        out: dict[str, tuple[str, str]] = {}
        for chunk in chunks(references):
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT reference, key, firm FROM stored WHERE reference IN ({marks})", chunk)
            out.update((reference, (key, firm)) for reference, key, firm in rows)
        return out
