"""Nightly runs at scale (python -m bench.nightly): full, incremental, in-process vs Dask, against the floor.

For each size, synthetic profiles (bench/perf/synthetic_profiles.py, the demo
data's vocabulary and languages) are imported into a fresh SQLite database,
then, each in a fresh subprocess so that peak memory is per run:

- floor: the same texts, TF-IDF with the engine's text settings and a sparse
  top-k product (sparse_dot_topn, k = candidate_k) — the least any matcher of
  this corpus must do;
- full: the first `partnermatch nightly` (expiry, fit, neighbour lists, scores,
  explanations, match rows written, proposals, digests; mail off);
- incremental: 1 % of the profiles edited, then the next nightly run (three times, from the same files);
- dask / in-process: a `--full` rescore with a local Dask cluster of two
  workers, and the same in-process (sizes up to --dask-max).

Wall time, peak RSS of the process running the job, pairs scored and the
ratios go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

SIZES = (10_000, 50_000, 100_000)
TODAY = date(2026, 11, 21)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def prepare(n: int, root: Path) -> tuple[str, float]:
    from api.actions import imports
    from api.actions.operator import open_database, operator
    from bench.perf.synthetic_profiles import generate
    from profiles.settings import Settings

    url = f"sqlite:///{root / 'bench.db'}"
    settings = Settings(DATABASE_URL=url, output_dir=root / "out", today=TODAY)
    engine = open_database(settings)
    firms, profiles = generate(n, seed=1)
    started = time.perf_counter()
    for name, rows in (("firms", firms), ("profiles", profiles)):
        path = root / f"{name}.json"
        path.write_text(json.dumps({name: rows}), "utf-8")
        imports.import_path(operator(engine, settings), path)
    engine.dispose()
    return url, time.perf_counter() - started


def child_floor(n: int, method: str) -> dict:
    """TF-IDF with the engine's text settings and each profile's top candidate_k by cosine.

    `old`: sparse_dot_topn on one thread, as measured before. `new`: the fastest exact top-k found for
    this model on this machine: the same sparse product with rows shared among one thread per core
    (blocked dense products of the frequent terms with a per-block partition were slower here: the
    product is about 90 % dense, and a 1,000 × 100k partition alone took seconds). Exactness is checked
    on a sample of rows against the brute-force product."""
    import numpy as np
    from sparse_dot_topn import sp_matmul_topn

    from bench.perf.synthetic_profiles import to_domain
    from matching.config import MatchingConfig
    from matching.executor import LocalExecutor
    from matching.text_model import TfidfTextModel

    config = MatchingConfig()
    texts = [p.text for p in to_domain(n, seed=1)[1]]
    threads = 1 if method == "old" else LocalExecutor.threads
    started = time.perf_counter()
    matrix = TfidfTextModel(config.tfidf_max_features, config.tfidf_ngram_max).fit_transform(texts)
    right = matrix.T.tocsr()
    top = sp_matmul_topn(matrix, right, top_n=config.candidate_k, threshold=0.0, n_threads=threads).tocsr()
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    sample = np.random.default_rng(1).choice(n, size=min(n, 200), replace=False)
    brute = (matrix[sample] @ right).toarray()
    exact = 0
    for at, row in enumerate(sample):
        got = np.sort(top.data[top.indptr[row] : top.indptr[row + 1]])[::-1]
        want = np.sort(brute[at][brute[at] > 0])[::-1][: config.candidate_k]
        exact += int(np.array_equal(got, want))
    return {
        "seconds": seconds,
        "pairs": int(top.nnz),
        "peak_mb": peak,
        "threads": threads,
        "exact": f"{exact}/{len(sample)}",
    }


def child_nightly(url: str, out: str, *flags: str) -> dict:
    from api.actions.operator import open_database
    from api.nightly.logs import configure
    from api.nightly.runner import NightlyOptions, run_nightly
    from matching import incremental
    from profiles.settings import Settings

    # The multilingual component is off, as in the runs measured before: embedding costs about 80 ms per
    # changed text and has its own benchmark (bench/perf/semantic_engine.py).
    incremental.unavailable_reason = lambda: "left out of this benchmark"
    settings = Settings(DATABASE_URL=url, output_dir=Path(out), today=TODAY)
    options = NightlyOptions(
        full="full" in flags, executor="dask" if "dask" in flags else "local", workers=2, mail=False
    )
    engine = open_database(settings)
    log = configure("json", stream=open("/dev/null", "w"))
    started = time.perf_counter()
    result = run_nightly(engine, settings, options, log)
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.message
    matched = result.stats["matched"]
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "kind": matched["kind"],
        "profiles": matched["profiles"],
        "changed": matched["changed"],
        "pairs_scored": matched["pairs_scored"],
        "candidate_pairs": matched["candidate_pairs"],
        "rows_written": matched["rows_inserted"] + matched["rows_deleted"] + matched["rows_reranked"],
        "stages": matched["seconds"],
        "write_seconds": matched["write_seconds"],
    }


def edit_share(url: str, share: float) -> int:
    import dataclasses

    from profiles import repository
    from profiles.db import make_engine, session_scope
    from profiles.domain import ProfileStatus
    from profiles.settings import Settings

    engine = make_engine(url)
    with session_scope(engine) as session:
        published = repository.load_profiles(session, [ProfileStatus.PUBLISHED])
        every = max(1, round(1 / share))
        edited = [
            dataclasses.replace(p, description=p.description + " Now also offering robotic TIG welding.")
            for p in published[::every]
        ]
        repository.upsert_profiles(session, edited, Settings(DATABASE_URL=url).now(), TODAY)
    engine.dispose()
    return len(edited)


def _child(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.nightly", "--child", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(n: int, dask_max: int) -> dict:
    root = Path(tempfile.mkdtemp(prefix=f"pm-nightly-{n}-"))
    try:
        url, import_seconds = prepare(n, root)
        out = str(root / "out")
        row = {"n": n, "import_seconds": import_seconds, "floor_old": _child("floor", str(n), "old")}
        floors: list[dict] = []

        def floor_then_full() -> dict:
            # side by side, so that each full run has a floor measured under the same conditions
            floors.append(_child("floor", str(n), "new"))
            return _child("nightly", url, out)

        fulls = _repeated(root, floor_then_full, FULL_REPEATS)
        row["floor_runs"], row["floor"] = floors, _median_run(floors)
        row["full_runs"], row["full"] = fulls, _median_run(fulls)
        row["edited"] = edit_share(url, 0.01)
        runs = _repeated(root, lambda: _child("nightly", url, out), INCREMENTAL_REPEATS)
        row["incremental_runs"], row["incremental"] = runs, _median_run(runs)
        if n <= dask_max:
            row["in_process"] = _child("nightly", url, out, "full")
            row["dask"] = _child("nightly", url, out, "full", "dask")
        print(json.dumps(row), flush=True)
        return row
    finally:
        shutil.rmtree(root, ignore_errors=True)


INCREMENTAL_REPEATS = 3  # the same incremental run again from the same database and state: its spread
FULL_REPEATS = 3  # floor and full run, side by side, again from the same database: their spread


def _repeated(root: Path, run: Callable[[], dict], times: int) -> list[dict]:
    """`run` `times` times, each from the database and state files as they were before the first."""
    kept = root / "before-run"
    files = [p for p in root.iterdir() if p.name.startswith("bench.db")] + [root / "out"]
    kept.mkdir()
    for path in files:
        _copy(path, kept / path.name)
    results = []
    for attempt in range(times):
        if attempt:
            for path in files:
                _remove(path)
                _copy(kept / path.name, path)
        results.append(run())
    shutil.rmtree(kept)
    return results


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target)
    elif source.exists():
        shutil.copy2(source, target)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


# Measured on 2026-11-21 (same machine class, same data) before the changes of this benchmark's revision.
BEFORE = {
    10_000: {"floor": 4.9, "full": 24.3, "incremental": 2.4},
    50_000: {"floor": 79.6, "full": 210.0, "incremental": 18.5},
    100_000: {"floor": 324.0, "full": 714.7, "incremental": 61.2},
}


def _was(before: dict, key: str) -> str:
    return f"{before[key]:.1f} s" if key in before else "–"


def _ratio(before: dict, top: str, bottom: str, unit: str) -> str:
    if top not in before:
        return "–"
    value = before[top] / before[bottom]
    return f"{100 * value:.1f} %" if unit == "%" else f"{value:.2f}×"


def _full_spread(row: dict) -> tuple[str, str, str]:
    """[fastest–slowest] of the floors and of the full runs, and the least and greatest ratio of a full
    run to the floor measured beside it (one run each: that run)."""
    floors = [r["seconds"] for r in row.get("floor_runs", [row["floor"]])]
    fulls = [r["seconds"] for r in row.get("full_runs", [row["full"]])]
    ratios = [full / floor for full, floor in zip(fulls, floors, strict=True)]
    return (
        f"{min(floors):.1f}–{max(floors):.1f}",
        f"{min(fulls):.1f}–{max(fulls):.1f}",
        f"{min(ratios):.2f}–{max(ratios):.2f}",
    )


def _spread(row: dict, scale: float) -> str:
    """Fastest and slowest of the repeated incremental runs (one run: that run), times `scale`."""
    seconds = [r["seconds"] * scale for r in row.get("incremental_runs", [row["incremental"]])]
    return f"{min(seconds):.1f}–{max(seconds):.1f}"


def report(rows: list[dict], note: str = "") -> str:
    from bench.perf.versions import versions_line

    lines = [
        "Synthetic profiles imported into SQLite on this machine; every job in its own process. "
        "Peak memory is the peak RSS of the process running the job (for Dask, the process driving "
        "the cluster; the two workers are separate processes).",
        "",
        "Floor: TF-IDF with the engine's text settings and each profile's exact top 40 by cosine; *old* is "
        "sparse_dot_topn on one thread (the floor measured before), *new* the fastest exact top-k found "
        "(the same product, rows shared among one thread per core; checked equal to the brute-force product "
        "on 200 sampled rows). Full and incremental runs leave the multilingual component out, as before "
        "(its embedding is measured in bench/perf/semantic_engine.py). The new floor and the full run are "
        f"run {FULL_REPEATS} times side by side (a floor, then a full run from the same freshly imported "
        "database): medians with [fastest–slowest], and the ratio of the medians with [least–greatest] "
        "ratio of a full run to the floor beside it. The incremental run is run "
        f"{INCREMENTAL_REPEATS} times from the same database and state: the median, and [fastest–slowest]. "
        "*Before*: the runs of 2026-11-21.",
        "",
        "| profiles | floor, old top-k (before) | floor, new top-k | full nightly (before) | full / new floor "
        "(before: full / old floor) | peak memory | pairs scored | incremental, 1 % edited (before) "
        "| incremental / full (before) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        f, old, full, inc = r["floor"], r["floor_old"], r["full"], r["incremental"]
        b = BEFORE.get(r["n"], {})
        floors, fulls, ratios = _full_spread(r)
        lines.append(
            f"| {r['n']:,} | {old['seconds']:.1f} s ({_was(b, 'floor')}) | {f['seconds']:.1f} s [{floors}], "
            f"{f['threads']} threads, exact {f['exact']} | {full['seconds']:.1f} s [{fulls}] ({_was(b, 'full')}) "
            f"| {full['seconds'] / f['seconds']:.2f}× [{ratios}] ({_ratio(b, 'full', 'floor', '×')}) "
            f"| {full['peak_mb'] / 1024:.2f} GB | {full['pairs_scored']:,} | {inc['seconds']:.1f} s "
            f"[{_spread(r, 1)}] ({inc['changed']:,} changed, {inc['pairs_scored']:,} pairs; "
            f"{_was(b, 'incremental')}) | {100 * inc['seconds'] / full['seconds']:.1f} % "
            f"[{_spread(r, 100 / full['seconds'])}] ({_ratio(b, 'incremental', 'full', '%')}) |"
        )
    measured = {r["n"] for r in rows}
    for n, b in sorted(BEFORE.items()):
        if n not in measured:
            lines.append(
                f"| {n:,} | not measured ({_was(b, 'floor')}) | – | not measured ({_was(b, 'full')}) "
                f"| – ({_ratio(b, 'full', 'floor', '×')}) | – | – | not measured ({_was(b, 'incremental')}) "
                f"| – ({_ratio(b, 'incremental', 'full', '%')}) |"
            )
    lines += [
        "",
        "Where the time goes (seconds; `features` is reading the profiles and their firms into features — "
        "for a run that fits the text model from 10,000 profiles, also reading their texts first, while the "
        "model is fitted in a forked process; `text model` then includes waiting for that fit; `write` is the "
        "match rows' transaction, including explaining each stored match):",
        "",
        "| profiles | run | features | text model | neighbour lists | scores | selection | write "
        "| other stages and start-up |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        for name in ("full", "incremental"):
            run = r[name]
            s = run["stages"]
            known = sum(s.values()) + run["write_seconds"]
            lines.append(
                f"| {r['n']:,} | {name} | {s.get('features', 0):.1f} | {s.get('text model', 0):.1f} | "
                f"{s.get('neighbours', 0):.1f} | "
                f"{s.get('scores', 0):.1f} | {s.get('selection', 0):.1f} | {run['write_seconds']:.1f} | "
                f"{run['seconds'] - known:.1f} |"
            )
    dask = [r for r in rows if "dask" in r]
    if dask:
        lines += [
            "",
            "Full rescore (`nightly --full`, same model) in-process vs a local Dask cluster of 2 worker "
            "processes, same data:",
            "",
            "| profiles | in-process | Dask, 2 workers | Dask / in-process |",
            "|---:|---:|---:|---:|",
        ]
        for r in dask:
            lines.append(
                f"| {r['n']:,} | {r['in_process']['seconds']:.1f} s | {r['dask']['seconds']:.1f} s | "
                f"{r['dask']['seconds'] / r['in_process']['seconds']:.2f}× |"
            )
    lines += [
        "",
        "Import of the synthetic data (not part of the runs): "
        + ", ".join(f"{r['n']:,} in {r['import_seconds']:.0f} s" for r in rows)
        + ".",
        *(["", note] if note else []),
        "",
        versions_line(),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--dask-max", type=int, default=0, help="largest size also run on Dask")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--rows", type=Path, help="report the JSON rows a previous run printed instead of measuring")
    parser.add_argument("--note", default="", help="a paragraph added to the report (conditions of the run)")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        print(json.dumps(child_floor(int(rest[0]), rest[1]) if kind == "floor" else child_nightly(*rest)))
        return
    if args.rows:
        rows = [json.loads(line) for line in args.rows.read_text("utf-8").splitlines() if line.startswith("{")]
    else:
        rows = [measure(n, args.dask_max) for n in args.sizes]
    body = report(rows, args.note)
    print(body)
    if not args.no_write:
        from bench.report import write_section

        write_section("Nightly runs", "python -m bench.nightly", body)


if __name__ == "__main__":
    main()
