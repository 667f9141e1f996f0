"""Import throughput: the product's import path against the path before bulk writes, in one run
(python -m bench.perf.import_throughput).

Generates synthetic EEN profiles and their firms (bench.perf.synthetic_profiles) as the product's CSV import
files at each `--sizes` (default 10,000 and 100,000 profile rows), and imports them on SQLite (a fresh file)
and on PostgreSQL (a fresh schema) with two versions of the code, each taken from git into a temporary folder
(so edits in the working tree during a run change nothing):

- old: the import before bulk writes (`BASELINE_COMMIT`: one ORM object per row, `asdict` twice per record,
  the CSV read whole, reference serials found with LIKE per prefix, every stored firm loaded for identity
  resolution);
- new: `--commit` (default HEAD).

`--baseline 3b00518216` (`BULK_COMMIT`) compares with the bulk path of before the driver-level inserts
instead; `--old-repeats-large 0` leaves the old path out above `--old-max`.

Every run is a fresh Python subprocess on a fresh database. The firms are stored first, untimed, with the
repository's `upsert_firms` of the version under test (identity resolution of 65,000 firms in five countries
is a different cost, measured apart: with `--time-firms-up-to`, sizes up to that import firms.csv through the
product path, timed). Then profiles.csv is imported through `api.actions.imports.import_path` as the
operator (timed), and imported again (timed: a re-import must change nothing). Memory: the process's peak
RSS during the profiles import minus its RSS when the import started (`/proc/self/clear_refs` resets the
high-water mark), so it shows what the import itself holds.

    python -m bench.perf.import_throughput                        # 10k and 100k, writes docs/benchmarks.md
    python -m bench.perf.import_throughput --sizes 2000 --repeats 1   # smoke test, docs untouched
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.report import machine, write_section

SECTION = "Import throughput"
SCRIPT = "python -m bench.perf.import_throughput"
TODAY = date(2026, 11, 21)  # fixed calendar day: every generated profile is published and not yet expired
LIBRARIES = ("sqlalchemy", "sqlmodel", "psycopg", "rapidfuzz", "numpy", "alembic")
RESULT_PREFIX = "RESULT "
DOCS_MIN_ROWS = 10_000  # smaller runs are smoke tests and leave docs/benchmarks.md alone unless --write
POSTGRES_URL = os.environ.get("PARTNERMATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# The last commit before imports wrote in bulk and streamed CSV files: the "old" path.
BASELINE_COMMIT = "6cced5c58fc8"
# The last commit before the driver-level inserts (COPY; one full-text statement per slice on SQLite).
BULK_COMMIT = "3b00518216"
# The last commit before the read-ahead (one process read, validated and wrote every slice).
SINGLE_PROCESS_COMMIT = "4eeeb2d"
PACKAGES = ("api", "profiles", "matching", "optimizer")
# Before this change, on the same machine (docs/benchmarks.md of 2026-11-21, SQLite, no full-text index yet).
BEFORE_100K = "1,706 profile rows/s (profiles phase 58.6 s), 1,350 rows/s end to end; peak RSS 1,613 MiB"
# The bulk path before the driver-level inserts and the per-row CPU work of issue 18 (docs/benchmarks.md of
# 2026-12-06, commit 42cffc6305, load average 6.7-10.3 on the 2 cores): wall rows/s, CPU s, rows per CPU-s.
BEFORE_BULK = (
    "| SQLite | 10,000 | bulk (42cffc6305) | 3 | 909 [730–1,000] | 2.6 | 260 | 260 | 3,850 | 2,174 [1,961–2,857] | "
    "6.7–10.3 | +19 MiB |",
    "| SQLite | 100,000 | bulk (42cffc6305) | 2 | 1,339 [1,104–1,575] | 27.9 | 279 | 279 | 3,580 | "
    "3,574 [3,257–3,891] | 6.7–10.3 | |",
    "| PostgreSQL | 10,000 | bulk (42cffc6305) | 3 | 917 [826–980] | 2.1 | 210 | 210 | 4,760 | 3,333 [2,941–3,448] | "
    "6.7–10.3 | +21 MiB |",
    "| PostgreSQL | 100,000 | bulk (42cffc6305) | 2 | 1,082 [777–1,388] | 18.6 | 186 | 186 | 5,380 | "
    "4,111 [2,712–5,511] | 6.7–10.3 | +57 MiB, peak RSS 155 MiB |",
)


# --------------------------------------------------------------------------- worker (one fresh process per run)
def _current_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _reset_peak_rss() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def worker(code: Path, firms_csv: Path, profiles_csv: Path, url: str, time_firms: bool) -> dict[str, Any]:
    """Import into the database at `url` with the code in `code`; return timings, counts and memory."""
    sys.path.insert(0, str(code))
    from api.actions import imports  # noqa: PLC0415 - the version under test, from `code`
    from api.actions.operator import open_database, operator  # noqa: PLC0415
    from profiles import repository  # noqa: PLC0415
    from profiles.db import session_scope  # noqa: PLC0415
    from profiles.importing import validate_raw  # noqa: PLC0415
    from profiles.readers import read_input  # noqa: PLC0415
    from profiles.settings import Settings  # noqa: PLC0415

    assert Path(repository.__file__).is_relative_to(code), repository.__file__
    settings = Settings(DATABASE_URL=url, output_dir=profiles_csv.parent, today=TODAY)
    engine = open_database(settings)
    out: dict[str, Any] = {"load_start": os.getloadavg()[0]}

    def phase(name: str, fn: Any) -> Any:
        _reset_peak_rss()
        start_rss = _current_rss_mib()
        t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu_s()
        result = fn()
        out[f"{name}_s"] = time.perf_counter() - t0
        out[f"{name}_cpu_s"] = time.process_time() - c0
        # the forked reader's CPU (a large file is read and validated by a copy of this process)
        out[f"{name}_children_cpu_s"] = _children_cpu_s() - k0
        out[f"{name}_children_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        out[f"{name}_rss_delta_mib"] = _peak_rss_mib() - start_rss
        return result

    if time_firms:
        report = phase("firms", lambda: imports.import_path(operator(engine, settings), firms_csv))
        out["firms_counts"] = report.counts["firms"]
    elif os.environ.get("PM_BENCH_SETUP_ONLY"):
        # Stored in a process of its own, so that the import's process starts without the firms' memory.
        batch, errors = validate_raw(read_input(firms_csv))
        assert not errors
        with session_scope(engine) as session:
            out["firms_counts"] = repository.upsert_firms(session, batch.firms, settings.now()).as_dict()
        return out
    out["start_rss_mib"] = _current_rss_mib()
    report = phase("profiles", lambda: imports.import_path(operator(engine, settings), profiles_csv))
    out["profiles_counts"] = report.counts["profiles"]
    again = phase("reimport", lambda: imports.import_path(operator(engine, settings), profiles_csv))
    out["reimport_counts"] = again.counts["profiles"]
    out["load_end"] = os.getloadavg()[0]
    out["profiles_peak_rss_mib"] = out["start_rss_mib"] + out["profiles_rss_delta_mib"]
    engine.dispose()
    return out


def generator(firms_csv: Path, profiles_csv: Path, rows: int, seed: int) -> dict[str, Any]:
    from bench.perf.synthetic_profiles import write_csv  # noqa: PLC0415

    n_firms, n_profiles = write_csv(firms_csv, profiles_csv, rows, seed)
    return {"firms": n_firms, "profiles": n_profiles}


# --------------------------------------------------------------------------- driver
ROOT = Path(__file__).resolve().parents[2]


def _run_child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.perf.import_throughput", *args]
    environment = {k: v for k, v in os.environ.items() if k != "PM_BENCH_SETUP_ONLY"} | (env or {})
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=environment)
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    line = next(ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith(RESULT_PREFIX))
    return json.loads(line[len(RESULT_PREFIX) :])


def _checkout(commit: str, into: Path) -> str:
    """The engine's packages as of `commit`, unpacked into `into`; returns the full commit hash."""
    full = subprocess.run(["git", "rev-parse", commit], cwd=ROOT, capture_output=True, text=True, check=True)
    archive = subprocess.run(["git", "archive", commit, *PACKAGES], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return full.stdout.strip()


@contextmanager
def _database(kind: str, folder: Path, name: str) -> Any:
    if kind == "sqlite":
        path = folder / f"{name}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text  # noqa: PLC0415

    schema = f"pm_import_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def library_versions() -> dict[str, str]:
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    import sqlite3  # noqa: PLC0415

    out["sqlite"] = sqlite3.sqlite_version
    return out


def _rate(rows: int, runs: list[dict[str, Any]], key: str) -> str:
    rates = sorted(rows / r[key] for r in runs)
    med = statistics.median(rates)
    return f"{med:,.0f} [{rates[0]:,.0f}–{rates[-1]:,.0f}]" if len(rates) > 1 else f"{med:,.0f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="profile rows")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the new path per size and database")
    parser.add_argument("--old-repeats", type=int, default=3, help="runs of the old path at sizes up to --old-max")
    parser.add_argument("--old-repeats-large", type=int, default=1, help="runs of the old path above --old-max")
    parser.add_argument("--old-max", type=int, default=10_000)
    parser.add_argument("--time-firms-up-to", type=int, default=10_000, help="import firms.csv timed up to this size")
    parser.add_argument("--commit", default="HEAD", help="the new path's commit")
    parser.add_argument("--baseline", default=BASELINE_COMMIT, help="the old path's commit")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", dest="write", action="store_true", default=None)
    parser.add_argument("--no-write", dest="write", action="store_false")
    parser.add_argument("--worker", nargs=5, metavar=("CODE", "FIRMS", "PROFILES", "URL", "TIME_FIRMS"))
    parser.add_argument("--generate", nargs=3, metavar=("FIRMS", "PROFILES", "ROWS"))
    args = parser.parse_args(argv)

    if args.generate:
        firms, profiles, rows = args.generate
        print(RESULT_PREFIX + json.dumps(generator(Path(firms), Path(profiles), int(rows), args.seed)))
        return
    if args.worker:
        code, firms, profiles, url, time_firms = args.worker
        result = worker(Path(code), Path(firms), Path(profiles), url, time_firms == "1")
        print(RESULT_PREFIX + json.dumps(result))
        return

    write_docs = args.write if args.write is not None else max(args.sizes) >= DOCS_MIN_ROWS
    versions = library_versions()
    print(f"machine: {machine()} ({platform.platform()})", flush=True)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="pm-import-") as tmp:
        tmpdir = Path(tmp)
        code = {"old": tmpdir / "old", "new": tmpdir / "new"}
        commits = {"old": _checkout(args.baseline, code["old"]), "new": _checkout(args.commit, code["new"])}
        print(f"old: {commits['old'][:10]}, new: {commits['new'][:10]}", flush=True)
        for size in args.sizes:
            firms_csv, profiles_csv = tmpdir / f"firms{size}.csv", tmpdir / f"profiles{size}.csv"
            gen = _run_child(["--generate", str(firms_csv), str(profiles_csv), str(size), "--seed", str(args.seed)])
            for db in args.databases:
                for path in ("old", "new"):
                    if path == "new":
                        repeats = args.repeats
                    else:
                        repeats = args.old_repeats if size <= args.old_max else args.old_repeats_large
                    runs = []
                    for i in range(repeats):
                        with _database(db, tmpdir, f"{path}{size}-{i}") as url:
                            timed = "1" if size <= args.time_firms_up_to else "0"
                            command = ["--worker", str(code[path]), str(firms_csv), str(profiles_csv), url, timed]
                            if timed == "0":
                                _run_child(command, {"PM_BENCH_SETUP_ONLY": "1"})
                            r = _run_child(command)
                        expected = {"created": gen["profiles"], "updated": 0, "unchanged": 0}
                        unchanged = {"created": 0, "updated": 0, "unchanged": gen["profiles"]}
                        if r["profiles_counts"] != expected or r["reimport_counts"] != unchanged:
                            raise RuntimeError(f"{path} stored something else: {r}")
                        runs.append(r)
                        print(
                            f"{db} {size:,} {path} {i + 1}/{repeats}: profiles {r['profiles_s']:.1f} s "
                            f"(CPU {r['profiles_cpu_s']:.1f} s + reader {r.get('profiles_children_cpu_s', 0):.1f} s, "
                            f"+{r['profiles_rss_delta_mib']:.0f} MiB, "
                            f"peak RSS {r['profiles_peak_rss_mib']:.0f} MiB), "
                            f"re-import {r['reimport_s']:.1f} s"
                            + (f", firms {r['firms_s']:.1f} s" if "firms_s" in r else "")
                            + f", load {r['load_start']:.1f}-{r['load_end']:.1f}",
                            flush=True,
                        )
                    if runs:
                        results.append({"db": db, "size": size, "path": path, "gen": gen, "runs": runs})
    text = _report(results, commits, versions, args)
    print()
    print(text)
    if write_docs:
        given = sys.argv[1:] if argv is None else argv
        write_section(SECTION, " ".join([SCRIPT, *given]), text)
        print(f"\nwrote section '{SECTION}' to docs/benchmarks.md")


