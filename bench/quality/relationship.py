"""python -m bench.quality.relationship [--limit N] [--jobs J]: the relationship component and role
composition on real Horizon Europe consortia, at two exchange sizes.

The held-out cases are the ones of `python -m bench.quality` (count-matched protocol); each also
carries "relationship" (co-participation ties over exactly the projects each organisation's text is
built from, see `network`), "composition" and "cross_border". Two exchange sizes:

* panels: each data folder is an exchange of its own, a folder much larger than PANEL projects is cut
  in id order into exchanges of about PANEL projects; an organisation is described, and tied, only by
  projects of its panel; the cases of all panels are pooled;
* the whole set: every project of every folder as one exchange (the main run's cases).

Weights are tuned on the tuning part (even project ids) and reported on the test part (odd ids), as
in the main run. Rankings use a vectorised form of `matching.scorer.combine` (same weighted mean of
the present components, rounded the same way, ties by key), checked against the bench's Engine.

A full run (python -m bench.quality, or this module without --limit) writes the section
"Relationship and role composition" of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import numpy as np

from bench.report import write_section
from matching import learning
from matching.config import DEFAULT_WEIGHTS

from . import data, network
from .cases import Case, CaseBuilder
from .evaluate import build_cases, default_jobs, rank_all
from .importer import Imported, import_cordis
from .methods import Engine, FewestProfiles, FewestTies, RandomOrder
from .metrics import ProjectScore, paired_difference, paired_ratio
from .tables import interval_table
from .tuning import Tuned, tune

SCRIPT = "python -m bench.quality"
SECTION = "Relationship and role composition"
PANEL = 120
EXTRA = ("relationship", "composition", "cross_border")
START = {"relationship": DEFAULT_WEIGHTS.get("relationship", 0.10), "composition": 0.05, "cross_border": 0.05}
GOALS = {"panels": (1.10, 1.0), "whole set": (1.25, None)}  # ratio to TF-IDF alone; lower bound of its interval
TFIDF, PLAIN, WITH_REL, FULL = (
    "TF-IDF cosine alone",
    "engine, tuned, without relationship",
    "engine, tuned, with relationship",
    "engine, tuned, with relationship, composition and cross-border",
)
WITH_ALL = "engine, tuned, with relationship on all of the searcher's ties"
LEARNED = "engine, weights learned as `partnermatch tune` learns them (matching.learning)"
ALONE, ALONE_ALL = "relationship alone", "relationship on all of the searcher's ties, alone"


def log(message: str) -> None:
    print(f"[bench.quality.relationship] {message}", file=sys.stderr, flush=True)


def split(projects: list[str]) -> tuple[list[str], list[str]]:
    return [p for p in projects if int(p) % 2 == 0], [p for p in projects if int(p) % 2 == 1]


# -- exchanges --------------------------------------------------------------------------------------
def panels() -> list[tuple[str, list[str]]]:
    """(name, project ids): one per data folder, large folders cut in id order into ~PANEL-project parts."""
    out = []
    for folder in data.data_dirs():
        ids = sorted(r["id"].strip() for r in data._csv(folder / "projects.csv"))
        parts = max(1, round(len(ids) / PANEL))
        for i in range(parts):
            chunk = ids[i * len(ids) // parts : (i + 1) * len(ids) // parts]
            out.append((f"{folder.name}" + (f" {i + 1}/{parts}" if parts > 1 else ""), chunk))
    return out


def restrict(imported: Imported, projects: set[str]) -> Imported:
    """The exchange of some projects only: their profiles, queries and bids (firms as imported)."""
    return Imported(
        imported.firms,
        {k: v for k, v in imported.offers.items() if k[1] in projects},
        {k: v for k, v in imported.queries.items() if k in projects},
        {k: v for k, v in imported.bids.items() if k in projects},
        [],
    )


def panel_cases(imported: Imported, jobs: int, limit: int | None) -> tuple[list[Case], list[Case], list[str]]:
    train, test, notes = [], [], []
    for name, ids in panels():
        builder = CaseBuilder(restrict(imported, set(ids)))
        tuning_ids, test_ids = split(builder.evaluable())
        if limit is not None:
            tuning_ids, test_ids = tuning_ids[:limit], test_ids[:limit]
        train += build_cases(builder, tuning_ids, jobs)
        test += build_cases(builder, test_ids, jobs)
        notes.append(
            f"{name}: {len(ids)} projects, {len(builder.describable)} describable organisations, "
            f"{len(tuning_ids)} + {len(test_ids)} evaluable"
        )
        log(f"panel {notes[-1]}")
    return train, test, notes


# -- fast ranking -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """One case as arrays: component values of every candidate (missing: 0 with present False)."""

    project: str
    values: np.ndarray  # candidates × components
    present: np.ndarray  # candidates × components, float 0/1
    real: np.ndarray  # indices of the real partners among the candidates


def tables(cases: list[Case], names: list[str]) -> list[Table]:
    out = []
    for c in cases:
        raw = np.array(
            [[np.nan if (r := c.results[k].get(n)) is None else r.value for n in names] for k in c.candidates],
            dtype=np.float64,
        )
        wanted = set(c.real)
        out.append(
            Table(
                c.project,
                np.nan_to_num(raw),
                (~np.isnan(raw)).astype(np.float64),
                np.array([i for i, k in enumerate(c.candidates) if k in wanted]),
            )
        )
    return out


def project_score(t: Table, scores: np.ndarray) -> ProjectScore:
    order = np.argsort(-scores, kind="stable")  # candidates are sorted by key: ties go by key
    pos = np.empty(len(order), dtype=np.int64)
    pos[order] = np.arange(len(order))
    r = pos[t.real]
    return ProjectScore(
        t.project, float(np.mean(r < 10)), float(np.mean(r < 20)), 1.0 / (int(r.min()) + 1), float(np.mean(r < len(r)))
    )


class Fast:
    """Engine and single-component rankings of many cases at once."""

    def __init__(self, cases: list[Case], names: list[str]) -> None:
        self.names = names
        self.tables = tables(cases, names)

    def engine(self, weights: dict[str, float]) -> list[ProjectScore]:
        w = np.array([max(0.0, weights.get(n, 0.0)) for n in self.names])
        out = []
        for t in self.tables:
            num, den = t.values @ w, t.present @ w
            scores = np.round(np.divide(num, den, out=np.zeros_like(num), where=den > 0), 4)
            out.append(project_score(t, scores))
        return out

    def alone(self, name: str) -> list[ProjectScore]:
        i = self.names.index(name)
        return [project_score(t, t.values[:, i]) for t in self.tables]


def shown_lists(cases: list[Case], names: list[str]) -> list[learning.ShownList]:
    """Cases as the lists `partnermatch tune` learns from: every candidate with its component values."""
    return [
        learning.ShownList(
            c.project,
            float(i),
            tuple(
                (k, {n: (None if (r := c.results[k].get(n)) is None else r.value) for n in names}) for k in c.candidates
            ),
            frozenset(c.real),
        )
        for i, c in enumerate(cases)
    ]


def check_fast(cases: list[Case], fast: Fast, weights: dict[str, float]) -> None:
    """The vectorised ranking must rank as the bench's Engine (matching.scorer.combine) does."""
    for case, got in zip(cases[:3], fast.engine(weights), strict=False):
        if rank_all([case], Engine("check", weights))[0] != got:
            raise RuntimeError("bench/quality/relationship.py ranks differently from matching.scorer.combine")


