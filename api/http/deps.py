"""Dependencies shared by the routes: who is asking, the action context, paging.

Routes take them as `Annotated` parameters: `ctx: ContextDep` (the signed-in viewer's action
context; answers 401 without valid credentials) and `p: PagingDep` (`page` and `per_page`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from api.actions import security, sign_in
from api.actions.context import Context

API_PREFIX = "/api/v1"
oauth2 = OAuth2PasswordBearer(
    tokenUrl=f"{API_PREFIX}/auth/token",
    auto_error=False,
    description="Sign in with username and password for a bearer token.",
)
api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key for machine clients.")


def client_address(request: Request) -> str:
    """The caller's address (uvicorn has already applied X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"


class NotSignedIn(Exception):
    """No, or no valid, credentials: answered with 401."""


def context(
    request: Request,
    token: Annotated[str | None, Depends(oauth2)],
    key: Annotated[str | None, Depends(api_key)],
) -> Context:
    secret = key or token
    if not secret:
        raise NotSignedIn("sign in first: send a bearer token or an X-API-Key header")
    state = request.app.state
    try:
        ctx, credential_id = sign_in.signed_in(state.engine, state.settings, secret)
    except security.BadCredentials as exc:
        raise NotSignedIn(str(exc)) from None
    request.state.credential_id = credential_id
    return ctx


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def paging(
    page: Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=200, description="Items per page.")] = 50,
) -> Paging:
    return Paging(page, per_page)


ContextDep = Annotated[Context, Depends(context)]
PagingDep = Annotated[Paging, Depends(paging)]


def page_body(items: list[Any], total: int, p: Paging) -> dict[str, Any]:
    return {"items": items, "total": total, "page": p.page, "per_page": p.per_page}
