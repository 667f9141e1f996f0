"""NACE Rev. 2, loaded from the table shipped with the package."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class NaceEntry:
    code: str
    level: int
    parent: str | None
    section: str
    title: str


@dataclass(frozen=True)
class NaceTable:
    entries: dict[str, NaceEntry]

    def __contains__(self, code: str) -> bool:
        return code in self.entries

    def title(self, code: str) -> str:
        return self.entries[code].title

    def lineage(self, code: str) -> tuple[str, ...]:
        """Codes from the entry itself up to its section, e.g. 25.62 → 25.6 → 25 → C."""
        out = []
        current: str | None = code
        while current:
            out.append(current)
            current = self.entries[current].parent
        return tuple(out)


@lru_cache(maxsize=1)
def load_nace() -> NaceTable:
    text = resources.files("profiles").joinpath("data/nace_rev2.csv").read_text(encoding="utf-8")
    entries = {}
    for row in csv.DictReader(text.splitlines()):
        entries[row["code"]] = NaceEntry(
            code=row["code"],
            level=int(row["level"]),
            parent=row["parent_code"] or None,
            section=row["section"],
            title=row["title"],
        )
    return NaceTable(entries)


def normalise_nace_code(raw: str) -> str:
    """Accept common spellings ('2562', '25.62', 'C25.62', '25,62') and return the table's form."""
    code = raw.strip().upper().replace(",", ".").replace(" ", "")
    if len(code) > 1 and code[0].isalpha() and code[1:2].isdigit():
        code = code[1:]
    if code.isdigit() and len(code) in (3, 4):
        code = f"{code[:2]}.{code[2:]}"
    return code


def nace_proximity(a: str, b: str, table: NaceTable | None = None) -> float:
    """1.0 same class, 0.75 same group, 0.5 same division, 0.25 same section, else 0."""
    if table is None:
        return _shipped_proximity(a, b)
    return _proximity(a, b, table)


@lru_cache(maxsize=65_536)
def _shipped_proximity(a: str, b: str) -> float:
    # a few hundred codes in use, compared for every explained match
    return _proximity(a, b, load_nace())


def _proximity(a: str, b: str, table: NaceTable) -> float:
    la, lb = table.lineage(a), table.lineage(b)
    shared = set(la) & set(lb)
    if not shared:
        return 0.0
    deepest = max(table.entries[c].level for c in shared)
    return _PROXIMITY_BY_LEVEL[deepest]


_PROXIMITY_BY_LEVEL = {4: 1.0, 3: 0.75, 2: 0.5, 1: 0.25}
