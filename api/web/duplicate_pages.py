"""Duplicate firms on the workspace: an advisor resolves a flagged pair from either firm's page, or undoes a merge."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.actions import duplicates
from api.actions.context import Context
from api.http.params import RecordId
from api.web.render import redirect
from api.web.session import check_csrf, web_context

router = APIRouter()


@router.post("/duplicates/{pair_id}/resolve")
async def resolve(request: Request, pair_id: RecordId, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    decision, keep = str(form.get("decision") or ""), str(form.get("keep") or "") or None
    view = await run_in_threadpool(duplicates.resolve, ctx, pair_id, decision, keep)
    first, second = view["first"], view["second"]
    if view["status"] == "different":
        return redirect(
            f"/firms/{first['key']}#duplicates",
            f"Dismissed for good: {first['name']} and {second['name']} are different firms.",
        )
    merged = second if view["kept"] == first["key"] else first
    return redirect(
        f"/firms/{view['kept']}#duplicates",
        f"Merged: {merged['name']} ({merged['key']}) is now part of this firm; its key leads here. "
        "You can undo the merge below.",
    )


@router.post("/duplicates/{pair_id}/undo")
async def undo(request: Request, pair_id: RecordId, ctx: Context = Depends(web_context)) -> Response:
    check_csrf(request, await request.form())
    view = await run_in_threadpool(duplicates.undo, ctx, pair_id)
    return redirect(
        f"/firms/{view['first']['key']}#duplicates",
        f"Merge undone: {view['first']['name']} and {view['second']['name']} are two firms again, still flagged.",
    )
