"""Bulk imports from files, audited in the same transaction as the rows they store."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlmodel import Session

from api.actions.context import Context, record, require_role
from profiles.db import session_scope
from profiles.importing import ImportReport, import_raw
from profiles.readers import read_input
from profiles.visibility import Role

DEMO_FILES = ("firms.json", "profiles.json", "bids.json", "relations.json")


def demo_files() -> list[Path]:
    """The bundled demo data, in the order it imports (firms before their profiles and relations)."""
    root = resources.files("profiles") / "demo"
    return [Path(str(root / name)) for name in DEMO_FILES]


def record_links(session: Session, ctx: Context, report: ImportReport) -> None:
    """Audit each firm the import linked to a stored one, with the undo pointer a manual merge has."""
    for linked in report.linked:
        detail = {
            "pair": linked.pair_id,
            "other": linked.merged,
            "undo": f"POST /api/v1/duplicates/{linked.pair_id}/undo",
            "score": round(linked.score, 4),
            "evidence": linked.explanation,
        }
        record(session, ctx, "link_firms", "firm", linked.kept, linked.cluster, detail)


def import_path(ctx: Context, path: Path) -> ImportReport:
    """Import one file of firms, profiles, bids or relations; a file with any bad row stores nothing.

    An import that changed something is audited as an upload by `ctx`'s user.
    """
    require_role(ctx.viewer, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        report = import_raw(
            session,
            read_input(path),
            ctx.settings.now(),
            ctx.settings.current_date(),
            link_at=ctx.settings.identity_link_at,
            review_at=ctx.settings.identity_review_at,
        )
        record_links(session, ctx, report)
        if report.changed:
            record(session, ctx, "import", "upload", Path(report.source).name[:80], None, {"counts": report.counts})
        return report
