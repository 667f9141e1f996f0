"""Markdown for the results: the method tables, the goal check and the ablations."""

from __future__ import annotations

from .metrics import Summary

GOAL = 1.25  # product owner: tuned engine's test recall@20 ≥ 1.25 × the best baseline's


def _f(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _signed(x: float) -> str:
    return f"{x:+.3f}"


def method_table(rows: list[tuple[str, Summary]]) -> str:
    out = [
        "| method | projects | recall@10 | recall@20 | MRR | top-n overlap | optimiser overlap | optimiser: no plan |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in rows:
        no_plan = sum(n for status, n in s.statuses.items() if status.startswith("no plan"))
        out.append(
            f"| {name} | {s.projects} | {_f(s.recall10)} | {_f(s.recall20)} | {_f(s.mrr)} | {_f(s.top_n)} | "
            f"{_f(s.overlap)} | {no_plan} |"
        )
    return "\n".join(out)


def status_line(rows: list[tuple[str, Summary]]) -> str:
    """Solver outcomes other than a proven optimum, per method (an empty string when there are none)."""
    parts = []
    for name, s in rows:
        odd = [f"{n} × {status}" for status, n in s.statuses.items() if status != "optimal"]
        if odd:
            parts.append(f"{name}: {', '.join(odd)}")
    if not parts:
        return "All optimiser runs ended with a proven optimum."
    text = "Optimiser runs without a proven optimum — " + "; ".join(parts) + "."
    if any("too_few_countries" in p for p in parts):
        text += (
            " (too_few_countries: the shortlisted organisations and the coordinator come from fewer than "
            "the 3 countries a Horizon Europe consortium needs.)"
        )
    return text


def goal_line(engine: Summary, baselines: list[tuple[str, Summary]]) -> tuple[str, bool]:
    name, best = max(baselines, key=lambda b: (b[1].recall20, b[0]))
    target = GOAL * best.recall20
    met = engine.recall20 >= target
    ratio = engine.recall20 / best.recall20 if best.recall20 else float("inf")
    text = (
        f"**Goal (test part): recall@20 ≥ {GOAL} × the best baseline's.** Best baseline: {name}, "
        f"{best.recall20:.3f}, so the target is {target:.3f}. Engine with tuned weights: "
        f"{engine.recall20:.3f} ({ratio:.2f}×). **{'Met' if met else 'Not met'}.**"
    )
    return text, met


def weights_line(weights: dict[str, float], informed: tuple[str, ...]) -> str:
    body = ", ".join(f'"{k}": {v}' for k, v in weights.items())
    absent = [k for k in weights if k not in informed]
    note = (
        f" The data has nothing for {', '.join(absent)} (missing for every pair, or the same for every pair), "
        "so those keep their default weights (rescaled with the rest) and were not tuned."
        if absent
        else ""
    )
    return f"Tuned weights (normalised to sum 1): `{{{body}}}`.{note}"


def ablation_table(
    rows: list[tuple[str, float, Summary | None, Summary | None]], base_default: Summary, base_tuned: Summary
) -> str:
    out = [
        "| component removed | present in (query, organisation) pairs "
        "| recall@20 Δ, default weights, all projects | MRR Δ, default weights, all projects "
        "| recall@20 Δ, tuned weights, test part | MRR Δ, tuned weights, test part |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, share, default, tuned in rows:
        cells = [name, f"{share:.1%}"]
        for s, base in ((default, base_default), (tuned, base_tuned)):
            if s is None:
                cells += ["(weight already 0)", "–"]
            else:
                cells += [_signed(s.recall20 - base.recall20), _signed(s.mrr - base.mrr)]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def _interval(i) -> str:
    return f"{i.mean:.3f} [{i.low:.3f}, {i.high:.3f}]"


def _signed_interval(i) -> str:
    return f"{i.mean:+.3f} [{i.low:+.3f}, {i.high:+.3f}]"


def interval_table(rows: list[tuple[str, list]]) -> str:
    from .metrics import interval

    out = ["| method | recall@20 [95% interval] | MRR [95% interval] |", "|---|---:|---:|"]
    for name, scores in rows:
        out.append(
            f"| {name} | {_interval(interval([s.recall20 for s in scores]))} | "
            f"{_interval(interval([s.rr for s in scores]))} |"
        )
    return "\n".join(out)


def difference_table(rows: list[tuple[str, list]], base: list) -> str:
    from .metrics import paired_difference

    out = ["| method | Δ recall@20 [95% interval] | Δ MRR [95% interval] | resolved? |", "|---|---:|---:|---|"]
    for name, scores in rows:
        r, m = paired_difference(scores, base, "recall20"), paired_difference(scores, base, "rr")
        verdict = (
            ", ".join(
                f"{label} {'better' if i.low > 0 else 'worse'}"
                for label, i in (("recall@20", r), ("MRR", m))
                if i.excludes_zero()
            )
            or "no: within noise"
        )
        out.append(f"| {name} | {_signed_interval(r)} | {_signed_interval(m)} | {verdict} |")
    return "\n".join(out)


def sentinel_line(sentinel: list, random_order: list) -> str:
    """The sentinel reads no content; if it beats random the protocol leaks the answer."""
    from .metrics import paired_difference

    r, m = paired_difference(sentinel, random_order, "recall20"), paired_difference(sentinel, random_order, "rr")
    leak = r.low > 0 or m.low > 0
    return (
        f"**Sentinel check:** fewest-projects-first minus random: recall@20 {_signed_interval(r)}, "
        f"MRR {_signed_interval(m)}. "
        + (
            "**It beats random: the protocol leaks the answer.**"
            if leak
            else "It does not beat random: the protocol does not give the answer away."
        )
    )
