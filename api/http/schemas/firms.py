"""Firms: what they are and can do, and (for those who may see it) who they are."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.http.schemas.common import Strict


class CapabilityIn(Strict):
    phrase: str = Field(min_length=1, max_length=200)
    capacity_per_year: int | None = Field(default=None, ge=0)


class FirmIn(Strict):
    key: str | None = Field(
        default=None, max_length=80, description="Required on create; taken from the URL on update."
    )
    name: str = Field(max_length=200)
    country: str = Field(
        min_length=2,
        max_length=80,
        description="ISO 3166-1 alpha-2 (DE), alpha-3 (DEU) or the name (Germany, Tyskland)",
    )
    city: str | None = Field(default=None, max_length=120)
    region: str | None = Field(default=None, max_length=120)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    employees: int | None = Field(default=None, ge=0)
    size_class: Literal["micro", "small", "medium", "large"] | None = None
    kind: Literal["company", "university", "research", "public", "other"] = "company"
    nace: list[str] = Field(default=[], max_length=20)
    capabilities: list[CapabilityIn | str] = Field(default=[], max_length=100)
    certifications: list[str] = Field(default=[], max_length=50)
    languages: list[str] = Field(default=[], max_length=20)
    export_countries: list[str] = Field(default=[], max_length=60)
    max_concurrent_bids: int = Field(default=1, ge=1, le=50)
    cluster: str | None = Field(default=None, max_length=200)
    excluded_partners: list[str] = Field(default=[], max_length=100)
    website: str | None = Field(default=None, max_length=300)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=60)
    vat_number: str | None = Field(
        default=None,
        max_length=40,
        description="VAT number with its country prefix (DK12345678); seen only by the firm's managers",
    )
    registry_number: str | None = Field(
        default=None,
        max_length=40,
        description="Company registry number (556677-8899); seen only by the firm's managers",
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "key": "dk-nordalu",
                    "name": "Nordalu Extrusion A/S",
                    "country": "DK",
                    "city": "Tønder",
                    "employees": 180,
                    "nace": ["24.42"],
                    "capabilities": [{"phrase": "aluminium extrusion", "capacity_per_year": 70000}],
                    "certifications": ["IATF 16949"],
                    "languages": ["da", "en", "de"],
                }
            ]
        },
    )


class FirmOut(BaseModel):
    alias: str
    identity_visible: bool
    country: str
    size_class: str | None = None
    kind: str
    nace: list[str]
    capabilities: list[dict[str, Any]]
    certifications: list[str]
    languages: list[str]
    export_countries: list[str]
    key: str | None = None
    name: str | None = None
    city: str | None = None
    region: str | None = None
    lat: float | None = None
    lon: float | None = None
    employees: int | None = None
    cluster: str | None = None
    website: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    # Only for those who manage the firm (its users, its cluster's advisors, administrators).
    vat_number: str | None = None
    registry_number: str | None = None
    max_concurrent_bids: int | None = None
    excluded_partners: list[str] | None = None
    version: str | None = None
    updated_at: str | None = None
