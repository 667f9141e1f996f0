"""Account actions: API keys, digest preferences, own passwords, and creating, disabling and resetting users."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session

from api.actions import security, views
from api.actions.context import Context, record, require_role
from profiles.db import session_scope
from profiles.errors import Conflict, Forbidden, NotFound, PartnermatchError, RowError, ValidationFailed
from profiles.repository import accounts, audit
from profiles.repository import firms as firm_store
from profiles.settings import Settings
from profiles.tables import AccountRow
from profiles.visibility import Role

USERNAME_MAX = 80


def create_user(
    ctx: Context,
    username: str,
    password: str,
    role: str,
    firm: str | None,
    cluster: str | None,
    email: str | None,
    new_cluster: bool = False,
) -> dict[str, Any]:
    """Admins create anyone; advisors create firm users for their own cluster's firms."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    try:
        wanted = Role(role)
    except ValueError:
        raise ValidationFailed([RowError("user", "role", role, "must be firm, advisor or admin")]) from None
    if ctx.viewer.role == Role.ADVISOR and wanted != Role.FIRM:
        raise Forbidden("advisors create firm users only; ask an administrator for other roles")
    with session_scope(ctx.engine) as session:
        row = _create(session, username, password, wanted, firm, cluster, email, ctx.settings.now(), new_cluster)
        if ctx.viewer.role == Role.ADVISOR:
            owner = firm_store.firm_with_id(session, row.firm_id)
            if owner is None or owner.cluster != ctx.viewer.cluster:
                raise Forbidden(f"firm '{firm}' is not in your cluster")
        record(session, ctx, "create", "account", username, row.cluster, {"role": wanted.value})
        return views.account_view(row, firm if wanted == Role.FIRM else None)


def _create(session, username, password, role: Role, firm, cluster, email, now, new_cluster: bool = False):
    username = (username or "").strip()
    if not username or len(username) > USERNAME_MAX:
        raise ValidationFailed([RowError("user", "username", username, f"required, at most {USERNAME_MAX} characters")])
    if accounts.account_by_username(session, username) is not None:
        raise Conflict(f"username: '{username}' is taken")
    try:
        firm_id, cluster = security.check_account_fields(session, role, firm, cluster, new_cluster)
        password_hash = security.hash_password(password, username)
    except PartnermatchError as exc:
        field, _, reason = str(exc).partition(": ")
        value = {"firm": firm, "cluster": cluster}.get(field)
        raise ValidationFailed([RowError("user", field, value, reason)]) from None
    return accounts.create_account(
        session,
        username=username,
        password_hash=password_hash,
        role=role.value,
        firm_id=firm_id,
        cluster=cluster,
        email=email,
        now=now,
    )


def bootstrap_user(
    engine,
    settings,
    username: str,
    password: str,
    role: str,
    firm: str | None,
    cluster: str | None,
    email: str | None,
    new_cluster: bool = False,
) -> dict[str, Any]:
    """The command line's `user create`: no signed-in user needed (it runs on the server itself)."""
    with session_scope(engine) as session:
        row = _create(session, username, password, Role(role), firm, cluster, email, settings.now(), new_cluster)
        audit.record(
            session,
            at=settings.now(),
            account_id=None,
            actor="command line",
            action="create",
            entity="account",
            entity_key=username,
            cluster=row.cluster,
            detail={"role": role},
        )
        return views.account_view(row, firm if role == Role.FIRM.value else None)


def list_users(ctx: Context) -> list[dict[str, Any]]:
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine, readonly=True) as session:
        rows = accounts.list_accounts(session, None if ctx.viewer.is_admin else ctx.viewer.cluster)
        firm_keys = firm_store.firm_keys_by_id(session)
        return [views.account_view(r, firm_keys.get(r.firm_id) if r.firm_id is not None else None) for r in rows]


