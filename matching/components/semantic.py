"""Meaning across languages: calibrated cosine of the profiles' multilingual vectors.

Computed in bulk from the quantised vectors (see `matching.vectors`); the entry here
reads the pair's cosine from the context and adds the words behind the match: the
phrases each side wrote for a capability both name ("anodisering ≈ anodising").
"""

from __future__ import annotations

from typing import Any

from profiles.taxonomy.vocabulary import fold

from ..features import ProfileFeatures
from ..semantic import calibrate
from .base import ArrayResult, BatchContext, Component, ComponentResult, PairContext

SAME_MEANING_SHOWN = 6


def same_meaning(a: ProfileFeatures, b: ProfileFeatures) -> list[str]:
    """ "their words ≈ our words" for every concept both name in different words, by concept."""
    theirs = dict(b.phrases)
    out = []
    for concept, ours in a.phrases:
        other = theirs.get(concept)
        if other is not None and fold(other) != fold(ours):
            out.append(f"{ours} ≈ {other}")
    return out[:SAME_MEANING_SHOWN]


def compare(a: ProfileFeatures, b: ProfileFeatures, ctx: PairContext) -> ComponentResult | None:
    if ctx.semantic_similarity is None:
        return None
    cosine = float(ctx.semantic_similarity)
    evidence: dict[str, Any] = {"cosine": round(cosine, 4)}
    words = same_meaning(a, b)
    if words:
        evidence["same_meaning"] = words
    return ComponentResult(calibrate(cosine), evidence)


def batch(ctx: BatchContext) -> ArrayResult:
    if ctx.semantic is None:  # the model is unavailable: missing, not zero
        return ctx.missing()
    return calibrate(ctx.semantic), ctx.everywhere()


COMPONENT = Component(
    "semantic",
    compare,
    batch,
    label="same meaning (any language)",
    description="multilingual-e5-small cosine of title, summary and keywords, in any language",
)
