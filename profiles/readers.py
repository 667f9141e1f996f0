"""Read JSON and CSV input files into raw rows, before validation.

A JSON file is an object with any of the lists "firms", "profiles", "bids" and
"relations". A CSV file holds one kind, recognised from its header: firms (name,
country), profiles (firm, type), bids (one row per requirement, grouped by
the "bid" column) or relations (firm, direction, counterpart). Rows keep a
label (JSON path or CSV line) for error messages.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .characters import depth_problem
from .csv_cells import restore
from .errors import RowError, UnreadableInput, ValidationFailed

KINDS = ("firms", "profiles", "bids", "relations")

BID_LEVEL_COLUMNS = {
    "title",
    "customer",
    "customer_country",
    "delivery_country",
    "description",
    "deadline",
    "volume_per_year",
    "status",
    "min_size",
    "max_size",
    "min_countries",
    "max_per_country",
    "required_kinds",
    "excluded_firms",
    "excluded_pairs",
    "locked_firms",
}
LEAD_COLUMNS = {
    "lead_certifications": "certifications",
    "lead_export_experience": "export_experience",
    "lead_languages": "languages",
}
REQUIREMENT_COLUMNS = {
    "requirement": "key",
    "capability": "capability",
    "mandatory": "mandatory",
    "certifications": "certifications",
    "requirement_volume": "volume_per_year",
    "min_fit": "min_fit",
    "weight": "weight",
}


@dataclass
class RawInput:
    source: str
    rows: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def __len__(self) -> int:
        return sum(len(v) for v in self.rows.values())


def decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableInput(
            f"{source}: not valid UTF-8 at byte {exc.start} (line {line}); save the file as UTF-8 and import it again"
        ) from exc


def read_input(path: Path) -> RawInput:
    if not path.exists():
        raise UnreadableInput(f"{path}: no such file")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".json":
        return parse_json(decode(data, str(path)), str(path))
    if suffix == ".csv":
        return parse_csv(decode(data, str(path)), str(path))
    raise UnreadableInput(f"{path}: unknown file type '{suffix}'; use .json or .csv")


def parse_json(text: str, source: str) -> RawInput:
    too_deep = depth_problem(text)
    if too_deep:
        raise UnreadableInput(f"{source}: {too_deep}; profiles, firms and bids need no more than a few")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    if not isinstance(doc, dict) or not any(k in doc for k in KINDS):
        raise UnreadableInput(
            f"{source}: expected a JSON object with a list under 'firms', 'profiles', 'bids' or 'relations'"
        )
    out = RawInput(source)
    errors: list[RowError] = []
    for name in doc:
        if name not in KINDS:
            errors.append(
                RowError(
                    "file",
                    name,
                    doc[name] if not isinstance(doc[name], (list, dict)) else "…",
                    "unknown top-level key; expected firms, profiles, bids or relations",
                )
            )
    for kind in KINDS:
        items = doc.get(kind, [])
        if not isinstance(items, list):
            errors.append(RowError("file", kind, type(items).__name__, "must be a list"))
            continue
        for i, item in enumerate(items):
            label = f"{kind}[{i}]"
            if not isinstance(item, dict):
                errors.append(RowError(label, "", item, "must be an object"))
                continue
            out.rows[kind].append((label, item))
    if errors:
        raise ValidationFailed(errors, source)
    return out


def _csv_kind(header: list[str], source: str) -> str:
    columns = set(header)
    if {"firm", "direction", "counterpart"} <= columns:
        return "relations"
    if {"bid", "capability"} <= columns:
        return "bids"
    if {"firm", "type"} <= columns:
        return "profiles"
    if {"key", "name", "country"} <= columns:
        return "firms"
    raise UnreadableInput(
        f"{source}: cannot tell what the CSV holds from its header {header}; firms need "
        "key,name,country; profiles need key,firm,type; bids need bid,capability; relations need "
        "firm,direction,counterpart"
    )


def parse_csv(text: str, source: str) -> RawInput:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration as exc:
        raise UnreadableInput(f"{source}: the file is empty") from exc
    except csv.Error as exc:
        raise UnreadableInput(f"{source}: broken CSV header: {exc}") from exc
    kind = _csv_kind(header, source)
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise UnreadableInput(f"{source}: duplicate column(s) {dupes} in the header")
    out = RawInput(source)
    errors: list[RowError] = []
    records: list[tuple[str, dict[str, Any]]] = []
    try:
        for line_no, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                errors.append(
                    RowError(
                        f"line {line_no}",
                        "",
                        len(values),
                        f"has {len(values)} values but the header has {len(header)} columns",
                    )
                )
                continue
            records.append((f"line {line_no}", dict(zip(header, (restore(v) for v in values), strict=True))))
    except csv.Error as exc:
        raise UnreadableInput(f"{source}: broken CSV near line {reader.line_num}: {exc}") from exc
    if errors:
        raise ValidationFailed(errors, source)
    out.rows[kind] = _group_bid_rows(records) if kind == "bids" else records
    return out


def _group_bid_rows(records: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """One CSV row per requirement → one nested bid object per bid key."""
    bids: dict[str, tuple[str, dict[str, Any]]] = {}
    for label, rec in records:
        bid_key = rec.get("bid", "").strip()
        if bid_key not in bids:
            bid: dict[str, Any] = {"key": bid_key, "requirements": []}
            lead: dict[str, Any] = {}
            for col, value in rec.items():
                if col in BID_LEVEL_COLUMNS:
                    bid[col] = value
                elif col in LEAD_COLUMNS and value.strip():
                    lead[LEAD_COLUMNS[col]] = value
                elif col not in REQUIREMENT_COLUMNS and col != "bid":
                    bid[col] = value  # unknown column: validation reports it
            if lead:
                bid["lead"] = lead
            bids[bid_key] = (label, bid)
        requirement = {REQUIREMENT_COLUMNS[c]: v for c, v in rec.items() if c in REQUIREMENT_COLUMNS and v.strip()}
        bids[bid_key][1]["requirements"].append(requirement)
    return list(bids.values())
