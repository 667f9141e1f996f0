"""Identity resolution: is an incoming firm one already stored, written differently by another channel?

The same firm reaches the exchange through several channels (a cluster's spreadsheet, an EEN export, a
national register, a firm's own upload), each writing it a little differently: "Møller Plast A/S" and
"Moeller Plast", with or without city, website or VAT number. `identity_score` weighs the evidence of two
firms being one; `resolve` finds, for each incoming firm, the best stored candidate and its band:

* "link": near-certain, the import merges the incoming firm into the stored one (reversibly);
* "review": plausible, an advisor decides (an open duplicate pair);
* "new": nothing found.

The score is a sum of points (log-odds, Fellegi-Sunter style), one per piece of evidence, turned into 0..1
by the logistic function; the points are the explanation shown to the advisor. Missing is not dissimilar:
a field that one side lacks gives no points either way. Everything here is pure and deterministic.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from .domain import Firm
from .duplicates import name_key
from .taxonomy.vocabulary import fold

LINK, REVIEW, NEW = "link", "review", "new"

# Points (log-odds) per piece of evidence. Tuned on bench/data/firm_identity_pairs.csv (bench/identity.py).
PRIOR = -2.0  # before any evidence: two firms of one country are rarely the same
NAME_SCALE = 20.0  # points per unit of name similarity above NAME_PIVOT (negative below it)
NAME_PIVOT = 0.86
IDENTIFIED_NAME_FLOOR = -2.0  # the least a name counts against two firms that share an identifier
EXACT_NAME = 1.2  # the same name once folded: within one country's register, names are unique
SAME_CITY, OTHER_CITY = 1.0, -1.5
SAME_DOMAIN, OTHER_DOMAIN = 3.0, -1.5
SAME_VAT, OTHER_VAT = 9.0, -9.0
SAME_REGISTRY, OTHER_REGISTRY = 8.0, -6.0
OTHER_COUNTRY = -12.0
# Firms of different countries are never one firm unless an identifier agrees: the score is held below this.
OTHER_COUNTRY_CAP = 0.05
# Stored firms of the incoming firm's country with names at least this alike are scored at all (blocking).
CANDIDATE_CUTOFF = 60.0
CACHED_NAMES = 262_144  # folded names and web domains kept: an import compares each firm with many
PREFIX = 4  # letters of a name word that make a blocking key
RAREST_KEYS = 2  # blocking keys used per firm: the rarest of its name
COMMON_BLOCK = 300  # firms sharing a key beyond which the key says little

_TRANSLITERATIONS = (("oe", "o"), ("ae", "a"), ("ue", "u"), ("aa", "a"))
_CONNECTIVES = re.compile(r"\b(og|och|und|and|ja|et|the)\b")
_TWO_LEVEL_SUFFIXES = {"co.uk", "org.uk", "ac.uk", "com.au", "co.jp", "com.br", "co.nz", "com.tr", "com.pl"}


@dataclass(frozen=True)
class IdentityScore:
    """How likely two firms are one, and why. `points` names each piece of evidence and its weight."""

    score: float
    name_similarity: float
    same_country: bool
    same_city: bool | None  # None: a side has no city
    same_domain: bool | None  # None: a side has no website
    same_vat: bool | None  # None: a side has no VAT number
    same_registry: bool | None
    conflicting_identifiers: bool
    points: tuple[tuple[str, float], ...]

    @property
    def evidence(self) -> dict[str, Any]:
        """JSON-ready breakdown, as stored with a duplicate pair and shown to the advisor."""
        return {
            "score": round(self.score, 4),
            "name_similarity": round(self.name_similarity, 4),
            "same_country": self.same_country,
            "same_city": self.same_city,
            "same_domain": self.same_domain,
            "same_vat": self.same_vat,
            "same_registry": self.same_registry,
            "conflicting_identifiers": self.conflicting_identifiers,
            "points": {name: round(value, 2) for name, value in self.points},
        }

    def explain(self) -> str:
        """The evidence in words: "names 96% alike, same city, same VAT number"."""
        return explain_evidence(self.evidence)


_EVIDENCE_WORDS = (
    ("same_city", "same city", "different cities"),
    ("same_domain", "same website", "different websites"),
    ("same_vat", "same VAT number", "different VAT numbers"),
    ("same_registry", "same registry number", "different registry numbers"),
)


def explain_evidence(evidence: dict[str, Any]) -> str:
    """A stored breakdown (`IdentityScore.evidence`) in words: "names 96% alike, same city, same VAT number";
    it names what agreed or differed, never the numbers themselves. Empty for a pair stored without one."""
    if not evidence or "name_similarity" not in evidence:
        return ""
    parts = [f"names {float(evidence['name_similarity']):.0%} alike"]
    if evidence.get("same_country") is False:
        parts.append("different countries")
    for name, yes, no in _EVIDENCE_WORDS:
        flag = evidence.get(name)
        if flag is not None:
            parts.append(yes if flag else no)
    return ", ".join(parts)


@dataclass(frozen=True)
class Decision:
    """The band of one incoming firm and its best stored candidate (None when the band is "new")."""

    incoming: Firm
    candidate: Firm | None
    band: str
    score: IdentityScore | None


@lru_cache(maxsize=CACHED_NAMES)
def identity_name(name: str) -> str:
    """A firm name folded for comparison: no accents, legal forms or connectives; ø/oe, ä/ae, ü/ue alike."""
    key = name_key(name)
    for a, b in _TRANSLITERATIONS:
        key = key.replace(a, b)
    key = " ".join(_CONNECTIVES.sub(" ", key).split())
    return key or fold(name)


@lru_cache(maxsize=CACHED_NAMES)
def website_domain(website: str | None) -> str | None:
    """The registrable domain of a web address: no scheme, "www.", port or path ("https://www.a.dk/x" → "a.dk")."""
    if not website or not website.strip():
        return None
    text = website.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    host = re.split(r"[/?#:]", text, maxsplit=1)[0].strip(".")
    labels = [label for label in host.split(".") if label]
    if len(labels) < 2:
        return host or None
    keep = 3 if ".".join(labels[-2:]) in _TWO_LEVEL_SUFFIXES and len(labels) >= 3 else 2
    return ".".join(labels[-keep:])


def name_similarity(a: str, b: str) -> float:
    """Similarity of two firm names in 0..1 (rapidfuzz on `identity_name`, the better of word order ignored
    and the shorter name's words all found in the longer's)."""
    ka, kb = identity_name(a), identity_name(b)
    if ka == kb:
        return 1.0
    sort = fuzz.token_sort_ratio(ka, kb)
    # "Nordic Alu" within "Nordic Alu Castings" alone is not enough: the words found count for half.
    subset = 0.5 * (fuzz.token_set_ratio(ka, kb) + sort)
    return round(max(sort, subset) / 100.0, 4)


def _same(a: str | None, b: str | None) -> bool | None:
    return None if not a or not b else a == b


def identity_score(a: Firm, b: Firm) -> IdentityScore:
    """How likely `a` and `b` are one firm, with the evidence. Symmetric and deterministic."""
    similarity = name_similarity(a.name, b.name)
    same_country = a.country == b.country
    same_city = _same(fold(a.city) if a.city else None, fold(b.city) if b.city else None)
    same_domain = _same(website_domain(a.website), website_domain(b.website))
    same_vat = _same(a.vat_number, b.vat_number)
    same_registry = _same(a.registry_number, b.registry_number) if same_country else None
    identifier_agrees = bool(same_vat) or bool(same_registry)
    name_points = NAME_SCALE * (similarity - NAME_PIVOT)
    if identifier_agrees:
        # An agreeing identifier outweighs a name written very differently (a trading name, a new name).
        name_points = max(name_points, IDENTIFIED_NAME_FLOOR)
    points: list[tuple[str, float]] = [("prior", PRIOR), ("name", name_points)]
    if similarity == 1.0:
        points.append(("exact name", EXACT_NAME))
    if not same_country and not identifier_agrees:
        points.append(("country", OTHER_COUNTRY))
    for label, flag, yes, no in (
        ("city", same_city, SAME_CITY, OTHER_CITY),
        ("website", same_domain, SAME_DOMAIN, OTHER_DOMAIN),
        ("vat", same_vat, SAME_VAT, OTHER_VAT),
        ("registry", same_registry, SAME_REGISTRY, OTHER_REGISTRY),
    ):
        if flag is not None:
            points.append((label, yes if flag else no))
    total = sum(value for _, value in points)
    score = 1.0 / (1.0 + math.exp(-total))
    if not same_country and not identifier_agrees:
        score = min(score, OTHER_COUNTRY_CAP)
    return IdentityScore(
        score=round(score, 6),
        name_similarity=similarity,
        same_country=same_country,
        same_city=same_city,
        same_domain=same_domain,
        same_vat=same_vat,
        same_registry=same_registry,
        conflicting_identifiers=same_vat is False or same_registry is False,
        points=tuple((label, round(value, 4)) for label, value in points),
    )


def band(score: float, link_at: float, review_at: float) -> str:
    if score >= link_at:
        return LINK
    if score >= review_at:
        return REVIEW
    return NEW


def blocking_keys(name: str) -> set[str]:
    """The starts of a firm name's words (`PREFIX` letters, once folded): typos at a word's end,
    abbreviations ("Fjor.") and ø/oe spellings keep them, so the same firm written two ways shares one."""
    return {word[:PREFIX] for word in identity_name(name).split() if len(word) >= 2}


def candidates(stored: list[Firm], incoming: list[Firm]) -> dict[str, set[int]]:
    """Blocking: for each incoming firm's key, the indexes of the stored firms worth scoring.

    Those of its country that share one of its rarest name-word starts (`RAREST_KEYS` of them; a word
    common to many firms, like "metal" or "teknik", tells little, and is used only when the name has nothing
    rarer) or its website domain, with names at least `CANDIDATE_CUTOFF` alike; and those of any country
    sharing its VAT or registry number. The work grows with the firms that share a rare word, not with the
    square of a country's firms."""
    out: dict[str, set[int]] = defaultdict(set)
    by_identifier: dict[str, list[int]] = defaultdict(list)
    by_word: dict[tuple[str, str], list[int]] = defaultdict(list)
    stored_names = [identity_name(f.name) for f in stored]
    for j, f in enumerate(stored):
        for key in blocking_keys(f.name):
            by_word[(f.country, key)].append(j)
        domain = website_domain(f.website)
        if domain:
            by_word[(f.country, "web:" + domain)].append(j)
        for prefix, value in (("vat", f.vat_number), ("reg", f.registry_number)):
            if value:
                by_identifier[f"{prefix}:{value}"].append(j)
    for f in incoming:
        for prefix, value in (("vat", f.vat_number), ("reg", f.registry_number)):
            if value:
                out[f.key].update(by_identifier.get(f"{prefix}:{value}", ()))
        name = identity_name(f.name)
        blocks = sorted(
            (len(by_word.get((f.country, key), ())), key)
            for key in blocking_keys(f.name)
            if (f.country, key) in by_word
        )
        # The rarest word starts; a start shared by many firms only when the name has no rarer one.
        rare = [key for size, key in blocks[:RAREST_KEYS] if size <= COMMON_BLOCK] or [key for _, key in blocks[:1]]
        nearby = sorted({j for key in rare for j in by_word[(f.country, key)]})
        domain = website_domain(f.website)
        if domain:
            nearby = sorted(set(nearby) | set(by_word.get((f.country, "web:" + domain), ())))
        if not nearby:
            continue
        scores = process.cdist(
            [name],
            [stored_names[j] for j in nearby],
            scorer=fuzz.token_set_ratio,
            dtype=np.float32,
            score_cutoff=CANDIDATE_CUTOFF,
            workers=1,
        )
        out[f.key].update(nearby[int(c)] for c in np.nonzero(scores[0])[0])
    return out


