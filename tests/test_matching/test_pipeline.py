"""The matching pipeline on the golden dataset: candidates, top-k, explanations, determinism."""

from __future__ import annotations

from conftest import TODAY

from api.actions import imports, match_runs
from api.actions.operator import operator
from matching.config import MatchingConfig
from matching.pipeline import matchable, run_matching
from profiles import repository
from profiles.db import session_scope
from profiles.taxonomy.vocabulary import load_vocabulary


def _load(engine, settings, golden_path):
    imports.import_path(operator(engine, settings), golden_path)
    with session_scope(engine) as session:
        profiles = matchable(repository.load_profiles(session), TODAY)
        firms = {f.key: f for f in repository.load_firms(session)}
    return profiles, firms


def test_only_published_unexpired_profiles_match(engine, settings, golden_path):
    profiles, _ = _load(engine, settings, golden_path)
    assert "no-epsilon-draft" not in {p.key for p in profiles}
    assert len(profiles) == 6


def test_offer_meets_request_with_explanation(engine, settings, golden_path):
    profiles, firms = _load(engine, settings, golden_path)
    result = run_matching(profiles, firms, MatchingConfig(), load_vocabulary())
    for_request = [m for m in result.matches if m["profile"] == "dk-gamma-br-1"]
    assert for_request[0]["other"] == "se-delta-bo-1"
    why = for_request[0]["explanation"]
    assert "e-coating" in " ".join(why["they_offer_what_you_seek"]).lower()
    assert why["drivers"][0]["component"] in {"complementarity", "text", "capabilities"}
    seen_from_offer = [m for m in result.matches if m["profile"] == "se-delta-bo-1" and m["other"] == "dk-gamma-br-1"]
    assert seen_from_offer and seen_from_offer[0]["explanation"]["you_offer_what_they_seek"]


def test_no_pairs_within_one_firm_ranks_are_dense_and_partners_lead(engine, settings, golden_path):
    profiles, firms = _load(engine, settings, golden_path)
    result = run_matching(profiles, firms, MatchingConfig(top_k=3, complement_top_k=1, peer_k=2), load_vocabulary())
    owner = {p.key: p.firm_key for p in profiles}
    by_profile: dict[str, list[dict]] = {}
    for m in result.matches:
        assert owner[m["profile"]] != owner[m["other"]]
        by_profile.setdefault(m["profile"], []).append(m)
    for rows in by_profile.values():
        assert [m["rank"] for m in rows] == list(range(1, len(rows) + 1))
        peers = [m["kind"] == "peer" for m in rows]
        assert peers == sorted(peers), "a peer above a partner"
        assert sum(peers) <= 2 and len(rows) - sum(peers) <= 3 + 1


def test_matching_is_deterministic(engine, settings, golden_path):
    profiles, firms = _load(engine, settings, golden_path)
    first = run_matching(profiles, firms, MatchingConfig(), load_vocabulary()).matches
    second = run_matching(list(reversed(profiles)), firms, MatchingConfig(), load_vocabulary()).matches
    assert first == second


def test_stored_matches_carry_components(engine, settings, golden_path):
    imports.import_path(operator(engine, settings), golden_path)
    summary = match_runs.match_all(operator(engine, settings), MatchingConfig())
    assert summary.profiles == 6 and summary.matches > 0
    subject, rows = match_runs.matches_for(operator(engine, settings), "dk-gamma")
    assert subject.startswith("firm dk-gamma")
    assert all(set(r["components"]) == set(MatchingConfig().weights) for r in rows)
    assert all(r["other_reference"] for r in rows)
