"""Fewer garbage collections while a job allocates millions of small objects that stay alive.

A match run builds a breakdown and an explanation (nested dicts) for every stored match while it holds
every profile's features; an import holds its rows and records; a proposal its fits and candidates. With
the interpreter's default thresholds the cyclic collector runs every 700 allocations and keeps walking
those live objects: more than a third of a match run's write stage, a sixth of an import's CPU. The
objects hold no reference cycles worth collecting early, so during such a job the first threshold is
raised; collections still happen, far less often, and the thresholds are restored after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

RUN_THRESHOLD = 100_000


@contextmanager
def fewer_collections(threshold: int = RUN_THRESHOLD) -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(max(threshold, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
