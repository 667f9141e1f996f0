"""The outcomes report as a pure function over hand-made records; agreement types as the network names them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from api.actions.outcomes import Period, duration, outcomes, percentile
from profiles.achievements import AGREEMENT_TYPES, agreement_type, agreement_type_problem, signed_on_problem
from profiles.errors import ValidationFailed
from profiles.repository.outcomes import AchievementRecord, InterestRecord, ProposalRecord

DAC, NMCN, EMPTY = "Danish Aluminium Cluster", "Norwegian Mass Customisation Network", "Empty Cluster"
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
ALL = Period(None, None)


def interest(status: str, hours: float | None = None, cluster: str = DAC, created: datetime = T0) -> InterestRecord:
    return InterestRecord(cluster, status, created, created + timedelta(hours=hours) if hours is not None else None)


def test_interests_are_counted_by_status_with_conversion_and_answer_times():
    records = [
        interest("accepted", 2),
        interest("accepted", 10),
        interest("declined", 30),
        interest("declined", 100),
        interest("withdrawn", 5),
        interest("sent"),
        interest("forwarded"),
        interest("accepted", 1, NMCN),
    ]
    [dac] = outcomes([DAC], records, [], [], ALL)
    i = dac.interests
    assert (i.expressed, i.accepted, i.declined, i.withdrawn, i.open) == (7, 2, 2, 1, 2)
    assert i.conversion == pytest.approx(0.5)  # accepted ÷ (accepted + declined); the withdrawal is no answer
    assert i.answered == 4  # the withdrawal's 5 hours are not a time to answer
    assert i.median_hours == pytest.approx(20.0)  # between 10 and 30
    assert i.p90_hours == pytest.approx(30 + 0.7 * 70)  # linear between the closest ranks


def test_a_cluster_without_activity_and_undecided_interests_give_none_not_zero_division():
    rows = outcomes([EMPTY, DAC], [interest("sent"), interest("forwarded")], [], [], ALL)
    assert [r.cluster for r in rows] == [EMPTY, DAC]
    empty, dac = rows
    assert empty.interests.expressed == 0 and empty.interests.conversion is None
    assert empty.interests.median_hours is None and empty.interests.p90_hours is None
    assert empty.proposals.share_accepted is None and empty.achievements == {} and empty.achievements_total == 0
    assert dac.interests.open == 2 and dac.interests.conversion is None and dac.interests.answered == 0
    assert empty.as_dict()["interests"]["median_days"] is None


def test_only_withdrawn_interests_have_no_conversion():
    [dac] = outcomes([DAC], [interest("withdrawn", 3)], [], [], ALL)
    assert dac.interests.conversion is None and dac.interests.withdrawn == 1


def test_the_period_takes_interests_by_day_expressed_proposals_by_decision_and_agreements_by_signature():
    period = Period(date(2026, 10, 1), date(2026, 10, 31))
    interests = [
        interest("accepted", 24 * 40),  # expressed inside, answered after the period: counted
        interest("accepted", 1, created=datetime(2026, 9, 30, 23, 0, tzinfo=UTC)),
        interest("sent", created=datetime(2026, 10, 31, 23, 59, tzinfo=UTC)),
    ]
    proposals = [
        ProposalRecord(DAC, "accepted", datetime(2026, 10, 5, tzinfo=UTC)),
        ProposalRecord(DAC, "rejected", datetime(2026, 10, 6, tzinfo=UTC)),
        ProposalRecord(DAC, "rejected", datetime(2026, 10, 7, tzinfo=UTC)),
        ProposalRecord(DAC, "accepted", datetime(2026, 11, 1, tzinfo=UTC)),
    ]
    achievements = [
        AchievementRecord(DAC, "joint venture", date(2026, 10, 31)),
        AchievementRecord(DAC, "subcontracting", date(2026, 10, 1)),
        AchievementRecord(DAC, "commercial agreement", date(2026, 10, 2)),
        AchievementRecord(DAC, "subcontracting", date(2026, 10, 9)),
        AchievementRecord(DAC, "licence agreement", date(2026, 11, 1)),
        AchievementRecord(NMCN, "joint venture", date(2026, 10, 3)),
    ]
    [dac] = outcomes([DAC], interests, proposals, achievements, period)
    assert dac.interests.expressed == 2 and dac.interests.accepted == 1 and dac.interests.open == 1
    assert dac.interests.median_hours == pytest.approx(960.0) and duration(dac.interests.median_hours) == "40.0 days"
    assert (dac.proposals.accepted, dac.proposals.rejected) == (1, 2)
    assert dac.proposals.share_accepted == pytest.approx(1 / 3)
    # by type in the network's order of types, and nothing from another cluster or outside the period
    assert list(dac.achievements.items()) == [("commercial agreement", 1), ("subcontracting", 2), ("joint venture", 1)]
    assert dac.as_dict()["achievements"] == {"total": 4, "by_type": dac.achievements}


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        Period(date(2026, 11, 2), date(2026, 11, 1))
    assert caught.value.errors[0].field == "since" and "after until" in caught.value.errors[0].reason


def test_percentile_and_duration():
    assert percentile([], 50) is None
    assert percentile([7.0], 90) == 7.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([4, 1, 3, 2], 100) == 4
    assert duration(None) == "–" and duration(5.25) == "5.2 h" and duration(72) == "3.0 days"


def test_agreement_types_accept_the_usual_spellings_and_name_the_list_otherwise():
    assert agreement_type("Licence") == agreement_type("license agreement") == "licence agreement"
    assert agreement_type("R&D cooperation") == "research cooperation"
    assert agreement_type("  Joint-Venture ") == "joint venture"
    assert agreement_type("investment") == "financial agreement"
    assert all(agreement_type(t) == t for t in AGREEMENT_TYPES)
    assert agreement_type("handshake") is None
    problem = agreement_type_problem("handshake")
    assert problem and "unknown agreement type" in problem and "technical cooperation" in problem
    assert agreement_type_problem("") and "required" in agreement_type_problem("")
    today = date(2026, 11, 21)
    assert signed_on_problem(today, today) is None
    assert "future" in (signed_on_problem(today + timedelta(days=1), today) or "")
