"""Digests, expiry warnings and their delivery through a real SMTP server on loopback,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from apikit import seed
from conftest import TODAY
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.nightly import digests, mail
from profiles.db import make_engine, session_scope
from profiles.repository import outbox
from profiles.settings import Settings
from profiles.tables import (
    AccountRow,
    FirmRow,
    InterestRow,
    MatchRunRow,
    OutboxRow,
    ProfileRow,
    ProposalRow,
)

NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 2, 30, tzinfo=UTC)
DAC, NMCN, BBI = "Danish Aluminium Cluster", "Norwegian Mass Customisation Network", "Bergslagen Base Industry"
DIGEST_USERS = {"dac-advisor", "nmcn-advisor", "bbi-advisor", "nordalu", "valdres", "vejle"}


# a real SMTP server ---------------------------------------------------------------
@dataclass
class Inbox:
    """An aiosmtpd handler keeping what it accepted; `replies` answer the next DATA commands instead."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    always: str | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        if self.always:
            return self.always
        if self.replies:
            return self.replies.pop(0)
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def _mail_settings(port: int | None, **extra) -> Settings:
    return Settings(
        today=TODAY,
        smtp_host="127.0.0.1" if port else None,
        smtp_port=port or 25,
        smtp_timeout=5,
        mail_from="digests@partnermatch.test",
        **extra,
    )


