"""Match runs on the exchange's database, and the stored matches of a profile or firm.

`matching.runs.run` is the one way a run happens; this module gives it the database (`DatabaseStore`)
and is what `partnermatch match`, the demo and the nightly's matching stage call.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from api.actions.context import Context, record, require_role
from matching import runs as match_run
from matching.config import MatchingConfig
from matching.executor import Executor, LocalExecutor
from matching.features import ProfileFeatures, build_features
from matching.history import ExchangeHistory, build_history, records_from
from matching.incremental import Progress, Snapshot, Update, feature_hash
from profiles import repository
from profiles.db import session_scope
from profiles.errors import NotFound
from profiles.gc_thresholds import no_collections
from profiles.repository import history, runs
from profiles.settings import Settings
from profiles.tables import MatchRunRow
from profiles.taxonomy.vocabulary import Vocabulary, load_vocabulary
from profiles.visibility import Role


def exchange_history(session, vocabulary: Vocabulary) -> ExchangeHistory:
    """Value chains and relationships learned from what the exchange holds now."""
    plain = history.history_records(session, lambda phrase: vocabulary.normalise(phrase).concept_id)
    return build_history(records_from(plain), vocabulary)


def active_matching_config(session) -> tuple[MatchingConfig, dict[str, Any]]:
    """The stored active configuration and where it came from; the defaults when none is stored."""
    row = history.active_config(session)
    if row is None:
        return MatchingConfig(), {"source": "defaults", "id": None}
    return MatchingConfig(**row.config), {
        "source": row.source,
        "id": row.id,
        "note": row.note,
        "created_at": row.created_at.isoformat(),
        "created_by": row.created_by,
        "digest": row.digest,
        "metrics": row.metrics,
    }


@dataclass(frozen=True)
class RunInputs:
    """What a run reads before it starts: the configuration, the history and whose state to continue."""

    config: MatchingConfig
    history: ExchangeHistory
    last_writer: int | None


def run_inputs(engine: Engine, vocabulary: Vocabulary, config: MatchingConfig | None) -> RunInputs:
    with session_scope(engine, readonly=True) as session:
        return RunInputs(
            config or active_matching_config(session)[0],
            exchange_history(session, vocabulary),
            runs.last_match_writer(session),
        )


class DatabaseStore:
    """The exchange's database as seen by a match run; `written` records the run in the same transaction."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        vocabulary: Vocabulary,
        written: Callable[[Any, int, Update, int, float], None],
    ) -> None:
        self.engine, self.settings, self.vocabulary, self.written = engine, settings, vocabulary, written

    def snapshot(self) -> Snapshot:
        with session_scope(self.engine, readonly=True) as session:
            rows = runs.matchable_snapshot(session, self.settings.current_date())
        return Snapshot([r[0] for r in rows], [r[1] for r in rows], [feature_hash(r[2], r[3]) for r in rows])

    def load_features(self, keys: list[str]) -> list[ProfileFeatures]:
        with no_collections():  # rows, records and features: no reference cycles among them
            with session_scope(self.engine, readonly=True) as session:
                profiles, firms = runs.profiles_and_firms(session, keys)
            return [build_features(p, firms[p.firm_key], self.vocabulary) for p in profiles]

    def load_texts(self, keys: list[str]) -> list[str]:
        with session_scope(self.engine, readonly=True) as session:
            return runs.profile_texts(session, keys)

    def write(
        self, run_id: int, result: Update, rows: Iterator[dict[str, Any]], before_commit: Callable[[], Any]
    ) -> int:
        started = time.perf_counter()
        with session_scope(self.engine) as session:
            inserted = runs.write_matches(
                session,
                run_id,
                full=result.kind == "full",
                delete_pairs=result.delete,
                rerank=result.rerank,
                removed=result.removed,
                rows=rows,
            )
            runs.record_matching(
                session,
                run_id,
                result.kind,
                result.stats["profiles"],
                result.stats["candidate_pairs"],
                result.stats["matches"],
            )
            self.written(session, run_id, result, inserted, time.perf_counter() - started)
            before_commit()
        return inserted


# `partnermatch match` --------------------------------------------------------------------
@dataclass
class MatchSummary:
    run_id: int
    profiles: int
    candidate_pairs: int
    matches: int
    expired: int
    semantic: dict[str, Any]


