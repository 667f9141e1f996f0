"""Bids, proposal generation with progress, alternatives side by side, decisions and documents."""

from __future__ import annotations

import re
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.actions import bidding, documents
from api.actions.context import Context
from api.http.params import RecordId
from api.web.forms import bid_form, bid_raw, field_errors, requirement_rows
from api.web.proposal_views import (
    confidence_reasons,
    coverage_matrix,
    difference,
    fit_words,
    member_refs,
    synergy_pairs,
)
from api.web.render import page, redirect
from api.web.session import check_csrf, web_context
from optimizer.config import OptimizerConfig
from profiles.domain import BidStatus
from profiles.errors import NotFound, PartnermatchError, RowError, ValidationFailed

router = APIRouter()
SOLVERS = ("cbc", "highs")


@router.get("/bids", response_class=HTMLResponse)
def bids(request: Request, status: Literal["", "open", "closed"] = "", ctx: Context = Depends(web_context)) -> Response:
    items, total = bidding.list_bids(ctx, status or None, 0, 500)
    return page(request, "bids.html.j2", bids=items, total=total, status=status)


def _bid_form(
    request: Request,
    values: dict[str, str],
    form: FormData | None,
    errors: dict[str, list[str]],
    message: str | None,
    status: int = 200,
    editing: str | None = None,
    rows: list[dict[str, str]] | None = None,
) -> Response:
    return page(
        request,
        "bid_form.html.j2",
        http_status=status,
        values=values,
        requirements=rows if rows is not None else requirement_rows(form),
        errors=errors,
        message=message,
        editing=editing,
    )


@router.get("/bids-new", response_class=HTMLResponse)
def new_bid(request: Request, ctx: Context = Depends(web_context)) -> Response:
    values = {"min_size": "2", "max_size": "5", "min_countries": "1"}
    return _bid_form(request, values, None, {}, None)


