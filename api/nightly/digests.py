"""Digests and expiry warnings, queued in the outbox for `api.nightly.mail` to send.

Each message is made in two steps: its content is read from the database into small
frozen dataclasses (the `*_content` functions, where the privacy rules of `api.actions.views`
and `profiles.visibility` are applied), then rendered to plain text by pure functions
(the `render_*` functions). A firm user's digest shows other firms only by alias and
country — also firms it was introduced to, because an e-mail is easily forwarded; an
advisor's digest names its own cluster's firms only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from sqlmodel import Session

from api.actions.accounts import Preferences, preferences
from api.actions.context import hidden_names
from api.actions.views import HiddenNames, profile_brief
from matching.scarcity import Candidate, allocate, reciprocal
from profiles import een
from profiles.repository import digests as store
from profiles.repository import outbox
from profiles.repository.firms import cluster_firm_ids, firms_with_keys
from profiles.settings import Settings
from profiles.tables import (
    AccountRow,
    BidRow,
    FirmRow,
    InterestRow,
    MatchRow,
    ProfileRow,
    ProposalRow,
)
from profiles.visibility import Role, Viewer

T = TypeVar("T")
API = "/api/v1"
DEDUPE_MAX = 200  # length of outbox.dedupe_key
OFFER_TYPES = ("BO", "TO")
KIND_WORDS = {
    "customer": "a customer (seeks what you offer)",
    "supplier": "a supplier (offers what you seek)",
    "complement": "a complement (offers what goes with your offer)",
    "peer": "a peer (offers what you offer)",
}


# content -------------------------------------------------------------------------
@dataclass(frozen=True)
class Listing(Generic[T]):
    """The first items of a section, and how many there are in all."""

    items: tuple[T, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def listing(items: list[T], limit: int) -> Listing[T]:
    return Listing(tuple(items[:limit]), len(items))


@dataclass(frozen=True)
class MatchItem:
    score: float
    own_reference: str
    own_title: str
    reference: str
    type: str
    title: str
    firm: str
    kind: str = ""


@dataclass(frozen=True)
class InterestItem:
    id: int
    reference: str
    title: str
    owner: str
    sender: str
    on: date


@dataclass(frozen=True)
class BatchItem:
    proposal_id: int
    bid: str
    feasible: bool
    objective: float | None
    had_previous: bool
    previous: float | None
    members: tuple[str, ...]


@dataclass(frozen=True)
class AlternativeItem:
    bid: str
    accepted_id: int
    accepted_objective: float | None
    alternative_id: int
    alternative_objective: float | None


@dataclass(frozen=True)
class FirmDigest:
    username: str
    firm_alias: str
    since: datetime | None
    prefs: Preferences
    matches: Listing[MatchItem]
    interests: Listing[InterestItem]
    new_interests: int

    @property
    def has_news(self) -> bool:
        return self.matches.total > 0 or self.new_interests > 0


@dataclass(frozen=True)
class AdvisorDigest:
    username: str
    cluster: str
    since: datetime | None
    prefs: Preferences
    batches: Listing[BatchItem]
    alternatives: Listing[AlternativeItem]
    interests: Listing[InterestItem]
    new_interests: int
    new_matches: int

    @property
    def has_news(self) -> bool:
        return bool(self.batches.total or self.alternatives.total or self.new_interests or self.new_matches)


@dataclass(frozen=True)
class ExpiryNotice:
    reference: str
    title: str
    expires_on: date
    days_left: int
    can_extend: bool


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _within(moment: datetime | None, since: datetime | None, until: datetime) -> bool:
    return moment is not None and (since is None or _utc(moment) > since) and _utc(moment) <= until


def _label(brief: dict[str, Any]) -> str:
    """How a firm is named to the viewer: its name where the viewer may see it, else alias and country."""
    if brief["identity_visible"]:
        return f"{brief['firm_name']} ({brief['country']})"
    return f"firm {brief['firm_alias']} ({brief['country']})"


def _firm_label(firm: FirmRow | None, viewer: Viewer) -> str:
    if firm is None or firm.id is None:
        return "a firm no longer listed"
    visible = viewer.sees_identity(firm.id, firm.cluster)
    return f"{firm.name} ({firm.country})" if visible else f"firm {firm.alias} ({firm.country})"


def _match_item(
    match: MatchRow,
    own: ProfileRow,
    other: ProfileRow,
    other_firm: FirmRow,
    viewer: Viewer,
    today: date,
    names: HiddenNames,
) -> MatchItem:
    brief = profile_brief(other, other_firm, viewer, today, names)
    return MatchItem(
        score=match.score,
        own_reference=own.reference or own.key,
        own_title=own.title,
        reference=brief["reference"] or "",
        type=brief["type"],
        title=brief["title"],
        firm=_label(brief),
        kind=match.kind,
    )


def _interest_item(
    row: InterestRow,
    profile: ProfileRow,
    owner: FirmRow,
    sender: FirmRow,
    viewer: Viewer,
    today: date,
    at: datetime | None,
    names: HiddenNames,
) -> InterestItem:
    brief = profile_brief(profile, owner, viewer, today, names)
    assert row.id is not None
    return InterestItem(
        id=row.id,
        reference=brief["reference"] or "",
        title=brief["title"],
        owner=_label(brief),
        sender=_firm_label(sender, viewer),
        on=_utc(at or row.created_at).date(),
    )


MatchHit = tuple[MatchRow, ProfileRow, ProfileRow, FirmRow]  # match, own profile, other profile, other firm


def _id(value: int | None) -> int:
    """A stored row's id (rows read from the database always have one)."""
    assert value is not None
    return value


