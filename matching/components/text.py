"""Text similarity: cosine of the profiles' TF-IDF vectors (fitted on the corpus)."""

from __future__ import annotations

import numpy as np

from ..features import ProfileFeatures
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext


def compare(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext) -> ComponentResult | None:
    if ctx.text_similarity is None:
        return None
    value = min(1.0, max(0.0, float(ctx.text_similarity)))
    return ComponentResult(value, {"shared_terms": list(ctx.text_terms)})


def batch(ctx: BatchContext) -> ArrayResult:
    return np.clip(ctx.text, 0.0, 1.0), ctx.everywhere()


COMPONENT = Component(
    "text",
    compare,
    batch,
    label="similar wording",
    description="TF-IDF cosine of title, summary, description and keywords",
)
