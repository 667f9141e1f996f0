"""Free-text search reads its hits in the list's order and counts them up to a limit, on SQLite and PostgreSQL:
its pages are those of sorting every hit, whatever the publication dates, edits and deletions."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from profiles.db import session_scope
from profiles.importing import import_file
from profiles.repository import firms, search
from profiles.tables import ProfileRow

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
WORD = "zephyrcasting"
LIMIT = 7


def _stored_with_word(engine, golden_path) -> int:
    """The golden data plus 24 profiles of dk-alpha with WORD in a text: published on a few days (ties
    included), some drafts and some expired. Returns the id of the firm that searches (dk-beta)."""
    with session_scope(engine) as session:
        import_file(session, golden_path, NOW, TODAY)
    rng = random.Random(7)
    with session_scope(engine) as session:
        template = session.exec(select(ProfileRow).where(ProfileRow.key == "dk-alpha-bo-1")).one()
        for i in range(24):
            status = "draft" if i % 9 == 4 else "published"
            row = ProfileRow(
                **{
                    **template.model_dump(exclude={"id", "key", "reference", "een"}),
                    "key": f"zephyr-{i}",
                    "title": f"Offer {i}",
                    "summary": f"We do {WORD} and more" if i % 2 else "Precision work",
                    "description": "" if i % 2 else f"Line {i}: {WORD.upper()}.",
                    "status": status,
                    "published_on": None if status == "draft" else TODAY - timedelta(days=rng.choice([3, 3, 10, 40])),
                    "expires_on": TODAY - timedelta(days=1) if i % 11 == 6 else TODAY + timedelta(days=90),
                }
            )
            session.add(row)
        searcher = firms.firm_with_key(session, "dk-beta")
        assert searcher is not None and searcher.id is not None
        return searcher.id


def _expected(engine, descending: bool) -> list[str]:
    """Every live profile with WORD, sorted in Python: by publication day, ties by id, both in the sort's direction."""
    with session_scope(engine, readonly=True) as session:
        rows = session.exec(select(ProfileRow)).all()
    live = [
        r
        for r in rows
        if r.status == "published"
        and (r.expires_on is None or r.expires_on >= TODAY)
        and WORD in (r.title + r.summary + r.description).lower()
    ]
    live.sort(key=lambda r: (r.published_on, r.id), reverse=descending)
    return [r.key for r in live]


def _all_pages(engine, firm_id: int, sort: str, per_page: int, **filters) -> tuple[list[str], int, bool]:
    keys, offset = [], 0
    with session_scope(engine, readonly=True) as session:
        while True:
            rows, total, exact = search.search_profiles(
                session,
                search.Scope(firm_id=firm_id),
                search.ProfileFilter(text=WORD, **filters),
                sort,
                offset,
                per_page,
                today=TODAY,
            )
            keys += [p.key for p, _ in rows]
            if len(rows) < per_page:
                return keys, total, exact
            offset += per_page


@pytest.fixture()
def small_limit(monkeypatch):
    monkeypatch.setattr(search, "COUNT_LIMIT", LIMIT)


@pytest.mark.parametrize("sort", ["-published_on", "published_on", "title"])
def test_pages_are_every_hit_sorted_and_the_count_stops_at_the_limit(any_engine, golden_path, small_limit, sort):
    searcher = _stored_with_word(any_engine, golden_path)
    expected = _expected(any_engine, descending=sort.startswith("-"))
    if sort == "title":
        with session_scope(any_engine, readonly=True) as session:
            rows = {r.key: r for r in session.exec(select(ProfileRow)).all()}
        expected = sorted(expected, key=lambda k: (rows[k].title, rows[k].id))
    assert len(expected) > LIMIT
    for per_page in (1, 4, 50):
        keys, total, exact = _all_pages(any_engine, searcher, sort, per_page)
        assert keys == expected
        assert (total, exact) == (LIMIT, False)


def test_a_count_under_the_limit_is_exact(any_engine, golden_path, small_limit):
    searcher = _stored_with_word(any_engine, golden_path)
    with session_scope(any_engine, readonly=True) as session:
        _, total, exact = search.search_profiles(
            session,
            search.Scope(firm_id=searcher),
            search.ProfileFilter(text=f"{WORD} line 10"),
            "-published_on",
            0,
            50,
            today=TODAY,
        )
    assert (total, exact) == (1, True)


def test_edits_of_dates_and_texts_and_deletions_move_hits(any_engine, golden_path, small_limit):
    searcher = _stored_with_word(any_engine, golden_path)
    with session_scope(any_engine) as session:
        rows = {r.key: r for r in session.exec(select(ProfileRow).where(ProfileRow.key.startswith("zephyr-"))).all()}
        rows["zephyr-1"].published_on = TODAY  # newest now
        rows["zephyr-3"].summary = "No longer that word"
        rows["zephyr-2"].summary = f"Now also {WORD}"
        session.add_all([rows["zephyr-1"], rows["zephyr-3"], rows["zephyr-2"]])
        session.delete(rows["zephyr-5"])
    keys, _, _ = _all_pages(any_engine, searcher, "-published_on", 3)
    assert keys == _expected(any_engine, descending=True)
    assert keys[0] == "zephyr-1" and "zephyr-2" in keys
    assert "zephyr-3" not in keys and "zephyr-5" not in keys
