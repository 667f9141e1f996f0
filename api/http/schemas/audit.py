"""The audit trail: who changed what, when."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    entity: str
    key: str
    detail: dict[str, Any]
