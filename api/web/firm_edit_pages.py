"""The firm details form: a firm's managers (its own users, its cluster's advisors, administrators)
change its name, place, contact, size, NACE codes, capabilities with capacity, certifications,
languages and export markets through the same update action as the HTTP API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.actions import exchange
from api.actions.context import Context
from api.web.forms import FIRM_FIELDS, firm_field_errors, firm_form, firm_raw
from api.web.render import page, redirect
from api.web.session import check_csrf, web_context
from profiles.errors import StaleVersion, ValidationFailed

router = APIRouter()
SIZE_CLASSES = ("micro", "small", "medium", "large")
STALE_MESSAGE = (
    "Someone else changed this firm's details after you opened the form; nothing was saved. "
    "Open the form again to see the current details, then make your changes there."
)


def _form_page(
    request: Request,
    firm: dict[str, Any],
    values: dict[str, str],
    *,
    errors: dict[str, list[str]] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        "firm_form.html.j2",
        http_status=status,
        firm=firm,
        values={**dict.fromkeys(FIRM_FIELDS, ""), **values},
        errors=errors or {},
        message=message,
        size_classes=SIZE_CLASSES,
    )


@router.get("/firms/{ref}/edit", response_class=HTMLResponse)
def edit_firm_form(request: Request, ref: str, ctx: Context = Depends(web_context)) -> Response:
    firm = exchange.firm_for_edit(ctx, ref)
    return _form_page(request, firm, firm_form(firm))


@router.post("/firms/{ref}/edit", response_class=HTMLResponse)
async def edit_firm(request: Request, ref: str, ctx: Context = Depends(web_context)) -> Response:
    form = await request.form()
    check_csrf(request, form)
    firm = await run_in_threadpool(exchange.firm_for_edit, ctx, ref)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str) and k in (*FIRM_FIELDS, "version")}
    try:
        view = await run_in_threadpool(
            exchange.update_firm, ctx, firm["key"], firm_raw(form, firm), values.get("version") or None
        )
    except ValidationFailed as exc:
        errors = firm_field_errors(exc.errors)
        elsewhere = [f"{name}: {'; '.join(reasons)}" for name, reasons in errors.items() if name not in FIRM_FIELDS]
        return _form_page(
            request,
            firm,
            values,
            errors=errors,
            message=f"{len(exc.errors)} problem(s) to fix; nothing was saved."
            + (f" Not on this form: {' | '.join(elsewhere)}." if elsewhere else ""),
            status=422,
        )
    except StaleVersion:
        return _form_page(request, firm, values, message=STALE_MESSAGE, status=409)
    return redirect(f"/firms/{view['key']}", "Firm details saved.")
