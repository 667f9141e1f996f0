"""Match runs and the matches they store: run records (nightly and command-line runs), the snapshot of
matchable profiles a run reads, and the match rows it writes (a full set or a diff).

Every run, `partnermatch match` and nightly alike, is recorded by `start_run`, writes its change with
`write_matches` and ends with `end_run` (see `matching.runs`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Row
from sqlmodel import Session, col, select

from .. import een
from ..db import json_text
from ..domain import Firm, Profile, profile_text
from ..mapping import firm_from_row, profile_from_row
from ..tables import FirmRow, MatchRow, MatchRunRow, ProfileRow
from . import bulk
from .capabilities import firm_pair_scores
from .common import KEY_SLICE, one_of, slices

# Proposals are their own entity (`.proposals`); the nightly proposal stage still reads them from here.
from .proposals import flag_proposal, get_proposal_row, standing_proposals  # noqa: F401

# The stages of a nightly run in order; a run records the last one it committed.
STAGES = ("expired", "matched", "proposals", "digests", "delivered")
INSERT_CHUNK = 5_000


def _after(stage: str) -> list[str]:
    return list(STAGES[STAGES.index(stage) :])


# run records -----------------------------------------------------------------
def start_run(
    session: Session, *, kind: str, config: dict[str, Any], config_hash: str, now: datetime, host: str, pid: int
) -> MatchRunRow:
    run = MatchRunRow(
        started_at=now,
        status="running",
        config=config,
        config_hash=config_hash,
        kind=kind,
        host=host,
        pid=pid,
        stats={},
        errors=[],
    )
    session.add(run)
    session.flush()
    return run


def running_run(session: Session) -> MatchRunRow | None:
    """The newest run still marked running: under the nightly lock, one that died unfinished."""
    return session.exec(
        select(MatchRunRow).where(MatchRunRow.status == "running").order_by(col(MatchRunRow.id).desc())
    ).first()


def resume_run(session: Session, run: MatchRunRow, host: str, pid: int) -> None:
    run.attempts += 1
    run.host, run.pid = host, pid
    session.add(run)
    session.flush()


def get_run(session: Session, run_id: int) -> MatchRunRow:
    run = session.get(MatchRunRow, run_id)
    assert run is not None, run_id
    return run


def list_runs(session: Session, limit: int = 20) -> list[MatchRunRow]:
    return list(session.exec(select(MatchRunRow).order_by(col(MatchRunRow.id).desc()).limit(limit)).all())


def latest_run(session: Session) -> MatchRunRow | None:
    """The newest finished run."""
    return session.exec(
        select(MatchRunRow).where(MatchRunRow.status == "finished").order_by(col(MatchRunRow.id).desc())
    ).first()


def last_match_writer(session: Session) -> int | None:
    """Id of the newest run whose match rows are the stored ones (a nightly run past its matching
    stage, or a finished `partnermatch match`)."""
    return session.exec(
        select(func.max(MatchRunRow.id)).where(
            or_(
                col(MatchRunRow.stage).in_(_after("matched")),
                and_(MatchRunRow.status == "finished", MatchRunRow.kind == "full", MatchRunRow.stage == ""),
            )
        )
    ).one()


def record_stage(session: Session, run_id: int, stage: str, stats: dict[str, Any]) -> None:
    run = get_run(session, run_id)
    run.stage = stage
    run.stats = {**run.stats, **stats}
    session.add(run)
    session.flush()


def record_matching(
    session: Session, run_id: int, kind: str, profiles: int, candidate_pairs: int, matches: int
) -> None:
    run = get_run(session, run_id)
    run.kind, run.profiles_scored, run.candidate_pairs, run.matches_stored = kind, profiles, candidate_pairs, matches
    session.add(run)


def end_run(session: Session, run_id: int, status: str, now: datetime, error: dict[str, Any] | None = None) -> None:
    run = get_run(session, run_id)
    run.status, run.finished_at = status, now
    if error:
        run.errors = [*run.errors, error]
    session.add(run)
    session.flush()


# what may match now --------------------------------------------------------------
def matchable_snapshot(session: Session, today: date) -> list[tuple[str, str, str, str]]:
    """(profile key, firm key, profile hash, firm hash) of live profiles, by key. Read through the
    connection as plain rows: every run reads every live profile's, and ORM results cost a third more."""
    query = (
        sa_select(ProfileRow.key, FirmRow.key, ProfileRow.content_hash, FirmRow.content_hash)
        .join(FirmRow, col(FirmRow.id) == col(ProfileRow.firm_id))
        .where(een.live_clause(today))
        .order_by(ProfileRow.key)
    )
    return [(p, f, ph, fh) for p, f, ph, fh in session.connection().execute(query)]


