"""Duplicate firm pairs: flagged at import, resolved by advisors."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.http.schemas.common import Strict


class PairFirm(BaseModel):
    key: str
    name: str


class DuplicatePairOut(BaseModel):
    id: int
    status: str = Field(description="open, same (merged) or different (dismissed for good).")
    first: PairFirm
    second: PairFirm
    similarity: float = Field(description="How alike the names are, 0–100.")
    same_city: bool
    score: float | None = Field(
        default=None, description="How likely the two firms are one (0–1), when identity resolution scored the pair."
    )
    explanation: str = Field(
        description="The evidence in words, e.g. 'names 91% alike, same city, same VAT number'.", default=""
    )
    points: dict[str, float] = Field(
        default={}, description="The score's breakdown: points (log-odds) per piece of evidence."
    )
    flagged_at: str
    decided_at: str | None = None
    kept: str | None = Field(default=None, description="The firm kept by a merge.")
    linked_automatically: bool = Field(
        default=False,
        description="Merged pairs: linked automatically at import (near-certain identity), not by an advisor.",
    )
    open: bool | None = Field(default=None, description="Open pairs: whether both firms still exist.")
    can_undo: bool | None = Field(default=None, description="Merged pairs: whether the merge can be undone now.")
    undo_blockers: list[str] | None = None
    moved: dict[str, int] | None = Field(default=None, description="Merged pairs: how many rows moved, by kind.")


class DuplicateDecision(Strict):
    decision: Literal["same", "different"] = Field(description="'same': merge the two firms; 'different': dismiss.")
    keep: str | None = Field(
        default=None, max_length=80, description="With 'same': the key of the firm to keep (one of the two)."
    )
