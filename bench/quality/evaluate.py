"""Running the evaluation: build the cases, rank, run the optimiser — in parallel, in a fixed order.

Cases are independent, so they are spread over worker processes (fork, so the
imported data is shared, not copied per task). `imap` hands results back in
input order, and nothing in a case depends on which worker built it, so the
output is the same for any number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from profiles.domain import Firm

from .cases import Case, CaseBuilder
from .consortium import ConsortiumResult, optimizer_config, propose
from .methods import Method
from .metrics import ProjectScore, rank_scores

# Set in the parent before the pool forks; workers read it instead of receiving it per task.
_SHARED: dict[str, Any] = {}


def _map(fn: Callable, items: list, jobs: int) -> Iterator:
    if jobs <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return map(fn, items)
    pool = multiprocessing.get_context("fork").Pool(min(jobs, len(items)))
    return _closing(pool, pool.imap(fn, items, chunksize=1))


def _closing(pool, results: Iterable) -> Iterator:
    with pool:
        yield from results


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _build(project: str) -> Case:
    return _SHARED["builder"].build(project)


def build_cases(
    builder: CaseBuilder, projects: list[str], jobs: int, progress: Callable[[str], None] | None = None
) -> list[Case]:
    _SHARED["builder"] = builder
    cases = []
    for n, case in enumerate(_map(_build, projects, jobs), start=1):
        cases.append(case)
        if progress and (n % 20 == 0 or n == len(projects)):
            progress(f"built {n} of {len(projects)} held-out projects")
    return cases


def rank_all(cases: list[Case], method: Method) -> list[ProjectScore]:
    return [rank_scores(c.project, method.ranking(c), c.real) for c in cases]


def _consortia(case: Case) -> list[ConsortiumResult]:
    firms: dict[str, Firm] = _SHARED["firms"]
    out = []
    for method in _SHARED["methods"]:
        out.append(propose(case, method, method.ranking(case), method.query_scores(case), firms, _SHARED["optimizer"]))
    case.pair_cache.clear()  # do not ship the cache back
    return out


def consortia_all(
    cases: list[Case],
    methods: list[Method],
    firms: dict[str, Firm],
    jobs: int,
    progress: Callable[[str], None] | None = None,
) -> dict[str, list[ConsortiumResult]]:
    """Optimiser results per method name, one per case, in case order."""
    _SHARED.update(firms=firms, methods=methods, optimizer=optimizer_config())
    out: dict[str, list[ConsortiumResult]] = {m.name: [] for m in methods}
    for n, results in enumerate(_map(_consortia, cases, jobs), start=1):
        for method, result in zip(methods, results, strict=True):
            out[method.name].append(result)
        if progress and (n % 20 == 0 or n == len(cases)):
            progress(f"optimiser: {n} of {len(cases)} projects")
    return out
