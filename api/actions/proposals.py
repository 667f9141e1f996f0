"""Solving bids and storing their proposals: one bid at a time, or one joint plan over all open bids.

Solves run outside any transaction, so a long solve never holds the database's write lock; the
proposals are stored as one batch afterwards.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import Engine

from api.actions import proposal_inputs
from api.actions.context import Context, record, require_role
from api.actions.documents import write_documents
from optimizer.capability_index import CapabilityIndex
from optimizer.config import OptimizerConfig
from optimizer.instance import prepare_problem, threshold
from optimizer.propose import BidOutcome, propose_bid, propose_joint
from profiles import repository
from profiles.db import session_scope
from profiles.domain import Bid
from profiles.errors import NotFound
from profiles.gc_thresholds import fewer_collections
from profiles.repository import duplicates as duplicate_store
from profiles.settings import Settings
from profiles.taxonomy.vocabulary import Vocabulary, load_vocabulary
from profiles.visibility import Role

DIAGNOSIS_FIT = 0.25  # a requirement no firm reaches is explained by the closest firms down to this fit


def _reach(
    index: CapabilityIndex, bids: list[Bid], config: OptimizerConfig, vocabulary: Vocabulary
) -> dict[str, dict[str, set[str]]]:
    """Per bid and requirement, the firms whose capabilities can reach it (locked firms everywhere); for a
    requirement none reaches, the closest ones, so that the proposal can say who came nearest."""
    out: dict[str, dict[str, set[str]]] = {}
    for bid in bids:
        per_requirement = out.setdefault(bid.key, {})
        for req in bid.requirements:
            found = index.candidates(req, threshold(req, config), vocabulary)
            if not found:
                found = index.candidates(req, min(DIAGNOSIS_FIT, threshold(req, config)), vocabulary)
            per_requirement[req.key] = found | set(bid.locked_firms)
    return out


def _problem_for(session, bids: list[Bid], config: OptimizerConfig):
    """The model input over the firms that can touch the bids (see `optimizer.capability_index`), with
    synergy from the stored matches among the candidates; what it reads of the exchange is kept between
    requests (`proposal_inputs`): firms that can cover no requirement would be pruned by the model anyway."""
    vocabulary = load_vocabulary()
    exchange = proposal_inputs.inputs(session, vocabulary)
    assert exchange.index is not None
    reach = _reach(exchange.index, bids, config, vocabulary)
    keys = {k for per_requirement in reach.values() for found in per_requirement.values() for k in found}
    firms = [exchange.firms[k] for k in sorted(keys) if k in exchange.firms]
    twins = duplicate_store.open_pair_keys(session)  # unresolved duplicates: never both in one consortium
    problem = prepare_problem(bids, firms, [], vocabulary, config, twins, reach, exchange.kept_fits())
    used = {c.firm for bi in problem.bids for c in bi.candidates}
    return replace(problem, synergy=exchange.synergy(used)), {f.key: f for f in firms}


def new_batch(settings: Settings) -> str:
    return settings.now().strftime("%Y%m%dT%H%M%S.%f")


def store_outcome(
    session,
    outcome: BidOutcome,
    config: OptimizerConfig,
    batch: str,
    settings: Settings,
    solver: str,
    status: str = "proposed",
) -> list[int]:
    """The ranked proposals of one bid as a batch; an infeasible bid stores one row with the reasons."""
    if outcome.feasible:
        rows = [dict(p, config=config.model_dump()) for p in outcome.proposals]
    else:
        rows = [
            {
                "rank": 1,
                "feasible": False,
                "solver": solver,
                "solver_status": outcome.status,
                "plan": {"members": []},
                "explanation": {"reasons": [r.as_dict() for r in outcome.reasons]},
                "config": config.model_dump(),
            }
        ]
    return repository.store_proposals(session, outcome.bid, batch, rows, settings.now(), status)


def solve_bid(engine: Engine, settings: Settings, bid_key: str, config: OptimizerConfig) -> tuple[Bid, BidOutcome, str]:
    """Solve one bid and store the ranked proposals as a new batch (callers check who may)."""
    with fewer_collections():  # tens of thousands of fits and candidates, all alive until the solve ends
        with session_scope(engine, readonly=True) as session:
            bid = repository.get_bid(session, bid_key)
            problem, firms = _problem_for(session, [bid], config)
        outcome = propose_bid(problem, firms, config)
    batch = new_batch(settings)
    with session_scope(engine) as session:
        store_outcome(session, outcome, config, batch, settings, config.solver)
    return bid, outcome, batch


def _audit(session, ctx: Context, bid: Bid, outcome: BidOutcome, plan: str, batch: str) -> None:
    record(
        session,
        ctx,
        "propose",
        "bid",
        bid.key,
        bid.cluster,
        {
            "plan": plan,
            "batch": batch,
            "feasible": outcome.feasible,
            "status": outcome.status,
            "alternatives": len(outcome.proposals) if outcome.feasible else 0,
        },
    )


def propose(
    ctx: Context, bid_key: str, config: OptimizerConfig, documents: bool = True, pdf: bool = False
) -> tuple[Bid, BidOutcome, list[Path]]:
    """Ranked alternative consortia for one bid, stored, audited and (optionally) written as documents."""
    require_role(ctx.viewer, Role.ADMIN)
    settings = ctx.settings
    bid, outcome, batch = solve_bid(ctx.engine, settings, bid_key, config)
    with session_scope(ctx.engine) as session:
        _audit(session, ctx, bid, outcome, "single", batch)
    paths = (
        write_documents(bid, outcome.as_dict(), config, settings.now(), settings.output_dir / "proposals", pdf)
        if documents
        else []
    )
    return bid, outcome, paths


def propose_all_open(
    ctx: Context, config: OptimizerConfig, documents: bool = True
) -> list[tuple[Bid, BidOutcome, list[Path]]]:
    """One joint plan over every open bid (a firm's capacity shared between them), stored and audited."""
    require_role(ctx.viewer, Role.ADMIN)
    settings = ctx.settings
    with session_scope(ctx.engine, readonly=True) as session:
        bids = repository.load_bids(session, only_open=True)
        if not bids:
            raise NotFound("there are no open bids")
        problem, firms = _problem_for(session, bids, config)
    outcomes = propose_joint(problem, firms, config)
    batch = new_batch(settings)
    by_key = {b.key: b for b in bids}
    with session_scope(ctx.engine) as session:
        for outcome in outcomes:
            store_outcome(session, outcome, config, batch, settings, config.solver)
            _audit(session, ctx, by_key[outcome.bid], outcome, "joint", batch)
    out = []
    for outcome in outcomes:
        bid = by_key[outcome.bid]
        paths = (
            write_documents(bid, outcome.as_dict(), config, settings.now(), settings.output_dir / "proposals")
            if documents
            else []
        )
        out.append((bid, outcome, paths))
    return out
