"""Solve times of the demo bids with CBC and with HiGHS (python -m bench.demo_solve_times).

Loads the bundled demo data into a temporary SQLite database, scores it, then
proposes three alternatives per bid and one joint plan with each solver.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from api.actions import imports, match_runs, proposals
from api.actions.operator import open_database, operator
from matching.config import MatchingConfig
from optimizer.config import OptimizerConfig
from optimizer.solve import available_solvers
from profiles import repository
from profiles.db import session_scope
from profiles.settings import Settings

from .report import write_section

REPEATS = 3


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            DATABASE_URL=f"sqlite:///{Path(tmp) / 'bench.db'}", output_dir=Path(tmp), today=date(2026, 11, 21)
        )
        engine = open_database(settings)
        for path in imports.demo_files():
            imports.import_path(operator(engine, settings), path)
        match_runs.match_all(operator(engine, settings), MatchingConfig())
        with session_scope(engine) as session:
            bids = [b.key for b in repository.load_bids(session, only_open=True)]
        rows = []
        for key in bids:
            cells = [key]
            for solver in available_solvers():
                runs: list[tuple[str, float, float, int]] = []
                for _ in range(REPEATS):
                    _, outcome, _ = proposals.propose(
                        operator(engine, settings), key, OptimizerConfig(solver=solver), documents=False
                    )
                    if not outcome.feasible:
                        runs = [("no consortium (pre-check)", 0.0, 0.0, 0)]
                        break
                    solve = sum(p["solve_seconds"] for p in outcome.proposals)
                    first = outcome.proposals[0]
                    runs.append((first["solver_status"], first["build_seconds"], solve, len(outcome.proposals)))
                status, build, solve, k = min(runs, key=lambda run: run[2])  # the fastest solve
                cells.append(f"{status}, {k} alt., build {build * 1000:.0f} ms, solve {solve * 1000:.0f} ms")
            rows.append(cells)
        joint = []
        for solver in available_solvers():
            results = proposals.propose_all_open(
                operator(engine, settings), OptimizerConfig(solver=solver), documents=False
            )
            feasible = [o for _, o, _ in results if o.feasible]
            seconds = feasible[0].proposals[0]["solve_seconds"] if feasible else 0.0
            joint.append(
                f"{solver}: {len(feasible)} of {len(results)} bids staffed, {feasible[0].status if feasible else '-'}, "
                f"solve {seconds * 1000:.0f} ms"
            )
    solvers = available_solvers()
    body = [
        "Per bid: status of the best alternative, alternatives found (K = 3), model build time and the "
        f"total solve time of all alternatives (best of {REPEATS} runs).",
        "",
        "| bid | " + " | ".join(solvers) + " |",
        "|---|" + "---|" * len(solvers),
    ]
    body += ["| " + " | ".join(r) + " |" for r in rows]
    body += ["", "Joint plan over all open bids (firm availability across bids): " + "; ".join(joint) + "."]
    write_section("Demo bids: CBC and HiGHS", "python -m bench.demo_solve_times", "\n".join(body))
    print("\n".join(body))


if __name__ == "__main__":
    main()
