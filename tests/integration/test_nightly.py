"""`partnermatch nightly` for real: the command, its lock, run records, incremental runs, proposals, Dask."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC

import pytest
from conftest import postgres_schema
from nightlykit import BIN, edit_profiles, events, make_exchange, nightly, nightly_env, outcome
from sqlalchemy import text

from api.nightly.lock import nightly_lock
from profiles.db import make_engine, session_scope
from profiles.repository import runs


def run_rows(url: str) -> list[dict]:
    engine = make_engine(url)
    with session_scope(engine, readonly=True) as session:
        rows = [
            {
                "id": r.id,
                "kind": r.kind,
                "status": r.status,
                "stage": r.stage,
                "attempts": r.attempts,
                "stats": r.stats,
                "errors": r.errors,
            }
            for r in runs.list_runs(session, 50)
        ]
    engine.dispose()
    return rows[::-1]


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nightly.db'}"
    else:
        with postgres_schema() as pg:
            yield pg


@pytest.mark.slow
def test_nightly_runs_incrementally_and_a_second_run_changes_nothing(url, tmp_path):
    out = tmp_path / "out"
    make_exchange(url, out)
    first = nightly(url, out)
    assert "finished" in first.stdout
    names = [e["event"] for e in events(first.stderr)]
    assert names[0] == "run.start" and names[-1] == "run.finish" and "model.refit" in names
    assert all("ts" in e and "run_id" in e for e in events(first.stderr)[1:])
    after_first = outcome(url)
    assert len(after_first["matches"]) > 500 and after_first["proposals"]

    again = nightly(url, out)
    assert outcome(url) == after_first, "a second run on the same data changed something"
    record = run_rows(url)[-1]
    assert record["kind"] == "incremental" and record["status"] == "finished" and record["stage"] == "delivered"
    matched = record["stats"]["matched"]
    assert (matched["changed"], matched["pairs_scored"], matched["rows_inserted"], matched["rows_deleted"]) == (
        0,
        0,
        0,
        0,
    )
    assert record["stats"]["proposals"]["refreshed"] == [] and "model.refit" not in [
        e["event"] for e in events(again.stderr)
    ]
    listed = subprocess.run(
        [str(BIN), "--output-dir", str(out), "runs"], capture_output=True, text=True, env=nightly_env(url), timeout=120
    )
    assert listed.returncode == 0 and "incremental" in listed.stdout and "finished" in listed.stdout

    edited = edit_profiles(url, every=15)
    nightly(url, out)
    incremental = run_rows(url)[-1]["stats"]["matched"]
    assert incremental["changed"] == edited and 0 < incremental["pairs_scored"] < incremental["candidate_pairs"] / 3
    after_incremental = outcome(url)
    nightly(url, out, "--full")
    full = run_rows(url)[-1]
    assert full["kind"] == "full" and not full["stats"]["matched"]["refit"]
    assert outcome(url)["matches"] == after_incremental["matches"], "incremental and full runs stored different matches"


@pytest.mark.slow
def test_a_second_start_while_a_run_holds_the_lock_exits_with_a_clear_message(url, tmp_path):
    out = tmp_path / "out"
    make_exchange(url, out)
    engine = make_engine(url)
    with nightly_lock(engine, out / "state"):
        blocked = nightly(url, out, check=False)
    engine.dispose()
    assert blocked.returncode == 3
    assert "another nightly run is in progress" in blocked.stderr + blocked.stdout
    assert run_rows(url) == []
    nightly(url, out)  # the lock is free again


@pytest.mark.slow
def test_expired_profiles_leave_the_matches_and_runs_record_it(tmp_path):
    url, out = f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "out"
    make_exchange(url, out)
    nightly(url, out)
    engine = make_engine(url)
    with engine.begin() as conn:
        key = conn.execute(text("SELECT key FROM profile WHERE status = 'published' ORDER BY key LIMIT 1")).scalar()
        conn.execute(text("UPDATE profile SET expires_on = :d WHERE key = :k"), {"d": "2026-11-01", "k": key})
    engine.dispose()
    nightly(url, out)
    record = run_rows(url)[-1]
    assert record["stats"]["expired"]["expired"] == 1 and record["stats"]["matched"]["removed"] == 1
    matches = outcome(url)["matches"]
    assert matches and not [m for m in matches if key in (m["profile"], m["other"])]


@pytest.mark.slow
def test_an_accepted_proposal_is_never_changed_a_better_one_is_flagged(tmp_path):
    url, out = f"sqlite:///{tmp_path / 'p.db'}", tmp_path / "out"
    make_exchange(url, out)
    nightly(url, out)
    engine = make_engine(url)
    with engine.begin() as conn:
        # The advisor accepts a plan well below the best of its bid. (An accepted consortium becomes
        # history: its members' ties lift that plan's synergy, so a near-best plan may become the best.)
        bid, rank2, objective = conn.execute(
            text(
                "SELECT b.key, p.id, p.objective FROM proposal p JOIN bid b ON b.id = p.bid_id "
                "JOIN proposal best ON best.bid_id = p.bid_id AND best.rank = 1 "
                "WHERE p.rank > 1 AND p.feasible ORDER BY best.objective - p.objective DESC, b.key LIMIT 1"
            )
        ).first()
        conn.execute(text("UPDATE proposal SET status = 'accepted' WHERE id = :i"), {"i": rank2})
        plan_before = conn.execute(text("SELECT plan FROM proposal WHERE id = :i"), {"i": rank2}).scalar()
    nightly(url, out)
    with engine.begin() as conn:
        status, plan, flags = conn.execute(
            text("SELECT status, plan, flags FROM proposal WHERE id = :i"), {"i": rank2}
        ).first()
        alternatives = conn.execute(text("SELECT id, objective FROM proposal WHERE status = 'alternative'")).all()
    assert status == "accepted" and plan == plan_before
    flags = json.loads(flags) if isinstance(flags, str) else flags
    assert flags["better_alternative"] in [a[0] for a in alternatives]
    assert flags["objective_gain"] > 0 and max(a[1] for a in alternatives) > objective
    nightly(url, out)  # and the flag is not filed again
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM proposal WHERE status = 'alternative'")).scalar() == len(
            alternatives
        )
    engine.dispose()


@pytest.mark.slow
def test_dask_with_two_local_workers_stores_what_the_in_process_run_stores(tmp_path):
    url, out = f"sqlite:///{tmp_path / 'd.db'}", tmp_path / "out"
    make_exchange(url, out, synthetic=300)
    nightly(url, out, "--no-mail")
    local = outcome(url)["matches"]
    result = nightly(url, out, "--full", "--executor", "dask", "--workers", "2", "--no-mail")
    record = run_rows(url)[-1]
    assert record["stats"]["matched"]["executor"] == "dask" and record["kind"] == "full"
    assert outcome(url)["matches"] == local
    edit_profiles(url, every=20)
    nightly(url, out, "--executor", "dask", "--no-mail")
    on_dask = outcome(url)["matches"]
    nightly(url, out, "--full", "--no-mail")
    assert outcome(url)["matches"] == on_dask
    assert result.returncode == 0


@pytest.mark.slow
def test_schedule_starts_the_run_at_the_set_time(tmp_path):
    from datetime import datetime, timedelta

    url, out = f"sqlite:///{tmp_path / 's.db'}", tmp_path / "out"
    make_exchange(url, out)
    # Far enough ahead that a slow start (imports on a loaded machine) does not miss the time.
    at = (datetime.now(UTC) + timedelta(seconds=15)).strftime("%H:%M:%S")
    result = subprocess.run(
        [
            str(BIN),
            "--output-dir",
            str(out),
            "schedule",
            "--at",
            at,
            "--timezone",
            "UTC",
            "--max-runs",
            "1",
            "--no-mail",
            "--log-format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=nightly_env(url),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "next nightly run" in result.stdout and [r["status"] for r in run_rows(url)] == ["finished"]
    bad = subprocess.run(
        [str(BIN), "--output-dir", str(out), "schedule", "--at", "25:00"],
        capture_output=True,
        text=True,
        env=nightly_env(url),
        timeout=60,
    )
    assert bad.returncode == 1 and "--at" in bad.stderr


def test_state_from_another_run_is_not_trusted(tmp_path):
    from matching import state_store

    assert state_store.load(tmp_path, 7) is None
    (tmp_path / "match-state-7.pickle").write_bytes(b"not a pickle")
    assert state_store.load(tmp_path, 7) is None
