"""Expressions of interest, as EEN runs them.

sent ──(owner's advisor forwards)──▶ forwarded ──(owner accepts)──▶ accepted: both see each other
  │                                     └──(owner declines)──▶ declined
  ├──(owner's advisor declines to forward)──▶ declined
  └──(sender withdraws, before a decision)──▶ withdrawn
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from api.actions import views
from api.actions.context import Context, firm_row, hidden_names, profile_row, record
from profiles import een
from profiles.db import session_scope
from profiles.errors import Conflict, Forbidden, NotFound, PartnermatchError, RowError, ValidationFailed
from profiles.repository import firms as firm_store
from profiles.repository import history, interests
from profiles.repository import profiles as profile_store
from profiles.tables import FirmRow, InterestRow
from profiles.visibility import Role, Viewer

MESSAGE_MAX = 2000


def _involved(viewer: Viewer, owner: FirmRow, sender: FirmRow) -> bool:
    return viewer.manages(owner.id, owner.cluster) or viewer.manages(sender.id, sender.cluster)


def _load(session: Session, ctx: Context, interest_id: int, for_update: bool = False):
    row = interests.get_interest(session, interest_id, for_update=for_update)
    owner = firm_store.firm_with_id(session, row.owner_firm_id)
    sender = firm_store.firm_with_id(session, row.sender_firm_id)
    assert owner is not None and sender is not None
    # A firm user on the receiving side sees an interest only once its advisor forwarded it.
    hidden_from_owner = ctx.viewer.role == Role.FIRM and ctx.viewer.firm_id == owner.id and row.status == "sent"
    if not _involved(ctx.viewer, owner, sender) or hidden_from_owner:
        raise NotFound(f"no expression of interest with id {interest_id}")
    return row, owner, sender


def _view(session: Session, ctx: Context, row: InterestRow, owner: FirmRow, sender: FirmRow) -> dict[str, Any]:
    profile = profile_store.profile_with_id(session, row.profile_id)
    sender_profile = profile_store.profile_with_id(session, row.sender_profile_id)
    assert profile is not None
    out = views.interest_view(
        row,
        profile,
        owner,
        sender,
        sender_profile,
        ctx.viewer,
        ctx.settings.current_date(),
        hidden_names(session, ctx.viewer),
    )
    return {**out, **side_view(ctx.viewer, row, owner, sender)}


def side_view(viewer: Viewer, row: InterestRow, owner: FirmRow, sender: FirmRow) -> dict[str, Any]:
    """Where the viewer stands on an interest: its sides ("incoming" when it manages the profile's
    owner, "outgoing" when it manages the sender), the steps it may take now, and only the notes of
    its own sides."""
    owner_side = viewer.manages(owner.id, owner.cluster)
    sender_side = viewer.manages(sender.id, sender.cluster)
    return {
        "sides": [side for side, on in (("incoming", owner_side), ("outgoing", sender_side)) if on],
        "actions": allowed_steps(viewer, row, owner, sender),
    }


def _audit(session: Session, ctx: Context, action: str, row: InterestRow, owner: FirmRow, sender: FirmRow) -> None:
    for cluster in sorted({owner.cluster, sender.cluster}, key=str):
        record(session, ctx, action, "interest", str(row.id), cluster, {"status": row.status})


def express(
    ctx: Context, profile_ref: str, message: str, sender_profile: str | None, on_behalf_of: str | None
) -> dict[str, Any]:
    if not profile_ref.strip():
        raise ValidationFailed(
            [RowError("interest", "profile", profile_ref, "required: a published profile's reference")]
        )
    if len(message) > MESSAGE_MAX:
        raise ValidationFailed([RowError("interest", "message", message[:40], f"longer than {MESSAGE_MAX} characters")])
    today = ctx.settings.current_date()
    with session_scope(ctx.engine) as session:
        target, owner = profile_row(session, ctx.viewer, profile_ref, today=today)
        if not een.is_live(target, today) or target.reference != profile_ref:
            raise ValidationFailed(
                [RowError("interest", "profile", profile_ref, "name a published profile by its EEN reference")]
            )
        if ctx.viewer.role == Role.FIRM:
            sender = firm_store.firm_with_id(session, ctx.viewer.firm_id)
            assert sender is not None
            if on_behalf_of not in (None, sender.key):
                raise Forbidden("firm: you can express interest only for your own firm")
        elif not on_behalf_of:
            raise ValidationFailed([RowError("interest", "firm", None, "required: the firm the interest is from")])
        else:
            sender = firm_row(session, ctx.viewer, on_behalf_of, manage=True)
        if sender.id == owner.id:
            raise ValidationFailed([RowError("interest", "profile", profile_ref, "this is your own firm's profile")])
        from_profile_id = None
        if sender_profile:
            own, own_firm = profile_row(session, ctx.viewer, sender_profile, manage=True, today=today)
            if own_firm.id != sender.id:
                raise ValidationFailed(
                    [
                        RowError(
                            "interest",
                            "sender_profile",
                            sender_profile,
                            "must be a profile of the firm the interest is from",
                        )
                    ]
                )
            from_profile_id = own.id
        assert target.id is not None and owner.id is not None and sender.id is not None
        if interests.open_interest(session, target.id, sender.id) is not None:
            raise Conflict(f"your firm already has an open or accepted interest in {profile_ref}")
        assert ctx.viewer.account_id is not None
        row = interests.create_interest(
            session,
            profile_id=target.id,
            owner_firm_id=owner.id,
            sender_firm_id=sender.id,
            sender_profile_id=from_profile_id,
            message=message,
            account_id=ctx.viewer.account_id,
            now=ctx.settings.now(),
        )
        # the list the sender met this profile in, so weights learn only from what the engine showed
        assert row.id is not None
        history.record_shown(session, row.id, sender.id, target.id, from_profile_id, ctx.settings.now())
        _audit(session, ctx, "express", row, owner, sender)
        return _view(session, ctx, row, owner, sender)


STEPS = ("forward", "accept", "decline", "withdraw")


def _refusal(
    viewer: Viewer, row: InterestRow, owner: FirmRow, sender: FirmRow, action: str
) -> PartnermatchError | None:
    """Why the viewer may not take `action` on the interest now, or None when it may."""
    owner_side = viewer.manages(owner.id, owner.cluster)
    sender_side = viewer.manages(sender.id, sender.cluster)
    owner_advisor = owner_side and viewer.role in (Role.ADVISOR, Role.ADMIN)
    if action == "forward":
        if not owner_advisor:
            return Forbidden("only the advisor of the profile's owner forwards an expression of interest")
        statuses: tuple[str, ...] = ("sent",)
    elif action in ("accept", "decline"):
        if not owner_side:
            return Forbidden("only the profile's owner (or its advisor) accepts or declines")
        # the owner decides on a forwarded interest; its advisor may also decline one instead of forwarding
        may_decline_unforwarded = action == "decline" and owner_advisor
        statuses = ("sent", "forwarded") if may_decline_unforwarded else ("forwarded",)
    elif action == "withdraw":
        if not sender_side:
            return Forbidden("only the firm that sent it (or its advisor) withdraws an expression of interest")
        statuses = ("sent", "forwarded")
    else:
        return ValidationFailed([RowError("interest", "action", action, "forward, accept, decline or withdraw")])
    if row.status not in statuses:
        return Conflict(f"cannot {action} an expression of interest that is {row.status}")
    return None


def allowed_steps(viewer: Viewer, row: InterestRow, owner: FirmRow, sender: FirmRow) -> list[str]:
    """The steps the viewer may take on the interest now: the same rules the steps themselves check."""
    return [a for a in STEPS if _refusal(viewer, row, owner, sender, a) is None]


def _step(ctx: Context, interest_id: int, action: str, note: str) -> dict[str, Any]:
    now = ctx.settings.now()
    with session_scope(ctx.engine) as session:
        row, owner, sender = _load(session, ctx, interest_id, for_update=True)
        refusal = _refusal(ctx.viewer, row, owner, sender, action)
        if refusal is not None:
            raise refusal
        status = {"forward": "forwarded", "accept": "accepted", "decline": "declined", "withdraw": "withdrawn"}[action]
        interests.set_status(session, row, status, at=now, by=ctx.viewer.account_id, note=note[:MESSAGE_MAX])
        _audit(session, ctx, action, row, owner, sender)
        return _view(session, ctx, row, owner, sender)


def forward(ctx: Context, interest_id: int, note: str = "") -> dict[str, Any]:
    return _step(ctx, interest_id, "forward", note)


def accept(ctx: Context, interest_id: int, note: str = "") -> dict[str, Any]:
    return _step(ctx, interest_id, "accept", note)


def decline(ctx: Context, interest_id: int, note: str = "") -> dict[str, Any]:
    return _step(ctx, interest_id, "decline", note)


def withdraw(ctx: Context, interest_id: int, note: str = "") -> dict[str, Any]:
    return _step(ctx, interest_id, "withdraw", note)


def get(ctx: Context, interest_id: int) -> dict[str, Any]:
    with session_scope(ctx.engine, readonly=True) as session:
        row, owner, sender = _load(session, ctx, interest_id)
        return _view(session, ctx, row, owner, sender)


def list_for(ctx: Context, status: str | None, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    v = ctx.viewer
    with session_scope(ctx.engine, readonly=True) as session:
        if v.role == Role.ADMIN:
            rows = interests.interests_touching(session, None)
        elif v.role == Role.FIRM:
            rows = interests.interests_touching(session, [v.firm_id] if v.firm_id else [])
            rows = [r for r in rows if not (r.owner_firm_id == v.firm_id and r.status == "sent")]
        else:
            rows = interests.interests_touching(session, firm_store.cluster_firm_ids(session, v.cluster or ""))
        if status:
            rows = [r for r in rows if r.status == status]
        page = rows[offset : offset + limit]
        firm_ids = {r.owner_firm_id for r in page} | {r.sender_firm_id for r in page}
        firms = firm_store.firms_with_ids(session, firm_ids) if firm_ids else {}
        return [_view(session, ctx, r, firms[r.owner_firm_id], firms[r.sender_firm_id]) for r in page], len(rows)
