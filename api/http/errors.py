"""One error body for every failure: status, code, message and the fields at fault."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.actions.security import BadCredentials
from api.actions.sign_in import TooManyAttempts
from api.http.deps import API_PREFIX, NotSignedIn
from profiles.db import database_problem
from profiles.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PartnermatchError,
    SolverUnavailable,
    StaleVersion,
    UnreadableInput,
    ValidationFailed,
)

log = logging.getLogger("partnermatch.http")

CODES = {
    400: "bad_request",
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "stale_version",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_attempts",
    500: "internal_error",
    503: "unavailable",
}


def body(
    status: int, message: str, details: list[dict[str, Any]] | None = None, code: str | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": code or CODES.get(status, "error"),
            "message": message,
            "details": details or [],
        }
    }


def respond(
    status: int, message: str, details: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body(status, message, details), status_code=status, headers=headers)


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _field_of_message(message: str) -> tuple[str, str]:
    """Messages written as 'field: reason' name their field."""
    head, sep, tail = message.partition(": ")
    if sep and head and " " not in head and len(head) <= 40:
        return head, tail
    return "", message


# Errors of one record sent on its own (not a row of a file) carry no row.
SINGLE_RECORDS = ("firm", "profile", "bid", "user", "interest", "edit", "relation", "achievement", "outcomes")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """Every method the path supports; Starlette's own 405 names only those of the first route it tried."""
    routes = request.app.router.routes
    return ", ".join(
        m for m in METHODS if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes)
    )


def answer(
    request: Request,
    status: int,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """JSON for the API; for the workspace's pages, the same error as a page with a message."""
    pages = getattr(request.app.state, "error_page", None)
    if pages is not None and not request.url.path.startswith(API_PREFIX):
        return pages(request, status, message, details or [], headers)
    return respond(status, message, details, headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ValidationFailed)
    async def _invalid(request: Request, exc: ValidationFailed) -> Response:
        details = [
            {
                "field": e.field,
                "row": None if e.row in SINGLE_RECORDS else str(e.row),
                "value": _shown(e.value),
                "reason": e.reason,
            }
            for e in exc.errors
        ]
        return answer(request, 422, f"{exc.source}: {len(exc.errors)} error(s); nothing was stored", details)

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError) -> Response:
        details = []
        for e in exc.errors():
            loc = [str(p) for p in e.get("loc", ())]
            where = loc[0] if loc else "body"
            field = ".".join(p for p in loc[1:] if not p.startswith("function-after")) or where
            details.append(
                {
                    "field": field,
                    "row": None,
                    "value": _shown(e.get("input")) if where != "body" or len(loc) > 1 else None,
                    "reason": e.get("msg", "invalid"),
                }
            )
        return answer(request, 422, f"{len(details)} invalid field(s); nothing was stored", details)

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        return answer(request, 401, str(exc), headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(BadCredentials)
    async def _bad_credentials(request: Request, exc: BadCredentials) -> Response:
        return answer(request, 401, str(exc), headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(TooManyAttempts)
    async def _throttled(request: Request, exc: TooManyAttempts) -> Response:
        return answer(request, 429, str(exc), headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(PartnermatchError)
    async def _domain(request: Request, exc: PartnermatchError) -> Response:
        status = (
            404
            if isinstance(exc, NotFound)
            else 403
            if isinstance(exc, Forbidden)
            else 412
            if isinstance(exc, StaleVersion)
            else 409
            if isinstance(exc, Conflict)
            else 422
            if isinstance(exc, (UnreadableInput, SolverUnavailable))
            else 400
        )
        field, reason = _field_of_message(str(exc))
        details = [{"field": field, "row": None, "value": None, "reason": reason}] if field else []
        return answer(request, status, str(exc), details)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        log.info("integrity error: %s", exc.orig)
        return answer(
            request,
            409,
            "the change conflicts with data stored at the same time (e.g. a duplicate key); reload and try again",
        )

    @app.exception_handler(PoolTimeout)
    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: Exception) -> Response:
        what, todo = database_problem(exc, request.app.state.settings.database_url)
        log.warning("%s; %s (%s)", what, todo, getattr(exc, "orig", None) or exc)
        if "read-only" in what:  # for the operator to fix; clients learn only that writes are refused
            return answer(
                request,
                503,
                "the database is read-only at the moment, so nothing can be changed; "
                "the operator has been told in the log",
            )
        return answer(
            request, 503, "the database is busy or unreachable; try again shortly", headers={"Retry-After": "2"}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed_methods(request)}
        return answer(request, exc.status_code, str(exc.detail), headers=headers)


class CatchUnexpected:
    """Answers any unexpected error with a 500 and keeps the connection open.

    An `exception_handler(Exception)` would not do: Starlette runs it in its outermost
    middleware, which re-raises after answering, and uvicorn then closes the connection
    because a response was already started; the next request a keep-alive client sends on
    it is reset. Here the error is logged and answered, and nothing is re-raised.
    """

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            request = Request(scope)
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            if started:
                raise  # half a response was sent: only closing the connection tells the client
            response = answer(request, 500, "internal error; it was logged")
            await response(scope, receive, send)
