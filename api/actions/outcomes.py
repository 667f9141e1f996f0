"""Partnering outcomes per cluster: what came of expressions of interest, proposals and agreements.

`outcomes` is a pure function over plain records (see `profiles.repository.outcomes`); `report`
reads them for a viewer. In a period:

- interests are those *expressed* in it (a cohort), each with the status it has now; an interest
  belongs to the cluster of the profile owner's firm. Open = sent or forwarded. Conversion is
  accepted ÷ (accepted + declined); a withdrawal is the sender's step, not an answer, and counts
  in neither. Time to answer runs from expressing to accepting or declining.
- proposals are those accepted or rejected in it (by the day of the decision), in the bid's cluster.
- achievements are agreements signed in it, by agreement type.

A share with nothing to divide is None ("–"), never 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from api.actions.context import Context, require_role
from profiles.achievements import AGREEMENT_TYPES
from profiles.db import session_scope
from profiles.errors import Forbidden, RowError, ValidationFailed
from profiles.repository import outcomes as store
from profiles.repository.outcomes import AchievementRecord, InterestRecord, ProposalRecord
from profiles.visibility import Role

OPEN = ("sent", "forwarded")
ANSWERS = ("accepted", "declined")
NO_CLUSTER = "(no cluster)"


@dataclass(frozen=True)
class Period:
    since: date | None
    until: date | None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValidationFailed(
                [RowError("outcomes", "since", self.since.isoformat(), f"lies after until ({self.until.isoformat()})")],
                "outcomes",
            )

    def contains(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class InterestFigures:
    expressed: int = 0
    accepted: int = 0
    declined: int = 0
    withdrawn: int = 0
    open: int = 0
    conversion: float | None = None
    answered: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None


@dataclass(frozen=True)
class ProposalFigures:
    accepted: int = 0
    rejected: int = 0
    share_accepted: float | None = None


@dataclass(frozen=True)
class ClusterOutcome:
    cluster: str | None
    interests: InterestFigures = InterestFigures()
    proposals: ProposalFigures = ProposalFigures()
    achievements: dict[str, int] = field(default_factory=dict)

    @property
    def achievements_total(self) -> int:
        return sum(self.achievements.values())

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["cluster"] = self.cluster or NO_CLUSTER
        out["interests"]["median_days"] = _days(self.interests.median_hours)
        out["interests"]["p90_days"] = _days(self.interests.p90_hours)
        out["achievements"] = {"total": self.achievements_total, "by_type": dict(self.achievements)}
        return out


def _days(hours: float | None) -> float | None:
    return None if hours is None else round(hours / 24, 2)


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0–100), interpolating linearly between the closest ranks; None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def interest_figures(records: list[InterestRecord]) -> InterestFigures:
    count = {s: sum(1 for r in records if r.status == s) for s in ("accepted", "declined", "withdrawn")}
    hours = [
        max(0.0, (r.decided_at - r.created_at).total_seconds() / 3600)
        for r in records
        if r.status in ANSWERS and r.decided_at is not None
    ]
    median, p90 = percentile(hours, 50), percentile(hours, 90)
    return InterestFigures(
        expressed=len(records),
        accepted=count["accepted"],
        declined=count["declined"],
        withdrawn=count["withdrawn"],
        open=sum(1 for r in records if r.status in OPEN),
        conversion=share(count["accepted"], count["accepted"] + count["declined"]),
        answered=len(hours),
        median_hours=None if median is None else round(median, 2),
        p90_hours=None if p90 is None else round(p90, 2),
    )


def proposal_figures(records: list[ProposalRecord]) -> ProposalFigures:
    accepted = sum(1 for r in records if r.status == "accepted")
    rejected = sum(1 for r in records if r.status == "rejected")
    return ProposalFigures(accepted, rejected, share(accepted, accepted + rejected))


def achievement_counts(records: list[AchievementRecord]) -> dict[str, int]:
    """Agreements by type, in the network's order of types (types no longer listed last)."""
    counts: dict[str, int] = {}
    for r in records:
        counts[r.agreement_type] = counts.get(r.agreement_type, 0) + 1
    order = {t: i for i, t in enumerate(AGREEMENT_TYPES)}
    return dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


def outcomes(
    clusters: Iterable[str | None],
    interests: Iterable[InterestRecord],
    proposals: Iterable[ProposalRecord],
    achievements: Iterable[AchievementRecord],
    period: Period,
) -> list[ClusterOutcome]:
    """One row per cluster asked for, in that order, clusters without any activity included;
    records of other clusters or outside the period are left out."""
    wanted = list(dict.fromkeys(clusters))
    mine = set(wanted)
    by_cluster: dict[str | None, tuple[list, list, list]] = {c: ([], [], []) for c in wanted}
    for r in interests:
        if r.cluster in mine and period.contains(r.created_at.date()):
            by_cluster[r.cluster][0].append(r)
    for p in proposals:
        if p.cluster in mine and period.contains(p.decided_at.date()):
            by_cluster[p.cluster][1].append(p)
    for a in achievements:
        if a.cluster in mine and period.contains(a.signed_on):
            by_cluster[a.cluster][2].append(a)
    return [
        ClusterOutcome(c, interest_figures(i), proposal_figures(p), achievement_counts(a))
        for c, (i, p, a) in by_cluster.items()
    ]


def duration(hours: float | None) -> str:
    """Hours as people read them: "5.5 h", or days from two days on."""
    if hours is None:
        return "–"
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def report(
    ctx: Context, cluster: str | None = None, since: date | None = None, until: date | None = None
) -> dict[str, Any]:
    """Outcomes of the viewer's cluster (advisors) or of any or all clusters (administrators);
    without `since` from the start, without `until` up to now."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    if ctx.viewer.role == Role.ADVISOR and (ctx.viewer.cluster is None or cluster not in (None, ctx.viewer.cluster)):
        raise Forbidden("cluster: you may see only your own cluster's outcomes")
    period = Period(since, until)
    chosen = cluster if ctx.viewer.is_admin else ctx.viewer.cluster
    with session_scope(ctx.engine, readonly=True) as session:
        known = store.clusters(session)
        if chosen is not None and chosen not in known and ctx.viewer.is_admin:
            raise ValidationFailed(
                [RowError("outcomes", "cluster", chosen, "no firm belongs to this cluster")], "outcomes"
            )
        interests = store.interest_records(session, period.since, period.until, chosen)
        proposals = store.proposal_records(session, period.since, period.until, chosen)
        achievements = store.achievement_records(session, period.since, period.until, chosen)
    names: list[str | None] = [chosen] if chosen is not None else list(known)
    seen = [r.cluster for r in interests] + [r.cluster for r in proposals] + [r.cluster for r in achievements]
    if chosen is None and None in seen:
        names.append(None)  # firms and bids of no cluster, shown to administrators as one row
    rows = outcomes(names, interests, proposals, achievements, period)
    return {
        "since": period.since.isoformat() if period.since else None,
        "until": period.until.isoformat() if period.until else None,
        "clusters": [r.as_dict() for r in rows],
    }
