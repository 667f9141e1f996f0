"""Counterpart names: one supplier or customer however it is spelt, and firms of the exchange recognised.

Names are folded and stripped of legal forms ("Nordic Billet Supply AS" and "nordic billet supply"
are one key), then compared with rapidfuzz: close enough to a firm of the exchange, the relation
points at that firm; close enough to an outside name already known, it reuses that name's key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .duplicates import name_key

SAME_NAME = 90.0


@dataclass(frozen=True)
class Counterpart:
    key: str
    name: str
    firm_id: int | None
    how: str  # "firm key", "firm name", "known name", "new name"


@dataclass
class CounterpartIndex:
    """Exchange firms (id, key, alias, name) and outside names already recorded (key → display name).
    Resolving a new outside name adds it, so spellings within one upload merge too."""

    firms: list[tuple[int, str, str, str]]
    outside: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_ref = {
            ref.casefold(): (fid, key, name) for fid, key, alias, name in self.firms for ref in (key, alias)
        }
        self._firm_keys = {name_key(name): (fid, key, name) for fid, key, _, name in self.firms}

    def resolve(self, text: str) -> Counterpart:
        hit = self._by_ref.get(text.strip().casefold())
        if hit is not None:
            return Counterpart(f"firm:{hit[1]}", hit[2], hit[0], "firm key")
        key = name_key(text) or text.strip().casefold()
        if key in self._firm_keys:
            fid, fkey, fname = self._firm_keys[key]
            return Counterpart(f"firm:{fkey}", fname, fid, "firm name")
        close = process.extractOne(key, list(self._firm_keys), scorer=fuzz.token_sort_ratio, score_cutoff=SAME_NAME)
        if close is not None:
            fid, fkey, fname = self._firm_keys[close[0]]
            return Counterpart(f"firm:{fkey}", fname, fid, "firm name")
        if key in self.outside:
            return Counterpart(key, self.outside[key], None, "known name")
        close = process.extractOne(key, sorted(self.outside), scorer=fuzz.token_sort_ratio, score_cutoff=SAME_NAME)
        if close is not None:
            return Counterpart(close[0], self.outside[close[0]], None, "known name")
        self.outside[key] = " ".join(text.split())
        return Counterpart(key, self.outside[key], None, "new name")
