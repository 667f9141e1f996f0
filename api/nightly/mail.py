"""Sending the outbox through SMTP without ever sending a message twice.

Each message is claimed (`sending`, committed) before the server hears of it and
marked `sent` once the server accepted it. A message still `sending` when delivery
starts was in flight when a process died: the server may or may not have it, so it
becomes `uncertain` for an operator to decide rather than being sent again. The
deterministic Message-ID lets receiving systems spot the rare duplicate that a
connection lost right after the data was sent can still cause.

Delivery assumes one sender at a time (the nightly run calls it under its lock).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from sqlalchemy.engine import Engine

from profiles.db import session_scope
from profiles.repository import outbox
from profiles.settings import Settings
from profiles.tables import OutboxRow

RETRY_FIRST = timedelta(minutes=5)
RETRY_LONGEST = timedelta(hours=6)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    uncertain: int = 0
    not_configured: bool = False
    # Why delivery stopped before the outbox was done (the server could not be reached); empty otherwise.
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def retry_delay(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 5 min, 10, 20, … at most 6 h."""
    return min(RETRY_FIRST * 2 ** min(max(attempts - 1, 0), 16), RETRY_LONGEST)


def describe_failure(exc: Exception) -> tuple[str, bool]:
    """(error text, permanent?) of a failed send. Only a 5xx reply is permanent: retrying a message
    the server rejected for good (no such mailbox) cannot help; everything else may pass later."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        text = "; ".join(f"{code} {_text(message)}" for code, message in replies)
        return f"recipient refused: {text}", bool(replies) and all(500 <= code < 600 for code, _ in replies)
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}", 500 <= exc.smtp_code < 600
    if isinstance(exc, ValueError):  # a header the message format cannot carry; the same next time
        return f"cannot build the message: {exc}", True
    return f"{type(exc).__name__}: {exc}", False


def _text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


def build_message(row: OutboxRow, settings: Settings, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(now)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies stay away
    message.set_content(row.body, charset="utf-8")
    return message


def _connect(settings: Settings) -> smtplib.SMTP:
    assert settings.smtp_host is not None
    client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
    try:
        if settings.smtp_starttls:
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            client.login(settings.smtp_user, password)
    except BaseException:
        client.close()
        raise
    return client


def _disconnect(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _open(engine: Engine, settings: Settings, claimed: int, report: DeliveryReport) -> smtplib.SMTP | None:
    """A connection to the server, or None when there is none: then the claimed message goes back
    as it was, without an attempt counted, since nothing reached the server."""
    try:
        return _connect(settings)
    except (smtplib.SMTPException, OSError) as exc:
        with session_scope(engine) as session:
            outbox.release(session, claimed)
        report.error = f"cannot use the mail server {settings.smtp_host}:{settings.smtp_port}: {exc}"
        return None


def _send(
    engine: Engine, settings: Settings, client: smtplib.SMTP, row: OutboxRow, now: datetime, report: DeliveryReport
) -> bool:
    """Send one claimed message and record the outcome; False when it failed."""
    assert row.id is not None
    try:
        client.send_message(build_message(row, settings, now), from_addr=settings.mail_from, to_addrs=[row.recipient])
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        error, permanent = describe_failure(exc)
        attempts = row.attempts + 1
        with session_scope(engine) as session:
            if permanent or attempts >= settings.mail_max_attempts:
                outbox.mark_failed(session, row.id, error)
                report.failed += 1
            else:
                outbox.reschedule(session, row.id, error, now + retry_delay(attempts))
                report.deferred += 1
        return False
    with session_scope(engine) as session:
        outbox.mark_sent(session, row.id, now)
    report.sent += 1
    return True


def _clock(settings: Settings, now: datetime | None) -> Callable[[], datetime]:
    if now is None:
        return settings.now
    fixed = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    return lambda: fixed


def _claim(engine: Engine, now: datetime) -> OutboxRow | None:
    # Committed before the server hears of the message: a crash from here on leaves it `sending`.
    with session_scope(engine) as session:
        return outbox.claim_next(session, now)


def deliver(engine: Engine, settings: Settings, now: datetime | None = None) -> DeliveryReport:
    """Send every due pending message over one SMTP connection (a new one after a failure).

    Without `smtp_host` nothing is sent and the messages wait. `now` fixes the clock (tests).
    """
    report = DeliveryReport()
    if settings.smtp_host is None:
        report.not_configured = True
        return report
    clock = _clock(settings, now)
    with session_scope(engine) as session:
        report.uncertain = outbox.mark_interrupted(session)
    client: smtplib.SMTP | None = None
    try:
        while (row := _claim(engine, clock())) is not None:
            assert row.id is not None
            client = client or _open(engine, settings, row.id, report)
            if client is None:
                break
            if not _send(engine, settings, client, row, clock(), report):
                # The session's state after a failure is unknown (a dropped line, a half-finished
                # transaction); the next message gets a fresh connection.
                _disconnect(client)
                client = None
    finally:
        if client is not None:
            _disconnect(client)
    return report
