"""The one rule for a live profile: the Python predicate, the SQL condition and everything built on them agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from api.actions.context import profile_row
from api.actions.views import effective_status
from profiles import een, repository
from profiles.db import session_scope
from profiles.domain import ProfileStatus
from profiles.errors import NotFound
from profiles.importing import import_file
from profiles.mapping import profile_from_row
from profiles.repository import firms, runs, search
from profiles.repository import profiles as profile_store
from profiles.tables import ProfileRow
from profiles.visibility import Role, Viewer

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
# dk-alpha-bo-1 (published 2026-03-02) and se-delta-bo-1 (2026-02-14) are past their expiry on this day.
LATER = date(2027, 3, 5)


def _imported(engine, golden_path):
    with session_scope(engine) as session:
        import_file(session, golden_path, NOW, TODAY)


@pytest.mark.parametrize("status", [s.value for s in ProfileStatus])
def test_predicate_and_sql_condition_agree(any_engine, golden_path, status):
    _imported(any_engine, golden_path)
    with session_scope(any_engine) as session:
        row = session.exec(select(ProfileRow).order_by(ProfileRow.key)).first()
        assert row is not None and row.id is not None
        for expires_on in (None, TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1)):
            row.status, row.expires_on = status, expires_on
            session.add(row)
            session.flush()
            live = session.exec(select(ProfileRow.id).where(ProfileRow.id == row.id, een.live_clause(TODAY))).first()
            lapsed = session.exec(
                select(ProfileRow.id).where(ProfileRow.id == row.id, een.lapsed_clause(TODAY))
            ).first()
            expected = status == "published" and (expires_on is None or expires_on >= TODAY)
            assert een.is_live(row, TODAY) is expected, (status, expires_on)
            assert een.is_live(profile_from_row(row, "any-firm"), TODAY) is expected, (status, expires_on)
            assert (live is not None) is expected, (status, expires_on)
            assert (lapsed is not None) is (status == "published" and not expected), (status, expires_on)


def test_a_profile_is_live_on_its_expiry_day_and_expired_the_day_after(engine, golden_path):
    _imported(engine, golden_path)
    with session_scope(engine, readonly=True) as session:
        row = session.exec(select(ProfileRow).where(ProfileRow.key == "dk-alpha-bo-1")).one()
    assert row.expires_on is not None
    assert een.is_live(row, row.expires_on)
    assert effective_status(row, row.expires_on) == "published"
    assert not een.is_live(row, row.expires_on + timedelta(days=1))
    assert effective_status(row, row.expires_on + timedelta(days=1)) == "expired"


def test_expiry_marks_exactly_the_published_profiles_that_are_no_longer_live(engine, golden_path):
    _imported(engine, golden_path)
    with session_scope(engine) as session:
        before = {r.key: een.is_live(r, LATER) for r in session.exec(select(ProfileRow)).all()}
        expired = repository.expire_profiles(session, LATER, NOW)
    with session_scope(engine, readonly=True) as session:
        rows = {r.key: r for r in session.exec(select(ProfileRow)).all()}
    assert expired == 2
    assert {k for k, r in rows.items() if r.status == "expired"} == {"dk-alpha-bo-1", "se-delta-bo-1"}
    assert all(before[k] == (r.status == "published") for k, r in rows.items() if r.status != "draft")


def test_the_nightly_snapshot_holds_the_live_profiles(engine, golden_path):
    _imported(engine, golden_path)
    with session_scope(engine, readonly=True) as session:
        live = {key for key, _, _, _ in runs.matchable_snapshot(session, LATER)}
        expected = {r.key for r in session.exec(select(ProfileRow)).all() if een.is_live(r, LATER)}
    assert live == expected
    assert "dk-alpha-bo-1" not in live and "dk-beta-bo-1" in live and "no-epsilon-draft" not in live


def _firm_viewer(session, key: str) -> Viewer:
    firm = firms.firm_with_key(session, key)
    assert firm is not None and firm.id is not None
    return Viewer(account_id=None, username=f"user of {key}", role=Role.FIRM, firm_id=firm.id)


def test_other_firms_list_and_reach_only_live_profiles(engine, golden_path):
    _imported(engine, golden_path)
    with session_scope(engine, readonly=True) as session:
        outsider, owner = _firm_viewer(session, "dk-beta"), _firm_viewer(session, "dk-alpha")
        lapsed = session.exec(select(ProfileRow).where(ProfileRow.key == "dk-alpha-bo-1")).one()
        assert lapsed.reference is not None

        def listed(viewer: Viewer, today: date) -> set[str]:
            rows, total, _ = search.search_profiles(
                session, search.Scope(firm_id=viewer.firm_id), search.ProfileFilter(), "title", 0, 100, today=today
            )
            assert total == len(rows)
            return {p.key for p, _ in rows}

        assert "dk-alpha-bo-1" in listed(outsider, TODAY)
        assert "dk-alpha-bo-1" not in listed(outsider, LATER)
        assert "dk-alpha-bo-1" in listed(owner, LATER)  # a firm always lists its own profiles
        assert "no-epsilon-draft" not in listed(outsider, TODAY)

        assert profile_row(session, outsider, lapsed.reference, today=TODAY)[0].key == "dk-alpha-bo-1"
        with pytest.raises(NotFound):
            profile_row(session, outsider, lapsed.reference, today=LATER)
        assert profile_row(session, owner, lapsed.reference, today=LATER)[0].key == "dk-alpha-bo-1"


def test_demand_counts_live_requests_only(engine, golden_path):
    _imported(engine, golden_path)
    with session_scope(engine, readonly=True) as session:
        now = profile_store.live_capabilities(session, ("BR", "TR", "RDR"), TODAY)
        request = session.exec(select(ProfileRow).where(ProfileRow.key == "dk-gamma-br-1")).one()
        assert request.expires_on is not None
        after = profile_store.live_capabilities(session, ("BR", "TR", "RDR"), request.expires_on + timedelta(days=1))
    assert now == [list(request.capabilities)]
    assert after == []


def test_a_runs_texts_and_records_are_read_as_stored(any_engine, golden_path):
    _imported(any_engine, golden_path)
    with session_scope(any_engine, readonly=True) as session:
        keys = sorted(r.key for r in session.exec(select(ProfileRow)).all())
        texts = runs.profile_texts(session, [*reversed(keys), "no-such-profile"])
        profiles, firm_records = runs.profiles_and_firms(session, keys)
        orm = {r.key: r for r in session.exec(select(ProfileRow)).all()}
        stored_firms = {f.key: f for f in repository.load_firms(session)}
    # every field of the records as the ORM rows give it, though fewer columns are read
    assert profiles == [profile_from_row(orm[k], p.firm_key) for k, p in zip(keys, profiles, strict=True)]
    assert firm_records == {k: stored_firms[k] for k in firm_records}
    # the texts in the keys' order, each its profile's text; a key with no profile has none
    assert texts == [p.text for p in reversed(profiles)] + [""]
    assert all(texts[:-1])
