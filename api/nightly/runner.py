"""The nightly run: stages in order, each committed with the run record, so a run can be resumed.

    expired    profiles past their expiry are expired; owners are warned before expiry
    matched    changed profiles are re-scored and the stored matches brought up to date
    proposals  standing proposals of open bids are refreshed (accepted ones only flagged)
    digests    per-user digests of what is new are queued in the outbox
    delivered  the outbox is sent

Every stage is idempotent and records itself in the run's row in the same
transaction as its work. A run that died (even by `kill -9`) is still marked
running; the next start, holding the lock, resumes it after its last committed
stage. The matching stage computes outside any transaction and commits its
result in one, so a kill leaves the previous matches or the new ones, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from api.actions.match_runs import DatabaseStore, run_inputs
from api.nightly import proposals
from api.nightly.lock import AlreadyRunning, nightly_lock
from api.nightly.logs import EventLog
from matching import runs as match_run
from matching.config import MatchingConfig
from matching.executor import Executor, LocalExecutor, dask_executor
from matching.incremental import Update
from optimizer.config import OptimizerConfig
from profiles import repository
from profiles.db import session_scope
from profiles.gc_thresholds import fewer_collections
from profiles.repository import runs
from profiles.settings import Settings
from profiles.taxonomy.vocabulary import load_vocabulary

EXIT_OK, EXIT_FAILED, EXIT_LOCKED, EXIT_UNDELIVERED = 0, 1, 3, 4

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class NightlyOptions:
    full: bool = False  # re-score every profile (the text model is still kept unless it drifted)
    refit: bool = False  # refit the text model whatever the drift
    executor: str = "local"  # "local" or "dask"
    scheduler: str | None = None  # Dask scheduler address; None starts a local cluster
    workers: int = 2
    mail: bool = True  # send the outbox at the end
    matching: MatchingConfig | None = None  # None: the active stored configuration (or the defaults)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)

    def config(self) -> dict[str, Any]:
        return {
            "matching": self.matching.model_dump() if self.matching is not None else "active",
            "optimizer": self.optimizer.model_dump(),
        }

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.config(), sort_keys=True).encode()).hexdigest()


@dataclass
class NightlyResult:
    run_id: int | None
    status: str
    exit_code: int
    message: str
    resumed: bool = False
    stats: dict[str, Any] = field(default_factory=dict)


@fewer_collections()
def run_nightly(
    engine: Engine, settings: Settings, options: NightlyOptions, log: EventLog, progress: Progress | None = None
) -> NightlyResult:
    """One nightly run, or the rest of an interrupted one. Never raises for an expected failure:
    the result's exit code and message say what happened, and so does the run record."""
    try:
        with nightly_lock(engine, settings.nightly_state_dir()):
            return _Run(engine, settings, options, log, progress or (lambda *_: None)).execute()
    except AlreadyRunning as exc:
        log.warning("run.locked", reason=str(exc))
        return NightlyResult(None, "locked", EXIT_LOCKED, str(exc))


