"""Work on every core of this machine by forking: the workers start as copies of this process, so the
large read-only inputs of a run (features, the text matrix) are shared rather than sent to them.

Only the spans go to the workers and only their results come back, in the order of the spans. Used where a
run's remaining work is pure Python per item (explaining each new match), which threads cannot spread.
Where fork is not available the caller works in process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

_work: Callable[[Any], Any] | None = None


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


def _call(span: Any) -> Any:
    assert _work is not None
    return _work(span)


def forked_map(work: Callable[[Any], Any], spans: Sequence[Any], workers: int) -> Iterator[Any]:
    """work(span) for every span, in order, on `workers` forked processes; the workers end with the
    iteration (also when the caller stops early)."""
    global _work
    _work = work
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_call, spans)
    finally:
        _work = None