def _report(results: list[dict[str, Any]], commits: dict[str, str], versions: dict[str, str], args: Any) -> str:
    by = {(r["db"], r["size"], r["path"]): r for r in results}
    lines = [
        "| database | profile rows | path | runs | profiles import, rows/s (wall, median [min–max]) | CPU s | "
        "µs CPU per row | writer's µs CPU per row | rows per CPU-s | re-import, rows/s (wall) | load average | "
        "import memory |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    loads = []
    ratios = []
    for r in results:
        n, runs = r["gen"]["profiles"], r["runs"]
        run_loads = [x for run in runs for x in (run["load_start"], run["load_end"])]
        loads += run_loads
        cpu = statistics.median(_all_cpu(run) for run in runs)
        writer = statistics.median(run["profiles_cpu_s"] for run in runs)
        old = by.get((r["db"], r["size"], "old"))
        if r["path"] == "new" and old is not None:
            wall = statistics.median(n / run["profiles_s"] for run in runs)
            old_wall = statistics.median(n / run["profiles_s"] for run in old["runs"])
            old_cpu = statistics.median(_all_cpu(run) for run in old["runs"])
            ratios.append(f"{_db_name(r['db'])} {n:,}: {wall / old_wall:.1f}× wall, {old_cpu / cpu:.1f}× CPU")
        rss = statistics.median(run["profiles_rss_delta_mib"] for run in runs)
        peak = statistics.median(run["profiles_peak_rss_mib"] for run in runs)
        reader = max(run.get("profiles_children_peak_rss_mib", 0) for run in runs)
        reader_text = f"; reader's peak RSS {reader:,.0f} MiB" if reader else ""
        lines.append(
            f"| {_db_name(r['db'])} | {n:,} | {r['path']} | {len(runs)} | {_rate(n, runs, 'profiles_s')} | {cpu:.1f} | "
            f"{1e6 * cpu / n:,.0f} | {1e6 * writer / n:,.0f} | {n / cpu:,.0f} | {_rate(n, runs, 'reimport_s')} | "
            f"{min(run_loads):.1f}–{max(run_loads):.1f} | +{rss:,.0f} MiB, peak RSS {peak:,.0f} MiB{reader_text} |"
        )
    return "\n".join(
        [
            f"Synthetic EEN profiles and their firms (`bench.perf.synthetic_profiles`, seed {args.seed}; about 0.65 "
            "firms per profile, five countries) as CSV import files. Old path: commit "
            f"`{commits['old'][:10]}` ({_old_path(commits['old'])}); new path: commit `{commits['new'][:10]}`. "
            "Each run is a fresh subprocess on a fresh SQLite file or PostgreSQL schema; firms are stored first "
            "(untimed, the version's own `upsert_firms` in a process of its own, except where a firms import rate "
            "is given), then profiles.csv is imported through `api.actions.imports.import_path` and imported "
            "again (every run checked: all rows created, then all unchanged). Rates are wall-clock medians with "
            "the slowest and fastest run in brackets; CPU is the import's (median): the importing process's own "
            "and, from 5,000 rows, its forked reader's (which reads and validates the next slice while the writer "
            "writes); the writer's alone in its own column. On PostgreSQL the server's work (the generated "
            "tsvector column and its GIN index) is in the wall time only. "
            f"Load average during the runs {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores (the "
            "machine is shared: wall time depends on the other jobs; CPU per row is the better guide to what "
            "the code costs). Import memory: the import's peak RSS above the process's RSS when it started "
            "(`/proc/self/clear_refs` resets the high-water mark), the process's peak RSS, and the forked reader's "
            "peak RSS (the largest of the runs; it counts the pages it shares with the writer).",
            "",
            *lines,
            "",
            "New against old in the same run (medians): " + ("; ".join(ratios) or "–") + ".",
            "",
            "Before the driver-level inserts (2026-12-06, same machine, new path of then, load average 6.7–10.3):",
            "",
            lines[0],
            lines[1],
            *BEFORE_BULK,
            "",
            f"Before bulk writes (same machine, 100,000 rows, SQLite, 2026-11-21): {BEFORE_100K}.",
            "",
            "Libraries: "
            + ", ".join(f"{k} {v}" for k, v in versions.items())
            + f"; Python {platform.python_version()}.",
        ]
    )


def _all_cpu(run: dict[str, Any]) -> float:
    """The import's CPU: its own and its forked reader's (the reader is a child process)."""
    return float(run["profiles_cpu_s"] + run.get("profiles_children_cpu_s", 0.0))


def _old_path(commit: str) -> str:
    if commit.startswith(BASELINE_COMMIT):
        return (
            "rows one ORM object at a time, the CSV read whole, LIKE per reference prefix, all stored firms "
            "loaded for identity resolution"
        )
    if commit.startswith(BULK_COMMIT):
        return (
            "the bulk path before issue 18's driver-level writes: SQLAlchemy executemany INSERTs with the "
            "full-text trigger firing per row on SQLite, key lookups with 1,000 placeholders per slice"
        )
    if commit.startswith(SINGLE_PROCESS_COMMIT):
        return (
            "the driver-level bulk path of before the read-ahead: one process reads, validates and writes every "
            "slice, the content hash's JSON written by the standard library's encoder"
        )
    return "as given with --baseline"


def _db_name(db: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(db, db)


if __name__ == "__main__":
    main()
