"""full-text search over profiles

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Profile search by free text reads an index instead of scanning every profile's text.

SQLite: `profile_fts`, an external-content FTS5 table over the profile's title, summary,
description and keywords (the JSON text of the list; the tokenizer drops its brackets
and quotes), kept in step with `profile` by triggers. Words are folded (case, accents)
by the `unicode61` tokenizer; SQLite has no stemmers for the exchange's languages, so
search uses prefix queries.

PostgreSQL: `profile.search_vector`, a stored generated tsvector (title weight A,
summary and keywords B, description C) built with the text search configuration of
the profile's language (`pm_regconfig`: da, sv, no/nb/nn, fi, de, en to danish,
swedish, norwegian, finnish, german, english; anything else to simple), with a GIN
index.

The triggers see every INSERT, UPDATE and DELETE of profile rows, also bulk ones, but not
the rows `INSERT OR REPLACE` deletes (SQLite fires no delete trigger for them unless
recursive triggers are on): write profiles with plain INSERT and UPDATE. A later
migration that rebuilds `profile` on SQLite (batch_alter_table copies the table) drops
the triggers with it and must create them again.

Neither object is in the SQLModel tables: the application never reads or writes them
directly, only the search conditions in profiles/repository/search.py name them.
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0013'
down_revision: Union[str, None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_SQLITE_COLUMNS = "title, summary, description, keywords"

_SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE profile_fts USING fts5(
        {_SQLITE_COLUMNS}, content='profile', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER profile_fts_insert AFTER INSERT ON profile BEGIN
        INSERT INTO profile_fts(rowid, {_SQLITE_COLUMNS})
        VALUES (new.id, new.title, new.summary, new.description, new.keywords);
    END""",
    f"""CREATE TRIGGER profile_fts_delete AFTER DELETE ON profile BEGIN
        INSERT INTO profile_fts(profile_fts, rowid, {_SQLITE_COLUMNS})
        VALUES ('delete', old.id, old.title, old.summary, old.description, old.keywords);
    END""",
    f"""CREATE TRIGGER profile_fts_update AFTER UPDATE OF {_SQLITE_COLUMNS} ON profile BEGIN
        INSERT INTO profile_fts(profile_fts, rowid, {_SQLITE_COLUMNS})
        VALUES ('delete', old.id, old.title, old.summary, old.description, old.keywords);
        INSERT INTO profile_fts(rowid, {_SQLITE_COLUMNS})
        VALUES (new.id, new.title, new.summary, new.description, new.keywords);
    END""",
    "INSERT INTO profile_fts(profile_fts) VALUES ('rebuild')",
]

_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS profile_fts_update",
    "DROP TRIGGER IF EXISTS profile_fts_delete",
    "DROP TRIGGER IF EXISTS profile_fts_insert",
    "DROP TABLE IF EXISTS profile_fts",
]

# IMMUTABLE although regconfig names are catalog lookups: the configurations are built in and
# never change, and a generated column needs an immutable expression.
_PG_REGCONFIG = """
CREATE OR REPLACE FUNCTION pm_regconfig(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(split_part(replace(coalesce(language, ''), '_', '-'), '-', 1))
        WHEN 'da' THEN 'pg_catalog.danish'::regconfig
        WHEN 'sv' THEN 'pg_catalog.swedish'::regconfig
        WHEN 'no' THEN 'pg_catalog.norwegian'::regconfig
        WHEN 'nb' THEN 'pg_catalog.norwegian'::regconfig
        WHEN 'nn' THEN 'pg_catalog.norwegian'::regconfig
        WHEN 'fi' THEN 'pg_catalog.finnish'::regconfig
        WHEN 'de' THEN 'pg_catalog.german'::regconfig
        WHEN 'en' THEN 'pg_catalog.english'::regconfig
        ELSE 'pg_catalog.simple'::regconfig
    END
$$
"""

_PG_VECTOR = """
    setweight(to_tsvector(pm_regconfig(language), coalesce(title, '')), 'A')
    || setweight(to_tsvector(pm_regconfig(language), coalesce(summary, '') || ' ' || coalesce(keywords::text, '')), 'B')
    || setweight(to_tsvector(pm_regconfig(language), coalesce(description, '')), 'C')
"""

_PG_UP = [
    _PG_REGCONFIG,
    f"ALTER TABLE profile ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({_PG_VECTOR}) STORED",
    "CREATE INDEX ix_profile_search_vector ON profile USING gin (search_vector)",
]

_PG_DOWN = [
    "DROP INDEX IF EXISTS ix_profile_search_vector",
    "ALTER TABLE profile DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS pm_regconfig(text)",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        return _SQLITE_UP if up else _SQLITE_DOWN
    if dialect == 'postgresql':
        return _PG_UP if up else _PG_DOWN
    return []  # other databases search with the LIKE fallback in profiles/repository/search.py


def upgrade() -> None:
    for statement in _statements(True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(False):
        op.execute(statement)
