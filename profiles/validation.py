"""Raw rows (from JSON or CSV) → validated domain records.

Every row is checked completely and every problem is collected as a RowError
(row, field, value, reason); the caller stores nothing unless the list is empty.
CSV rows carry list fields as ';'-separated strings and capabilities as
'phrase:capacity'; JSON rows carry real lists and objects. Both pass here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar, overload

from . import een
from .characters import text_problems
from .domain import (
    PARTNERSHIP_TYPES,
    Bid,
    BidStatus,
    Capability,
    Direction,
    Firm,
    FirmKind,
    LeadCriteria,
    Profile,
    ProfileStatus,
    ProfileType,
    Relation,
    Requirement,
    SizeClass,
)
from .errors import RowError
from .taxonomy.codes import LANGUAGE_CODES
from .taxonomy.countries import read_country
from .taxonomy.nace import load_nace, normalise_nace_code

E = TypeVar("E", bound=StrEnum)  # the enum a choice field reads into

# Numbers as typed in the exchange's countries: "12,5" (decimal comma) and "1.200", "1 200" or "1,200"
# (thousands) — a separator followed by exactly three digits groups thousands; otherwise a comma is decimal.
DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}([.,\u00a0\u202f ]\d{3})+$")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

FIRM_FIELDS = {
    "key",
    "name",
    "country",
    "city",
    "region",
    "lat",
    "lon",
    "employees",
    "size_class",
    "kind",
    "nace",
    "capabilities",
    "certifications",
    "languages",
    "export_countries",
    "max_concurrent_bids",
    "cluster",
    "excluded_partners",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "vat_number",
    "registry_number",
}
PROFILE_FIELDS = {
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
    "reference",
    "published_on",
    "expires_on",
    "een",
}
BID_FIELDS = {
    "key",
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
    "lead",
    "excluded_firms",
    "excluded_pairs",
    "locked_firms",
    "requirements",
    "cluster",
}
RELATION_FIELDS = {"firm", "direction", "counterpart", "item", "share"}
REQUIREMENT_FIELDS = {
    "key",
    "capability",
    "mandatory",
    "certifications",
    "volume_per_year",
    "min_fit",
    "weight",
}
LEAD_FIELDS = {"certifications", "export_experience", "languages"}


class _Row:
    """Reads typed fields from one raw row, recording problems instead of raising."""

    def __init__(self, raw: dict[str, Any], row: int | str, errors: list[RowError]) -> None:
        self.raw = raw
        self.row = row
        self.errors = errors
        self.ok = True

    def error(self, field_name: str, value: object, reason: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.row, field_name, value, reason))

    def check_unknown(self, allowed: set[str], prefix: str = "") -> None:
        for name in self.raw:
            if name not in allowed:
                self.error(
                    prefix + name, self.raw[name], f"unknown field; expected one of: {', '.join(sorted(allowed))}"
                )

    def check_characters(self) -> None:
        """Control characters anywhere, and bidirectional overrides in names, named by their field."""
        for path, value, reason in text_problems(self.raw):
            self.error(path, value, reason)

    def _get(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        return value

    def text(self, name: str, *, required: bool = False, max_len: int | None = None) -> str | None:
        value = self._get(name)
        if value is None:
            if required:
                self.error(name, None, "is required")
            return None
        if not isinstance(value, str):
            self.error(name, value, f"must be text, got {type(value).__name__}")
            return None
        if max_len is not None and len(value) > max_len:
            self.error(name, value, f"is {len(value)} characters; at most {max_len} allowed")
            return None
        return value

    def key(self, name: str = "key") -> str | None:
        value = self.text(name, required=True)
        if value is not None and not KEY_PATTERN.match(value):
            self.error(name, value, "must be 1-80 of a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
            return None
        return value

    def integer(
        self, name: str, *, minimum: int | None = None, maximum: int | None = None, required: bool = False
    ) -> int | None:
        value = self._get(name)
        if value is None:
            if required:
                self.error(name, None, "is required")
            return None
        if isinstance(value, bool):
            self.error(name, value, "must be a whole number")
            return None
        if isinstance(value, str):
            if THOUSANDS.match(value):
                value = re.sub(r"[.,\u00a0\u202f ]", "", value)
            try:
                value = int(value.replace("_", "").replace(" ", ""))
            except ValueError:
                self.error(name, value, "must be a whole number")
                return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            self.error(name, value, "must be a whole number")
            return None
        if minimum is not None and value < minimum:
            self.error(name, value, f"must be at least {minimum}")
            return None
        if maximum is not None and value > maximum:
            self.error(name, value, f"must be at most {maximum}")
            return None
        return value

    def number(self, name: str, *, minimum: float, maximum: float) -> float | None:
        value = self._get(name)
        if value is None:
            return None
        if isinstance(value, str) and DECIMAL_COMMA.match(value):
            value = value.replace(",", ".")
        try:
            number = float(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or number != number:
            self.error(name, value, "must be a number")
            return None
        if not minimum <= number <= maximum:
            self.error(name, value, f"must be between {minimum} and {maximum}")
            return None
        return number

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "yes", "1", "y"}:
            return True
        if isinstance(value, str) and value.lower() in {"false", "no", "0", "n"}:
            return False
        self.error(name, value, "must be true or false")
        return default

    def day(self, name: str) -> date | None:
        value = self._get(name)
        if value is None:
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.error(name, value, "must be a date in the form YYYY-MM-DD")
            return None

    @overload
    def choice(self, name: str, enum: type[E], default: E, required: bool = False) -> E: ...

    @overload
    def choice(self, name: str, enum: type[E], default: None = None, required: bool = False) -> E | None: ...

    def choice(self, name: str, enum: type[E], default: E | None = None, required: bool = False) -> E | None:
        value = self._get(name)
        if value is None:
            if required:
                self.error(name, None, "is required")
            return default
        try:
            return enum(value if not isinstance(value, str) else _enum_text(value, enum))
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            self.error(name, value, f"unknown value; expected one of: {allowed}")
            return default

    def items(self, name: str) -> list[Any]:
        """A list field: JSON list, or ';'-separated text in CSV."""
        value = self._get(name)
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        if isinstance(value, (list, tuple)):
            return list(value)
        self.error(name, value, "must be a list (or ';'-separated text in CSV)")
        return []

    def strings(
        self,
        name: str,
        *,
        check: Callable[[str], str | None] | None = None,
        transform: Callable[[str], str] = lambda s: s,
    ) -> tuple[str, ...]:
        out: list[str] = []
        for i, item in enumerate(self.items(name)):
            if not isinstance(item, str) or not item.strip():
                self.error(f"{name}[{i}]", item, "must be non-empty text")
                continue
            value = transform(item.strip())
            if check is not None:
                problem = check(value)
                if problem:
                    self.error(f"{name}[{i}]", item, problem)
                    continue
            if value not in out:
                out.append(value)
        return tuple(out)


def _enum_text(value: str, enum: type[StrEnum]) -> str:
    """The member's value `value` is written as, in any case; `value` itself when no member is."""
    return _enum_values(enum).get(value.lower(), value)


