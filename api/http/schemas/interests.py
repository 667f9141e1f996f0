"""Expressions of interest and the introductions they lead to."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.http.schemas.common import Strict
from api.http.schemas.profiles import ProfileBrief


class InterestIn(Strict):
    profile: str = Field(max_length=40, description="EEN reference of the published profile.")
    message: str = Field(default="", max_length=2000)
    sender_profile: str | None = Field(default=None, max_length=80, description="One of your own profiles.")
    firm: str | None = Field(default=None, max_length=80, description="Advisors: the firm it is from.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"profile": "BRSE20260119001", "message": "We anodise 6xxx profiles and can start in Q3."}]
        },
    )


class NoteIn(Strict):
    note: str = Field(default="", max_length=2000)


class InterestOut(BaseModel):
    id: int
    status: str
    message: str
    note: str = Field(description="The owner side's note; only that side sees it.")
    sender_note: str = Field(default="", description="The sending side's note; only that side sees it.")
    sides: list[str] = Field(default_factory=list, description='"incoming", "outgoing" or both, for you.')
    actions: list[str] = Field(default_factory=list, description="The steps you may take now.")
    profile: ProfileBrief
    sender: dict[str, Any]
    owner: dict[str, Any]
    sender_profile: ProfileBrief | None = None
    created_at: str
    forwarded_at: str | None = None
    decided_at: str | None = None
