"""Request limits, enforced before a body reaches any parser: size (also for chunked uploads),
JSON nesting depth, and characters no text field may hold (in the path, the query, JSON and form bodies)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from api.http.errors import answer, body
from profiles.characters import character_problem, depth_problem, is_name_field, text_problems

UPLOAD_PATHS = ("/api/v1/uploads",)


class BodyLimit:
    def __init__(self, app: Callable, max_body: int, max_upload: int) -> None:
        self.app, self.max_body, self.max_upload = app, max_body, max_upload

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problems = _path_problems(scope.get("path", "")) + _query_problems(scope.get("query_string", b""))
        if problems:
            await _refuse(scope, receive, send, problems)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        limit = self.max_upload if scope["path"].startswith(UPLOAD_PATHS) else self.max_body
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _reject(send, 400, "Content-Length is not a number")
                return
            if size > limit:
                await _reject(send, 413, f"request body of {size:,} bytes is larger than the limit of {limit:,}")
                return
        chunks, total = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                await _reject(send, 413, f"request body is larger than the limit of {limit:,} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        payload = b"".join(chunks)
        problems = _body_problems(dict(scope.get("headers") or []).get(b"content-type", b""), payload)
        if problems:
            await _refuse(scope, receive, send, problems)
            return
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": payload, "more_body": False}

        await self.app(scope, replay, send)


async def _reject(send: Callable, status: int, message: str) -> None:
    data = json.dumps(body(status, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


Problem = dict[str, Any]


def _problem(field: str, value: str, reason: str) -> Problem:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return {"field": field, "row": None, "value": shown, "reason": reason}


def _pairs_problems(pairs: list[tuple[str, str]]) -> list[Problem]:
    out = []
    for name, value in pairs:
        problem = character_problem(name) or character_problem(value, is_name_field(name))
        if problem:
            out.append(_problem(name, value, problem))
    return out


def _path_problems(path: str) -> list[Problem]:
    """No key, alias or reference holds a control character: an address with one names nothing (and
    PostgreSQL refuses NUL in a query, so it must not reach one)."""
    problem = character_problem(path)
    return [_problem("path", path, f"the address {problem}")] if problem else []


def _query_problems(query: bytes) -> list[Problem]:
    if not query:
        return []
    return _pairs_problems(
        parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace")
    )


def _body_problems(content_type: bytes, payload: bytes) -> list[Problem]:
    kind = content_type.split(b";")[0].strip().lower()
    if not payload:
        return []
    if kind == b"application/x-www-form-urlencoded":
        return _pairs_problems(
            parse_qsl(payload.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace")
        )
    if kind != b"application/json" and not kind.endswith(b"+json"):
        return []  # uploads are checked row by row by the importer, which names the row too
    text = payload.decode("utf-8", errors="replace")
    too_deep = depth_problem(text)
    if too_deep:
        return [_problem("body", "", too_deep)]
    try:
        document = json.loads(text)
    except ValueError:
        return []  # the route answers malformed JSON with its own message
    return [_problem(path, value, reason) for path, value, reason in text_problems(document)]


async def _refuse(scope: dict[str, Any], receive: Callable, send: Callable, problems: list[Problem]) -> None:
    """Refuse with the service's own error answer (JSON for the API, a page for the workspace)."""
    request = Request(scope, receive)
    stored = "" if scope["method"] in ("GET", "HEAD", "OPTIONS") else "; nothing was stored"
    response = answer(
        request, 422, f"{len(problems)} field(s) hold characters or nesting that cannot be accepted{stored}", problems
    )
    await response(scope, receive, send)