def _pair_ids(own: ProfileRow, other: ProfileRow) -> tuple[int, int]:
    return _id(own.id), _id(other.id)


def _candidates(session: Session, account: AccountRow, firm: FirmRow, prefs: Preferences, depth: int):
    """The account's new matches as digest candidates, with both sides' ranks (see matching.scarcity)."""
    hits, total = store.new_matches(session, [_id(firm.id)], account.digest_run_id, prefs.min_score, 10_000)
    back = store.reverse_ranks(session, [_pair_ids(own, other) for _, own, other, _ in hits])
    out = [
        Candidate(
            str(account.id),
            _id(m.id),
            other.key if other.type in OFFER_TYPES else None,
            reciprocal(m.rank, back.get(_pair_ids(own, other)), depth),
            m.score,
        )
        for m, own, other, _ in hits
    ]
    return hits, total, out


@dataclass(frozen=True)
class Planned:
    """A firm digest's new matches: all of them (best first by reciprocal rank), how many, and the ids
    allocated to this digest."""

    hits: list[MatchHit]
    total: int
    items: list[int]


def plan_firm_digests(
    session: Session, settings: Settings, accounts: list[tuple[AccountRow, FirmRow, Preferences]]
) -> dict[str, Planned]:
    """Which new matches go into which firm digest this round: reciprocal order, each offer in at most
    `digest_offer_cap` digests (see matching.scarcity). Each account's matches are read once, here."""
    depth = settings.digest_max_items * 3
    candidates, limits, found = [], {}, {}
    for account, firm, prefs in accounts:
        hits, total, own = _candidates(session, account, firm, prefs, depth)
        candidates.extend(own)
        limits[str(account.id)] = prefs.max_items
        found[str(account.id)] = (hits, total)
    plan = allocate(candidates, limits, settings.digest_offer_cap)
    return {key: Planned(hits, total, plan.get(key, [])) for key, (hits, total) in found.items()}


def firm_digest_content(
    session: Session,
    account: AccountRow,
    firm: FirmRow,
    prefs: Preferences,
    now: datetime,
    today: date,
    planned: Planned | None = None,
) -> FirmDigest:
    """New matches of the firm's profiles (as `planned` for this round, else planned for it alone)
    and interests waiting for the firm's decision."""
    assert account.id is not None and firm.id is not None
    viewer = Viewer(account.id, account.username, Role.FIRM, firm_id=firm.id)
    since = _utc(account.digest_at) if account.digest_at else None
    if planned is None:  # on its own: reciprocal order, no offer cap
        found, total, own = _candidates(session, account, firm, prefs, prefs.max_items * 3)
        limit = {str(account.id): prefs.max_items}
        planned = Planned(found, total, allocate(own, limit, len(own) + 1).get(str(account.id), []))
    by_id = {hit[0].id: hit for hit in planned.hits}
    hits = [by_id[i] for i in planned.items if i in by_id]
    names = hidden_names(session, viewer)
    matches = Listing(tuple(_match_item(*hit, viewer, today, names) for hit in hits), planned.total)
    waiting = store.waiting_interests(session, [firm.id], "forwarded")
    items = [_interest_item(*w, viewer, today, at=w[0].forwarded_at, names=names) for w in waiting]
    new = sum(1 for w in waiting if _within(w[0].forwarded_at, since, now))
    return FirmDigest(account.username, firm.alias, since, prefs, matches, listing(items, prefs.max_items), new)


