"""Sign in, sign out and the start page."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from profiles.db import session_scope
from profiles.repository import accounts as account_store
from profiles.tables import FirmRow
from profiles.visibility import Role

from .. import security
from ..context import Context
from .render import page, redirect
from .session import COOKIE, check_csrf, safe_next, web_context

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return page(request, "login.html.j2", next=safe_next(next), username="", error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username") or "").strip(), str(form.get("password") or "")
    target = safe_next(str(form.get("next") or "/"))
    state = request.app.state
    try:
        with session_scope(state.engine) as session:
            issued = security.login(session, username, password, state.settings.now(), state.settings.token_minutes)
    except security.BadCredentials as exc:
        return page(request, "login.html.j2", http_status=401, next=target, username=username, error=str(exc))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, issued.secret, max_age=state.settings.token_minutes * 60, httponly=True,
                        samesite="lax", secure=state.settings.public_url.startswith("https:"), path="/")
    return response


@router.post("/logout")
async def logout(request: Request, ctx: Context = Depends(web_context)) -> Response:
    check_csrf(request, await request.form())
    assert ctx.viewer.account_id is not None
    with session_scope(ctx.engine) as session:
        account_store.revoke_credential(session, request.state.credential_id, ctx.viewer.account_id, ctx.settings.now())
    response = redirect("/login", "You are signed out.")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/")
def home(ctx: Context = Depends(web_context)) -> Response:
    if ctx.viewer.role == Role.FIRM and ctx.viewer.firm_id is not None:
        with session_scope(ctx.engine, readonly=True) as session:
            firm = session.get(FirmRow, ctx.viewer.firm_id)
            assert firm is not None
            return RedirectResponse(f"/firms/{firm.key}", status_code=303)
    return RedirectResponse("/bids" if ctx.viewer.role == Role.ADVISOR else "/firms", status_code=303)
