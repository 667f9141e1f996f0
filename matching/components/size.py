"""Size fit: firms of similar size class team up more easily."""

from __future__ import annotations

from . import Comparator, ComponentResult


def compare(a, b, ctx) -> ComponentResult | None:
    if a.size_rank is None or b.size_rank is None:
        return None
    return ComponentResult(
        1.0 - abs(a.size_rank - b.size_rank) / 3.0, {"classes_apart": abs(a.size_rank - b.size_rank)}
    )


COMPARATOR = Comparator("size", compare, description="1 − (size classes apart)/3")
