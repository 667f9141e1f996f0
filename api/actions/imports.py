"""Bulk imports from files, audited in the same transaction as the rows they store."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from api.actions.context import Context, record, require_role
from profiles.db import session_scope
from profiles.importing import ImportReport, import_file
from profiles.visibility import Role

DEMO_FILES = ("firms.json", "profiles.json", "bids.json", "relations.json")


def demo_files() -> list[Path]:
    """The bundled demo data, in the order it imports (firms before their profiles and relations)."""
    root = resources.files("profiles") / "demo"
    return [Path(str(root / name)) for name in DEMO_FILES]


def import_path(ctx: Context, path: Path) -> ImportReport:
    """Import one file of firms, profiles, bids or relations; a file with any bad row stores nothing.

    An import that changed something is audited as an upload by `ctx`'s user.
    """
    require_role(ctx.viewer, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        report = import_file(session, path, ctx.settings.now(), ctx.settings.current_date())
        if report.changed:
            record(session, ctx, "import", "upload", Path(report.source).name[:80], None, {"counts": report.counts})
        return report
