"""Pair scoring at scale against the plain TF-IDF top-k floor (python -m bench.perf.scoring).

For 10k, 50k and 200k synthetic profiles (bench/perf/synthetic_profiles.py), each
in a fresh subprocess so peak memory is per run: the floor is TF-IDF fitted on
the same texts plus a sparse top-k product with sparse_dot_topn; the engine is
`matching.pipeline.run_matching` (features, text model, candidates, array
scores, top-k selection, explanations of the kept matches). Wall time, peak
RSS, pairs per second, the per-stage split and the engine/floor ratio go to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

SIZES = (10_000, 50_000, 200_000)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_floor(n: int) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sparse_dot_topn import sp_matmul_topn

    from bench.perf.synthetic_profiles import to_domain
    from matching.config import MatchingConfig

    _, profiles = to_domain(n, seed=1)
    texts = [p.text for p in profiles]
    k = MatchingConfig().candidate_k
    start = time.perf_counter()
    matrix = TfidfVectorizer(sublinear_tf=True, dtype="float32").fit_transform(texts).tocsr()
    top = sp_matmul_topn(matrix, matrix.T.tocsr(), top_n=k, threshold=0.0)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "pairs": int(top.nnz), "peak_mb": _peak_rss_mb()}


def run_engine(n: int) -> dict:
    from bench.perf.synthetic_profiles import to_domain
    from matching.config import MatchingConfig
    from matching.pipeline import run_matching
    from profiles.taxonomy.vocabulary import load_vocabulary

    firms, profiles = to_domain(n, seed=1)
    vocabulary = load_vocabulary()
    start = time.perf_counter()
    result = run_matching(profiles, {f.key: f for f in firms}, MatchingConfig(), vocabulary)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "pairs": result.candidate_pairs,
        "matches": len(result.matches),
        "stages": result.seconds,
        "peak_mb": _peak_rss_mb(),
    }


def _child(kind: str, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.perf.scoring", "--child", kind, str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--repeats", type=int, default=3, help="runs at 10k (medians); larger sizes run once")
    args = parser.parse_args()
    if args.child:
        kind, n = args.child
        print(json.dumps(run_floor(int(n)) if kind == "floor" else run_engine(int(n))))
        return
    from bench.perf.versions import versions_line
    from bench.report import write_section

    rows = []
    for n in args.sizes:
        repeats = args.repeats if n <= 10_000 else 1
        floors = [_child("floor", n) for _ in range(repeats)]
        engines = [_child("engine", n) for _ in range(repeats)]
        floor_s = statistics.median(r["seconds"] for r in floors)
        eng_s = statistics.median(r["seconds"] for r in engines)
        eng = engines[len(engines) // 2]
        stages = ", ".join(f"{k} {v:.1f}" for k, v in eng["stages"].items())
        rows.append(
            f"| {n:,} | {floor_s:.1f} s | {statistics.median(r['peak_mb'] for r in floors):,.0f} MB | "
            f"{eng_s:.1f} s | {statistics.median(r['peak_mb'] for r in engines):,.0f} MB | "
            f"{eng['pairs']:,} | {eng['pairs'] / eng_s:,.0f} | {eng_s / floor_s:.1f}× | {stages} |"
        )
        print(rows[-1], flush=True)
    body = "\n".join(
        [
            versions_line(),
            "",
            "Synthetic profiles from bench/perf/synthetic_profiles.py (seed 1). Floor: TF-IDF fit + sparse_dot_topn "
            "top-40 of every profile on the same texts. Engine: run_matching end to end, including the explanations of "
            "the stored top-10 matches. Peak = peak RSS of the process (data generation included in both). "
            "Medians of three runs in fresh processes at 10k; one run at 50k and 200k.",
            "",
            "| profiles | floor time | floor peak | engine time | engine peak | candidate pairs | pairs/s | "
            "engine/floor | engine stages (s) |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    write_section("Pair scoring at scale", "python -m bench.perf.scoring", body)
    print(body)


if __name__ == "__main__":
    main()
