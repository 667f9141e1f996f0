"""Score components: small comparators with one interface, collected in a registry.

Each comparator takes two ProfileFeatures and returns a ComponentResult with a
value in [0, 1] and the evidence behind it, or None when the data needed is
missing on either side. Missing is not dissimilar: the scorer leaves a missing
component out and spreads its weight over the present ones.

The text component is computed in bulk from the fitted TF-IDF model (a sparse
row product per pair is far cheaper than per-pair Python), so its entry here
reads a precomputed value from the context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional

from ..features import ProfileFeatures


@dataclass(frozen=True)
class ComponentResult:
    value: float
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Comparator:
    name: str
    compare: Callable[[ProfileFeatures, ProfileFeatures, PairContext], ComponentResult | None]
    symmetric: bool = True
    description: str = ""


@dataclass
class PairContext:
    """Shared, read-only helpers the comparators need (vocabulary, settings, precomputed text)."""

    vocabulary: Any
    geography_scale_km: float = 600.0
    text_similarity: float | None = None
    text_terms: tuple[str, ...] = ()
    semantic_similarity: float | None = None  # cosine of the multilingual vectors; None: unavailable
    together: Any = None  # matching.together.GoesTogether learned from the exchange; None: no history
    ties: Any = None  # matching.ties.Ties of the exchange's firms; None: no relationship data


from . import (  # noqa: E402
    capabilities,
    complementarity,
    counterpart,
    geography,
    language,
    relationship,
    sector,
    semantic,
    size,
    text,
    value_chain,
)

REGISTRY: dict[str, Comparator] = {
    c.name: c
    for c in (
        text.COMPARATOR,
        semantic.COMPARATOR,
        capabilities.COMPARATOR,
        complementarity.COMPARATOR,
        value_chain.COMPARATOR,
        relationship.COMPARATOR,
        counterpart.COMPARATOR,
        sector.COMPARATOR,
        geography.COMPARATOR,
        size.COMPARATOR,
        language.COMPARATOR,
    )
}
