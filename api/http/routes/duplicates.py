"""Duplicate firms: the pairs imports flagged as possibly the same firm, and advisors' decisions on them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.actions import duplicates
from api.http.deps import ContextDep
from api.http.params import RecordId
from api.http.schemas.duplicates import DuplicateDecision, DuplicatePairOut

router = APIRouter(tags=["duplicates"])


@router.get(
    "/duplicates",
    response_model=list[DuplicatePairOut],
    response_model_exclude_none=True,
    summary="Flagged duplicate firms (advisors: pairs of their cluster; administrators: all)",
)
def list_duplicates(
    ctx: ContextDep,
    status: Annotated[Literal["open", "same", "different", "all"], Query()] = "open",
    firm: Annotated[str | None, Query(max_length=80, description="Only pairs naming this firm (key).")] = None,
) -> list[dict]:
    return duplicates.list_pairs(ctx, None if status == "all" else status, firm)


@router.post(
    "/duplicates/{pair_id}/resolve",
    response_model=DuplicatePairOut,
    response_model_exclude_none=True,
    summary="Resolve a flagged pair: the same firm (merge into `keep`) or different firms (dismiss for good)",
)
def resolve_duplicate(ctx: ContextDep, pair_id: RecordId, body: DuplicateDecision) -> dict:
    return duplicates.resolve(ctx, pair_id, body.decision, body.keep)


@router.post(
    "/duplicates/{pair_id}/undo",
    response_model=DuplicatePairOut,
    response_model_exclude_none=True,
    summary="Undo a merge: both firms and what moved are restored, the pair is open again",
)
def undo_merge(ctx: ContextDep, pair_id: RecordId) -> dict:
    return duplicates.undo(ctx, pair_id)
