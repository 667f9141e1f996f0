"""Partnering achievements, as the Enterprise Europe Network records them: the agreement types a
signed partnership may be, and the checks of one achievement's own fields (pure functions)."""

from __future__ import annotations

import re
from datetime import date

# The network's partnership and agreement types (the partnership types of profiles, and the older
# achievement types: commercial agency, distribution, franchise, licence, manufacturing, transport …).
AGREEMENT_TYPES = (
    "commercial agreement",
    "commercial agreement with technical assistance",
    "commercial agency",
    "distribution agreement",
    "franchise",
    "supplier agreement",
    "manufacturing agreement",
    "subcontracting",
    "outsourcing agreement",
    "services agreement",
    "transport and logistics",
    "technical cooperation",
    "research cooperation",
    "joint venture",
    "licence agreement",
    "financial agreement",
    "acquisition",
)

# Other spellings people use for the same types.
SYNONYMS = {
    "commercial": "commercial agreement",
    "commercial agency agreement": "commercial agency",
    "distribution": "distribution agreement",
    "franchising": "franchise",
    "franchise agreement": "franchise",
    "manufacturing": "manufacturing agreement",
    "subcontracting agreement": "subcontracting",
    "outsourcing": "outsourcing agreement",
    "services": "services agreement",
    "service agreement": "services agreement",
    "transport": "transport and logistics",
    "logistics": "transport and logistics",
    "transport logistics": "transport and logistics",
    "r&d cooperation": "research cooperation",
    "rd cooperation": "research cooperation",
    "research and development cooperation": "research cooperation",
    "research cooperation agreement": "research cooperation",
    "technical cooperation agreement": "technical cooperation",
    "joint venture agreement": "joint venture",
    "licence": "licence agreement",
    "license": "licence agreement",
    "license agreement": "licence agreement",
    "licensing agreement": "licence agreement",
    "financial": "financial agreement",
    "investment": "financial agreement",
    "investment agreement": "financial agreement",
}

NOTE_MAX = 2000
PARTNER_NAME_MAX = 200


def _fold(value: str) -> str:
    return re.sub(r"[\s_\-/]+", " ", value.strip().casefold()).replace(" & ", "&")


def agreement_type(value: str | None) -> str | None:
    """The type as stored, for any accepted spelling; None when the network has no such type."""
    if not value:
        return None
    folded = _fold(value)
    if folded in AGREEMENT_TYPES:
        return folded
    return SYNONYMS.get(folded)


def agreement_type_problem(value: str | None) -> str | None:
    if not value or not value.strip():
        return f"required: one of {', '.join(AGREEMENT_TYPES)}"
    if agreement_type(value) is None:
        return f"unknown agreement type; expected one of: {', '.join(AGREEMENT_TYPES)}"
    return None


def signed_on_problem(value: date | None, today: date) -> str | None:
    if value is None:
        return "required: the date the agreement was signed (YYYY-MM-DD)"
    if value > today:
        return f"lies in the future (today is {today.isoformat()}); record an agreement once it is signed"
    return None


def parse_day(value: object) -> date | None:
    """A date given as a date or as YYYY-MM-DD text; None when it is neither."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
