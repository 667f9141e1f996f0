"""Expressions of interest in a published profile, and the steps to an introduction."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from api.actions import introductions
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


@router.post(
    "/interests/{interest_id}/forward",
    response_model=InterestOut,
    response_model_exclude_unset=True,
    summary="Owner's advisor forwards the interest to the owner",
)
def interest_forward(ctx: ContextDep, interest_id: RecordId, body: NoteIn = NO_NOTE) -> dict:
    return introductions.forward(ctx, interest_id, body.note)


@router.post(
    "/interests/{interest_id}/accept",
    response_model=InterestOut,
    response_model_exclude_unset=True,
    summary="Owner accepts: both sides see each other's identity",
)
def interest_accept(ctx: ContextDep, interest_id: RecordId, body: NoteIn = NO_NOTE) -> dict:
    return introductions.accept(ctx, interest_id, body.note)


@router.post(
    "/interests/{interest_id}/decline",
    response_model=InterestOut,
    response_model_exclude_unset=True,
    summary="Owner (or its advisor) declines",
)
def interest_decline(ctx: ContextDep, interest_id: RecordId, body: NoteIn = NO_NOTE) -> dict:
    return introductions.decline(ctx, interest_id, body.note)


@router.post(
    "/interests/{interest_id}/withdraw",
    response_model=InterestOut,
    response_model_exclude_unset=True,
    summary="Sender withdraws before a decision",
)
def interest_withdraw(ctx: ContextDep, interest_id: RecordId, body: NoteIn = NO_NOTE) -> dict:
    return introductions.withdraw(ctx, interest_id, body.note)