# a seeded exchange ----------------------------------------------------------------
@dataclass
class World:
    settings: Settings
    engine: Engine
    run_id: int

    def firm(self, key: str) -> FirmRow:
        with Session(self.engine) as s:
            return s.exec(select(FirmRow).where(FirmRow.key == key)).one()

    def account(self, username: str) -> AccountRow:
        with Session(self.engine) as s:
            return s.exec(select(AccountRow).where(AccountRow.username == username)).one()

    def profile_of(self, firm_key: str) -> ProfileRow:
        with Session(self.engine) as s:
            return s.exec(
                select(ProfileRow)
                .join(FirmRow, FirmRow.id == ProfileRow.firm_id)
                .where(FirmRow.key == firm_key, ProfileRow.status == "published")
                .order_by(ProfileRow.id)
            ).first()

    def sql(self, statement: str, **params) -> list:
        with self.engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else []


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path: Path) -> str:
    return (
        f"sqlite:///{tmp_path / 'digests.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    )


@pytest.fixture
def world(db_url: str, tmp_path: Path):
    """Demo data scored once, every account with an e-mail address, every match new in that run."""
    settings, _ = seed(db_url, tmp_path / "out", TODAY)
    engine = make_engine(db_url)
    w = World(settings, engine, 0)
    w.run_id = w.sql("SELECT max(id) FROM match_run")[0][0]
    w.sql("UPDATE match SET first_run_id = :run", run=w.run_id)
    w.sql("UPDATE account SET email = username || '@mail.test'")
    yield w
    engine.dispose()


def _queue(w: World, run_id: int, now: datetime = NOW) -> dict[str, int]:
    with session_scope(w.engine) as session:
        return digests.queue_digests(session, w.settings, run_id, now)


def _digests(w: World) -> dict[str, OutboxRow]:
    with Session(w.engine) as s:
        rows = s.exec(
            select(OutboxRow, AccountRow.username)
            .join(AccountRow, AccountRow.id == OutboxRow.account_id)
            .where(OutboxRow.kind == "digest")
            .order_by(OutboxRow.id)
        ).all()
    out: dict[str, OutboxRow] = {}
    for row, username in rows:
        assert username not in out, f"two digests for {username}"
        out[username] = row
    return out


def _new_run(w: World) -> int:
    with session_scope(w.engine) as s:
        run = MatchRunRow(started_at=NOW, status="finished", config={}, config_hash="-")
        s.add(run)
        s.flush()
        return run.id


def _interest(w: World, profile: ProfileRow, sender_key: str, status: str, at: datetime) -> int:
    admin = w.account("admin")
    with session_scope(w.engine) as s:
        row = InterestRow(
            profile_id=profile.id,
            owner_firm_id=profile.firm_id,
            sender_firm_id=w.firm(sender_key).id,
            message="We are interested.",
            status=status,
            created_at=at - timedelta(hours=1),
            created_by=admin.id,
            forwarded_at=at if status == "forwarded" else None,
        )
        s.add(row)
        s.flush()
        return row.id


def _proposal(
    w: World,
    bid_key: str,
    batch: str,
    objective: float,
    at: datetime,
    members: list[str],
    rank: int = 1,
    status: str = "proposed",
    flags: dict | None = None,
) -> int:
    bid_id = w.sql("SELECT id FROM bid WHERE key = :k", k=bid_key)[0][0]
    with session_scope(w.engine) as s:
        row = ProposalRow(
            bid_id=bid_id,
            batch=batch,
            rank=rank,
            status=status,
            feasible=True,
            objective=objective,
            solver="cbc",
            solver_status="Optimal",
            created_at=at,
            flags=flags or {},
            plan={"members": [{"firm": k, "lead": i == 0, "covers": []} for i, k in enumerate(members)]},
        )
        s.add(row)
        s.flush()
        return row.id


def _count_matches(w: World, firm_keys: list[str], min_score: float) -> int:
    keys = ",".join(f"'{k}'" for k in firm_keys)
    return w.sql(
        f"SELECT count(*) FROM match m JOIN profile p ON p.id = m.profile_id JOIN firm f ON f.id = p.firm_id "
        f"WHERE f.key IN ({keys}) AND m.score >= :s",
        s=min_score,
    )[0][0]


def _cluster_keys(w: World, cluster: str) -> list[str]:
    return [k for (k,) in w.sql("SELECT key FROM firm WHERE cluster = :c", c=cluster)]


def _match_lines(body: str) -> list[float]:
    return [float(m) for m in re.findall(r"^- (0\.\d\d)  ", body, re.MULTILINE)]


# digests ---------------------------------------------------------------------------
def _stage_news(w: World) -> dict[str, int]:
    """An interest forwarded to Nordalu, one waiting for Vejle's advisor, two batches of a DAC bid
    and a better alternative to an accepted proposal."""
    ids = {
        "forwarded": _interest(
            w, w.profile_of("dk-nordalu"), "se-dala-presshardning", "forwarded", NOW - timedelta(hours=1)
        ),
        "sent": _interest(w, w.profile_of("dk-vejle-praecision"), "no-stranda-sete", "sent", NOW - timedelta(hours=2)),
    }
    team = ["dk-nordalu", "se-dala-presshardning"]
    _proposal(w, "bid-battery-tray", "b1", 10.0, NOW - timedelta(days=2), team)
    ids["batch"] = _proposal(w, "bid-battery-tray", "b2", 11.5, NOW - timedelta(hours=1), team)
    _proposal(w, "bid-battery-tray", "b2", 11.0, NOW - timedelta(hours=1), team[:1], rank=2)
    alternative = _proposal(w, "bid-crash-management", "c2", 8.7, NOW - timedelta(hours=1), team, status="alternative")
    ids["accepted"] = _proposal(
        w,
        "bid-crash-management",
        "c1",
        8.0,
        NOW - timedelta(days=3),
        team,
        status="accepted",
        flags={"better_alternative": alternative, "objective_gain": 0.7},
    )
    return ids


def test_firm_users_and_advisors_get_digests_with_their_sections(world):
    ids = _stage_news(world)
    counts = _queue(world, world.run_id)
    assert counts == {"accounts": 6, "queued": 6, "skipped_nothing_new": 0, "already_covered": 0}
    sent = _digests(world)
    assert set(sent) == DIGEST_USERS  # no digest for the administrator
    assert all(
        r.recipient == f"{name}@mail.test" and r.status == "pending" and r.run_id == world.run_id
        for name, r in sent.items()
    )

    nordalu = sent["nordalu"]
    total = _count_matches(world, ["dk-nordalu"], world.settings.digest_min_score)
    assert total > world.settings.digest_max_items
    assert nordalu.subject == f"partnermatch digest: {total} new matches, 1 interest waiting"
    scores = _match_lines(nordalu.body)
    assert len(scores) == world.settings.digest_max_items  # in reciprocal order: see the offer-cap test
    assert f"and {total - world.settings.digest_max_items} more" in nordalu.body
    assert f"#{ids['forwarded']} in your profile {world.profile_of('dk-nordalu').reference}" in nordalu.body
    # an interest not yet forwarded by the advisor is not shown to the owner firm
    vejle = sent["vejle"]
    assert vejle.subject == f"partnermatch digest: {_count_matches(world, ['dk-vejle-praecision'], 0.3)} new matches"
    assert "interest" not in vejle.body.lower()

    dac = sent["dac-advisor"].body
    dac_matches = _count_matches(world, _cluster_keys(world, DAC), 0.3)
    assert sent["dac-advisor"].subject == (
        f"partnermatch digest: 3 new proposal batches, 1 better alternative, "
        f"1 interest to forward, {dac_matches} new matches"
    )
    assert "objective 11.50 (previous batch 10.00, +1.50)" in dac and "objective 10.00 (the bid's first batch)" in dac
    assert dac.count("bid-battery-tray") == 2  # one line per batch: rank 2 is not listed
    assert f"accepted proposal #{ids['accepted']} (objective 8.00 -> 8.70, +0.70)" in dac
    assert 'bid-crash-management "' in dac and "objective 8.70 (" not in dac  # the alternative is no batch of its own
    assert f"#{ids['sent']} in {world.profile_of('dk-vejle-praecision').reference}" in dac
    assert f"members: Nordalu Extrusion A/S (DK), lead; firm {world.firm('se-dala-presshardning').alias} (SE)" in dac
    assert f"New matches of {DAC}'s firms ({dac_matches})" in dac
    assert "proposal" not in sent["nmcn-advisor"].body.split("--")[0].lower()  # other clusters' bids stay out

    for name in DIGEST_USERS:
        account = world.account(name)
        assert account.digest_run_id == world.run_id
        assert _utc(account.digest_at) == NOW


def _offer_lines(body: str) -> list[str]:
    return re.findall(r"^- 0\.\d\d  (\S+) \((?:BO|TO)\)", body, re.MULTILINE)


def test_digests_rank_reciprocally_and_push_one_offer_to_few_requesters(world):
    _stage_news(world)
    # the planned order is the reciprocal one (both sides' ranks), not the score's
    with session_scope(world.engine) as session:
        account, firm = world.account("nordalu"), world.firm("dk-nordalu")
        prefs = digests.preferences(account.digest or {}, world.settings)
        _, _, candidates = digests._candidates(session, account, firm, prefs, prefs.max_items * 3)
    scores = [c.reciprocal for c in candidates]
    assert scores and max(scores) <= 1.0 and len(set(scores)) > 1
    by_reciprocal = sorted(candidates, key=lambda c: (-c.reciprocal, -c.score, c.item))
    by_score = sorted(candidates, key=lambda c: (-c.score, c.item))
    assert [c.item for c in by_reciprocal] != [c.item for c in by_score]
    world.settings = world.settings.model_copy(update={"digest_offer_cap": 1})
    _queue(world, world.run_id)
    pushed = [ref for row in _digests(world).values() for ref in _offer_lines(row.body)]
    assert pushed and len(pushed) == len(set(pushed)), "an offer in more digests than the cap allows"


def test_preferences_set_threshold_length_and_opt_out(world):
    world.sql("UPDATE account SET digest = :d WHERE username = 'nordalu'", d='{"min_score": 0.99}')
    world.sql("UPDATE account SET digest = :d WHERE username = 'vejle'", d='{"max_items": 3}')
    world.sql("UPDATE account SET digest = :d WHERE username = 'valdres'", d='{"enabled": false}')
    counts = _queue(world, world.run_id)
    assert counts == {"accounts": 5, "queued": 4, "skipped_nothing_new": 1, "already_covered": 0}
    sent = _digests(world)
    assert set(sent) == DIGEST_USERS - {"nordalu", "valdres"}
    total = _count_matches(world, ["dk-vejle-praecision"], 0.3)
    assert len(_match_lines(sent["vejle"].body)) == 3 and f"and {total - 3} more" in sent["vejle"].body
    assert world.account("nordalu").digest_run_id == world.run_id  # looked at: nothing new is still covered
    assert world.account("valdres").digest_run_id is None


def test_only_what_is_new_and_never_twice_for_a_run(world):
    first = _queue(world, world.run_id)
    assert first["queued"] == 6
    again = _queue(world, world.run_id, NOW + timedelta(minutes=5))
    assert again == {"accounts": 6, "queued": 0, "skipped_nothing_new": 0, "already_covered": 6}
    assert len(_digests(world)) == 6

    quiet = _queue(world, _new_run(world), NOW + timedelta(days=1))
    assert quiet == {"accounts": 6, "queued": 0, "skipped_nothing_new": 6, "already_covered": 0}

    # a later run: two new matches of one Nordalu profile and an interest forwarded since the last digest
    third = _new_run(world)
    fresh = world.sql(
        "SELECT m.id FROM match m JOIN profile p ON p.id = m.profile_id JOIN firm f ON f.id = p.firm_id "
        "WHERE f.key = 'dk-nordalu' ORDER BY m.score DESC LIMIT 2"
    )
    world.sql(f"UPDATE match SET first_run_id = :r WHERE id IN ({fresh[0][0]}, {fresh[1][0]})", r=third)
    _interest(world, world.profile_of("dk-nordalu"), "no-stranda-sete", "forwarded", NOW + timedelta(days=1, hours=1))
    with Session(world.engine) as s:
        s.exec(text("DELETE FROM outbox"))
        s.commit()
    counts = _queue(world, third, NOW + timedelta(days=2))
    assert counts == {"accounts": 6, "queued": 2, "skipped_nothing_new": 4, "already_covered": 0}
    sent = _digests(world)
    assert sent["nordalu"].subject == "partnermatch digest: 2 new matches, 1 interest waiting"
    assert len(_match_lines(sent["nordalu"].body)) == 2 and "more" not in sent["nordalu"].body.split("--")[0]
    assert sent["dac-advisor"].subject == "partnermatch digest: 2 new matches"


def _identity(firm: FirmRow) -> list[str]:
    return [
        v for v in (firm.name, firm.key, firm.contact_email, firm.contact_phone, firm.website, firm.contact_name) if v
    ]


def test_digests_name_no_firm_the_reader_may_not_identify(world):
    _stage_news(world)
    # A firm that wrote its own name and website into a title: the digest must not repeat them.
    top = world.sql(
        "SELECT m.other_profile_id FROM match m JOIN profile p ON p.id = m.profile_id "
        "JOIN firm f ON f.id = p.firm_id WHERE f.key = 'dk-nordalu' ORDER BY m.score DESC LIMIT 1"
    )[0][0]
    owner = world.sql("SELECT f.name, f.website FROM firm f JOIN profile p ON p.firm_id = f.id WHERE p.id = :p", p=top)[
        0
    ]
    world.sql("UPDATE profile SET title = :t WHERE id = :p", t=f"{owner[0]} ({owner[1]}) offers anodising", p=top)
    _queue(world, world.run_id)
    sent = _digests(world)
    with Session(world.engine) as s:
        firms = list(s.exec(select(FirmRow)).all())
    assert "the company (the company) offers anodising" in sent["nordalu"].body
    for username in ("nordalu", "vejle", "valdres"):
        own = world.account(username).firm_id
        body = sent[username].body
        leaks = [(f.key, v) for f in firms if f.id != own for v in _identity(f) if v in body]
        assert leaks == [], (username, leaks)
    for username, cluster in (("dac-advisor", DAC), ("nmcn-advisor", NMCN), ("bbi-advisor", BBI)):
        body = sent[username].body
        leaks = [(f.key, v) for f in firms if f.cluster != cluster for v in _identity(f) if v in body]
        assert leaks == [], (username, leaks)
    assert "Nordalu Extrusion A/S" in sent["dac-advisor"].body  # its own cluster's firms by name


# expiry warnings ---------------------------------------------------------------------
def test_expiry_warnings_once_per_recipient_and_expiry(world):
    world.sql("UPDATE profile SET expires_on = :d WHERE status = 'published'", d=TODAY + timedelta(days=200))
    soon, later = world.profile_of("dk-nordalu"), world.profile_of("dk-vejle-praecision")
    unmanned = world.profile_of("se-falu-robot")  # a firm without user accounts
    world.sql("UPDATE profile SET expires_on = :d WHERE id = :p", d=TODAY + timedelta(days=10), p=soon.id)
    world.sql("UPDATE profile SET expires_on = :d WHERE id = :p", d=TODAY + timedelta(days=30), p=later.id)
    world.sql("UPDATE profile SET expires_on = :d WHERE id = :p", d=TODAY + timedelta(days=14), p=unmanned.id)
    nordalu = world.firm("dk-nordalu")
    with session_scope(world.engine) as s:
        for name, email, active in (
            ("nordalu-2", "Sales@Nordalu.test", True),
            ("nordalu-3", "sales@nordalu.test", True),
            ("nordalu-old", "old@nordalu.test", False),
            ("nordalu-none", None, True),
        ):
            s.add(
                AccountRow(
                    username=name,
                    password_hash="-",
                    role="firm",
                    firm_id=nordalu.id,
                    email=email,
                    active=active,
                    created_at=NOW,
                )
            )

    def warn() -> int:
        with session_scope(world.engine) as s:
            return digests.queue_expiry_warnings(s, world.settings, TODAY, NOW, world.run_id)

    assert warn() == 3
    with Session(world.engine) as s:
        rows = s.exec(select(OutboxRow).where(OutboxRow.kind == "expiry").order_by(OutboxRow.id)).all()
    by_recipient = {r.recipient: r for r in rows}
    assert set(by_recipient) == {"nordalu@mail.test", "Sales@Nordalu.test", world.firm("se-falu-robot").contact_email}
    warning = by_recipient["nordalu@mail.test"]
    assert warning.subject == f"partnermatch: your profile {soon.reference} expires on {TODAY + timedelta(days=10)}"
    assert f"POST http://127.0.0.1:8000/api/v1/profiles/{soon.reference}/extend" in warning.body
    assert "(in 10 days)" in warning.body and soon.title in warning.body
    assert warn() == 0


# delivery --------------------------------------------------------------------------
def _enqueue(engine: Engine, key: str, recipient: str = "mette@nordalu.test", body: str = "Hej fra Tønder\n") -> None:
    with session_scope(engine) as s:
        assert outbox.enqueue(
            s, kind="digest", dedupe_key=key, recipient=recipient, subject=f"subject {key}", body=body, now=NOW
        )


def _row(engine: Engine, key: str) -> OutboxRow:
    with Session(engine) as s:
        return s.exec(select(OutboxRow).where(OutboxRow.dedupe_key == key)).one()


def _content(message: EmailMessage) -> str:
    return message.get_content().replace("\r\n", "\n")  # SMTP carries lines ending in CRLF


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def test_every_message_arrives_once_with_its_headers(any_engine, smtp):
    inbox, port = smtp
    for n in range(3):
        _enqueue(any_engine, f"k{n}", recipient=f"user{n}@example.test")
    report = mail.deliver(any_engine, _mail_settings(port), NOW)
    assert (report.sent, report.failed, report.deferred, report.uncertain) == (3, 0, 0, 0)
    assert mail.deliver(any_engine, _mail_settings(port), NOW + timedelta(hours=1)).sent == 0
    assert len(inbox.received) == 3
    for n, (rcpt, message) in enumerate(inbox.received):
        row = _row(any_engine, f"k{n}")
        assert rcpt == [f"user{n}@example.test"] and message["To"] == row.recipient
        assert message["Subject"] == f"subject k{n}" and message["From"] == "digests@partnermatch.test"
        assert message["Message-ID"] == row.message_id == outbox.message_id_for(f"k{n}")
        assert _content(message) == "Hej fra Tønder\n"
        assert row.status == "sent" and _utc(row.sent_at) == NOW and row.attempts == 1
    with Session(any_engine) as s:
        assert outbox.counts_by_status(s) == {"sent": 3}


def test_a_refused_message_waits_and_is_sent_once_later(any_engine, smtp):
    inbox, port = smtp
    inbox.replies.append("451 try later")
    _enqueue(any_engine, "later")
    report = mail.deliver(any_engine, _mail_settings(port), NOW)
    assert (report.sent, report.deferred) == (0, 1)
    row = _row(any_engine, "later")
    assert row.status == "pending" and row.attempts == 1 and "451" in row.last_error
    assert _utc(row.next_attempt_at) == NOW + timedelta(minutes=5)
    assert mail.deliver(any_engine, _mail_settings(port), NOW + timedelta(minutes=2)).sent == 0  # not due yet
    assert mail.deliver(any_engine, _mail_settings(port), NOW + timedelta(minutes=6)).sent == 1
    assert mail.deliver(any_engine, _mail_settings(port), NOW + timedelta(hours=7)).sent == 0
    assert len(inbox.received) == 1 and _row(any_engine, "later").status == "sent"


def test_a_message_fails_after_the_last_attempt(any_engine, smtp):
    inbox, port = smtp
    inbox.always = "451 try later"
    _enqueue(any_engine, "doomed")
    settings, moment, reports = _mail_settings(port, mail_max_attempts=3), NOW, []
    for _ in range(3):
        reports.append(mail.deliver(any_engine, settings, moment))
        moment += timedelta(hours=7)
    assert [(r.deferred, r.failed) for r in reports] == [(1, 0), (1, 0), (0, 1)]
    row = _row(any_engine, "doomed")
    assert row.status == "failed" and row.attempts == 3 and inbox.received == []
    assert mail.deliver(any_engine, settings, moment).failed == 0  # given up: not tried again


def test_a_permanent_rejection_fails_at_once(any_engine, smtp):
    inbox, port = smtp
    inbox.always = "550 no such mailbox"
    _enqueue(any_engine, "nobody")
    assert mail.deliver(any_engine, _mail_settings(port), NOW).failed == 1
    row = _row(any_engine, "nobody")
    assert row.status == "failed" and row.attempts == 1 and row.last_error.startswith("550")


def test_a_message_left_sending_is_uncertain_and_not_resent(any_engine, smtp):
    inbox, port = smtp
    _enqueue(any_engine, "crashed")
    _enqueue(any_engine, "fine")
    with any_engine.begin() as conn:
        conn.execute(text("UPDATE outbox SET status = 'sending' WHERE dedupe_key = 'crashed'"))
    report = mail.deliver(any_engine, _mail_settings(port), NOW)
    assert (report.sent, report.uncertain) == (1, 1)
    assert [m["Subject"] for _, m in inbox.received] == ["subject fine"]
    assert _row(any_engine, "crashed").status == "uncertain"
    assert mail.deliver(any_engine, _mail_settings(port), NOW).uncertain == 0


def test_without_a_mail_server_nothing_is_sent(any_engine, smtp):
    inbox, _ = smtp
    _enqueue(any_engine, "waiting")
    report = mail.deliver(any_engine, _mail_settings(None), NOW)
    assert report.not_configured and report.sent == 0 and _row(any_engine, "waiting").status == "pending"
    closed = _free_port()  # nothing listens there
    report = mail.deliver(any_engine, _mail_settings(closed), NOW)
    assert report.error and report.sent == 0
    row = _row(any_engine, "waiting")
    assert row.status == "pending" and row.attempts == 0 and inbox.received == []


def test_queueing_is_idempotent_under_concurrent_runs(any_engine):
    results: list[bool] = []

    def other_run() -> None:
        with session_scope(any_engine) as s:
            results.append(
                outbox.enqueue(
                    s, kind="digest", dedupe_key="same", recipient="a@b.test", subject="s", body="b", now=NOW
                )
            )

    with session_scope(any_engine) as s:
        assert outbox.enqueue(s, kind="digest", dedupe_key="same", recipient="a@b.test", subject="s", body="b", now=NOW)
        racer = threading.Thread(target=other_run)
        racer.start()
        time.sleep(0.5)  # the other run checks and inserts while this one has not committed yet
    racer.join(timeout=30)
    assert results == [False]
    with Session(any_engine) as s:
        assert outbox.counts_by_status(s) == {"pending": 1}


def test_queued_digests_and_warnings_are_delivered(world, smtp):
    inbox, port = smtp
    world.sql(
        "UPDATE profile SET expires_on = :d WHERE id = :p",
        d=TODAY + timedelta(days=3),
        p=world.profile_of("dk-nordalu").id,
    )
    with session_scope(world.engine) as s:
        warnings = digests.queue_expiry_warnings(s, world.settings, TODAY, NOW, world.run_id)
        queued = digests.queue_digests(s, world.settings, world.run_id, NOW)["queued"]
    report = mail.deliver(world.engine, _mail_settings(port), NOW)
    assert report.sent == warnings + queued == len(inbox.received)
    with Session(world.engine) as s:
        rows = {r.message_id: r for r in s.exec(select(OutboxRow)).all()}
    for rcpt, message in inbox.received:
        row = rows[message["Message-ID"]]
        assert rcpt == [row.recipient] and message["Subject"] == row.subject and _content(message) == row.body


# rendering ---------------------------------------------------------------------------
def test_rendering_helpers():
    assert (
        digests.digest_subject(
            [(3, "new match", "new matches"), (1, "interest waiting", "interests waiting"), (0, "x", "xs")]
        )
        == "partnermatch digest: 3 new matches, 1 interest waiting"
    )
    assert digests.render_section("Head", ["- a"], 12).endswith("- a\n  and 12 more")
    long = digests.dedupe_key("expiry", 1, "2026-12-01", "x" * 300)
    assert len(long) == 200 and long == digests.dedupe_key("expiry", 1, "2026-12-01", "x" * 300)
    notice = digests.ExpiryNotice("BODK20261121001", "Extrusion", TODAY, 0, can_extend=False)
    subject, body = digests.render_expiry(notice, "https://pm.example")
    assert subject == f"partnermatch: your profile BODK20261121001 expires on {TODAY}"
    assert "(today)" in body and "already extended" in body and "/extend" not in body
    assert mail.retry_delay(1) == timedelta(minutes=5) and mail.retry_delay(3) == timedelta(minutes=20)
    assert mail.retry_delay(50) == timedelta(hours=6)