class _Run:
    def __init__(
        self, engine: Engine, settings: Settings, options: NightlyOptions, log: EventLog, progress: Progress
    ) -> None:
        self.engine, self.settings, self.options, self.log, self.progress = engine, settings, options, log, progress
        self.state_dir = settings.nightly_state_dir()

    def execute(self) -> NightlyResult:
        run_id, done, resumed = self._start()
        self.log.bind(run_id=run_id)
        stage = ""
        try:
            for stage, work in (
                ("expired", self._expire),
                ("matched", self._match),
                ("proposals", self._proposals),
                ("digests", self._digests),
                ("delivered", self._deliver),
            ):
                if stage in done:
                    self.log.info("stage.skip", stage=stage, reason="committed by an earlier attempt")
                    continue
                started = time.perf_counter()
                self.log.info("stage.start", stage=stage)
                summary = work(run_id)
                self.log.info("stage.finish", stage=stage, seconds=round(time.perf_counter() - started, 3), **summary)
        except Exception as exc:  # the run record must say why, whatever failed
            error = {
                "stage": stage,
                "type": type(exc).__name__,
                "message": str(exc)[:2000],
                "trace": traceback.format_exc(limit=8)[-4000:],
            }
            with session_scope(self.engine) as session:
                runs.end_run(session, run_id, "failed", self.settings.now(), error)
            self.log.error("run.failed", stage=stage, error=f"{type(exc).__name__}: {exc}")
            return NightlyResult(run_id, "failed", EXIT_FAILED, f"run {run_id} failed in stage {stage}: {exc}", resumed)
        with session_scope(self.engine) as session:
            runs.record_stage(session, run_id, "delivered", {"peak_rss_mb": _peak_rss_mb()})
            runs.end_run(session, run_id, "finished", self.settings.now())
            stats = dict(runs.get_run(session, run_id).stats)
        mail = stats.get("delivered", {})
        undelivered = mail.get("failed", 0) + mail.get("deferred", 0) + mail.get("uncertain", 0)
        self.log.info("run.finish", status="finished", undelivered=undelivered, peak_rss_mb=stats["peak_rss_mb"])
        if undelivered:
            return NightlyResult(
                run_id,
                "finished",
                EXIT_UNDELIVERED,
                f"run {run_id} finished; {undelivered} message(s) not delivered (see the outbox)",
                resumed,
                stats,
            )
        return NightlyResult(run_id, "finished", EXIT_OK, f"run {run_id} finished", resumed, stats)

    # bookkeeping ---------------------------------------------------------------------
    def _start(self) -> tuple[int, set[str], bool]:
        """Resume the run a dead process left (same settings), or start a new one."""
        now, digest = self.settings.now(), self.options.digest()
        with session_scope(self.engine) as session:
            dead = runs.running_run(session)
            if dead is not None and dead.config_hash == digest:
                runs.resume_run(session, dead, socket.gethostname(), os.getpid())
                assert dead.id is not None
                done = set(runs.STAGES[: runs.STAGES.index(dead.stage) + 1]) if dead.stage else set()
                self.log.info("run.resume", run_id=dead.id, attempt=dead.attempts, after_stage=dead.stage or "start")
                return dead.id, done, True
            if dead is not None and dead.id is not None:
                runs.end_run(
                    session,
                    dead.id,
                    "abandoned",
                    now,
                    {"stage": dead.stage, "message": "interrupted, and the settings changed since"},
                )
            run = runs.start_run(
                session,
                kind="incremental",
                config=self.options.config(),
                config_hash=digest,
                now=now,
                host=socket.gethostname(),
                pid=os.getpid(),
            )
            assert run.id is not None
            self.log.info(
                "run.start",
                run_id=run.id,
                executor=self.options.executor,
                full=self.options.full,
                refit=self.options.refit,
            )
            return run.id, set(), False

    def _record(self, session, run_id: int, stage: str, summary: dict[str, Any]) -> dict[str, Any]:
        runs.record_stage(session, run_id, stage, {stage: summary})
        return summary

    # stages ----------------------------------------------------------------------------
    def _expire(self, run_id: int) -> dict[str, Any]:
        from api.nightly.digests import queue_expiry_warnings

        today, now = self.settings.current_date(), self.settings.now()
        with session_scope(self.engine) as session:
            expired = repository.expire_profiles(session, today, now)
            warned = queue_expiry_warnings(session, self.settings, today, now, run_id)
            return self._record(session, run_id, "expired", {"expired": expired, "warnings_queued": warned})

    def _match(self, run_id: int) -> dict[str, Any]:
        vocabulary = load_vocabulary()
        inputs = run_inputs(self.engine, vocabulary, self.options.matching)
        recorded: dict[str, Any] = {}

        def written(session, run_id: int, result: Update, inserted: int, seconds: float) -> None:
            recorded.update(match_run.summary(result, run_id, self.state_dir, inserted, seconds))
            self._record(session, run_id, "matched", recorded)

        store = DatabaseStore(self.engine, self.settings, vocabulary, written)
        with self._executor() as executor:
            report = match_run.run(
                store,
                run_id,
                inputs.last_writer,
                inputs.config,
                vocabulary,
                match_run.RunSettings(
                    state_dir=self.state_dir,
                    full=self.options.full,
                    refit=self.options.refit,
                    drift_limit=self.settings.drift_limit,
                    vector_cache=self.settings.vector_cache_dir(),
                    processes=self.settings.matching_processes(),
                ),
                history=inputs.history,
                executor=executor,
                progress=self.progress,
                count_rows=lambda rows, total: self._counted(rows, "explanations", total),
            )
        result = report.result
        if result.stats["semantic"].get("unavailable"):
            self.log.warning("semantic.unavailable", reason=result.stats["semantic"]["unavailable"])
        if report.refit_reason:
            self.log.info(
                "model.refit", drift=result.drift, limit=self.settings.drift_limit, reason=report.refit_reason
            )
        return {k: v for k, v in recorded.items() if k != "seconds"}

    def _proposals(self, run_id: int) -> dict[str, Any]:
        report = proposals.refresh(self.engine, self.settings, run_id, self.options.optimizer)
        with session_scope(self.engine) as session:
            return self._record(session, run_id, "proposals", report.as_dict())

    def _digests(self, run_id: int) -> dict[str, Any]:
        from api.nightly.digests import queue_digests

        with session_scope(self.engine) as session:
            counts = queue_digests(session, self.settings, run_id, self.settings.now())
            return self._record(session, run_id, "digests", counts)

    def _deliver(self, run_id: int) -> dict[str, Any]:
        from api.nightly.mail import deliver

        if not self.options.mail:
            summary: dict[str, Any] = {"skipped": True}
        else:
            report = deliver(self.engine, self.settings)
            summary = report.as_dict()
            if report.error:
                self.log.warning("mail.stopped", reason=report.error)
            if report.not_configured:
                self.log.warning("mail.not_configured", reason="no smtp_host; messages wait in the outbox")
        with session_scope(self.engine) as session:
            return self._record(session, run_id, "delivered", summary)

    # helpers ---------------------------------------------------------------------------
    @contextmanager
    def _executor(self) -> Iterator[Executor]:
        if self.options.executor != "dask":
            yield LocalExecutor(self.settings.matching_processes())
            return
        executor, close = dask_executor(self.options.scheduler, self.options.workers)
        try:
            yield executor
        finally:
            close()

    def _counted(self, rows: Iterator[dict[str, Any]], stage: str, total: int) -> Iterator[dict[str, Any]]:
        done = 0
        self.progress(stage, 0, total)
        for row in rows:
            yield row
            done += 1
            if done % 1000 == 0:
                self.progress(stage, done, total)
        self.progress(stage, total, total)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
