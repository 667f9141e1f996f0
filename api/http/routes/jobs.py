"""Background jobs (solving a bid), and how the routes that start one answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.actions import bidding
from api.actions.context import Context
from api.http.deps import API_PREFIX, ContextDep
from api.http.params import RecordId
from api.http.schemas.bids import JobOut, SolveIn
from optimizer.config import OptimizerConfig

router = APIRouter(tags=["bids"])

# For routes that start a job: 200 when asked to wait (the default 202 is the route's own).
SOLVED_NOW: dict[int | str, dict[str, Any]] = {
    200: {"model": JobOut, "description": "Solved before answering (wait=true)."}
}


def solver_config(ctx: Context, body: SolveIn) -> OptimizerConfig:
    """The solver options of a request, the time limit capped by the server's."""
    return OptimizerConfig(
        solver=body.solver, alternatives=body.alternatives, time_limit=min(body.time_limit, ctx.settings.max_time_limit)
    )


def started(job: dict[str, Any], waited: bool) -> JSONResponse:
    """A job just started (202) or already finished (200), with where to follow it."""
    return JSONResponse(job, status_code=200 if waited else 202, headers={"Location": f"{API_PREFIX}/jobs/{job['id']}"})


@router.get("/jobs/{job_id}", response_model=JobOut, summary="Status of a background job")
def job(ctx: ContextDep, job_id: RecordId) -> dict:
    return bidding.get_job(ctx, job_id)
