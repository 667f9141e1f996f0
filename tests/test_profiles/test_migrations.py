"""The migrations build exactly the schema the SQLModel tables describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from profiles import tables  # noqa: F401  (registers the tables on the metadata)
from profiles.db import current_revision, head_revision, make_engine, upgrade

# Full-text search lives only in the migrations (0013): the SQLite FTS5 table `profile_fts` and the
# shadow tables FTS5 keeps for it, and PostgreSQL's generated `profile.search_vector` with its GIN
# index. The application never maps them, so they are left out of the comparison with the tables.
FULL_TEXT_OBJECTS = {"search_vector", "ix_profile_search_vector"}


def _not_full_text(name, type_, parent_names) -> bool:
    if type_ == "table" and name is not None and name.startswith("profile_fts"):
        return False
    return name not in FULL_TEXT_OBJECTS


def _differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": _not_full_text})
        return compare_metadata(context, SQLModel.metadata)


def test_upgrade_head_gives_the_tables_schema_on_both_databases(any_engine):
    assert current_revision(any_engine) == head_revision(any_engine)
    assert _differences(any_engine) == []
    columns = {c["name"] for c in inspect(any_engine).get_columns("achievement")}
    assert {
        "firm_id",
        "partner_firm_id",
        "partner_name",
        "interest_id",
        "proposal_id",
        "agreement_type",
        "signed_on",
        "note",
        "recorded_by",
        "recorded_at",
        "cluster",
    } <= columns


def test_achievements_migration_goes_down_and_up_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, "0006")
    assert "achievement" in inspect(engine).get_table_names()
    from alembic import command

    from profiles.db import alembic_config

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0005")
    assert "achievement" not in inspect(engine).get_table_names()
    assert current_revision(engine) == "0005"
    upgrade(engine)
    assert "achievement" in inspect(engine).get_table_names()
    engine.dispose()


def test_duplicate_pairs_migration_goes_down_and_up_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, "0009")
    assert {"duplicate_pair", "firm_key_alias"} <= set(inspect(engine).get_table_names())
    from alembic import command

    from profiles.db import alembic_config

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0008")
    assert not {"duplicate_pair", "firm_key_alias"} & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert {"duplicate_pair", "firm_key_alias"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_interest_notes_migration_moves_a_withdrawal_note_to_the_sender_side_and_back(tmp_path):
    from alembic import command
    from sqlalchemy import text

    from profiles.db import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, "0007")
    insert = (
        "INSERT INTO interest (id, profile_id, owner_firm_id, sender_firm_id, message, status, created_at, "
        "created_by, forwarded_at, note) VALUES (:id, 1, 1, 2, '', :status, '2026-11-01', 1, :forwarded, :note)"
    )
    with engine.begin() as connection:
        connection.execute(text("PRAGMA foreign_keys=OFF"))
        connection.execute(text(insert), {"id": 1, "status": "withdrawn", "forwarded": None, "note": "found another"})
        connection.execute(text(insert), {"id": 2, "status": "forwarded", "forwarded": "2026-11-02", "note": "call"})
    upgrade(engine, "0008")

    def notes() -> dict[int, tuple[str, ...]]:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT * FROM interest ORDER BY id")).mappings().all()
        return {r["id"]: (r["note"], r.get("sender_note", "")) for r in rows}

    assert notes() == {1: ("", "found another"), 2: ("call", "")}
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0007")
    assert notes() == {1: ("found another", ""), 2: ("call", "")}
    engine.dispose()


def test_firm_identifiers_migration_goes_down_and_up_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, "0011")
    assert {"vat_number", "registry_number"} <= {c["name"] for c in inspect(engine).get_columns("firm")}
    assert "evidence" in {c["name"] for c in inspect(engine).get_columns("duplicate_pair")}
    from alembic import command

    from profiles.db import alembic_config

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0010")
    assert not {"vat_number", "registry_number"} & {c["name"] for c in inspect(engine).get_columns("firm")}
    assert "evidence" not in {c["name"] for c in inspect(engine).get_columns("duplicate_pair")}
    upgrade(engine)
    assert "vat_number" in {c["name"] for c in inspect(engine).get_columns("firm")}
    engine.dispose()


def _full_text_objects(engine) -> set[str]:
    if engine.dialect.name == "sqlite":
        tables = set(inspect(engine).get_table_names())
        return {t for t in tables if t.startswith("profile_fts")}
    columns = {c["name"] for c in inspect(engine).get_columns("profile")}
    indexes = {i["name"] for i in inspect(engine).get_indexes("profile")}
    return (columns | indexes) & FULL_TEXT_OBJECTS


def test_full_text_migration_goes_down_and_up_again_and_indexes_existing_profiles(any_engine, golden_path):
    from datetime import UTC, date, datetime

    from alembic import command

    from profiles.db import alembic_config, session_scope
    from profiles.importing import import_file
    from profiles.repository import search

    assert _full_text_objects(any_engine)
    cfg = alembic_config(any_engine.url.render_as_string(hide_password=False))
    with any_engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0012")
    assert not _full_text_objects(any_engine)
    with session_scope(any_engine) as session:  # profiles stored before full-text search existed
        import_file(session, golden_path, datetime(2026, 5, 1, tzinfo=UTC), date(2026, 5, 1))
    upgrade(any_engine)
    assert _full_text_objects(any_engine)
    assert _differences(any_engine) == []
    with session_scope(any_engine, readonly=True) as session:
        found, total, _ = search.search_profiles(
            session,
            search.Scope(all_private=True),
            search.ProfileFilter(text="battery tray"),
            "title",
            0,
            50,
            today=date(2026, 5, 1),
        )
    assert total >= 1 and all("battery" in (p.title + p.summary).lower() for p, _ in found)
