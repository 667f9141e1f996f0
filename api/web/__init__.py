"""The advisor workspace: server-rendered pages over the same user actions as the HTTP API."""

from __future__ import annotations

from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.web import (
    account_pages,
    auth_pages,
    bid_pages,
    cluster_pages,
    duplicate_pages,
    firm_edit_pages,
    firm_pages,
    search_pages,
)
from api.web.render import page
from api.web.session import SignInNeeded, safe_next, sign_in_path

TITLES = {
    400: "Something is not right",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    409: "That clashed with the current state",
    412: "Changed meanwhile",
    413: "Too large",
    422: "Please check your input",
    500: "Something went wrong",
    503: "Busy",
}


def error_page(
    request: Request, status: int, message: str, details: list[dict[str, Any]], headers: dict[str, str] | None
) -> Response:
    """An error as a page with a message and the fields at fault; never a stack trace."""
    if status == 401:
        return RedirectResponse(sign_in_path(request.url.path), status_code=303)
    return page(
        request,
        "error.html.j2",
        http_status=status,
        title=TITLES.get(status, "Error"),
        message=message,
        details=details,
        headers=headers,
        back=_came_from(request),
    )


def _came_from(request: Request) -> str:
    """The same-site page the visitor came from, for "Go back" without script; the start page otherwise."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc:
        return "/"
    return safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))


def install(app: FastAPI) -> None:
    app.state.error_page = error_page

    @app.exception_handler(SignInNeeded)
    async def _sign_in(_: Request, exc: SignInNeeded) -> Response:
        return RedirectResponse(sign_in_path(exc.next_path), status_code=303)

    static = resources.files("api") / "web" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for module in (
        auth_pages,
        firm_pages,
        firm_edit_pages,
        duplicate_pages,
        search_pages,
        bid_pages,
        cluster_pages,
        account_pages,
    ):
        app.include_router(module.router, include_in_schema=False)