def match_all(
    ctx: Context,
    config: MatchingConfig | None = None,
    *,
    progress: Progress | None = None,
    executor: Executor | None = None,
    **overrides: Any,
) -> MatchSummary:
    """One full match run as `ctx`'s user: expired profiles retired, the text model fitted afresh and
    every pair scored again, so the result depends only on the data and the configuration; the stored
    matches replaced (a pair that stays keeps the run it first appeared in) and the run audited. The
    state it leaves lets the next nightly run continue incrementally.

    With no `config`, the active stored configuration with `overrides` (None values ignored).
    """
    engine, settings = ctx.engine, ctx.settings
    vocabulary = load_vocabulary()
    with session_scope(engine) as session:
        expired = repository.expire_profiles(session, settings.current_date(), settings.now())
    inputs = run_inputs(engine, vocabulary, config)
    chosen = inputs.config
    if config is None:
        chosen = MatchingConfig(**{**chosen.model_dump(), **{k: v for k, v in overrides.items() if v is not None}})
    with session_scope(engine) as session:
        started = runs.start_run(
            session,
            kind="full",
            config=chosen.model_dump(),
            config_hash=chosen.digest(),
            now=settings.now(),
            host=socket.gethostname(),
            pid=os.getpid(),
        )
        assert started.id is not None
        run_id = started.id

    def written(session, run_id: int, result: Update, inserted: int, seconds: float) -> None:
        state_dir = settings.nightly_state_dir()
        runs.record_stage(
            session, run_id, "", {"matched": match_run.summary(result, run_id, state_dir, inserted, seconds)}
        )
        runs.end_run(session, run_id, "finished", settings.now())
        record(
            session,
            ctx,
            "match",
            "match_run",
            str(run_id),
            None,
            {
                "profiles": result.stats["profiles"],
                "candidate_pairs": result.stats["candidate_pairs"],
                "matches": result.stats["matches"],
                "expired": expired,
            },
        )

    store = DatabaseStore(engine, settings, vocabulary, written)
    try:
        report = match_run.run(
            store,
            run_id,
            inputs.last_writer,
            chosen,
            vocabulary,
            match_run.RunSettings(
                state_dir=settings.nightly_state_dir(),
                full=True,
                refit=True,
                drift_limit=settings.drift_limit,
                vector_cache=settings.vector_cache_dir(),
                processes=settings.matching_processes(),
            ),
            history=inputs.history,
            executor=executor or LocalExecutor(settings.matching_processes()),
            progress=progress,
        )
    except BaseException as exc:
        with session_scope(engine) as session:
            runs.end_run(
                session, run_id, "failed", settings.now(), {"type": type(exc).__name__, "message": str(exc)[:2000]}
            )
        raise
    stats = report.result.stats
    return MatchSummary(
        run_id, stats["profiles"], stats["candidate_pairs"], stats["matches"], expired, stats["semantic"]
    )


def matches_for(ctx: Context, key: str) -> tuple[str, list[dict[str, Any]]]:
    """Stored matches of a profile (key or EEN reference) or of all profiles of a firm, for the operator."""
    with session_scope(ctx.engine, readonly=True) as session:
        try:
            profile = repository.get_profile(session, key)
            keys = [profile.key]
            subject = f"profile {profile.key} ({profile.reference or profile.status.value}): {profile.title}"
        except NotFound:
            firm = repository.get_firm(session, key)  # raises NotFound for neither
            keys = [p.key for p in repository.load_profiles(session, firm_key=firm.key)]
            subject = f"firm {firm.key}: {firm.name}"
        matches = repository.load_matches(session, keys)
        others = {p.key: p for p in repository.load_profiles(session)}
    for m in matches:
        other = others[m["other"]]
        m["other_reference"] = other.reference
        m["other_type"] = other.type.value
        m["other_title"] = other.title
    return subject, matches


def recent_runs(ctx: Context, limit: int) -> list[MatchRunRow]:
    """The newest match runs, newest first: kind, status, stage reached, counts and errors (administrators)."""
    require_role(ctx.viewer, Role.ADMIN)
    with session_scope(ctx.engine, readonly=True) as session:
        return runs.list_runs(session, limit)
