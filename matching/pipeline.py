"""One full matching run in memory: features → text model → neighbour lists → scores → best matches.

`run_matching` is the whole engine for a one-off run (the `match` command, the
demo, tests and benchmarks). It is the first run of `incremental.update`, so a
one-off run and a nightly run on the same data store the same matches.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from profiles.domain import Firm, Profile
from profiles.een import is_live
from profiles.taxonomy.vocabulary import Vocabulary

from .config import MatchingConfig
from .executor import Executor
from .features import build_all
from .history import ExchangeHistory
from .incremental import Snapshot, update

Progress = Callable[[int], None]


@dataclass
class MatchResult:
    config: MatchingConfig
    profiles: int
    candidate_pairs: int
    matches: list[dict[str, Any]]
    seconds: dict[str, float] = field(default_factory=dict)  # per stage
    semantic: dict[str, Any] = field(default_factory=dict)  # used, available (or why not), embedded, reused


def matchable(profiles: list[Profile], today: date) -> list[Profile]:
    """Published profiles that have not expired: the only ones that take part in matching."""
    return [p for p in profiles if is_live(p, today)]


def run_matching(
    profiles: list[Profile],
    firms: dict[str, Firm],
    config: MatchingConfig,
    vocabulary: Vocabulary,
    progress_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    vector_cache: Path | None = None,
    history: ExchangeHistory | None = None,
) -> MatchResult:
    """Every profile's best matches with components and explanations, ranked deterministically."""
    started = time.perf_counter()
    features = build_all(profiles, firms, vocabulary)
    built = time.perf_counter()
    by_key = {f.key: f for f in features}
    snapshot = Snapshot([f.key for f in features], [f.firm_key for f in features], [""] * len(features))
    result = update(
        None,
        snapshot,
        lambda keys: [by_key[k] for k in keys],
        config,
        vocabulary,
        run_id=0,
        executor=executor,
        vector_cache=vector_cache,
        history=history,
    )
    if progress_total is not None:
        progress_total(result.stats["rows_inserted"])
    matches = []
    for row in result.matches():
        matches.append(row)
        if progress is not None:
            progress(1)
    matches.sort(key=lambda m: (m["profile"], m["rank"]))
    seconds = {**result.stats["seconds"], "features": round(built - started, 4)}
    seconds["explanations"] = round(time.perf_counter() - started - sum(seconds.values()), 4)
    return MatchResult(
        config, len(features), result.stats["candidate_pairs"], matches, seconds, result.stats["semantic"]
    )
