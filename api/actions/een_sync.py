"""Synchronise profiles from a network source (`partnermatch een sync`), page by page, resumably.

Where a sync starts: `--since` when given, else where the source's last successful sync ended (its
checkpoint), else the beginning. It walks the feed in modification order with `FromDate` moving forward
(keyset paging: a record changed while the sync runs moves to the end and is read there, never skipped),
and stores each page in one transaction together with the run's checkpoint: a sync killed part-way is
resumed by the next one from the last page it stored. Records already stored unchanged change nothing, so
a second sync of the same data changes nothing.

A record that breaks the network's rules or partnermatch's is left out and listed in the run's errors
(reference, field, reason); the rest of its page is stored. Incoming firms are resolved against stored
ones like any import (linked, queued for review, or new). Every run is recorded (`sync_run`) and audited.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil
from sqlmodel import Session

from api.actions.context import Context, record, require_role
from api.actions.imports import record_links
from profiles.db import session_scope
from profiles.een_client import NetworkSource, modified_key
from profiles.errors import Conflict, PartnermatchError, ValidationFailed
from profiles.importing import import_raw
from profiles.readers import RawInput
from profiles.repository import sync_runs as store
from profiles.visibility import Role

Progress = Callable[[int, int | None], None]  # records read so far, records the source announced


@dataclass(frozen=True)
class SyncResult:
    run_id: int
    source: str
    status: str
    attempts: int
    stats: dict[str, int]
    errors: list[dict[str, Any]]
    checkpoint: dict[str, Any]


def source_name(url: str) -> str:
    """The source a URL names, as runs remember it: scheme and host lower-cased, no trailing slash, no query."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def _alive(host: str, pid: int | None) -> bool:
    return host == socket.gethostname() and pid is not None and pid != os.getpid() and psutil.pid_exists(pid)


def _begin(ctx: Context, source: str, since: datetime | None) -> tuple[int, dict[str, Any], int]:
    """Resume the source's unfinished run, or start one; returns its id, checkpoint and attempt."""
    host, pid = socket.gethostname(), os.getpid()
    with session_scope(ctx.engine) as session:
        running = store.unfinished(session, source)
        if running is not None and running.id is not None:
            if _alive(running.host, running.pid):
                raise Conflict(f"a sync of {source} is running (run {running.id}, process {running.pid})")
            if since is None or running.since == since.isoformat():
                store.resume(session, running, host, pid)
                return running.id, dict(running.checkpoint), running.attempts
            store.finish(session, running.id, store.FAILED, ctx.settings.now(), "replaced by a sync with --since")
        checkpoint: dict[str, Any] = {"from": since.isoformat() if since else None, "page": 1, "last": None}
        last = store.last_success(session, source) if since is None else None
        if last is not None:  # where it ended; records at that very time it stored already are skipped
            checkpoint |= {"from": last.checkpoint.get("from"), "last": last.checkpoint.get("last")}
        run = store.start(
            session, source, since.isoformat() if since else None, checkpoint, ctx.settings.now(), host, pid
        )
        assert run.id is not None
        return run.id, checkpoint, 1


def sync(
    ctx: Context,
    url: str,
    api_key: str,
    since: datetime | None = None,
    *,
    page_size: int = 200,
    timeout: float = 30.0,
    backoff: float = 1.0,
    progress: Progress | None = None,
) -> SyncResult:
    require_role(ctx.viewer, Role.ADMIN)
    source = source_name(url)
    run_id, checkpoint, attempt = _begin(ctx, source, since)
    read = 0
    try:
        with NetworkSource(url, api_key, page_size=page_size, timeout=timeout, backoff=backoff) as network:
            while True:
                fetched = network.page(checkpoint["from"], checkpoint["page"])
                last = tuple(checkpoint["last"]) if checkpoint["last"] else None
                fresh = [r for r in fetched.records if last is None or modified_key(r) > last]
                checkpoint = _next(checkpoint, fetched.records, page_size)
                with session_scope(ctx.engine) as session:
                    stats, errors = _store_page(session, ctx, fresh, checkpoint["page"])
                    stats |= {"pages": 1, "records": len(fetched.records), "retries": len(fetched.retries)}
                    errors += [{"retry": problem} for problem in fetched.retries]
                    store.advance(session, run_id, checkpoint, stats, errors)
                read += len(fetched.records)
                if progress is not None:
                    progress(read, fetched.total)
                if len(fetched.records) < page_size:
                    break
    except PartnermatchError as exc:
        _end(ctx, run_id, store.FAILED, str(exc))
        raise
    return _end(ctx, run_id, store.SUCCEEDED, None)


