"""`partnermatch een sync` against a local server that follows the network web service's contract.

Pages of at most 200 read with `FromDate` moving forward; a slow page, a 500, a 429 and a truncated body
are retried; a record changed between two pages ends up as it was changed; a second sync changes nothing;
a sync killed part-way resumes from its last stored page; runs are recorded; a bad record is listed and the
rest stored. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from een_server import NetworkService
from sqlalchemy import func
from sqlmodel import select

from api.actions import een_sync, exports
from api.actions.operator import operator
from profiles.db import make_engine, session_scope, upgrade
from profiles.een_client import SourceError
from profiles.settings import Settings
from profiles.tables import AuditRow, ProfileRow, SyncRunRow

DATA = Path(__file__).parents[1] / "data" / "een" / "profiles.json"
SAMPLE = json.loads(DATA.read_text(encoding="utf-8"))["items"][0]
BIN = Path(sys.executable).parent / "partnermatch"
START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def records(n: int) -> list[dict]:
    """`n` business offers, modified one minute apart (two of them at the same minute, as feeds have)."""
    out = []
    for i in range(n):
        r = copy.deepcopy(SAMPLE)
        r["reference"] = f"BODK20260301{i + 1:03d}"
        r["title"] = f"Danish machining firm number {i + 1} offers 5-axis CNC milling of aluminium housings"
        r["publicationURL"] = None
        r.pop("publicURL")
        moment = START + timedelta(minutes=i - (1 if i == n // 2 else 0))
        r["lastModified"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        r["publicationDate"] = "2026-03-01"
        out.append(r)
    return out


@pytest.fixture
def ctx(any_engine):
    settings = Settings(DATABASE_URL=any_engine.url.render_as_string(hide_password=False), today=date(2026, 11, 21))
    return operator(any_engine, settings)


def _sync(ctx, service, **kw):
    kw = {"page_size": 50, "timeout": 5.0, "backoff": 0.01} | kw
    return een_sync.sync(ctx, service.url, service.api_key, **kw)


def _titles(engine) -> dict[str, str]:
    with session_scope(engine, readonly=True) as session:
        return {r.reference or r.key: r.title for r in session.exec(select(ProfileRow)).all()}


def test_sync_reads_every_page_then_a_second_sync_changes_nothing(ctx):
    with NetworkService(records(120)) as service:
        first = _sync(ctx, service)
        assert first.status == "succeeded" and first.stats["created"] == 120 and first.stats["pages"] == 3
        assert all(int(r["query"]["PageSize"]) <= 200 for r in service.requests)
        assert [r["query"].get("Page") for r in service.requests] == ["1", "1", "1"]  # FromDate moves instead
        assert "FromDate" not in service.requests[0]["query"]
        assert service.requests[1]["query"]["FromDate"] == records(120)[49]["lastModified"]
        assert len(_titles(ctx.engine)) == 120
        service.requests.clear()
        second = _sync(ctx, service)
        # Remembered per source: the second sync starts where the first ended, and stores nothing new.
        assert service.requests[0]["query"]["FromDate"] == records(120)[-1]["lastModified"]
        assert second.stats.get("created", 0) == 0 and second.stats.get("updated", 0) == 0
        service.change("BODK20260301007", title="Danish machining firm now also anodises aluminium housings")
        third = _sync(ctx, service)
        assert (third.stats["created"], third.stats["updated"]) == (0, 1)
    assert _titles(ctx.engine)["BODK20260301007"].endswith("also anodises aluminium housings")
    with session_scope(ctx.engine, readonly=True) as session:
        runs = session.exec(select(SyncRunRow).order_by(SyncRunRow.id)).all()
        assert [r.status for r in runs] == ["succeeded"] * 3 and runs[0].source == service.url.lower()
        audited = session.exec(select(func.count()).select_from(AuditRow).where(AuditRow.action == "een_sync")).one()
        assert audited == 3
    # What came from the network goes back to it unchanged.
    exported = {r["reference"]: r for r in exports.network_records(ctx)}
    assert exported["BODK20260301001"] == records(120)[0]


def test_faults_are_retried_and_a_record_changed_between_pages_is_read_as_changed(ctx):
    with NetworkService(records(120)) as service:
        service.slow_seconds = 2.0
        service.faults = {1: "500", 2: "slow", 4: "429", 5: "truncated"}
        service.after = {3: lambda s: s.change("BODK20260301003", title="Changed after the first page was read")}
        result = _sync(ctx, service, timeout=0.5)
    assert result.status == "succeeded" and result.stats["retries"] == 4, result.errors
    titles = _titles(ctx.engine)
    assert len(titles) == 120 and titles["BODK20260301003"] == "Changed after the first page was read"
    problems = " ".join(e["retry"] for e in result.errors if "retry" in e)
    assert "HTTP 500" in problems and "HTTP 429" in problems and "Timeout" in problems
    assert "RemoteProtocolError" in problems or "unreadable body" in problems


def test_a_bad_record_is_listed_and_the_rest_stored(ctx):
    feed = records(30)
    feed[4]["technologyKeywords"] = [f"keyword {i}" for i in range(7)]
    feed[9]["profileStatus"] = "SOMETHING_NEW"
    with NetworkService(feed) as service:
        result = _sync(ctx, service)
    assert result.status == "succeeded" and result.stats["rejected"] == 2 and result.stats["created"] == 28
    listed = {(e["reference"], e["field"]) for e in result.errors if "reference" in e}
    assert listed == {("BODK20260301005", "technologyKeywords"), ("BODK20260301010", "profileStatus")}
    assert "BODK20260301005" not in _titles(ctx.engine)


def test_a_refused_key_fails_the_run_and_stores_nothing(ctx):
    with NetworkService(records(5)) as service:
        with pytest.raises(SourceError, match="refused the API key"):
            een_sync.sync(ctx, service.url, "wrong-key", backoff=0.01)
    assert _titles(ctx.engine) == {}
    with session_scope(ctx.engine, readonly=True) as session:
        run = session.exec(select(SyncRunRow)).one()
        assert run.status == "failed" and "refused the API key" in run.errors[-1]["error"]


def test_since_reads_from_that_date(ctx):
    with NetworkService(records(20)) as service:
        result = _sync(ctx, service, since=START + timedelta(minutes=15))
        assert service.requests[0]["query"]["FromDate"].startswith("2026-03-01T08:15:00")
    assert result.stats["created"] == 5


def _cli(db: str, service: NetworkService, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db, "PARTNERMATCH_TODAY": "2026-11-21", "NETWORK_KEY": service.api_key}
    env["COLUMNS"] = "250"
    return subprocess.Popen(
        [str(BIN), "een", "sync", "--url", service.url, "--api-key-env", "NETWORK_KEY", "--page-size", "50", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_a_killed_sync_resumes_from_its_last_stored_page(tmp_path):
    db = f"sqlite:///{tmp_path / 'sync.db'}"
    engine = make_engine(db)
    upgrade(engine)
    with NetworkService(records(200)) as service:
        service.slow_seconds = 60.0
        service.faults = {3: "slow"}  # the third page hangs: the process is killed while it waits
        proc = _cli(db, service, "--timeout", "120")
        deadline = time.monotonic() + 120
        while len(service.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        with session_scope(engine, readonly=True) as session:
            run = session.exec(select(SyncRunRow)).one()
            assert run.status == "running" and run.stats["pages"] == 2
            checkpoint = run.checkpoint
        assert len(_titles(engine)) == 99  # the second page starts at the first's last record: 49 new
        service.faults = {}
        service.requests.clear()
        again = _cli(db, service)
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        assert "succeeded (attempt 2)" in out and "200 new" in out and "0 queued" in out, out
        assert service.requests[0]["query"]["FromDate"] == checkpoint["from"]  # not from the beginning
        # And a second sync changes nothing.
        done = _cli(db, service)
        out, err = done.communicate(timeout=120)
        assert done.returncode == 0 and "0 new, 0 updated" in out, out + err
    with session_scope(engine, readonly=True) as session:
        assert session.exec(select(func.count()).select_from(ProfileRow)).one() == 200
        assert [r.status for r in session.exec(select(SyncRunRow).order_by(SyncRunRow.id)).all()] == [
            "succeeded",
            "succeeded",
        ]
    engine.dispose()


def test_the_command_needs_the_key_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NOT_SET_KEY"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    result = subprocess.run(
        [str(BIN), "een", "sync", "--url", "http://127.0.0.1:9", "--api-key-env", "NOT_SET_KEY"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1 and "NOT_SET_KEY" in result.stderr


def test_the_command_line_imports_and_exports_network_records_unchanged(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'een.db'}", "PARTNERMATCH_TODAY": "2026-11-21"}
    imported = subprocess.run([str(BIN), "import", str(DATA)], capture_output=True, text=True, env=env, timeout=120)
    assert imported.returncode == 0, imported.stderr
    exported = subprocess.run(
        [str(BIN), "export", "profiles", "--format", "een", "--include-contacts"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert exported.returncode == 0, exported.stderr
    records = {r["reference"]: r for r in json.loads(exported.stdout)}
    assert records == {r["reference"]: r for r in json.loads(DATA.read_text(encoding="utf-8"))["items"]}
    wrong = subprocess.run(
        [str(BIN), "export", "firms", "--format", "een"], capture_output=True, text=True, env=env, timeout=120
    )
    assert wrong.returncode == 1 and "profiles only" in wrong.stderr
