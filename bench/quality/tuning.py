"""Weight tuning on the tuning half only: a deterministic coordinate search over a small grid.

Starting from the default weights, each component's weight is tried at every
grid value in turn (components in name order), keeping a change only when it
strictly improves (recall@20, then MRR) on the tuning projects; rounds repeat
until a round changes nothing. A component that is missing for every pair of
the tuning half cannot change any ranking, so it is left at its default and
reported as such; so is one with the same value for every pair (the profile types of an
R&D request against organisations that all offer, for example). The result is normalised to sum to 1, rounded, and then
evaluated exactly as rounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import fmean

from .cases import Case
from .evaluate import rank_all
from .methods import Engine
from .metrics import ProjectScore

# weights → per-project scores; the default ranks every case with the bench's Engine (matching.scorer.combine).
Ranker = Callable[[dict[str, float]], list[ProjectScore]]

GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8)
MAX_ROUNDS = 4


def objective(cases: list[Case], weights: dict[str, float], rank: Ranker | None = None) -> tuple[float, float]:
    scores = rank(weights) if rank is not None else rank_all(cases, Engine("trial", weights))
    # Rounded so that float noise never decides between two settings.
    return round(fmean(s.recall20 for s in scores), 9), round(fmean(s.rr for s in scores), 9)


def present_components(cases: list[Case]) -> set[str]:
    """Components the tuning data can move a ranking with: present for some pair, and not one fixed outcome."""
    outcomes: dict[str, set] = {}
    for c in cases:
        for results in c.results.values():
            for name, r in results.items():
                outcomes.setdefault(name, set()).add(None if r is None else r.value)
    return {name for name, seen in outcomes.items() if seen != {None} and len(seen) > 1}


def normalise(weights: dict[str, float], digits: int = 3) -> dict[str, float]:
    total = sum(weights.values())
    return {k: round(v / total, digits) for k, v in weights.items()}


@dataclass(frozen=True)
class Tuned:
    weights: dict[str, float]  # normalised, rounded: what is evaluated and reported
    informed: tuple[str, ...]  # components the tuning data could move
    trials: int
    train_objective: tuple[float, float]


def tune(cases: list[Case], start: dict[str, float], rank: Ranker | None = None) -> Tuned:
    """`rank` replaces the Engine ranking with an equivalent faster one (bench/quality/relationship.py)."""
    informed = tuple(sorted(present_components(cases) & set(start)))
    best, best_value, trials = dict(start), objective(cases, start, rank), 1
    for _ in range(MAX_ROUNDS):
        changed = False
        for name in informed:
            for value in GRID:
                trial = {**best, name: value}
                if value == best[name] or sum(trial[n] for n in informed) <= 0:
                    continue
                result, trials = objective(cases, trial, rank), trials + 1
                if result > best_value:
                    best, best_value, changed = trial, result, True
        if not changed:
            break
    final = normalise(best)
    return Tuned(final, informed, trials, objective(cases, final, rank))
