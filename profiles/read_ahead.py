"""The items of a generator worked out by a forked copy of this process while the caller uses the ones before.

For a pipeline of two parts that each take a core: a large import reads and validates its next slice of rows
in a child while this process writes the slice before. The child is a fork, so the generator and what it
closes over (an open file's path, the vocabulary, lookups already made) are never pickled; each item is, on
its way back. The pipe holds about one item, so the child stays at most an item or two ahead and memory is
bounded by the items, not by their number. Where the platform cannot fork, or when not asked to, the items
are worked out here, one after another; the items are the same either way.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_END = ("end", None)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def die_with_parent(parent: int) -> None:
    """A child must not outlive the process that forked it: it shares that process's open files (a
    database's, the nightly run's lock), which would otherwise stay open until the child noticed."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def read_ahead(items: Callable[[], Iterable[T]], fork: bool) -> Iterator[T]:
    """The items of `items()`, worked out by a forked child when `fork` (an error of the child's is raised
    here, where its item would have come; a child that dies raises ChildProcessError). Closing the iterator
    early stops the child."""
    if not fork or not can_fork():
        yield from items()
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    # A forked child gets its target and arguments with the rest of this process's memory, never pickled;
    # as arguments, two imports reading ahead at once in two threads each give their child its own items.
    child = context.Process(target=_child, args=(send, os.getpid(), items), daemon=True)
    # The child's collector would otherwise visit (and so copy) every page of objects this process holds.
    gc.freeze()
    try:
        child.start()
        send.close()  # the child holds the only sending end: its exit ends the pipe
        while True:
            try:
                kind, value = receive.recv()
            except EOFError:
                raise ChildProcessError(f"the forked reader exited ({child.exitcode}) before its last item") from None
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop(child, send, receive)
        gc.unfreeze()


def stop(child: Any, *pipe_ends: Any) -> None:
    """Kill a forked child whose work is no longer wanted (or reap one that has finished) and close the ends
    of its pipe."""
    if child.pid is not None:
        if child.is_alive():
            child.kill()
        child.join()
    for end in pipe_ends:
        end.close()


def _child(send: Any, parent: int, items: Callable[[], Iterable[Any]]) -> None:
    die_with_parent(parent)
    # Ctrl-C at a terminal reaches the whole process group: the parent stops the child, which need not print
    # a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for item in items():
            send.send(("item", item))
        send.send(_END)
    except Exception as error:  # raised where the caller waits for the item
        try:
            send.send(("error", error))
        except Exception:  # the error itself could not be pickled
            send.send(("error", ChildProcessError(f"the forked reader failed: {error!r}")))
