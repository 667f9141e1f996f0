"""Profiles: search, the profile record, its life (publish, withdraw, extend) and its best matches."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.actions import exchange
from api.actions.exchange import ProfileFilter
from api.http.deps import ContextDep, PagingDep, page_body
from api.http.params import (
    CapabilityPhrase,
    Country,
    IfMatch,
    MatchKinds,
    MinScore,
    NaceCode,
    ProfileRef,
    Text,
    concept_filter,
    country_filter,
    nace_filter,
)
from api.http.schemas.common import Page
from api.http.schemas.profiles import MatchOut, ProfileIn, ProfileOut

# Each key of the profile search's `PROFILE_SORTS`, ascending and descending (-); a test checks they agree.
ProfileSort = Literal[
    "published_on",
    "-published_on",
    "updated_at",
    "-updated_at",
    "title",
    "-title",
    "reference",
    "-reference",
    "type",
    "-type",
    "expires_on",
    "-expires_on",
]

router = APIRouter(tags=["profiles"])


@router.get(
    "/profiles",
    response_model=Page[ProfileOut],
    response_model_exclude_unset=True,
    summary="Search profiles: published ones, plus your own drafts and withdrawn ones",
)
def list_profiles(
    ctx: ContextDep,
    p: PagingDep,
    type: Literal["BO", "BR", "TO", "TR", "RDR"] | None = None,
    status: Literal["draft", "published", "expired", "withdrawn"] | None = None,
    country: Country = None,
    nace: NaceCode = None,
    capability: CapabilityPhrase = None,
    q: Text = None,
    firm: Annotated[str | None, Query(max_length=80, description="Firm key or alias.")] = None,
    sort: ProfileSort = "-published_on",
) -> dict:
    filters = ProfileFilter(
        type=type,
        status=status,
        country=country_filter(country),
        nace=nace_filter(nace),
        concept=concept_filter(capability),
        text=q,
    )
    items, total = exchange.list_profiles(ctx, filters, sort, p.offset, p.per_page, firm=firm)
    return page_body(items, total, p)


@router.post("/profiles", response_model=ProfileOut, response_model_exclude_unset=True, status_code=201)
def create_profile(ctx: ContextDep, body: ProfileIn) -> dict:
    return exchange.create_profile(ctx, body.model_dump(exclude_unset=True))


@router.get("/profiles/{ref}", response_model=ProfileOut, response_model_exclude_unset=True)
def get_profile(ctx: ContextDep, ref: ProfileRef) -> dict:
    return exchange.get_profile(ctx, ref)


@router.put(
    "/profiles/{ref}",
    response_model=ProfileOut,
    response_model_exclude_unset=True,
    summary="Replace a profile's content (status changes have their own endpoints)",
)
def update_profile(ctx: ContextDep, body: ProfileIn, ref: ProfileRef, if_match: IfMatch = None) -> dict:
    return exchange.update_profile(ctx, ref, body.model_dump(exclude_unset=True), if_match)


@router.post(
    "/profiles/{ref}/publish",
    response_model=ProfileOut,
    response_model_exclude_unset=True,
    summary="Publish: assigns the EEN reference and a 365-day expiry",
)
def publish(ctx: ContextDep, ref: ProfileRef) -> dict:
    return exchange.publish_profile(ctx, ref)


@router.post("/profiles/{ref}/withdraw", response_model=ProfileOut, response_model_exclude_unset=True)
def withdraw(ctx: ContextDep, ref: ProfileRef) -> dict:
    return exchange.withdraw_profile(ctx, ref)


@router.post(
    "/profiles/{ref}/extend",
    response_model=ProfileOut,
    response_model_exclude_unset=True,
    summary="Extend once by another 365 days",
)
def extend(ctx: ContextDep, ref: ProfileRef) -> dict:
    return exchange.extend_profile(ctx, ref)


@router.get(
    "/profiles/{ref}/matches",
    response_model=Page[MatchOut],
    response_model_exclude_unset=True,
    summary="Best matches of one of your profiles, other firms shown anonymously",
)
def profile_matches(
    ctx: ContextDep, ref: ProfileRef, p: PagingDep, min_score: MinScore = 0.0, kind: MatchKinds = ()
) -> dict:
    items, total = exchange.profile_matches(ctx, ref, p.offset, p.per_page, min_score, [k.value for k in kind] or None)
    return page_body(items, total, p)
