"""Service functions shared by every interface: each is one user action, one transaction.

The CLI (and later the HTTP service and the nightly run) call these; they
call the engine packages and `profiles.repository` for storage.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from api.actions.documents import write_documents
from matching.config import MatchingConfig
from matching.history import ExchangeHistory, build_history, records_from
from matching.pipeline import matchable, run_matching
from optimizer.config import OptimizerConfig
from optimizer.instance import prepare_problem
from optimizer.propose import BidOutcome, propose_bid, propose_joint
from profiles import repository
from profiles.csv_cells import csv_text
from profiles.db import make_engine, session_scope, upgrade
from profiles.domain import Bid, ProfileStatus
from profiles.errors import NotFound, PartnermatchError
from profiles.importing import ImportReport, import_file
from profiles.mapping import to_plain
from profiles.repository import audit, history
from profiles.settings import Settings
from profiles.taxonomy.vocabulary import load_vocabulary

DEMO_FILES = ("firms.json", "profiles.json", "bids.json", "relations.json")


def open_database(settings: Settings) -> Engine:
    """Engine for the configured database, with the schema migrated to the newest revision."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


OPERATOR = "command line"


def record_command(
    engine: Engine,
    settings: Settings,
    action: str,
    entity: str,
    key: str,
    cluster: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """An operator's change from the command line, in the audit log like every other change."""
    with session_scope(engine) as session:
        audit.record(
            session,
            at=settings.now(),
            account_id=None,
            actor=OPERATOR,
            action=action,
            entity=entity,
            entity_key=key[:80],
            cluster=cluster,
            detail=detail or {},
        )


def demo_files() -> list[Path]:
    root = resources.files("profiles") / "demo"
    return [Path(str(root / name)) for name in DEMO_FILES]


# import --------------------------------------------------------------------
def import_path(engine: Engine, settings: Settings, path: Path) -> ImportReport:
    with session_scope(engine) as session:
        return import_file(session, path, settings.now(), settings.current_date())


# matching ------------------------------------------------------------------
@dataclass
class MatchSummary:
    run_id: int
    profiles: int
    candidate_pairs: int
    matches: int
    expired: int
    semantic: dict[str, Any]


def exchange_history(session, vocabulary) -> ExchangeHistory:
    """Value chains and relationships learned from what the exchange holds now."""
    plain = history.history_records(session, lambda phrase: vocabulary.normalise(phrase).concept_id)
    return build_history(records_from(plain), vocabulary)


def active_matching_config(session) -> tuple[MatchingConfig, dict[str, Any]]:
    """The stored active configuration and where it came from; the defaults when none is stored."""
    row = history.active_config(session)
    if row is None:
        return MatchingConfig(), {"source": "defaults", "id": None}
    return MatchingConfig(**row.config), {
        "source": row.source,
        "id": row.id,
        "note": row.note,
        "created_at": row.created_at.isoformat(),
        "created_by": row.created_by,
        "digest": row.digest,
        "metrics": row.metrics,
    }


def match_all(
    engine: Engine,
    settings: Settings,
    config: MatchingConfig | None = None,
    progress_total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
    **overrides: Any,
) -> MatchSummary:
    """One full matching run with `config`, or the active stored configuration with `overrides`."""
    today = settings.current_date()
    vocabulary = load_vocabulary()
    with session_scope(engine) as session:
        if config is None:
            active, _ = active_matching_config(session)
            config = MatchingConfig(**{**active.model_dump(), **{k: v for k, v in overrides.items() if v is not None}})
        expired = repository.expire_profiles(session, today, settings.now())
        profiles = matchable(repository.load_profiles(session, [ProfileStatus.PUBLISHED]), today)
        firms = {f.key: f for f in repository.load_firms(session)}
        run_id = repository.start_run(session, config.model_dump(), config.digest(), settings.now())
        result = run_matching(
            profiles,
            firms,
            config,
            vocabulary,
            progress_total,
            progress,
            vector_cache=settings.vector_cache_dir(),
            history=exchange_history(session, vocabulary),
        )
        repository.replace_matches(
            session, run_id, result.matches, settings.now(), result.profiles, result.candidate_pairs
        )
    return MatchSummary(run_id, result.profiles, result.candidate_pairs, len(result.matches), expired, result.semantic)


def matches_for(engine: Engine, key: str) -> tuple[str, list[dict[str, Any]]]:
    """Stored matches of a profile (key or EEN reference) or of all profiles of a firm."""
    with session_scope(engine) as session:
        try:
            profile = repository.get_profile(session, key)
            keys = [profile.key]
            subject = f"profile {profile.key} ({profile.reference or profile.status.value}): {profile.title}"
        except NotFound:
            firm = repository.get_firm(session, key)  # raises NotFound for neither
            keys = [p.key for p in repository.load_profiles(session, firm_key=firm.key)]
            subject = f"firm {firm.key}: {firm.name}"
        matches = repository.load_matches(session, keys)
        others = {p.key: p for p in repository.load_profiles(session)}
    for m in matches:
        other = others[m["other"]]
        m["other_reference"] = other.reference
        m["other_type"] = other.type.value
        m["other_title"] = other.title
    return subject, matches


# proposals -----------------------------------------------------------------
def _problem_for(session, bids: list[Bid], config: OptimizerConfig):
    firms = repository.load_firms(session)
    problem = prepare_problem(bids, firms, repository.match_scores(session), load_vocabulary(), config)
    return problem, {f.key: f for f in firms}


def store_outcome(
    session,
    outcome: BidOutcome,
    config: OptimizerConfig,
    batch: str,
    settings: Settings,
    solver: str,
    status: str = "proposed",
) -> list[int]:
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
    """Solve one bid and store the ranked proposals as a new batch.

    The solve runs outside any transaction, so a long solve never holds the database's write lock.
    """
    with session_scope(engine, readonly=True) as session:
        bid = repository.get_bid(session, bid_key)
        problem, firms = _problem_for(session, [bid], config)
    outcome = propose_bid(problem, firms, config)
    batch = settings.now().strftime("%Y%m%dT%H%M%S.%f")
    with session_scope(engine) as session:
        store_outcome(session, outcome, config, batch, settings, config.solver)
    return bid, outcome, batch


def propose(
    engine: Engine, settings: Settings, bid_key: str, config: OptimizerConfig, documents: bool = True, pdf: bool = False
) -> tuple[Bid, BidOutcome, list[Path]]:
    bid, outcome, _ = solve_bid(engine, settings, bid_key, config)
    paths = (
        write_documents(bid, outcome.as_dict(), config, settings.now(), settings.output_dir / "proposals", pdf)
        if documents
        else []
    )
    return bid, outcome, paths


def propose_all_open(
    engine: Engine, settings: Settings, config: OptimizerConfig, documents: bool = True
) -> list[tuple[Bid, BidOutcome, list[Path]]]:
    with session_scope(engine) as session:
        bids = repository.load_bids(session, only_open=True)
        if not bids:
            raise NotFound("there are no open bids")
        problem, firms = _problem_for(session, bids, config)
        outcomes = propose_joint(problem, firms, config)
        batch = settings.now().strftime("%Y%m%dT%H%M%S.%f")
        for outcome in outcomes:
            store_outcome(session, outcome, config, batch, settings, config.solver)
    by_key = {b.key: b for b in bids}
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


# export --------------------------------------------------------------------
EXPORTABLE = ("firms", "profiles", "bids", "matches", "proposals")


CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "website")


