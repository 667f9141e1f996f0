"""`partnermatch --help` loads only the command line itself: the engine and its libraries wait for a command."""

from __future__ import annotations

import json
import subprocess
import sys

# what made `--help` take seconds when api.cli.app imported the actions at the top
HEAVY = ("sklearn", "scipy", "numpy", "sqlalchemy", "sqlmodel", "pydantic", "pulp", "fastapi", "rapidfuzz")
HEAVY += ("api.actions", "matching", "optimizer")

PROGRAM = """
import json, sys
sys.argv = ["partnermatch", "--help"]
from api.cli.app import run
try:
    run()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "loaded": sorted(m for m in %r if m in sys.modules)}), file=sys.stderr)
"""


def test_help_imports_none_of_the_engine_libraries():
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM % (HEAVY,)], capture_output=True, text=True, timeout=60, check=True
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report == {"exit": 0, "loaded": []}
    assert "Usage: partnermatch" in result.stdout and "propose" in result.stdout