def _next(checkpoint: dict[str, Any], records: list[dict[str, Any]], page_size: int) -> dict[str, Any]:
    """Where to read next: from the newest modification time seen (page 1), or the next page of the same
    time when a whole page shares it."""
    if not records:
        return checkpoint
    newest = max(modified_key(r) for r in records)
    last = max(newest, tuple(checkpoint["last"])) if checkpoint["last"] else newest
    newest_raw = max(records, key=modified_key).get("lastModified")
    if len(records) == page_size and all(modified_key(r)[0] == newest[0] for r in records):
        return {"from": checkpoint["from"], "page": checkpoint["page"] + 1, "last": list(last)}
    return {"from": newest_raw, "page": 1, "last": list(last)}


def _store_page(
    session: Session, ctx: Context, records: list[dict[str, Any]], page: int
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Store a page's records; a record with errors is left out (and listed), the others are stored."""
    # A record changed while the source was paged can come twice in one page: the newer one is the record.
    newest: dict[str, dict[str, Any]] = {}
    for i, r in enumerate(sorted(records, key=modified_key)):
        newest[str(r.get("reference") or f"record {i}")] = r
    labelled = list(newest.items())
    rejected: list[dict[str, Any]] = []
    while labelled:
        try:
            report = import_raw(
                session,
                RawInput(f"sync page {page}", een=list(labelled)),
                ctx.settings.now(),
                ctx.settings.current_date(),
                link_at=ctx.settings.identity_link_at,
                review_at=ctx.settings.identity_review_at,
            )
        except ValidationFailed as failed:
            bad = {str(e.row).removesuffix(".organisation") for e in failed.errors}
            rejected += [
                {"reference": str(e.row).removesuffix(".organisation"), "field": e.field, "reason": e.reason}
                for e in failed.errors
            ]
            kept = [(label, r) for label, r in labelled if label not in bad]
            if len(kept) == len(labelled):
                raise  # an error no record is to blame for
            labelled = kept
            continue
        record_links(session, ctx, report)
        profiles = report.counts.get("profiles", {})
        return {
            "created": profiles.get("created", 0),
            "updated": profiles.get("updated", 0),
            "unchanged": profiles.get("unchanged", 0),
            "firms_created": report.counts.get("firms", {}).get("created", 0),
            "linked": len(report.linked),
            "queued": len(report.duplicates),
            "rejected": len({r["reference"] for r in rejected}),
        }, rejected
    return {"rejected": len({r["reference"] for r in rejected})}, rejected


def _end(ctx: Context, run_id: int, status: str, error: str | None) -> SyncResult:
    with session_scope(ctx.engine) as session:
        run = store.finish(session, run_id, status, ctx.settings.now(), error)
        record(session, ctx, "een_sync", "sync", run.source[:80], None, {"run": run_id, "status": status} | run.stats)
        assert run.id is not None
        return SyncResult(
            run.id, run.source, run.status, run.attempts, dict(run.stats), list(run.errors), dict(run.checkpoint)
        )


def recent_runs(ctx: Context, url: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    require_role(ctx.viewer, Role.ADMIN)
    with session_scope(ctx.engine, readonly=True) as session:
        return [
            {
                "id": r.id,
                "source": r.source,
                "status": r.status,
                "started_at": r.started_at.isoformat(),
                "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                "attempts": r.attempts,
                "since": r.since,
                "checkpoint": r.checkpoint,
                "stats": r.stats,
                "errors": r.errors,
            }
            for r in store.runs(session, source_name(url) if url else None, limit)
        ]
