"""The audit trail: who changed what, when."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.actions import audit_log
from api.http.deps import ContextDep, PagingDep, page_body
from api.http.schemas.audit import AuditOut
from api.http.schemas.common import Page

router = APIRouter(tags=["audit"])

Entity = Literal[
    "firm",
    "profile",
    "bid",
    "proposal",
    "interest",
    "account",
    "upload",
    "api_key",
    "credential",
    "achievement",
    "match_run",
    "matching_config",
]


@router.get(
    "/audit",
    response_model=Page[AuditOut],
    response_model_exclude_unset=True,
    summary="Who changed what, when (advisors: their cluster)",
)
def audit(
    ctx: ContextDep,
    p: PagingDep,
    entity: Entity | None = None,
    key: Annotated[str | None, Query(max_length=80)] = None,
    actor: Annotated[str | None, Query(max_length=80)] = None,
) -> dict:
    items, total = audit_log.list_events(ctx, entity, key, actor, p.offset, p.per_page)
    return page_body(items, total, p)
