"""Consortium proposals: one proposal, the advisor's decision, editing and re-optimising, the document."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api.actions import bidding
from api.http.deps import ContextDep
from api.http.params import RecordId
from api.http.routes.jobs import SOLVED_NOW, solver_config, started
from api.http.schemas.bids import DecisionIn, EditIn, JobOut, ProposalOut

router = APIRouter(tags=["bids"])


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, response_model_exclude_unset=True)
def proposal(ctx: ContextDep, proposal_id: RecordId) -> dict:
    return bidding.get_proposal(ctx, proposal_id)


@router.post(
    "/proposals/{proposal_id}/decision",
    response_model=ProposalOut,
    response_model_exclude_unset=True,
    summary="Accept or reject a proposal, with a note",
)
def decide(ctx: ContextDep, body: DecisionIn, proposal_id: RecordId) -> dict:
    return bidding.decide(ctx, proposal_id, body.decision, body.note, body.supersede)


@router.post(
    "/proposals/{proposal_id}/edit",
    response_model=JobOut,
    status_code=202,
    summary="Lock in or exclude firms on the bid and re-optimise",
    responses=SOLVED_NOW,
)
def edit(request: Request, ctx: ContextDep, body: EditIn, proposal_id: RecordId) -> JSONResponse:
    job = bidding.edit_and_reoptimise(
        ctx,
        request.app.state.jobs,
        proposal_id,
        body.lock,
        body.exclude,
        body.unlock,
        solver_config(ctx, body),
        body.wait,
    )
    return started(job, body.wait)


@router.get(
    "/proposals/{proposal_id}/document",
    summary="The proposal document (Markdown, HTML or PDF)",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}, "text/html": {}, "application/pdf": {}}}},
)
def document(
    ctx: ContextDep,
    proposal_id: RecordId,
    format: Literal["md", "html", "pdf"] = "html",
    for_firm: Annotated[
        str | None,
        Query(
            alias="for",
            max_length=80,
            description="A member firm (key or alias): the document as that firm may see it.",
        ),
    ] = None,
) -> Response:
    content, media = bidding.document(ctx, proposal_id, format, for_firm)
    name = f"proposal-{proposal_id}.{format}"
    disposition = "attachment" if format == "pdf" else "inline"
    return Response(content, media_type=media, headers={"Content-Disposition": f'{disposition}; filename="{name}"'})
