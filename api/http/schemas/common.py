"""Shared by every entity: the strict base of request bodies, the error body, pages of a list, health."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Strict(BaseModel):
    """Request bodies. Their booleans are `StrictBool`: plain `bool` would also take 0, 1, "yes" or "off",
    which the OpenAPI document (`type: boolean`) rules out."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    field: str = Field(description="The field at fault, e.g. `title` or `requirements[2].capability`.")
    row: str | None = Field(default=None, description="Row of an uploaded file, when there is one.")
    value: str | None = None
    reason: str


class ErrorInfo(BaseModel):
    status: int
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorBody(BaseModel):
    error: ErrorInfo


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    total_exact: bool = Field(
        True,
        description="False when there are more than `total`: a free-text search counts its hits up to 1,000.",
    )


class Health(BaseModel):
    status: str
    database: str
    revision: str | None = None