def export_records(engine: Engine, what: str, include_contacts: bool = False) -> list[dict[str, Any]]:
    """Records in the import format (an export re-imports unchanged); contacts only when asked for."""
    if what not in EXPORTABLE:
        raise PartnermatchError(f"cannot export '{what}'; choose one of {', '.join(EXPORTABLE)}")
    with session_scope(engine) as session:
        if what == "firms":
            firms = [to_plain(f) for f in repository.load_firms(session)]
            if not include_contacts:
                for f in firms:
                    for name in CONTACT_FIELDS:
                        f.pop(name)
            return firms
        if what == "profiles":
            out = []
            for p in repository.load_profiles(session):
                plain = to_plain(p)
                plain = {"key": plain.pop("key"), "firm": plain.pop("firm_key"), **plain}
                out.append(plain)
            return out
        if what == "bids":
            return [to_plain(b) for b in repository.load_bids(session)]
        if what == "matches":
            return repository.load_matches(session)
        return repository.load_proposals(session)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, str) for v in value):
            return ";".join(value)
        if all(isinstance(v, dict) and set(v) == {"phrase", "capacity_per_year"} for v in value):
            return ";".join(
                v["phrase"] + (f":{v['capacity_per_year']}" if v["capacity_per_year"] else "") for v in value
            )
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def format_records(records: list[dict[str, Any]], what: str, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({what: records}, ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt != "csv":
        raise PartnermatchError(f"unknown export format '{fmt}'; choose json or csv")
    if what == "bids":
        raise PartnermatchError("bids have nested requirements; export them as json")
    columns: list[str] = []
    for r in records:
        columns += [c for c in r if c not in columns]
    return csv_text(columns, ([_csv_cell(r.get(c)) for c in columns] for r in records))
