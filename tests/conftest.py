"""Shared fixtures: a temporary SQLite database, the PostgreSQL server, the golden dataset."""

from __future__ import annotations

import os
import socket
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).parent))
# Helper modules of the tests that assert: pytest explains their failures as it does the tests'.
pytest.register_assert_rewrite("optimizerkit", "webkit")

from profiles.db import make_engine, upgrade  # noqa: E402
from profiles.settings import Settings  # noqa: E402

GOLDEN = Path(__file__).parent / "data" / "golden.json"
TODAY = date(2026, 11, 21)
# Every run of the suite, its subprocesses included, shares one vector cache: a text is embedded once.
os.environ.setdefault("PARTNERMATCH_VECTOR_CACHE", str(Path(__file__).parents[1] / ".pytest_cache" / "vectors"))
POSTGRES_URL = os.environ.get("PARTNERMATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def golden_path() -> Path:
    return GOLDEN


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pm.db'}"


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings(DATABASE_URL=sqlite_url, output_dir=tmp_path / "out", today=TODAY)


@pytest.fixture
def engine(settings: Settings):
    eng = make_engine(settings.database_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL to a fresh, empty schema on the PostgreSQL server; dropped afterwards.

    Skips only when no server is reachable and CI is unset; in CI a missing server fails.
    """
    if not _postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 and CI is set")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    schema = f"pm_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url():
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request, sqlite_url):
    """The same test on the embedded default and on PostgreSQL."""
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    eng = make_engine(url)
    upgrade(eng)
    yield eng
    eng.dispose()
