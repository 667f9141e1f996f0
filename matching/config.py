"""MatchingConfig: every weight and threshold of the scorer, frozen and stored with each run."""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Meaning (any language) and wording find the candidates; what makes a partner rather than a
# look-alike (offer meets need, the network's offer/request rule, value chains learned from the
# exchange, prior work together) decides between them; the rest breaks ties. Sums to 1.
DEFAULT_WEIGHTS = {
    "text": 0.15,
    "semantic": 0.20,
    "capabilities": 0.04,
    "complementarity": 0.20,
    "value_chain": 0.12,
    "relationship": 0.10,
    "counterpart": 0.10,
    "sector": 0.04,
    "geography": 0.03,
    "size": 0.01,
    "language": 0.01,
}


class MatchingConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    top_k: int = Field(10, ge=1, le=200, description="Customers and suppliers stored per profile.")
    complement_top_k: int = Field(
        5,
        ge=0,
        le=200,
        description="Complements (offering what goes together with the profile's offer) stored per profile, besides.",
    )
    peer_k: int = Field(
        3, ge=0, le=200, description="Peers (offering what the profile offers) stored per profile, after its partners."
    )
    candidate_k: int = Field(40, ge=1, le=2000, description="Text neighbours per profile in blocking.")
    complement_k: int = Field(20, ge=0, le=2000, description="Best offerers per seeking profile in blocking.")
    semantic_k: int = Field(
        20,
        ge=0,
        le=2000,
        description="Nearest profiles by multilingual meaning per profile in blocking "
        "(the candidates across languages).",
    )
    chain_k: int = Field(
        10,
        ge=0,
        le=2000,
        description="Profiles per profile added to the candidates for offering what goes together "
        "with its offer (the learned value chains).",
    )
    relationship_k: int = Field(
        10,
        ge=0,
        le=2000,
        description="Firms per firm added to the candidates for their ties (worked together, shared partners).",
    )
    min_score: float = Field(0.05, ge=0.0, le=1.0, description="Matches below this are not stored.")
    min_components: int = Field(3, ge=1, description="Fewer present components than this: not stored.")
    geography_scale_km: float = Field(600.0, gt=0)
    tfidf_max_features: int = Field(50_000, ge=100)
    tfidf_ngram_max: int = Field(2, ge=1, le=3)
    explanation_terms: int = Field(6, ge=0, le=30)

    @model_validator(mode="after")
    def _check_weights(self) -> MatchingConfig:
        from .components import REGISTRY

        unknown = set(self.weights) - set(REGISTRY)
        if unknown:
            raise ValueError(f"unknown component(s) in weights: {sorted(unknown)}; known: {sorted(REGISTRY)}")
        if any(w < 0 for w in self.weights.values()) or sum(self.weights.values()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        return self

    def digest(self) -> str:
        text = json.dumps(self.model_dump(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()
