"""Standing proposals of open bids, kept fresh by the nightly run.

Each open bid is solved again with the settings of its standing batch. When
the result is the same plan, nothing is stored. When it differs, a new batch
is stored — unless the advisor accepted a proposal of the standing batch: an
accepted proposal is never replaced; a better plan is filed beside it as an
`alternative` and the accepted proposal is flagged with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from api.actions.proposals import store_outcome
from optimizer.config import OptimizerConfig
from optimizer.instance import prepare_problem
from optimizer.propose import BidOutcome, propose_bid
from profiles import repository
from profiles.db import session_scope
from profiles.repository import duplicates as duplicate_store
from profiles.repository import runs
from profiles.settings import Settings
from profiles.tables import ProposalRow
from profiles.taxonomy.vocabulary import load_vocabulary

# An alternative must beat the accepted plan by more than solver noise to be worth an advisor's time.
MIN_GAIN = 1e-6


@dataclass
class RefreshReport:
    refreshed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"refreshed": self.refreshed, "unchanged": len(self.unchanged), "flagged": self.flagged}


def plan_signature(feasible: bool, plan: dict[str, Any]) -> tuple:
    """What makes two proposals the same: their members, lead and who covers what."""
    if not feasible:
        return ("infeasible",)
    return tuple(sorted((m["firm"], bool(m["lead"]), tuple(m["covers"])) for m in plan.get("members", [])))


def outcome_signature(outcome: BidOutcome) -> tuple:
    if not outcome.feasible:
        return (("infeasible",),)
    return tuple(plan_signature(True, p["plan"]) for p in sorted(outcome.proposals, key=lambda p: p["rank"]))


def standing_signature(rows: list[ProposalRow]) -> tuple:
    return tuple(plan_signature(r.feasible, r.plan) for r in sorted(rows, key=lambda r: r.rank))


def refresh(engine: Engine, settings: Settings, run_id: int, default: OptimizerConfig) -> RefreshReport:
    report = RefreshReport()
    with session_scope(engine, readonly=True) as session:
        bids = repository.load_bids(session, only_open=True)
        if not bids:
            return report
        firms = repository.load_firms(session)
        scores = repository.match_scores(session)
        twins = duplicate_store.open_pair_keys(session)
    by_key = {f.key: f for f in firms}
    vocabulary = load_vocabulary()
    for bid in sorted(bids, key=lambda b: b.key):
        with session_scope(engine, readonly=True) as session:
            standing = runs.standing_proposals(session, bid.key)
        config = OptimizerConfig(**standing[0].config) if standing and standing[0].config else default
        outcome = propose_bid(prepare_problem([bid], firms, scores, vocabulary, config, twins), by_key, config)
        _apply(engine, settings, run_id, bid.key, config, standing, outcome, report)
    return report


def _apply(
    engine: Engine,
    settings: Settings,
    run_id: int,
    bid_key: str,
    config: OptimizerConfig,
    standing: list[ProposalRow],
    outcome: BidOutcome,
    report: RefreshReport,
) -> None:
    accepted = next((r for r in standing if r.status == "accepted"), None)
    batch = f"{settings.now().strftime('%Y%m%dT%H%M%S.%f')}-run{run_id}"
    with session_scope(engine) as session:
        if accepted is None:
            if standing and outcome_signature(outcome) == standing_signature(standing):
                report.unchanged.append(bid_key)
                return
            store_outcome(session, outcome, config, batch, settings, config.solver)
            report.refreshed.append(bid_key)
            return
        best = min(outcome.proposals, key=lambda p: p["rank"]) if outcome.feasible else None
        if (
            best is None
            or plan_signature(True, best["plan"]) == plan_signature(True, accepted.plan)
            or (best.get("objective") or 0.0) <= (accepted.objective or 0.0) + MIN_GAIN
        ):
            report.unchanged.append(bid_key)
            return
        previous = (accepted.flags or {}).get("better_alternative")
        if previous is not None:
            row = runs.get_proposal_row(session, previous)
            if row is not None and plan_signature(row.feasible, row.plan) == plan_signature(True, best["plan"]):
                report.unchanged.append(bid_key)
                return
        ids = store_outcome(session, outcome, config, batch, settings, config.solver, status="alternative")
        assert accepted.id is not None
        runs.flag_proposal(
            session,
            accepted.id,
            {
                "better_alternative": ids[0],
                "objective_gain": round((best["objective"] or 0.0) - (accepted.objective or 0.0), 4),
                "found_by_run": run_id,
                "found_at": settings.now().isoformat(timespec="seconds"),
            },
        )
        report.flagged.append(bid_key)