def _new_batches(
    heads: list[tuple[ProposalRow, BidRow]], since: datetime | None, until: datetime
) -> list[tuple[ProposalRow, BidRow, ProposalRow | None]]:
    """Each new batch's rank-1 proposal with the rank-1 proposal of the bid's batch before it."""
    out = []
    previous: dict[int, ProposalRow] = {}
    for row, bid in heads:
        if _within(row.created_at, since, until):
            out.append((row, bid, previous.get(row.bid_id)))
        previous[row.bid_id] = row
    return out


def _batch_item(
    row: ProposalRow, bid: BidRow, before: ProposalRow | None, firms: dict[str, FirmRow], viewer: Viewer
) -> BatchItem:
    assert row.id is not None
    members = tuple(
        _firm_label(firms.get(m.get("firm", "")), viewer) + (", lead" if m.get("lead") else "")
        for m in row.plan.get("members", [])
    )
    return BatchItem(
        proposal_id=row.id,
        bid=f'{bid.key} "{bid.title}"',
        feasible=row.feasible,
        objective=row.objective if row.feasible else None,
        had_previous=before is not None,
        previous=before.objective if before is not None and before.feasible else None,
        members=members,
    )


def _alternatives(session: Session, cluster: str, since: datetime | None, until: datetime) -> list[AlternativeItem]:
    """Accepted proposals whose better alternative (filed by a nightly run) appeared in (since, until]."""
    accepted = store.accepted_proposals(session, cluster)
    found = store.proposals_by_id(session, ((r.flags or {}).get("better_alternative") for r, _ in accepted))
    out = []
    for row, bid in accepted:
        alternative = found.get((row.flags or {}).get("better_alternative"))  # type: ignore[arg-type]
        if alternative is None or not _within(alternative.created_at, since, until):
            continue
        assert row.id is not None and alternative.id is not None
        out.append(
            AlternativeItem(f'{bid.key} "{bid.title}"', row.id, row.objective, alternative.id, alternative.objective)
        )
    return out


def advisor_digest_content(
    session: Session, account: AccountRow, prefs: Preferences, now: datetime, today: date
) -> AdvisorDigest:
    """New proposal batches and better alternatives of the cluster's bids, interests waiting to be
    forwarded, and how many new matches the cluster's firms got."""
    assert account.id is not None and account.cluster is not None
    cluster = account.cluster
    viewer = Viewer(account.id, account.username, Role.ADVISOR, cluster=cluster)
    since = _utc(account.digest_at) if account.digest_at else None
    batches = _new_batches(store.batch_heads(session, cluster, since, now), since, now)
    firms = firms_with_keys(session, (m.get("firm", "") for row, _, _ in batches for m in row.plan.get("members", [])))
    batch_items = [_batch_item(row, bid, before, firms, viewer) for row, bid, before in batches]
    firm_ids = cluster_firm_ids(session, cluster)
    waiting = store.waiting_interests(session, firm_ids, "sent")
    interests = [
        _interest_item(*w, viewer, today, at=w[0].created_at, names=hidden_names(session, viewer)) for w in waiting
    ]
    new_interests = sum(1 for w in waiting if _within(w[0].created_at, since, now))
    _, new_matches = store.new_matches(session, firm_ids, account.digest_run_id, prefs.min_score, 0)
    return AdvisorDigest(
        account.username,
        cluster,
        since,
        prefs,
        listing(batch_items, prefs.max_items),
        listing(_alternatives(session, cluster, since, now), prefs.max_items),
        listing(interests, prefs.max_items),
        new_interests,
        new_matches,
    )