@cache
def _enum_values(enum: type[StrEnum]) -> dict[str, str]:
    values: dict[str, str] = {}
    for member in enum:
        values.setdefault(member.value.lower(), member.value)
    return values


def _language_problem(code: str) -> str | None:
    return None if code in LANGUAGE_CODES else "not an ISO 639-1 language code (e.g. da, no, sv, de, en)"


def _nace_problem(code: str) -> str | None:
    return None if code in load_nace() else "not a NACE Rev. 2 code (e.g. 25.62 for machining)"


def _partnership_problem(value: str) -> str | None:
    return (
        None
        if value in PARTNERSHIP_TYPES
        else f"unknown partnership type; expected one of: {', '.join(PARTNERSHIP_TYPES)}"
    )


def _evidence(row: _Row) -> tuple[str, ...]:
    """The row's own web address and e-mail, which may confirm an ambiguous country code (taxonomy.countries)."""
    return tuple(v for v in (row.raw.get("website"), row.raw.get("contact_email")) if isinstance(v, str))


def _country(row: _Row, name: str, required: bool = True) -> str | None:
    """A code, an alpha-3 code or a name in the exchange's languages ("Tyskland" → DE); see taxonomy.countries."""
    value = row.text(name, required=required, max_len=80)
    if value is None:
        return None
    reading = read_country(value, _evidence(row))
    if reading.code is None:
        row.error(name, value, reading.problem or "not a country")
    return reading.code


