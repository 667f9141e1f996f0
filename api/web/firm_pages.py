"""Firms, their profiles and matches, profile forms and bulk upload."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.actions import achievements, duplicates, exchange, introductions, memberships, relations
from api.actions.context import Context
from api.actions.exchange import FirmFilter
from api.http.params import RecordId
from api.web.forms import PROFILE_FIELDS, field_errors, profile_form, profile_raw
from api.web.render import page, redirect
from api.web.session import check_csrf, web_context
from profiles.achievements import AGREEMENT_TYPES
from profiles.errors import PartnermatchError, RowError, ValidationFailed
from profiles.importing import ImportReport
from profiles.taxonomy.countries import read_country
from profiles.taxonomy.nace import load_nace, normalise_nace_code
from profiles.taxonomy.vocabulary import load_vocabulary
from profiles.validation import PARTNERSHIP_TYPES, validate_profile
from profiles.visibility import Role

router = APIRouter()
PER_PAGE = 25
PROFILE_TYPES = {
    "BO": "Business offer",
    "BR": "Business request",
    "TO": "Technology offer",
    "TR": "Technology request",
    "RDR": "R&D request",
}


def _filter_problem(field: str, value: str, reason: str) -> ValidationFailed:
    return ValidationFailed([RowError("filter", field, value, reason)], "filter")


def _firm_filter(ctx: Context, country: str, nace: str, capability: str, certification: str, q: str) -> FirmFilter:
    errors: list[RowError] = []
    concept = None
    if capability:
        concept = load_vocabulary().normalise(capability).concept_id
        if concept is None:
            errors.append(RowError("filter", "capability", capability, "not a capability the vocabulary knows"))
    code = None
    if nace:
        code = normalise_nace_code(nace)
        if code not in load_nace() or code.isalpha():
            errors.append(RowError("filter", "nace", nace, "not a NACE Rev. 2 division, group or class (e.g. 25.62)"))
    reading = read_country(country) if country else None
    if reading is not None and reading.code is None:
        errors.append(RowError("filter", "country", country, reading.problem or "not a country"))
    if errors:
        raise ValidationFailed(errors, "filter")
    return FirmFilter(
        country=reading.code if reading else None,
        nace=code,
        concept=concept,
        text=q or None,
        certification=certification or None,
    )


@router.get("/firms", response_class=HTMLResponse)
def firms(
    request: Request,
    q: str = Query("", max_length=200),
    country: str = Query("", max_length=80),
    nace: str = Query("", max_length=10),
    capability: str = Query("", max_length=200),
    certification: str = Query("", max_length=80),
    page_no: int = Query(1, ge=1, le=10_000, alias="page"),
    ctx: Context = Depends(web_context),
) -> Response:
    filters = {
        "q": q.strip(),
        "country": country.strip(),
        "nace": nace.strip(),
        "capability": capability.strip(),
        "certification": certification.strip(),
    }
    errors: dict[str, list[str]] = {}
    items: list[dict[str, Any]] = []
    total = 0
    try:
        chosen = _firm_filter(ctx, **filters)
        items, total = exchange.list_firms(ctx, chosen, "country", (page_no - 1) * PER_PAGE, PER_PAGE)
    except ValidationFailed as exc:
        errors = field_errors(exc.errors)

    def page_url(number: int) -> str:
        return "/firms?" + urlencode({**{k: v for k, v in filters.items() if v}, "page": number})

    pages = {
        "previous": page_url(page_no - 1) if page_no > 1 else None,
        "next": page_url(page_no + 1) if page_no * PER_PAGE < total else None,
    }
    return page(
        request,
        "firms.html.j2",
        firms=items,
        total=total,
        page_no=page_no,
        per_page=PER_PAGE,
        filters=filters,
        errors=errors,
        certifications=exchange.certifications_in_use(ctx),
        pages=pages,
        flagged=duplicates.flagged_keys(ctx),
    )


MATCH_KINDS = (
    ("customer", "customers: seek what you offer"),
    ("supplier", "suppliers: offer what you seek"),
    ("complement", "complements: offer what goes with yours"),
    ("peer", "peers: offer what you offer"),
)


def _firm_page(
    request: Request,
    ctx: Context,
    ref: str,
    min_score: float = 0.0,
    relation_values: dict | None = None,
    relation_errors: dict[str, list[str]] | None = None,
    message: str | None = None,
    status: int = 200,
    achievement_values: dict | None = None,
    achievement_errors: dict[str, list[str]] | None = None,
    achievement_message: str | None = None,
    kind: str | None = None,
) -> Response:
    firm_, profiles, manages = exchange.get_firm_and_profiles(ctx, ref, 200)
    matches: list[dict[str, Any]] = []
    total = 0
    relations_: list[dict[str, Any]] = []
    achievements_: list[dict[str, Any]] = []
    consortia: list[dict[str, Any]] = []
    if manages:
        matches, total = exchange.firm_matches(ctx, ref, 0, 30, min_score, [kind] if kind else None)
        relations_ = relations.list_relations(ctx, ref)
        consortia = memberships.consortia_of(ctx, ref)
        achievements_, _ = achievements.list_for(ctx, None, ref, 0, 200)
    resolves = manages and ctx.viewer.role in (Role.ADVISOR, Role.ADMIN)
    pairs = duplicates.list_pairs(ctx, None, firm_["key"]) if resolves else []
    return page(
        request,
        "firm.html.j2",
        http_status=status,
        firm=firm_,
        profiles=profiles,
        manages=manages,
        matches=matches,
        match_total=total,
        min_score=min_score,
        match_kinds=MATCH_KINDS,
        kind=kind or "",
        types=PROFILE_TYPES,
        relations=relations_,
        consortia=consortia,
        relation_values=relation_values or {"direction": "customer"},
        relation_errors=relation_errors or {},
        message=message,
        achievements=achievements_,
        agreement_types=AGREEMENT_TYPES,
        achievement_values=achievement_values or {},
        achievement_errors=achievement_errors or {},
        achievement_message=achievement_message,
        records_achievements=manages and ctx.viewer.role in (Role.ADVISOR, Role.ADMIN),
        duplicate_pairs=[p for p in pairs if p["status"] != "different"],
    )


@router.get("/firms/{ref}", response_class=HTMLResponse)
def firm(
    request: Request,
    ref: str,
    min_score: float = Query(0.0, ge=0, le=1),
    kind: str = Query("", pattern="^(|customer|supplier|complement|peer)$"),
    ctx: Context = Depends(web_context),
) -> Response:
    return _firm_page(request, ctx, ref, min_score, kind=kind or None)


@router.post("/firms/{ref}/relations", response_class=HTMLResponse)
async def add_relation(request: Request, ref: str, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    values = {k: str(form.get(k) or "").strip() for k in ("direction", "counterpart", "item", "share")}
    try:
        view = await run_in_threadpool(relations.add_relation, ctx, ref, {k: v for k, v in values.items() if v})
    except ValidationFailed as exc:
        return await run_in_threadpool(
            _firm_page,
            request,
            ctx,
            ref,
            0.0,
            values,
            field_errors(exc.errors),
            "The relation was not saved; see the messages beside the fields.",
            422,
        )
    return redirect(f"/firms/{ref}#relations", f"Saved: {view['direction']} {view['counterpart']}.")


@router.post("/relations/{relation_id}/delete")
async def delete_relation(request: Request, relation_id: RecordId, ctx: Context = Depends(web_context)) -> Response:
    check_csrf(request, await request.form())
    firm_key = await run_in_threadpool(relations.delete_relation, ctx, relation_id)
    return redirect(f"/firms/{firm_key}#relations", "Relation removed.")


ACHIEVEMENT_FIELDS = ("agreement_type", "signed_on", "partner", "partner_name", "interest_id", "proposal_id", "note")


@router.post("/firms/{ref}/achievements", response_class=HTMLResponse)
async def add_achievement(request: Request, ref: str, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    values = {k: str(form.get(k) or "").strip() for k in ACHIEVEMENT_FIELDS}
    try:
        view = await run_in_threadpool(achievements.add, ctx, {"firm": ref, **{k: v for k, v in values.items() if v}})
    except ValidationFailed as exc:
        return await run_in_threadpool(
            _firm_page,
            request,
            ctx,
            ref,
            status=422,
            achievement_values=values,
            achievement_errors=field_errors(exc.errors),
            achievement_message="The agreement was not recorded; see the messages beside the fields.",
        )
    partner = view["partner"].get("name") or f"firm {view['partner']['alias']}"
    return redirect(
        f"/firms/{ref}#achievements", f"Recorded: {view['agreement_type']} with {partner}, signed {view['signed_on']}."
    )


@router.post("/achievements/{achievement_id}/delete")
async def delete_achievement(
    request: Request, achievement_id: RecordId, ctx: Context = Depends(web_context)
) -> Response:
    check_csrf(request, await request.form())
    firm_key = await run_in_threadpool(achievements.delete, ctx, achievement_id)
    return redirect(f"/firms/{firm_key}#achievements", "Achievement removed.")


@router.get("/profiles/{ref}", response_class=HTMLResponse)
def profile(request: Request, ref: str, ctx: Context = Depends(web_context)) -> Response:
    view, manages = exchange.get_profile_and_rights(ctx, ref)
    matches: list[dict[str, Any]] = []
    if manages:
        matches, _ = exchange.profile_matches(ctx, ref, 0, 30, 0.0)
    return page(
        request,
        "profile.html.j2",
        profile=view,
        matches=matches,
        manages=manages,
        types=PROFILE_TYPES,
        **_interest_choices(ctx, view, manages),
    )


def _interest_choices(ctx: Context, view: dict[str, Any], manages: bool) -> dict[str, Any]:
    """What the profile page offers for expressing interest: the viewer's open interests in it (to
    withdraw), and for advisors the firms of their cluster it may be sent for."""
    if manages or view.get("status") != "published" or not view.get("reference"):
        return {"may_express": False, "open_interests": [], "senders": []}
    mine, _ = introductions.list_for(ctx, None, 0, 500)
    open_ = [
        i
        for i in mine
        if "outgoing" in i["sides"] and i["profile"]["reference"] == view["reference"] and "withdraw" in i["actions"]
    ]
    senders: list[dict[str, Any]] = []
    if ctx.viewer.role != Role.FIRM:
        firms_, _ = exchange.list_firms(
            ctx, FirmFilter(cluster=None if ctx.viewer.is_admin else ctx.viewer.cluster), "country", 0, 500
        )
        senders = [f for f in firms_ if f.get("key")]
    return {"may_express": True, "open_interests": open_, "senders": senders}


def _capability_notes(text: str) -> list[dict[str, Any]]:
    """The capability phrases typed (one per line, or ';'-separated, 'phrase:capacity') that the vocabulary
    does not know, each with the closest vocabulary concepts to offer instead."""
    vocabulary = load_vocabulary()
    notes: list[dict[str, Any]] = []
    for item in (part for line in text.replace(",", ";").splitlines() for part in line.split(";")):
        phrase = item.partition(":")[0].strip()
        if phrase and not vocabulary.normalise(phrase).known and phrase not in (n["phrase"] for n in notes):
            notes.append({"phrase": phrase, "closest": [vocabulary.label(c) for c in vocabulary.closest(phrase)]})
    return notes


def _unconfirmed_capabilities(
    request: Request, ctx: Context, form: Any, values: dict[str, str], editing: str | None
) -> Response | None:
    """Phrases outside the vocabulary are kept as written only once the user says so (the "keep" box);
    until then the form comes back with each one flagged beside the field and its closest concepts."""
    notes = _capability_notes(values.get("capabilities", ""))
    if not notes or form.get("keep_unknown") == "on":
        return None
    return _profile_form_page(
        request,
        ctx,
        values,
        editing=editing,
        capability_notes=notes,
        message=f"{len(notes)} capabilit{'y is' if len(notes) == 1 else 'ies are'} not in the vocabulary; "
        "nothing was saved. Choose one of the closest concepts, or tick “keep as written”.",
        status=422,
    )


def _profile_form_page(
    request: Request,
    ctx: Context,
    values: dict[str, str],
    *,
    editing: str | None,
    errors: dict[str, list[str]] | None = None,
    message: str | None = None,
    status: int = 200,
    capability_notes: list[dict[str, Any]] | None = None,
    keep_unknown: bool = False,
) -> Response:
    firms_: list[dict[str, Any]] = []
    if ctx.viewer.role != Role.FIRM:
        firms_, _ = exchange.list_firms(
            ctx, FirmFilter(cluster=None if ctx.viewer.is_admin else ctx.viewer.cluster), "country", 0, 500
        )
    values = {**dict.fromkeys(PROFILE_FIELDS, ""), **values}
    return page(
        request,
        "profile_form.html.j2",
        http_status=status,
        values=values,
        editing=editing,
        errors=errors or {},
        message=message,
        types=PROFILE_TYPES,
        partnership_types=PARTNERSHIP_TYPES,
        firms=[f for f in firms_ if f.get("key")],
        capability_notes=capability_notes or [],
        keep_unknown=keep_unknown,
    )


def _form_failure(
    request: Request, ctx: Context, values: dict[str, str], editing: str | None, exc: PartnermatchError
) -> Response:
    if isinstance(exc, ValidationFailed):
        return _profile_form_page(
            request,
            ctx,
            values,
            editing=editing,
            errors=field_errors(exc.errors),
            message=f"{len(exc.errors)} problem(s) to fix; nothing was saved.",
            status=422,
        )
    return _profile_form_page(request, ctx, values, editing=editing, message=str(exc), status=409)


@router.get("/profiles-new", response_class=HTMLResponse)
def new_profile(
    request: Request, firm: str = Query("", max_length=80), ctx: Context = Depends(web_context)
) -> Response:
    return _profile_form_page(request, ctx, {"firm": firm, "type": "BO", "status": "draft"}, editing=None)


@router.post("/profiles-new", response_class=HTMLResponse)
async def create_profile(request: Request, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    unconfirmed = await run_in_threadpool(_unconfirmed_capabilities, request, ctx, form, values, None)
    if unconfirmed is not None:
        return unconfirmed
    try:
        view = await run_in_threadpool(exchange.create_profile, ctx, profile_raw(form))
    except PartnermatchError as exc:
        return await run_in_threadpool(_form_failure, request, ctx, values, None, exc)
    return redirect(f"/profiles/{view['key']}", f"Profile {view['key']} saved as {view['status']}.")


@router.get("/profiles/{ref}/edit", response_class=HTMLResponse)
def edit_profile_form(request: Request, ref: str, ctx: Context = Depends(web_context)) -> Response:
    view = exchange.get_profile(ctx, ref)
    if not view.get("key"):
        raise PartnermatchError(f"you cannot edit profile '{ref}'")
    values = profile_form(view)
    notes = _capability_notes(values["capabilities"])  # kept as written when saved: shown, already confirmed
    return _profile_form_page(
        request, ctx, values, editing=view["key"], capability_notes=notes, keep_unknown=bool(notes)
    )


@router.post("/profiles/{ref}/edit", response_class=HTMLResponse)
async def edit_profile(request: Request, ref: str, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    raw = {k: v for k, v in profile_raw(form).items() if k not in ("key", "status")}
    unconfirmed = await run_in_threadpool(_unconfirmed_capabilities, request, ctx, form, values, ref)
    if unconfirmed is not None:
        return unconfirmed
    try:
        view = await run_in_threadpool(exchange.update_profile, ctx, ref, raw, values.get("version") or None)
    except PartnermatchError as exc:
        return await run_in_threadpool(_form_failure, request, ctx, values, ref, exc)
    return redirect(f"/profiles/{view['key']}", "Profile saved.")


ACTIONS = {
    "publish": (exchange.publish_profile, "Published as {reference}, valid until {expires_on}."),
    "withdraw": (exchange.withdraw_profile, "Withdrawn."),
    "extend": (exchange.extend_profile, "Extended until {expires_on}."),
}


@router.post("/profiles/{ref}/{action}")
async def profile_action(request: Request, ref: str, action: str, ctx: Context = Depends(web_context)) -> Response:
    check_csrf(request, await request.form())
    if action not in ACTIONS:
        raise PartnermatchError(f"action: unknown profile action '{action}'")
    act, message = ACTIONS[action]
    view = await run_in_threadpool(act, ctx, ref)
    return redirect(f"/profiles/{view.get('key') or ref}", message.format(**view))


@router.post("/profiles-validate")
async def validate(request: Request, ctx: Context = Depends(web_context)) -> Response:
    """Live validation while typing: the same rules as saving, nothing stored."""
    form = await request.form()
    check_csrf(request, form)
    raw = profile_raw(form)
    if form.get("editing"):
        raw = {k: v for k, v in raw.items() if k != "status"}
        raw["key"] = str(form.get("editing"))
    if ctx.viewer.role == Role.FIRM:
        raw.pop("firm", None)
    raw.setdefault("firm", "-")
    raw.setdefault("key", "-")
    errors: list[RowError] = []
    validate_profile(raw, "profile", errors)
    shown = {k: v for k, v in field_errors(errors).items() if raw.get(k) != "-"}
    return JSONResponse({"errors": shown})


COUNT_COLUMNS = ("created", "updated", "unchanged")


def _shown_value(value: object) -> str:
    """A bad value as the person wrote it: JSON for lists and objects, never Python's spelling."""
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple, bool)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _error_rows(errors: list[RowError]) -> list[dict[str, str]]:
    return [{"row": str(e.row), "field": e.field, "value": _shown_value(e.value), "reason": e.reason} for e in errors]


