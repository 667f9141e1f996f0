"""Supplier and customer relations, the material of the cluster map."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.http.schemas.common import Strict


class RelationIn(Strict):
    direction: Literal["customer", "supplier"]
    counterpart: str = Field(
        min_length=1, max_length=200, description="A firm of the exchange (key, alias or name) or an outside name."
    )
    item: str = Field(default="", max_length=200, description="What is bought or sold: a capability or product phrase.")
    share: float | str | None = Field(
        default=None, description='Share of the firm\'s turnover (customer) or purchases (supplier): 0.35 or "35%".'
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "direction": "supplier",
                    "counterpart": "Nordic Billet Supply AS",
                    "item": "aluminium billets",
                    "share": "55%",
                }
            ]
        },
    )


class RelationOut(BaseModel):
    id: int
    firm: str
    direction: str
    counterpart: str
    counterpart_in_exchange: bool
    counterpart_firm: str | None = None
    item: str
    concept: str | None = None
    share: float | None = None
