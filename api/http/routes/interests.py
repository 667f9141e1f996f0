"""Expressions of interest in a published profile, and the steps to an introduction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from fastapi import APIRouter

from api.actions import introductions
from api.actions.context import Context
from api.http.deps import ContextDep, PagingDep, page_body
from api.http.params import RecordId
from api.http.schemas.common import Page
from api.http.schemas.interests import InterestIn, InterestOut, NoteIn

router = APIRouter(tags=["introductions"])

NO_NOTE = NoteIn()  # FastAPI gives every request its own copy


@router.get("/interests", response_model=Page[InterestOut], response_model_exclude_unset=True)
def list_interests(
    ctx: ContextDep,
    p: PagingDep,
    status: Literal["sent", "forwarded", "accepted", "declined", "withdrawn"] | None = None,
) -> dict:
    items, total = introductions.list_for(ctx, status, p.offset, p.per_page)
    return page_body(items, total, p)


@router.post(
    "/interests",
    response_model=InterestOut,
    response_model_exclude_unset=True,
    status_code=201,
    summary="Express interest in a published profile",
)
def express(ctx: ContextDep, body: InterestIn) -> dict:
    return introductions.express(ctx, body.profile, body.message, body.sender_profile, body.firm)


@router.get("/interests/{interest_id}", response_model=InterestOut, response_model_exclude_unset=True)
def interest(ctx: ContextDep, interest_id: RecordId) -> dict:
    return introductions.get(ctx, interest_id)


def _step(action: Callable[[Context, int, str], dict], summary: str) -> None:
    """POST /interests/{interest_id}/<action>: one step of an interest, with an optional note for the record."""

    def step(ctx: ContextDep, interest_id: RecordId, body: NoteIn = NO_NOTE) -> dict:
        return action(ctx, interest_id, body.note)

    name = action.__name__
    router.post(
        f"/interests/{{interest_id}}/{name}",
        response_model=InterestOut,
        response_model_exclude_unset=True,
        summary=summary,
        name=f"interest_{name}",  # operation ids interest_forward_api_v1_interests__interest_id__forward_post and so on
    )(step)


_step(introductions.forward, "Owner's advisor forwards the interest to the owner")
_step(introductions.accept, "Owner accepts: both sides see each other's identity")
_step(introductions.decline, "Owner (or its advisor) declines")
_step(introductions.withdraw, "Sender withdraws before a decision")
