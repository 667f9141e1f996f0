"""`kill -9` at several points of a nightly run; starting again finishes it as if nothing had happened.

Design: one exchange (demo data plus generated profiles) is prepared and
copied for every scenario, with its nightly state. An uninterrupted run on a
copy is the reference. In each scenario the real command runs in a
subprocess; a reader thread follows its JSON log (and its state directory)
and sends SIGKILL when the chosen point is reached. The command is then
started again without interference. Its result must equal the reference:
the same stored matches (no duplicate, none lost), the same standing
proposals, the same queued messages, every message received at most once
over SMTP — and the same run finished, not a second one.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from nightlykit import BIN, copy_sqlite, edit_profiles, make_exchange, nightly, nightly_env, outcome
from sqlalchemy import text

from profiles.db import make_engine

Point = Callable[[list[dict], Path], bool]


def after(event: str, stage: str | None = None, delay: float = 0.0) -> Point:
    seen: dict[str, float] = {}

    def reached(log: list[dict], _out: Path) -> bool:
        if "at" not in seen and any(e["event"] == event and (stage is None or e.get("stage") == stage) for e in log):
            seen["at"] = time.monotonic()
        return "at" in seen and time.monotonic() - seen["at"] >= delay

    return reached


def state_file_written(log: list[dict], out: Path) -> bool:
    """The new state is on disk: the run is about to write, or writing, its matches."""
    run_id = next((e["run_id"] for e in log if "run_id" in e), None)
    return run_id is not None and (out / "state" / f"match-state-{run_id}.pickle").exists()


class Inbox:
    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.decode("utf-8", "replace").splitlines():
            if line.lower().startswith("message-id:"):
                self.message_ids.append(line.split(":", 1)[1].strip())
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: the controller checks it can connect, so not 0
        probe.bind(("127.0.0.1", 0))
        inbox.port = probe.getsockname()[1]  # type: ignore[attr-defined]
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)  # type: ignore[attr-defined]
    controller.start()
    yield inbox
    controller.stop()


def run_until(url: str, out: Path, point: Point, port: int) -> int:
    proc = subprocess.Popen(
        [str(BIN), "--output-dir", str(out), "nightly", "--log-format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=nightly_env(url, port),
    )
    log: list[dict] = []

    def follow() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("{"):
                log.append(json.loads(line))

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    while proc.poll() is None and not point(log, out):
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    code = proc.wait()
    reader.join(timeout=5)
    return code


def uncertain(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.begin() as conn:
        ids = {r[0] for r in conn.execute(text("SELECT message_id FROM outbox WHERE status = 'uncertain'"))}
    engine.dispose()
    return ids


def last_runs(url: str) -> list[tuple]:
    engine = make_engine(url)
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT id, status, attempts FROM match_run ORDER BY id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


@pytest.fixture(scope="module")
def bases(tmp_path_factory, smtp):
    """A fresh exchange (its first run is a full one) and one after a run and some edits (incremental)."""
    root = tmp_path_factory.mktemp("kill")
    fresh_db, fresh_out = root / "fresh" / "x.db", root / "fresh" / "out"
    fresh_out.mkdir(parents=True)
    make_exchange(f"sqlite:///{fresh_db}", fresh_out, synthetic=900)
    later_url, later_out = copy_sqlite(fresh_db, fresh_out, root / "later")
    nightly(later_url, later_out, smtp_port=smtp.port)
    edit_profiles(later_url, every=25)
    return {"fresh": (fresh_db, fresh_out), "later": (Path(later_url.removeprefix("sqlite:///")), later_out)}


@pytest.fixture(scope="module")
def references(bases, tmp_path_factory, smtp):
    out = {}
    for name, (db, state) in bases.items():
        url, run_out = copy_sqlite(db, state, tmp_path_factory.mktemp(f"reference-{name}") / "copy")
        smtp.message_ids.clear()
        nightly(url, run_out, smtp_port=smtp.port)
        out[name] = (outcome(url), Counter(smtp.message_ids), last_runs(url))
        assert out[name][0]["matches"] and out[name][0]["outbox"] and smtp.message_ids, "nothing to lose"
    return out


POINTS = {
    "right after the run starts": ("later", after("run.start")),
    "after expiry committed": ("later", after("stage.finish", "expired")),
    "while scoring": ("fresh", after("stage.start", "matched", 0.4)),
    "while explaining": ("fresh", after("stage.start", "matched", 2.0)),
    "as the matches are written (full run)": ("fresh", state_file_written),
    "as the matches are written (incremental run)": ("later", state_file_written),
    "after the matches are committed": ("later", after("stage.finish", "matched")),
    "while refreshing proposals": ("later", after("stage.start", "proposals", 0.15)),
    "while queueing digests": ("later", after("stage.start", "digests")),
    "while sending mail": ("fresh", after("stage.start", "delivered", 0.01)),
}


@pytest.mark.slow
@pytest.mark.parametrize("point", list(POINTS))
def test_killed_run_resumes_to_the_uninterrupted_result(point, bases, references, smtp, tmp_path):
    base, reached = POINTS[point]
    db, state = bases[base]
    url, out = copy_sqlite(db, state, tmp_path / "copy")
    expected, expected_mail, expected_runs = references[base]
    smtp.message_ids.clear()

    code = run_until(url, out, reached, smtp.port)
    assert code == -signal.SIGKILL, f"the run ended (exit {code}) before it reached the point: {point}"
    resumed = subprocess.run(
        [str(BIN), "--output-dir", str(out), "nightly", "--log-format", "json"],
        capture_output=True,
        text=True,
        env=nightly_env(url, smtp.port),
        timeout=600,
    )
    assert resumed.returncode in (0, 4), resumed.stderr[-3000:]

    assert outcome(url) == expected
    received = Counter(smtp.message_ids)
    assert all(n == 1 for n in received.values()), "a message was sent twice"
    assert set(received) | uncertain(url) == set(expected_mail), "a message was lost"
    runs = last_runs(url)
    assert [r[:2] for r in runs] == [r[:2] for r in expected_runs], "the interrupted run was not the one finished"
    assert runs[-1][2] in (1, 2)
    shutil.rmtree(tmp_path / "copy")
