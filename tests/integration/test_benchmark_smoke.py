"""The benchmark entry points still run (small sizes; they print and do not rewrite docs/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORDIS = ROOT.parent / "shared" / "data" / "cordis-horizon-europe"


@pytest.mark.slow
@pytest.mark.skipif(not CORDIS.exists() and not os.environ.get("CI"), reason="../shared/data is not beside the project")
def test_quality_evaluation_runs_on_a_few_projects():
    before = (ROOT / "docs" / "benchmarks.md").read_text("utf-8")
    # the 120-project set alone: the smoke test checks the code path, the full run uses both sets
    result = subprocess.run(
        [sys.executable, "-m", "bench.quality", "--limit", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PARTNERMATCH_CORDIS_DIR": str(CORDIS)},
    )
    assert result.returncode == 0, result.stderr
    assert "recall@20" in result.stdout
    assert "engine, tuned, with relationship" in result.stdout and "sentinel: fewest ties first" in result.stdout
    assert (ROOT / "docs" / "benchmarks.md").read_text("utf-8") == before


@pytest.fixture(scope="module")
def cordis_builder():
    sys.path.insert(0, str(ROOT))
    from bench.quality import data
    from bench.quality.cases import CaseBuilder
    from bench.quality.importer import import_cordis

    return CaseBuilder(import_cordis(data.load([CORDIS])))


@pytest.mark.slow
@pytest.mark.skipif(not CORDIS.exists(), reason="../shared/data is not beside the project")
def test_relationship_graph_never_uses_the_held_out_project_or_a_dropped_one(cordis_builder):
    from bench.quality import network
    from matching.ties import Ties

    builder = cordis_builder
    project = builder.evaluable()[0]
    members = set(builder.data.members(project))
    drop = {f: builder.dropped(f, project, members) for f in builder.describable}
    labelled = network.case_ties(builder.members_of, project, drop)
    assert labelled and all(q != project for q, _ in labelled)
    # every tie of an organisation comes from a project its text is built from
    assert all(drop.get(t.a) != q and drop.get(t.b) != q for q, t in labelled)
    assert all(q in builder.projects_of[t.a] and q in builder.projects_of[t.b] for q, t in labelled)

    graph = Ties.build(t for _, t in labelled)
    inside = sorted(members & set(builder.describable))
    for i, a in enumerate(inside):
        for b in inside[i + 1 :]:
            other = set(builder.projects_of[a]) & set(builder.projects_of[b]) - {project}
            assert graph.direct.get((min(a, b), max(a, b)), {}).get("project", 0) == len(other)

    # the sensitivity variant gives back only searcher ties from a project dropped for the candidate alone
    coordinator = builder.data.queries[project].firm_key
    extra = network.searcher_ties(builder.members_of, project, drop, coordinator)
    assert all(q != project and t.a == coordinator and drop[t.b] == q for q, t in extra)

    case = builder.build(project)
    # members and non-members lose exactly one project each (count-matched)
    assert all(case.remaining[k] == len(builder.projects_of[k]) - 1 for k in case.candidates)
    assert {drop[k] for k in case.real} == {project}
    # the case's relationship values and degrees are those of this graph
    for k in case.candidates:
        assert case.degree[k] == graph.degree(k)
        assert case.results[k]["relationship"] == network.relationship(graph, case.coordinator, k)
        assert case.results[k]["cross_border"].value == float(
            builder.data.firms[k].country != builder.data.firms[case.coordinator].country
        )
