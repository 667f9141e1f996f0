"""Which firms can touch a requirement at all: an index from capability concepts (and phrases) to firms.

Requirement fit (`optimizer.fit.requirement_fit`) is exact but per firm and requirement; over a whole
exchange it was most of a proposal's time. The index answers the question before it: the firms whose
capabilities could reach a requirement's threshold, so that fit is computed for those only.

It is a superset, never a guess: a firm with a capability concept related to the requirement's concept by
at least the threshold (`Vocabulary.relatedness`: same, specialist, generalist, sibling) is in; a phrase
outside the vocabulary is compared as `requirement_fit` compares it (rapidfuzz token-set ratio, scaled),
with a hair of slack; a requirement outside the vocabulary is compared with every phrase the same way.
`tests/test_optimizer/test_capability_index.py` checks the superset property on generated firms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from profiles.domain import Requirement
from profiles.taxonomy.vocabulary import Vocabulary, fold

from .fit import UNKNOWN_PHRASE_SCALE

SLACK = 0.5  # percentage points below the exact cut-off: rounding never drops a firm that fits


@dataclass(frozen=True)
class CapabilityIndex:
    by_concept: dict[str, frozenset[str]]  # concept id → firms with a capability normalised to it
    phrases: tuple[str, ...]  # folded capability phrases, distinct
    phrase_firms: tuple[frozenset[str], ...]  # the firms of each phrase
    unknown: tuple[int, ...]  # positions in `phrases` of those outside the vocabulary
    firms: frozenset[str]

    @classmethod
    def build(cls, firms: Iterable[tuple[str, Sequence[str]]], vocabulary: Vocabulary) -> CapabilityIndex:
        """`firms`: each firm's key and its capability phrases as written."""
        by_concept: dict[str, set[str]] = {}
        by_phrase: dict[str, set[str]] = {}
        keys: set[str] = set()
        for key, capabilities in firms:
            keys.add(key)
            for phrase in capabilities:
                by_phrase.setdefault(fold(phrase), set()).add(key)
                concept = vocabulary.normalise(phrase).concept_id
                if concept:
                    by_concept.setdefault(concept, set()).add(key)
        phrases = tuple(sorted(by_phrase))
        unknown = tuple(i for i, p in enumerate(phrases) if vocabulary.normalise(p).concept_id is None)
        return cls(
            {c: frozenset(v) for c, v in by_concept.items()},
            phrases,
            tuple(frozenset(by_phrase[p]) for p in phrases),
            unknown,
            frozenset(keys),
        )

    def candidates(self, requirement: Requirement, threshold: float, vocabulary: Vocabulary) -> set[str]:
        """The firms whose fit for `requirement` may reach `threshold` (all firms when any fit would)."""
        if threshold <= 0:
            return set(self.firms)
        want = vocabulary.normalise(requirement.capability).concept_id
        out: set[str] = set()
        if want:
            for concept, firms in self.by_concept.items():
                if vocabulary.relatedness(concept, want) >= threshold:
                    out |= firms
        pool = self.unknown if want else range(len(self.phrases))
        cutoff = 100.0 * threshold / UNKNOWN_PHRASE_SCALE - SLACK
        if cutoff <= 100.0 and pool:
            choices = {i: self.phrases[i] for i in pool}
            for _, _, i in process.extract(
                fold(requirement.capability), choices, scorer=fuzz.token_set_ratio, score_cutoff=cutoff, limit=None
            ):
                out |= self.phrase_firms[i]
        return out
