"""python -m bench.quality [--limit N] [--jobs J] [--protocol matched|leaky]: match quality on real
Horizon Europe consortia.

A full run of the (count-matched) protocol writes three sections of docs/benchmarks.md (the third,
the relationship component and role composition at two exchange sizes, comes from `relationship`,
which also runs on its own as python -m bench.quality.relationship);
a --limit run (the first N projects of each part, for smoke tests) and a run of the
old leaky protocol (kept to show what it got wrong) only print, so neither replaces
the full result.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from dataclasses import replace

from bench.report import write_section
from matching.components import REGISTRY
from matching.config import DEFAULT_WEIGHTS, MatchingConfig

from . import data, relationship
from .cases import PROTOCOLS, Case, CaseBuilder
from .consortium import LABEL_MISS, POOL, SYNERGY_CANDIDATES, optimizer_config
from .evaluate import build_cases, consortia_all, default_jobs, rank_all
from .importer import import_cordis
from .methods import Engine, FewestProfiles, KeywordOverlap, MeaningOnly, Method, RandomOrder, TextOnly
from .metrics import ProjectScore, Summary, summarise
from .tables import (
    ablation_table,
    difference_table,
    goal_line,
    interval_table,
    method_table,
    sentinel_line,
    status_line,
    weights_line,
)
from .tuning import tune

SCRIPT = "python -m bench.quality"


def cpu_seconds() -> float:
    """CPU time of this process and its finished workers (wall time depends on what else runs)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def log(message: str) -> None:
    print(f"[bench.quality] {message}", file=sys.stderr, flush=True)


def split(projects: list[str]) -> tuple[list[str], list[str]]:
    """Tuning part: even project ids; test part: odd ones (fixed, independent of any result)."""
    return [p for p in projects if int(p) % 2 == 0], [p for p in projects if int(p) % 2 == 1]


def evaluate_part(
    cases: list[Case], methods: list[Method], firms, jobs: int, optimiser: bool
) -> dict[str, list[ProjectScore]]:
    """Per-project scores of every method; with the optimiser's overlap where asked for (the test part:
    the optimiser is the slow step, and the tuning part is only shown for reference)."""
    overlaps = consortia_all(cases, methods, firms, jobs, log) if optimiser else None
    out = {}
    for m in methods:
        scores = rank_all(cases, m)
        if overlaps is not None:
            scores = [
                replace(s, overlap=r.overlap, status=r.status) for s, r in zip(scores, overlaps[m.name], strict=True)
            ]
        out[m.name] = scores
    return out


