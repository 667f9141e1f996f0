"""A small closed-loop HTTP/1.1 load generator over real TCP, cheap in CPU.

`C` clients, each with one keep-alive connection of its own, send requests one
after another: a client sends its next request as soon as the previous answer
has been read in full (no think time). Requests are taken in turn from a
shared list, so the mix is the same at any concurrency. Latency is measured
per request from just before the request bytes are written to the moment the
last body byte has been read.

The client speaks raw HTTP/1.1 on asyncio streams (uvloop when installed):
no HTTP library, no JSON parsing on the hot path except where a check asks for
it. It shares the machine with the server, so it is kept as light as possible;
`Result.client_cpu_s` says how much CPU it used.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    label: str = ""

    def encode(self, host: str) -> bytes:
        lines = [
            f"{self.method} {self.path} HTTP/1.1",
            f"Host: {host}",
            "Connection: keep-alive",
            "Accept: application/json",
        ]
        lines += [f"{k}: {v}" for k, v in self.headers]
        if self.body or self.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass
class Result:
    concurrency: int
    latencies_s: list[float]
    wall_s: float
    client_cpu_s: float
    errors: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    bytes_read: int = 0

    @property
    def ok(self) -> int:
        return len(self.latencies_s) - len(self.errors)

    @property
    def throughput(self) -> float:
        return len(self.latencies_s) / self.wall_s if self.wall_s > 0 else 0.0

    @staticmethod
    def pooled(runs: Sequence[Result]) -> Result:
        """Several runs of the same workload as one: all latencies, summed wall and CPU time."""
        statuses: dict[int, int] = {}
        for r in runs:
            for status, n in r.statuses.items():
                statuses[status] = statuses.get(status, 0) + n
        return Result(
            runs[0].concurrency,
            [x for r in runs for x in r.latencies_s],
            sum(r.wall_s for r in runs),
            sum(r.client_cpu_s for r in runs),
            [e for r in runs for e in r.errors],
            statuses,
            sum(r.bytes_read for r in runs),
        )

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile (q in 0..100) of all measured latencies, in seconds."""
        xs = sorted(self.latencies_s)
        if not xs:
            return math.nan
        return xs[max(0, math.ceil(q / 100 * len(xs)) - 1)]


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 22)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def exchange(self, raw: bytes) -> tuple[int, bytes, bool]:
        """Send one request, read one whole response: (status, body, server keeps the connection)."""
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, chunked, keep = None, False, True
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.strip().lower() == "close":
                keep = False
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                data = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(data[:-2])
            body = b"".join(parts)
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body = await self.reader.read()
            keep = False
        return status, body, keep


Check = Callable[[int, bytes], "str | None"]


def expect_2xx(status: int, body: bytes) -> str | None:
    if 200 <= status < 300:
        return None
    return f"HTTP {status}: {body[:200].decode('utf-8', 'replace')}"


def expect_finished_job(status: int, body: bytes) -> str | None:
    """A proposal request with wait=true answers 200 even when the job failed; a failed job is an error too."""
    problem = expect_2xx(status, body)
    if problem:
        return problem
    try:
        job = json.loads(body)
    except ValueError:
        return "answer is not JSON"
    if job.get("status") != "finished":
        return f"job {job.get('id')} {job.get('status')}: {job.get('error')}"
    return None


async def _run(
    host: str, port: int, requests: Sequence[Request], total: int, concurrency: int, check: Check, timeout_s: float
) -> Result:
    encoded = [r.encode(f"{host}:{port}") for r in requests]
    next_index = 0
    latencies: list[float] = []
    errors: list[str] = []
    statuses: dict[int, int] = {}
    bytes_read = 0

    async def client() -> None:
        nonlocal next_index, bytes_read
        conn = _Connection(host, port)
        try:
            while next_index < total:
                i = next_index
                next_index += 1
                raw = encoded[i % len(encoded)]
                start = time.perf_counter()
                try:
                    status, body, keep = await asyncio.wait_for(conn.exchange(raw), timeout_s)
                except (
                    TimeoutError,
                    OSError,
                    asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError,
                    ValueError,
                    IndexError,
                ) as exc:
                    latencies.append(time.perf_counter() - start)
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    conn.close()
                    continue
                latencies.append(time.perf_counter() - start)
                statuses[status] = statuses.get(status, 0) + 1
                bytes_read += len(body)
                problem = check(status, body)
                if problem:
                    errors.append(problem)
                if not keep:
                    conn.close()
        finally:
            conn.close()

    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return Result(concurrency, latencies, wall, cpu, errors, statuses, bytes_read)


def run(
    host: str,
    port: int,
    requests: Sequence[Request],
    total: int,
    concurrency: int,
    check: Check = expect_2xx,
    timeout_s: float = 120.0,
) -> Result:
    """A closed loop of `concurrency` clients sending `total` requests, in turn from `requests`."""
    work = _run(host, port, requests, total, concurrency, check, timeout_s)
    try:
        import uvloop  # noqa: PLC0415
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.run(work)
    return uvloop.run(work)


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its finished children (Linux /proc)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(x) for x in fields[11:15]) / ticks
