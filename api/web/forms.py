"""Form fields turned into the raw records the validators read, and back for redisplay."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from profiles.domain import SizeClass
from profiles.errors import RowError

PROFILE_FIELDS = (
    "key",
    "firm",
    "type",
    "title",
    "summary",
    "description",
    "language",
    "keywords",
    "capabilities",
    "partner_sought",
    "partnership_types",
    "status",
)
PROFILE_LISTS = ("keywords", "capabilities", "partnership_types")
BID_FIELDS = (
    "key",
    "title",
    "customer",
    "customer_country",
    "delivery_country",
    "description",
    "deadline",
    "volume_per_year",
    "min_size",
    "max_size",
    "min_countries",
    "max_per_country",
)
REQUIREMENT_FIELDS = ("key", "capability", "certifications", "volume_per_year", "min_fit", "weight")


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _items(text: str) -> str:
    """Lists are typed one per line or separated by ';' or ','; the validators read ';'-separated text."""
    parts = [p.strip() for line in text.replace(",", ";").splitlines() for p in line.split(";")]
    return "; ".join(p for p in parts if p)


def profile_raw(form: FormData) -> dict[str, Any]:
    """Only the fields given: an empty optional field is left out, so the validator applies its default."""
    raw: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        value = _text(form, name)
        if name in PROFILE_LISTS:
            value = _items(value)
        if value:
            raw[name] = value
    return raw


def profile_form(view: dict[str, Any]) -> dict[str, str]:
    """A stored profile's fields as the form shows them."""
    out = {name: view.get(name) or "" for name in PROFILE_FIELDS}
    for name in PROFILE_LISTS:
        out[name] = "\n".join(view.get(name) or [])
    out["version"] = view.get("version") or ""
    return {k: str(v) for k, v in out.items()}


MAX_REQUIREMENT_ROWS = 200


def _requirement_count(form: FormData) -> int:
    """How many requirement rows the form says it sends; a number typed into the request is no reason to
    read millions of empty rows."""
    text = _text(form, "requirement_rows")
    return min(int(text), MAX_REQUIREMENT_ROWS) if text.isdecimal() and len(text) <= 6 else 0


def bid_raw(form: FormData) -> dict[str, Any]:
    raw: dict[str, Any] = {name: _text(form, name) for name in BID_FIELDS if _text(form, name)}
    lead = _items(_text(form, "lead_certifications"))
    if lead:
        raw["lead"] = {"certifications": lead}
    requirements = []
    for i in range(_requirement_count(form)):
        row = {name: _text(form, f"req-{i}-{name}") for name in REQUIREMENT_FIELDS}
        if not any(row.values()) or form.get(f"req-{i}-remove") == "on":
            continue
        req: dict[str, Any] = {k: v for k, v in row.items() if v}
        if "certifications" in req:
            req["certifications"] = _items(req["certifications"])
        req["mandatory"] = form.get(f"req-{i}-mandatory") == "on"
        requirements.append(req)
    raw["requirements"] = requirements
    return raw


def requirement_rows(form: FormData | None, minimum: int = 4) -> list[dict[str, str]]:
    """Requirement rows for redisplay: what was typed, plus empty rows to add more."""
    rows: list[dict[str, str]] = []
    if form is not None:
        for i in range(_requirement_count(form)):
            row = {name: _text(form, f"req-{i}-{name}") for name in REQUIREMENT_FIELDS}
            row["mandatory"] = "on" if form.get(f"req-{i}-mandatory") == "on" else ""
            if any(v for k, v in row.items() if k != "mandatory") and form.get(f"req-{i}-remove") != "on":
                rows.append(row)
    while len(rows) < minimum or (rows and any(v for k, v in rows[-1].items() if k != "mandatory")):
        rows.append(dict.fromkeys(REQUIREMENT_FIELDS, "") | {"mandatory": "on"})
    return rows


