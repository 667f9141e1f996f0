"""User actions on a firm's supplier and customer relations: same rules as profiles (the firm's users
and its cluster's advisors manage them), the same validation as file imports, audited."""

from __future__ import annotations

from typing import Any

from api.actions.cluster_map import relation_view
from api.actions.context import Context, firm_row, record
from profiles.db import session_scope
from profiles.errors import NotFound
from profiles.importing import import_raw
from profiles.readers import RawInput
from profiles.repository import firms as firm_store
from profiles.repository import relations as relation_store
from profiles.taxonomy.vocabulary import fold


def list_relations(ctx: Context, firm_ref: str) -> list[dict[str, Any]]:
    with session_scope(ctx.engine, readonly=True) as session:
        firm = firm_row(session, ctx.viewer, firm_ref, manage=True)
        assert firm.id is not None
        firms = firm_store.firms_with_ids(session)
        # the firm's own records: a counterpart is named as recorded, even one that is anonymous to the viewer
        rows = relation_store.relations_of(session, [firm.id])
        return [relation_view(r, firms, ctx.viewer, recorded_name=True) for r in rows]


def add_relation(ctx: Context, firm_ref: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Record (or update) one relation of a firm the viewer manages."""
    with session_scope(ctx.engine) as session:
        firm = firm_row(session, ctx.viewer, firm_ref, manage=True)
        source = RawInput("relation")
        source.rows["relations"].append(("relation", dict(raw, firm=firm.key)))
        report = import_raw(session, source, ctx.settings.now(), ctx.settings.current_date())
        record(
            session,
            ctx,
            "relation",
            "firm",
            firm.key,
            firm.cluster,
            {"direction": raw.get("direction"), "counts": report.counts.get("relations")},
        )
        firms = firm_store.firms_with_ids(session)
        counterpart = relation_store.counterpart_index(session).resolve(str(raw.get("counterpart", "")))
        slot = (
            firm.id,
            str(raw.get("direction", "")).strip().lower(),
            counterpart.key,
            fold(str(raw.get("item") or "")),
        )
        assert firm.id is not None
        row = next(
            r
            for r in relation_store.relations_of(session, [firm.id])
            if (r.firm_id, r.direction, r.counterpart_key, r.item_key) == slot
        )
        return relation_view(row, firms, ctx.viewer, recorded_name=True)


def delete_relation(ctx: Context, relation_id: int) -> str:
    """Remove a relation; answers the firm's key."""
    with session_scope(ctx.engine) as session:
        row = relation_store.get_relation(session, relation_id)
        firm = firm_store.firm_with_id(session, row.firm_id) if row is not None else None
        if row is None or firm is None or firm.id is None or not ctx.viewer.manages(firm.id, firm.cluster):
            raise NotFound(f"no relation with id {relation_id}")
        relation_store.delete_relation(session, row)
        record(
            session,
            ctx,
            "relation-delete",
            "firm",
            firm.key,
            firm.cluster,
            {"counterpart": row.counterpart_name, "direction": row.direction},
        )
        return firm.key