def _countries(row: _Row, name: str) -> tuple[str, ...]:
    out: list[str] = []
    for i, item in enumerate(row.items(name)):
        reading = read_country(item, _evidence(row)) if isinstance(item, str) else None
        if reading is None or reading.code is None:
            row.error(f"{name}[{i}]", item, reading.problem if reading and reading.problem else "not a country")
        elif reading.code not in out:
            out.append(reading.code)
    return tuple(out)


def _language(row: _Row, name: str) -> str | None:
    value = row.text(name, max_len=10)
    if value is None:
        return None
    problem = _language_problem(value.lower())
    if problem:
        row.error(name, value, problem)
        return None
    return value.lower()


def _capabilities(row: _Row) -> tuple[Capability, ...]:
    out: list[Capability] = []
    seen: set[str] = set()
    for i, item in enumerate(row.items("capabilities")):
        label = f"capabilities[{i}]"
        phrase: Any
        capacity: Any = None
        if isinstance(item, dict):
            unknown = set(item) - {"phrase", "capacity_per_year"}
            if unknown:
                row.error(label, item, f"unknown keys {sorted(unknown)}; expected phrase, capacity_per_year")
                continue
            phrase, capacity = item.get("phrase"), item.get("capacity_per_year")
        elif isinstance(item, str):
            phrase, _, capacity_text = item.partition(":")
            capacity = capacity_text.strip() or None
        else:
            row.error(label, item, "must be a phrase or {phrase, capacity_per_year}")
            continue
        if not isinstance(phrase, str) or not phrase.strip():
            row.error(label, item, "phrase must be non-empty text")
            continue
        if len(phrase) > 200:
            row.error(label, phrase, "phrase is longer than 200 characters")
            continue
        if capacity is not None:
            try:
                capacity = int(str(capacity).replace(" ", "").replace("_", ""))
            except ValueError:
                row.error(label, item, "capacity_per_year must be a whole number")
                continue
            if capacity < 0:
                row.error(label, item, "capacity_per_year must not be negative")
                continue
        if phrase.strip().casefold() in seen:
            continue
        seen.add(phrase.strip().casefold())
        out.append(Capability(phrase.strip(), capacity))
    return tuple(out)


def normalise_identifier(value: str) -> str:
    """An identifier as stored: upper case, no spaces, dots, dashes or slashes ("dk 12.34.56-78" → "DK12345678")."""
    return re.sub(r"[\s.\-/]+", "", value).upper()


def vat_problem(value: str) -> str | None:
    """Why a normalised VAT number is implausible (None: plausible): two letters of a country, then 2 to 13
    letters or digits with at least 2 digits (the EU VIES shapes, and Norway's "NO123456789MVA")."""
    if not re.fullmatch(r"[A-Z]{2}[0-9A-Z]{2,13}", value):
        return "is not a VAT number: expected a two-letter country prefix, then 2 to 13 letters or digits (DK12345678)"
    if sum(ch.isdigit() for ch in value[2:]) < 2:
        return "is not a VAT number: it has almost no digits"
    return None


