"""Sign in, sign out and the start page."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.actions import accounts, security, sign_in
from api.actions.context import Context
from api.http.deps import client_address
from api.web.render import page, redirect
from api.web.session import COOKIE, LOGIN_COOKIE, check_csrf, is_https, safe_next, same_origin, web_context
from profiles.visibility import Role

router = APIRouter()


def _login_page(request: Request, status: int, target: str, username: str, error: str | None) -> Response:
    """The sign-in form with a fresh login token, also set as a cookie: a form posted from another
    site cannot carry the same value, so nobody can sign a visitor in to an account of theirs."""
    token = secrets.token_urlsafe(24)
    response = page(
        request, "login.html.j2", http_status=status, next=target, username=username, error=error, login_token=token
    )
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict", secure=is_https(request), path="/login"
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, 200, safe_next(next), "", None)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username") or "").strip(), str(form.get("password") or "")
    target = safe_next(str(form.get("next") or "/"))
    sent, expected = str(form.get("csrf") or ""), request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(sent, expected) or not same_origin(request):
        return _login_page(
            request,
            400,
            target,
            username,
            "the sign-in form has expired or came from another site; please sign in again",
        )
    state = request.app.state
    try:
        issued = sign_in.sign_in(state.engine, state.settings, username, password, client_address(request))
    except security.BadCredentials as exc:
        return _login_page(request, 401, target, username, str(exc))
    except sign_in.TooManyAttempts as exc:
        response = _login_page(request, 429, target, username, str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except sign_in.AccountLocked as exc:
        return _login_page(request, 403, target, username, str(exc))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        issued.secret,
        max_age=state.settings.token_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, ctx: Context = Depends(web_context)) -> Response:
    check_csrf(request, await request.form())
    sign_in.sign_out(ctx, request.state.credential_id)
    response = redirect("/login", "You are signed out.")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/")
def home(ctx: Context = Depends(web_context)) -> Response:
    firm_key = accounts.own_firm_key(ctx)
    if firm_key is not None:
        return RedirectResponse(f"/firms/{firm_key}", status_code=303)
    return RedirectResponse("/bids" if ctx.viewer.role == Role.ADVISOR else "/firms", status_code=303)