# -- one exchange size ----------------------------------------------------------------------------------
@dataclass
class Outcome:
    label: str
    n_train: int
    n_test: int
    scores: dict[str, list[ProjectScore]]  # test part, per method
    tuned: dict[str, Tuned]
    ablation: list[tuple]  # (component, share present, tuned weight, kept, re-tuned, full): test scores
    learned: dict[str, float]  # weights from matching.learning.fit on the tuning part


def evaluate(label: str, train: list[Case], test: list[Case]) -> Outcome:
    registry = [n for n in DEFAULT_WEIGHTS if n != "relationship"]
    names = sorted({n for c in train[:1] + test[:1] for r in c.results.values() for n in r})
    fit, held = Fast(train, names), Fast(test, names)
    plain = {n: DEFAULT_WEIGHTS[n] for n in registry}
    starts = {
        PLAIN: plain,
        WITH_REL: {**plain, "relationship": START["relationship"]},
        FULL: {**plain, **START},
        WITH_ALL: {**plain, network.ALL_SEARCHER_TIES: START["relationship"]},
    }
    tuned = {name: tune(train, start, fit.engine) for name, start in starts.items()}
    for name, t in tuned.items():
        log(f"{label}: {name}: {t.trials} trials, weights {t.weights}")
    # The product's own fitter on the tuning part: each case a shown list, its members the good candidates.
    product = [n for n in names if n != network.ALL_SEARCHER_TIES]  # the variant is not a component
    learned = learning.fit(shown_lists(train, product), {n: starts[FULL].get(n, 0.0) for n in product})
    log(f"{label}: {LEARNED}: weights {learned.weights}")
    check_fast(test, held, tuned[FULL].weights)
    scores = {
        TFIDF: held.alone("text"),
        **{name: held.engine(t.weights) for name, t in tuned.items()},
        LEARNED: held.engine(learned.weights),
        ALONE: held.alone("relationship"),
        ALONE_ALL: held.alone(network.ALL_SEARCHER_TIES),
    }
    for method in (RandomOrder(), FewestProfiles(), FewestTies()):
        scores[method.name] = rank_all(test, method)
    full = tuned[FULL]
    base = scores[FULL]
    pairs = sum(len(c.results) for c in test)
    rows = []
    for name in names:
        if name not in full.weights or name not in full.informed:
            continue  # missing, or one value, for every tuning pair: removing it changes nothing to tune
        share = sum(1 for c in test for r in c.results.values() if r.get(name) is not None) / max(1, pairs)
        kept = None if full.weights[name] == 0 else held.engine({**full.weights, name: 0.0})
        start = {k: v for k, v in {**plain, **START}.items() if k != name}
        retuned = held.engine(tune(train, start, fit.engine).weights)
        rows.append((name, share, full.weights[name], kept, retuned, base))
    return Outcome(label, len(train), len(test), scores, tuned, rows, learned.weights)


