"""Partnering achievements, as EEN records them: an advisor (or an administrator) records that a firm
of the cluster signed a partnership agreement, with a firm of the exchange or an outside partner,
perhaps after an agreed introduction or a consortium proposal.

Advisors list and delete their cluster's achievements, administrators all; firm users list their own
firm's, the partner shown by alias until an introduction between the two was agreed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from api.actions import views
from api.actions.context import Context, firm_row, hidden_names, record, require_role
from profiles.achievements import (
    NOTE_MAX,
    PARTNER_NAME_MAX,
    agreement_type,
    agreement_type_problem,
    parse_day,
    signed_on_problem,
)
from profiles.db import session_scope
from profiles.errors import Forbidden, NotFound, RowError, ValidationFailed
from profiles.repository import accounts as account_store
from profiles.repository import achievements as store
from profiles.repository import firms as firm_store
from profiles.repository import interests
from profiles.repository import proposals as proposal_store
from profiles.tables import AchievementRow, FirmRow
from profiles.visibility import Role

ROW = "achievement"
COMMAND_LINE = "command line"


def _error(errors: list[RowError], field: str, value: Any, reason: str) -> None:
    errors.append(RowError(ROW, field, value, reason))


def _text(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name)
    return str(value).strip() if value is not None else ""


def _number(raw: dict[str, Any], name: str, errors: list[RowError]) -> int | None:
    value = raw.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if isinstance(value, str) and value.strip().isdigit() and int(value) >= 1:
        return int(value)
    _error(errors, name, value, "a whole number from 1 (the id), or leave it out")
    return None


def _firm(session: Session, ctx: Context, ref: str, errors: list[RowError]) -> FirmRow | None:
    if not ref:
        _error(errors, "firm", None, "required: the firm of your cluster that signed (key or alias)")
        return None
    try:
        return firm_row(session, ctx.viewer, ref, manage=True)
    except NotFound:
        _error(errors, "firm", ref, "no such firm (use its key or alias)")
    except Forbidden:
        _error(
            errors,
            "firm",
            ref,
            f"not a firm of your cluster '{ctx.viewer.cluster}'; advisors record "
            "achievements of their own cluster's firms",
        )
    return None


def _partner(session: Session, ctx: Context, ref: str, errors: list[RowError]) -> FirmRow | None:
    try:
        return firm_row(session, ctx.viewer, ref)
    except NotFound:
        _error(
            errors,
            "partner",
            ref,
            "no such firm of the exchange (use its key or alias, or give partner_name for an outside partner)",
        )
    return None


def _other_side(
    session: Session, ctx: Context, interest_id: int, firm: FirmRow | None, errors: list[RowError]
) -> int | None:
    """The firm on the other side of an agreed introduction of `firm`, or an error."""
    try:
        row = interests.get_interest(session, interest_id)
    except NotFound:
        row = None
    if row is None or firm is None or firm.id not in (row.owner_firm_id, row.sender_firm_id):
        if firm is not None:
            _error(
                errors, "interest_id", interest_id, f"no expression of interest with this id involves firm '{firm.key}'"
            )
        return None
    if row.status != "accepted":
        _error(
            errors,
            "interest_id",
            interest_id,
            f"the introduction was not agreed (the interest is {row.status}); "
            "an achievement follows an accepted expression of interest",
        )
        return None
    return row.sender_firm_id if row.owner_firm_id == firm.id else row.owner_firm_id


def _check_proposal(
    session: Session, ctx: Context, proposal_id: int, firm: FirmRow | None, errors: list[RowError]
) -> None:
    hit = proposal_store.proposal_with_bid(session, proposal_id)
    if hit is None or not ctx.viewer.owns_bid(hit[1].cluster):
        _error(errors, "proposal_id", proposal_id, "no proposal with this id among your cluster's bids")
        return
    if firm is not None and firm.id not in proposal_store.member_firm_ids(session, proposal_id):
        _error(errors, "proposal_id", proposal_id, f"firm '{firm.key}' is not a member of this proposal")


def _view(
    session: Session,
    ctx: Context,
    row: AchievementRow,
    names: views.HiddenNames | None = None,
    accounts: dict[int, str] | None = None,
) -> dict[str, Any]:
    firm = firm_store.firm_with_id(session, row.firm_id)
    partner = firm_store.firm_with_id(session, row.partner_firm_id)
    assert firm is not None
    if accounts is None:
        accounts = (
            {a.id: a.username for a in account_store.accounts_by_id(session, {row.recorded_by}) if a.id is not None}
            if row.recorded_by
            else {}
        )
    recorded_by = accounts.get(row.recorded_by, COMMAND_LINE) if row.recorded_by else COMMAND_LINE
    return views.achievement_view(
        row, firm, partner, ctx.viewer, recorded_by, names if names is not None else hidden_names(session, ctx.viewer)
    )


def add(ctx: Context, raw: dict[str, Any]) -> dict[str, Any]:
    """Record an achievement: every field is checked and all problems reported together; nothing is
    stored unless all are right."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    errors: list[RowError] = []
    kind_given = _text(raw, "agreement_type")
    problem = agreement_type_problem(kind_given)
    if problem:
        _error(errors, "agreement_type", kind_given or None, problem)
    signed_raw = raw.get("signed_on")
    signed_on = parse_day(signed_raw)
    if signed_on is None and signed_raw not in (None, ""):
        _error(errors, "signed_on", signed_raw, "not a date; write it as YYYY-MM-DD")
    else:
        problem = signed_on_problem(signed_on, ctx.settings.current_date())
        if problem:
            _error(
                errors, "signed_on", signed_raw if not isinstance(signed_raw, date) else signed_raw.isoformat(), problem
            )
    note = _text(raw, "note")
    if len(note) > NOTE_MAX:
        _error(errors, "note", note[:40], f"longer than {NOTE_MAX} characters")
    partner_ref, partner_name = _text(raw, "partner"), _text(raw, "partner_name")
    if len(partner_name) > PARTNER_NAME_MAX:
        _error(errors, "partner_name", partner_name[:40], f"longer than {PARTNER_NAME_MAX} characters")
    interest_id = _number(raw, "interest_id", errors)
    proposal_id = _number(raw, "proposal_id", errors)
    if partner_ref and partner_name:
        _error(
            errors,
            "partner_name",
            partner_name,
            "give either partner (a firm of the exchange) or partner_name (an outside partner), not both",
        )
    with session_scope(ctx.engine) as session:
        firm = _firm(session, ctx, _text(raw, "firm"), errors)
        partner = _partner(session, ctx, partner_ref, errors) if partner_ref else None
        partner_id = partner.id if partner is not None else None
        if interest_id is not None:
            other = _other_side(session, ctx, interest_id, firm, errors)
            if other is not None and partner_id is None and not partner_name and not partner_ref:
                partner_id = other  # the introduction names the partner
            elif other is not None and partner_id is not None and partner_id != other:
                _error(errors, "partner", partner_ref, "is not the other side of the expression of interest")
        if proposal_id is not None:
            _check_proposal(session, ctx, proposal_id, firm, errors)
        if firm is not None and partner_id is not None and partner_id == firm.id:
            _error(errors, "partner", partner_ref, "the partner must be another firm than the one that signed")
        if partner_id is None and not partner_name and not partner_ref:
            _error(
                errors,
                "partner",
                None,
                "required: a firm of the exchange (key or alias), or partner_name for an outside partner",
            )
        if errors:
            raise ValidationFailed(errors, ROW)
        assert firm is not None and firm.id is not None and signed_on is not None
        kind = agreement_type(kind_given)
        assert kind is not None
        row = store.create_achievement(
            session,
            firm_id=firm.id,
            partner_firm_id=partner_id,
            partner_name="" if partner_id else partner_name,
            interest_id=interest_id,
            proposal_id=proposal_id,
            agreement_type=kind,
            signed_on=signed_on,
            note=note,
            recorded_by=ctx.viewer.account_id,
            recorded_at=ctx.settings.now(),
            cluster=firm.cluster,
        )
        shown_partner = firm_store.firm_with_id(session, partner_id)
        record(
            session,
            ctx,
            "record",
            ROW,
            str(row.id),
            firm.cluster,
            {
                "firm": firm.key,
                "partner": shown_partner.key if shown_partner else partner_name,
                "agreement_type": kind,
                "signed_on": signed_on.isoformat(),
            },
        )
        return _view(session, ctx, row)


