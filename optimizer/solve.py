"""Solver backends: CBC (bundled with PuLP) and HiGHS (highspy), with honest statuses.

PuLP's `prob.status` says "Optimal" after a time limit even when no plan was
found, so the result is read from `prob.sol_status` and the solver's own
bound: CBC's log, HiGHS's info. A time-limited result is reported with its
gap as "time limit", never as optimal.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass

import pulp

from profiles.errors import SolverUnavailable

from .config import OptimizerConfig

OPTIMAL = "optimal"
FEASIBLE = "time limit (feasible)"
INFEASIBLE = "infeasible"
NO_SOLUTION = "time limit (no plan found)"
ERROR = "solver error"


@dataclass(frozen=True)
class SolveResult:
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solver: str

    @property
    def has_plan(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)


def available_solvers() -> list[str]:
    out = ["cbc"]
    try:
        import highspy  # noqa: F401
    except ImportError:
        return out
    return out + ["highs"]


def _relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|bound − objective| / max(|objective|, |bound|), the convention CBC and HiGHS report."""
    if objective is None or bound is None:
        return None
    return abs(bound - objective) / max(1e-9, abs(objective), abs(bound))


_CBC_PATTERNS = {
    "result": re.compile(r"^Result - (.+)$", re.M),
    "objective": re.compile(r"^Objective value:\s+(\S+)", re.M),
    "bound": re.compile(r"^Lower bound:\s+(\S+)", re.M),
    "gap": re.compile(r"^Gap:\s+(\S+)", re.M),
}


def _read_cbc_log(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return {}
    out = {}
    for name, pattern in _CBC_PATTERNS.items():
        found = pattern.findall(text)
        if found:
            out[name] = found[-1].strip()
    return out


def _status(prob: pulp.LpProblem) -> str:
    if prob.sol_status == pulp.LpSolutionOptimal:
        return OPTIMAL
    if prob.sol_status == pulp.LpSolutionIntegerFeasible:
        return FEASIBLE
    if prob.sol_status == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
        return INFEASIBLE
    if prob.sol_status == pulp.LpSolutionNoSolutionFound:
        return NO_SOLUTION
    return ERROR


def solve(
    prob: pulp.LpProblem,
    config: OptimizerConfig,
    solver: str | None = None,
    time_limit: float | None = None,
    warm_start: bool = False,
) -> SolveResult:
    """Solve; with `warm_start` the variables' initial values are handed to the solver as a first plan."""
    solver = solver or config.solver
    limit = config.time_limit if time_limit is None else time_limit
    if solver == "cbc":
        return _solve_cbc(prob, config, limit, warm_start)
    if solver == "highs":
        return _solve_highs(prob, config, limit, warm_start)
    raise SolverUnavailable(f"unknown solver '{solver}'; choose cbc or highs")


def _solve_cbc(prob: pulp.LpProblem, config: OptimizerConfig, limit: float, warm_start: bool) -> SolveResult:
    fd, log_path = tempfile.mkstemp(prefix="partnermatch-cbc-", suffix=".log")
    os.close(fd)
    try:
        cmd = pulp.PULP_CBC_CMD(
            msg=False,
            timeLimit=limit,
            gapRel=config.gap_rel,
            logPath=log_path,
            threads=config.threads,
            warmStart=warm_start,
        )
        start = time.perf_counter()
        prob.solve(cmd)
        seconds = time.perf_counter() - start
        log = _read_cbc_log(log_path)
    finally:
        os.unlink(log_path)
    status = _status(prob)
    objective = pulp.value(prob.objective) if status in (OPTIMAL, FEASIBLE) else None
    gap = None
    if status == OPTIMAL:
        gap = 0.0 if "Stopped" not in log.get("result", "") else _gap_from_log(log)
        if "Stopped" in log.get("result", ""):
            status = FEASIBLE  # CBC stopped on time with a plan: PuLP calls it optimal, it is not proven.
    elif status == FEASIBLE:
        gap = _gap_from_log(log)
    bound = None
    if objective is not None and gap is not None:
        bound = objective + abs(objective) * gap
    return SolveResult(status, objective, bound, gap, seconds, "cbc")


def _gap_from_log(log: dict[str, str]) -> float | None:
    try:
        return abs(float(log["gap"]))
    except (KeyError, ValueError):
        try:
            return _relative_gap(abs(float(log["objective"])), abs(float(log["bound"])))
        except (KeyError, ValueError):
            return None


def _warm_highs_class() -> type:
    class WarmHiGHS(pulp.HiGHS):
        """PuLP's HiGHS backend, plus handing the variables' initial values over as a starting plan."""

        def callSolver(self, lp):  # noqa: N802 (PuLP's name)
            values = [var.varValue for var in lp.variables()]
            if all(v is not None for v in values):
                import highspy

                start = highspy.HighsSolution()
                start.col_value = [float(v) for v in values]
                start.value_valid = True
                lp.solverModel.setSolution(start)
            super().callSolver(lp)

    return WarmHiGHS


def _solve_highs(prob: pulp.LpProblem, config: OptimizerConfig, limit: float, warm_start: bool) -> SolveResult:
    if "highs" not in available_solvers():
        raise SolverUnavailable("the HiGHS solver needs the highspy package: pip install 'partnermatch[highs]'")
    backend = _warm_highs_class() if warm_start else pulp.HiGHS
    cmd = backend(msg=False, timeLimit=limit, gapRel=config.gap_rel, threads=config.threads)
    start = time.perf_counter()
    prob.solve(cmd)
    seconds = time.perf_counter() - start
    status = _status(prob)
    objective = pulp.value(prob.objective) if status in (OPTIMAL, FEASIBLE) else None
    bound = gap = None
    highs = getattr(prob, "solverModel", None)
    if highs is not None and objective is not None:
        info = highs.getInfo()
        # PuLP hands HiGHS the negated objective of a maximisation; turn the bound back.
        bound = float(info.mip_dual_bound) * (-1.0 if prob.sense == pulp.LpMaximize else 1.0)
        gap = 0.0 if status == OPTIMAL else _relative_gap(objective, bound)
        model_status = highs.modelStatusToString(highs.getModelStatus())
        if status == OPTIMAL and "time limit" in model_status.lower():
            status, gap = FEASIBLE, _relative_gap(objective, bound)
    return SolveResult(status, objective, bound, gap, seconds, "highs")
