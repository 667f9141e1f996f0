"""Background jobs: long proposal solves run on a small thread pool; the job row is the status.

The solver itself runs as a subprocess (CBC) or in native code (HiGHS), so threads
are enough to keep the web server responsive while it works.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Engine

from profiles.db import session_scope
from profiles.errors import PartnermatchError
from profiles.repository import jobs
from profiles.settings import Settings

log = logging.getLogger("partnermatch.jobs")

Work = Callable[[], dict[str, Any]]


def execute(engine: Engine, settings: Settings, job_id: int, work: Work) -> None:
    with session_scope(engine) as session:
        jobs.mark_started(session, job_id, settings.now())
    try:
        result = work()
    except PartnermatchError as exc:
        with session_scope(engine) as session:
            jobs.mark_failed(session, job_id, settings.now(), str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - the job row must always end, whatever broke
        log.error("job %s failed:\n%s", job_id, traceback.format_exc())
        with session_scope(engine) as session:
            jobs.mark_failed(session, job_id, settings.now(), f"internal error ({type(exc).__name__})")
        return
    with session_scope(engine) as session:
        jobs.mark_finished(session, job_id, settings.now(), result)


class JobRunner:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self._pool = ThreadPoolExecutor(max_workers=settings.job_threads, thread_name_prefix="partnermatch-job")

    def submit(self, job_id: int, work: Work) -> None:
        self._pool.submit(execute, self.engine, self.settings, job_id, work)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


def fail_orphans(engine: Engine, settings: Settings) -> int:
    """Jobs left queued or running by a server that stopped can never finish; say so on their rows."""
    with session_scope(engine) as session:
        rows = jobs.unfinished_jobs(session)
        for row in rows:
            assert row.id is not None
            jobs.mark_failed(session, row.id, settings.now(), "interrupted: the server stopped before the job finished")
    return len(rows)
