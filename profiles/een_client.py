"""A client of the network's partner web service: pages of profile records, with retries.

The contract (`../shared/een-partnering.md`): `GET <url>/profiles` with `FromDate` (records modified at or
after it), `PageSize` (at most 200) and `Page` (from 1), the API key in the `X-API-KEY` header; records come
in modification order (`lastModified`, then `reference`). A page is `{"items": [...], "totalCount": n, ...}`
or a bare list.

Transient failures (time-outs, dropped connections, truncated or unreadable bodies, 429 and 5xx answers)
are retried with exponential back-off, honouring `Retry-After`; a refused key or any other 4xx is not.
The client keeps no state between pages: where a synchronisation is, is the caller's checkpoint.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from .errors import PartnermatchError

MAX_PAGE_SIZE = 200
RETRY_AFTER_CAP = 60.0  # seconds; a server asking for longer is retried after this


class SourceError(PartnermatchError):
    """The source cannot be read now: a refused key, a bad request, or retries used up."""


@dataclass
class Fetched:
    records: list[dict[str, Any]]
    total: int | None
    retries: list[str] = field(default_factory=list)  # what went wrong before the page came (for the run)


def profiles_url(url: str) -> str:
    base = url.rstrip("/")
    return base if base.endswith("/profiles") else base + "/profiles"


def modified_key(record: dict[str, Any]) -> tuple[str, str]:
    """Where a record stands in the feed: its modification time (normalised to UTC) and its reference."""
    return (normalised_time(record.get("lastModified")), str(record.get("reference") or ""))


def normalised_time(value: Any) -> str:
    """An ISO date or date-time as UTC `YYYY-MM-DDTHH:MM:SS.ffffffZ`, so that times compare as text."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class NetworkSource:
    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        timeout: float = 30.0,
        attempts: int = 6,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise SourceError(f"page size must be 1..{MAX_PAGE_SIZE}, got {page_size}")
        self.url = profiles_url(url)
        self.page_size = page_size
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        self._client = httpx.Client(timeout=timeout, headers={"X-API-KEY": api_key, "Accept": "application/json"})

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> NetworkSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def page(self, from_date: str | None, page: int) -> Fetched:
        params: dict[str, Any] = {"PageSize": self.page_size, "Page": page}
        if from_date:
            params["FromDate"] = from_date
        problems: list[str] = []
        for attempt in range(self.attempts):
            wait = self.backoff * 2**attempt
            try:
                response = self._client.get(self.url, params=params)
            except httpx.TransportError as exc:  # time-outs, refused or dropped connections, truncated bodies
                problems.append(f"page {page}: {type(exc).__name__}: {exc}")
            else:
                if response.status_code in (401, 403):
                    raise SourceError(f"{self.url} refused the API key ({response.status_code})")
                if response.status_code == 429 or response.status_code >= 500:
                    problems.append(f"page {page}: HTTP {response.status_code}")
                    wait = max(wait, _retry_after(response))
                elif response.status_code >= 400:
                    raise SourceError(f"{self.url} answered {response.status_code}: {response.text[:200]}")
                else:
                    try:
                        return _records(response.content, problems)
                    except ValueError as exc:
                        problems.append(f"page {page}: unreadable body: {exc}")
            if attempt + 1 < self.attempts:
                self.sleep(wait)
        raise SourceError(f"{self.url}: page {page} failed {self.attempts} times; last: {problems[-1]}")


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return min(max(float(value), 0.0), RETRY_AFTER_CAP)
    except ValueError:
        return 0.0


def _records(body: bytes, problems: list[str]) -> Fetched:
    doc = json.loads(body)
    if isinstance(doc, dict):
        items, total = doc.get("items"), doc.get("totalCount")
    else:
        items, total = doc, None
    if not isinstance(items, list) or not all(isinstance(r, dict) for r in items):
        raise ValueError("expected a list of records under 'items'")
    return Fetched(items, total if isinstance(total, int) else None, problems)
