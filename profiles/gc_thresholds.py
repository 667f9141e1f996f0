"""Fewer garbage collections while a job allocates millions of small objects that stay alive.

A match run builds a breakdown and an explanation (nested dicts) for every stored match while it holds
every profile's features; an import holds its rows and records; a proposal its fits and candidates. With
the interpreter's default thresholds the cyclic collector runs every 700 allocations and keeps walking
those live objects: more than a third of a match run's write stage, a sixth of an import's CPU. The
objects hold no reference cycles worth collecting early, so during such a job the first threshold is
raised; collections still happen, far less often, and the thresholds are restored when the last job of the
process that raised them ends (the HTTP service runs imports, match runs and solves side by side).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

RUN_THRESHOLD = 100_000


_lock = threading.Lock()
_running = 0  # jobs inside `fewer_collections` now: the thresholds are put back when the last one leaves
_before: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections(threshold: int = RUN_THRESHOLD) -> Iterator[None]:
    global _running, _before
    with _lock:
        if _running == 0:
            _before = gc.get_threshold()
        _running += 1
        now = gc.get_threshold()
        gc.set_threshold(max(threshold, now[0]), now[1], now[2])
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_before)


_paused = 0  # jobs inside `no_collections` now
_enabled_before = True


@contextmanager
def no_collections() -> Iterator[None]:
    """No automatic collection while a job builds a large structure without reference cycles (rows read
    into domain records and features): every collection would only walk the new objects again, and as
    they age into the older generations, again and again (40 % of reading a match run's 100,000 profiles,
    even with `fewer_collections`). Concurrent and nested uses share the switch: collection resumes
    when the last one leaves, unless it was off before the first came in."""
    global _paused, _enabled_before
    with _lock:
        if _paused == 0:
            _enabled_before = gc.isenabled()
        _paused += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _enabled_before:
                gc.enable()