def profiles_and_firms(session: Session, keys: list[str]) -> tuple[list[Profile], dict[str, Firm]]:
    """The profiles with these keys (in key order) and their firms. Read as plain rows of the columns the
    domain records are made of, not ORM objects: a full match run reads every profile, and the objects cost
    a fifth of it; the columns nothing here reads (time stamps, hashes, stored concept lists) about a tenth
    of what is left."""
    profile_table, firm_table = ProfileRow.__table__, FirmRow.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    profile_columns = [profile_table.c[name] for name in _PROFILE_FIELDS]
    profile_rows: list[Row[Any]] = []
    for part in slices(keys):
        query = sa_select(*profile_columns).where(one_of(session, profile_table.c.key, part))
        profile_rows += connection.execute(query)
    firm_rows: dict[int, Row[Any]] = {}
    firm_columns = [firm_table.c[name] for name in _FIRM_FIELDS]
    for part in slices(sorted({r.firm_id for r in profile_rows})):
        query = sa_select(*firm_columns).where(firm_table.c.id.in_(part))
        firm_rows.update((f.id, f) for f in connection.execute(query))
    profiles = sorted((profile_from_row(r, firm_rows[r.firm_id].key) for r in profile_rows), key=lambda p: p.key)
    return profiles, {f.key: firm_from_row(f) for f in firm_rows.values()}


def profile_texts(session: Session, keys: list[str]) -> list[str]:
    """The texts of the profiles with these keys, in the keys' order (`Profile.text` of each), without
    reading their firms or making records: what fitting the text model needs."""
    t = ProfileRow.__table__.c  # type: ignore[attr-defined]
    connection = session.connection()
    query = sa_select(t.key, t.title, t.summary, t.description, t.keywords, t.partner_sought, t.een)
    texts: dict[str, str] = {}
    for part in slices(keys):
        for key, *fields_of_text in connection.execute(query.where(one_of(session, t.key, part))):
            texts[key] = profile_text(*fields_of_text)
    return [texts.get(key, "") for key in keys]  # a profile deleted since the keys were read: no text


# What `profile_from_row` and `firm_from_row` read, with the ids that join them.
_PROFILE_FIELDS = ("firm_id", *(f.name for f in fields(Profile) if f.name != "firm_key"))
_FIRM_FIELDS = ("id", *(f.name for f in fields(Firm)))


# match rows ------------------------------------------------------------------
def _profile_ids(session: Session) -> dict[str, int]:
    """Every profile's id by key, read through the driver: a run writing a few rows still maps keys
    of the whole exchange."""
    connection = session.connection()
    table = connection.dialect.identifier_preparer.quote(ProfileRow.__tablename__)
    return dict(connection.exec_driver_sql(f"SELECT key, id FROM {table}").all())


def _first_seen(session: Session) -> dict[tuple[int, int], int]:
    """first_run_id of every stored row, by (profile id, other id)."""
    rows = session.exec(select(MatchRow.profile_id, MatchRow.other_profile_id, col(MatchRow.first_run_id))).all()
    return {(p, o): f for p, o, f in rows if f is not None}


def write_matches(
    session: Session,
    run_id: int,
    *,
    full: bool,
    delete_pairs: list[tuple[str, str]],
    rerank: list[tuple[str, str, int]],
    removed: list[str],
    rows: Iterator[dict[str, Any]],
) -> int:
    """Apply a run's change to the stored matches within the caller's transaction; returns rows written.

    A pair that stays a match keeps the run in which it first appeared, also when its row is rewritten.
    In an incremental run a deleted pair that is written again (a changed profile's match that stays,
    with its new score and explanation) is updated in place rather than deleted and inserted: a row of
    the match table is in six indexes.
    """
    ids = _profile_ids(session)
    pairs = [(ids[p], ids[o]) for p, o in delete_pairs]
    # rows rewritten in place keep their first run; a row inserted by an incremental run is a new pair
    first = _first_seen(session) if full else {}
    if full:
        session.exec(delete(MatchRow))
    else:
        gone = [ids[k] for k in removed if k in ids]
        for start in range(0, len(gone), KEY_SLICE):
            part = gone[start : start + KEY_SLICE]
            session.exec(
                delete(MatchRow).where(
                    or_(col(MatchRow.profile_id).in_(part), col(MatchRow.other_profile_id).in_(part))
                )
            )
        if rerank:
            _match_rows_many(
                session,
                "UPDATE {match} SET rank = {v}, run_id = {v} WHERE profile_id = {v} AND other_profile_id = {v}",
                [(r, run_id, ids[p], ids[o]) for p, o, r in rerank],
            )
    stored = set(pairs)  # rows still there that this run deletes or rewrites
    written = 0
    batch: list[dict[str, Any]] = []
    again: list[dict[str, Any]] = []
    for m in rows:
        p, o = ids[m["profile"]], ids[m["other"]]
        row = {
            "run_id": run_id,
            "profile_id": p,
            "other_profile_id": o,
            "rank": m["rank"],
            "score": m["score"],
            "kind": m.get("kind", ""),
            "components": m["components"],
            "explanation": m["explanation"],
            "first_run_id": first.get((p, o), run_id),
        }
        if (p, o) in stored:
            stored.discard((p, o))
            again.append(row)
        else:
            batch.append(row)
        if len(batch) >= INSERT_CHUNK:
            written += _insert(session, batch)
            batch = []
        if len(again) >= INSERT_CHUNK:
            written += _rewrite(session, again)
            again = []
    written += _insert(session, batch) + _rewrite(session, again)
    if stored:
        rest = sorted(stored)
        _match_rows_many(session, "DELETE FROM {match} WHERE profile_id = {v} AND other_profile_id = {v}", rest)
    session.flush()
    return written


