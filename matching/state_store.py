"""The matching state on disk: one file per run, written whole or not at all.

The file is a cache of the last run's work (see `incremental.MatchState`); the
database stays the record. A file that is missing, unreadable or from another
run only costs a full run. Files are read only from the operator's own state
directory: they are pickles, so that directory must not be writable by others.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from .forked import forked_call
from .incremental import MatchState

PREFIX, SUFFIX = "match-state-", ".pickle"


def path_for(directory: Path, run_id: int) -> Path:
    return directory / f"{PREFIX}{run_id}{SUFFIX}"


def save(state: MatchState, directory: Path) -> Path:
    """Write the state of `state.run_id` atomically: to a temporary file, synced, then renamed."""
    directory.mkdir(parents=True, exist_ok=True)
    target = path_for(directory, state.run_id)
    partial = target.with_suffix(".partial")
    with open(partial, "wb") as f:
        pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, target)
    return target


@contextmanager
def saving(state: MatchState, directory: Path, fork: bool) -> Iterator[Callable[[], Path]]:
    """`save` worked out by a forked copy alongside the caller when `fork` (about a second at 100,000
    profiles); the context gives the function that waits until the file is in place (raising what `save`
    raised). Leaving the context without waiting stops the save: its partial file is never renamed into place."""
    with forked_call(partial(save, state, directory), fork=fork) as saved:
        yield saved


def load(directory: Path, run_id: int | None) -> MatchState | None:
    """The state written by run `run_id`, or None when there is none to trust."""
    if run_id is None:
        return None
    path = path_for(directory, run_id)
    try:
        with open(path, "rb") as f:
            state = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return state if isinstance(state, MatchState) and state.run_id == run_id else None


def prune(directory: Path, keep: int) -> None:
    """Remove every state file (and leftover partial file) except the one of run `keep`."""
    if not directory.exists():
        return
    for path in directory.iterdir():
        if path.name.startswith(PREFIX) and path != path_for(directory, keep):
            path.unlink(missing_ok=True)
