"""EEN partnering conventions: field limits, reference numbers, lifecycle dates, and when a profile is live."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, not_, or_
from sqlmodel import col

from .domain import ProfileStatus, ProfileType
from .tables import ProfileRow

TITLE_MAX = 256
SUMMARY_MAX = 500
DESCRIPTION_MAX = 4000
VALIDITY = timedelta(days=365)

# The network's own pattern is (BO|BR|TO|TR|RDR)[A-Z]{2}[0-9]{8,14}: the date, then a serial of up to six
# digits; partnermatch writes three.
REFERENCE_PATTERN = re.compile(r"^(BO|BR|TO|TR|RDR)([A-Z]{2})(\d{8})(\d{0,6})$")


def make_reference(profile_type: ProfileType, country: str, published_on: date, serial: int) -> str:
    """EEN reference: type + ISO country + YYYYMMDD + three-digit serial, e.g. BODK20261121001."""
    return reference_of(reference_prefix(profile_type, country, published_on), serial)


def reference_prefix(profile_type: ProfileType, country: str, published_on: date) -> str:
    """What the references of one type, country and day share: BODK20261121 of BODK20261121001."""
    return f"{profile_type.value}{country.upper()}{published_on:%Y%m%d}"


def reference_of(prefix: str, serial: int) -> str:
    """`make_reference` from the reference's prefix (`reference_prefix`)."""
    if not 1 <= serial <= 999:
        raise ValueError(f"serial must be 1..999, got {serial}")
    return f"{prefix}{serial:03d}"


def parse_reference(reference: str) -> tuple[ProfileType, str, date, int] | None:
    m = REFERENCE_PATTERN.match(reference)
    if not m:
        return None
    kind, country, ymd, serial = m.groups()
    try:
        day = date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:]))
    except ValueError:
        return None
    return ProfileType(kind), country, day, int(serial or 0)


def expiry_for(published_on: date) -> date:
    return published_on + VALIDITY


# A published profile may be extended once, by another validity period.
MAX_EXTENSIONS = 1


# live profiles -------------------------------------------------------------------
class Dated(Protocol):
    """What the rule reads: a domain `Profile` or a stored `ProfileRow` both have it."""

    @property
    def status(self) -> str: ...

    @property
    def expires_on(self) -> date | None: ...


def is_live(profile: Dated, today: date) -> bool:
    """A live profile is published and not past its expiry date as of `today` (it still is on that day).

    Only live profiles are matched, listed to other firms and open to expressions of interest. A
    published profile past its date is expired even before the nightly run records it as such.
    """
    return profile.status == ProfileStatus.PUBLISHED and (profile.expires_on is None or profile.expires_on >= today)


def live_clause(today: date, profile: Any = ProfileRow) -> ColumnElement[bool]:
    """`is_live` as an SQL condition, for the repository: on the profile table, or an alias of it."""
    expires_on = col(profile.expires_on)
    return and_(col(profile.status) == ProfileStatus.PUBLISHED.value, or_(expires_on.is_(None), expires_on >= today))


def lapsed_clause(today: date, profile: Any = ProfileRow) -> ColumnElement[bool]:
    """Profiles still marked published that are no longer live: the ones expiry marks expired."""
    return and_(col(profile.status) == ProfileStatus.PUBLISHED.value, not_(live_clause(today, profile)))
