"""Request-size limits, enforced before a body reaches any parser (also for chunked uploads)."""
from __future__ import annotations

import json
from typing import Any, Callable

from .errors import body

UPLOAD_PATHS = ("/api/v1/uploads",)


class BodyLimit:
    def __init__(self, app: Callable, max_body: int, max_upload: int) -> None:
        self.app, self.max_body, self.max_upload = app, max_body, max_upload

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
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
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})
