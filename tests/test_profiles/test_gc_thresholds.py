"""A run raises the collector's first threshold and always puts the thresholds back."""

from __future__ import annotations

import gc

import pytest

from profiles.gc_thresholds import fewer_collections, no_collections


def test_thresholds_are_raised_during_and_restored_after():
    before = gc.get_threshold()
    with fewer_collections(threshold=before[0] + 12_345):
        assert gc.get_threshold() == (before[0] + 12_345, *before[1:])
    assert gc.get_threshold() == before


def test_thresholds_are_restored_when_the_run_fails_and_never_lowered():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections(threshold=1):
        assert gc.get_threshold() == before
        raise RuntimeError("the run failed")
    assert gc.get_threshold() == before


def test_overlapping_jobs_restore_the_thresholds_when_the_last_one_ends():
    before = gc.get_threshold()
    first, second = fewer_collections(threshold=before[0] + 1_000), fewer_collections(threshold=before[0] + 2_000)
    first.__enter__()
    second.__enter__()
    assert gc.get_threshold()[0] == before[0] + 2_000
    first.__exit__(None, None, None)  # the first job ends while the second still runs
    assert gc.get_threshold()[0] == before[0] + 2_000
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_as_a_decorator_every_call_raises_and_restores():
    before = gc.get_threshold()

    @fewer_collections(threshold=before[0] + 3_000)
    def job() -> int:
        return gc.get_threshold()[0]

    assert job() == job() == before[0] + 3_000
    assert gc.get_threshold() == before


def test_no_collections_while_reading_and_collection_resumes_after_the_last_reader():
    assert gc.isenabled()
    first, second = no_collections(), no_collections()
    first.__enter__()
    assert not gc.isenabled()
    second.__enter__()
    first.__exit__(None, None, None)  # one reader done, the other still reading
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
    with pytest.raises(RuntimeError), no_collections():
        raise RuntimeError("the read failed")
    assert gc.isenabled()


def test_collection_that_was_off_before_stays_off():
    gc.disable()
    try:
        with no_collections():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
