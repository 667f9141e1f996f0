"""`partnermatch tune`: learn the matching weights from the exchange's recorded outcomes.

Learns only from the match lists firms acted on (kept when they expressed interest): a
list's good candidate is the profile whose interest was accepted. Lists are split by
time: the older ones to learn from, the newest to check on. The result is stored, as
the new active configuration, only when it ranks the accepted profiles of the held-out
lists better (the interval of the difference above 0) and the operator confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from api.actions.match_runs import active_matching_config
from matching.config import MatchingConfig
from matching.learning import Evaluation, Fit, ShownList, evaluate, fit, time_split
from profiles.db import session_scope
from profiles.repository import audit, history
from profiles.settings import Settings

DECIDED = ("accepted", "declined")


@dataclass(frozen=True)
class TuneReport:
    current: MatchingConfig
    provenance: dict[str, Any]
    lists: int
    learn_lists: int
    check_lists: int
    fit: Fit | None
    check: Evaluation | None
    learn: Evaluation | None
    reason: str = ""

    @property
    def wins(self) -> bool:
        return self.check is not None and self.check.wins

    def proposed(self) -> MatchingConfig | None:
        if self.fit is None:
            return None
        return MatchingConfig(**{**self.current.model_dump(), "weights": self.fit.weights})


def shown_lists(rows: list[dict[str, Any]]) -> list[ShownList]:
    """Decided interests' lists; the accepted target is the good candidate (a declined one is not)."""
    out = []
    for r in rows:
        if r["status"] not in DECIDED:
            continue
        candidates = tuple((c["key"], c["values"]) for c in r["candidates"])
        good = frozenset({r["target"]}) if r["status"] == "accepted" else frozenset()
        out.append(ShownList(r["query"], r["shown_at"].timestamp(), candidates, good))
    return out


def prepare(engine: Engine, held_out: float = 0.3, min_lists: int = 20) -> TuneReport:
    with session_scope(engine, readonly=True) as session:
        current, provenance = active_matching_config(session)
        lists = shown_lists(history.shown_lists(session))
    usable = [s for s in lists if s.good]
    if len(usable) < min_lists:
        return TuneReport(
            current,
            provenance,
            len(lists),
            0,
            0,
            None,
            None,
            None,
            f"{len(usable)} lists with an accepted interest; at least {min_lists} are needed",
        )
    learn, check = time_split(usable, held_out)
    result = fit(learn, dict(current.weights))
    return TuneReport(
        current,
        provenance,
        len(lists),
        len(learn),
        len(check),
        result,
        evaluate(check, current.weights, result.weights),
        evaluate(learn, current.weights, result.weights),
    )


def store(engine: Engine, settings: Settings, report: TuneReport, actor: str = "command line") -> int:
    proposed = report.proposed()
    if proposed is None or not report.wins:
        raise ValueError("only a configuration that wins on the held-out lists is stored")
    assert report.check is not None and report.fit is not None
    metrics = {
        "held_out": report.check.as_dict(),
        "learning_lists": report.learn_lists,
        "learned": list(report.fit.learned),
        "kept": list(report.fit.kept),
    }
    note = (
        f"tuned on {report.learn_lists} lists, checked on {report.check_lists}; replaces "
        f"{report.provenance.get('source')} #{report.provenance.get('id')}"
    )
    with session_scope(engine) as session:
        row = history.store_config(
            session,
            proposed.model_dump(),
            proposed.digest(),
            "tune",
            note,
            metrics,
            actor,
            settings.now(),
            activate=True,
        )
        assert row.id is not None
        audit.record(
            session,
            at=settings.now(),
            account_id=None,
            actor=actor,
            action="activate",
            entity="matching_config",
            entity_key=str(row.id),
            cluster=None,
            detail={"source": "tune", "weights": proposed.weights, **metrics},
        )
        return row.id


def active_view(ctx) -> dict[str, Any]:
    """The active matching configuration and where it came from (advisors and administrators)."""
    from api.actions.context import require_role
    from profiles.visibility import Role

    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine, readonly=True) as session:
        config, provenance = active_matching_config(session)
        stored = [
            {
                "id": r.id,
                "source": r.source,
                "active": r.active,
                "created_at": r.created_at.isoformat(),
                "created_by": r.created_by,
                "note": r.note,
                "digest": r.digest,
            }
            for r in history.configs(session)
        ]
    return {"config": config.model_dump(), "digest": config.digest(), "provenance": provenance, "stored": stored}


def activate(engine: Engine, settings: Settings, config_id: int, actor: str = "command line") -> None:
    """Make a stored configuration the active one again (to go back after a tune)."""
    with session_scope(engine) as session:
        rows = {r.id: r for r in history.configs(session)}
        if config_id not in rows:
            raise KeyError(config_id)
        row = rows[config_id]
        history.store_config(
            session,
            row.config,
            row.digest,
            "restored",
            f"copy of #{config_id}",
            row.metrics,
            actor,
            settings.now(),
            activate=True,
        )
        audit.record(
            session,
            at=settings.now(),
            account_id=None,
            actor=actor,
            action="activate",
            entity="matching_config",
            entity_key=str(config_id),
            cluster=None,
            detail={"source": "restored"},
        )
