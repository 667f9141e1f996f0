"""The audit log as each viewer may read it: the same visibility rules as everything else.

An advisor reads its own cluster's entries, and entries about an expression of interest
are written to both sides' clusters. Until an introduction is agreed, the other side's
firm users appear as "user of firm <alias>" and its advisors as "advisor of another
cluster"; firm names and keys inside an entry become aliases.
"""

from __future__ import annotations

from typing import Any

from api.actions import views
from api.actions.context import Context, require_role
from profiles.db import session_scope
from profiles.repository import accounts as account_store
from profiles.repository import audit as audit_store
from profiles.repository import firms as firm_store
from profiles.tables import AccountRow, FirmRow
from profiles.visibility import Role, Viewer

OTHER_ADVISOR = "advisor of another cluster"


def shown_actor(account: AccountRow | None, actor: str, viewer: Viewer, firms: dict[int, FirmRow]) -> str:
    """The actor's name, or what may be said of it without naming a firm the viewer may not see."""
    if account is None or viewer.is_admin:
        return actor
    if account.role == Role.FIRM.value and account.firm_id is not None:
        firm = firms.get(account.firm_id)
        if firm is not None and firm.id is not None and not viewer.sees_identity(firm.id, firm.cluster):
            return f"user of firm {firm.alias}"
        return actor
    if account.role == Role.ADVISOR.value and account.cluster != viewer.cluster:
        return OTHER_ADVISOR
    return actor


def list_events(
    ctx: Context, entity: str | None, key: str | None, actor: str | None, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    viewer = ctx.viewer
    with session_scope(ctx.engine, readonly=True) as session:
        firms = firm_store.firms_with_ids(session)
        if actor is not None and not viewer.is_admin:
            named = account_store.account_by_username(session, actor)
            if named is not None and shown_actor(named, actor, viewer, firms) != actor:
                return [], 0  # filtering by a hidden account's name must not confirm what it did
        rows, total = audit_store.list_events(
            session,
            cluster=None if viewer.is_admin else viewer.cluster,
            entity=entity,
            entity_key=key,
            actor=actor,
            since=None,
            offset=offset,
            limit=limit,
        )
        ids = {r.account_id for r in rows if r.account_id is not None}
        acting = {a.id: a for a in account_store.accounts_by_id(session, ids)} if ids else {}
        out = []
        for r in rows:
            view = views.audit_view(r)
            view["actor"] = shown_actor(acting.get(r.account_id) if r.account_id else None, r.actor, viewer, firms)
            out.append(view)
        return views.redact(out, list(firms.values()), viewer), total
