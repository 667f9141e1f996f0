"""Duplicate firms: the pairs an import flagged as possibly the same firm, and an advisor's decision on each.

Who: an advisor resolves the pairs whose two firms are both of the advisor's cluster; administrators
resolve every pair (pairs across clusters are theirs alone). Firm users never see the flags.

* "same firm": the other firm is merged into the kept one (see `profiles.repository.duplicates`); its old
  key becomes an alias of the kept firm, so a later import or API call naming it reaches the kept firm.
* "different firms": the flag is dismissed for good; the pair is never flagged again.
* Undoing a merge restores both firms and exactly what moved, while nothing later depends on it (the rule
  is `duplicates.unmerge`'s); the pair is then open again. Each of these is one audited transaction.

Until a pair is resolved the optimiser never puts both firms in one consortium (`optimizer.rules`).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from api.actions.context import Context, record, require_role
from profiles.db import session_scope
from profiles.errors import Conflict, Forbidden, NotFound, RowError, ValidationFailed
from profiles.identity import explain_evidence
from profiles.repository import duplicates as store
from profiles.repository import firms as firm_store
from profiles.tables import DuplicatePairRow, FirmRow
from profiles.visibility import Role, Viewer

ENTITY = "firm"
DECISIONS = ("same", "different")


def _firms(session: Session, pair: DuplicatePairRow) -> tuple[FirmRow | None, FirmRow | None]:
    return firm_store.firm_with_key(session, pair.first_key), firm_store.firm_with_key(session, pair.second_key)


def _manages(viewer: Viewer, *firms: FirmRow | None) -> bool:
    return all(f is not None and viewer.manages(f.id, f.cluster) for f in firms)


def explanation(pair: DuplicatePairRow) -> str:
    """Why the pair was found, in words: the identity score's evidence ("names 91% alike, same city, same VAT
    number"); for a pair stored before identity resolution, what it was flagged on."""
    words = explain_evidence(pair.evidence or {})
    if words:
        return words
    return f"names {pair.similarity:.0f}% alike" + (", same city" if pair.same_city else "")


def _view(session: Session, pair: DuplicatePairRow, viewer: Viewer) -> dict[str, Any]:
    first, second = _firms(session, pair)
    evidence = pair.evidence or {}
    out: dict[str, Any] = {
        "id": pair.id,
        "status": pair.status,
        "first": {"key": pair.first_key, "name": pair.first_name},
        "second": {"key": pair.second_key, "name": pair.second_name},
        "similarity": pair.similarity,
        "same_city": pair.same_city,
        "score": evidence.get("score"),
        "explanation": explanation(pair),
        # the points each piece of evidence gave ("vat": 9.0, "name": -1.2, ...), when identity scored the pair
        "points": dict(evidence.get("points") or {}),
        "flagged_at": pair.flagged_at.isoformat(),
        "decided_at": pair.decided_at.isoformat() if pair.decided_at else None,
        "kept": pair.kept_key,
        # merged by identity resolution at import (decided by nobody), not by an advisor
        "linked_automatically": pair.status == store.SAME and pair.decided_by is None,
    }
    if pair.status == store.SAME:
        blockers = store.undo_blockers(session, pair)
        out["can_undo"], out["undo_blockers"] = not blockers, blockers
        out["moved"] = {k.split(".")[0] + "s": len(v) for k, v in pair.merge.get("moved", {}).items() if v}
    elif pair.status == store.OPEN:
        out["open"] = first is not None and second is not None
    return out


def _visible(session: Session, viewer: Viewer, pair: DuplicatePairRow) -> bool:
    """Advisors see the pairs of their cluster (both firms theirs); for a merged pair, the kept firm's cluster
    and the merged firm's recorded cluster."""
    if viewer.role == Role.ADMIN:
        return True
    if pair.status == store.SAME:
        kept = firm_store.firm_with_key(session, pair.kept_key or "")
        merged_cluster = pair.merge.get("firm", {}).get("cluster")
        return _manages(viewer, kept) and viewer.cluster is not None and merged_cluster == viewer.cluster
    return _manages(viewer, *_firms(session, pair))


