"""Score components: one module per component, each with both forms, collected in one registry.

A component module defines `compare` (one pair of ProfileFeatures → a ComponentResult
with a value in [0, 1] and the evidence behind it, or None when the data needed is
missing on either side), `batch` (the same values for a block of pairs at once, with
array arithmetic over the encoded profiles) and a `COMPONENT` naming both (see
`base`). Missing is not dissimilar: the scorer leaves a missing component out and
spreads its weight over the present ones.

To add a component: write its module, list it in `REGISTRY` below and give it a
weight in `matching.config.DEFAULT_WEIGHTS`. The per-pair scorer, the array scorer
(`matching.batch`) and the explanations all read it from here, and the conformance
tests hold its two forms to the same numbers.

The text and semantic components are computed in bulk (TF-IDF row products,
quantised vector dot products); their scalar forms read the pair's precomputed
cosine from the context.
"""

from __future__ import annotations

from . import (
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
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext

REGISTRY: dict[str, Component] = {
    c.name: c
    for c in (
        text.COMPONENT,
        semantic.COMPONENT,
        capabilities.COMPONENT,
        complementarity.COMPONENT,
        value_chain.COMPONENT,
        relationship.COMPONENT,
        counterpart.COMPONENT,
        sector.COMPONENT,
        geography.COMPONENT,
        size.COMPONENT,
        language.COMPONENT,
    )
}

__all__ = ["REGISTRY", "ArrayResult", "BatchContext", "Component", "ComponentResult", "PairContext"]