@router.post("/bids-new", response_class=HTMLResponse)
async def create_bid(request: Request, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        view = await run_in_threadpool(bidding.create_bid, ctx, bid_raw(form))
    except ValidationFailed as exc:
        return _bid_form(
            request,
            values,
            form,
            field_errors(exc.errors),
            f"{len(exc.errors)} problem(s) to fix; nothing was saved.",
            422,
        )
    except PartnermatchError as exc:
        return _bid_form(request, values, form, {}, str(exc), 409)
    return redirect(f"/bids/{view['key']}", f"Bid {view['key']} created. Generate proposals when ready.")


@router.get("/bids/{key}/edit", response_class=HTMLResponse)
def edit_bid(request: Request, key: str, ctx: Context = Depends(web_context)) -> Response:
    values, rows = bid_form(bidding.get_bid(ctx, key))
    return _bid_form(request, values, None, {}, None, editing=key, rows=rows)


@router.post("/bids/{key}/edit", response_class=HTMLResponse)
async def save_bid(request: Request, key: str, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        await run_in_threadpool(
            bidding.update_bid, ctx, key, bid_raw(form), values.get("version") or None, keep_unlisted=True
        )
    except ValidationFailed as exc:
        return _bid_form(
            request,
            values,
            form,
            field_errors(exc.errors),
            f"{len(exc.errors)} problem(s) to fix; nothing was saved.",
            422,
            editing=key,
        )
    except NotFound:
        raise
    except PartnermatchError as exc:
        return _bid_form(request, values, form, {}, str(exc), 409, editing=key)
    return redirect(f"/bids/{key}", f"Bid {key} saved. Generate proposals again to use the changes.")


@router.post("/bids/{key}/status", response_class=HTMLResponse)
async def bid_status(request: Request, key: str, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    wanted = str(form.get("status") or "")
    if wanted not in {s.value for s in BidStatus}:
        raise ValidationFailed([RowError("bid", "status", wanted, "open or closed")], "bid")
    await run_in_threadpool(bidding.set_bid_status, ctx, key, BidStatus(wanted))
    done = "closed: the nightly run no longer proposes for it" if wanted == "closed" else "reopened"
    return redirect(f"/bids/{key}", f"Bid {key} {done}.")


def _solver_form(form: FormData, ctx: Context) -> OptimizerConfig:
    errors: list[RowError] = []

    def number(name: str, low: float, high: float, default: float) -> float:
        text = str(form.get(name) or "").strip()
        if not text:
            return default
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:
            errors.append(RowError("solve", name, text, f"a number from {low:g} to {high:g}"))
            return default
        return value

    solver = str(form.get("solver") or "cbc")
    if solver not in SOLVERS:
        errors.append(RowError("solve", "solver", solver, f"one of {', '.join(SOLVERS)}"))
    alternatives = int(number("alternatives", 1, 10, 3))
    time_limit = number("time_limit", 1, ctx.settings.max_time_limit, min(30, ctx.settings.max_time_limit))
    if errors:
        raise ValidationFailed(errors, "solve")
    return OptimizerConfig(solver=solver, alternatives=alternatives, time_limit=time_limit)


def _bid_page(
    request: Request,
    ctx: Context,
    key: str,
    errors: dict[str, list[str]] | None = None,
    message: str | None = None,
    status: int = 200,
    confirm: dict[str, object] | None = None,
) -> Response:
    bid = bidding.get_bid(ctx, key)
    every = bidding.list_proposals(ctx, key, latest_only=False)
    standing = [p["batch"] for p in every if p["status"] != "alternative"]
    proposals = [p for p in every if standing and p["batch"] == max(standing)]
    recommended = next((p for p in proposals if p["rank"] == 1 and p["feasible"]), None)
    shown = [
        dict(
            p,
            difference=difference(p, recommended),
            fit=fit_words((p["explanation"].get("confidence") or {}).get("value")) if p["feasible"] else "",
            fit_reasons=confidence_reasons(p) if p["feasible"] else "",
            matrix=coverage_matrix(p),
            pairs=synergy_pairs(p),
            refs=member_refs(p),
            svg=documents.consortium_picture(p["plan"]),
        )
        for p in proposals
    ]
    alternatives = [p for p in every if p["status"] == "alternative"]
    names = {f["firm"]: f["name"] for f in bid.get("firm_names", [])}
    return page(
        request,
        "bid.html.j2",
        http_status=status,
        bid=bid,
        proposals=shown,
        alternatives=alternatives,
        errors=errors or {},
        message=message,
        solvers=SOLVERS,
        max_time=ctx.settings.max_time_limit,
        names=names,
        confirm=confirm,
    )


@router.get("/bids/{key}", response_class=HTMLResponse)
def bid(request: Request, key: str, ctx: Context = Depends(web_context)) -> Response:
    return _bid_page(request, ctx, key)


@router.post("/bids/{key}/generate", response_class=HTMLResponse)
async def generate(request: Request, key: str, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    try:
        config = _solver_form(form, ctx)
    except ValidationFailed as exc:
        return await run_in_threadpool(
            _bid_page,
            request,
            ctx,
            key,
            field_errors(exc.errors),
            "The solver settings need fixing; nothing was started.",
            422,
        )
    job = await run_in_threadpool(bidding.generate, ctx, request.app.state.jobs, key, config, False)
    return redirect(f"/jobs/{job['id']}")


@router.post("/proposals/{proposal_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, proposal_id: RecordId, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    firm, action = str(form.get("firm") or ""), str(form.get("action") or "")
    if action not in ("lock", "exclude", "unlock") or not firm:
        raise ValidationFailed(
            [RowError("edit", "action", action, "choose a firm and lock, exclude or unlock")], "edit"
        )
    config = _solver_form(form, ctx)
    lists: dict[str, list[str]] = {"lock": [], "exclude": [], "unlock": []}
    lists[action].append(firm)
    job = await run_in_threadpool(
        bidding.edit_and_reoptimise,
        ctx,
        request.app.state.jobs,
        proposal_id,
        lists["lock"],
        lists["exclude"],
        lists["unlock"],
        config,
        False,
    )
    return redirect(f"/jobs/{job['id']}")


@router.post("/proposals/{proposal_id}/decision")
async def decide(request: Request, proposal_id: RecordId, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    decision = str(form.get("decision") or "")
    if decision not in ("accepted", "rejected"):
        raise ValidationFailed([RowError("decision", "decision", decision, "accept or reject")], "decision")
    note = str(form.get("note") or "").strip()[:2000]
    supersede = form.get("supersede") == "yes"
    if decision == "accepted" and not supersede:
        other = await run_in_threadpool(bidding.accepted_other, ctx, proposal_id)
        if other is not None:
            key = (await run_in_threadpool(bidding.get_proposal, ctx, proposal_id))["bid"]
            confirm = {"proposal": proposal_id, "other": other, "note": note}
            return await run_in_threadpool(_bid_page, request, ctx, key, None, None, 409, confirm)
    view = await run_in_threadpool(bidding.decide, ctx, proposal_id, decision, note, supersede)
    return redirect(f"/bids/{view['bid']}#proposal-{proposal_id}", f"Proposal {proposal_id} {decision}.")


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job(request: Request, job_id: RecordId, ctx: Context = Depends(web_context)) -> Response:
    return page(request, "job.html.j2", job=bidding.get_job(ctx, job_id))


@router.get("/jobs/{job_id}/status")
def job_status(job_id: RecordId, ctx: Context = Depends(web_context)) -> Response:
    return JSONResponse(bidding.get_job(ctx, job_id))


@router.get("/proposals/{proposal_id}/document.{fmt}")
def document(
    proposal_id: RecordId,
    fmt: Literal["pdf", "html", "md"],
    for_firm: str = Query("", alias="for", max_length=80),
    ctx: Context = Depends(web_context),
) -> Response:
    content, media = bidding.document(ctx, proposal_id, fmt, for_firm or None)
    suffix = "-for-" + re.sub(r"[^A-Za-z0-9_.-]", "", for_firm) if for_firm else ""
    name = f"proposal-{proposal_id}{suffix}.{fmt}"
    disposition = "attachment" if fmt in ("pdf", "md") else "inline"
    return Response(content, media_type=media, headers={"Content-Disposition": f'{disposition}; filename="{name}"'})
