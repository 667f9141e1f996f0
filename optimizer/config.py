"""OptimizerConfig: thresholds, objective weights and solver limits, frozen and stored with proposals."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class OptimizerConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    min_fit: float = Field(0.6, ge=0.0, le=1.0, description="Capability fit a firm needs to cover a requirement.")
    fit_weight: float = Field(1.0, ge=0.0, description="Objective weight of requirement fit.")
    synergy_weight: float = Field(
        0.5,
        ge=0.0,
        description="Objective weight of pairwise synergy: the members' pair match scores summed "
        "and divided by (max size − 1), so one member adds at most about its mean match.",
    )
    size_penalty: float = Field(
        0.25, ge=0.0, description="Objective cost of each member: a firm must bring fit or strong synergy to join."
    )
    staffing_reward: float = Field(100.0, ge=0.0, description="Joint runs: reward for staffing a bid at all.")
    synergy_candidates: int = Field(
        20,
        ge=2,
        le=500,
        description="Pair terms only among a bid's best this-many firms by requirement fit "
        "(measured: 20 keeps a dense 100-firm bid under a second; 30 triples it).",
    )
    prune_dominated: bool = Field(True, description="Drop firms that max-size others dominate (exact for one bid).")
    alternatives: int = Field(3, ge=1, le=50)
    solver: Literal["cbc", "highs"] = "cbc"
    time_limit: float = Field(30.0, gt=0, description="Seconds per solve.")
    joint_gap_rel: float = Field(
        0.01,
        ge=0.0,
        le=1.0,
        description="Joint plans across bids: stop improving once the plan is within this share of its bound "
        "(0: until proven optimal or out of time).",
    )
    joint_search: int = Field(
        12,
        ge=0,
        description="Joint plans across bids: when the bids' optima alone overuse firms at most this many times in "
        "all, search over those firms first (proves the optimum where the prices' bound stalls above it; with many "
        "shared firms the search grows too wide). 0: prices only.",
    )
    joint_workers: int = Field(
        2,
        ge=1,
        le=16,
        description="Joint plans across bids: bids are solved alone and priced in up to this many solver "
        "processes at once (the bids are independent once firms are priced).",
    )
    gap_rel: float = Field(1e-6, ge=0.0, le=1.0, description="Relative gap at which a solve may stop.")
    threads: int | None = Field(None, ge=1)
