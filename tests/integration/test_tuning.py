"""Outcomes → weights, end to end: interests expressed through the API keep the lists they came from,
`partnermatch tune` learns from the decided ones, stores a winning configuration only when told, and
the next match run uses it; a run of outcomes without signal stores nothing."""

from __future__ import annotations

import random
from datetime import date

import pytest
from apikit import exchange
from typer.testing import CliRunner

from api.cli.app import app
from matching.config import DEFAULT_WEIGHTS
from matching.learning import score
from profiles import repository
from profiles.db import make_engine, session_scope
from profiles.repository import history

TODAY = date(2026, 11, 21)
# what the simulated firms go for: near and in the same trade, whatever the text says
HIDDEN = dict.fromkeys(DEFAULT_WEIGHTS, 0.0) | {"geography": 0.6, "sector": 0.3, "size": 0.1}


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tune")
    return exchange(f"sqlite:///{tmp / 'tune.db'}", tmp / "out", TODAY)


def _lists(ex):
    engine = make_engine(ex.settings.database_url)
    with session_scope(engine, readonly=True) as session:
        matches = repository.load_matches(session)
        refs = {p.key: p.reference for p in repository.load_profiles(session)}
    engine.dispose()
    lists: dict[str, list[dict]] = {}
    for m in matches:
        lists.setdefault(m["profile"], []).append(m)
    return lists, refs


def _express(ex, sender_profile: str, sender_firm: str, target_ref: str, decide: str) -> int:
    sent = ex.post(
        "admin", "/interests", json={"profile": target_ref, "sender_profile": sender_profile, "firm": sender_firm}
    )
    assert sent.status_code == 201, sent.text
    interest = sent.json()["id"]
    if decide == "accept":
        assert ex.post("admin", f"/interests/{interest}/forward").status_code == 200
    assert ex.post("admin", f"/interests/{interest}/{decide}").status_code == 200
    return interest


def _cli(ex, *args: str, input: str | None = None):
    return CliRunner().invoke(
        app,
        ["--database-url", ex.settings.database_url, "--output-dir", str(ex.settings.output_dir), *args],
        env={"COLUMNS": "200"},
        input=input,
    )


def test_tune_learns_from_outcomes_of_shown_lists_and_stores_only_when_told(ex):
    lists, refs = _lists(ex)
    rng = random.Random(3)
    taken: set[tuple[str, str]] = set()
    expressed = 0
    for profile, rows in sorted(lists.items()):
        if len(rows) < 4:
            continue
        values = {
            r["other"]: {n: (None if c is None else c["value"]) for n, c in r["components"].items()} for r in rows
        }
        choice = max(rows, key=lambda r: (score(values[r["other"]], HIDDEN), r["other"]))
        decline = rng.choice([r for r in rows if r is not choice])
        for row, decide in ((choice, "accept"), (decline, "decline")):
            if (row["firm"], row["other"]) in taken:
                continue
            taken.add((row["firm"], row["other"]))
            _express(ex, profile, row["firm"], refs[row["other"]], decide)
            expressed += 1
    engine = make_engine(ex.settings.database_url)
    with session_scope(engine, readonly=True) as session:
        kept = history.shown_lists(session)
    assert len(kept) == expressed > 60
    # the list kept is the sender profile's stored list, every candidate with its component values
    first = kept[0]
    assert first["target"] in {c["key"] for c in first["candidates"]}
    assert all(set(c["values"]) == set(DEFAULT_WEIGHTS) for c in first["candidates"])

    asked = _cli(ex, "tune", "--min-lists", "20", input="n\n")
    assert asked.exit_code == 0, asked.output
    assert "MRR before" in asked.output and "not stored" in asked.output
    with session_scope(engine, readonly=True) as session:
        assert history.active_config(session) is None

    stored = _cli(ex, "tune", "--min-lists", "20", "--yes")
    assert "stored as matching configuration #1 (active)" in stored.output, stored.output
    with session_scope(engine, readonly=True) as session:
        row = history.active_config(session)
        assert row is not None and row.source == "tune"
        assert row.metrics["held_out"]["difference"][1] > 0
        learned = row.config["weights"]
        assert learned["geography"] > DEFAULT_WEIGHTS["geography"] and learned["text"] < DEFAULT_WEIGHTS["text"]
    shown = _cli(ex, "config")
    assert "active matching configuration: tune #1" in shown.output
    over_http = ex.get("dac-advisor", "/matching/config").json()
    assert over_http["provenance"]["source"] == "tune" and over_http["config"]["weights"] == learned
    assert ex.get("nordalu", "/matching/config").status_code == 403
    matched = _cli(ex, "match")
    assert matched.exit_code == 0, matched.output
    with session_scope(engine, readonly=True) as session:
        assert repository.latest_run(session).config["weights"] == learned
    restored = _cli(ex, "config", "--activate", "1")
    assert "restored #2" in restored.output
    missing = _cli(ex, "config", "--activate", "99")
    assert missing.exit_code == 1 and "no stored matching configuration #99" in missing.output
    engine.dispose()


def test_an_interest_in_a_profile_never_shown_keeps_no_list(ex):
    lists, refs = _lists(ex)
    profile = sorted(lists)[0]
    firm = lists[profile][0]["firm"]
    shown = {r["other"] for r in lists[profile]}
    engine = make_engine(ex.settings.database_url)
    with session_scope(engine, readonly=True) as session:
        others = [
            p
            for p in repository.load_profiles(session)
            if p.key not in shown and p.firm_key != firm and p.reference and p.status.value == "published"
        ]
    target = others[0]
    interest = _express(ex, profile, firm, target.reference, "decline")
    with session_scope(engine, readonly=True) as session:
        assert interest not in {entry["interest"] for entry in history.shown_lists(session)}
    engine.dispose()
