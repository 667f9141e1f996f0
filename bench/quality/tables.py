"""Markdown for the results: the method tables, the goal check and the ablations."""
from __future__ import annotations

from .metrics import Summary

GOAL = 1.25  # product owner: tuned engine's test recall@20 ≥ 1.25 × the best baseline's


def _f(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _signed(x: float) -> str:
    return f"{x:+.3f}"


def method_table(rows: list[tuple[str, Summary]]) -> str:
    out = ["| method | projects | recall@10 | recall@20 | MRR | top-n overlap | optimiser overlap | optimiser: no plan |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in rows:
        no_plan = sum(n for status, n in s.statuses.items() if status.startswith("no plan"))
        out.append(f"| {name} | {s.projects} | {_f(s.recall10)} | {_f(s.recall20)} | {_f(s.mrr)} | {_f(s.top_n)} | "
                   f"{_f(s.overlap)} | {no_plan} |")
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
        text += (" (too_few_countries: the shortlisted organisations and the coordinator come from fewer than "
                 "the 3 countries a Horizon Europe consortium needs.)")
    return text


def goal_line(engine: Summary, baselines: list[tuple[str, Summary]]) -> tuple[str, bool]:
    name, best = max(baselines, key=lambda b: (b[1].recall20, b[0]))
    target = GOAL * best.recall20
    met = engine.recall20 >= target
    ratio = engine.recall20 / best.recall20 if best.recall20 else float("inf")
    text = (f"**Goal (test half): recall@20 ≥ {GOAL} × the best baseline's.** Best baseline: {name}, "
            f"{best.recall20:.3f}, so the target is {target:.3f}. Engine with tuned weights: "
            f"{engine.recall20:.3f} ({ratio:.2f}×). **{'Met' if met else 'Not met'}.**")
    return text, met


def weights_line(weights: dict[str, float], informed: tuple[str, ...]) -> str:
    body = ", ".join(f'"{k}": {v}' for k, v in weights.items())
    absent = [k for k in weights if k not in informed]
    note = (f" The data has nothing for {', '.join(absent)} (missing for every pair), so those keep their "
            "default weights (rescaled with the rest) and were not tuned." if absent else "")
    return f"Tuned weights (normalised to sum 1): `{{{body}}}`.{note}"


def ablation_table(rows: list[tuple[str, float, Summary | None, Summary | None]],
                   base_default: Summary, base_tuned: Summary) -> str:
    out = ["| component removed | present in (query, organisation) pairs | recall@20 Δ, default weights, all projects "
           "| MRR Δ, default weights, all projects | recall@20 Δ, tuned weights, test half | MRR Δ, tuned weights, test half |",
           "|---|---:|---:|---:|---:|---:|"]
    for name, share, default, tuned in rows:
        cells = [name, f"{share:.1%}"]
        for s, base in ((default, base_default), (tuned, base_tuned)):
            if s is None:
                cells += ["(weight already 0)", "–"]
            else:
                cells += [_signed(s.recall20 - base.recall20), _signed(s.mrr - base.mrr)]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)