def list_for(
    ctx: Context, cluster: str | None = None, firm: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[dict[str, Any]], int]:
    """Achievements the viewer may list: its cluster's (advisors), all (administrators), its own
    firm's (firm users); narrowed to one cluster or firm when asked."""
    v = ctx.viewer
    if cluster is not None and not v.is_admin and not (v.role == Role.ADVISOR and cluster == v.cluster):
        raise Forbidden("cluster: you may list only your own cluster's achievements")
    with session_scope(ctx.engine, readonly=True) as session:
        firm_ids: list[int] | None = None
        if firm:
            chosen = firm_row(session, v, firm, manage=True)
            assert chosen.id is not None
            firm_ids = [chosen.id]
        if v.role == Role.FIRM:
            own = v.firm_id is not None and (firm_ids is None or v.firm_id in firm_ids)
            firm_ids = [v.firm_id] if own and v.firm_id is not None else []
            scope = None
        elif v.role == Role.ADVISOR:
            if v.cluster is None:
                return [], 0
            scope = v.cluster
        else:
            scope = cluster
        rows, total = store.list_achievements(session, cluster=scope, firm_ids=firm_ids, offset=offset, limit=limit)
        ids = {r.recorded_by for r in rows if r.recorded_by is not None}
        accounts = {a.id: a.username for a in account_store.accounts_by_id(session, ids) if a.id is not None}
        names = hidden_names(session, v)
        return [_view(session, ctx, r, names, accounts) for r in rows], total


def delete(ctx: Context, achievement_id: int) -> str:
    """Remove an achievement of the viewer's cluster (administrators: any); answers the firm's key."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        row = store.get_achievement(session, achievement_id, for_update=True)
        if row is None or not (ctx.viewer.is_admin or (row.cluster is not None and row.cluster == ctx.viewer.cluster)):
            raise NotFound(f"no achievement with id {achievement_id}")
        firm = firm_store.firm_with_id(session, row.firm_id)
        assert firm is not None
        partner = firm_store.firm_with_id(session, row.partner_firm_id)
        record(
            session,
            ctx,
            "delete",
            ROW,
            str(row.id),
            row.cluster,
            {
                "firm": firm.key,
                "partner": partner.key if partner else row.partner_name,
                "agreement_type": row.agreement_type,
                "signed_on": row.signed_on.isoformat(),
            },
        )
        store.delete_achievement(session, row)
        return firm.key
