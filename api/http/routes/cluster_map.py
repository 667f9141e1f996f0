"""The cluster map: dependencies, shared dependencies, strengths and opportunities, as data, report or picture."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.actions import cluster_map as cluster_report
from api.http.deps import ContextDep
from api.http.params import ClusterName

router = APIRouter(tags=["cluster map"])


@router.get(
    "/map",
    summary="Dependencies, shared dependencies, strengths and opportunities "
    "of a cluster (advisors: their own) or of chosen firms",
)
def cluster_map(
    ctx: ContextDep,
    cluster: ClusterName = None,
    firm: Annotated[
        tuple[str, ...], Query(max_length=200, description="Firms to map instead of a cluster (repeat).")
    ] = (),
) -> dict:
    result = cluster_report.cluster_map(ctx, cluster, list(firm))
    result.pop("picture")
    return result


@router.get(
    "/map/report",
    summary="The cluster map as a report (Markdown, HTML, PDF) or picture (SVG)",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}, "text/html": {}, "application/pdf": {}, "image/svg+xml": {}}}},
)
def cluster_map_report(
    ctx: ContextDep,
    format: Literal["md", "html", "pdf", "svg"] = "html",
    cluster: ClusterName = None,
    firm: Annotated[tuple[str, ...], Query(max_length=200)] = (),
) -> Response:
    result = cluster_report.cluster_map(ctx, cluster, list(firm))
    if format == "svg":
        return Response(result["picture"], media_type="image/svg+xml")
    content, media = cluster_report.report(result, format, ctx.settings.now().strftime("%Y-%m-%d %H:%M"))
    disposition = "attachment" if format == "pdf" else "inline"
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'{disposition}; filename="cluster-map.{format}"'}
    )


@router.get(
    "/map/mine",
    summary="Firm users: your relations, and how many firms of your cluster share each counterpart (counts only)",
)
def my_map(ctx: ContextDep) -> dict:
    return cluster_report.firm_aggregate(ctx)
