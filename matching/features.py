"""Normalised per-profile features: the only input the score components read.

Built once per profile (phrases normalised once per distinct phrase by the
vocabulary's cache), so scoring a pair is set and vector arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from profiles.domain import Firm, Profile
from profiles.taxonomy.vocabulary import Vocabulary

from .semantic import passage_text


@dataclass(frozen=True)
class ProfileFeatures:
    key: str
    firm_key: str
    type: str
    text: str
    offered: frozenset[str]
    sought: frozenset[str]
    topics: frozenset[str]
    unknown_phrases: frozenset[str]
    nace: tuple[str, ...]
    country: str | None
    region: str | None
    lat: float | None
    lon: float | None
    size_rank: int | None
    languages: frozenset[str]
    reference: str | None = None
    passage: str = ""  # what the multilingual vector is of: title, summary, keywords
    # (concept, the phrase it was found in), so explanations show the words each side used
    phrases: tuple[tuple[str, str], ...] = ()

    @cached_property
    def concepts(self) -> frozenset[str]:
        # read for every pair a profile is compared in; the fields never change
        return self.offered | self.sought | self.topics


def _concepts(phrases, vocabulary: Vocabulary, found: dict[str, str] | None = None) -> tuple[set[str], set[str]]:
    known, unknown = set(), set()
    for phrase in phrases:
        hit = vocabulary.normalise(phrase)
        if hit.concept_id:
            known.add(hit.concept_id)
            if found is not None:
                found.setdefault(hit.concept_id, phrase.strip())
        else:
            unknown.add(hit.phrase.casefold())
        # every other concept the phrase names ("anodising and powder coating")
        for other in vocabulary.scan(phrase) if " " in phrase.strip() else ():
            if other.concept_id is None:  # never: scan returns the concepts it found
                continue
            known.add(other.concept_id)
            if found is not None:
                found.setdefault(other.concept_id, other.phrase)
    return known, unknown


def build_features(profile: Profile, firm: Firm, vocabulary: Vocabulary) -> ProfileFeatures:
    found: dict[str, str] = {}
    profile_caps, profile_unknown = _concepts(profile.capabilities, vocabulary, found)
    keyword_caps, _ = _concepts(profile.keywords, vocabulary, found)
    firm_caps, firm_unknown = _concepts([c.phrase for c in firm.capabilities], vocabulary, found)
    if profile.type.is_offer:
        offered, sought = firm_caps | profile_caps, set()
    else:
        offered, sought = firm_caps, profile_caps
    # A firm's spoken languages, plus the profile's own language if it names one.
    languages = set(firm.languages) | ({profile.language} if profile.language else set())
    return ProfileFeatures(
        key=profile.key,
        firm_key=firm.key,
        type=profile.type.value,
        text=profile.text,
        offered=frozenset(offered),
        sought=frozenset(sought),
        topics=frozenset(keyword_caps),
        unknown_phrases=frozenset(firm_unknown | profile_unknown),
        nace=firm.nace,
        country=firm.country or None,
        region=firm.region,
        lat=firm.lat,
        lon=firm.lon,
        size_rank=firm.size_class.rank if firm.size_class else None,
        languages=frozenset(languages),
        reference=profile.reference,
        passage=passage_text(profile.title, profile.summary, profile.keywords),
        phrases=tuple(sorted(found.items())),
    )


def build_all(profiles: list[Profile], firms: dict[str, Firm], vocabulary: Vocabulary) -> list[ProfileFeatures]:
    return [build_features(p, firms[p.firm_key], vocabulary) for p in sorted(profiles, key=lambda p: p.key)]