def registry_problem(value: str) -> str | None:
    """Why a normalised company registry number is implausible (None: plausible)."""
    if not re.fullmatch(r"[0-9A-Z]{4,20}", value):
        return "is not a company registry number: expected 4 to 20 letters or digits, e.g. 556677-8899"
    if sum(ch.isdigit() for ch in value) < 4:
        return "is not a company registry number: it has fewer than 4 digits"
    return None


def _identifier(row: _Row, name: str, problem: Callable[[str], str | None]) -> str | None:
    value = row.text(name, max_len=40)
    if value is None:
        return None
    normal = normalise_identifier(value)
    reason = problem(normal)
    if reason:
        row.error(name, value, reason)
        return None
    return normal


def validate_firm(raw: dict[str, Any], row: int | str, errors: list[RowError]) -> Firm | None:
    r = _Row(raw, row, errors)
    r.check_unknown(FIRM_FIELDS)
    r.check_characters()
    key = r.key()
    name = r.text("name", required=True, max_len=200)
    country = _country(r, "country")
    employees = r.integer("employees", minimum=0, maximum=2_000_000)
    size_class = r.choice("size_class", SizeClass)
    if size_class is None and employees is not None:
        size_class = SizeClass.from_employees(employees)
    email = r.text("contact_email", max_len=200)
    if email is not None and not EMAIL_PATTERN.match(email):
        r.error("contact_email", email, "is not an e-mail address")
    firm = Firm(
        key=key or "",
        name=name or "",
        country=country or "",
        city=r.text("city", max_len=120),
        region=r.text("region", max_len=120),
        lat=r.number("lat", minimum=-90, maximum=90),
        lon=r.number("lon", minimum=-180, maximum=180),
        employees=employees,
        size_class=size_class,
        kind=r.choice("kind", FirmKind, default=FirmKind.COMPANY),
        nace=r.strings("nace", check=_nace_problem, transform=normalise_nace_code),
        capabilities=_capabilities(r),
        certifications=r.strings("certifications"),
        languages=r.strings("languages", check=_language_problem, transform=str.lower),
        export_countries=_countries(r, "export_countries"),
        max_concurrent_bids=r.integer("max_concurrent_bids", minimum=0, maximum=50) or 1,
        cluster=r.text("cluster", max_len=200),
        excluded_partners=r.strings("excluded_partners"),
        website=r.text("website", max_len=300),
        contact_name=r.text("contact_name", max_len=200),
        contact_email=email,
        contact_phone=r.text("contact_phone", max_len=60),
        vat_number=_identifier(r, "vat_number", vat_problem),
        registry_number=_identifier(r, "registry_number", registry_problem),
    )
    return firm if r.ok else None


def validate_profile(raw: dict[str, Any], row: int | str, errors: list[RowError]) -> Profile | None:
    r = _Row(raw, row, errors)
    r.check_unknown(PROFILE_FIELDS)
    r.check_characters()
    profile_type = r.choice("type", ProfileType, required=True)
    status = r.choice("status", ProfileStatus, default=ProfileStatus.DRAFT)
    published_on = r.day("published_on")
    expires_on = r.day("expires_on")
    reference = r.text("reference", max_len=20)
    if reference is not None:
        parsed = een.parse_reference(reference)
        if parsed is None:
            r.error(
                "reference",
                reference,
                "not an EEN reference (type + country + YYYYMMDD + serial, e.g. BODK20261121001)",
            )
        elif profile_type is not None and parsed[0] != profile_type:
            r.error(
                "reference",
                reference,
                f"reference is for type {parsed[0].value} but the profile is {profile_type.value}",
            )
    if status == ProfileStatus.DRAFT and (published_on or reference):
        r.error("status", status.value, "a draft has no publication date or reference; set status to published")
    if published_on and expires_on and expires_on <= published_on:
        r.error("expires_on", expires_on.isoformat(), "must be after published_on")
    if published_on and expires_on is None:
        expires_on = een.expiry_for(published_on)
    profile = Profile(
        key=r.key() or "",
        firm_key=r.key("firm") or "",
        type=profile_type or ProfileType.BUSINESS_OFFER,
        title=r.text("title", required=True, max_len=een.TITLE_MAX) or "",
        summary=r.text("summary", required=True, max_len=een.SUMMARY_MAX) or "",
        description=r.text("description", max_len=een.DESCRIPTION_MAX) or "",
        language=_language(r, "language"),
        keywords=r.strings("keywords"),
        capabilities=tuple(c.phrase for c in _capabilities(r)),
        partner_sought=r.text("partner_sought", max_len=een.DESCRIPTION_MAX) or "",
        partnership_types=r.strings("partnership_types", check=_partnership_problem, transform=str.lower),
        status=status,
        reference=reference,
        published_on=published_on,
        expires_on=expires_on,
        een=_een_record(r),
    )
    return profile if r.ok else None


