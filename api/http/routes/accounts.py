"""Accounts: your own (`/me`: API keys, digest preferences) and, for advisors and admins, the users."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.actions import accounts
from api.http.deps import ContextDep
from api.http.params import RecordId
from api.http.schemas.accounts import (
    AccountIn,
    AccountOut,
    ActiveIn,
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    DigestIn,
    DigestOut,
    PasswordChangeIn,
    PasswordResetOut,
)

router = APIRouter(tags=["accounts"])


@router.get("/me", response_model=AccountOut)
def me(ctx: ContextDep) -> dict:
    return accounts.me(ctx)


@router.get("/me/api-keys", response_model=list[ApiKeyOut])
def api_keys(ctx: ContextDep) -> list:
    return accounts.list_api_keys(ctx)


@router.post("/me/api-keys", response_model=ApiKeyCreated, status_code=201)
def create_api_key(ctx: ContextDep, body: ApiKeyIn) -> dict:
    return accounts.new_api_key(ctx, body.label)


@router.delete("/me/api-keys/{key_id}", status_code=204)
def revoke_api_key(ctx: ContextDep, key_id: RecordId) -> Response:
    accounts.revoke(ctx, key_id)
    return Response(status_code=204)


@router.put(
    "/me/password",
    status_code=204,
    summary="Change your password (the current one is required); your other sessions are signed out",
)
def change_password(ctx: ContextDep, body: PasswordChangeIn, request: Request) -> Response:
    accounts.change_password(ctx, body.current_password, body.new_password, request.state.credential_id)
    return Response(status_code=204)


@router.get("/me/digest", response_model=DigestOut, summary="Your nightly digest preferences")
def digest_preferences(ctx: ContextDep) -> dict:
    return accounts.digest_preferences(ctx)


@router.put(
    "/me/digest",
    response_model=DigestOut,
    summary="Turn the nightly digest on or off, set its score threshold and length",
)
def set_digest_preferences(ctx: ContextDep, body: DigestIn) -> dict:
    return accounts.set_digest_preferences(ctx, body.model_dump())


@router.get("/users", response_model=list[AccountOut], summary="Accounts (advisors: own cluster)")
def users(ctx: ContextDep) -> list:
    return accounts.list_users(ctx)


@router.post("/users", response_model=AccountOut, status_code=201)
def create_user(ctx: ContextDep, body: AccountIn) -> dict:
    return accounts.create_user(
        ctx, body.username, body.password, body.role, body.firm, body.cluster, body.email, body.new_cluster
    )


@router.patch("/users/{account_id}", response_model=AccountOut, summary="Activate or deactivate")
def set_active(ctx: ContextDep, body: ActiveIn, account_id: RecordId) -> dict:
    return accounts.set_active(ctx, account_id, body.active)


@router.post(
    "/users/{account_id}/unlock",
    response_model=AccountOut,
    summary="Unlock an account locked after failed sign-ins (admins)",
)
def unlock_user(ctx: ContextDep, account_id: RecordId) -> dict:
    return accounts.unlock(ctx, account_id)


@router.post(
    "/users/{account_id}/password-reset",
    response_model=PasswordResetOut,
    summary="Replace a user's password with a temporary one, shown once, and sign them out everywhere",
)
def reset_password(ctx: ContextDep, account_id: RecordId) -> dict:
    return accounts.reset_password(ctx, account_id)