def expiry_notice(profile: ProfileRow, today: date) -> ExpiryNotice:
    assert profile.expires_on is not None
    return ExpiryNotice(
        reference=profile.reference or profile.key,
        title=profile.title,
        expires_on=profile.expires_on,
        days_left=(profile.expires_on - today).days,
        can_extend=profile.extensions < een.MAX_EXTENSIONS,
    )


# rendering -----------------------------------------------------------------------
def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def digest_subject(parts: list[tuple[int, str, str]]) -> str:
    """ "partnermatch digest: 3 new matches, 1 interest waiting" from (count, singular, plural) parts."""
    shown = [_count(n, one, many) for n, one, many in parts if n]
    return "partnermatch digest: " + (", ".join(shown) if shown else "nothing new")


def render_section(heading: str, lines: list[str], more: int, more_hint: str = "") -> str:
    out = [heading, "-" * len(heading), *lines]
    if more:
        out.append(f"  and {more} more" + (f": {more_hint}" if more_hint else ""))
    return "\n".join(out)


def _objective(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def render_match(m: MatchItem, base: str) -> str:
    return (
        f'- {m.score:.2f}  {m.reference} ({m.type}) "{m.title}", {m.firm}\n'
        f'    {KIND_WORDS.get(m.kind, "a match")} for your profile {m.own_reference} "{m.own_title}"\n'
        f"    {base}{API}/profiles/{m.reference}"
    )


def _interest_actions(i: InterestItem, base: str, actions: str) -> str:
    url = f"{base}{API}/interests/{i.id}"
    return f"    read it: GET  {url}\n    decide:  POST {url}/{actions}"


def render_interest_for_firm(i: InterestItem, base: str) -> str:
    return (
        f'- #{i.id} in your profile {i.reference} "{i.title}" from {i.sender}, forwarded {i.on:%Y-%m-%d}\n'
        + _interest_actions(i, base, "accept (or /decline)")
    )


def render_interest_for_advisor(i: InterestItem, base: str) -> str:
    return (
        f'- #{i.id} in {i.reference} "{i.title}" of {i.owner}, from {i.sender}, received {i.on:%Y-%m-%d}\n'
        + _interest_actions(i, base, "forward (or /decline)")
    )


def render_batch(b: BatchItem, base: str) -> str:
    if not b.feasible:
        result = "no feasible consortium"
    else:
        result = f"best consortium, objective {_objective(b.objective)}"
    if not b.had_previous:
        compared = "the bid's first batch"
    elif b.previous is None or b.objective is None:
        compared = f"previous batch: {_objective(b.previous) if b.previous is not None else 'no feasible consortium'}"
    else:
        compared = f"previous batch {b.previous:.2f}, {b.objective - b.previous:+.2f}"
    lines = [f"- {b.bid}: {result} ({compared})"]
    if b.members:
        lines.append(f"    members: {'; '.join(b.members)}")
    lines.append(f"    {base}{API}/proposals/{b.proposal_id}")
    return "\n".join(lines)


def render_alternative(a: AlternativeItem, base: str) -> str:
    gain = (
        ""
        if a.accepted_objective is None or a.alternative_objective is None
        else f", {a.alternative_objective - a.accepted_objective:+.2f}"
    )
    return (
        f"- {a.bid}: a better consortium than your accepted proposal #{a.accepted_id} "
        f"(objective {_objective(a.accepted_objective)} -> {_objective(a.alternative_objective)}{gain})\n"
        f"    compare {base}{API}/proposals/{a.accepted_id} with {base}{API}/proposals/{a.alternative_id}"
    )


def _opening(username: str, since: datetime | None) -> str:
    news = (
        f"Here is what is new on partnermatch since your last digest ({since:%Y-%m-%d %H:%M} UTC)."
        if since
        else "This is your first partnermatch digest: what there is for you so far."
    )
    return f"Hello {username},\n\n{news}"


def _closing(username: str, prefs: Preferences, base: str) -> str:
    return (
        "--\n"
        f"You get this digest because digests are on for {username}: matches scoring at least "
        f"{prefs.min_score:.2f}, at most {prefs.max_items} items a section.\n"
        f"Change this or turn it off: PUT {base}{API}/me/digest"
    )


def _compose(opening: str, sections: list[str], closing: str) -> str:
    return "\n\n".join([opening, *sections, closing]) + "\n"


def render_firm_digest(d: FirmDigest, base: str) -> tuple[str, str]:
    """(subject, body) of a firm user's digest."""
    subject = digest_subject(
        [(d.matches.total, "new match", "new matches"), (d.interests.total, "interest waiting", "interests waiting")]
    )
    sections = []
    if d.matches.total:
        sections.append(
            render_section(
                f"New matches of your profiles, best first ({d.matches.total})",
                [render_match(m, base) for m in d.matches.items],
                d.matches.more,
                f"GET {base}{API}/firms/{quote(d.firm_alias)}/matches?min_score={d.prefs.min_score:.2f}",
            )
        )
    if d.interests.total:
        sections.append(
            render_section(
                f"Expressions of interest waiting for your decision ({d.interests.total})",
                [render_interest_for_firm(i, base) for i in d.interests.items],
                d.interests.more,
                f"GET {base}{API}/interests?status=forwarded",
            )
        )
    return subject, _compose(_opening(d.username, d.since), sections, _closing(d.username, d.prefs, base))


def render_advisor_digest(d: AdvisorDigest, base: str) -> tuple[str, str]:
    """(subject, body) of an advisor's digest."""
    subject = digest_subject(
        [
            (d.batches.total, "new proposal batch", "new proposal batches"),
            (d.alternatives.total, "better alternative", "better alternatives"),
            (d.interests.total, "interest to forward", "interests to forward"),
            (d.new_matches, "new match", "new matches"),
        ]
    )
    sections = []
    if d.batches.total:
        sections.append(
            render_section(
                f"New proposals for {d.cluster}'s bids ({d.batches.total})",
                [render_batch(b, base) for b in d.batches.items],
                d.batches.more,
                f"GET {base}{API}/bids",
            )
        )
    if d.alternatives.total:
        sections.append(
            render_section(
                f"Better alternatives to accepted proposals ({d.alternatives.total})",
                [render_alternative(a, base) for a in d.alternatives.items],
                d.alternatives.more,
            )
        )
    if d.interests.total:
        sections.append(
            render_section(
                f"Expressions of interest waiting to be forwarded ({d.interests.total})",
                [render_interest_for_advisor(i, base) for i in d.interests.items],
                d.interests.more,
                f"GET {base}{API}/interests?status=sent",
            )
        )
    if d.new_matches:
        summary = (
            f"{_count(d.new_matches, 'new match', 'new matches')} scoring at least {d.prefs.min_score:.2f}; "
            f"each firm's list: GET {base}{API}/firms/{{firm}}/matches"
        )
        sections.append(render_section(f"New matches of {d.cluster}'s firms ({d.new_matches})", [summary], 0))
    return subject, _compose(_opening(d.username, d.since), sections, _closing(d.username, d.prefs, base))


def render_expiry(n: ExpiryNotice, base: str) -> tuple[str, str]:
    """(subject, body) of a warning that a published profile is about to expire."""
    subject = f"partnermatch: your profile {n.reference} expires on {n.expires_on:%Y-%m-%d}"
    days = "today" if n.days_left == 0 else f"in {_count(n.days_left, 'day', 'days')}"
    lines = [
        "Hello,",
        "",
        f'Your published profile {n.reference} "{n.title}" expires on {n.expires_on:%Y-%m-%d} ({days}).',
        "After that it is no longer shown to other firms or matched.",
        "",
    ]
    if n.can_extend:
        lines += [
            f"To keep it published for another {een.VALIDITY.days} days, extend it (this can be done once):",
            f"    POST {base}{API}/profiles/{n.reference}/extend",
        ]
    else:
        lines += [
            "It was already extended once, the most an EEN profile may be; to keep offering it,",
            "publish it again as a new profile.",
        ]
    return subject, "\n".join(lines + ["", "--", "partnermatch"]) + "\n"


# queueing ------------------------------------------------------------------------
def dedupe_key(*parts: object) -> str:
    """Parts joined by ':'; a key too long for the outbox column keeps its start and a hash of the whole."""
    key = ":".join(str(p) for p in parts)
    if len(key) <= DEDUPE_MAX:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: DEDUPE_MAX - len(digest) - 1]}#{digest}"


