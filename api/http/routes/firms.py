"""Firms: search, the firm record, and the best matches of all of a firm's profiles.

Their supplier and customer relations are in `relations`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.actions import exchange
from api.actions.exchange import FirmFilter
from api.http.deps import ContextDep, PagingDep, page_body
from api.http.params import (
    CapabilityPhrase,
    ClusterName,
    Country,
    FirmRef,
    IfMatch,
    MatchKinds,
    MinScore,
    NaceCode,
    Text,
    concept_filter,
    country_filter,
    nace_filter,
)
from api.http.schemas.common import Page
from api.http.schemas.firms import FirmIn, FirmOut
from api.http.schemas.profiles import MatchOut

# Each key of the firm search's `FIRM_SORTS`, ascending and descending (-); a test checks they agree.
FirmSort = Literal["country", "-country", "updated_at", "-updated_at", "size_class", "-size_class"]

router = APIRouter(tags=["firms"])


@router.get(
    "/firms",
    response_model=Page[FirmOut],
    response_model_exclude_unset=True,
    summary="Firms; other clusters' firms appear anonymously",
)
def list_firms(
    ctx: ContextDep,
    p: PagingDep,
    country: Country = None,
    nace: NaceCode = None,
    capability: CapabilityPhrase = None,
    q: Text = None,
    cluster: ClusterName = None,
    certification: Annotated[str | None, Query(max_length=80, description="e.g. IATF 16949")] = None,
    sort: FirmSort = "country",
) -> dict:
    filters = FirmFilter(
        country=country_filter(country),
        nace=nace_filter(nace),
        concept=concept_filter(capability),
        text=q,
        cluster=cluster,
        certification=certification,
    )
    items, total = exchange.list_firms(ctx, filters, sort, p.offset, p.per_page)
    return page_body(items, total, p)


@router.post("/firms", response_model=FirmOut, response_model_exclude_unset=True, status_code=201)
def create_firm(ctx: ContextDep, body: FirmIn) -> dict:
    return exchange.create_firm(ctx, body.model_dump(exclude_unset=True))


@router.get("/firms/{ref}", response_model=FirmOut, response_model_exclude_unset=True)
def get_firm(ctx: ContextDep, ref: FirmRef) -> dict:
    return exchange.get_firm(ctx, ref)


@router.put("/firms/{ref}", response_model=FirmOut, response_model_exclude_unset=True)
def update_firm(ctx: ContextDep, body: FirmIn, ref: FirmRef, if_match: IfMatch = None) -> dict:
    return exchange.update_firm(ctx, ref, body.model_dump(exclude_unset=True), if_match)


@router.delete("/firms/{ref}", status_code=204)
def delete_firm(ctx: ContextDep, ref: FirmRef) -> Response:
    exchange.delete_firm(ctx, ref)
    return Response(status_code=204)


@router.get(
    "/firms/{ref}/matches",
    response_model=Page[MatchOut],
    response_model_exclude_unset=True,
    summary="Best matches of all of a firm's profiles",
)
def firm_matches(ctx: ContextDep, ref: FirmRef, p: PagingDep, min_score: MinScore = 0.0, kind: MatchKinds = ()) -> dict:
    items, total = exchange.firm_matches(ctx, ref, p.offset, p.per_page, min_score, [k.value for k in kind] or None)
    return page_body(items, total, p)
