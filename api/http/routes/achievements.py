"""Partnering achievements: the partnership agreements firms signed, recorded by their advisors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.actions import achievements
from api.http.deps import ContextDep, PagingDep, page_body
from api.http.params import ClusterName, RecordId
from api.http.schemas.achievements import AchievementIn, AchievementOut
from api.http.schemas.common import Page

router = APIRouter(tags=["achievements"])


@router.get(
    "/achievements",
    response_model=Page[AchievementOut],
    response_model_exclude_unset=True,
    summary="Partnering achievements (advisors: their cluster; firm users: their firm, "
    "partners by alias until introduced)",
)
def list_achievements(
    ctx: ContextDep,
    p: PagingDep,
    cluster: ClusterName = None,
    firm: Annotated[str | None, Query(max_length=80, description="Firm key or alias.")] = None,
) -> dict:
    items, total = achievements.list_for(ctx, cluster, firm, p.offset, p.per_page)
    return page_body(items, total, p)


@router.post(
    "/achievements",
    response_model=AchievementOut,
    response_model_exclude_unset=True,
    status_code=201,
    summary="Record a partnership agreement a firm of your cluster signed",
)
def record_achievement(ctx: ContextDep, body: AchievementIn) -> dict:
    return achievements.add(ctx, body.model_dump(exclude_none=True))


@router.delete("/achievements/{achievement_id}", status_code=204)
def delete_achievement(ctx: ContextDep, achievement_id: RecordId) -> Response:
    achievements.delete(ctx, achievement_id)
    return Response(status_code=204)
