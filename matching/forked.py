"""A function over items, computed by forked copies of this process, results in order.

For work whose inputs are large Python objects already in memory (a run's features, model and
history): a forked child has them without their being pickled, and only each item's small result
travels back. Where the platform cannot fork, or one process is asked for, the items are computed
here, one after another; the results are the same either way.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

_work: Callable[[Any], Any] | None = None


def _call(item: Any) -> Any:
    assert _work is not None
    return _work(item)


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive its run: it shares the run's open files, the nightly run's lock among
    them, so a run killed while its workers computed would otherwise stay locked until they noticed."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the run died before the line above
        os._exit(1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forked_map(fn: Callable[[Any], Any], items: Iterable[Any], processes: int) -> Iterator[Any]:
    """fn(item) for each item, in order; `processes` children compute ahead while the caller consumes.

    `fn` may close over anything: the children are forks, so it is never pickled (its results are).
    Closing the iterator early stops the children.
    """
    if processes <= 1 or not can_fork():
        yield from map(fn, items)
        return
    global _work
    _work = fn
    # The collector would otherwise visit (and so copy into each child) every page of objects the
    # parent holds; frozen, they stay shared.
    gc.freeze()
    # A child that dies (killed for memory, say) fails the run with BrokenProcessPool rather than
    # leaving it waiting for a result that never comes.
    pool = ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        # at most two items ahead per child: results the caller has not taken yet wait in memory
        pending: deque[Future[Any]] = deque()
        for item in items:
            pending.append(pool.submit(_call, item))
            if len(pending) >= 2 * processes:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _work = None
        gc.unfreeze()
