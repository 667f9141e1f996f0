"""full-text hits in publication order

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

A search lists the newest profiles first. Sorting every hit of a common word ("aluminium"
is in a third of the profiles) made a search cost grow with the exchange; read in the
list's own order, it stops after one page.

SQLite: `profile_fts` becomes a contentless FTS5 table whose rowid is the profile's place
in publication order, `listing_key` = days of `published_on` (0 when unpublished) × 2³² +
id, so FTS5 gives its hits newest first (or oldest first) and the profile id is the rowid
modulo 2³². The triggers keep it in step, also when `published_on` changes; a contentless
table is told what to delete, so the triggers pass the old row's texts.

Both databases: an index on (`published_on`, `id`), which PostgreSQL walks for a page of
a common word's hits (its GIN index gives hits in no order).
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0015'
down_revision: Union[str, None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_COLUMNS = "title, summary, description, keywords"


def _listing_key(row: str) -> str:
    return f"coalesce(CAST(julianday({row}.published_on) AS INTEGER), 0) * 4294967296 + {row}.id"


def _texts(row: str) -> str:
    return ", ".join(f"{row}.{c}" for c in _COLUMNS.split(", "))


_DROP_0013 = [
    "DROP TRIGGER IF EXISTS profile_fts_update",
    "DROP TRIGGER IF EXISTS profile_fts_delete",
    "DROP TRIGGER IF EXISTS profile_fts_insert",
    "DROP TABLE IF EXISTS profile_fts",
]

_SQLITE_UP = _DROP_0013 + [
    f"""CREATE VIRTUAL TABLE profile_fts USING fts5(
        {_COLUMNS}, content='', tokenize='unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER profile_fts_insert AFTER INSERT ON profile BEGIN
        INSERT INTO profile_fts(rowid, {_COLUMNS}) VALUES ({_listing_key('new')}, {_texts('new')});
    END""",
    f"""CREATE TRIGGER profile_fts_delete AFTER DELETE ON profile BEGIN
        INSERT INTO profile_fts(profile_fts, rowid, {_COLUMNS})
        VALUES ('delete', {_listing_key('old')}, {_texts('old')});
    END""",
    f"""CREATE TRIGGER profile_fts_update AFTER UPDATE OF {_COLUMNS}, published_on, id ON profile BEGIN
        INSERT INTO profile_fts(profile_fts, rowid, {_COLUMNS})
        VALUES ('delete', {_listing_key('old')}, {_texts('old')});
        INSERT INTO profile_fts(rowid, {_COLUMNS}) VALUES ({_listing_key('new')}, {_texts('new')});
    END""",
    f"INSERT INTO profile_fts(rowid, {_COLUMNS}) SELECT {_listing_key('profile')}, {_texts('profile')} FROM profile",
]

# 0013's external-content table, keyed by profile id.
_SQLITE_DOWN = _DROP_0013 + [
    f"""CREATE VIRTUAL TABLE profile_fts USING fts5(
        {_COLUMNS}, content='profile', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER profile_fts_insert AFTER INSERT ON profile BEGIN
        INSERT INTO profile_fts(rowid, {_COLUMNS}) VALUES (new.id, {_texts('new')});
    END""",
    f"""CREATE TRIGGER profile_fts_delete AFTER DELETE ON profile BEGIN
        INSERT INTO profile_fts(profile_fts, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_texts('old')});
    END""",
    f"""CREATE TRIGGER profile_fts_update AFTER UPDATE OF {_COLUMNS} ON profile BEGIN
        INSERT INTO profile_fts(profile_fts, rowid, {_COLUMNS}) VALUES ('delete', old.id, {_texts('old')});
        INSERT INTO profile_fts(rowid, {_COLUMNS}) VALUES (new.id, {_texts('new')});
    END""",
    "INSERT INTO profile_fts(profile_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in _SQLITE_UP:
            op.execute(statement)
    op.create_index('ix_profile_published_id', 'profile', ['published_on', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_profile_published_id', table_name='profile')
    if op.get_bind().dialect.name == 'sqlite':
        for statement in _SQLITE_DOWN:
            op.execute(statement)