def bid_form(view: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """A stored bid's fields and requirement rows as the edit form shows them."""

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    values = {name: text(view.get(name)) for name in BID_FIELDS}
    values["lead_certifications"] = "\n".join((view.get("lead") or {}).get("certifications") or [])
    values["version"] = text(view.get("version"))
    rows = [
        {name: text(r.get(name)) for name in REQUIREMENT_FIELDS}
        | {"certifications": "; ".join(r.get("certifications") or []), "mandatory": "on" if r.get("mandatory") else ""}
        for r in view.get("requirements", [])
    ]
    rows.append(dict.fromkeys(REQUIREMENT_FIELDS, "") | {"mandatory": "on"})
    return values, rows


def field_errors(errors: list[RowError]) -> dict[str, list[str]]:
    """Errors by top-level field name, for messages beside the inputs
    ('requirements[1].capability' → 'req-1-capability')."""
    out: dict[str, list[str]] = {}
    for e in errors:
        name = e.field.split("[")[0]
        if e.field.startswith("requirements[") and "]." in e.field:
            index, _, sub = e.field[len("requirements[") :].partition("].")
            name = f"req-{index}-{sub}"
        elif e.field.startswith("lead."):
            name = "lead_" + e.field[5:].split("[")[0]
        out.setdefault(name, []).append(e.reason)
    return out


# The firm details form: the fields it shows; the firm's other fields (kind, coordinates, cluster, bid
# limits, excluded partners) are kept as stored.
FIRM_FIELDS = (
    "name",
    "country",
    "city",
    "region",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "vat_number",
    "registry_number",
    "employees",
    "size_class",
    "nace",
    "capabilities",
    "certifications",
    "languages",
    "export_countries",
)
FIRM_LISTS = ("nace", "certifications", "languages", "export_countries")
FIRM_KEPT = ("kind", "lat", "lon", "max_concurrent_bids", "cluster", "excluded_partners")


def _capability_lines(text: str) -> list[str]:
    """One capability a line (or ';'-separated) as 'phrase: capacity per year'; a comma may group the
    digits of the capacity ('70,000'), so commas do not separate capabilities here."""
    out = []
    for part in (p.strip() for line in text.splitlines() for p in line.split(";")):
        if not part:
            continue
        phrase, colon, capacity = part.partition(":")
        capacity = capacity.strip().replace(",", "").replace("\u00a0", "")
        out.append(f"{phrase.strip()}:{capacity}" if colon and capacity else phrase.strip())
    return out


def firm_raw(form: FormData, stored: dict[str, Any]) -> dict[str, Any]:
    """The firm record to save: the form's fields over the stored ones it does not show. An empty text
    field clears it; an empty list field empties the list."""
    raw: dict[str, Any] = {k: stored[k] for k in FIRM_KEPT if stored.get(k) not in (None, [], "")}
    for name in FIRM_FIELDS:
        value = _text(form, name)
        if name == "capabilities":
            raw[name] = _capability_lines(value)
        elif name in FIRM_LISTS:
            raw[name] = [p for p in _items(value).split("; ") if p]
        elif value:
            raw[name] = value
    return raw


def firm_form(view: dict[str, Any]) -> dict[str, str]:
    """A stored firm's details as the edit form shows them."""
    out = {name: "" if view.get(name) is None else str(view[name]) for name in FIRM_FIELDS}
    for name in FIRM_LISTS:
        out[name] = "\n".join(view.get(name) or [])
    out["capabilities"] = "\n".join(
        c["phrase"] + (f": {c['capacity_per_year']}" if c.get("capacity_per_year") is not None else "")
        for c in view.get("capabilities") or []
    )
    if view.get("employees") is not None and view.get("size_class") == SizeClass.from_employees(view["employees"]):
        out["size_class"] = ""  # follows the number of employees until someone chooses otherwise
    out["version"] = view.get("version") or ""
    return out


def firm_field_errors(errors: list[RowError]) -> dict[str, list[str]]:
    """Errors beside the firm form's fields; an error in one line of a list names the line's value."""
    out: dict[str, list[str]] = {}
    for e in errors:
        name = e.field.split("[")[0]
        reason = f"“{e.value}”: {e.reason}" if "[" in e.field and isinstance(e.value, str) else e.reason
        out.setdefault(name, []).append(reason)
    return out
