"""Helpers for nightly-run tests: an exchange to run on, the real command, and what a run leaves behind."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import apikit
from sqlalchemy import text

from api.actions import imports
from api.actions.operator import operator
from api.nightly.proposals import plan_signature
from profiles import repository
from profiles.db import make_engine, session_scope
from profiles.domain import ProfileStatus
from profiles.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "partnermatch"
TODAY = date(2026, 11, 21)


def make_exchange(url: str, out: Path, synthetic: int = 0) -> Settings:
    """Demo data, the test accounts (with e-mail addresses) and `synthetic` generated profiles."""
    settings, _ = apikit.seed(url, out, TODAY, match=False)
    engine = make_engine(url)
    if synthetic:
        sys.path.insert(0, str(ROOT))
        from bench.perf.synthetic_profiles import generate

        firms, profiles = generate(synthetic, seed=11)
        out.mkdir(parents=True, exist_ok=True)
        for name, rows in (("firms", firms), ("profiles", profiles)):
            path = out / f"synthetic-{name}.json"
            path.write_text(json.dumps({name: rows}), "utf-8")
            imports.import_path(operator(engine, settings), path)
    with engine.begin() as conn:
        conn.execute(text("UPDATE account SET email = username || '@example.test'"))
    engine.dispose()
    return settings


def edit_profiles(url: str, every: int, suffix: str = " Now also offering robotic TIG welding.") -> int:
    """Change the description of every `every`-th published profile, as an upload would."""
    engine = make_engine(url)
    settings = Settings(DATABASE_URL=url, today=TODAY)
    with session_scope(engine) as session:
        published = repository.load_profiles(session, [ProfileStatus.PUBLISHED])[::every]
        edited = [dataclasses.replace(p, description=p.description + suffix) for p in published]
        repository.upsert_profiles(session, edited, settings.now(), TODAY)
    engine.dispose()
    return len(edited)


def nightly(
    url: str, out: Path, *args: str, smtp_port: int | None = None, check: bool = True, timeout: int = 600
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(BIN), "--output-dir", str(out), "nightly", "--log-format", "json", *args],
        capture_output=True,
        text=True,
        env=nightly_env(url, smtp_port),
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr[-4000:]}")
    return result


def nightly_env(url: str, smtp_port: int | None = None) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, PARTNERMATCH_TODAY=TODAY.isoformat(), COLUMNS="200")
    env.pop("PARTNERMATCH_SMTP_HOST", None)
    if smtp_port is not None:
        env.update(PARTNERMATCH_SMTP_HOST="127.0.0.1", PARTNERMATCH_SMTP_PORT=str(smtp_port))
    return env


def events(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def outcome(url: str) -> dict[str, Any]:
    """What a run leaves that users see: matches, standing proposals, queued messages — without ids and times."""
    engine = make_engine(url)
    with session_scope(engine, readonly=True) as session:
        matches = [
            {k: m[k] for k in ("profile", "other", "rank", "score", "components", "explanation")}
            for m in repository.load_matches(session)
        ]
        proposals = sorted(
            (p["bid"], p["rank"], p["status"], plan_signature(p["feasible"], p["plan"]))
            for p in repository.load_proposals(session)
        )
        alternatives = session.execute(text("SELECT count(*) FROM proposal WHERE status = 'alternative'")).scalar()
        outbox = sorted(tuple(r) for r in session.execute(text("SELECT dedupe_key, recipient, subject FROM outbox")))
        statuses = [r[0] for r in session.execute(text("SELECT status FROM profile ORDER BY key"))]
    engine.dispose()
    return {
        "matches": matches,
        "proposals": proposals,
        "alternatives": alternatives,
        "outbox": outbox,
        "profile_status": statuses,
    }


def copy_sqlite(src_db: Path, src_out: Path, dst: Path) -> tuple[str, Path]:
    """A copy of an SQLite exchange and its output directory (nightly state included)."""
    dst.mkdir(parents=True)
    for suffix in ("", "-wal", "-shm"):
        if Path(str(src_db) + suffix).exists():
            shutil.copy(str(src_db) + suffix, dst / (src_db.name + suffix))
    shutil.copytree(src_out, dst / "out")
    return f"sqlite:///{dst / src_db.name}", dst / "out"
