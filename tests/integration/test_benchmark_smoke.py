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
    result = subprocess.run([sys.executable, "-m", "bench.quality", "--limit", "3"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600, env={**os.environ, "PARTNERMATCH_CORDIS_DIR": str(CORDIS)})
    assert result.returncode == 0, result.stderr
    assert "recall@20" in result.stdout
    assert (ROOT / "docs" / "benchmarks.md").read_text("utf-8") == before
