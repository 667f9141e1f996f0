"""The service itself: liveness and schema revision, for monitors (no sign-in)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.http.schemas.common import Health
from profiles.db import current_revision

public = APIRouter(tags=["service"])


@public.get("/health", response_model=Health, summary="Liveness and schema revision")
def health(request: Request) -> dict:
    return {
        "status": "ok",
        "database": request.app.state.engine.dialect.name,
        "revision": current_revision(request.app.state.engine),
    }
