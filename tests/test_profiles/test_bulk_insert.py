"""New profiles written in bulk through the driver (profiles.repository.bulk) store what SQLAlchemy's
`insert()` stores, and on SQLite the full-text index filled once per import equals the one the insert
trigger of migration 0015 builds row by row."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import postgres_schema
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, TypeDecorator, create_engine, insert, text
from sqlmodel import Session

from api.actions import imports
from api.actions.operator import operator
from profiles.db import make_engine, session_scope, upgrade
from profiles.domain import Profile, ProfileStatus, ProfileType
from profiles.repository import bulk, upsert_profiles
from profiles.repository import profiles as profile_store
from profiles.settings import Settings
from profiles.tables import ProfileRow

FIRMS = "key,name,country,city\ndk-one,One Metal ApS,DK,Vejle\nse-two,Two Plast AB,SE,Malmö\n"
PROFILES = (
    "key,firm,type,title,summary,description,keywords,capabilities,status,published_on\n"
    "p-1,dk-one,BO,Anodising of aluminium,Anodising for façades,Ålborg line,anodising;façade,anodizing,published,\n"
    "p-2,se-two,BR,Injection moulding wanted,Moulds of PP,,plast,injection moulding,published,2026-03-02\n"
    'p-3,dk-one,BO,"Tab\tand ""quotes""","Line\nbreak",\\back\\slash,,,draft,\n'
    "p-4,se-two,TO,Welding robots,Robot cells,Cells for MIG,welding,welding,published,2025-12-31\n"
)
COLUMNS = [c.name for c in ProfileRow.__table__.columns if c.name not in ("id", "created_at", "updated_at")]  # type: ignore[attr-defined]


def _import(engine, settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "firms.csv").write_text(FIRMS, encoding="utf-8")
    (tmp_path / "profiles.csv").write_text(PROFILES, encoding="utf-8")
    imports.import_path(operator(engine, settings), tmp_path / "firms.csv")
    imports.import_path(operator(engine, settings), tmp_path / "profiles.csv")


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT {', '.join(COLUMNS)} FROM profile ORDER BY key"))]


def _fts_instances(engine) -> list[tuple]:
    """Every token of every document and column in `profile_fts`: the whole index, comparable."""
    with engine.connect() as conn:
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_v USING fts5vocab(main, profile_fts, instance)"
        )
        return [
            tuple(r) for r in conn.exec_driver_sql("SELECT term, doc, col, offset FROM temp.fts_v ORDER BY 1, 2, 3, 4")
        ]


@pytest.mark.parametrize("slice_rows", [2000, 1], ids=["one slice", "a slice per row, read ahead"])
def test_bulk_import_fills_the_full_text_index_as_the_trigger_does(engine, settings, tmp_path, monkeypatch, slice_rows):
    from profiles import import_stream

    monkeypatch.setattr(import_stream, "SLICE", slice_rows)
    monkeypatch.setattr(import_stream, "READ_AHEAD_FROM", 0 if slice_rows == 1 else 10**9)
    _import(engine, settings, tmp_path)
    bulk_index = _fts_instances(engine)
    assert bulk_index and {doc >> 32 for _, doc, _, _ in bulk_index} >= {0}  # drafts at day 0, published later
    # The same rows copied one by one into a second database fire the insert trigger for each row.
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    with other.begin() as conn:
        conn.exec_driver_sql(f"ATTACH DATABASE '{tmp_path / 'pm.db'}' AS a")
        conn.exec_driver_sql("INSERT INTO main.firm SELECT * FROM a.firm")
        conn.exec_driver_sql("INSERT INTO main.profile SELECT * FROM a.profile")
    assert _fts_instances(other) == bulk_index
    with other.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    other.dispose()
    # The trigger is back after the import, and later single inserts and edits still keep the index.
    with engine.connect() as conn:
        triggers = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert triggers == names and bulk.PROFILE_FTS_TRIGGER in triggers
    with engine.begin() as conn:
        conn.execute(text("UPDATE profile SET title = 'Zirconium plating' WHERE key = 'p-1'"))
        hits = conn.exec_driver_sql("SELECT rowid % 4294967296 FROM profile_fts WHERE profile_fts MATCH 'zirconium'")
        assert [r[0] for r in hits] == [conn.execute(text("SELECT id FROM profile WHERE key = 'p-1'")).scalar()]


def _store_with_sqlalchemy(engine, rows: list[dict]) -> None:
    with session_scope(engine) as session:
        session.execute(insert(ProfileRow.__table__), rows)  # type: ignore[attr-defined]


