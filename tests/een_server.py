"""A local server that follows the network web service's documented contract, with faults on demand.

`GET /profiles?FromDate=&PageSize=&Page=` with the key in `X-API-KEY`: records modified at or after
`FromDate`, in modification order (`lastModified`, then `reference`), `PageSize` at most 200, pages from 1,
as `{"totalCount", "page", "pageSize", "items"}`. Faults are scripted per request number (1-based):
"500", "429" (with Retry-After), "slow" (answers after `slow_seconds`), "truncated" (announces the whole
body, sends half and closes); `after` runs a function after a request, e.g. to change a record between
two pages.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class NetworkService:
    def __init__(self, records: list[dict[str, Any]], api_key: str = "test-key") -> None:
        self.records = {r["reference"]: dict(r) for r in records}
        self.api_key = api_key
        self.faults: dict[int, str] = {}
        self.after: dict[int, Callable[[NetworkService], None]] = {}
        self.slow_seconds = 1.5
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                service._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> NetworkService:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def change(self, reference: str, **fields: Any) -> None:
        """Change a record as the network would: new content, modified now."""
        with self.lock:
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            self.records[reference] = self.records[reference] | fields | {"lastModified": now}

    def _page(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        try:
            size = int(query.get("PageSize", ["200"])[0])
            page = int(query.get("Page", ["1"])[0])
        except ValueError:
            return 400, {"error": "PageSize and Page are numbers"}
        if not 1 <= size <= 200 or page < 1:
            return 400, {"error": "PageSize is 1..200 and Page from 1"}
        with self.lock:
            found = sorted(self.records.values(), key=lambda r: (_moment(r["lastModified"]), r["reference"]))
        if "FromDate" in query:
            since = _moment(query["FromDate"][0])
            found = [r for r in found if _moment(r["lastModified"]) >= since]
        items = found[(page - 1) * size : page * size]
        return 200, {"totalCount": len(found), "page": page, "pageSize": size, "items": items}

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        with self.lock:
            self.requests.append({"path": parts.path, "query": {k: v[0] for k, v in query.items()}})
            number = len(self.requests)
        fault = self.faults.get(number)
        if handler.headers.get("X-API-KEY") != self.api_key:
            status, body = 401, {"error": "missing or wrong API key"}
        elif parts.path != "/profiles":
            status, body = 404, {"error": "no such resource"}
        elif fault == "500":
            status, body = 500, {"error": "internal error"}
        elif fault == "429":
            status, body = 429, {"error": "too many requests"}
        else:
            if fault == "slow":
                time.sleep(self.slow_seconds)
            status, body = self._page(query)
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            if status == 429:
                handler.send_header("Retry-After", "0.2")
            handler.end_headers()
            if fault == "truncated":
                handler.wfile.write(data[: len(data) // 2])
                handler.wfile.flush()
                handler.close_connection = True
            else:
                handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the slow page)
        action = self.after.get(number)
        if action is not None:
            action(self)
