"""The capability vocabulary and the phrase normaliser.

Free-text capability phrases in five languages are mapped once per distinct
phrase onto concept ids: exact synonym lookup on a folded key first, then a
whole-word containment match, then rapidfuzz. Scoring later works on the ids
only. A phrase that matches nothing is kept as an unknown phrase, never dropped.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

Method = Literal["exact", "contains", "compound", "fuzzy", "unknown"]

# Letters NFKD does not decompose but people still type without.
_FOLD = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "đ": "d", "ł": "l", "œ": "oe"})
_NON_WORD = re.compile(r"[^\w/+]+")

FUZZY_CUTOFF = 88.0
# Danish, Norwegian, Swedish and German inflect and compound: "limträbalkar" (glulam beams),
# "Präzisionsschleifen", "Leiterplatten". Endings tried before looking for known parts, longest first.
INFLECTIONS = ("arna", "erna", "orna", "erne", "ene", "en", "et", "er", "ar", "or", "na", "ne", "n", "e", "s")
COMPOUND_PART = 5  # the shortest known word taken as part of a compound
# One letter apart in the middle of a compound is another word ("præcisionsslibning", grinding, is not
# "præcisionsstøbning", casting; "platedeler" are not "plastdeler"): a single word is taken as a
# misspelling or another inflection of a known word only when they share this much of their beginning.
FUZZY_WORD_PREFIX = 0.75
SHORT_WORD = 9  # compounds are longer
MAX_SCAN_WORDS = 4  # the longest synonym a scan looks for, in words
SCAN_COMPOUND = 8  # a scanned word this long may be a compound of known parts
# "anodisering af aluminiumsprofiler", "anodising of aluminium profiles": the head comes before these words.
PREPOSITIONS = frozenset({"of", "for", "af", "av", "til", "med", "von", "fur", "zu", "mit", "till", "i", "in"})
_KIND_PRIORITY = {"process": 0, "certification": 1, "material": 2}
RELATED_SPECIALIST = 0.9
RELATED_GENERALIST = 0.5
RELATED_SIBLING = 0.3


# Imports and identity resolution fold the same phrases, names and cities over and over.
@lru_cache(maxsize=65_536)
def fold(phrase: str) -> str:
    """Lowercase, strip accents and punctuation, collapse spaces: the lookup key."""
    text = phrase.casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text).split())


@dataclass(frozen=True)
class Concept:
    id: str
    kind: str
    label: str
    parent: str | None
    domains: tuple[str, ...]
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Normalised:
    phrase: str
    concept_id: str | None
    method: Method
    score: float
    matched: str | None = None

    @property
    def known(self) -> bool:
        return self.concept_id is not None


AS_WRITTEN_LIMIT = 200_000  # phrases remembered as written; beyond it they are folded each time


class Vocabulary:
    """Concepts with their hierarchy, and a cached phrase → concept normaliser."""

    def __init__(self, concepts: list[Concept]) -> None:
        self.concepts = {c.id: c for c in concepts}
        self._by_key: dict[str, str] = {}
        for c in concepts:
            for syn in (c.label, *c.synonyms):
                self._by_key.setdefault(fold(syn), c.id)
        self._keys = sorted(self._by_key)
        # Longest first so "friction stir welding" wins over "welding" in containment.
        self._contain_keys = sorted((k for k in self._keys if len(k) >= 4), key=lambda k: (-len(k), k))
        self._single = frozenset(k for k in self._keys if " " not in k and len(k) >= COMPOUND_PART)
        self._cache: dict[str, Normalised] = {}
        self._scan_cache: dict[str, list[Normalised]] = {}
        # Phrases as written and concept pairs, read again and again by requirement fit over many firms.
        self._as_written: dict[str, Normalised] = {}
        self._related: dict[tuple[str, str], float] = {}

    # hierarchy -------------------------------------------------------------
    def label(self, concept_id: str) -> str:
        c = self.concepts.get(concept_id)
        return c.label if c else concept_id

    def kind(self, concept_id: str) -> str | None:
        c = self.concepts.get(concept_id)
        return c.kind if c else None

    def ancestors(self, concept_id: str) -> tuple[str, ...]:
        out = []
        current = self.concepts.get(concept_id)
        while current and current.parent:
            out.append(current.parent)
            current = self.concepts.get(current.parent)
        return tuple(out)

    def relatedness(self, have: str, want: str) -> float:
        """How well a firm that has concept `have` serves a need for concept `want`.

        A specialist serves the general need (friction stir welding → welding: 0.9);
        a generalist only partly serves a specific need (welding → friction stir
        welding: 0.5); siblings share know-how (MIG → TIG welding: 0.3).
        """
        known = self._related.get((have, want))
        if known is None:
            known = self._related[(have, want)] = self._relatedness(have, want)
        return known

    def _relatedness(self, have: str, want: str) -> float:
        if have == want:
            return 1.0
        have_up, want_up = self.ancestors(have), self.ancestors(want)
        if want in have_up:
            return RELATED_SPECIALIST
        if have in want_up:
            return RELATED_GENERALIST
        if have_up and want_up and have_up[0] == want_up[0]:
            return RELATED_SIBLING
        return 0.0

    # normalising ------------------------------------------------------------
    def normalise(self, phrase: str) -> Normalised:
        seen = self._as_written.get(phrase)
        if seen is not None:
            return seen
        key = fold(phrase)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._lookup(key)
            self._cache[key] = hit
        found = Normalised(phrase, hit.concept_id, hit.method, hit.score, hit.matched)
        if len(self._as_written) < AS_WRITTEN_LIMIT:
            self._as_written[phrase] = found
        return found

    def _lookup(self, key: str) -> Normalised:
        if not key:
            return Normalised(key, None, "unknown", 0.0)
        if key in self._by_key:
            return Normalised(key, self._by_key[key], "exact", 1.0, key)
        padded = f" {key} "
        if len(key.split()) > 1:
            contained = [cand for cand in self._contain_keys if f" {cand} " in padded]
            if contained:
                # "aluminium welding" names a process done on a material: the process wins; among
                # processes the head ("anodising of aluminium profiles": before the preposition;
                # "aluminium profile anodising": the last), then the longest (most specific) phrase.
                best = min(
                    contained,
                    key=lambda c: (
                        _KIND_PRIORITY.get(self.kind(self._by_key[c]) or "", 9),
                        _head_rank(key, c),
                        -len(c),
                        c,
                    ),
                )
                return Normalised(key, self._by_key[best], "contains", 0.9, best)
        if " " not in key:
            head = self._compound(key, heads_only=True)
            if head is not None:
                return head
        near = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if near is not None and " " not in key and not _same_beginning(key, near[0]):
            near = None
        if near is None:
            near = process.extractOne(key, self._keys, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF + 4)
            if near is not None and " " not in key and not _same_beginning(key, near[0]):
                near = None
        if near is not None:
            matched, score, _ = near
            return Normalised(key, self._by_key[matched], "fuzzy", round(score / 100.0, 4), matched)
        return self._compound(key) or Normalised(key, None, "unknown", 0.0)

    def _compound(self, key: str, heads_only: bool = False) -> Normalised | None:
        """A compound or inflected word whose parts the vocabulary knows: the last part (the head,
        which carries the meaning: "præcisionsslipning" is grinding) first, else the first part
        ("limträbalkar" is made of glulam), else a known compound this word begins ("Leiterplatten")."""
        if " " in key or len(key) < COMPOUND_PART + 2:
            return None
        forms = [key] + [key[: -len(e)] for e in INFLECTIONS if key.endswith(e) and len(key) - len(e) >= COMPOUND_PART]
        # the whole word less an ending ("robotsvejsningen") first: the longest head
        heads = [
            form[cut:]
            for form in forms
            for cut in (0, *range(2, len(form) - COMPOUND_PART + 1))
            if form[cut:] in self._single
        ]
        if heads:
            best = max(heads, key=lambda h: (len(h), h))
            return Normalised(key, self._by_key[best], "compound", 0.85, best)
        if heads_only:
            return None
        firsts = [
            form[:cut] for form in forms for cut in range(COMPOUND_PART, len(form) - 2) if form[:cut] in self._single
        ]
        if firsts:
            best = max(firsts, key=lambda h: (len(h), h))
            return Normalised(key, self._by_key[best], "compound", 0.8, best)
        begun = [k for k in self._single if len(k) > len(key) and any(k.startswith(f) for f in forms if len(f) >= 10)]
        if begun:
            best = min(begun, key=lambda k: (len(k), k))
            return Normalised(key, self._by_key[best], "compound", 0.75, best)
        return None

    def scan(self, phrase: str) -> list[Normalised]:
        """Every concept a phrase names, not only its head: "anodising and powder coating of
        aluminium profiles" names anodising, powder coating and aluminium. Known phrases of up to
        four words, longest first, spans not overlapping; single words also as compounds and
        inflected forms ("hydraulikcylindre"). Each hit keeps the words it was found in."""
        key = self._scan_cache.get(phrase)
        if key is not None:
            return key
        words = fold(phrase).split()
        written = _NON_WORD.sub(" ", phrase).split()  # the same words as typed, for explanations
        if len(written) != len(words):
            written = words
        taken = [False] * len(words)
        hits: list[tuple[int, Normalised]] = []
        for size in range(min(MAX_SCAN_WORDS, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]):
                    continue
                span = " ".join(words[start : start + size])
                concept = self._by_key.get(span)
                hit = (
                    Normalised(span, concept, "exact", 1.0, span)
                    if concept
                    else self._compound(span, heads_only=True)
                    if size == 1 and len(span) >= SCAN_COMPOUND
                    else None
                )
                if hit is not None and hit.concept_id:
                    hits.append(
                        (
                            start,
                            Normalised(
                                " ".join(written[start : start + size]),
                                hit.concept_id,
                                hit.method,
                                hit.score,
                                hit.matched,
                            ),
                        )
                    )
                    taken[start : start + size] = [True] * size
        found = [h for _, h in sorted(hits, key=lambda item: item[0])]
        self._scan_cache[phrase] = found
        return found

    def normalise_many(self, phrases: list[str] | tuple[str, ...]) -> list[Normalised]:
        return [self.normalise(p) for p in phrases]

    def closest(self, phrase: str, limit: int = 3) -> list[str]:
        """The concepts nearest a phrase the vocabulary does not know, best first, to offer instead:
        rapidfuzz's weighted ratio over every label and synonym, one entry per concept."""
        key = fold(phrase)
        if not key:
            return []
        out: list[str] = []
        for matched, _, _ in process.extract(key, self._keys, scorer=fuzz.WRatio, limit=limit * 6, score_cutoff=60):
            concept = self._by_key[matched]
            if concept not in out:
                out.append(concept)
            if len(out) == limit:
                break
        return out


