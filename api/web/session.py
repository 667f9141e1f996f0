"""Browser sign-in: the same accounts and login tokens as the API, carried in an HttpOnly cookie.

Forms carry a CSRF token derived from the session secret, so a page on another site cannot
post on a signed-in advisor's behalf even where a browser ignores SameSite.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote, urlsplit

from fastapi import Request
from starlette.datastructures import FormData

from api.actions import security, sign_in
from api.actions.context import Context
from profiles.errors import PartnermatchError

COOKIE = "pm_session"
LOGIN_COOKIE = "pm_login"


class SignInNeeded(Exception):
    """No valid session cookie: the page redirects to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class BadFormToken(PartnermatchError):
    """A form posted without the CSRF token of the current session."""


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"partnermatch-csrf", hashlib.sha256).hexdigest()[:40]


def sign_in_path(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")


def web_context(request: Request) -> Context:
    """The signed-in viewer of a page, or SignInNeeded."""
    secret = request.cookies.get(COOKIE)
    next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not secret:
        raise SignInNeeded(next_path)
    state = request.app.state
    try:
        ctx, credential_id = sign_in.signed_in(state.engine, state.settings, secret)
    except security.BadCredentials:
        raise SignInNeeded(next_path) from None
    request.state.credential_id = credential_id
    request.state.csrf = csrf_token(secret)
    request.state.viewer = ctx.viewer
    return ctx


def check_csrf(request: Request, form: FormData | None = None) -> None:
    sent = (form.get("csrf") if form is not None else None) or request.headers.get("X-CSRF-Token")
    expected = getattr(request.state, "csrf", None)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise BadFormToken("the form has expired or came from another site; reload the page and try again")


def is_https(request: Request) -> bool:
    """Served over https, directly or behind a proxy uvicorn trusts, or configured so."""
    return request.url.scheme == "https" or request.app.state.settings.public_url.startswith("https:")


def same_origin(request: Request) -> bool:
    """A browser names the page a form came from; one from another site is refused."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # older browsers and non-browser clients send none; the form token still applies
    return urlsplit(origin).netloc == request.url.netloc  # "null" (a sandboxed or privacy-stripped page) fails


def safe_next(path: str | None) -> str:
    """Only same-site paths: an open redirect after sign-in would help phishing."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path
