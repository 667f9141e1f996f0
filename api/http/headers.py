"""Security headers on every answer: what a browser may run, frame, cache and send on.

Pages run only the workspace's own script file (no inline script, no `javascript:` links),
documents and pictures run nothing at all, nothing is framed, and nothing but the static
files is cached, since almost every answer is for one signed-in viewer.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Proposal documents and reports carry their own <style> (so they print alike when saved), never a script.
DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
STATIC_PREFIX = "/static/"

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def inline_script_hashes(html: str) -> str:
    """CSP sources allowing exactly the inline scripts of a page we do not write ourselves (API docs)."""
    digests = (base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in _INLINE_SCRIPT.findall(html))
    return " ".join(f"'sha256-{d}'" for d in digests)


class SecurityHeaders:
    def __init__(self, app: Callable, always_https: bool = False) -> None:
        self.app, self.always_https = app, always_https

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.always_https or scope.get("scheme") == "https"
        static = scope["path"].startswith(STATIC_PREFIX)

        async def add_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                kind = next((v for n, v in headers if n.lower() == b"content-type"), b"").lower()
                document = b"content-disposition" in present or kind.startswith(b"image/svg")
                wanted = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"content-security-policy", (DOCUMENT_POLICY if document else PAGE_POLICY).encode()),
                ]
                if not static:
                    wanted.append((b"cache-control", b"no-store"))
                if https:
                    wanted.append((b"strict-transport-security", HSTS.encode()))
                headers += [(n, v) for n, v in wanted if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, add_headers)
