"""Work in forked worker processes: the results of `map`, in order, from other processes."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from matching.forked import can_fork, forked_map

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
