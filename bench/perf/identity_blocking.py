"""Identity resolution at import scale (python -m bench.perf.identity_blocking).

Synthetic firms (bench/perf/synthetic_profiles.py, seed 1) resolved against each other, as one file of
new firms is at import: `profiles.identity.resolve` with its blocking by rare name-word starts, and in
the same run the blocking it replaced (every incoming firm compared with its whole country by rapidfuzz,
then scored), which gives the same bands at these sizes (checked here) and grows with the square of a
country's firms. The baseline runs only up to `--baseline-max` firms.

    python -m bench.perf.identity_blocking                       # 20k and 100k profiles' firms, writes the docs
    python -m bench.perf.identity_blocking --profiles 5000 --no-docs
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict

import numpy as np
from rapidfuzz import fuzz, process

from bench.perf.synthetic_profiles import generate
from bench.report import write_section
from profiles import identity
from profiles.domain import Firm

SECTION = "Identity resolution at import scale"
SCRIPT = "python -m bench.perf.identity_blocking"


def whole_country_candidates(stored: list[Firm], incoming: list[Firm]) -> dict[str, set[int]]:
    """The blocking before: each incoming firm against every stored firm of its country (and identifiers)."""
    out: dict[str, set[int]] = defaultdict(set)
    by_country: dict[str, list[int]] = defaultdict(list)
    for j, f in enumerate(stored):
        by_country[f.country].append(j)
    names = [identity.identity_name(f.name) for f in stored]
    by_country_in: dict[str, list[Firm]] = defaultdict(list)
    for f in incoming:
        by_country_in[f.country].append(f)
    for country, firms in sorted(by_country_in.items()):
        block = by_country.get(country, [])
        for start in range(0, len(firms), 512):
            part = firms[start : start + 512]
            scores = process.cdist(
                [identity.identity_name(f.name) for f in part],
                [names[j] for j in block],
                scorer=fuzz.token_set_ratio,
                dtype=np.float32,
                score_cutoff=identity.CANDIDATE_CUTOFF,
                workers=1,
            )
            for r, c in zip(*np.nonzero(scores), strict=True):
                out[part[int(r)].key].add(block[int(c)])
    return out


def _firms(n_profiles: int) -> list[Firm]:
    raw, _ = generate(n_profiles, 1)
    return [
        Firm(key=f["key"], name=f["name"], country=f["country"], city=f.get("city"), website=f.get("website"))
        for f in raw
    ]


def _run(firms: list[Firm], baseline: bool) -> tuple[float, dict[str, str]]:
    identity.identity_name.cache_clear()
    identity.website_domain.cache_clear()
    original = identity.candidates
    if baseline:
        identity.candidates = whole_country_candidates
    try:
        t0 = time.perf_counter()
        decisions = identity.resolve(firms, firms, 0.85, 0.45)
        seconds = time.perf_counter() - t0
    finally:
        identity.candidates = original
    return seconds, {d.incoming.key: d.band for d in decisions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-max", type=int, default=20_000, help="firms up to which the baseline runs")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    lines = [
        "Synthetic firms resolved against each other as one import file of new firms; seconds, median "
        "[min, max] of the repeats. *Same bands*: every firm gets the same band (link, review, new) both ways.",
        "",
        "| profiles | firms | whole country (before) | rare word starts (now) | now ÷ before "
        "| links, reviews | same bands |",
        "|---:|---:|---|---|---:|---|---|",
    ]
    for n in args.profiles:
        firms = _firms(n)
        now = [_run(firms, False) for _ in range(args.repeats)]
        new_s = [s for s, _ in now]
        bands = now[0][1]
        counts = f"{sum(b == 'link' for b in bands.values())}, {sum(b == 'review' for b in bands.values())}"
        if len(firms) <= args.baseline_max:
            before = [_run(firms, True) for _ in range(args.repeats)]
            old_s = [s for s, _ in before]
            same = str(before[0][1] == bands)
            old_text = f"{statistics.median(old_s):.1f} [{min(old_s):.1f}, {max(old_s):.1f}]"
            ratio = f"{statistics.median(new_s) / statistics.median(old_s):.2f}"
        else:
            old_text, ratio, same = "not run (grows with the square of a country's firms)", "–", "–"
        lines.append(
            f"| {n:,} | {len(firms):,} | {old_text} | {statistics.median(new_s):.1f} [{min(new_s):.1f}, "
            f"{max(new_s):.1f}] | {ratio} | {counts} | {same} |"
        )
        print(lines[-1], flush=True)
    if not args.no_docs:
        write_section(SECTION, SCRIPT, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
