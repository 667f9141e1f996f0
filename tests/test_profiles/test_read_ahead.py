"""A generator's items worked out by a forked copy of the process: the same items, in order, errors where
they happened, and no child left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from profiles.read_ahead import can_fork, read_ahead

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork")


def test_items_are_the_generators_in_order_from_another_process():
    big = {k: k * k for k in range(1000)}  # never pickled: the child is a fork

    def items():
        for k in range(0, 1000, 7):
            yield os.getpid(), big[k]

    forked = list(read_ahead(items, fork=True))
    here = list(read_ahead(items, fork=False))
    assert [v for _, v in forked] == [v for _, v in here] == [k * k for k in range(0, 1000, 7)]
    assert {pid for pid, _ in forked} != {os.getpid()}
    assert {pid for pid, _ in here} == {os.getpid()}


def test_an_error_is_raised_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise ValueError("row 3 is bad")

    got = []
    with pytest.raises(ValueError, match="row 3 is bad"):
        for item in read_ahead(items, fork=True):
            got.append(item)
    assert got == [1, 2]


def test_a_child_that_dies_is_an_error_not_a_wait():
    def items():
        yield 1
        os._exit(3)

    with pytest.raises(ChildProcessError, match="exited"):
        list(read_ahead(items, fork=True))


def test_stopping_early_stops_the_child():
    def items():
        yield os.getpid()
        yield from range(10**9)

    started = time.monotonic()
    ahead = read_ahead(items, fork=True)
    child = next(ahead)
    assert next(ahead) == 0
    ahead.close()
    assert time.monotonic() - started < 10
    assert not os.path.exists(f"/proc/{child}")  # killed and reaped


def test_two_at_once_in_two_threads_each_get_their_own_items():
    def run(k: int) -> list[int]:
        return list(read_ahead(lambda: (k * 1000 + i for i in range(200)), fork=True))

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, range(6)))
    assert results == [[k * 1000 + i for i in range(200)] for k in range(6)]


def test_ctrl_c_stops_the_reader_with_the_importer_and_one_traceback(tmp_path):
    script = (
        "import itertools, sys, time\n"
        "from profiles.read_ahead import read_ahead\n"
        "def items():\n"
        "    for i in itertools.count():\n"
        "        time.sleep(0.01)\n"
        "        yield i\n"
        "for i in read_ahead(items, fork=True):\n"
        "    if i == 1:\n"
        "        print('reading', flush=True)\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        text=True,
    )
    assert run.stdout is not None and run.stdout.readline().strip() == "reading"
    os.killpg(run.pid, signal.SIGINT)  # what a terminal sends to the foreground process group
    _, err = run.communicate(timeout=30)
    assert run.returncode != 0
    assert err.count("Traceback") == 1 and "KeyboardInterrupt" in err
