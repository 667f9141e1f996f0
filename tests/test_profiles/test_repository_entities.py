"""The repository's entity modules: the names callers use, both ways to record a match run, and the
writes the user actions now make through the repository (deleting firms and bids, interest steps,
sign-in lockouts)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from profiles import repository
from profiles.db import session_scope
from profiles.importing import import_file
from profiles.repository import accounts, bids, firms, interests, proposals, runs
from profiles.repository import profiles as profile_store
from profiles.tables import MatchRow, ProfileRemovalRow, ProfileRow, ProposalMemberRow, ProposalRow, RequirementRow

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

# What `from profiles import repository; repository.<name>` callers use across the code base.
ENGINE_NAMES = (
    "KEY_SLICE UpsertCounts count_rows expire_profiles firm_ids get_bid get_firm get_profile latest_run load_bids "
    "load_firms load_matches load_profiles load_proposals match_scores new_alias profile_keys "
    "store_proposals upsert_bids upsert_firms upsert_profiles"
).split()


@pytest.fixture
def golden(engine, golden_path):
    with session_scope(engine) as session:
        import_file(session, golden_path, NOW, TODAY)
    return engine


def _match(profile: str, other: str, rank: int = 1, score: float = 0.6) -> dict:
    return {
        "profile": profile,
        "other": other,
        "rank": rank,
        "score": score,
        "kind": "customer",
        "components": {"text": {"score": score}},
        "explanation": {"summary": "fits"},
    }


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_the_package_still_offers_every_name_callers_use(name):
    assert getattr(repository, name) is not None
    assert name in repository.__all__


def _full_run(session, rows, profiles: int, pairs: int) -> int:
    run = runs.start_run(session, kind="full", config={"k": 1}, config_hash="hash", now=NOW, host="here", pid=1)
    assert run.id is not None
    runs.write_matches(session, run.id, full=True, delete_pairs=[], rerank=[], removed=[], rows=iter(rows))
    runs.record_matching(session, run.id, "full", profiles, pairs, len(rows))
    runs.end_run(session, run.id, "finished", NOW)
    return run.id


def test_a_full_run_stores_its_matches_and_finishes(golden):
    with session_scope(golden) as session:
        run_id = _full_run(session, [_match("dk-alpha-bo-1", "dk-gamma-br-1")], 6, 3)
    with session_scope(golden, readonly=True) as session:
        latest = repository.latest_run(session)
        stored = repository.load_matches(session, ["dk-alpha-bo-1"])
        scores = repository.match_scores(session)
    assert latest is not None and latest.id == run_id and latest.status == "finished"
    assert (latest.profiles_scored, latest.candidate_pairs, latest.matches_stored) == (6, 3, 1)
    assert [(m["profile"], m["other"], m["firm"], m["other_firm"]) for m in stored] == [
        ("dk-alpha-bo-1", "dk-gamma-br-1", "dk-alpha", "dk-gamma")
    ]
    assert scores == [{"firm": "dk-alpha", "other_firm": "dk-gamma", "score": 0.6}]


def test_a_nightly_run_writes_its_matches_keeping_when_a_pair_first_appeared(golden):
    with session_scope(golden) as session:
        first = runs.start_run(session, kind="full", config={}, config_hash="h", now=NOW, host="here", pid=1)
        assert first.id is not None
        rows = [_match("dk-alpha-bo-1", "dk-gamma-br-1"), _match("dk-beta-bo-1", "dk-gamma-br-1")]
        assert runs.write_matches(session, first.id, full=True, delete_pairs=[], rerank=[], removed=[], rows=iter(rows))
        runs.end_run(session, first.id, "finished", NOW)
    with session_scope(golden) as session:
        second = runs.start_run(session, kind="incremental", config={}, config_hash="h", now=NOW, host="here", pid=1)
        assert second.id is not None
        changed = [_match("dk-alpha-bo-1", "dk-gamma-br-1", score=0.7)]
        runs.write_matches(
            session,
            second.id,
            full=False,
            delete_pairs=[("dk-alpha-bo-1", "dk-gamma-br-1")],
            rerank=[],
            removed=["dk-beta-bo-1"],
            rows=iter(changed),
        )
    with session_scope(golden, readonly=True) as session:
        stored = session.exec(select(MatchRow)).all()
    assert len(stored) == 1
    assert (stored[0].score, stored[0].run_id, stored[0].first_run_id) == (0.7, second.id, first.id)


def test_an_incremental_run_rewrites_deletes_reranks_and_inserts_match_rows(golden):
    with session_scope(golden) as session:
        rows = [
            _match("dk-alpha-bo-1", "dk-gamma-br-1"),
            _match("dk-alpha-bo-1", "dk-beta-bo-1", rank=2),
            _match("dk-gamma-br-1", "dk-beta-bo-1"),
        ]
        first = _full_run(session, rows, 3, 3)
        ids = {(m.profile_id, m.other_profile_id): m.id for m in session.exec(select(MatchRow)).all()}
    with session_scope(golden) as session:
        second = runs.start_run(session, kind="incremental", config={}, config_hash="h", now=NOW, host="here", pid=1)
        assert second.id is not None
        written = runs.write_matches(
            session,
            second.id,
            full=False,
            # alpha's two matches go; one of them comes back with a new score, and alpha gains one
            delete_pairs=[("dk-alpha-bo-1", "dk-gamma-br-1"), ("dk-alpha-bo-1", "dk-beta-bo-1")],
            rerank=[("dk-gamma-br-1", "dk-beta-bo-1", 2)],
            removed=[],
            rows=iter([_match("dk-alpha-bo-1", "dk-beta-bo-1", score=0.9), _match("dk-beta-bo-1", "dk-alpha-bo-1")]),
        )
        assert written == 2
    with session_scope(golden, readonly=True) as session:
        key = {p.id: p.key for p in session.exec(select(ProfileRow)).all()}
        stored = {(key[m.profile_id], key[m.other_profile_id]): m for m in session.exec(select(MatchRow)).all()}
    assert set(stored) == {
        ("dk-alpha-bo-1", "dk-beta-bo-1"),
        ("dk-gamma-br-1", "dk-beta-bo-1"),
        ("dk-beta-bo-1", "dk-alpha-bo-1"),
    }
    kept = stored["dk-alpha-bo-1", "dk-beta-bo-1"]
    assert (kept.score, kept.run_id, kept.first_run_id, kept.rank) == (0.9, second.id, first, 1)
    assert kept.id == ids[kept.profile_id, kept.other_profile_id]  # rewritten in place
    reranked = stored["dk-gamma-br-1", "dk-beta-bo-1"]
    assert (reranked.rank, reranked.run_id, reranked.first_run_id) == (2, second.id, first)
    new = stored["dk-beta-bo-1", "dk-alpha-bo-1"]
    assert (new.run_id, new.first_run_id, new.explanation) == (second.id, second.id, {"summary": "fits"})


def test_deleting_a_firm_takes_its_profiles_and_their_matches(golden):
    with session_scope(golden) as session:
        pairs = [_match("dk-alpha-bo-1", "dk-gamma-br-1"), _match("dk-gamma-br-1", "dk-beta-bo-1")]
        _full_run(session, pairs, 3, 2)
        gamma = firms.firm_with_key(session, "dk-gamma")
        assert gamma is not None and gamma.id is not None
        assert firms.firm_dependents(session, gamma.id) == {"accounts": 0, "proposals": 0, "interests": 0}
        firms.delete_firm(session, gamma, NOW)
    with session_scope(golden, readonly=True) as session:
        removed = session.exec(select(ProfileRemovalRow)).all()
        assert sorted((r.key, r.firm_id, r.removed_at.replace(tzinfo=None)) for r in removed) == [
            (key, gamma.id, NOW.replace(tzinfo=None)) for key in ("dk-gamma-bo-1", "dk-gamma-br-1")
        ]
        assert not firms.firm_exists(session, "dk-gamma")
        assert firms.firm_exists(session, "dk-alpha")
        assert not profile_store.profile_exists(session, "dk-gamma-br-1")
        assert profile_store.profile_exists(session, "dk-alpha-bo-1")
        assert session.exec(select(func.count()).select_from(MatchRow)).one() == 0


def test_deleting_a_bid_takes_its_requirements_and_proposals(golden):
    plan = {"members": [{"firm": "dk-alpha", "lead": True, "covers": ["r1"]}]}
    proposal = {
        "rank": 1,
        "feasible": True,
        "solver": "cbc",
        "solver_status": "Optimal",
        "plan": plan,
        "explanation": {},
        "config": {},
    }
    with session_scope(golden) as session:
        key = repository.load_bids(session)[0].key
        [proposal_id] = repository.store_proposals(session, key, "b1", [proposal], NOW)
        hit = proposals.proposal_with_bid(session, proposal_id)
        assert hit is not None and hit[1].key == key
        alpha = firms.firm_with_key(session, "dk-alpha")
        assert alpha is not None and proposals.member_firm_ids(session, proposal_id) == {alpha.id}
        row = bids.bid_with_key(session, key)
        assert row is not None and bids.requirements_of(session, row.id)
        bids.delete_bid(session, row)
    with session_scope(golden, readonly=True) as session:
        assert not bids.bid_exists(session, key)
        for table in (ProposalRow, ProposalMemberRow):
            assert session.exec(select(func.count()).select_from(table)).one() == 0
        assert session.exec(select(func.count()).select_from(RequirementRow)).one() > 0  # the other bid's


def test_interest_steps_stamp_who_and_when(golden):
    with session_scope(golden) as session:
        target = session.exec(select(ProfileRow).where(ProfileRow.key == "dk-gamma-br-1")).one()
        alpha = firms.firm_with_key(session, "dk-alpha")
        account = accounts.create_account(
            session, username="ann", password_hash="x", role="admin", firm_id=None, cluster=None, email=None, now=NOW
        )
        assert target.id is not None and alpha is not None and alpha.id is not None and account.id is not None
        row = interests.create_interest(
            session,
            profile_id=target.id,
            owner_firm_id=target.firm_id,
            sender_firm_id=alpha.id,
            sender_profile_id=None,
            message="hello",
            account_id=account.id,
            now=NOW,
        )
        interests.set_status(session, row, "forwarded", at=NOW, by=account.id)
        assert (row.status, row.forwarded_at, row.forwarded_by, row.decided_at) == ("forwarded", NOW, account.id, None)
        interests.set_status(session, row, "accepted", at=NOW, by=account.id, note="agreed")
        assert (row.status, row.decided_by, row.note) == ("accepted", account.id, "agreed")
        assert interests.introduced_firms(session, [alpha.id]) == frozenset({target.firm_id})


def test_failed_sign_ins_count_up_lock_and_clear(golden):
    with session_scope(golden) as session:
        row = accounts.create_account(
            session, username="bo", password_hash="x", role="admin", firm_id=None, cluster=None, email=None, now=NOW
        )
        assert [accounts.count_failed_sign_in(session, row) for _ in range(3)] == [1, 2, 3]
        accounts.lock_account(session, row, NOW)
        assert row.locked_at == NOW
        accounts.clear_lockout(session, row)
        assert (row.locked_at, row.failed_sign_ins) == (None, 0)
        accounts.count_failed_sign_in(session, row)
        assert row.id is not None
        accounts.reset_failed_sign_ins(session, row.id)
        assert accounts.get_account(session, row.id).failed_sign_ins == 0
