"""A published profile's EEN reference takes the next serial of its type, country and day, on both databases:
after the greatest stored one of that prefix, whatever else is stored (other days, the network's longer
serials), and on across the slices of one import."""

from __future__ import annotations

from datetime import UTC, date, datetime

from profiles import repository
from profiles.db import session_scope
from profiles.domain import Firm, Profile, ProfileStatus, ProfileType

DAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)


def _profile(key: str, firm: str, reference: str | None = None, kind: ProfileType = ProfileType.BUSINESS_OFFER):
    return Profile(
        key=key,
        firm_key=firm,
        type=kind,
        title=f"Offer {key}",
        summary="Summary",
        status=ProfileStatus.PUBLISHED,
        reference=reference,
        published_on=DAY,
    )


def _references(engine) -> dict[str, str | None]:
    with session_scope(engine) as session:
        return {p.key: p.reference for p in repository.load_profiles(session)}


def test_new_references_follow_the_greatest_serial_of_their_own_prefix(any_engine):
    with session_scope(any_engine) as session:
        repository.upsert_firms(
            session,
            [Firm(key="dk-one", name="One ApS", country="DK"), Firm(key="se-two", name="Two AB", country="SE")],
            NOW,
        )
        stored = [
            _profile("old-1", "dk-one", "BODK20261121004"),
            _profile("old-2", "dk-one", "BODK20261121500123"),  # the network's six-digit serial, same prefix
            _profile("old-3", "dk-one", "BODK20261122009"),  # the next day
            _profile("old-4", "dk-one", "BODK20261120998"),  # the day before
            _profile("old-5", "dk-one", "BRDK20261121042", ProfileType.BUSINESS_REQUEST),
        ]
        repository.upsert_profiles(session, stored, NOW, DAY)
    serials: dict[str, int] = {}
    with session_scope(any_engine) as session:  # one import written in two slices
        repository.upsert_profiles(
            session, [_profile("new-1", "dk-one"), _profile("new-2", "se-two")], NOW, DAY, serials
        )
        repository.upsert_profiles(
            session,
            [_profile("new-3", "dk-one"), _profile("new-4", "dk-one", kind=ProfileType.BUSINESS_REQUEST)],
            NOW,
            DAY,
            serials,
        )
    got = _references(any_engine)
    assert got["new-1"] == "BODK20261121005"
    assert got["new-2"] == "BOSE20261121001"
    assert got["new-3"] == "BODK20261121006"
    assert got["new-4"] == "BRDK20261121043"
