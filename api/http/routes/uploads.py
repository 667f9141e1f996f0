"""Bulk upload of firms, profiles, bids and relations in one JSON, CSV or Excel (.xlsx) file."""

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
    summary="Bulk upload of a JSON, CSV or Excel file: all rows valid, or nothing is stored",
)
def upload(
    ctx: ContextDep,
    file: Annotated[
        UploadFile,
        File(
            description="JSON ({firms, profiles, bids, relations}); CSV with ',' or ';' between cells, in UTF-8 "
            "(with or without BOM) or Windows-1252, decimal commas allowed; or an Excel workbook (.xlsx), one kind "
            "per sheet."
        ),
    ],
) -> dict:
    data = file.file.read()
    report = exchange.upload(ctx, data, file.filename or "upload", file.content_type)
    return exchange.report_view(report)
