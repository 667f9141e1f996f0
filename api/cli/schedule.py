"""`partnermatch schedule`: the nightly run at a set time each day, in-process, for hosts without cron.

APScheduler's cron trigger handles the time zone and daylight saving; one run
at a time (`max_instances=1`), and a start missed while the machine slept is
made up once (`coalesce`) within the grace time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

MISFIRE_GRACE_SECONDS = 3 * 3600


def trigger_for(at: str, timezone: str) -> CronTrigger:
    parts = [int(p) for p in at.split(":")]
    hour, minute, second = (parts + [0, 0])[:3]
    return CronTrigger(hour=hour, minute=minute, second=second, timezone=timezone)


def run_daily(
    job: Callable[[], int],
    at: str,
    timezone: str,
    max_runs: int | None = None,
    announce: Callable[[datetime | None], None] = lambda _: None,
) -> int:
    """Run `job` every day at `at` until interrupted (or `max_runs` runs); returns the last exit code."""
    scheduler = BlockingScheduler(timezone=timezone)
    done = {"runs": 0, "code": 0}
    lock = threading.Lock()

    def once() -> None:
        code = job()
        with lock:
            done["runs"] += 1
            done["code"] = code
            if max_runs is not None and done["runs"] >= max_runs:
                scheduler.shutdown(wait=False)
                return
        announce(scheduled.next_run_time)

    trigger = trigger_for(at, timezone)
    scheduled = scheduler.add_job(
        once, trigger, id="nightly", max_instances=1, coalesce=True, misfire_grace_time=MISFIRE_GRACE_SECONDS
    )
    announce(trigger.get_next_fire_time(None, datetime.now(trigger.timezone)))
    scheduler.start()  # blocks until interrupted or shut down after max_runs
    return done["code"]
