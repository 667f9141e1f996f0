"""Passwords, login tokens and API keys.

Passwords are hashed with Argon2 (pwdlib). Tokens and API keys are random
secrets shown once; the database keeps only their SHA-256, so a leaked
database does not leak working credentials.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from pwdlib import PasswordHash
from sqlmodel import Session

from profiles.errors import PartnermatchError
from profiles.repository import accounts, interests
from profiles.repository import firms as firm_store
from profiles.tables import AccountRow
from profiles.visibility import Role, Viewer

TOKEN_PREFIX = "pmt_"
API_KEY_PREFIX = "pmk_"
MIN_PASSWORD = 12


class BadCredentials(PartnermatchError):
    """Unknown user, wrong password, or an expired, revoked or unknown token."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of leaked lists, as zxcvbn ships them (lower case)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str = "") -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"must be at least {MIN_PASSWORD} characters"
    folded = password.casefold()
    if folded in _common_passwords() or "".join(folded.split()) in _common_passwords():
        return "is one of the most common passwords; choose another"
    if username and folded == username.casefold():
        return "must not be the username"
    return None


def temporary_password() -> str:
    """A random password an administrator hands on once (20 characters, about 120 bits)."""
    return secrets.token_urlsafe(15)


def hash_password(password: str, username: str = "") -> str:
    problem = password_problem(password, username)
    if problem:
        raise PartnermatchError(f"password: {problem}")
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher().verify(password, password_hash)


# Verifying against a real hash even for unknown users keeps login time from revealing which names exist.
@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_hex(16))


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedSecret:
    secret: str
    credential_id: int
    expires_at: datetime | None


def login(session: Session, username: str, password: str, now: datetime, minutes: int) -> IssuedSecret:
    account = accounts.account_by_username(session, username)
    if account is None or not account.active:
        verify_password(password, _dummy_hash())
        raise BadCredentials("unknown user or wrong password")
    if not verify_password(password, account.password_hash):
        raise BadCredentials("unknown user or wrong password")
    assert account.id is not None
    return _issue(session, account.id, "token", TOKEN_PREFIX, "login", now, now + timedelta(minutes=minutes))


def create_api_key(session: Session, account_id: int, label: str, now: datetime) -> IssuedSecret:
    return _issue(session, account_id, "api_key", API_KEY_PREFIX, label, now, None)


def _issue(
    session: Session, account_id: int, kind: str, prefix: str, label: str, now: datetime, expires_at: datetime | None
) -> IssuedSecret:
    secret = prefix + secrets.token_urlsafe(32)
    row = accounts.add_credential(
        session,
        account_id=account_id,
        kind=kind,
        secret_hash=secret_hash(secret),
        prefix=secret[:12],
        label=label,
        now=now,
        expires_at=expires_at,
    )
    assert row.id is not None
    return IssuedSecret(secret, row.id, expires_at)


def viewer_for_secret(session: Session, secret: str, now: datetime) -> tuple[Viewer, int]:
    """The viewer behind a token or API key, and the credential's id."""
    hit = accounts.credential_owner(session, secret_hash(secret), now)
    if hit is None:
        raise BadCredentials("the token or API key is unknown, expired or revoked")
    account, credential = hit
    assert credential.id is not None
    return viewer_for(session, account), credential.id


def viewer_for(session: Session, account: AccountRow) -> Viewer:
    role = Role(account.role)
    own: list[int] = []
    if role == Role.FIRM and account.firm_id is not None:
        own = [account.firm_id]
    elif role == Role.ADVISOR and account.cluster:
        own = firm_store.cluster_firm_ids(session, account.cluster)
    introduced = interests.introduced_firms(session, own) if own else frozenset()
    return Viewer(
        account_id=account.id,
        username=account.username,
        role=role,
        firm_id=account.firm_id,
        cluster=account.cluster,
        introduced=introduced,
    )


def check_account_fields(
    session: Session, role: Role, firm_key: str | None, cluster: str | None, new_cluster: bool = False
) -> tuple[int | None, str | None]:
    """The firm id and cluster an account of this role must have, or a clear error.

    An advisor's cluster must be one some firm or bid already names (a typo would otherwise leave the
    advisor with an empty workspace), unless `new_cluster` says a new cluster starts with this advisor."""
    if role == Role.FIRM:
        if not firm_key:
            raise PartnermatchError("firm: a firm user must belong to a firm")
        firm = firm_store.firm_with_key(session, firm_key)
        if firm is None:
            raise PartnermatchError(f"firm: no firm with key '{firm_key}'")
        return firm.id, firm.cluster
    if role == Role.ADVISOR:
        if not cluster:
            raise PartnermatchError("cluster: an advisor must belong to a cluster")
        known = accounts.clusters_in_use(session)
        if cluster not in known and not new_cluster:
            raise PartnermatchError(
                f"cluster: no firm or bid belongs to this cluster; known clusters: {', '.join(known) or 'none yet'}"
                " (to start a new cluster, say so: --new-cluster on the command line, new_cluster in the API)"
            )
        return None, cluster
    return None, None
