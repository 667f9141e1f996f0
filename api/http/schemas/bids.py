"""Bids, the consortium proposals generated for them, and the background jobs that solve them."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.http.schemas.common import Strict
from profiles import een


class RequirementIn(Strict):
    key: str = Field(max_length=80)
    capability: str = Field(max_length=200)
    mandatory: StrictBool = True
    certifications: list[str] = Field(default=[], max_length=20)
    volume_per_year: int | None = Field(default=None, ge=0)
    min_fit: float | None = Field(default=None, ge=0, le=1)
    weight: float = Field(default=1.0, ge=0, le=100)


class LeadIn(Strict):
    certifications: list[str] = Field(default=[], max_length=20)
    export_experience: StrictBool = False
    languages: list[str] = Field(default=[], max_length=20)


class BidIn(Strict):
    key: str | None = Field(
        default=None, max_length=80, description="Required on create; taken from the URL on update."
    )
    title: str = Field(max_length=een.TITLE_MAX)
    customer: str = Field(max_length=200)
    customer_country: str = Field(min_length=2, max_length=80, description="ISO code (DE) or name (Germany)")
    delivery_country: str = Field(min_length=2, max_length=80, description="ISO code (DE) or name (Germany)")
    description: str = Field(default="", max_length=een.DESCRIPTION_MAX)
    deadline: date | None = None
    volume_per_year: int | None = Field(default=None, ge=0)
    status: Literal["open", "closed"] = "open"
    min_size: int = Field(default=2, ge=1, le=20)
    max_size: int = Field(default=5, ge=1, le=20)
    min_countries: int = Field(default=1, ge=1, le=20)
    max_per_country: int | None = Field(default=None, ge=1, le=20)
    required_kinds: list[Literal["company", "university", "research", "public", "other"]] = []
    lead: LeadIn = LeadIn()
    excluded_firms: list[str] = Field(default=[], max_length=200)
    excluded_pairs: list[list[str]] = Field(default=[], max_length=200)
    locked_firms: list[str] = Field(default=[], max_length=20)
    cluster: str | None = Field(default=None, max_length=200)
    requirements: list[RequirementIn] = Field(min_length=1, max_length=50)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "key": "bid-battery-tray",
                    "title": "Aluminium battery tray, 40,000 units a year",
                    "customer": "Südwerk Automotive GmbH",
                    "customer_country": "DE",
                    "delivery_country": "DE",
                    "volume_per_year": 40000,
                    "max_size": 4,
                    "lead": {"certifications": ["IATF 16949"]},
                    "requirements": [
                        {"key": "extrusion", "capability": "aluminium extrusion", "volume_per_year": 40000},
                        {"key": "fsw", "capability": "friction stir welding"},
                    ],
                }
            ]
        },
    )


class BidOut(BaseModel):
    key: str
    title: str
    customer: str
    customer_country: str
    delivery_country: str
    description: str
    deadline: str | None = None
    volume_per_year: int | None = None
    status: str
    min_size: int
    max_size: int
    min_countries: int
    max_per_country: int | None = None
    required_kinds: list[str]
    lead: dict[str, Any]
    excluded_firms: list[str]
    excluded_pairs: list[list[str]]
    locked_firms: list[str]
    cluster: str | None = None
    requirements: list[dict[str, Any]]
    version: str
    updated_at: str


class SolveIn(Strict):
    solver: Literal["cbc", "highs"] = "cbc"
    alternatives: int = Field(default=3, ge=1, le=10)
    time_limit: int = Field(default=30, ge=1, le=3600, description="Seconds; capped by the server's limit.")
    wait: StrictBool = Field(default=False, description="Solve before answering instead of as a background job.")


class EditIn(SolveIn):
    lock: list[str] = Field(default=[], max_length=20, description="Firm keys or aliases to lock in.")
    exclude: list[str] = Field(default=[], max_length=50, description="Firm keys or aliases to exclude.")
    unlock: list[str] = Field(default=[], max_length=50, description="Firms to release from a lock or exclusion.")


class DecisionIn(Strict):
    decision: Literal["accepted", "rejected"]
    note: str = Field(default="", max_length=2000)
    supersede: bool = Field(
        default=False, description="accept even though another proposal of the bid is accepted; that one is superseded"
    )


class JobOut(BaseModel):
    id: int
    kind: str
    status: Literal["queued", "running", "finished", "failed"]
    subject: str
    params: dict[str, Any]
    result: dict[str, Any]
    error: str | None = None
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None


class ProposalOut(BaseModel):
    id: int
    bid: str
    batch: str
    rank: int
    status: str
    feasible: bool
    objective: float | None = None
    solver: str
    solver_status: str
    gap: float | None = None
    solve_seconds: float
    plan: dict[str, Any]
    explanation: dict[str, Any]
    note: str
    created_at: str
    decided_at: str | None = None
    flags: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Set by nightly runs: on an accepted proposal, `better_alternative` (id of a better plan the run "
            "found) and `objective_gain`."
        ),
    )
