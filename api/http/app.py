"""The FastAPI application: `create_app(settings)` wires database, jobs, limits, errors and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api import web
from api.actions.jobs import JobRunner, fail_orphans
from api.actions.operator import open_database
from api.http import errors
from api.http.deps import API_PREFIX
from api.http.head import HeadAsGet
from api.http.headers import SecurityHeaders, inline_script_hashes
from api.http.limits import BodyLimit
from api.http.routes import public, router
from profiles.settings import Settings

SWAGGER_CDN = "https://cdn.jsdelivr.net"
DESCRIPTION = """
Partner matching and consortium forming for EEN-style profile exchanges.

* **Firm users** manage their own firm's profiles and see their matches; other firms appear
  anonymously (EEN reference, country, size class) until an introduction is agreed.
* **Advisors** manage their cluster's firms, profiles and bids, generate consortium proposals
  and forward expressions of interest.
* **Admins** see everything.

Sign in with `POST /api/v1/auth/token` (OAuth2 password flow) and send the token as
`Authorization: Bearer …`, or create an API key (`POST /api/v1/me/api-keys`) and send it as `X-API-Key`.
Errors always have the body `{"error": {"status", "code", "message", \
"details": [{"field", "row", "value", "reason"}]}}`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = open_database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        app.state.jobs = JobRunner(engine, settings)
        try:
            yield
        finally:
            app.state.jobs.shutdown(wait=False)

    app = FastAPI(
        title="partnermatch",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine, app.state.settings, app.state.jobs = engine, settings, None
    errors.install(app)
    app.include_router(public, prefix=API_PREFIX)
    app.include_router(router, prefix=API_PREFIX)
    web.install(app)
    app.add_middleware(BodyLimit, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes)
    app.add_middleware(errors.CatchUnexpected)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders, always_https=settings.public_url.startswith("https:"))

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """The interactive API reference, with a policy allowing exactly its own inline script."""
        html = get_swagger_ui_html(openapi_url=f"{API_PREFIX}/openapi.json", title="partnermatch API")
        text = bytes(html.body).decode()
        policy = (
            f"default-src 'none'; script-src {SWAGGER_CDN} {inline_script_hashes(text)}; "
            f"style-src {SWAGGER_CDN} 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )
        return HTMLResponse(text, headers={"Content-Security-Policy": policy})

    logging.getLogger("partnermatch").setLevel(logging.INFO)
    return app


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` and for every worker process of `partnermatch serve`."""
    return create_app(Settings())


def prepare(settings: Settings) -> int:
    """Once per server start (not per worker): migrate, and close jobs a previous server left unfinished."""
    engine = open_database(settings)
    try:
        return fail_orphans(engine, settings)
    finally:
        engine.dispose()