def _same_beginning(word: str, known: str) -> bool:
    """Could `word` be `known` misspelt or inflected? A short word one typing slip away ("anodizng"),
    or a word that only ends differently; not another compound that happens to look alike."""
    longest = max(len(word), len(known))
    if longest <= SHORT_WORD and OSA.distance(word, known) <= 1:
        return True
    return len(os.path.commonprefix([word, known])) >= FUZZY_WORD_PREFIX * longest


def _head_rank(phrase: str, part: str) -> int:
    """0 for the head of a phrase, larger further from it: before the first preposition if there is
    one ("anodisering af aluminiumsprofiler"), else the last words ("aluminium profile anodising")."""
    words = phrase.split()
    start = (
        next(i for i in range(len(words)) if words[i : i + len(part.split())] == part.split())
        if part.split()[0] in words
        else 0
    )
    cut = next((i for i, w in enumerate(words) if w in PREPOSITIONS), None)
    if cut is not None:
        return 0 if start < cut else 1 + start - cut
    return len(words) - (start + len(part.split()))


def _concepts_from_json(data: dict) -> list[Concept]:
    out = []
    for raw in data["concepts"]:
        synonyms: list[str] = []
        for words in raw.get("synonyms", {}).values():
            synonyms.extend(words)
        out.append(
            Concept(
                id=raw["id"],
                kind=raw["kind"],
                label=raw["label"],
                parent=raw.get("parent"),
                domains=tuple(raw.get("domains", ())),
                synonyms=tuple(synonyms),
            )
        )
    return out


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    text = resources.files("profiles").joinpath("data/vocabulary.json").read_text(encoding="utf-8")
    return Vocabulary(_concepts_from_json(json.loads(text)))