# -- markdown -------------------------------------------------------------------------------------------
def _i(i, signed: bool = False, digits: int = 3) -> str:
    f = f"{{:{'+' if signed else ''}.{digits}f}}"
    return f"{f.format(i.mean)} [{f.format(i.low)}, {f.format(i.high)}]"


def ratio_rows(o: Outcome) -> tuple[str, list[str]]:
    base = o.scores[TFIDF]
    out = [
        "| method ÷ TF-IDF alone | recall@20 ratio [95%] | MRR ratio [95%] | Δ recall@20 [95%] | Δ MRR [95%] |",
        "|---|---:|---:|---:|---:|",
    ]
    unresolved = []
    for name in (PLAIN, WITH_REL, FULL, WITH_ALL, LEARNED, ALONE, ALONE_ALL):
        s = o.scores[name]
        rr, rm = paired_ratio(s, base, "recall20"), paired_ratio(s, base, "rr")
        dr, dm = paired_difference(s, base, "recall20"), paired_difference(s, base, "rr")
        out.append(f"| {name} | {_i(rr, digits=2)} | {_i(rm, digits=2)} | {_i(dr, True)} | {_i(dm, True)} |")
        unresolved += [f"{name} vs TF-IDF ({m})" for m, d in (("recall@20", dr), ("MRR", dm)) if not d.excludes_zero()]
    for a, b in ((WITH_REL, PLAIN), (FULL, WITH_REL), (WITH_ALL, PLAIN)):
        dr, dm = (
            paired_difference(o.scores[a], o.scores[b], "recall20"),
            paired_difference(o.scores[a], o.scores[b], "rr"),
        )
        out.append(f"| {a} − {b} (difference only) | | | {_i(dr, True)} | {_i(dm, True)} |")
        unresolved += [f"{a} vs {b} ({m})" for m, d in (("recall@20", dr), ("MRR", dm)) if not d.excludes_zero()]
    return "\n".join(out), unresolved


