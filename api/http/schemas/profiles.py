"""Profiles, their matches, and the report of a bulk upload."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.http.schemas.common import Strict
from profiles import een


class ProfileIn(Strict):
    key: str | None = Field(
        default=None, max_length=80, description="Required on create; taken from the URL on update."
    )
    firm: str | None = Field(default=None, max_length=80, description="Firm key; firm users may leave it out.")
    type: Literal["BO", "BR", "TO", "TR", "RDR"]
    title: str = Field(max_length=een.TITLE_MAX)
    summary: str = Field(max_length=een.SUMMARY_MAX)
    description: str = Field(default="", max_length=een.DESCRIPTION_MAX)
    language: str | None = Field(default=None, max_length=10)
    keywords: list[str] = Field(default=[], max_length=50)
    capabilities: list[str] = Field(default=[], max_length=100)
    partner_sought: str = Field(default="", max_length=een.DESCRIPTION_MAX)
    partnership_types: list[str] = Field(default=[], max_length=11)
    status: Literal["draft", "published"] | None = Field(default=None, description="On create only.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "key": "dk-nordalu-bo-1",
                    "type": "BO",
                    "title": "Danish aluminium extruder offers automotive-grade profiles",
                    "summary": (
                        "IATF 16949 certified extruder offers multi-hollow profiles, bent, machined and anodised."
                    ),
                    "keywords": ["aluminium extrusion", "battery tray"],
                    "capabilities": ["aluminium extrusion", "anodising"],
                    "partnership_types": ["supplier agreement"],
                }
            ]
        },
    )


class ProfileOut(BaseModel):
    reference: str | None = None
    type: str
    status: str
    title: str
    summary: str
    description: str
    language: str | None = None
    keywords: list[str]
    capabilities: list[str]
    partner_sought: str
    partnership_types: list[str]
    published_on: str | None = None
    expires_on: str | None = None
    country: str
    size_class: str | None = None
    firm_alias: str
    identity_visible: bool
    key: str | None = None
    firm: str | None = None
    firm_name: str | None = None
    extensions: int | None = None
    version: str | None = None
    updated_at: str | None = None


class ProfileChange(BaseModel):
    change: Literal["updated", "removed", "deleted"] = Field(
        description="updated: the profile as you may see it now; removed: no longer listed to you (see status); "
        "deleted: gone with its firm."
    )
    at: str = Field(description="When the change was stored (UTC).")
    reference: str | None = None
    status: str
    key: str | None = Field(default=None, description="Only for the profile's own managers.")
    profile: ProfileOut | None = None


class ProfileFeed(BaseModel):
    items: list[ProfileChange]
    next_cursor: str | None = Field(description="Pass as `cursor` to read on; keep it to follow the feed later.")
    has_more: bool = Field(description="More changes are ready now; read on at once.")
    until: str = Field(description="Changes up to this time (UTC) are in the feed; younger ones follow.")


class ProfileBrief(BaseModel):
    reference: str | None = None
    type: str
    status: str
    title: str
    country: str
    size_class: str | None = None
    firm_alias: str
    identity_visible: bool
    key: str | None = None
    firm: str | None = None
    firm_name: str | None = None


class MatchOut(BaseModel):
    rank: int
    score: float
    kind: str = Field(
        description="What the other side is to you: customer (seeks what you offer), supplier "
        "(offers what you seek), complement (offers what goes with your offer) or peer "
        "(offers what you offer)."
    )
    components: dict[str, Any]
    explanation: dict[str, Any]
    other: ProfileBrief
    profile: str | None = Field(default=None, description="Own profile key (firm-level lists).")


class UploadReport(BaseModel):
    source: str
    counts: dict[str, dict[str, int]]
    unknown_phrases: list[str]
    approximate_phrases: list[str]
    possible_duplicates: list[str]
    warnings: list[str]
    notes: list[str] = Field(default=[], description="How the file was read: separator, encoding, sheets.")
