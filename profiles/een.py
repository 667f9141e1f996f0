"""EEN partnering conventions: field limits, reference numbers, lifecycle dates."""

from __future__ import annotations

import re
from datetime import date, timedelta

from .domain import ProfileType

TITLE_MAX = 256
SUMMARY_MAX = 500
DESCRIPTION_MAX = 4000
VALIDITY = timedelta(days=365)

REFERENCE_PATTERN = re.compile(r"^(BO|BR|TO|TR|RDR)([A-Z]{2})(\d{8})(\d{3})$")


def make_reference(profile_type: ProfileType, country: str, published_on: date, serial: int) -> str:
    """EEN reference: type + ISO country + YYYYMMDD + three-digit serial, e.g. BODK20261121001."""
    if not 1 <= serial <= 999:
        raise ValueError(f"serial must be 1..999, got {serial}")
    return f"{profile_type.value}{country.upper()}{published_on:%Y%m%d}{serial:03d}"


def parse_reference(reference: str) -> tuple[ProfileType, str, date, int] | None:
    m = REFERENCE_PATTERN.match(reference)
    if not m:
        return None
    kind, country, ymd, serial = m.groups()
    try:
        day = date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:]))
    except ValueError:
        return None
    return ProfileType(kind), country, day, int(serial)


def expiry_for(published_on: date) -> date:
    return published_on + VALIDITY


# A published profile may be extended once, by another validity period.
MAX_EXTENSIONS = 1