def _rewrite(session: Session, rows: list[dict[str, Any]]) -> int:
    """Stored rows of the same pairs given new contents."""
    if not rows:
        return 0
    json_value = "CAST({v} AS JSON)" if session.connection().dialect.name == "postgresql" else "{v}"
    _match_rows_many(
        session,
        "UPDATE {match} SET run_id = {v}, rank = {v}, score = {v}, kind = {v}, "
        f"components = {json_value}, explanation = {json_value} "
        "WHERE profile_id = {v} AND other_profile_id = {v}",
        [
            (
                r["run_id"],
                r["rank"],
                r["score"],
                r["kind"],
                json_text(r["components"]),
                json_text(r["explanation"]),
                r["profile_id"],
                r["other_profile_id"],
            )
            for r in rows
        ],
    )
    return len(rows)


def _match_rows_many(session: Session, statement: str, rows: list[tuple[Any, ...]]) -> None:
    """One statement on the match table for many rows of plain values, through the driver's executemany:
    SQLAlchemy's executemany processed every parameter of every row (a run deletes and re-ranks
    tens of thousands)."""
    connection = session.connection()
    dialect = connection.dialect
    table = dialect.identifier_preparer.quote(MatchRow.__tablename__)
    connection.exec_driver_sql(statement.format(match=table, v=bulk.placeholder(dialect)), rows)


def _insert(session: Session, batch: list[dict[str, Any]]) -> int:
    # through the driver (COPY on PostgreSQL): insert() spent more per row on its parameters than the
    # database did on the row
    bulk.insert_rows(session, MatchRow.__table__, batch)  # type: ignore[attr-defined]
    return len(batch)


def load_matches(
    session: Session, profile_keys: Iterable[str] | None = None, kinds: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Stored matches as plain dicts (profile key, other key, rank, score, kind, components, explanation),
    of the given kinds of match when `kinds` is given."""
    keys = {
        i: (k, fk)
        for i, k, fk in session.exec(
            select(ProfileRow.id, ProfileRow.key, FirmRow.key).join(FirmRow, col(FirmRow.id) == col(ProfileRow.firm_id))
        ).all()
    }
    query = select(MatchRow).order_by(MatchRow.profile_id, MatchRow.rank)
    if profile_keys is not None:
        asked = set(profile_keys)
        wanted = [i for i, (k, _) in keys.items() if k in asked]
        query = query.where(col(MatchRow.profile_id).in_(wanted))
    if kinds is not None:
        query = query.where(col(MatchRow.kind).in_(list(kinds)))
    out = []
    for m in session.exec(query).all():
        (pkey, pfirm), (okey, ofirm) = keys[m.profile_id], keys[m.other_profile_id]
        out.append(
            {
                "profile": pkey,
                "firm": pfirm,
                "other": okey,
                "other_firm": ofirm,
                "rank": m.rank,
                "score": m.score,
                "kind": m.kind,
                "components": m.components,
                "explanation": m.explanation,
            }
        )
    out.sort(key=lambda m: (m["profile"], m["rank"]))
    return out


def match_scores(session: Session) -> list[dict[str, Any]]:
    """Firm, other firm and score of every stored match: all the optimiser needs for pairwise synergy,
    without reading the components and explanations."""
    return [{"firm": a, "other_firm": b, "score": s} for a, b, s in firm_pair_scores(session)]


IN_LIST_LIMIT = 20_000  # ids bound in one IN list, within SQLite's and PostgreSQL's parameter limits


def match_scores_among(session: Session, firm_keys: Iterable[str]) -> list[dict[str, Any]]:
    """`match_scores` for the matches whose two firms are both among `firm_keys` (a proposal's
    candidates), read through the candidates' profiles rather than over every stored match."""
    keys = sorted(set(firm_keys))
    if len(keys) < 2:
        return []
    profile_firm: dict[int, str] = {}
    for key_part in slices(keys):
        profile_query = (
            select(ProfileRow.id, FirmRow.key)
            .join(FirmRow, col(FirmRow.id) == col(ProfileRow.firm_id))
            .where(col(FirmRow.key).in_(key_part))
        )
        profile_firm |= {p: k for p, k in session.exec(profile_query).all() if p is not None}
    ids = sorted(profile_firm)
    out = []
    # One IN list where the databases take it (a probe per id of the profile-and-rank index); the other
    # side is checked here, which is cheaper than a second list the planner might lead with.
    parts = [ids] if len(ids) <= IN_LIST_LIMIT else list(slices(ids))
    for profile_part in parts:
        match_query = select(MatchRow.profile_id, MatchRow.other_profile_id, MatchRow.score).where(
            col(MatchRow.profile_id).in_(profile_part)
        )
        for a, b, score in session.exec(match_query).all():
            if b in profile_firm:
                out.append({"firm": profile_firm[a], "other_firm": profile_firm[b], "score": score})
    return out
