"""The cluster map and the expressions-of-interest inbox."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.actions import cluster_map as cluster_report
from api.actions import introductions, outcomes
from api.actions.context import Context
from api.actions.match_network import MapChoice, match_network
from api.http.params import RecordId
from api.web.forms import field_errors
from api.web.render import page, redirect
from api.web.session import check_csrf, web_context
from profiles.errors import RowError, ValidationFailed
from profiles.taxonomy.nace import load_nace, normalise_nace_code
from profiles.taxonomy.vocabulary import load_vocabulary
from profiles.visibility import Role

router = APIRouter()


@router.get("/map", response_class=HTMLResponse)
def map_page(
    request: Request,
    capability: str = Query("", max_length=200),
    sector: str = Query("", max_length=10),
    min_score: float = Query(0.3, ge=0, le=1),
    per_firm: int = Query(3, ge=1, le=10),
    cluster: str = Query("", max_length=200),
    since: str = Query("", max_length=10),
    until: str = Query("", max_length=10),
    ctx: Context = Depends(web_context),
) -> Response:
    if ctx.viewer.role == Role.FIRM:
        return page(request, "map_mine.html.j2", mine=cluster_report.firm_aggregate(ctx))
    filters: dict[str, Any] = {
        "capability": capability.strip(),
        "sector": sector.strip(),
        "min_score": min_score,
        "per_firm": per_firm,
        "cluster": cluster.strip(),
        "since": since.strip(),
        "until": until.strip(),
    }
    errors: list[RowError] = []
    days = {name: _day(filters[name], name, errors) for name in ("since", "until")}
    concept = nace = None
    if filters["capability"]:
        concept = load_vocabulary().normalise(filters["capability"]).concept_id
        if concept is None:
            errors.append(RowError("filter", "capability", capability, "not a capability the vocabulary knows"))
    if filters["sector"]:
        nace = normalise_nace_code(filters["sector"])
        if nace not in load_nace() or nace.isalpha():
            errors.append(
                RowError("filter", "sector", sector, "not a NACE Rev. 2 division, group or class (e.g. 24 or 25.62)")
            )
    if errors:
        return page(
            request,
            "map.html.j2",
            http_status=422,
            result=None,
            filters=filters,
            relations=None,
            errors=field_errors(ValidationFailed(errors, "filter").errors),
        )
    result = match_network(
        ctx,
        MapChoice(
            cluster=filters["cluster"] or None, concept=concept, nace=nace, min_score=min_score, per_firm=per_firm
        ),
    )
    relations_map = cluster_report.cluster_map(ctx, result["cluster"]) if result["cluster"] else None
    try:
        partnering = outcomes.report(ctx, result["cluster"], days["since"], days["until"])
    except ValidationFailed as exc:
        if any(e.field != "cluster" for e in exc.errors):
            return page(
                request,
                "map.html.j2",
                http_status=422,
                result=None,
                filters=filters,
                relations=None,
                errors=field_errors(exc.errors),
            )
        partnering = None  # a cluster no firm belongs to has no outcomes either
    return page(
        request,
        "map.html.j2",
        result=result,
        filters=filters,
        errors={},
        relations=relations_map,
        report_query=urlencode({"cluster": result["cluster"]}) if result["cluster"] else "",
        outcomes=partnering,
        duration=outcomes.duration,
    )


def _day(text: str, name: str, errors: list[RowError]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(RowError("filter", name, text, "not a date; write it as YYYY-MM-DD"))
        return None


@router.get("/map/report.{fmt}")
def map_report(
    fmt: Literal["html", "md", "pdf", "svg"],
    cluster: str = Query("", max_length=200),
    ctx: Context = Depends(web_context),
) -> Response:
    result = cluster_report.cluster_map(ctx, cluster or None)
    if fmt == "svg":
        return Response(result["picture"], media_type="image/svg+xml")
    content, media = cluster_report.report(result, fmt, ctx.settings.now().strftime("%Y-%m-%d %H:%M"))
    disposition = "attachment" if fmt in ("pdf", "md") else "inline"
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'{disposition}; filename="cluster-map.{fmt}"'}
    )


@router.get("/interests", response_class=HTMLResponse)
def inbox(
    request: Request,
    status: Literal["", "sent", "forwarded", "accepted", "declined", "withdrawn"] = "",
    ctx: Context = Depends(web_context),
) -> Response:
    items, total = introductions.list_for(ctx, status or None, 0, 200)
    incoming = [i for i in items if "incoming" in i["sides"]]
    outgoing = [i for i in items if "outgoing" in i["sides"]]
    return page(
        request, "interests.html.j2", incoming=incoming, outgoing=outgoing, total=total, status=status, steps=STEPS
    )


@router.post("/interests", response_class=HTMLResponse)
async def express_interest(request: Request, ctx: Context = Depends(web_context)) -> Response:
    """Express interest in a published profile (firm users for their firm, advisors for a firm they name)."""
    form = await request.form()
    check_csrf(request, form)
    values = {k: str(form.get(k) or "").strip() for k in ("profile", "message", "firm", "sender_profile")}
    view = await run_in_threadpool(
        introductions.express,
        ctx,
        values["profile"],
        values["message"],
        values["sender_profile"] or None,
        values["firm"] or None,
    )
    return redirect(
        f"/interests#interest-{view['id']}",
        f"Interest in {view['profile']['reference']} sent (#{view['id']}); you can withdraw it until it is decided.",
    )


STEPS = {
    "forward": (introductions.forward, "forwarded to the profile's owner", "Forward"),
    "accept": (introductions.accept, "accepted: both firms now see each other", "Accept"),
    "decline": (introductions.decline, "declined", "Decline"),
    "withdraw": (introductions.withdraw, "withdrawn", "Withdraw"),
}


@router.post("/interests/{interest_id}/{step}")
async def interest_step(
    request: Request, interest_id: RecordId, step: str, ctx: Context = Depends(web_context)
) -> Response:
    form = await request.form()
    check_csrf(request, form)
    if step not in STEPS:
        raise ValidationFailed(
            [RowError("interest", "action", step, "forward, accept, decline or withdraw")], "interest"
        )
    action, done, _ = STEPS[step]
    await run_in_threadpool(action, ctx, interest_id, str(form.get("note") or "").strip()[:2000])
    return redirect("/interests", f"Expression of interest {interest_id} {done}.")