def _compare_with_sqlalchemy(url_a: str, url_b: str, tmp_path: Path, monkeypatch) -> None:
    """Profiles stored by `upsert_profiles` (bulk) equal the same parameter rows inserted by SQLAlchemy."""
    now = datetime(2026, 11, 21, 9, 30, 15, 120000, tzinfo=UTC)
    profiles = [
        Profile(
            key=f"p-{i}",
            firm_key="dk-one",
            type=ProfileType.BUSINESS_OFFER,
            title=f"Offer {i} \t tab",
            summary="Ærø\nline",
            keywords=("a", "ø"),
            capabilities=("anodizing",),
            status=ProfileStatus.PUBLISHED if i % 2 else ProfileStatus.DRAFT,
            een={"profileType": "BO", "nested": [1, 2.5, None]} if i == 1 else None,
        )
        for i in range(4)
    ]
    engines = []
    for url in (url_a, url_b):
        eng = make_engine(url)
        upgrade(eng)
        engines.append(eng)
        settings = Settings(DATABASE_URL=url, output_dir=tmp_path / "out", today=date(2026, 11, 21))
        (tmp_path / "firms.csv").write_text(FIRMS, encoding="utf-8")
        imports.import_path(operator(eng, settings), tmp_path / "firms.csv")
    captured: list[dict] = []

    def capture(session, table, rows):
        captured.extend(rows)
        bulk.insert_rows(session, table, rows)

    monkeypatch.setattr(profile_store, "insert_rows", capture)
    with session_scope(engines[0]) as session:
        upsert_profiles(session, profiles, now, date(2026, 11, 21))
    assert len(captured) == len(profiles)
    _store_with_sqlalchemy(engines[1], captured)
    stamps = "SELECT created_at, updated_at, een IS NULL FROM profile ORDER BY key"
    with engines[0].connect() as a, engines[1].connect() as b:
        assert [tuple(r) for r in a.execute(text(stamps))] == [tuple(r) for r in b.execute(text(stamps))]
    assert _rows(engines[0]) == _rows(engines[1])
    for eng in engines:
        eng.dispose()


def test_bulk_rows_equal_sqlalchemy_inserts_on_sqlite(tmp_path, monkeypatch):
    _compare_with_sqlalchemy(f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}", tmp_path, monkeypatch)


@pytest.mark.postgres
def test_bulk_rows_equal_sqlalchemy_inserts_on_postgresql(tmp_path, monkeypatch):
    with postgres_schema() as url_a, postgres_schema() as url_b:
        _compare_with_sqlalchemy(url_a, url_b, tmp_path, monkeypatch)


def test_a_file_failing_after_bulk_writes_leaves_the_index_and_its_trigger_as_they_were(
    engine, settings, tmp_path, monkeypatch
):
    from profiles import import_stream
    from profiles.errors import ValidationFailed

    monkeypatch.setattr(import_stream, "SLICE", 2)  # the first slices are written before the bad row is read
    (tmp_path / "firms.csv").write_text(FIRMS, encoding="utf-8")
    imports.import_path(operator(engine, settings), tmp_path / "firms.csv")
    bad = PROFILES + "p-5,dk-one,BO,Bad\x01title,Summary,,,,published,\n"
    (tmp_path / "profiles.csv").write_text(bad, encoding="utf-8")
    with pytest.raises(ValidationFailed) as failed:
        imports.import_path(operator(engine, settings), tmp_path / "profiles.csv")
    assert [(e.row, e.field) for e in failed.value.errors] == [("line 6", "title")]  # the sixth record
    assert "U+0001" in failed.value.errors[0].reason
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM profile").scalar() == 0
        triggers = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert bulk.PROFILE_FTS_TRIGGER in triggers
    assert _fts_instances(engine) == []


class _Stamp(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True


@pytest.mark.postgres
def test_aware_times_in_naive_timestamp_columns_are_stored_as_insert_stores_them():
    """PostgreSQL converts a bound aware time to the session's zone; COPY would drop the offset instead."""
    with postgres_schema() as url:
        eng = create_engine(url + "%20-ctimezone%3DEurope/Copenhagen")
        meta = MetaData()
        table = Table(
            "stamps", meta, Column("id", Integer, primary_key=True), Column("a", _Stamp()), Column("b", DateTime())
        )
        meta.create_all(eng)
        stamp = datetime(2026, 12, 7, 5, 0, tzinfo=timezone(timedelta(hours=-3)))
        with Session(eng) as session:
            session.execute(insert(table), [{"a": stamp, "b": stamp}])
            bulk.insert_rows(session, table, [{"a": stamp, "b": stamp}])
            session.commit()
        with eng.connect() as conn:
            stored = conn.execute(text("SELECT a, b FROM stamps ORDER BY id")).all()
        eng.dispose()
    assert stored[0] == stored[1] == (datetime(2026, 12, 7, 9, 0), datetime(2026, 12, 7, 9, 0))