def goal_text(o: Outcome) -> str:
    target, floor = GOALS[o.label]
    need = (
        f"≥ {target:.2f}× TF-IDF"
        + (f" with the interval's lower bound ≥ {floor:.1f}" if floor else "")
        + " on recall@20 and MRR"
    )
    out = []
    for method in (WITH_REL, WITH_ALL):
        parts, met = [], True
        for metric, label in (("recall20", "recall@20"), ("rr", "MRR")):
            r = paired_ratio(o.scores[method], o.scores[TFIDF], metric)
            met &= r.mean >= target and (floor is None or r.low >= floor)
            parts.append(f"{label} {r.mean:.2f}× [{r.low:.2f}, {r.high:.2f}]")
        out.append(f"{method}: {', '.join(parts)} — **{'met' if met else 'not met'}**")
    return f"**Goal ({o.label}): engine with relationship {need}.** " + "; ".join(out) + "."


def sentinel_text(o: Outcome) -> str:
    rnd = o.scores[RandomOrder().name]
    out = []
    for name in (FewestProfiles().name, FewestTies().name):
        r, m = paired_difference(o.scores[name], rnd, "recall20"), paired_difference(o.scores[name], rnd, "rr")
        leak = r.low > 0 or m.low > 0
        out.append(
            f"{name} minus random: recall@20 {_i(r, True)}, MRR {_i(m, True)} — "
            + ("**beats random: the graph leaks membership**" if leak else "not above random")
        )
    return "**Sentinels (read no content):** " + "; ".join(out) + "."


def ablation_text(o: Outcome) -> tuple[str, list[str]]:
    out = [
        "| component removed | present in pairs | tuned weight | Δ recall@20, weights kept [95%] | "
        "Δ MRR, weights kept [95%] | Δ recall@20, re-tuned [95%] | Δ MRR, re-tuned [95%] |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    unresolved = []
    for name, share, weight, kept, retuned, base in o.ablation:
        cells = [name, f"{share:.1%}", f"{weight:.3f}"]
        for label, s in (("kept", kept), ("re-tuned", retuned)):
            if s is None:
                cells += ["(weight 0)", "–"]
                continue
            dr, dm = paired_difference(s, base, "recall20"), paired_difference(s, base, "rr")
            cells += [_i(dr, True), _i(dm, True)]
            if not (dr.excludes_zero() or dm.excludes_zero()):
                unresolved.append(f"without {name} ({label})")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out), unresolved


def weights_text(o: Outcome) -> str:
    lines = []
    for name, t in o.tuned.items():
        shown = ", ".join(f"{k} {v}" for k, v in t.weights.items() if v > 0)
        lines.append(f"- {name}: {shown} ({t.trials} trials; tuned: {', '.join(t.informed)})")
    shown = ", ".join(f"{k} {v}" for k, v in o.learned.items() if v > 0)
    lines.append(
        f"- {LEARNED}: {shown} (pairwise conditional logit on the tuning part's cases as shown lists, "
        f"real members as the chosen candidates, refined on their MRR)"
    )
    return "\n".join(lines)