def _upload_view(report: ImportReport) -> dict[str, Any]:
    """The import report as the page's tables: counts per kind, the phrases with their closest concepts."""
    vocabulary = load_vocabulary()
    counts = [
        {"kind": kind.replace("_", " "), **{c: counts.get(c, 0) for c in COUNT_COLUMNS}}
        for kind, counts in report.counts.items()
    ]
    unknown = [
        {
            "row": n.row,
            "field": n.field,
            "phrase": n.phrase,
            "closest": ", ".join(vocabulary.label(c) for c in vocabulary.closest(n.phrase)),
        }
        for n in report.unknown_phrases
    ]
    approximate = [
        {"row": n.row, "field": n.field, "phrase": n.phrase, "read_as": n.concept or "", "score": f"{n.score:.2f}"}
        for n in report.approximate_phrases
    ]
    return {
        "counts": counts,
        "columns": COUNT_COLUMNS,
        "unknown": unknown,
        "approximate": approximate,
        "duplicates": [str(d) for d in report.duplicates],
        "warnings": report.warnings,
        "notes": report.notes,
    }


@router.get("/uploads", response_class=HTMLResponse)
def upload_form(request: Request, ctx: Context = Depends(web_context)) -> Response:
    return page(request, "upload.html.j2", report=None, errors=[], message=None, filename=None)


@router.post("/uploads", response_class=HTMLResponse)
async def upload(request: Request, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    file = form.get("file")
    if file is None or isinstance(file, str) or not file.filename:
        return page(
            request,
            "upload.html.j2",
            http_status=422,
            report=None,
            errors=[],
            message="Choose a CSV or JSON file (or an Excel .xlsx workbook) to upload.",
            filename=None,
        )
    data = await file.read()
    try:
        report = await run_in_threadpool(exchange.upload, ctx, data, file.filename, file.content_type)
    except ValidationFailed as exc:
        return page(
            request,
            "upload.html.j2",
            http_status=422,
            report=None,
            errors=_error_rows(exc.errors),
            filename=file.filename,
            message=f"{file.filename}: {len(exc.errors)} error(s) in the file; nothing was stored. "
            "Fix the rows below and upload the whole file again.",
        )
    except PartnermatchError as exc:
        return page(
            request,
            "upload.html.j2",
            http_status=422,
            report=None,
            errors=[],
            filename=file.filename,
            message=f"{file.filename}: {exc}",
        )
    return page(request, "upload.html.j2", report=_upload_view(report), errors=[], filename=file.filename, message=None)
