"""The migrations build exactly the schema the SQLModel tables describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from profiles import tables  # noqa: F401  (registers the tables on the metadata)
from profiles.db import current_revision, head_revision, make_engine, upgrade


def _differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
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
