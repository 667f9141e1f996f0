"""Work in forked worker processes: the results of `map`, in order, from other processes."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from matching.forked import can_fork, forked_call, forked_map

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork")


def test_results_are_those_of_map_in_order():
    def square(x: int) -> int:
        return x * x

    items = list(range(57))
    for processes in (1, 2, 3):
        assert list(forked_map(square, items, processes)) == list(map(square, items))


def test_work_runs_in_other_processes_and_sees_the_parents_objects():
    big = {k: k + 1 for k in range(1000)}  # never pickled: the children are forks

    def where(key: int) -> tuple[int, int]:
        return os.getpid(), big[key]

    got = list(forked_map(where, range(0, 1000, 100), 2))
    assert [v for _, v in got] == [k + 1 for k in range(0, 1000, 100)]
    assert os.getpid() not in {pid for pid, _ in got}
    assert list(forked_map(where, [5], 1)) == [(os.getpid(), 6)]


def test_an_error_in_a_child_reaches_the_caller_and_no_child_is_left():
    def fails_at_seven(x: int) -> int:
        if x == 7:
            raise ValueError(f"item {x}")
        return x

    with pytest.raises(ValueError, match="item 7"):
        list(forked_map(fails_at_seven, range(20), 2))
    assert multiprocessing.active_children() == []


def test_stopping_early_stops_the_children():
    results = forked_map(lambda x: x, range(1000), 2)
    assert next(results) == 0
    results.close()
    assert multiprocessing.active_children() == []


def test_a_child_that_dies_fails_the_caller_rather_than_leaving_it_waiting():
    from concurrent.futures.process import BrokenProcessPool

    def dies_at_three(x: int) -> int:
        if x == 3:
            os._exit(1)  # as a child killed for memory would
        return x

    with pytest.raises(BrokenProcessPool):
        list(forked_map(dies_at_three, range(10), 2))
    assert multiprocessing.active_children() == []


def test_a_few_blocks_are_computed_here_and_many_in_forked_processes():
    from matching.executor import FORK_FROM_BLOCKS, LocalExecutor

    def where(block: int, offset: int) -> tuple[int, int]:
        return os.getpid(), block + offset

    few = LocalExecutor(2).map_single_threaded(where, list(range(FORK_FROM_BLOCKS - 1)), 10)
    many = LocalExecutor(2).map_single_threaded(where, list(range(FORK_FROM_BLOCKS)), 10)
    assert {pid for pid, _ in few} == {os.getpid()}
    assert os.getpid() not in {pid for pid, _ in many}
    assert [v for _, v in many] == [b + 10 for b in range(FORK_FROM_BLOCKS)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_workers_do_not_outlive_a_killed_run(tmp_path):
    """A run killed while its workers compute leaves no worker behind (they share its lock file)."""
    script = tmp_path / "run.py"
    script.write_text(
        "import os, sys, time\n"
        "from matching.forked import forked_map\n"
        "def slow(x):\n"
        "    os.write(1, f'{os.getpid()}\\n'.encode())  # one write: the two workers share the pipe\n"
        "    time.sleep(60)\n"
        "for _ in forked_map(slow, range(4), 2):\n"
        "    pass\n"
    )
    run = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    workers = {int(run.stdout.readline()), int(run.stdout.readline())}
    run.kill()
    run.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


# one call worked out meanwhile --------------------------------------------------------------------
def test_a_call_is_worked_out_by_a_child_while_the_caller_goes_on():
    big = list(range(10_000))  # never pickled: the child is a fork

    def total() -> tuple[int, int]:
        return os.getpid(), sum(big)

    with forked_call(total, fork=True) as result:
        here = sum(big)  # the caller's own work, meanwhile
        pid, value = result()
    assert value == here and pid != os.getpid()
    with forked_call(total, fork=False) as result:
        assert result() == (os.getpid(), here)


def test_an_error_of_the_call_is_raised_where_its_result_is_asked_for():
    def fails() -> int:
        raise ValueError("no model for you")

    with pytest.raises(ValueError, match="no model for you"), forked_call(fails, fork=True) as result:
        result()


def test_a_call_whose_child_dies_fails_the_caller_rather_than_leaving_it_waiting():
    def dies() -> int:
        os._exit(3)

    with pytest.raises(ChildProcessError, match="exited"), forked_call(dies, fork=True) as result:
        result()


def test_leaving_without_the_result_stops_the_child():
    started = multiprocessing.get_context("fork").Event()

    def slow() -> int:
        started.set()
        time.sleep(60)
        return 1

    before = time.monotonic()
    with forked_call(slow, fork=True):
        assert started.wait(10)
    assert time.monotonic() - before < 30  # the child was stopped, not waited for
    assert not multiprocessing.active_children()


def test_two_calls_at_once_in_two_threads_each_get_their_own_result():
    def call(k: int) -> int:
        with forked_call(lambda: k * k, fork=True) as result:
            return result()

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(call, range(8))) == [k * k for k in range(8)]


def test_two_maps_at_once_in_two_threads_each_get_their_own_results():
    def run(k: int) -> list[int]:
        return list(forked_map(lambda x: k * 1000 + x, range(20), 2))

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(run, range(4))) == [[k * 1000 + x for x in range(20)] for k in range(4)]
