"""A function over items, computed by forked copies of this process, results in order.

For work whose inputs are large Python objects already in memory (a run's features, model and
history): a forked child has them without their being pickled, and only each item's small result
travels back. Where the platform cannot fork, or one process is asked for, the items are computed
here, one after another; the results are the same either way.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from profiles.read_ahead import can_fork, die_with_parent, stop

T = TypeVar("T")

_work: Callable[[Any], Any] | None = None  # set in each worker only, by `_start_worker`


def _start_worker(parent: int, fn: Callable[[Any], Any]) -> None:
    global _work
    die_with_parent(parent)
    _work = fn


def _call(item: Any) -> Any:
    assert _work is not None
    return _work(item)


def forked_map(fn: Callable[[Any], Any], items: Iterable[Any], processes: int) -> Iterator[Any]:
    """fn(item) for each item, in order; `processes` children compute ahead while the caller consumes.

    `fn` may close over anything: the children are forks, so it is never pickled (its results are).
    Closing the iterator early stops the children.
    """
    if processes <= 1 or not can_fork():
        yield from map(fn, items)
        return
    # The collector would otherwise visit (and so copy into each child) every page of objects the
    # parent holds; frozen, they stay shared.
    gc.freeze()
    # A child that dies (killed for memory, say) fails the run with BrokenProcessPool rather than
    # leaving it waiting for a result that never comes.
    pool = ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("fork"),
        # Forked workers get fn as their initializer's argument with the rest of this process's memory (never
        # pickled): two maps at once in two threads each give their workers their own.
        initializer=_start_worker,
        initargs=(os.getpid(), fn),
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
        gc.unfreeze()


@contextmanager
def forked_call(fn: Callable[[], T], fork: bool) -> Iterator[Callable[[], T]]:
    """fn() worked out by a forked copy of this process while the caller goes on; the context gives the
    function that waits for its result (an error of fn is raised there; a child that dies raises
    ChildProcessError). Without `fork` (or where the platform cannot fork) fn() is worked out here, when
    its result is asked for. Leaving the context stops a child whose result was not needed."""
    if not fork or not can_fork():
        yield fn
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    # Forked, the child gets fn (and what it closes over) as its argument with the rest of this process's
    # memory, never pickled; two calls at once in two threads each give their child its own.
    child = context.Process(target=_background_child, args=(send, os.getpid(), fn), daemon=True)

    def result() -> T:
        try:
            ok, value = receive.recv()
        except EOFError:
            raise ChildProcessError(f"the forked child exited ({child.exitcode}) without a result") from None
        if not ok:
            raise value
        return value

    gc.freeze()  # as in forked_map: the child's collector leaves the parent's pages shared
    try:
        child.start()
        send.close()  # the child holds the only sending end: its exit ends the pipe
        yield result
    finally:
        stop(child, send, receive)
        gc.unfreeze()


def _background_child(send: Any, parent: int, fn: Callable[[], Any]) -> None:
    die_with_parent(parent)
    try:
        outcome: tuple[bool, Any] = (True, fn())
    except Exception as error:  # the caller raises it
        outcome = (False, error)
    try:
        send.send(outcome)
    except Exception as error:  # the result or the error could not be pickled
        send.send((False, ChildProcessError(f"the forked child's result could not be sent back: {error!r}")))
    send.close()
