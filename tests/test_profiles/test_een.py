from datetime import date

import pytest

from profiles import een
from profiles.domain import ProfileType


def test_reference_has_een_form():
    ref = een.make_reference(ProfileType.BUSINESS_OFFER, "dk", date(2026, 11, 21), 1)
    assert ref == "BODK20261121001"
    assert een.parse_reference(ref) == (ProfileType.BUSINESS_OFFER, "DK", date(2026, 11, 21), 1)


def test_rdr_reference_round_trips():
    ref = een.make_reference(ProfileType.RD_REQUEST, "SE", date(2027, 1, 2), 42)
    assert ref == "RDRSE20270102042"
    assert een.parse_reference(ref)[0] is ProfileType.RD_REQUEST


@pytest.mark.parametrize(
    "bad", ["BODK2026112", "BODK202611210012345", "XXDK20261121001", "BODK20261340001", "bodk20261121001", ""]
)
def test_malformed_references_are_rejected(bad):
    assert een.parse_reference(bad) is None


@pytest.mark.parametrize(
    ("reference", "serial"), [("BODK20261121", 0), ("BODK2026112100", 0), ("TRDE20261121123456", 123456)]
)
def test_the_networks_longer_and_shorter_serials_are_references(reference, serial):
    # The network's pattern is type, country and 8 to 14 digits: the date and a serial of up to six.
    parsed = een.parse_reference(reference)
    assert parsed is not None and parsed[3] == serial


def test_serial_out_of_range():
    with pytest.raises(ValueError):
        een.make_reference(ProfileType.BUSINESS_OFFER, "DK", date(2026, 1, 1), 1000)


def test_expiry_is_365_days_after_publication():
    assert een.expiry_for(date(2026, 11, 21)) == date(2027, 11, 21)
