"""Text similarity: cosine of the profiles' TF-IDF vectors (fitted on the corpus)."""

from __future__ import annotations

from . import Comparator, ComponentResult


def compare(a, b, ctx) -> ComponentResult | None:
    if ctx.text_similarity is None:
        return None
    value = min(1.0, max(0.0, float(ctx.text_similarity)))
    return ComponentResult(value, {"shared_terms": list(ctx.text_terms)})


COMPARATOR = Comparator("text", compare, description="TF-IDF cosine of title, summary, description and keywords")