def resolve(stored: Iterable[Firm], incoming: Iterable[Firm], link_at: float, review_at: float) -> list[Decision]:
    """For each incoming firm, its best stored candidate (never a firm of the same key) and its band.

    Ties are broken by the candidate's key, so the result does not depend on the order of `stored`."""
    stored_list, incoming_list = list(stored), list(incoming)
    found = candidates(stored_list, incoming_list)
    decisions = []
    for f in incoming_list:
        best: tuple[Firm, IdentityScore] | None = None
        for other in sorted((stored_list[j] for j in found.get(f.key, ())), key=lambda g: g.key):
            if other.key == f.key:
                continue
            s = identity_score(f, other)
            if best is None or s.score > best[1].score:
                best = (other, s)
        kind = NEW if best is None else band(best[1].score, link_at, review_at)
        if best is None or kind == NEW:
            decisions.append(Decision(f, None, NEW, best[1] if best else None))
        else:
            decisions.append(Decision(f, best[0], kind, best[1]))
    return decisions


# Fields a row under a merged or linked firm's old key may fill in on the kept firm when it lacks them.
FILLABLE = tuple(
    f.name
    for f in fields(Firm)
    if f.name not in ("key", "name", "country", "kind", "max_concurrent_bids", "cluster", "excluded_partners")
)


def fill_missing(kept: Firm, other: Firm) -> Firm:
    """`kept` with its empty fields taken from `other`; what `kept` has always wins."""
    changes = {
        name: getattr(other, name)
        for name in FILLABLE
        if getattr(kept, name) in (None, "", ()) and getattr(other, name) not in (None, "", ())
    }
    return replace(kept, **changes) if changes else kept
