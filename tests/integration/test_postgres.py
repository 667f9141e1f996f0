"""The same import → match → propose path on PostgreSQL (and on SQLite, side by side)."""

from __future__ import annotations

import pytest
from conftest import TODAY

from api.actions import exports, imports, match_runs, proposals
from api.actions.operator import operator
from matching.config import MatchingConfig
from optimizer.config import OptimizerConfig
from profiles import repository
from profiles.db import current_revision, head_revision, session_scope
from profiles.errors import ValidationFailed
from profiles.settings import Settings


@pytest.fixture
def any_settings(any_engine, tmp_path):
    return Settings(DATABASE_URL=any_engine.url.render_as_string(hide_password=False), output_dir=tmp_path, today=TODAY)


def test_full_path_on_both_databases(any_engine, any_settings, golden_path):
    assert current_revision(any_engine) == head_revision(any_engine)
    imports.import_path(operator(any_engine, any_settings), golden_path)
    assert imports.import_path(operator(any_engine, any_settings), golden_path).changed == 0
    summary = match_runs.match_all(operator(any_engine, any_settings), MatchingConfig())
    assert summary.matches > 0
    _, outcome, _ = proposals.propose(
        operator(any_engine, any_settings), "bid-tray", OptimizerConfig(), documents=False
    )
    assert {m["firm"] for m in outcome.proposals[0]["plan"]["members"]} == {"dk-alpha", "dk-gamma", "se-delta"}
    with session_scope(any_engine) as session:
        stored = repository.load_proposals(session, "bid-tray")
    assert [p["rank"] for p in stored] == [p["rank"] for p in outcome.proposals]


def test_bad_import_rolls_back_on_both_databases(any_engine, any_settings, golden_path, tmp_path):
    text = golden_path.read_text("utf-8").replace('"nace": ["31.09"]', '"nace": ["00.00"]')
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed):
        imports.import_path(operator(any_engine, any_settings), bad)
    with session_scope(any_engine) as session:
        assert repository.count_rows(session)["firms"] == 0


def test_same_results_on_sqlite_and_postgres(sqlite_url, postgres_url, tmp_path, golden_path):
    from profiles.db import make_engine, upgrade

    results = []
    for url in (sqlite_url, postgres_url):
        engine = make_engine(url)
        upgrade(engine)
        settings = Settings(DATABASE_URL=url, output_dir=tmp_path, today=TODAY)
        imports.import_path(operator(engine, settings), golden_path)
        match_runs.match_all(operator(engine, settings), MatchingConfig())
        _, outcome, _ = proposals.propose(operator(engine, settings), "bid-tray", OptimizerConfig(), documents=False)
        matches = exports.export_records(operator(engine, settings), "matches")
        results.append((matches, [p["plan"] for p in outcome.proposals]))
        engine.dispose()
    assert results[0] == results[1]


def test_rows_explained_by_worker_processes_are_stored_as_explained_here(
    any_engine, any_settings, golden_path, monkeypatch
):
    """A large run's rows are explained (JSON included) in forked worker processes: the stored rows,
    their JSON text included, are those of a run explaining them in the writing process."""
    import orjson
    from sqlalchemy import text

    from matching import stored_rows
    from profiles.db import json_text

    imports.import_path(operator(any_engine, any_settings), golden_path)
    stored_text = text(
        "SELECT profile_id, other_profile_id, rank, score, kind, CAST(components AS TEXT), "
        "CAST(explanation AS TEXT) FROM match ORDER BY profile_id, rank"
    )
    forks: list[int] = []
    real_forked_map = stored_rows.forked_map

    def counted(fn, items, processes):
        forks.append(processes)
        return real_forked_map(fn, items, processes)

    monkeypatch.setattr(stored_rows, "forked_map", counted)
    stored = []
    for processes in (1, 2):
        if processes > 1:
            monkeypatch.setattr(stored_rows, "FORK_FROM", 1)
            monkeypatch.setattr(stored_rows, "CHUNK", 3)
        settings = any_settings.model_copy(update={"match_processes": processes})
        match_runs.match_all(operator(any_engine, settings), MatchingConfig())
        with session_scope(any_engine) as session:
            stored.append(session.execute(stored_text).all())
    assert forks == [1, 2]
    assert len(stored[0]) >= 20  # several chunks for each child
    assert stored[0] == stored[1]
    # and the JSON is written as the database layer writes any JSON column
    assert all(json_text(orjson.loads(c)) == c and json_text(orjson.loads(e)) == e for *_, c, e in stored[0])
