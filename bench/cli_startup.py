"""Start-up time of the command line (python -m bench.cli_startup).

Each command runs `--runs` times, every time in a fresh Python process, the commands taking turns so
that a change in the machine's load reaches all of them alike (after `--warmup` untimed rounds, which
leave the bytecode caches warm):

- `python -c pass`: the interpreter alone, the floor;
- `python -c "import api.cli.app"`: the command line's own module;
- `partnermatch --help`: what a user waits for before the first line of help;
- `python -c "import api.actions.match_runs"`: the engine's import cost (scikit-learn, SciPy,
  SQLAlchemy, pydantic), which every command paid before its imports were deferred to its body.

Reported per command: the median wall time with a 95% bootstrap interval of the median, the minimum and
maximum, and the median CPU time of the child process (user + system; the machine may be shared).

    python -m bench.cli_startup               # 30 runs each, writes docs/benchmarks.md
    python -m bench.cli_startup --runs 5 --no-write
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.report import write_section

SECTION = "Command-line start-up"
SCRIPT = "python -m bench.cli_startup"
ROOT = Path(__file__).resolve().parent.parent
BOOTSTRAP_SAMPLES = 2000
SEED = 0


@dataclass(frozen=True)
class Command:
    label: str
    argv: list[str]


@dataclass(frozen=True)
class Timing:
    wall: list[float]
    cpu: list[float]


def commands() -> list[Command]:
    python = sys.executable
    partnermatch = str(Path(python).parent / "partnermatch")
    return [
        Command("python -c pass", [python, "-c", "pass"]),
        Command('python -c "import api.cli.app"', [python, "-c", "import api.cli.app"]),
        Command("partnermatch --help", [partnermatch, "--help"]),
        Command('python -c "import api.actions.match_runs"', [python, "-c", "import api.actions.match_runs"]),
    ]


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "100"}
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{shlex.join(argv)} exited {result.returncode}:\n{result.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(cmds: list[Command], runs: int, warmup: int) -> dict[str, Timing]:
    for _ in range(warmup):
        for cmd in cmds:
            run_once(cmd.argv)
    walls: dict[str, list[float]] = {c.label: [] for c in cmds}
    cpus: dict[str, list[float]] = {c.label: [] for c in cmds}
    for _ in range(runs):
        for cmd in cmds:
            wall, cpu = run_once(cmd.argv)
            walls[cmd.label].append(wall)
            cpus[cmd.label].append(cpu)
    return {c.label: Timing(walls[c.label], cpus[c.label]) for c in cmds}


def median_interval(values: list[float], rng: random.Random) -> tuple[float, float]:
    """95% percentile-bootstrap interval of the median."""
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(BOOTSTRAP_SAMPLES))
    return medians[int(0.025 * BOOTSTRAP_SAMPLES)], medians[int(0.975 * BOOTSTRAP_SAMPLES) - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def table(timings: dict[str, Timing]) -> list[str]:
    rng = random.Random(SEED)
    lines = [
        "| command | median wall | 95% interval | min – max | median CPU |",
        "|---|---|---|---|---|",
    ]
    for label, t in timings.items():
        low, high = median_interval(t.wall, rng)
        lines.append(
            f"| `{label}` | {ms(statistics.median(t.wall))} | {ms(low)} – {ms(high)} "
            f"| {ms(min(t.wall))} – {ms(max(t.wall))} | {ms(statistics.median(t.cpu))} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="Timed runs of each command (default 30)")
    parser.add_argument("--warmup", type=int, default=2, help="Untimed rounds first (default 2)")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()

    cmds = commands()
    load_before = os.getloadavg()[0]
    timings = measure(cmds, args.runs, args.warmup)
    load_after = os.getloadavg()[0]
    help_median = statistics.median(timings["partnermatch --help"].wall)
    eager_median = statistics.median(timings[cmds[-1].label].wall)
    body = [
        f"Wall time of each command in a fresh process, {args.runs} runs each after {args.warmup} untimed "
        "round(s), the commands taking turns; the interval is a 95% bootstrap interval of the median "
        f"({BOOTSTRAP_SAMPLES} resamples). CPU time is the child's user + system time. Load average "
        f"{load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} cores.",
        "",
        *table(timings),
        "",
        f"`partnermatch --help` takes {ms(help_median)}, against {ms(eager_median)} for importing the "
        "engine's actions (scikit-learn, SciPy, SQLAlchemy, pydantic), which every command, `--help` "
        "included, paid while the command line imported them at the top. The help's own cost beyond "
        "`import api.cli.app` is Typer's Rich help formatter (Rich's Markdown and Pygments).",
    ]
    text = "\n".join(body)
    print(text)
    if not args.no_write:
        write_section(SECTION, SCRIPT, text)


if __name__ == "__main__":
    main()
