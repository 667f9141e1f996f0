"""Profiles: search, the profile record, its life (publish, withdraw, extend) and its best matches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.actions import exchange, profile_feed
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
from api.http.schemas.profiles import MatchOut, ProfileFeed, ProfileIn, ProfileOut
from profiles.errors import RowError, ValidationFailed

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


ISO_TIME = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$"


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            [RowError("query", "modified_since", value, "not a date or time (e.g. 2026-11-21T08:00:00Z)")]
        ) from None


FEED_ONLY_WITH = "modified_since and cursor follow all changes; leave out page, filters and sort with them"


@router.get(
    "/profiles",
    response_model=Page[ProfileOut] | ProfileFeed,
    response_model_exclude_unset=True,
    summary="Search profiles: published ones, plus your own drafts and withdrawn ones; or follow their changes",
    description="With `modified_since` or `cursor` this is the change feed: every change since then in a stable "
    "order (time, then id), `per_page` at a time, each as updated (the profile as you may see it), removed "
    "(no longer listed to you: withdrawn, expired) or deleted; pass `next_cursor` back as `cursor` to read on, "
    "now or later.",
)
def list_profiles(
    ctx: ContextDep,
    p: PagingDep,
    modified_since: Annotated[
        str | None,
        Query(
            pattern=ISO_TIME,
            description="Changes at or after this time: an ISO 8601 date or date-time, UTC unless it says.",
            examples=["2026-11-21T08:00:00Z"],
        ),
    ] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page.")] = None,
    type: Literal["BO", "BR", "TO", "TR", "RDR"] | None = None,
    status: Literal["draft", "published", "expired", "withdrawn"] | None = None,
    country: Country = None,
    nace: NaceCode = None,
    capability: CapabilityPhrase = None,
    q: Text = None,
    firm: Annotated[str | None, Query(max_length=80, description="Firm key or alias.")] = None,
    sort: ProfileSort = "-published_on",
) -> dict:
    if modified_since is not None or cursor is not None:
        others = {
            "page": p.page != 1,
            "type": type,
            "status": status,
            "country": country,
            "nace": nace,
            "capability": capability,
            "q": q,
            "firm": firm,
            "sort": sort != "-published_on",
        }
        used = [name for name, value in others.items() if value]
        if used:
            raise ValidationFailed([RowError("query", name, None, FEED_ONLY_WITH) for name in used])
        return profile_feed.profile_changes(ctx, _moment(modified_since), cursor, p.per_page)
    filters = ProfileFilter(
        type=type,
        status=status,
        country=country_filter(country),
        nace=nace_filter(nace),
        concept=concept_filter(capability),
        text=q,
    )
    items, total, exact = exchange.list_profiles(ctx, filters, sort, p.offset, p.per_page, firm=firm)
    return page_body(items, total, p) | {"total_exact": exact}


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
