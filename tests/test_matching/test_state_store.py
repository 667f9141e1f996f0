"""The state file: written whole or not at all, in place or by a forked copy of the run."""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path

import pytest

from matching import state_store
from matching.config import MatchingConfig
from matching.features import build_features
from matching.forked import can_fork
from matching.incremental import Snapshot, feature_hash, update
from profiles.taxonomy.vocabulary import load_vocabulary

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.perf.synthetic_profiles import to_domain  # noqa: E402


@pytest.fixture(scope="module")
def state():
    vocabulary = load_vocabulary()
    firms, profiles = to_domain(120, 3)
    firm_of = {f.key: f for f in firms}
    by_key = {p.key: p for p in profiles}
    keys = sorted(by_key)
    snapshot = Snapshot(
        keys,
        [by_key[k].firm_key for k in keys],
        [feature_hash(repr(by_key[k]), repr(firm_of[by_key[k].firm_key])) for k in keys],
    )

    def load(wanted: list[str]):
        return [build_features(by_key[k], firm_of[by_key[k].firm_key], vocabulary) for k in wanted]

    text_only = MatchingConfig(weights={**MatchingConfig().weights, "semantic": 0.0}, semantic_k=0)
    return update(None, snapshot, load, text_only, vocabulary, run_id=4).state


@pytest.mark.parametrize("fork", [False, True])
def test_a_state_saved_meanwhile_is_the_state_saved_in_place(state, tmp_path, fork):
    if fork and not can_fork():
        pytest.skip("needs fork")
    with state_store.saving(state, tmp_path / "a", fork) as saved:
        path = saved()
    assert path == state_store.path_for(tmp_path / "a", 4)
    in_place = state_store.save(state, tmp_path / "b")
    assert path.read_bytes() == in_place.read_bytes()
    loaded = state_store.load(tmp_path / "a", 4)
    assert loaded is not None and loaded.keys.tolist() == state.keys.tolist()


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_a_save_that_fails_meanwhile_fails_where_it_is_waited_for_and_leaves_no_state(state, tmp_path, monkeypatch):

    def broken(*args, **kwargs):
        raise pickle.PicklingError("the state could not be written")

    monkeypatch.setattr(pickle, "dump", broken)
    with state_store.saving(state, tmp_path, fork=True) as saved:
        with pytest.raises(pickle.PicklingError, match="could not be written"):
            saved()
    assert state_store.load(tmp_path, 4) is None
    assert not state_store.path_for(tmp_path, 4).exists()


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_leaving_without_waiting_stops_the_save(state, tmp_path, monkeypatch):
    real_dump = pickle.dump

    def slow(*args, **kwargs):  # a save that would take a minute: only stopping it ends the context soon
        real_dump(*args, **kwargs)
        time.sleep(60)

    monkeypatch.setattr(pickle, "dump", slow)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="the write failed"):
        with state_store.saving(state, tmp_path, fork=True):
            raise RuntimeError("the write failed")
    assert time.monotonic() - started < 30
    assert not state_store.path_for(tmp_path, 4).exists()  # the partial file was never put in place
