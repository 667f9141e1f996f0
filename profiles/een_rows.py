"""Network records into import rows, against what is stored: a known reference is the same profile.

`een_format.from_een` reads one record on its own; here the records of a file or a sync page meet the
database. A record whose reference is stored updates that profile, under its key and with its firm
(wherever an advisor has moved it since); a partnermatch-format row naming a stored reference under
another key is that profile too. A record's organisation (or its placeholder firm) is added as a firm only
when no firm has that key yet: a network record never overwrites what a cluster or a firm wrote.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from .een_format import from_een
from .errors import RowError
from .readers import RawInput
from .repository import firms as firm_store
from .repository import profiles as profile_store


def add_network_rows(session: Session, raw: RawInput) -> list[RowError]:
    """Turn `raw.een` into firm and profile rows of `raw` and map known references to their profiles' keys;
    returns the network's own rule errors (limits, keyword counts, partnership types, statuses)."""
    references = [r.get("reference") for _, r in raw.een] + [r.get("reference") for _, r in raw.rows["profiles"]]
    stored = profile_store.stored_by_reference(session, (r for r in references if isinstance(r, str)))
    _same_reference_same_profile(raw, stored)
    if not raw.een:
        return []
    errors: list[RowError] = []
    firms: dict[str, dict[str, Any]] = {}
    for label, record in raw.een:
        known = stored.get(str(record.get("reference") or ""))
        rows = from_een(record, label, key=known[0] if known else None)
        errors += rows.errors
        if known:
            rows.profile["firm"] = known[1]
        else:
            firms.setdefault(rows.firm["key"], rows.firm | {"_label": label})
        raw.rows["profiles"].append((label, rows.profile))
    existing = set(firm_store.firm_ids(session, firms))  # an old key of a merged firm counts as existing
    for key, row in firms.items():
        if key not in existing:
            label = row.pop("_label")
            raw.rows["firms"].append((f"{label}.organisation", row))
    raw.een = []
    return errors


def _same_reference_same_profile(raw: RawInput, stored: dict[str, tuple[str, str]]) -> None:
    for _, row in raw.rows["profiles"]:
        reference = row.get("reference")
        known = stored.get(reference) if isinstance(reference, str) else None
        if known and row.get("key") != known[0]:
            row["key"] = known[0]
