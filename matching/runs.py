"""The one way a match run happens: snapshot → update → state → write.

`partnermatch match`, the demo and the nightly run all go through `run`. Storage is handed in as a
`MatchStore`, so this module reads no database; the state of the last run lives in files
(`matching.state_store`) and lets the next run redo only what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from matching import state_store
from matching.config import MatchingConfig
from matching.executor import Executor
from matching.features import ProfileFeatures
from matching.history import ExchangeHistory
from matching.incremental import Progress, Snapshot, Update, update, works_meanwhile
from profiles.gc_thresholds import fewer_collections
from profiles.taxonomy.vocabulary import Vocabulary


class MatchStore(Protocol):
    """Where a run reads the profiles that may match and writes its change to the stored matches."""

    def snapshot(self) -> Snapshot: ...

    def load_features(self, keys: list[str]) -> list[ProfileFeatures]: ...

    def load_texts(self, keys: list[str]) -> list[str]:
        """`ProfileFeatures.text` of these profiles, in the keys' order, read faster than their features."""
        ...

    def write(
        self, run_id: int, result: Update, rows: Iterator[dict[str, Any]], before_commit: Callable[[], Any]
    ) -> int:
        """Apply `result` (all rows when it is a full run, else its deletions and re-ranks), insert
        `rows` and record that run `run_id` now wrote the stored matches, all in one transaction;
        returns the rows inserted. The rows' components and explanation come as JSON already
        written (`orjson.Fragment`). `before_commit()` is called last, inside the transaction: if it
        raises, nothing is written."""
        ...


@dataclass(frozen=True)
class RunSettings:
    """How a run goes; the same settings and data give the same stored matches."""

    state_dir: Path
    full: bool = False
    refit: bool = False
    drift_limit: float = 0.2
    vector_cache: Path | None = None
    processes: int = 1  # worker processes explaining the rows of a large write


@dataclass
class RunReport:
    result: Update
    inserted: int
    refit_reason: str | None


def summary(result: Update, run_id: int, state_dir: Path, inserted: int, write_seconds: float) -> dict[str, Any]:
    """What a run record keeps about its matching: counts, timings and the state file it left."""
    return {
        **result.stats,
        "kind": result.kind,
        "rows_inserted": inserted,
        "state_file": state_store.path_for(state_dir, run_id).name,
        "write_seconds": round(write_seconds, 3),
    }


def refit_reason(result: Update, had_state: bool, drift_limit: float) -> str | None:
    """Why the text model was fitted again, in the words the run log uses; None when it was not."""
    if not result.refit:
        return None
    if not had_state:
        return "no usable state"
    return "corpus drifted" if result.drift > drift_limit else "asked for"


@fewer_collections()
def run(
    store: MatchStore,
    run_id: int,
    last_writer: int | None,
    config: MatchingConfig,
    vocabulary: Vocabulary,
    settings: RunSettings,
    *,
    history: ExchangeHistory | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    count_rows: Callable[[Iterator[dict[str, Any]], int], Iterator[dict[str, Any]]] | None = None,
) -> RunReport:
    """Bring the stored matches up to date as run `run_id`, starting from the state `last_writer` left.

    The state file is in place before the matches are committed: if the write fails, the next run finds
    a state newer than the stored rows, does not trust it (its run never became the writer) and starts
    over. A large state is written by a forked copy of the run while the matches are written
    (`state_store.saving`); the commit waits for it, and a failed save fails the run with nothing written.
    """
    state = state_store.load(settings.state_dir, last_writer)
    result = update(
        state,
        store.snapshot(),
        store.load_features,
        config,
        vocabulary,
        run_id,
        drift_limit=settings.drift_limit,
        full=settings.full,
        refit=settings.refit,
        executor=executor,
        progress=progress,
        vector_cache=settings.vector_cache,
        history=history,
        load_texts=store.load_texts,
    )
    fork = works_meanwhile(executor, len(result.state.keys))
    with state_store.saving(result.state, settings.state_dir, fork) as saved:
        rows = result.matches(encoded=True, processes=settings.processes)
        if count_rows is not None:
            rows = count_rows(rows, result.stats["rows_inserted"])
        inserted = store.write(run_id, result, rows, before_commit=saved)
    state_store.prune(settings.state_dir, keep=run_id)
    return RunReport(result, inserted, refit_reason(result, state is not None, settings.drift_limit))