def _een_record(row: _Row) -> dict[str, Any] | None:
    value = row.raw.get("een")
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        row.error("een", value, "must be the network record as an object (profileType, title, ...)")
        return None
    return value


def _requirement(raw: Any, row: int | str, index: int, errors: list[RowError]) -> Requirement | None:
    label = f"requirements[{index}]."
    if not isinstance(raw, dict):
        errors.append(RowError(row, f"requirements[{index}]", raw, "must be an object"))
        return None
    r = _Row({label + k: v for k, v in raw.items()}, row, errors)
    r.check_unknown({label + f for f in REQUIREMENT_FIELDS})
    min_fit = r.number(label + "min_fit", minimum=0.0, maximum=1.0)
    weight = r.number(label + "weight", minimum=0.0, maximum=100.0)
    req = Requirement(
        key=r.key(label + "key") or "",
        capability=r.text(label + "capability", required=True, max_len=200) or "",
        mandatory=r.boolean(label + "mandatory", True),
        certifications=r.strings(label + "certifications"),
        volume_per_year=r.integer(label + "volume_per_year", minimum=0),
        min_fit=min_fit,
        weight=1.0 if weight is None else weight,
    )
    return req if r.ok else None


def validate_bid(raw: dict[str, Any], row: int | str, errors: list[RowError]) -> Bid | None:
    r = _Row(raw, row, errors)
    r.check_unknown(BID_FIELDS)
    r.check_characters()
    requirements: list[Requirement] = []
    raw_reqs = raw.get("requirements")
    if not isinstance(raw_reqs, list) or not raw_reqs:
        r.error("requirements", raw_reqs, "a bid needs a non-empty list of requirements")
    else:
        keys: set[str] = set()
        for i, item in enumerate(raw_reqs):
            before = len(errors)
            req = _requirement(item, row, i, errors)
            if len(errors) > before:
                r.ok = False
            key = item.get("key") if isinstance(item, dict) else None
            if isinstance(key, str) and key.strip():
                if key.strip() in keys:
                    r.error(f"requirements[{i}].key", key, "duplicate requirement key in this bid")
                keys.add(key.strip())
            if req is not None:
                requirements.append(req)
    lead_raw = raw.get("lead") or {}
    lead = LeadCriteria()
    if not isinstance(lead_raw, dict):
        r.error("lead", lead_raw, "must be an object with certifications, export_experience, languages")
    else:
        lr = _Row({f"lead.{k}": v for k, v in lead_raw.items()}, row, errors)
        lr.check_unknown({f"lead.{f}" for f in LEAD_FIELDS})
        lead = LeadCriteria(
            certifications=lr.strings("lead.certifications"),
            export_experience=lr.boolean("lead.export_experience", False),
            languages=lr.strings("lead.languages", check=_language_problem, transform=str.lower),
        )
        r.ok = r.ok and lr.ok
    min_size = r.integer("min_size", minimum=1, maximum=20) or 2
    max_size = r.integer("max_size", minimum=1, maximum=20) or 5
    if min_size > max_size:
        r.error("min_size", min_size, f"is larger than max_size ({max_size})")
    pairs: list[tuple[str, str]] = []
    for i, pair in enumerate(r.items("excluded_pairs")):
        if isinstance(pair, str):
            pair = [p.strip() for p in pair.split("+")]
        if not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(isinstance(p, str) for p in pair):
            r.error(f"excluded_pairs[{i}]", pair, "must be a pair of firm keys")
            continue
        pairs.append((pair[0], pair[1]))
    bid = Bid(
        key=r.key() or "",
        title=r.text("title", required=True, max_len=een.TITLE_MAX) or "",
        customer=r.text("customer", required=True, max_len=200) or "",
        customer_country=_country(r, "customer_country") or "",
        delivery_country=_country(r, "delivery_country") or "",
        requirements=tuple(requirements),
        description=r.text("description", max_len=een.DESCRIPTION_MAX) or "",
        deadline=r.day("deadline"),
        volume_per_year=r.integer("volume_per_year", minimum=0),
        status=r.choice("status", BidStatus, default=BidStatus.OPEN),
        min_size=min_size,
        max_size=max_size,
        min_countries=r.integer("min_countries", minimum=1, maximum=20) or 1,
        max_per_country=r.integer("max_per_country", minimum=1, maximum=20),
        required_kinds=tuple(
            FirmKind(k)
            for k in r.strings(
                "required_kinds",
                check=lambda v: (
                    None
                    if v in {k.value for k in FirmKind}
                    else f"unknown firm kind; expected one of: {', '.join(k.value for k in FirmKind)}"
                ),
            )
        ),
        lead=lead,
        excluded_firms=r.strings("excluded_firms"),
        excluded_pairs=tuple(pairs),
        locked_firms=r.strings("locked_firms"),
        cluster=r.text("cluster", max_len=200),
    )
    return bid if r.ok else None


