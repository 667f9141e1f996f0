"""Requirement fit: how well one firm can cover one bid requirement, and why.

Fit comes from the vocabulary: the same concept 1.0, a specialist for a
general need 0.9, a generalist for a specific need 0.5, a sibling 0.3. Phrases
outside the vocabulary fall back to rapidfuzz similarity of the raw phrases,
scaled down because words alike are weaker evidence than the same concept.
Certifications compare as vocabulary concepts, so 'IATF16949' meets 'IATF 16949'.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from profiles.domain import Firm, Requirement
from profiles.taxonomy.vocabulary import Vocabulary, fold

UNKNOWN_PHRASE_SCALE = 0.8


@dataclass(frozen=True)
class RequirementFit:
    firm: str
    requirement: str
    fit: float
    how: str
    matched_phrase: str | None
    capacity: int | None
    missing_certifications: tuple[str, ...]

    @property
    def certified(self) -> bool:
        return not self.missing_certifications


def certification_ids(certifications: tuple[str, ...] | list[str], vocabulary: Vocabulary) -> dict[str, str]:
    """Map each certification as written to a comparable id (concept id, else folded text)."""
    return {c: vocabulary.normalise(c).concept_id or f"text:{fold(c)}" for c in certifications}


def missing_certifications(held: tuple[str, ...], required: tuple[str, ...], vocabulary: Vocabulary) -> tuple[str, ...]:
    if not required:  # most requirements ask for none: no need to read what the firm holds
        return ()
    have = _held_ids(tuple(held), vocabulary)
    return tuple(c for c, cid in certification_ids(required, vocabulary).items() if cid not in have)


# A bid is fitted against tens of thousands of firms, most holding one of a few sets of certifications.
@lru_cache(maxsize=65_536)
def _held_ids(held: tuple[str, ...], vocabulary: Vocabulary) -> frozenset[str]:
    return frozenset(certification_ids(held, vocabulary).values())


def _how(value: float) -> str:
    return {1.0: "same capability", 0.9: "specialist", 0.5: "generalist", 0.3: "related"}.get(value, "similar wording")


def requirement_fit(firm: Firm, req: Requirement, vocabulary: Vocabulary) -> RequirementFit:
    want = vocabulary.normalise(req.capability)
    best, how, phrase, capacity = 0.0, "no match", None, None
    for cap in firm.capabilities:
        have = vocabulary.normalise(cap.phrase)
        if want.concept_id and have.concept_id:
            value = vocabulary.relatedness(have.concept_id, want.concept_id)
            reason = _how(value)
        else:
            value = UNKNOWN_PHRASE_SCALE * fuzz.token_set_ratio(fold(cap.phrase), fold(req.capability)) / 100.0
            reason = "similar wording"
        # Prefer the better fit; on a tie prefer a phrase with declared capacity, then the larger.
        if (value, cap.capacity_per_year or 0) > (best, capacity or 0):
            best, how, phrase, capacity = value, reason, cap.phrase, cap.capacity_per_year
    return RequirementFit(
        firm.key,
        req.key,
        round(best, 4),
        how if best > 0 else "no match",
        phrase,
        capacity,
        missing_certifications(firm.certifications, req.certifications, vocabulary),
    )
