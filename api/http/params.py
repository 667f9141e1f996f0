"""Parameters several routes share: the path segments naming a firm, profile, bid or record, the
If-Match header, and the query filters firms and profiles have in common (with their parsing)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Header, Path, Query

from profiles.errors import RowError, ValidationFailed
from profiles.taxonomy.countries import read_country
from profiles.taxonomy.nace import load_nace, normalise_nace_code
from profiles.taxonomy.vocabulary import load_vocabulary

FirmRef = Annotated[str, Path(min_length=1, max_length=80, description="Firm key (firms you may identify) or alias.")]
ProfileRef = Annotated[
    str, Path(min_length=1, max_length=80, description="Profile key (own profiles) or EEN reference.")
]
BidKey = Annotated[str, Path(min_length=1, max_length=80)]
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]
IfMatch = Annotated[
    str | None,
    Header(max_length=200, description="The `version` you read; the write fails with 412 if it changed."),
]

Country = Annotated[
    str | None,
    Query(
        min_length=2,
        max_length=80,
        description="The firm's country: ISO code (DE), three-letter code (DEU) or name in English, Danish, "
        "Norwegian, Swedish or German (Germany, Tyskland, Deutschland). A code that is likely a slip (GE, which "
        "is Georgia, for Germany) is refused with a question; write the name to mean it.",
    ),
]
Text = Annotated[str | None, Query(min_length=1, max_length=200, description="Words in title, summary or keywords.")]
NaceCode = Annotated[str | None, Query(max_length=10)]
CapabilityPhrase = Annotated[str | None, Query(max_length=200)]
ClusterName = Annotated[str | None, Query(max_length=200)]
MinScore = Annotated[float, Query(ge=0, le=1)]


class MatchKind(StrEnum):
    # The kinds of `matching.kinds.KINDS`, in its order (tests/integration/test_http_routes.py checks).
    customer = "customer"
    supplier = "supplier"
    complement = "complement"
    peer = "peer"


MatchKinds = Annotated[
    tuple[MatchKind, ...],
    Query(
        description="Only these kinds of match (repeat for several): customer, supplier, complement, "
        "peer. Default: all, partners before peers.",
    ),
]


def country_filter(value: str | None) -> str | None:
    """A country query value as its ISO code, or 422 naming it (and asking about a likely slip such as GE)."""
    if value is None:
        return None
    reading = read_country(value)
    if reading.code is None:
        raise ValidationFailed([RowError("query", "country", value, reading.problem or "not a country")], "query")
    return reading.code


def nace_filter(code: str | None) -> str | None:
    """A NACE query value as the stored code, or 422 naming it."""
    if code is None:
        return None
    normal = normalise_nace_code(code)
    if normal not in load_nace() or normal.isalpha():
        raise ValidationFailed([RowError("query", "nace", code, "not a NACE Rev. 2 division, group or class")], "query")
    return normal


def concept_filter(phrase: str | None) -> str | None:
    """A capability query value as its vocabulary concept, or 422 naming it."""
    if phrase is None:
        return None
    hit = load_vocabulary().normalise(phrase)
    if hit.concept_id is None:
        raise ValidationFailed(
            [RowError("query", "capability", phrase, "not a capability the vocabulary knows")], "query"
        )
    return hit.concept_id
