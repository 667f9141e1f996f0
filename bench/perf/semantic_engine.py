"""python -m bench.perf.semantic_engine [--profiles N] [--lists N]: the multilingual stage as the engine runs it.

Two parts, both through the engine's own functions:

- embedding: `matching.vectors.vectors_for` over the passages of N synthetic profiles
  (bench/perf/synthetic_profiles.py, seed 2, five languages), in-process and on a local
  Dask cluster of two single-thread workers (`matching.executor`), each in a fresh
  process with an empty vector cache; then again with the cache filled (what every later
  run pays for unchanged texts). The vectors must be identical both ways.
- neighbour lists over quantised vectors (`matching.neighbours`, dense exact products):
  a full computation at 10k and 100k profiles, and the update after 1% of them changed,
  against recomputing everything in the same run. Vectors for the lists are synthetic
  (a shared direction plus noise, so cosines sit around 0.8 like e5's): the cost of the
  lists does not depend on what the vectors mean.

Reported: wall seconds, ms per profile, peak memory; scaled linearly to 10k/100k for
embedding (each text is embedded on its own), and the embedding share of an incremental
night with 1% edited (goal: at most 2 minutes at 100k). A full run writes the section
"Multilingual stage in the engine".
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import write_section

SCRIPT = "python -m bench.perf.semantic_engine"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _embed_child(args: tuple[int, str, str, bool]) -> tuple[float, float, bytes]:
    """In a fresh process: vectors_for over the passages, in-process or on a local Dask cluster."""
    n, how, cache_dir, warm = args
    from matching.executor import Executor, LocalExecutor, dask_executor
    from matching.features import build_features
    from matching.vectors import VectorCache, vectors_for
    from profiles.taxonomy.vocabulary import load_vocabulary

    from .synthetic_profiles import to_domain

    firms, profiles = to_domain(n, 2)
    by_key = {f.key: f for f in firms}
    vocabulary = load_vocabulary()
    passages = [build_features(p, by_key[p.firm_key], vocabulary).passage for p in profiles]
    close = None
    executor: Executor = LocalExecutor()
    if how == "dask":
        executor, close = dask_executor(None, workers=2)
        executor.map(len, [[0]] * 2)  # workers up before the clock starts
    started = time.perf_counter()
    embedded = vectors_for(passages, cache=VectorCache(Path(cache_dir)), executor=executor)
    wall = time.perf_counter() - started
    if close is not None:
        close()
    assert embedded.vectors is not None, embedded.unavailable
    assert (embedded.embedded == 0) == warm
    return wall, _peak_mib(), embedded.vectors.values.tobytes()


def _child_main(args: tuple[int, str, str, bool], queue) -> None:
    queue.put(_embed_child(args))


def _in_fresh_process(args: tuple[int, str, str, bool]) -> tuple[float, float, bytes]:
    """A fresh, non-daemonic process (a local Dask cluster starts its own worker processes)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_child_main, args=(args, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def synthetic_vectors(n: int, seed: int) -> np.ndarray:
    from matching.semantic import DIM, quantise

    rng = np.random.default_rng(seed)
    common = rng.normal(size=DIM).astype(np.float32)
    raw = common / np.linalg.norm(common) + 0.07 * rng.normal(size=(n, DIM)).astype(np.float32)
    return quantise(raw / np.linalg.norm(raw, axis=1, keepdims=True))


def lists_cost(n: int, k: int = 20) -> dict[str, float]:
    """Full lists at n profiles; then 1% changed: the update against a recomputation of everything."""
    from matching.incremental import semantic_matrix
    from matching.neighbours import compute_lists, remap, update_lists
    from matching.vectors import Vectors

    depth = k + max(10, k // 2)
    values = synthetic_vectors(n, 5)
    firm = np.arange(n) // 2  # two profiles per firm
    keys = np.arange(n).astype(str).astype(object)
    matrix = semantic_matrix(Vectors(keys, values))
    started = time.perf_counter()
    lists = compute_lists(np.arange(n), matrix, matrix, firm, k, depth, dense=True)
    full = time.perf_counter() - started
    changed = np.sort(np.random.default_rng(6).choice(n, size=max(1, n // 100), replace=False))
    edited = values.copy()
    edited[changed] = synthetic_vectors(len(changed), 7)
    edited_matrix = semantic_matrix(Vectors(keys, edited))
    keep = np.ones(n, dtype=bool)
    keep[changed] = False
    started = time.perf_counter()
    carried = remap(lists, np.where(keep, np.arange(n), -1), n, np.arange(n + 1))
    updated, recomputed = update_lists(carried, changed, edited_matrix, edited_matrix, firm, k, depth, dense=True)
    incremental = time.perf_counter() - started
    started = time.perf_counter()
    again = compute_lists(np.arange(n), edited_matrix, edited_matrix, firm, k, depth, dense=True)
    full_again = time.perf_counter() - started
    same = np.array_equal(updated.first(k)[0], again.first(k)[0]) and np.array_equal(
        updated.first(k)[1], again.first(k)[1]
    )
    if not same:
        raise SystemExit(f"updated lists differ from lists computed afresh at {n}")
    return {
        "n": n,
        "full": full,
        "incremental": incremental,
        "full_again": full_again,
        "recomputed": recomputed,
        "peak_mib": _peak_mib(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=SCRIPT)
    parser.add_argument("--profiles", type=int, default=1000, help="profiles embedded")
    parser.add_argument("--lists", type=int, nargs="*", default=[10_000, 100_000], help="sizes for the lists")
    args = parser.parse_args(argv)
    n = args.profiles
    rows = []
    with tempfile.TemporaryDirectory() as local_dir, tempfile.TemporaryDirectory() as dask_dir:
        wall_local, peak_local, local = _in_fresh_process((n, "local", local_dir, False))
        rows.append(("in-process (2 threads)", wall_local, peak_local))
        wall_dask, peak_dask, on_dask = _in_fresh_process((n, "dask", dask_dir, False))
        rows.append(("local Dask cluster, 2 workers × 1 thread", wall_dask, peak_dask))
        wall_warm, peak_warm, warm = _in_fresh_process((n, "local", local_dir, True))
        rows.append(("in-process, every vector in the cache", wall_warm, peak_warm))
    if not (local == on_dask == warm):
        raise SystemExit("vectors differ between the executors or the cache")
    rate = min(wall_local, wall_dask) / n
    lines = [
        f"`matching.vectors.vectors_for` over {n:,} synthetic profiles (five languages), each way in a fresh "
        "process with an empty vector cache (the last row: the cache filled by the first). The vectors are "
        "identical every way (int8, compared bit for bit).",
        "",
        "| how | wall s | ms per profile | peak MiB (parent process) |",
        "|---|---:|---:|---:|",
    ]
    for name, wall, peak in rows:
        lines.append(f"| {name} | {wall:.1f} | {1000 * wall / n:.2f} | {peak:.0f} |")
    lines += [
        "",
        f"Scaled from the faster way: a first run embeds every profile, {10_000 * rate / 60:.0f} min at 10k "
        f"and {100_000 * rate / 60:.0f} min at 100k on these 2 cores (a Dask cluster of more machines divides "
        f"it by their cores); an incremental night with 1% edited embeds 1,000 texts at 100k: "
        f"{1000 * rate:.0f} s (goal ≤ 120 s). Stored as int8: 0.375 KiB per profile, 37 MiB at 100k.",
        "",
        "Neighbour lists by meaning (top 20 per profile, exact, dense blocked products of int8 vectors):",
        "",
        "| profiles | full s | 1% changed: update s | recomputing all s | update / full | rows recomputed | peak MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in args.lists:
        r = lists_cost(size)
        lines.append(
            f"| {size:,} | {r['full']:.1f} | {r['incremental']:.2f} | {r['full_again']:.1f} | "
            f"{r['incremental'] / r['full_again']:.3f} | {r['recomputed']} | {r['peak_mib']:.0f} |"
        )
    body = "\n".join(lines)
    print(body)
    if n >= 1000 and 100_000 in args.lists:
        write_section("Multilingual stage in the engine", SCRIPT, body)


if __name__ == "__main__":
    main()
