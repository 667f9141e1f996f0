"""Ranking metrics per project, and their means over a set of projects (macro averages)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import fmean


@dataclass(frozen=True)
class ProjectScore:
    project: str
    recall10: float
    recall20: float
    rr: float  # reciprocal rank of the first real partner
    top_n: float  # share of the real partners among the top n, n = number of real partners
    overlap: float | None = None  # optimiser: share of the real partners it proposed
    status: str | None = None


def rank_scores(project: str, ranking: list[str], real: tuple[str, ...]) -> ProjectScore:
    wanted = set(real)
    first = next((i for i, k in enumerate(ranking, start=1) if k in wanted), None)
    return ProjectScore(
        project,
        recall10=len(wanted & set(ranking[:10])) / len(wanted),
        recall20=len(wanted & set(ranking[:20])) / len(wanted),
        rr=1.0 / first if first else 0.0,
        top_n=len(wanted & set(ranking[: len(wanted)])) / len(wanted),
    )


@dataclass(frozen=True)
class Summary:
    projects: int
    recall10: float
    recall20: float
    mrr: float
    top_n: float
    overlap: float | None
    statuses: dict[str, int] = field(default_factory=dict)


def summarise(scores: list[ProjectScore]) -> Summary:
    if not scores:
        return Summary(0, 0.0, 0.0, 0.0, 0.0, None)
    overlaps = [s.overlap for s in scores if s.overlap is not None]
    statuses = Counter(s.status for s in scores if s.status is not None)
    return Summary(
        len(scores),
        fmean(s.recall10 for s in scores),
        fmean(s.recall20 for s in scores),
        fmean(s.rr for s in scores),
        fmean(s.top_n for s in scores),
        fmean(overlaps) if overlaps else None,
        dict(sorted(statuses.items())),
    )


BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20261206


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def _resample_means(values: list[float], samples: int, seed: int) -> list[float]:
    import numpy as np

    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(data), size=(samples, len(data)))
    return list(data[picks].mean(axis=1))


def interval(values: list[float], samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED) -> Interval:
    """Mean and 95% percentile bootstrap interval over projects."""
    if not values:
        return Interval(0.0, 0.0, 0.0)
    means = sorted(_resample_means(values, samples, seed))
    return Interval(fmean(values), means[int(0.025 * samples)], means[int(0.975 * samples) - 1])


def paired_difference(
    a: list[ProjectScore],
    b: list[ProjectScore],
    metric: str,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Interval:
    """a − b on one metric, resampling projects (the same projects for both: a paired bootstrap)."""
    if [s.project for s in a] != [s.project for s in b]:
        raise ValueError("paired differences need the same projects in the same order")
    return interval([getattr(x, metric) - getattr(y, metric) for x, y in zip(a, b, strict=True)], samples, seed)


def paired_ratio(
    a: list[ProjectScore],
    b: list[ProjectScore],
    metric: str,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Interval:
    """mean(a) / mean(b) on one metric, with a paired percentile bootstrap (the same projects resampled for
    both, so what the two share cancels)."""
    import numpy as np

    if [s.project for s in a] != [s.project for s in b]:
        raise ValueError("paired ratios need the same projects in the same order")
    x = np.asarray([getattr(s, metric) for s in a], dtype=float)
    y = np.asarray([getattr(s, metric) for s in b], dtype=float)
    if not len(x) or y.sum() == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    picks = np.random.default_rng(seed).integers(0, len(x), size=(samples, len(x)))
    top, bottom = x[picks].sum(axis=1), y[picks].sum(axis=1)
    ratios = np.sort(np.divide(top, bottom, out=np.full(samples, np.inf), where=bottom > 0))
    return Interval(
        float(x.sum() / y.sum()), float(ratios[int(0.025 * samples)]), float(ratios[int(0.975 * samples) - 1])
    )
