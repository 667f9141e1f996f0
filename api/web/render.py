"""Page rendering: one Jinja environment, the signed-in viewer and messages in every page."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from .explanations import component_label, evidence_words, nace_label, reasons

FLASH = "pm_flash"


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _number(value: int | float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("api", "templates/web"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        score=_score,
        percent=_percent,
        number=_number,
        nace=nace_label,
        evidence=evidence_words,
        component=component_label,
    )
    env.globals.update(reasons=reasons)
    return env


def page(request: Request, template: str, http_status: int = 200, **values: Any) -> HTMLResponse:
    viewer = getattr(request.state, "viewer", None)
    flash = request.cookies.get(FLASH)
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            viewer=viewer,
            csrf=getattr(request.state, "csrf", ""),
            flash=unquote(flash) if flash else None,
            path=request.url.path,
            **values,
        )
    )
    response = HTMLResponse(html, status_code=http_status)
    if flash:
        response.delete_cookie(FLASH, path="/")
    return response


def redirect(path: str, message: str | None = None) -> RedirectResponse:
    """After a successful form: go to the result page (so reloading does not post again), with a message."""
    response = RedirectResponse(path, status_code=303)
    if message:
        response.set_cookie(FLASH, quote(message[:300]), max_age=60, httponly=True, samesite="lax", path="/")
    return response
