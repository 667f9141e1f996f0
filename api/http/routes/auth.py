"""Signing in (a bearer token for username and password, open to anyone) and out (revoking the credential in use)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.actions import sign_in
from api.http.deps import ContextDep, client_address
from api.http.schemas.accounts import TokenOut
from api.http.schemas.common import ErrorBody

public = APIRouter(tags=["accounts"])
router = APIRouter(tags=["accounts"])


@public.post(
    "/auth/token",
    response_model=TokenOut,
    summary="Sign in (OAuth2 password flow)",
    responses={
        403: {"model": ErrorBody, "description": "Locked after too many failed sign-ins"},
        429: {"model": ErrorBody, "description": "Too many failed sign-ins: wait Retry-After seconds"},
        503: {"model": ErrorBody, "description": "The database is unavailable or read-only"},
    },
)
def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict:
    state = request.app.state
    issued = sign_in.sign_in(state.engine, state.settings, form.username, form.password, client_address(request))
    return {
        "access_token": issued.secret,
        "token_type": "bearer",
        "expires_at": issued.expires_at.isoformat() if issued.expires_at else None,
    }


@router.post("/auth/logout", status_code=204, summary="Revoke the credential used for this call")
def logout(request: Request, ctx: ContextDep) -> Response:
    sign_in.sign_out(ctx, request.state.credential_id)
    return Response(status_code=204)