def _share(r: _Row, name: str) -> float | None:
    """A fraction (0.35) or a percentage written with % ("35%", "35 %")."""
    value = r._get(name)
    if value is None:
        return None
    percent = isinstance(value, str) and value.endswith("%")
    text = value[:-1].strip() if percent else value
    if isinstance(text, str) and DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    try:
        number = float(text) if not isinstance(text, bool) else float("nan")
    except (TypeError, ValueError):
        number = float("nan")
    if number != number:
        r.error(name, value, "must be a fraction between 0 and 1 (e.g. 0.35) or a percentage (e.g. 35%)")
        return None
    if percent:
        number /= 100
    if not 0 < number <= 1:
        hint = "; write percentages with a % sign" if not percent and 1 < number <= 100 else ""
        r.error(name, value, f"must be more than 0 and at most 1 (100%){hint}")
        return None
    return round(number, 6)


def validate_relation(raw: dict[str, Any], row: int | str, errors: list[RowError]) -> Relation | None:
    r = _Row(raw, row, errors)
    r.check_unknown(RELATION_FIELDS)
    r.check_characters()
    firm = r.key("firm")
    direction = r.choice("direction", Direction, required=True)
    counterpart = r.text("counterpart", required=True, max_len=200)
    if counterpart is not None and not any(ch.isalnum() for ch in counterpart):
        r.error("counterpart", counterpart, "must contain a name")
    item = r.text("item", max_len=200) or ""
    share = _share(r, "share")
    if not r.ok or firm is None or direction is None or counterpart is None:
        return None
    return Relation(
        firm_key=firm,
        direction=direction,
        counterpart=" ".join(counterpart.split()),
        item=" ".join(item.split()),
        share=share,
    )


@dataclass
class ValidatedBatch:
    firms: list[Firm] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    bids: list[Bid] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    relation_rows: list[str] = field(default_factory=list)  # the label of each relation's row, for errors

    def __len__(self) -> int:
        return len(self.firms) + len(self.profiles) + len(self.bids) + len(self.relations)
