"""Every endpoint of the HTTP service, one module per entity. Each route parses its input, calls one
user action and shapes the answer; the rules live in the actions (`api.actions.exchange`, …).

Each module has a `router` for signed-in callers and, where some routes are open to anyone, a
`public` one. Here they are put together in the order the OpenAPI document lists them; errors
every route may answer with are declared once, on the two routers the app includes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.http.routes import (
    accounts,
    achievements,
    audit,
    auth,
    bids,
    cluster_map,
    duplicates,
    firms,
    interests,
    jobs,
    matching_config,
    outcomes,
    profiles,
    proposals,
    relations,
    service,
    uploads,
)
from api.http.schemas.common import ErrorBody

ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorBody} for s in (400, 401, 403, 404, 409, 412, 413, 422, 503)
}
PUBLIC_ERRORS: dict[int | str, dict[str, Any]] = {s: ERRORS[s] for s in (400, 401, 413, 422)}

public = APIRouter(responses=PUBLIC_ERRORS)
for module in (service, auth):
    public.include_router(module.public)

router = APIRouter(responses=ERRORS)
for module in (
    auth,
    accounts,
    firms,
    duplicates,
    profiles,
    uploads,
    bids,
    jobs,
    proposals,
    interests,
    relations,
    cluster_map,
    achievements,
    outcomes,
    matching_config,
    audit,
):
    router.include_router(module.router)
