"""Your own account (changing your password) and, for advisors and administrators, the users:
disable or enable an account, reset a forgotten password."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.actions import accounts
from api.actions.context import Context
from api.http.params import RecordId
from api.web.forms import field_errors
from api.web.render import page, redirect
from api.web.session import check_csrf, web_context
from profiles.errors import RowError, ValidationFailed
from profiles.visibility import Role

router = APIRouter()


def _users_page(request: Request, ctx: Context, reset: dict[str, Any] | None = None, status: int = 200) -> Response:
    users = accounts.list_users(ctx)
    for user in users:
        user["manageable"] = user["id"] != ctx.viewer.account_id and (
            ctx.viewer.is_admin or user["role"] == Role.FIRM.value
        )
    return page(request, "users.html.j2", http_status=status, users=users, reset=reset)


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, ctx: Context = Depends(web_context)) -> Response:
    return _users_page(request, ctx)


@router.post("/users/{account_id}/active")
async def set_active(request: Request, account_id: RecordId, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    active = str(form.get("active") or "") == "true"
    user = await run_in_threadpool(accounts.set_active, ctx, account_id, active)
    done = "enabled" if active else "disabled: it cannot sign in, and its sessions and API keys stop working"
    return redirect("/users", f"Account '{user['username']}' {done}.")


@router.post("/users/{account_id}/password-reset", response_class=HTMLResponse)
async def reset_password(request: Request, account_id: RecordId, ctx: Context = Depends(web_context)) -> Response:
    check_csrf(request, await request.form())
    reset = await run_in_threadpool(accounts.reset_password, ctx, account_id)
    # shown in this answer only: never in a cookie, a redirect or the audit log
    return await run_in_threadpool(_users_page, request, ctx, reset)


def _account_page(
    request: Request, ctx: Context, errors: dict[str, list[str]] | None = None, message: str | None = None, status=200
) -> Response:
    return page(
        request, "account.html.j2", http_status=status, me=accounts.me(ctx), errors=errors or {}, message=message
    )


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, ctx: Context = Depends(web_context)) -> Response:
    return _account_page(request, ctx)


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(request: Request, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    current, new, again = (str(form.get(name) or "") for name in ("current_password", "new_password", "confirm"))
    try:
        if new != again:
            raise ValidationFailed([RowError("password", "confirm", None, "does not repeat the new password")])
        await run_in_threadpool(accounts.change_password, ctx, current, new, request.state.credential_id)
    except ValidationFailed as exc:
        return await run_in_threadpool(
            _account_page, request, ctx, field_errors(exc.errors), "Your password is unchanged.", 422
        )
    return redirect("/account", "Your password is changed; your other sessions are signed out.")
