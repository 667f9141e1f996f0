"""Duplicate-firm detection: the same firm uploaded twice under slightly different names.

Firms are compared within their country only (blocking), on names folded and
stripped of legal forms, with rapidfuzz; a same-city match lowers the bar a
little. Findings are reported for a person to decide; nothing is merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from .domain import Firm
from .taxonomy.vocabulary import fold

LEGAL_FORMS = re.compile(
    r"\b(a s|as|aps|ab|asa|oy|oyj|gmbh|ag|kg|se|ltd|limited|plc|inc|llc|bv|nv|sa|sarl|srl|spa|"
    r"i s|is|k s|ks|hf|ehf|ug|co|company|group|holding)\b"
)

NAME_THRESHOLD = 90.0
DUPLICATE_SLICE = 512
SAME_CITY_THRESHOLD = 85.0


@dataclass(frozen=True)
class DuplicateFirm:
    first: str
    second: str
    first_name: str
    second_name: str
    name_similarity: float
    same_city: bool
    # The identity score's breakdown (profiles.identity.IdentityScore.evidence), when it found the pair.
    evidence: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        where = "same city" if self.same_city else "same country"
        return (
            f"'{self.first_name}' ({self.first}) and '{self.second_name}' ({self.second}) look like the "
            f"same firm: names {self.name_similarity:.0f}% alike, {where}"
        )


def name_key(name: str) -> str:
    return " ".join(LEGAL_FORMS.sub(" ", fold(name).replace("/", " ")).split())


def find_duplicate_firms(firms: list[Firm], incoming: set[str] | None = None) -> list[DuplicateFirm]:
    """Likely duplicates among `firms`; with `incoming`, only pairs that involve an incoming firm.

    Each country is compared in slices of rows against the whole country, keeping only
    scores above the cutoff, so memory stays at slice × country rather than country².
    """
    found: dict[tuple[str, str], DuplicateFirm] = {}
    ordered = sorted(firms, key=lambda f: (f.country, f.key))
    for _, block_iter in groupby(ordered, key=lambda f: f.country):
        block = list(block_iter)
        if len(block) < 2:
            continue
        keys = [name_key(f.name) for f in block]
        rows = [i for i, f in enumerate(block) if incoming is None or f.key in incoming]
        for start in range(0, len(rows), DUPLICATE_SLICE):
            part = rows[start : start + DUPLICATE_SLICE]
            scores = process.cdist(
                [keys[i] for i in part],
                keys,
                scorer=fuzz.token_sort_ratio,
                dtype=np.float32,
                score_cutoff=SAME_CITY_THRESHOLD,
                workers=-1,
            )
            for r, j in zip(*np.nonzero(scores), strict=True):
                i = part[int(r)]
                if i == j:
                    continue
                a, b = (block[i], block[int(j)]) if block[i].key < block[int(j)].key else (block[int(j)], block[i])
                same_city = bool(a.city and b.city and fold(a.city) == fold(b.city))
                score = float(scores[r, j])
                if score >= NAME_THRESHOLD or (same_city and score >= SAME_CITY_THRESHOLD):
                    found[(a.key, b.key)] = DuplicateFirm(a.key, b.key, a.name, b.name, round(score, 1), same_city)
    return [found[k] for k in sorted(found)]
