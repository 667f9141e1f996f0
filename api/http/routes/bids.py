"""Bids: a large customer's package, and generating consortium proposals for it.

A generated batch is read here (`/bids/{key}/proposals`); one proposal, its decision and
document are in `proposals`, the solving job in `jobs`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api.actions import bidding
from api.http.deps import ContextDep, PagingDep, page_body
from api.http.params import BidKey, IfMatch
from api.http.routes.jobs import SOLVED_NOW, solver_config, started
from api.http.schemas.bids import BidIn, BidOut, JobOut, ProposalOut, SolveIn
from api.http.schemas.common import Page
from profiles.domain import BidStatus

router = APIRouter(tags=["bids"])

SOLVE_DEFAULTS = SolveIn()  # FastAPI gives every request its own copy


@router.get("/bids", response_model=Page[BidOut], response_model_exclude_unset=True, summary="Your cluster's bids")
def list_bids(ctx: ContextDep, p: PagingDep, status: Literal["open", "closed"] | None = None) -> dict:
    items, total = bidding.list_bids(ctx, status, p.offset, p.per_page)
    return page_body(items, total, p)


@router.post("/bids", response_model=BidOut, status_code=201)
def create_bid(ctx: ContextDep, body: BidIn) -> dict:
    return bidding.create_bid(ctx, body.model_dump(mode="json", exclude_unset=True))


@router.get("/bids/{key}", response_model=BidOut)
def get_bid(ctx: ContextDep, key: BidKey) -> dict:
    return bidding.get_bid(ctx, key)


@router.put("/bids/{key}", response_model=BidOut)
def update_bid(ctx: ContextDep, body: BidIn, key: BidKey, if_match: IfMatch = None) -> dict:
    return bidding.update_bid(ctx, key, body.model_dump(mode="json", exclude_unset=True), if_match)


@router.post("/bids/{key}/close", response_model=BidOut, summary="Close a bid: the nightly run stops proposing for it")
def close_bid(ctx: ContextDep, key: BidKey) -> dict:
    return bidding.set_bid_status(ctx, key, BidStatus.CLOSED)


@router.post("/bids/{key}/reopen", response_model=BidOut, summary="Reopen a closed bid")
def reopen_bid(ctx: ContextDep, key: BidKey) -> dict:
    return bidding.set_bid_status(ctx, key, BidStatus.OPEN)


@router.delete("/bids/{key}", status_code=204)
def delete_bid(ctx: ContextDep, key: BidKey) -> Response:
    bidding.delete_bid(ctx, key)
    return Response(status_code=204)


@router.post(
    "/bids/{key}/proposals",
    response_model=JobOut,
    status_code=202,
    summary="Generate ranked consortium proposals (a background job unless wait=true)",
    responses=SOLVED_NOW,
)
def generate(request: Request, ctx: ContextDep, key: BidKey, body: SolveIn = SOLVE_DEFAULTS) -> JSONResponse:
    job = bidding.generate(ctx, request.app.state.jobs, key, solver_config(ctx, body), body.wait)
    return started(job, body.wait)


@router.get("/bids/{key}/proposals", response_model=list[ProposalOut], response_model_exclude_unset=True)
def bid_proposals(
    ctx: ContextDep,
    key: BidKey,
    all_batches: Annotated[bool, Query(description="Include earlier batches.")] = False,
) -> list:
    return bidding.list_proposals(ctx, key, latest_only=not all_batches)
