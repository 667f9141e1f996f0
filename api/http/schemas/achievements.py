"""Partnering achievements (agreements firms signed) and the outcomes per cluster."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.http.schemas.common import Strict
from profiles.achievements import AGREEMENT_TYPES


class AchievementIn(Strict):
    firm: str = Field(min_length=1, max_length=80, description="The firm of your cluster that signed: key or alias.")
    partner: str | None = Field(
        default=None,
        max_length=80,
        description="The partner, a firm of the exchange: key or alias. Left out with "
        "`interest_id`, the other side of the introduction.",
    )
    partner_name: str | None = Field(default=None, max_length=200, description="An outside partner's name.")
    agreement_type: str = Field(max_length=80, description="One of: " + ", ".join(AGREEMENT_TYPES) + ".")
    signed_on: date = Field(description="The day the agreement was signed; not in the future.")
    note: str = Field(default="", max_length=2000)
    interest_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The accepted expression of interest it came from."
    )
    proposal_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The consortium proposal it came from (the firm is a member)."
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "firm": "dk-nordalu",
                    "partner": "f7k2m9q4",
                    "agreement_type": "supplier agreement",
                    "signed_on": "2026-11-30",
                    "interest_id": 12,
                    "note": "Three-year frame agreement for anodised profiles.",
                }
            ]
        },
    )


class AchievementOut(BaseModel):
    id: int
    agreement_type: str
    signed_on: str
    note: str
    firm: dict[str, Any] = Field(description="alias, country, size_class; key and name where you may see them.")
    partner: dict[str, Any] = Field(
        description="A firm of the exchange (by alias until an introduction was agreed) "
        "or an outside partner's name; never contact details."
    )
    interest_id: int | None = None
    proposal_id: int | None = None
    recorded_by: str
    recorded_at: str
    cluster: str | None = None


class InterestOutcomes(BaseModel):
    expressed: int
    accepted: int
    declined: int
    withdrawn: int
    open: int
    conversion: float | None = Field(description="accepted ÷ (accepted + declined); null when none was answered.")
    answered: int
    median_hours: float | None = None
    p90_hours: float | None = None
    median_days: float | None = None
    p90_days: float | None = None


class ProposalOutcomes(BaseModel):
    accepted: int
    rejected: int
    share_accepted: float | None = None


class AchievementCounts(BaseModel):
    total: int
    by_type: dict[str, int]


class ClusterOutcomes(BaseModel):
    cluster: str
    interests: InterestOutcomes
    proposals: ProposalOutcomes
    achievements: AchievementCounts


class OutcomesOut(BaseModel):
    since: str | None = Field(description="First day of the period (null: from the start).")
    until: str | None = Field(description="Last day of the period (null: up to now).")
    clusters: list[ClusterOutcomes]