def part_text(o: Outcome, notes: list[str]) -> str:
    names = [
        TFIDF,
        PLAIN,
        WITH_REL,
        FULL,
        WITH_ALL,
        LEARNED,
        ALONE,
        ALONE_ALL,
        RandomOrder().name,
        FewestProfiles().name,
        FewestTies().name,
    ]
    ratios, unresolved = ratio_rows(o)
    ablation, ab_unresolved = ablation_text(o)
    lines = [f"### {o.label.capitalize()} (tuned on {o.n_train} projects, reported on {o.n_test} test projects)", ""]
    if notes:
        lines += ["Panels: " + "; ".join(notes) + ".", ""]
    idle = [n for n in o.tuned[FULL].weights if n not in o.tuned[FULL].informed]
    lines += [
        interval_table([(n, o.scores[n]) for n in names]),
        "",
        "Paired against TF-IDF alone (ratio of means and difference; 95% percentile bootstrap over projects):",
        "",
        ratios,
        "",
        goal_text(o),
        "",
        sentinel_text(o),
        "",
        "Tuned weights (normalised; components at 0 left out):",
        "",
        weights_text(o),
        "",
        f"Ablation of the engine with relationship, composition and cross-border: each component removed "
        f"in turn, either keeping the other tuned weights or re-tuning without it on the tuning part; "
        f"Δ against the full tuned engine on the test part, paired. Not in the table, because they are missing "
        f"or the same for every tuning pair: {', '.join(idle) or 'none'}.",
        "",
        ablation,
        "",
        "**Not resolved by this data (95% interval contains 0 on both metrics where two are shown):** "
        + ("; ".join(unresolved + ab_unresolved) or "none")
        + ".",
    ]
    return "\n".join(lines)


def section(outcomes: list[tuple[Outcome, list[str]]], seconds: float) -> str:
    intro = (
        "The engine's relationship component (`matching/ties.py`: direct ties plus Adamic–Adar over shared "
        "partners) on the held-out cases of the count-matched protocol above. Per held-out project the graph "
        "has one tie per pair of organisations in the same project, over exactly the projects each "
        "organisation's text is built from: members without the held-out project, everyone else without "
        "the same seeded random project the protocol drops from its text; the held-out project ties nobody. "
        "Two role features computed in the benchmark only: composition (1 when the candidate is a different "
        "kind of organisation from the searcher — university, research organisation, company, other — by "
        "CORDIS activity type) and cross-border (1 when it is in another country). Weights are tuned by the "
        "main run's coordinate search on the tuning part (even ids) and reported on the test part (odd ids); "
        f"each tuned engine starts from the default weights (relationship {START['relationship']}, "
        f"composition and cross-border {START['composition']}). The sentinels read no content: fewest "
        "describing projects first, and fewest ties in the case's graph first. The rule favours members on "
        "this component: a non-member's random drop can remove its earlier ties to the searcher (it removes "
        "every direct tie for 5,278 of the 22,688 (searcher, non-member) pairs that share a project over the "
        "whole set), while a member loses only the held-out tie. So each table also shows the relationship "
        "on all of the searcher's ties (the same graph with those searcher ties given back), which is the "
        "honest reading of what an exchange would know; the goal is checked on both."
    )
    parts = [intro, ""] + [part_text(o, notes) + "\n" for o, notes in outcomes]
    parts.append(f"Runtime of this part: {seconds:.0f} s wall clock (cases of the whole set shared with the main run).")
    return "\n".join(parts)


def run(imported: Imported, train: list[Case], test: list[Case], jobs: int, limit: int | None) -> str:
    start = time.perf_counter()
    outcomes = []
    if len(panels()) == 1:  # one folder of about PANEL projects: the whole set is the only panel
        p_train, p_test, notes = train, test, ["one panel, the whole set"]
    else:
        p_train, p_test, notes = panel_cases(imported, jobs, limit)
    outcomes.append((evaluate("panels", p_train, p_test), notes))
    outcomes.append((evaluate("whole set", train, test), []))
    return section(outcomes, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.quality.relationship", description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N projects of each part")
    parser.add_argument("--jobs", type=int, default=1, help=f"worker processes (this machine: up to {default_jobs()})")
    args = parser.parse_args(argv)
    imported = import_cordis(data.load())
    builder = CaseBuilder(imported)
    tuning_ids, test_ids = split(builder.evaluable())
    if args.limit is not None:
        tuning_ids, test_ids = tuning_ids[: args.limit], test_ids[: args.limit]
    train, test = build_cases(builder, tuning_ids, args.jobs, log), build_cases(builder, test_ids, args.jobs, log)
    body = run(imported, train, test, args.jobs, args.limit)
    print(body)
    if args.limit is None:
        write_section(SECTION, "python -m bench.quality.relationship", body)
        log("wrote docs/benchmarks.md")


if __name__ == "__main__":
    main()
