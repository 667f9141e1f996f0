"""The profile change feed (`GET /profiles?modified_since=…`): how another system follows partnermatch.

Changes come in a stable order (time, then id) behind an opaque cursor, a page at a time. Each change is
one of:

* `updated`: a profile the viewer may see now, as the profile API shows it (anonymous where it is not
  the viewer's);
* `removed`: a profile the viewer saw or could have seen (it was published: it has a reference) that is
  no longer listed to the viewer; its `status` says why (withdrawn, expired, draft);
* `deleted`: a profile that is gone with its firm.

Removals carry the reference only (and the key for the profile's own managers), never more than a
published profile showed. Changes younger than `feed_settle_seconds` wait for the next read, so that a
transaction that started earlier and commits later cannot slip in behind a cursor already handed out.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from api.actions import views
from api.actions.context import Context, hidden_names
from profiles import een
from profiles.db import session_scope
from profiles.errors import RowError, ValidationFailed
from profiles.repository import changes
from profiles.repository.search import Scope
from profiles.visibility import Role, Viewer


def _scope(viewer: Viewer) -> Scope:
    if viewer.role == Role.ADMIN:
        return Scope(all_private=True)
    if viewer.role == Role.FIRM:
        return Scope(firm_id=viewer.firm_id)
    return Scope(cluster=viewer.cluster)


def encode_cursor(position: changes.Position) -> str:
    text = json.dumps([position.at.astimezone(UTC).isoformat(), position.source, position.id])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> changes.Position:
    try:
        at, source, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = datetime.fromisoformat(at)
        if source not in (changes.PROFILE, changes.REMOVAL) or not isinstance(row_id, int):
            raise ValueError(source)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise ValidationFailed(
            [RowError("query", "cursor", cursor[:40], "not a cursor this feed handed out; start from modified_since")]
        ) from None
    return changes.Position(moment if moment.tzinfo else moment.replace(tzinfo=UTC), source, row_id)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def profile_changes(ctx: Context, modified_since: datetime | None, cursor: str | None, limit: int) -> dict[str, Any]:
    """One page of changes after `cursor` (or from `modified_since`), and the cursor to read on from."""
    after = decode_cursor(cursor) if cursor else None
    since = _utc(modified_since) if modified_since is not None else None
    until = ctx.settings.now() - timedelta(seconds=ctx.settings.feed_settle_seconds)
    today = ctx.settings.current_date()
    viewer = ctx.viewer
    scope = _scope(viewer)
    with session_scope(ctx.engine, readonly=True) as session:
        profiles = changes.profile_changes(session, scope, today, after, since, until, limit)
        removed = changes.removals(session, scope, after, since, until, limit)
        rows: list[tuple[changes.Position, Any]] = [
            (changes.Position(_utc(p.updated_at), changes.PROFILE, p.id or 0), (p, f)) for p, f in profiles
        ] + [(changes.Position(_utc(r.removed_at), changes.REMOVAL, r.id or 0), r) for r in removed]
        rows.sort(key=lambda item: item[0])
        page = rows[:limit]
        names = hidden_names(session, viewer)
        items = [_change(position, row, viewer, today, names) for position, row in page]
    last = page[-1][0] if page else after
    return {
        "items": items,
        "next_cursor": encode_cursor(last) if last is not None else None,
        "has_more": len(rows) > limit or len(profiles) == limit or len(removed) == limit,
        "until": until.astimezone(UTC).isoformat(),
    }


def _change(
    position: changes.Position, row: Any, viewer: Viewer, today: Any, names: views.HiddenNames
) -> dict[str, Any]:
    at = position.at.astimezone(UTC).isoformat()
    if position.source == changes.REMOVAL:
        out = {"change": "deleted", "at": at, "reference": row.reference, "status": "deleted"}
        if viewer.manages(row.firm_id, row.cluster):
            out["key"] = row.key
        return out
    profile, firm = row
    manages = viewer.manages(firm.id, firm.cluster)
    if manages or een.is_live(profile, today):
        return {
            "change": "updated",
            "at": at,
            "reference": profile.reference,
            "status": views.effective_status(profile, today),
            "profile": views.profile_view(profile, firm, viewer, today, names),
        }
    return {
        "change": "removed",
        "at": at,
        "reference": profile.reference,
        "status": views.effective_status(profile, today),
    }
