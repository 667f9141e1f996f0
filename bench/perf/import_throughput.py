"""Import throughput: a large synthetic CSV imported end to end (python -m bench.perf.import_throughput).

Generates `--rows` profiles (default 100,000) and the firms they belong to with
bench.perf.synthetic_profiles, writes them as the product's CSV import files,
then imports them through the product's own path — api.actions.open_database
and api.actions.imports.import_path (as the operator) on a fresh temporary SQLite file, firms first,
then profiles — exactly what `partnermatch import firms.csv profiles.csv` does.

Every run is a fresh Python subprocess on a fresh database, so that peak
memory is per run:

- `--repeats` timed runs: wall and CPU time per phase, rows per second, and the
  process's peak RSS (resource.getrusage ru_maxrss);
- `--trace-repeats` traced runs under tracemalloc: the peak of Python-allocated
  memory per phase. Tracemalloc slows Python down 3-4x, so these runs are kept
  apart from the timed ones; their peaks depend on the input, not on the
  machine's load, so one traced run is the default.

Medians over the runs are printed with the machine, library versions, load
average and date, and written to docs/benchmarks.md (section "Import throughput").
CPU time is reported next to wall time because the machine may be shared.

    python -m bench.perf.import_throughput                       # 100,000 rows, 3 repeats, writes the docs
    python -m bench.perf.import_throughput --rows 2000 --repeats 1   # smoke test, seconds, docs untouched
    python -m bench.perf.import_throughput --rows 20000 --profile    # also print cProfile hot spots
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.report import machine, write_section

SECTION = "Import throughput"
SCRIPT = "python -m bench.perf.import_throughput"
TODAY = date(2026, 11, 21)  # fixed calendar day: every generated profile is published and not yet expired
LIBRARIES = ("sqlalchemy", "sqlmodel", "rapidfuzz", "scikit-learn", "pulp", "numpy", "alembic")
RESULT_PREFIX = "RESULT "
DOCS_MIN_ROWS = 10_000  # smaller runs are smoke tests and leave docs/benchmarks.md alone unless --write


# --------------------------------------------------------------------------- worker (one fresh process per run)
def _rss_mib() -> float:
    # ru_maxrss is in KiB on Linux and bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _current_rss_mib() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Reset the RSS high-water mark to the current RSS (Linux >= 4.0), so each phase gets its own peak.

    getrusage(RUSAGE_SELF).ru_maxrss follows the reset, but never drops below the high-water mark
    the process inherited at exec time (the parent's RSS) — which is why the driver stays small.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def worker(firms_csv: Path, profiles_csv: Path, db_path: Path, trace: bool, profile_out: Path | None) -> dict[str, Any]:
    """Import the two files into a fresh SQLite database; return timings and memory figures."""
    started = time.perf_counter()
    from api.actions import imports  # noqa: PLC0415 - the import cost is measured apart
    from api.actions.operator import open_database, operator  # noqa: PLC0415
    from profiles.settings import Settings  # noqa: PLC0415

    out: dict[str, Any] = {
        "trace": trace,
        "import_modules_s": time.perf_counter() - started,
        "baseline_rss_mib": _current_rss_mib(),
        "baseline_peak_rss_mib": _rss_mib(),
        "load_start": os.getloadavg()[0],
    }
    per_phase = _reset_peak_rss()
    out["per_phase_rss"] = per_phase
    out["rss_floor_mib"] = _rss_mib()  # what ru_maxrss reports right after a reset
    settings = Settings(DATABASE_URL=f"sqlite:///{db_path}", output_dir=db_path.parent, today=TODAY)
    profiler = None
    if trace:
        import tracemalloc  # noqa: PLC0415

        tracemalloc.start()
    if profile_out is not None:
        import cProfile  # noqa: PLC0415

        profiler = cProfile.Profile(time.process_time)  # CPU time: robust against other load on the machine
        profiler.enable()

    def phase(name: str, fn) -> Any:
        if trace:
            tracemalloc.reset_peak()
        if per_phase:
            _reset_peak_rss()
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        out[f"{name}_s"] = time.perf_counter() - t0
        out[f"{name}_cpu_s"] = time.process_time() - c0
        out[f"{name}_peak_rss_mib"] = _rss_mib()  # this phase's peak if per_phase, else the process peak so far
        if trace:
            out[f"{name}_traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
        return result

    engine = phase("open_database", lambda: open_database(settings))
    firm_report = phase("firms", lambda: imports.import_path(operator(engine, settings), firms_csv))
    profile_report = phase("profiles", lambda: imports.import_path(operator(engine, settings), profiles_csv))
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(profile_out))
    if trace:
        tracemalloc.stop()
    engine.dispose()
    out.update(
        load_end=os.getloadavg()[0],
        peak_rss_mib=max(
            out["baseline_peak_rss_mib"],
            out["open_database_peak_rss_mib"],
            out["firms_peak_rss_mib"],
            out["profiles_peak_rss_mib"],
        ),
        firms_counts=firm_report.counts.get("firms"),
        profiles_counts=profile_report.counts.get("profiles"),
        duplicates=len(firm_report.duplicates),
        unknown_phrases=len(firm_report.unknown_phrases) + len(profile_report.unknown_phrases),
        approximate_phrases=len(firm_report.approximate_phrases) + len(profile_report.approximate_phrases),
        warnings=len(firm_report.warnings) + len(profile_report.warnings),
        db_mib=db_path.stat().st_size / (1024 * 1024),
    )
    return out


def generator(firms_csv: Path, profiles_csv: Path, rows: int, seed: int) -> dict[str, Any]:
    """Write the CSV files (run in its own process, so the driver that spawns the workers stays small)."""
    from bench.perf.synthetic_profiles import write_csv  # noqa: PLC0415

    t0 = time.perf_counter()
    n_firms, n_profiles = write_csv(firms_csv, profiles_csv, rows, seed)
    return {"firms": n_firms, "profiles": n_profiles, "seconds": time.perf_counter() - t0}


# --------------------------------------------------------------------------- driver
def _run_child(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.perf.import_throughput", *args]
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args[:1])} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    line = next(ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith(RESULT_PREFIX))
    return json.loads(line[len(RESULT_PREFIX) :])


def _run_worker(
    firms_csv: Path, profiles_csv: Path, db_path: Path, trace: bool, profile_out: Path | None = None
) -> dict[str, Any]:
    def clean() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)

    clean()
    args = ["--worker", str(firms_csv), str(profiles_csv), str(db_path)]
    if trace:
        args.append("--trace")
    if profile_out is not None:
        args += ["--profile-out", str(profile_out)]
    try:
        return _run_child(args)
    finally:
        clean()


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


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _hot_spots(stats_path: Path, limit: int = 25) -> str:
    import io  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    buffer = io.StringIO()
    stats = pstats.Stats(str(stats_path), stream=buffer)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="profile rows to import (default 100000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (default 3)")
    parser.add_argument("--trace-repeats", type=int, default=1, help="runs under tracemalloc (default 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="one extra run under cProfile; print the hot spots")
    parser.add_argument(
        "--write",
        dest="write",
        action="store_true",
        default=None,
        help="write docs/benchmarks.md even for a smoke-sized run",
    )
    parser.add_argument("--no-write", dest="write", action="store_false", help="leave docs/benchmarks.md alone")
    parser.add_argument("--keep", type=Path, default=None, help="also copy the generated CSV files to this folder")
    parser.add_argument("--worker", nargs=3, metavar=("FIRMS_CSV", "PROFILES_CSV", "DB"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, metavar=("FIRMS_CSV", "PROFILES_CSV"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows < 1 or args.repeats < 1 or args.trace_repeats < 1:
        parser.error("--rows, --repeats and --trace-repeats must be at least 1")

    if args.generate:
        result = generator(Path(args.generate[0]), Path(args.generate[1]), args.rows, args.seed)
        print(RESULT_PREFIX + json.dumps(result))
        return
    if args.worker:
        firms_csv, profiles_csv, db = (Path(p) for p in args.worker)
        result = worker(firms_csv, profiles_csv, db, args.trace, args.profile_out)
        print(RESULT_PREFIX + json.dumps(result))
        return

    write_docs = args.write if args.write is not None else args.rows >= DOCS_MIN_ROWS
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    versions = library_versions()
    print(f"{SCRIPT} --rows {args.rows} --repeats {args.repeats} --seed {args.seed}")
    print(f"date: {stamp}")
    print(f"machine: {machine()} ({platform.platform()})")
    print("libraries: " + ", ".join(f"{k} {v}" for k, v in versions.items()))

    with tempfile.TemporaryDirectory(prefix="pm-import-") as tmp:
        tmpdir = Path(tmp)
        firms_csv, profiles_csv = tmpdir / "firms.csv", tmpdir / "profiles.csv"
        gen = _run_child(
            ["--generate", str(firms_csv), str(profiles_csv), "--rows", str(args.rows), "--seed", str(args.seed)]
        )
        n_firms, n_profiles, gen_s = gen["firms"], gen["profiles"], gen["seconds"]
        sizes = (firms_csv.stat().st_size / 2**20, profiles_csv.stat().st_size / 2**20)
        print(
            f"generated {n_profiles:,} profiles and {n_firms:,} firms in {gen_s:.1f} s "
            f"(CSV: firms {sizes[0]:.1f} MiB, profiles {sizes[1]:.1f} MiB)"
        )
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for f in (firms_csv, profiles_csv):
                (args.keep / f.name).write_bytes(f.read_bytes())

        timed: list[dict[str, Any]] = []
        traced: list[dict[str, Any]] = []
        for i in range(args.repeats):
            r = _run_worker(firms_csv, profiles_csv, tmpdir / f"run{i}.db", trace=False)
            timed.append(r)
            print(
                f"run {i + 1}/{args.repeats}: open {r['open_database_s']:.1f} s, "
                f"firms {r['firms_s']:.1f} s (CPU {r['firms_cpu_s']:.1f} s), "
                f"profiles {r['profiles_s']:.1f} s (CPU {r['profiles_cpu_s']:.1f} s), "
                f"peak RSS {r['peak_rss_mib']:.0f} MiB (after firms {r['firms_peak_rss_mib']:.0f} MiB), "
                f"load {r['load_start']:.1f}-{r['load_end']:.1f}",
                flush=True,
            )
        for i in range(args.trace_repeats):
            r = _run_worker(firms_csv, profiles_csv, tmpdir / f"trace{i}.db", trace=True)
            traced.append(r)
            print(
                f"traced {i + 1}/{args.trace_repeats}: tracemalloc peak firms "
                f"{r['firms_traced_peak_mib']:.0f} MiB, profiles {r['profiles_traced_peak_mib']:.0f} MiB "
                f"(wall {r['firms_s'] + r['profiles_s']:.1f} s under tracemalloc)",
                flush=True,
            )
        hot = None
        if args.profile:
            stats_path = tmpdir / "import.pstats"
            _run_worker(firms_csv, profiles_csv, tmpdir / "profile.db", trace=False, profile_out=stats_path)
            hot = _hot_spots(stats_path)
            if args.keep:
                (args.keep / "import.pstats").write_bytes(stats_path.read_bytes())

    first = timed[0]
    for r in timed + traced:
        expected_firms = {"created": n_firms, "updated": 0, "unchanged": 0}
        expected_profiles = {"created": n_profiles, "updated": 0, "unchanged": 0}
        if r["firms_counts"] != expected_firms or r["profiles_counts"] != expected_profiles:
            raise RuntimeError(
                f"import stored something else than generated: {r['firms_counts']}, {r['profiles_counts']}"
            )

    firms_s, profiles_s = _median(timed, "firms_s"), _median(timed, "profiles_s")
    open_s = _median(timed, "open_database_s")
    total_s = statistics.median(r["open_database_s"] + r["firms_s"] + r["profiles_s"] for r in timed)
    rss = _median(timed, "peak_rss_mib")
    rss_firms = _median(timed, "firms_peak_rss_mib")
    rss_profiles = _median(timed, "profiles_peak_rss_mib")
    base_rss = statistics.median(r["baseline_rss_mib"] or r["baseline_peak_rss_mib"] for r in timed)
    per_phase = all(r["per_phase_rss"] for r in timed)
    floor = max(r["rss_floor_mib"] for r in timed)
    tm_firms = _median(traced, "firms_traced_peak_mib")
    tm_profiles = _median(traced, "profiles_traced_peak_mib")
    traced_wall = statistics.median(r["firms_s"] + r["profiles_s"] for r in traced)
    firms_cpu, profiles_cpu = _median(timed, "firms_cpu_s"), _median(timed, "profiles_cpu_s")
    loads = [x for r in timed for x in (r["load_start"], r["load_end"])]
    n, nt = args.repeats, len(traced)
    rows = [
        ("open_database (fresh file, Alembic upgrade)", f"{open_s:.2f} s", "", "", ""),
        (
            f"import firms.csv ({n_firms:,} rows)",
            f"{firms_s:.1f} s",
            f"{firms_cpu:.1f} s",
            f"{n_firms / firms_s:,.0f} rows/s",
            f"RSS {rss_firms:,.0f} MiB, tracemalloc {tm_firms:,.0f} MiB",
        ),
        (
            f"import profiles.csv ({n_profiles:,} rows)",
            f"{profiles_s:.1f} s",
            f"{profiles_cpu:.1f} s",
            f"{n_profiles / profiles_s:,.0f} rows/s",
            f"RSS {rss_profiles:,.0f} MiB, tracemalloc {tm_profiles:,.0f} MiB",
        ),
        (
            f"end to end ({n_firms + n_profiles:,} rows)",
            f"{total_s:.1f} s",
            f"{firms_cpu + profiles_cpu:.1f} s",
            f"{n_profiles / total_s:,.0f} profile rows/s ({(n_firms + n_profiles) / total_s:,.0f} rows/s)",
            f"RSS {rss:,.0f} MiB",
        ),
    ]
    body = [
        f"{n_profiles:,} synthetic EEN profiles of {n_firms:,} firms (`bench.perf.synthetic_profiles`, seed "
        f"{args.seed}; CSV {sizes[0]:.1f} + {sizes[1]:.1f} MiB, generated in {gen_s:.1f} s), imported end to end "
        "with `api.actions.open_database` + `api.actions.imports.import_path` into a fresh SQLite file, "
        f"firms first, then profiles. Medians of {n} timed run(s), each in a fresh subprocess; tracemalloc peaks "
        f"come from {nt} separate traced run(s) (wall time under tracemalloc {traced_wall:.1f} s). Load average during "
        f"the timed runs {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores (CPU time is the "
        "process's own).",
        "",
        "| phase | wall time | CPU time | throughput (wall) | peak memory |",
        "|---|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows],
        "",
        (
            "Peak RSS per phase is `getrusage` ru_maxrss at the end of the phase after resetting the high-water "
            "mark at its start (`/proc/self/clear_refs`); the end-to-end figure is the process's peak. "
            if per_phase
            else "Peak RSS is the process high-water mark (`getrusage` ru_maxrss) at the end of each phase. "
        )
        + f"The process holds {base_rss:,.0f} MiB after importing the engine's modules"
        + (f" (ru_maxrss floor after a reset: {floor:,.0f} MiB)" if per_phase else "")
        + ". Tracemalloc peaks are allocations made through Python's allocators within the phase (NumPy "
        "arrays included; memory that C extensions allocate directly, such as rapidfuzz's `cdist` result "
        "matrix, is not seen by tracemalloc but is part of RSS).",
        f"The import reported {first['duplicates']:,} possible duplicate firm pairs, {first['unknown_phrases']:,} "
        f"unknown and {first['approximate_phrases']:,} approximately matched phrases; database file "
        f"{first['db_mib']:.0f} MiB.",
        "",
        "Libraries: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + f"; Python {platform.python_version()}.",
    ]
    text = "\n".join(body)
    print()
    print(text)
    if hot:
        print("\ncProfile of one run (firms + profiles import):\n")
        print(hot)
    if write_docs:
        write_section(
            SECTION,
            SCRIPT
            + (f" --rows {args.rows}" if args.rows != 100_000 else "")
            + (f" --repeats {args.repeats}" if args.repeats != 3 else "")
            + (f" --trace-repeats {args.trace_repeats}" if args.trace_repeats != 1 else ""),
            text,
        )
        print(f"\nwrote section '{SECTION}' to docs/benchmarks.md")
    else:
        print(f"\ndocs/benchmarks.md not updated (fewer than {DOCS_MIN_ROWS:,} rows; pass --write to force)")


if __name__ == "__main__":
    main()