def _expiry_recipients(firm: FirmRow, users: list[AccountRow]) -> list[tuple[int | None, str]]:
    """(account id, address) of the firm's users; the firm's own contact address when it has none."""
    out: dict[str, tuple[int | None, str]] = {}
    for user in users:
        assert user.email is not None
        out.setdefault(user.email.strip().lower(), (user.id, user.email.strip()))
    if not out and firm.contact_email:
        out[firm.contact_email.strip().lower()] = (None, firm.contact_email.strip())
    return list(out.values())


def queue_expiry_warnings(session: Session, settings: Settings, today: date, now: datetime, run_id: int | None) -> int:
    """One warning per recipient for each published profile expiring within `expiry_warning_days`;
    returns how many were newly queued (a warning already queued for that expiry date is not repeated)."""
    now = _utc(now)
    expiring = store.expiring_profiles(session, today, today + timedelta(days=settings.expiry_warning_days))
    users = store.firm_users_with_email(session, (f.id for _, f in expiring if f.id is not None))
    queued = 0
    for profile, firm in expiring:
        assert profile.expires_on is not None and firm.id is not None
        subject, body = render_expiry(expiry_notice(profile, today), settings.public_url)
        for account_id, address in _expiry_recipients(firm, users.get(firm.id, [])):
            key = dedupe_key("expiry", profile.id, profile.expires_on.isoformat(), address.lower())
            queued += outbox.enqueue(
                session,
                kind="expiry",
                dedupe_key=key,
                recipient=address,
                subject=subject,
                body=body,
                now=now,
                account_id=account_id,
                run_id=run_id,
            )
    return queued


