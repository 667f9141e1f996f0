"""Signing in, throttled: growing delays per account and per address, lockout, audited failures;
who holds a login token or API key; signing out.

Guessing passwords costs time: after a few failures in a row an account answers "try again
in N seconds" (doubling each time), and after `sign_in_lockout` failures it stays locked until
an administrator unlocks it. One address guessing across many accounts meets its own delays.
Delays are refusals with a Retry-After, not sleeps, so a guesser cannot tie up the server.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.actions import security
from api.actions.context import Context, record
from profiles.db import session_scope
from profiles.errors import Forbidden, PartnermatchError
from profiles.repository import accounts as account_store
from profiles.repository import audit
from profiles.repository import firms as firm_store
from profiles.settings import Settings
from profiles.tables import AccountRow


class TooManyAttempts(PartnermatchError):
    """Sign-ins for this account or from this address are paused for a while."""

    def __init__(self, seconds: float) -> None:
        self.retry_after = max(1, math.ceil(seconds))
        super().__init__(f"too many failed sign-ins; try again in {self.retry_after} s")


class AccountLocked(Forbidden):
    """Too many failed sign-ins in a row: only an administrator can unlock the account."""


def delay(failures: int, free: int, first: float, longest: float) -> float:
    """Seconds to wait after the last failure: none for the first `free` failures, then doubling."""
    if failures < free or first <= 0:
        return 0.0
    return min(longest, first * 2 ** (failures - free))


def _wait(
    engine: Engine, settings: Settings, account: AccountRow | None, username: str, address: str, now: datetime
) -> float:
    since = now - timedelta(minutes=settings.sign_in_window_minutes)
    waits = [0.0]
    with session_scope(engine, readonly=True) as session:
        _, last = account_store.sign_in_failures(session, username=username, since=since)
        if account is not None and last is not None:
            wait = delay(
                account.failed_sign_ins,
                settings.sign_in_free_failures,
                settings.sign_in_delay_seconds,
                settings.sign_in_max_delay_seconds,
            )
            waits.append((last + timedelta(seconds=wait) - now).total_seconds())
        count, last = account_store.sign_in_failures(session, address=address, since=since)
        if last is not None:
            wait = delay(
                count, settings.sign_in_address_free, settings.sign_in_delay_seconds, settings.sign_in_max_delay_seconds
            )
            waits.append((last + timedelta(seconds=wait) - now).total_seconds())
    return max(waits)


def sign_in(engine: Engine, settings: Settings, username: str, password: str, address: str) -> security.IssuedSecret:
    """A login token for the right password, unless the account or address must wait or is locked."""
    now = settings.now()
    username = username[:80]
    with session_scope(engine, readonly=True) as session:
        account = account_store.account_by_username(session, username)
    if account is not None and account.locked_at is not None:
        raise AccountLocked(
            f"this account is locked after {settings.sign_in_lockout} failed sign-ins; an administrator can unlock it"
        )
    wait = _wait(engine, settings, account, username, address, now)
    if wait > 0:
        raise TooManyAttempts(wait)
    try:
        with session_scope(engine) as session:
            issued = security.login(session, username, password, now, settings.token_minutes)
            if account is not None and account.id is not None and account.failed_sign_ins:
                account_store.reset_failed_sign_ins(session, account.id)
            return issued
    except security.BadCredentials:
        _record_failure(engine, settings, username, address, now)
        raise


def _record_failure(engine: Engine, settings: Settings, username: str, address: str, now: datetime) -> None:
    with session_scope(engine) as session:
        account_store.add_sign_in_failure(session, username=username, address=address, at=now)
        account = account_store.account_by_username(session, username)
        detail: dict[str, object] = {"address": address}
        cluster = None
        if account is not None:
            failures = account_store.count_failed_sign_in(session, account)
            detail["failures_in_a_row"] = failures
            if failures >= settings.sign_in_lockout and account.locked_at is None:
                account_store.lock_account(session, account, now)
                detail["locked"] = True
            cluster = _cluster_of(session, account)
        audit.record(
            session,
            at=now,
            account_id=None,
            actor=f"sign-in from {address}"[:80],
            action="sign_in_failed",
            entity="account",
            entity_key=username,
            cluster=cluster,
            detail=detail,
        )


def _cluster_of(session: Session, account: AccountRow) -> str | None:
    if account.firm_id is not None:
        firm = firm_store.firm_with_id(session, account.firm_id)
        return firm.cluster if firm is not None else None
    return account.cluster


def signed_in(engine: Engine, settings: Settings, secret: str) -> tuple[Context, int]:
    """The action context of whoever holds this login token or API key, and the credential's id
    (BadCredentials when it is unknown, expired or revoked)."""
    with session_scope(engine, readonly=True) as session:
        viewer, credential_id = security.viewer_for_secret(session, secret, settings.now())
    return Context(engine, settings, viewer), credential_id


def sign_out(ctx: Context, credential_id: int) -> None:
    """Revoke the login token or API key the user signed in with."""
    assert ctx.viewer.account_id is not None
    with session_scope(ctx.engine) as session:
        account_store.revoke_credential(session, credential_id, ctx.viewer.account_id, ctx.settings.now())
        record(session, ctx, "sign_out", "credential", str(credential_id), ctx.viewer.cluster)
