"""Accounts and their credentials (login tokens and API keys; only hashes are stored)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, true
from sqlmodel import Session, col, select

from ..errors import NotFound
from ..tables import AccountRow, BidRow, CredentialRow, FirmRow, SignInFailureRow


def create_account(
    session: Session,
    *,
    username: str,
    password_hash: str,
    role: str,
    firm_id: int | None,
    cluster: str | None,
    email: str | None,
    now: datetime,
) -> AccountRow:
    row = AccountRow(
        username=username,
        password_hash=password_hash,
        role=role,
        firm_id=firm_id,
        cluster=cluster,
        email=email,
        active=True,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def account_by_username(session: Session, username: str) -> AccountRow | None:
    return session.exec(select(AccountRow).where(AccountRow.username == username)).first()


def accounts_by_id(session: Session, ids: set[int]) -> list[AccountRow]:
    return list(session.exec(select(AccountRow).where(col(AccountRow.id).in_(sorted(ids)))).all())


def get_account(session: Session, account_id: int) -> AccountRow:
    row = session.get(AccountRow, account_id)
    if row is None:
        raise NotFound(f"no account with id {account_id}")
    return row


def list_accounts(session: Session, cluster: str | None = None) -> list[AccountRow]:
    """All accounts, or those of one cluster: its advisors and the users of its firms."""
    query = select(AccountRow).order_by(AccountRow.id)
    if cluster is not None:
        firm_ids = select(FirmRow.id).where(FirmRow.cluster == cluster)
        query = query.where(or_(AccountRow.cluster == cluster, col(AccountRow.firm_id).in_(firm_ids)))
    return list(session.exec(query).all())


def clusters_in_use(session: Session) -> list[str]:
    """The clusters an advisor's account may name without starting a new one: those of firms and bids."""
    firms = session.exec(select(FirmRow.cluster).distinct()).all()
    bids = session.exec(select(BidRow.cluster).distinct()).all()
    return sorted({c for c in (*firms, *bids) if c})


def set_active(session: Session, row: AccountRow, active: bool) -> None:
    row.active = active
    session.add(row)
    session.flush()


def set_password_hash(session: Session, row: AccountRow, password_hash: str) -> None:
    row.password_hash = password_hash
    session.add(row)
    session.flush()


def revoke_credentials(session: Session, account_id: int, kind: str, now: datetime, keep: int | None = None) -> int:
    """Revoke every live credential of one kind of an account (but `keep`); returns how many."""
    rows = [r for r in list_credentials(session, account_id, kind) if r.id != keep]
    for row in rows:
        row.revoked_at = now
        session.add(row)
    session.flush()
    return len(rows)


def clear_lockout(session: Session, row: AccountRow) -> None:
    """Unlock an account and start its count of failed sign-ins afresh."""
    row.locked_at, row.failed_sign_ins = None, 0
    session.add(row)
    session.flush()


def count_failed_sign_in(session: Session, row: AccountRow) -> int:
    """One more failed sign-in in a row for the account; returns how many there are now."""
    row.failed_sign_ins += 1
    session.add(row)
    session.flush()
    return row.failed_sign_ins


def reset_failed_sign_ins(session: Session, account_id: int) -> None:
    """A successful sign-in ends the account's run of failures."""
    row = get_account(session, account_id)
    row.failed_sign_ins = 0
    session.add(row)
    session.flush()


def lock_account(session: Session, row: AccountRow, at: datetime) -> None:
    row.locked_at = at
    session.add(row)
    session.flush()


def set_digest_preferences(session: Session, account_id: int, preferences: dict[str, Any]) -> AccountRow:
    """Replace the account's digest preferences; what its last digest covered stays."""
    row = get_account(session, account_id)
    row.digest = dict(preferences)
    session.add(row)
    session.flush()
    return row


def add_credential(
    session: Session,
    *,
    account_id: int,
    kind: str,
    secret_hash: str,
    prefix: str,
    label: str,
    now: datetime,
    expires_at: datetime | None,
) -> CredentialRow:
    row = CredentialRow(
        account_id=account_id,
        kind=kind,
        secret_hash=secret_hash,
        prefix=prefix,
        label=label,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row


def credential_owner(session: Session, secret_hash: str, now: datetime) -> tuple[AccountRow, CredentialRow] | None:
    """The active account behind a live (not revoked, not expired) credential."""
    hit = session.exec(
        select(AccountRow, CredentialRow)
        .join(CredentialRow, col(CredentialRow.account_id) == col(AccountRow.id))
        .where(
            CredentialRow.secret_hash == secret_hash,
            col(CredentialRow.revoked_at).is_(None),
            AccountRow.active == true(),
        )
    ).first()
    if hit is None:
        return None
    account, credential = hit
    expires = credential.expires_at
    if expires is not None and _aware(expires) <= now:
        return None
    return account, credential


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def list_credentials(session: Session, account_id: int, kind: str) -> list[CredentialRow]:
    return list(
        session.exec(
            select(CredentialRow)
            .where(
                CredentialRow.account_id == account_id,
                CredentialRow.kind == kind,
                col(CredentialRow.revoked_at).is_(None),
            )
            .order_by(CredentialRow.id)
        ).all()
    )


def revoke_credential(session: Session, credential_id: int, account_id: int, now: datetime) -> CredentialRow:
    row = session.get(CredentialRow, credential_id)
    if row is None or row.account_id != account_id or row.revoked_at is not None:
        raise NotFound(f"no active credential with id {credential_id}")
    row.revoked_at = now
    session.flush()
    return row


def sign_in_failures(
    session: Session, *, username: str | None = None, address: str | None = None, since: datetime
) -> tuple[int, datetime | None]:
    """How many sign-ins failed since `since` for a name or from an address, and when the last one did."""
    query = select(func.count(SignInFailureRow.id), func.max(SignInFailureRow.at)).where(
        col(SignInFailureRow.at) >= since
    )
    if username is not None:
        query = query.where(SignInFailureRow.username == username)
    if address is not None:
        query = query.where(SignInFailureRow.address == address)
    count, last = session.exec(query).one()
    return int(count), _aware(last) if last is not None else None


def add_sign_in_failure(session: Session, *, username: str, address: str, at: datetime) -> None:
    session.add(SignInFailureRow(at=at, username=username[:80], address=address[:64]))