def _digest_message(
    session: Session,
    settings: Settings,
    account: AccountRow,
    firm: FirmRow | None,
    prefs: Preferences,
    now: datetime,
    planned: Planned | None = None,
) -> tuple[str, str] | None:
    """(subject, body) of the account's digest, or None when nothing is new for it."""
    today = settings.current_date()
    if account.role == Role.FIRM.value:
        assert firm is not None
        content = firm_digest_content(session, account, firm, prefs, now, today, planned)
        return render_firm_digest(content, settings.public_url) if content.has_news else None
    advisor = advisor_digest_content(session, account, prefs, now, today)
    return render_advisor_digest(advisor, settings.public_url) if advisor.has_news else None


def queue_digests(session: Session, settings: Settings, run_id: int, now: datetime) -> dict[str, int]:
    """Queue one digest per firm user and advisor with digests on and something new since their last one.

    `now` should be the moment of the call (after the run's proposals were stored): proposals and
    interests up to it are covered, later ones go into the next digest. Each account's marker moves to
    this run in the caller's transaction, together with its message; an account whose marker already
    reached this run is left alone, so calling again for the same run queues nothing and loses nothing.
    Counts: `accounts` with digests on = `queued` + `skipped_nothing_new` + `already_covered`.
    """
    now = _utc(now)
    counts = {"accounts": 0, "queued": 0, "skipped_nothing_new": 0, "already_covered": 0}
    accounts = store.digest_accounts(session)
    due = [
        (a, f, preferences(a.digest or {}, settings))
        for a, f in accounts
        if a.role == Role.FIRM.value and f is not None and (a.digest_run_id is None or a.digest_run_id < run_id)
    ]
    plan = plan_firm_digests(session, settings, [(a, f, p) for a, f, p in due if p.enabled])
    for account, firm in accounts:
        prefs = preferences(account.digest or {}, settings)
        if not prefs.enabled:
            continue
        counts["accounts"] += 1
        if account.digest_run_id is not None and account.digest_run_id >= run_id:
            counts["already_covered"] += 1
            continue
        message = _digest_message(
            session,
            settings,
            account,
            firm,
            prefs,
            now,
            plan.get(str(account.id)) if account.role == Role.FIRM.value else None,
        )
        if message is None:
            counts["skipped_nothing_new"] += 1
        elif outbox.enqueue(
            session,
            kind="digest",
            dedupe_key=dedupe_key("digest", account.id, run_id),
            recipient=account.email or "",
            subject=message[0],
            body=message[1],
            now=now,
            account_id=account.id,
            run_id=run_id,
        ):
            counts["queued"] += 1
        else:
            counts["already_covered"] += 1
        store.mark_digested(session, account, run_id, now)
    return counts
