"""Bulk upload of firms, profiles, bids and relations in one JSON or CSV file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from api.actions import exchange
from api.http.deps import ContextDep
from api.http.schemas.profiles import UploadReport

router = APIRouter(tags=["profiles"])


@router.post(
    "/uploads",
    response_model=UploadReport,
    summary="Bulk upload of a JSON or CSV file: all rows valid, or nothing is stored",
)
def upload(
    ctx: ContextDep, file: Annotated[UploadFile, File(description="JSON ({firms, profiles, bids}) or CSV (UTF-8).")]
) -> dict:
    data = file.file.read()
    report = exchange.upload(ctx, data, file.filename or "upload", file.content_type)
    return exchange.report_view(report)
