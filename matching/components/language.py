"""Common language: can the two firms work together without an interpreter?"""

from __future__ import annotations

from . import Comparator, ComponentResult


def compare(a, b, ctx) -> ComponentResult | None:
    if not a.languages or not b.languages:
        return None
    shared = sorted(a.languages & b.languages)
    return ComponentResult(1.0 if shared else 0.0, {"shared": shared})


COMPARATOR = Comparator("language", compare, description="1 if the firms share a working language")
