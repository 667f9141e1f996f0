"""The real `partnermatch` command on a temporary SQLite database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "partnermatch"


def run(tmp_path: Path, *args: str, check: bool = True, db: str | None = None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": db or f"sqlite:///{tmp_path / 'cli.db'}",
        "PARTNERMATCH_TODAY": "2026-11-21",
        "COLUMNS": "200",
    }
    result = subprocess.run(
        [str(BIN), "--output-dir", str(tmp_path / "out"), *args], capture_output=True, text=True, env=env, timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def test_import_match_matches_propose_export(tmp_path, golden_path):
    out = run(tmp_path, "import", str(golden_path)).stdout
    assert "firms: 5 new" in out
    again = run(tmp_path, "import", str(golden_path)).stdout
    assert "firms: 0 new, 0 updated, 5 unchanged" in again
    assert "run 1: 6 published profiles" in run(tmp_path, "match").stdout
    shown = run(tmp_path, "matches", "dk-gamma-br-1").stdout
    assert "BOSE20260214001" in shown and "offer meets need" in shown
    proposed = run(tmp_path, "propose", "bid-tray", "--alternatives", "2").stdout
    assert "#1" in proposed and "#2" in proposed and "Alpha Extrusion A/S" in proposed
    assert (tmp_path / "out" / "proposals" / "proposal-bid-tray.md").exists()
    infeasible = run(tmp_path, "propose", "bid-ecoat-iatf").stdout
    assert "no firm offers e-coating with IATF 16949" in infeasible
    joint = run(tmp_path, "propose", "--all-open", "--no-documents").stdout
    assert "bid-tray" in joint and "bid-ecoat-iatf" in joint
    exported = json.loads(run(tmp_path, "export", "proposals").stdout)
    assert {p["bid"] for p in exported["proposals"]} == {"bid-tray", "bid-ecoat-iatf"}
    csv_text = run(tmp_path, "export", "matches", "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("profile,firm,other")


def test_command_line_changes_are_in_the_audit_log(tmp_path, golden_path):
    from sqlalchemy import create_engine, text

    run(tmp_path, "import", str(golden_path))
    run(tmp_path, "import", str(golden_path))  # nothing changed: nothing to audit
    run(tmp_path, "match")
    run(tmp_path, "propose", "bid-tray", "--alternatives", "2", "--no-documents")
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, action, entity, entity_key, detail FROM audit_event ORDER BY id")).all()
    engine.dispose()
    assert [(r[1], r[2]) for r in rows] == [("import", "upload"), ("match", "match_run"), ("propose", "bid")]
    assert {r[0] for r in rows} == {"command line"} and rows[2][3] == "bid-tray"
    detail = rows[2][4]
    assert (json.loads(detail) if isinstance(detail, str) else detail)["feasible"] is True


def test_bad_file_exits_nonzero_and_lists_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("key,name,country,nace\ndk-a,A ApS,DK,99.99\ndk-b,,DK,25.62\n", encoding="utf-8")
    result = run(tmp_path, "import", str(bad), check=False)
    assert result.returncode == 1
    assert "2 error(s); nothing was stored" in result.stderr
    assert "line 2" in result.stderr and "nace[0]" in result.stderr and "line 3" in result.stderr
    assert "no firm" not in run(tmp_path, "export", "firms").stdout
    assert json.loads(run(tmp_path, "export", "firms").stdout) == {"firms": []}


def test_unknown_bid_and_solver(tmp_path, golden_path):
    run(tmp_path, "import", str(golden_path))
    missing = run(tmp_path, "propose", "no-such-bid", check=False)
    assert missing.returncode == 1 and "no bid with key 'no-such-bid'" in missing.stderr
    bad_solver = run(tmp_path, "propose", "bid-tray", "--solver", "gurobi", check=False)
    assert bad_solver.returncode == 2


def test_db_upgrade_is_idempotent(tmp_path):
    from alembic.script import ScriptDirectory

    from profiles.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert f"revision {head}" in run(tmp_path, "db", "upgrade").stdout
    assert f"revision {head}" in run(tmp_path, "db", "upgrade").stdout


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path):
    result = run(tmp_path, "demo")
    out = result.stdout
    assert "no consortium is possible" in out
    docs = sorted((tmp_path / "out" / "proposals").glob("*.html"))
    assert len(docs) >= 5
