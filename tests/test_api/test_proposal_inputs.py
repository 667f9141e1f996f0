"""What proposals keep of the exchange between requests is what the database holds at each request:
after a firm is edited, added or deleted, a profile moves, or a match run stores new scores."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from api.actions import proposal_inputs
from optimizer.instance import firm_synergy
from profiles import repository
from profiles.db import session_scope
from profiles.domain import Capability
from profiles.importing import import_file
from profiles.repository import firms as firm_store
from profiles.repository import runs
from profiles.taxonomy.vocabulary import load_vocabulary

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 21)


def _match(profile: str, other: str, score: float) -> dict:
    return {
        "profile": profile,
        "other": other,
        "rank": 1,
        "score": score,
        "kind": "customer",
        "components": {"text": {"score": score}},
        "explanation": {"summary": "fits"},
    }


def _run(session, rows: list[dict], when: datetime) -> None:
    run = runs.start_run(session, kind="full", config={"k": 1}, config_hash="h", now=when, host="here", pid=1)
    assert run.id is not None
    runs.write_matches(session, run.id, full=True, delete_pairs=[], rerank=[], removed=[], rows=iter(rows))
    runs.end_run(session, run.id, "finished", when)


def _same_as_the_database(engine) -> None:
    vocabulary = load_vocabulary()
    with session_scope(engine, readonly=True) as session:
        kept = proposal_inputs.inputs(session, vocabulary)
        firms = {f.key: f for f in repository.load_firms(session)}
        synergy = firm_synergy(repository.match_scores(session))
    assert kept.firms == firms
    assert kept.synergy(set(firms)) == synergy
    assert kept.index is not None and kept.index.firms == {k for k, f in firms.items() if f.max_concurrent_bids >= 1}


@pytest.fixture
def exchange(any_engine, golden_path):
    proposal_inputs.forget()
    with session_scope(any_engine) as session:
        import_file(session, golden_path, NOW, TODAY)
        _run(session, [_match("dk-alpha-bo-1", "dk-gamma-br-1", 0.6)], NOW)
    yield any_engine
    proposal_inputs.forget()


def test_kept_inputs_follow_every_change(exchange):
    _same_as_the_database(exchange)
    later = NOW
    with session_scope(exchange) as session:  # a firm edited: a new capability
        later += timedelta(minutes=1)
        alpha = repository.load_firms(session, ["dk-alpha"])[0]
        repository.upsert_firms(
            session, [replace(alpha, capabilities=(*alpha.capabilities, Capability("anodising")))], later
        )
    _same_as_the_database(exchange)
    with session_scope(exchange) as session:  # a new match run
        later += timedelta(minutes=1)
        _run(
            session,
            [_match("dk-alpha-bo-1", "dk-gamma-br-1", 0.9), _match("dk-gamma-br-1", "dk-beta-bo-1", 0.4)],
            later,
        )
    _same_as_the_database(exchange)
    with session_scope(exchange) as session:  # a firm deleted
        gamma = firm_store.firm_with_key(session, "dk-gamma")
        assert gamma is not None
        firm_store.delete_firm(session, gamma, later)
    _same_as_the_database(exchange)


def test_requirement_fits_are_kept_between_proposals_until_a_firm_changes(exchange):
    from api.actions.proposals import _problem_for
    from optimizer.config import OptimizerConfig

    config = OptimizerConfig()

    def coating_fits() -> dict[str, float]:
        with session_scope(exchange, readonly=True) as session:
            problem, _ = _problem_for(session, [repository.get_bid(session, "bid-tray")], config)
        fits = problem.bids[0].fits
        return {firm: fit.fit for (firm, req), fit in fits.items() if req == "coating"}

    first = coating_fits()
    kept = dict(proposal_inputs._kept)
    assert any(inputs.fits for inputs in kept.values())
    assert coating_fits() == first  # read from the kept fits
    with session_scope(exchange) as session:  # dk-alpha learns e-coating: its fit must follow
        alpha = repository.load_firms(session, ["dk-alpha"])[0]
        repository.upsert_firms(
            session,
            [replace(alpha, capabilities=(*alpha.capabilities, Capability("e-coating")))],
            NOW + timedelta(minutes=1),
        )
    after = coating_fits()
    assert first.get("dk-alpha", 0.0) < 1.0
    assert after["dk-alpha"] == 1.0
    assert {k: v for k, v in after.items() if k != "dk-alpha"} == {k: v for k, v in first.items() if k != "dk-alpha"}