def ablations(cases: list[Case], test: list[Case], tuned: dict[str, float]) -> str:
    base_default = summarise(rank_all(cases, Engine("default", dict(DEFAULT_WEIGHTS))))
    base_tuned = summarise(rank_all(test, Engine("tuned", tuned)))
    pairs = sum(len(c.results) for c in cases)
    rows: list[tuple[str, float, Summary | None, Summary | None]] = []
    for name in REGISTRY:
        share = sum(1 for c in cases for r in c.results.values() if r.get(name) is not None) / max(1, pairs)
        runs: list[Summary | None] = []
        for weights, subset in ((dict(DEFAULT_WEIGHTS), cases), (tuned, test)):
            if weights.get(name, 0) == 0:
                runs.append(None)
                continue
            runs.append(summarise(rank_all(subset, Engine(f"without {name}", {**weights, name: 0.0}))))
        rows.append((name, share, runs[0], runs[1]))
    return ablation_table(rows, base_default, base_tuned)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=SCRIPT, description="Match quality on real Horizon Europe consortia.")
    parser.add_argument("--limit", type=int, default=None, help="only the first N projects of each part (smoke test)")
    parser.add_argument("--jobs", type=int, default=1, help=f"worker processes (this machine: up to {default_jobs()})")
    parser.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default="matched",
        help="matched: every organisation described without one of its projects (default); "
        "leaky: only the held-out project's members lose one (the old, flawed protocol)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()

    imported = import_cordis(data.load())
    builder = CaseBuilder(imported, protocol=args.protocol)
    tuning_ids, test_ids = split(builder.evaluable())
    if args.limit is not None:
        tuning_ids, test_ids = tuning_ids[: args.limit], test_ids[: args.limit]
    if builder.semantic_unavailable:
        log(f"multilingual meaning unavailable, left out: {builder.semantic_unavailable}")
    log(
        f"{len(builder.describable)} describable organisations; {len(tuning_ids)} tuning and {len(test_ids)} test "
        f"projects; protocol {args.protocol}"
    )
    train = build_cases(builder, tuning_ids, args.jobs, log)
    test = build_cases(builder, test_ids, args.jobs, log)
    loaded = time.perf_counter()

    tuned = tune(train, dict(DEFAULT_WEIGHTS))
    MatchingConfig(weights=tuned.weights)  # the tuned weights must be a valid engine configuration
    log(f"tuned weights after {tuned.trials} trials: {tuned.weights}")
    methods: list[Method] = [
        Engine("engine, default weights", dict(DEFAULT_WEIGHTS)),
        Engine("engine, tuned weights", tuned.weights),
        TextOnly(),
        KeywordOverlap(),
        RandomOrder(),
        FewestProfiles(),
    ]
    if not builder.semantic_unavailable:
        methods.insert(3, MeaningOnly())
    scores = {
        "test": evaluate_part(test, methods, imported.firms, args.jobs, optimiser=True),
        "tuning": evaluate_part(train, methods, imported.firms, args.jobs, optimiser=False),
    }
    results = {part: {name: summarise(s) for name, s in by_method.items()} for part, by_method in scores.items()}
    ablation = ablations(train + test, test, tuned.weights)
    seconds, cpu = time.perf_counter() - start, cpu_seconds()

    names = [m.name for m in methods]
    text_only, random_order, sentinel = TextOnly().name, RandomOrder().name, FewestProfiles().name
    baselines = [(n, results["test"][n]) for n in (text_only, KeywordOverlap().name)]
    goal, _ = goal_line(results["test"]["engine, tuned weights"], baselines)
    main_body = "\n".join(
        [
            describe_run(
                imported.notes, len(imported.queries), len(builder.describable), len(train), len(test), args.protocol
            ),
            "",
            f"### Test part (odd project ids, {len(test)} projects)",
            "",
            method_table([(n, results["test"][n]) for n in names]),
            "",
            status_line([(n, results["test"][n]) for n in names]),
            "",
            "95% intervals (percentile bootstrap over projects, 2,000 resamples, seeded):",
            "",
            interval_table([(n, scores["test"][n]) for n in names]),
            "",
            f"Paired differences against {text_only} (the same projects resampled for both; an interval that "
            "contains 0 means this data cannot tell the two apart):",
            "",
            difference_table([(n, scores["test"][n]) for n in names if n != text_only], scores["test"][text_only]),
            "",
            sentinel_line(scores["test"][sentinel], scores["test"][random_order]),
            "",
            goal,
            "",
            weights_line(tuned.weights, tuned.informed) + f" Found by {tuned.trials} trials on the tuning part.",
            "",
            f"### Tuning part (even project ids, {len(train)} projects; for reference — the tuned row is fitted here; "
            "no optimiser runs)",
            "",
            method_table([(n, results["tuning"][n]) for n in names]),
            "",
            f"Runtime: {seconds:.0f} s wall clock, {cpu:.0f} s CPU ({loaded - start:.0f} s to read, import and build "
            f"the held-out cases), {args.jobs} worker process(es), solver {optimizer_config().solver}.",
        ]
    )
    ablation_body = "\n".join(
        [
            "Each engine component removed in turn (its weight set to 0; the scorer spreads the rest as usual). "
            "Δ is the change against the full score with the same weights; negative means the component helps.",
            "",
            ablation,
        ]
    )
    print(main_body + "\n\n" + ablation_body)
    full = args.limit is None and args.protocol == "matched"
    if full:
        write_section("Match quality on Horizon Europe consortia", SCRIPT, main_body)
        write_section("Ablations", SCRIPT, ablation_body)
    network_body = relationship.run(imported, train, test, args.jobs, args.limit)
    print("\n" + network_body)
    if full:
        write_section(relationship.SECTION, SCRIPT, network_body)
        log("wrote docs/benchmarks.md")
    log(f"done in {seconds:.1f} s wall clock, {cpu:.1f} s CPU")


def describe_run(notes: list[str], projects: int, describable: int, n_train: int, n_test: int, protocol: str) -> str:
    held_out = (
        "Every organisation is described by all its projects but one: the held-out project for its "
        "members, a seeded random one of its own for everyone else (count-matched), so the number of "
        "projects describing an organisation says nothing about membership."
        if protocol == "matched"
        else "LEAKY PROTOCOL (for comparison only): members lose the held-out project, nobody else loses one, "
        "so real partners are described by one project fewer than non-members."
    )
    return "\n".join(
        [
            f"Real Horizon Europe consortia (CORDIS, {projects} projects with a query, from "
            f"{' and '.join(d.name for d in data.data_dirs())}). Each project in turn is a call for partners from its "
            "coordinator: an R&D Request with the "
            f"project's title, objective, topic and EuroSciVoc labels. The {describable} organisations that take part "
            f"in two or more projects are candidates. {held_out} The TF-IDF model is fitted per held-out project on "
            "those descriptions and never sees the held-out project's profiles. The expected answer is the project's "
            f"describable partners. Projects with at least two of them: {n_train + n_test}. Firms, profiles and bids "
            "go through the product's JSON import into SQLite first.",
            "",
            "recall@k: share of the real partners in the top k; MRR: mean reciprocal rank of the first real partner; "
            "top-n overlap: share of the real partners in the top n (n = their number). Optimiser overlap: share of "
            "the real partners in the consortium `propose_bid` forms — the coordinator locked in as lead, exactly n "
            "partners "
            f"from the method's top {POOL}, at least 3 countries (a run without a plan counts as 0), one optional "
            f"requirement per EuroSciVoc label (or the topic), fit = score / best score (× {LABEL_MISS} when the "
            "organisation's other projects lack that label), synergy = the method's score between two organisations "
            f"(pair terms among the best {SYNERGY_CANDIDATES}). Baselines: TF-IDF cosine alone (the engine's text "
            "component), Jaccard of the keyword sets (topic code and title, EuroSciVoc labels), a seeded random order "
            "(no synergy), and the sentinel, which reads no content at all: fewest describing projects first. All "
            "means are over projects.",
            "",
            "Import: " + "; ".join(notes) + ".",
        ]
    )


if __name__ == "__main__":
    main()
