"""The active matching configuration (weights, limits) and where it came from."""

from __future__ import annotations

from fastapi import APIRouter

from api.actions import tuning
from api.http.deps import ContextDep

router = APIRouter(tags=["audit"])


@router.get(
    "/matching/config",
    summary="The active matching configuration (weights, limits) and its provenance: defaults, tuned or restored",
)
def matching_config(ctx: ContextDep) -> dict:
    return tuning.active_view(ctx)
