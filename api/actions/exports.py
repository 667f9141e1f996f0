"""Exports of stored records in the import format: an export re-imports unchanged.

Firms' contact details are left out unless the operator asks for them; such an export is audited.
"""

from __future__ import annotations

import json
from typing import Any

from api.actions.context import Context, record, require_role
from profiles import een_format, repository
from profiles.csv_cells import csv_text
from profiles.db import session_scope
from profiles.errors import PartnermatchError
from profiles.mapping import to_plain
from profiles.repository import profiles as profile_store
from profiles.visibility import Role

EXPORTABLE = ("firms", "profiles", "bids", "matches", "proposals")


# Left out of exports unless contacts are asked for: who the firm is and how to reach it.
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "website", "vat_number", "registry_number")


# The same in the organisation block a network record may carry (kept with its profile).
ORGANISATION_CONTACT_FIELDS = ("website", "vatNumber", "registryNumber")


def _without_organisation_contacts(record: dict[str, Any] | None) -> dict[str, Any] | None:
    """A network record with its organisation's website, VAT and registry numbers left out."""
    if not isinstance(record, dict) or not isinstance(record.get("organisation"), dict):
        return record
    organisation = {k: v for k, v in record["organisation"].items() if k not in ORGANISATION_CONTACT_FIELDS}
    return dict(record, organisation=organisation)


def export_records(ctx: Context, what: str, include_contacts: bool = False) -> list[dict[str, Any]]:
    """Records in the import format (an export re-imports unchanged); contacts only when asked for."""
    require_role(ctx.viewer, Role.ADMIN)
    if what not in EXPORTABLE:
        raise PartnermatchError(f"cannot export '{what}'; choose one of {', '.join(EXPORTABLE)}")
    if what in ("firms", "profiles") and include_contacts:
        with session_scope(ctx.engine) as session:
            record(session, ctx, "export", "export", what, None, {"contacts": True})
    with session_scope(ctx.engine, readonly=True) as session:
        if what == "firms":
            firms = [to_plain(f) for f in repository.load_firms(session)]
            if not include_contacts:
                for f in firms:
                    for name in CONTACT_FIELDS:
                        f.pop(name)
            return firms
        if what == "profiles":
            out = []
            for p in repository.load_profiles(session):
                plain = to_plain(p)
                plain = {"key": plain.pop("key"), "firm": plain.pop("firm_key"), **plain}
                if not include_contacts:
                    plain["een"] = _without_organisation_contacts(plain.get("een"))
                out.append(plain)
            return out
        if what == "bids":
            return [to_plain(b) for b in repository.load_bids(session)]
        if what == "matches":
            return repository.load_matches(session)
        return repository.load_proposals(session)


def network_records(ctx: Context, include_contacts: bool = False) -> list[dict[str, Any]]:
    """Every profile as an EEN web-service record (`profiles.een_format`): a profile that came from the
    network and was not changed since is the record it came as (its organisation's website, VAT and
    registry numbers only when contacts are asked for)."""
    require_role(ctx.viewer, Role.ADMIN)
    if include_contacts:
        with session_scope(ctx.engine) as session:
            record(session, ctx, "export", "export", "profiles", None, {"contacts": True, "format": "een"})
    with session_scope(ctx.engine, readonly=True) as session:
        records = [
            een_format.to_een(profile, country, created, updated, een_format.as_imported(profile))
            for profile, country, created, updated in profile_store.profiles_for_network(session)
        ]
    if include_contacts:
        return records
    return [r for r in (_without_organisation_contacts(r) for r in records) if r is not None]


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, str) for v in value):
            return ";".join(value)
        if all(isinstance(v, dict) and set(v) == {"phrase", "capacity_per_year"} for v in value):
            return ";".join(
                v["phrase"] + (f":{v['capacity_per_year']}" if v["capacity_per_year"] else "") for v in value
            )
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def format_records(records: list[dict[str, Any]], what: str, fmt: str) -> str:
    if fmt == "een":
        # A list of records, as the network's web service pages hold them; it imports as it is.
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt == "json":
        return json.dumps({what: records}, ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt != "csv":
        raise PartnermatchError(f"unknown export format '{fmt}'; choose json, csv or een (profiles only)")
    if what == "bids":
        raise PartnermatchError("bids have nested requirements; export them as json")
    columns: list[str] = []
    for r in records:
        columns += [c for c in r if c not in columns]
    return csv_text(columns, ([_csv_cell(r.get(c)) for c in columns] for r in records))