def _managed(session: Session, ctx: Context, account_id: int) -> AccountRow:
    """An account the viewer may manage: administrators any, advisors their cluster's firm users."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    visible = accounts.list_accounts(session, None if ctx.viewer.is_admin else ctx.viewer.cluster)
    row = next((r for r in visible if r.id == account_id), None)
    if row is None:
        raise NotFound(f"no account with id {account_id}")
    if ctx.viewer.role == Role.ADVISOR and row.role != Role.FIRM.value:
        raise Forbidden("advisors manage firm users only")
    return row


def set_active(ctx: Context, account_id: int, active: bool) -> dict[str, Any]:
    """Enable or disable an account: a disabled one cannot sign in, and its sessions and API keys stop
    working (they work again if it is enabled again)."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        row = _managed(session, ctx, account_id)
        if row.id == ctx.viewer.account_id and not active:
            raise Conflict("you cannot deactivate your own account")
        accounts.set_active(session, row, active)
        record(session, ctx, "activate" if active else "deactivate", "account", row.username, row.cluster)
        return views.account_view(row, _firm_key(session, row.firm_id))


def reset_password(ctx: Context, account_id: int) -> dict[str, Any]:
    """A temporary password for a user who lost theirs, returned once (never stored in clear nor audited);
    the user's sessions end, API keys stay. The user signs in with it and chooses a password of their own."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        row = _managed(session, ctx, account_id)
        assert row.id is not None
        if row.id == ctx.viewer.account_id:
            raise Conflict("change your own password under Account instead (it asks for the current one)")
        temporary = security.temporary_password()
        accounts.set_password_hash(session, row, security.hash_password(temporary))
        ended = accounts.revoke_credentials(session, row.id, "token", ctx.settings.now())
        record(session, ctx, "reset_password", "account", row.username, row.cluster, {"sessions_ended": ended})
        return {**views.account_view(row, _firm_key(session, row.firm_id)), "temporary_password": temporary}


def change_password(ctx: Context, current: str, new: str, keep_credential: int | None = None) -> None:
    """The signed-in user's own new password (the current one is required, the password rules apply);
    every other session of theirs ends, the one used here (`keep_credential`) and API keys stay."""
    assert ctx.viewer.account_id is not None
    with session_scope(ctx.engine) as session:
        row = accounts.get_account(session, ctx.viewer.account_id)
        problems = []
        if not security.verify_password(current, row.password_hash):
            problems.append(RowError("password", "current_password", None, "is not your current password"))
        problem = security.password_problem(new, row.username)
        if problem is None and new == current:
            problem = "must differ from the current password"
        if problem is not None:
            problems.append(RowError("password", "new_password", None, problem))
        if problems:
            raise ValidationFailed(problems, "password")
        accounts.set_password_hash(session, row, security.hash_password(new, row.username))
        ended = accounts.revoke_credentials(
            session, ctx.viewer.account_id, "token", ctx.settings.now(), keep_credential
        )
        record(session, ctx, "change_password", "account", row.username, row.cluster, {"other_sessions_ended": ended})


def unlock(ctx: Context, account_id: int) -> dict[str, Any]:
    """Lift a lockout after too many failed sign-ins (administrators only)."""
    require_role(ctx.viewer, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        row = accounts.get_account(session, account_id)
        accounts.clear_lockout(session, row)
        record(session, ctx, "unlock", "account", row.username, row.cluster)
        return views.account_view(row, _firm_key(session, row.firm_id))


def _firm_key(session: Session, firm_id: int | None) -> str | None:
    firm = firm_store.firm_with_id(session, firm_id)
    return firm.key if firm is not None else None


def bootstrap_unlock(engine, settings, username: str) -> dict[str, Any]:
    """The command line's `user unlock`, for the operator (also when the only admin is locked out)."""
    with session_scope(engine) as session:
        row = accounts.account_by_username(session, username)
        if row is None:
            raise NotFound(f"no account '{username}'")
        accounts.clear_lockout(session, row)
        audit.record(
            session,
            at=settings.now(),
            account_id=None,
            actor="command line",
            action="unlock",
            entity="account",
            entity_key=username,
            cluster=row.cluster,
        )
        return views.account_view(row, None)


