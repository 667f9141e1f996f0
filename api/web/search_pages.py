"""The profile search page for firm users and advisors: the API's profile filters, each hit with its
best stored match score to the viewer's own profiles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.actions import exchange
from api.actions.context import Context
from api.http.params import concept_filter, country_filter, nace_filter
from api.web.firm_pages import PROFILE_TYPES
from api.web.forms import field_errors
from api.web.render import page
from api.web.session import web_context
from profiles.errors import RowError, ValidationFailed
from profiles.repository.search import ProfileFilter

router = APIRouter()
PER_PAGE = 25


def _read(errors: list[RowError], read: Callable[[str | None], str | None], value: str) -> str | None:
    try:
        return read(value or None)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return None


def profile_filter(type_: str, country: str, capability: str, nace: str, q: str) -> ProfileFilter:
    """The page's filters read as the API reads them; every bad value is named at once."""
    errors: list[RowError] = []
    if type_ and type_ not in PROFILE_TYPES:
        errors.append(RowError("query", "type", type_, f"one of {', '.join(PROFILE_TYPES)}"))
    chosen = ProfileFilter(
        type=type_ or None,
        status="published",
        country=_read(errors, country_filter, country),
        nace=_read(errors, nace_filter, nace),
        concept=_read(errors, concept_filter, capability),
        text=q or None,
    )
    if errors:
        raise ValidationFailed(errors, "query")
    return chosen


@router.get("/profiles", response_class=HTMLResponse)
def profiles(
    request: Request,
    q: str = Query("", max_length=200),
    type_: str = Query("", max_length=10, alias="type"),
    country: str = Query("", max_length=60),
    nace: str = Query("", max_length=10),
    capability: str = Query("", max_length=200),
    page_no: int = Query(1, ge=1, le=10_000, alias="page"),
    ctx: Context = Depends(web_context),
) -> Response:
    filters = {
        "q": q.strip(),
        "type": type_.strip().upper(),
        "country": country.strip(),
        "nace": nace.strip(),
        "capability": capability.strip(),
    }
    errors: dict[str, list[str]] = {}
    items: list[dict[str, Any]] = []
    total, exact = 0, True
    searched = any(filters.values())
    if searched:
        try:
            chosen = profile_filter(filters["type"], filters["country"], filters["capability"], filters["nace"], q)
            items, total, exact = exchange.search_profiles(
                ctx, chosen, "-published_on", (page_no - 1) * PER_PAGE, PER_PAGE
            )
        except ValidationFailed as exc:
            errors = field_errors(exc.errors)

    more_uncounted = not exact and len(items) == PER_PAGE  # past the counted hits, a full page may have a next

    def page_url(number: int) -> str:
        return "/profiles?" + urlencode({**{k: v for k, v in filters.items() if v}, "page": number})

    return page(
        request,
        "profiles.html.j2",
        http_status=422 if errors else 200,
        profiles=items,
        total=total,
        total_exact=exact,
        searched=searched,
        filters=filters,
        errors=errors,
        types=PROFILE_TYPES,
        pages={
            "previous": page_url(page_no - 1) if page_no > 1 else None,
            "next": page_url(page_no + 1) if page_no * PER_PAGE < total or more_uncounted else None,
        },
    )
