"""Outcomes per cluster over a period: interests and answer times, proposals, agreements."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.actions import outcomes
from api.http.deps import ContextDep
from api.http.schemas.achievements import OutcomesOut
from profiles.errors import RowError, ValidationFailed

router = APIRouter(tags=["achievements"])

DAY = r"^\d{4}-\d{2}-\d{2}$"


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed([RowError("query", name, value, "not a calendar date (YYYY-MM-DD)")], "query") from None


@router.get(
    "/outcomes",
    response_model=OutcomesOut,
    summary="Outcomes per cluster: interests, answer times, proposals, agreements (advisors: their cluster)",
)
def cluster_outcomes(
    ctx: ContextDep,
    cluster: Annotated[
        str | None, Query(max_length=200, description="Administrators: one cluster (default: every cluster).")
    ] = None,
    since: Annotated[
        str | None, Query(pattern=DAY, description="First day, YYYY-MM-DD (default: from the start).")
    ] = None,
    until: Annotated[str | None, Query(pattern=DAY, description="Last day, YYYY-MM-DD (default: up to now).")] = None,
) -> dict:
    return outcomes.report(ctx, cluster, _day(since, "since"), _day(until, "until"))