def me(ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine, readonly=True) as session:
        assert ctx.viewer.account_id is not None
        row = accounts.get_account(session, ctx.viewer.account_id)
        return views.account_view(row, _firm_key(session, row.firm_id))


def own_firm_key(ctx: Context) -> str | None:
    """The key of a firm user's own firm; None for advisors and administrators."""
    if ctx.viewer.role != Role.FIRM or ctx.viewer.firm_id is None:
        return None
    with session_scope(ctx.engine, readonly=True) as session:
        key = _firm_key(session, ctx.viewer.firm_id)
    assert key is not None  # a firm with user accounts cannot be deleted
    return key


def new_api_key(ctx: Context, label: str) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        assert ctx.viewer.account_id is not None
        issued = security.create_api_key(session, ctx.viewer.account_id, label[:100], ctx.settings.now())
        record(session, ctx, "create", "api_key", str(issued.credential_id), ctx.viewer.cluster, {"label": label[:100]})
        return {"id": issued.credential_id, "label": label[:100], "api_key": issued.secret}


def list_api_keys(ctx: Context) -> list[dict[str, Any]]:
    with session_scope(ctx.engine, readonly=True) as session:
        assert ctx.viewer.account_id is not None
        return [
            {"id": r.id, "label": r.label, "prefix": r.prefix, "created_at": r.created_at.isoformat()}
            for r in accounts.list_credentials(session, ctx.viewer.account_id, "api_key")
        ]


def revoke(ctx: Context, credential_id: int) -> None:
    with session_scope(ctx.engine) as session:
        assert ctx.viewer.account_id is not None
        accounts.revoke_credential(session, credential_id, ctx.viewer.account_id, ctx.settings.now())
        record(session, ctx, "revoke", "credential", str(credential_id), ctx.viewer.cluster)


def issue_api_key(ctx: Context, username: str, label: str) -> dict[str, Any]:
    """An API key for someone else's account (administrators: the command line's `user api-key`)."""
    require_role(ctx.viewer, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        row = accounts.account_by_username(session, username)
        if row is None or row.id is None:
            raise NotFound(f"no account '{username}'")
        issued = security.create_api_key(session, row.id, label, ctx.settings.now())
        record(
            session,
            ctx,
            "create",
            "api_key",
            str(issued.credential_id),
            row.cluster,
            {"label": label, "account": username},
        )
        return {"id": issued.credential_id, "label": label, "api_key": issued.secret}


# nightly digest preferences ---------------------------------------------------------
@dataclass(frozen=True)
class Preferences:
    enabled: bool
    min_score: float
    max_items: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def preferences(stored: dict[str, Any], settings: Settings) -> Preferences:
    """An account's digest preferences; what it never set comes from the service's defaults."""
    return Preferences(
        enabled=bool(stored.get("enabled", True)),
        min_score=float(stored.get("min_score", settings.digest_min_score)),
        max_items=int(stored.get("max_items", settings.digest_max_items)),
    )


def digest_preferences(ctx: Context) -> dict[str, Any]:
    """The signed-in user's own nightly digest preferences."""
    with session_scope(ctx.engine, readonly=True) as session:
        assert ctx.viewer.account_id is not None
        row = accounts.get_account(session, ctx.viewer.account_id)
        return preferences(row.digest, ctx.settings).as_dict()


def set_digest_preferences(ctx: Context, chosen: dict[str, Any]) -> dict[str, Any]:
    """Replace the signed-in user's own digest preferences (what the last digest covered stays)."""
    with session_scope(ctx.engine) as session:
        assert ctx.viewer.account_id is not None
        row = accounts.set_digest_preferences(session, ctx.viewer.account_id, chosen)
        record(session, ctx, "digest", "account", row.username, row.cluster, chosen)
        return preferences(row.digest, ctx.settings).as_dict()