def list_pairs(ctx: Context, status: str | None = "open", firm: str | None = None) -> list[dict[str, Any]]:
    """The flagged pairs the viewer may resolve, oldest first; `status` open, same, different or None (all)."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    if status is not None and status not in (store.OPEN, *DECISIONS):
        raise ValidationFailed(
            [RowError("query", "status", status, "use open, same or different (or leave it out for all)")]
        )
    with session_scope(ctx.engine, readonly=True) as session:
        key = None
        if firm is not None:
            row = firm_store.firm_with_key(session, firm)
            if row is None or not ctx.viewer.manages(row.id, row.cluster):
                raise NotFound(f"no firm '{firm}'")
            key = row.key
        rows = store.pairs(session, status, key)
        return [_view(session, p, ctx.viewer) for p in rows if _visible(session, ctx.viewer, p)]


def flagged_keys(ctx: Context) -> set[str]:
    """Keys of the firms in an open pair the viewer may see: what the firms list marks."""
    if ctx.viewer.role not in (Role.ADVISOR, Role.ADMIN):
        return set()
    return {k for p in list_pairs(ctx, store.OPEN) for k in (p["first"]["key"], p["second"]["key"])}


def _pair(session: Session, ctx: Context, pair_id: int) -> DuplicatePairRow:
    pair = store.pair_with_id(session, pair_id, for_update=True)
    if pair is None or not _visible(session, ctx.viewer, pair):
        raise NotFound(f"no flagged pair {pair_id}")
    return pair


def resolve(ctx: Context, pair_id: int, decision: str, keep: str | None = None) -> dict[str, Any]:
    """Decide an open pair: `same` merges the other firm into `keep` (one of the two keys), `different`
    dismisses the flag for good."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    if decision not in DECISIONS:
        raise ValidationFailed([RowError("decision", "decision", decision, "use 'same' or 'different'")])
    with session_scope(ctx.engine) as session:
        pair = _pair(session, ctx, pair_id)
        if pair.status != store.OPEN:
            raise Conflict(f"pair {pair_id} is already resolved ({pair.status}); undo the merge to decide again")
        first, second = _firms(session, pair)
        if first is None or second is None or first.id == second.id:
            raise Conflict(f"pair {pair_id} no longer names two firms; one of them was deleted or merged")
        if not _manages(ctx.viewer, first, second):
            raise Forbidden("only an advisor of both firms' cluster, or an administrator, resolves this pair")
        now = ctx.settings.now()
        if decision == "different":
            store.decide(session, pair, store.DIFFERENT, ctx.viewer.account_id, now)
            record(session, ctx, "dismiss_duplicate", ENTITY, first.key, first.cluster, _detail(pair, second.key))
            return _view(session, pair, ctx.viewer)
        if keep not in (first.key, second.key):
            raise ValidationFailed(
                [RowError("decision", "keep", keep, f"name the firm to keep: '{first.key}' or '{second.key}'")]
            )
        kept, other = (first, second) if keep == first.key else (second, first)
        store.decide(session, pair, store.SAME, ctx.viewer.account_id, now)
        merged = store.merge(session, pair, kept, other, now)
        detail = _detail(pair, other.key) | {
            "moved": {k: len(v) for k, v in merged["moved"].items() if v},
            "set_aside": {k: len(v) for k, v in merged["set_aside"].items() if v},
        }
        record(session, ctx, "merge_firms", ENTITY, kept.key, kept.cluster, detail)
        return _view(session, pair, ctx.viewer)


def _detail(pair: DuplicatePairRow, other: str) -> dict[str, Any]:
    return {"pair": pair.id, "other": other, "undo": f"POST /api/v1/duplicates/{pair.id}/undo"}


def undo(ctx: Context, pair_id: int) -> dict[str, Any]:
    """Undo a merge: both firms and what moved are back, and the pair is open again."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        pair = _pair(session, ctx, pair_id)
        blockers = store.undo_blockers(session, pair)
        if blockers:
            raise Conflict(f"the merge of pair {pair_id} cannot be undone: " + "; ".join(blockers))
        kept_key, merged_key = pair.merge["kept"], pair.merge["merged"]
        store.unmerge(session, pair)
        kept = firm_store.firm_with_key(session, kept_key)
        detail = {"pair": pair.id, "other": merged_key}
        record(session, ctx, "undo_merge", ENTITY, kept_key, kept.cluster if kept else None, detail)
        return _view(session, pair, ctx.viewer)
