"""Duplicate firms: the same firm stored twice under slightly different names, as a pair of keys with the
evidence. Whether two firms are one is decided by `profiles.identity`; here are the pair as reported and
stored, and the name folding both use (accents and legal forms removed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .taxonomy.vocabulary import fold

LEGAL_FORMS = re.compile(
    r"\b(a s|as|aps|ab|asa|oy|oyj|gmbh|ag|kg|se|ltd|limited|plc|inc|llc|bv|nv|sa|sarl|srl|spa|"
    r"i s|is|k s|ks|hf|ehf|ug|co|company|group|holding)\b"
)


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
        from .identity import LINK, explain_evidence

        words = explain_evidence(self.evidence) or (
            f"names {self.name_similarity:.0f}% alike, {'same city' if self.same_city else 'same country'}"
        )
        if "score" in self.evidence:
            words += f"; score {float(self.evidence['score']):.2f}"
        likely = "are very likely" if self.evidence.get("band") == LINK else "look like"
        names = f"'{self.first_name}' ({self.first}) and '{self.second_name}' ({self.second})"
        return f"{names} {likely} the same firm: {words}"


def name_key(name: str) -> str:
    return " ".join(LEGAL_FORMS.sub(" ", fold(name).replace("/", " ")).split())
