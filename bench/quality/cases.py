"""Leave-one-project-out cases: one held-out project, its query and every describable organisation.

An organisation is *describable* when it takes part in at least two projects,
so that something is left to describe it once any one project is held out.
For a held-out project P:

* the query is P's R&D Request (title, objective, topic, EuroSciVoc labels)
  from P's coordinator, the searcher;
* each describable organisation is one profile made by concatenating its
  profiles of all its projects but one — P's text never describes anyone.
  Members of P are described without P; every other organisation without a
  seeded random one of its own projects ("count-matched"). Dropping a project
  only from P's members (the "leaky" protocol of earlier runs) gives every real
  partner one description fewer than a non-member with the same record, and
  "fewest remaining projects first" alone then finds the partners;
* the TF-IDF model is fitted on exactly those descriptions plus the query
  (as the product fits on the published profiles, the request included), so
  it never sees P's organisation profiles either;
* the candidates are all describable organisations but the coordinator; the
  expected answer is P's describable members but the coordinator.

Component results are computed once per (query, organisation) pair with the
engine's own comparators, so every weight setting is a cheap recombination.

Three more results per pair come from `network`, built with the same rule: "relationship"
(co-participation ties over exactly the projects each organisation's text is built from,
never the held-out one), "composition" and "cross_border" (different kind of organisation,
different country). The engine's default weights ignore the last two; the relationship
component is the engine's own (checked against the registry's where it is registered).

The multilingual vectors are of each (organisation, project) profile's passage, as the
product embeds a profile; an organisation described by several projects gets their
mean (normalised and quantised as the engine stores vectors), so the held-out project
never shapes anyone's vector either. Vectors come from the product's vector cache, so
only the first run embeds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from matching.components import REGISTRY, ComponentResult, PairContext
from matching.config import MatchingConfig
from matching.features import ProfileFeatures, build_features
from matching.scorer import combine, score_pair, text_similarities
from matching.semantic import SCALE, quantise
from matching.semantic import cosines as vector_dots_to_cosines
from matching.text_model import TfidfTextModel
from matching.ties import Ties
from matching.vectors import VectorCache, vectors_for
from profiles.domain import Bid, Profile, ProfileStatus, ProfileType
from profiles.settings import Settings
from profiles.taxonomy.vocabulary import Vocabulary, fold, load_vocabulary

from . import network
from .importer import Imported

Results = dict[str, ComponentResult | None]
GEOGRAPHY_SCALE_KM = MatchingConfig().geography_scale_km
PROTOCOLS = ("matched", "leaky")
SEED = 20261206


@dataclass
class Case:
    project: str
    coordinator: str
    real: tuple[str, ...]  # describable partners (the expected answer)
    candidates: tuple[str, ...]  # describable organisations but the coordinator, sorted
    bid: Bid
    remaining: dict[str, int]  # candidate → how many projects describe it in this case
    query_keywords: frozenset[str]
    org_keywords: dict[str, frozenset[str]]
    results: dict[str, Results]  # candidate → engine component results against the query
    # For the optimiser's synergy between organisations: their features (text dropped, it is
    # already in the TF-IDF vectors) and their pairwise cosines. Small enough to ship to workers.
    features: dict[str, ProfileFeatures] = field(repr=False, default_factory=dict)
    cosines: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    meanings: np.ndarray | None = field(repr=False, default=None)  # organisations' vector cosines
    degree: dict[str, int] = field(default_factory=dict)  # candidate → its ties in this case's graph
    pair_cache: dict[tuple[str, str], Results] = field(repr=False, default_factory=dict)
    _index: dict[str, int] = field(repr=False, default_factory=dict)

    def pair_results(self, a: str, b: str) -> Results:
        key = (a, b) if a < b else (b, a)
        if key not in self.pair_cache:
            if not self._index:
                self._index.update({k: i for i, k in enumerate(self.features)})
            i, j = self._index[key[0]], self._index[key[1]]
            meaning = None if self.meanings is None else float(self.meanings[i, j])
            self.pair_cache[key] = compare_all(
                self.features[key[0]], self.features[key[1]], float(self.cosines[i, j]), load_vocabulary(), meaning
            )
        return self.pair_cache[key]


def compare_all(
    a: ProfileFeatures, b: ProfileFeatures, similarity: float, vocabulary: Vocabulary, meaning: float | None = None
) -> Results:
    """Every registered comparator on one pair (text and vector cosines precomputed, as the scorer does)."""
    ctx = PairContext(vocabulary, GEOGRAPHY_SCALE_KM, similarity, (), meaning)
    return {name: comparator.compare(a, b, ctx) for name, comparator in REGISTRY.items()}


def describe(key: str, profiles: list[Profile]) -> Profile:
    """One organisation profile from several: texts concatenated, keywords united (first seen first)."""
    words: list[str] = []
    for p in profiles:
        words += [k for k in p.keywords if k not in words]
    return Profile(
        key=key,
        firm_key=key,
        type=ProfileType.TECHNOLOGY_OFFER,
        title=" / ".join(p.title for p in profiles),
        summary="\n".join(p.summary for p in profiles),
        description="\n".join(p.description for p in profiles if p.description),
        keywords=tuple(words),
        status=ProfileStatus.PUBLISHED,
    )


class CaseBuilder:
    def __init__(
        self,
        data: Imported,
        vocabulary: Vocabulary | None = None,
        protocol: str = "matched",
        vector_cache: Path | None = None,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}")
        self.protocol = protocol
        self.data = data
        self.vocabulary = vocabulary or load_vocabulary()
        self.config = MatchingConfig()
        projects: dict[str, list[str]] = {}
        for firm, pid in sorted(data.offers):
            projects.setdefault(firm, []).append(pid)
        self.projects_of = projects
        self.describable = sorted(f for f, ps in projects.items() if len(ps) >= 2)
        self.members_of = network.project_members(data.offers)
        # Every description a case can use: each organisation without each one of its projects
        # (and, for the leaky protocol, with all of them), built once before workers fork.
        self._variants = {
            (f, d): self._features(f, d)
            for f in self.describable
            for d in self.projects_of[f] + ([None] if protocol == "leaky" else [])
        }
        # Folded keyword sets per (organisation, project), folded once rather than once per case.
        self._folded = {k: frozenset(fold(w) for w in p.keywords) for k, p in data.offers.items()}
        self.semantic_unavailable: str | None = None
        self._meaning: dict[tuple[str, str | None], np.ndarray] = {}
        self._query_meaning: dict[str, np.ndarray] = {}
        self._embed(vector_cache)

    def _embed(self, vector_cache: Path | None) -> None:
        """Vectors of every organisation variant and query, from each project profile's passage."""
        pairs = sorted((f, p) for f in self.describable for p in self.projects_of[f])
        queries = sorted(self.data.queries)
        features = [build_features(self.data.offers[k], self.data.firms[k[0]], self.vocabulary) for k in pairs]
        features += [
            build_features(self.data.queries[q], self.data.firms[self.data.queries[q].firm_key], self.vocabulary)
            for q in queries
        ]
        cache = VectorCache(vector_cache or Settings().vector_cache_dir())
        embedded = vectors_for([f.passage for f in features], cache=cache)
        if embedded.vectors is None:
            self.semantic_unavailable = embedded.unavailable
            return
        values = embedded.vectors.values.astype(np.float32) / SCALE
        of_pair = dict(zip(pairs, values[: len(pairs)], strict=True))
        self._query_meaning = dict(zip(queries, quantise(values[len(pairs) :]), strict=True))
        for firm, held_out in self._variants:
            mean = np.mean([of_pair[(firm, p)] for p in self.projects_of[firm] if p != held_out], axis=0)
            self._meaning[(firm, held_out)] = quantise(mean / max(float(np.linalg.norm(mean)), 1e-9))

    def _features(self, firm: str, held_out: str | None) -> ProfileFeatures:
        profiles = [self.data.offers[(firm, p)] for p in self.projects_of[firm] if p != held_out]
        return build_features(describe(firm, profiles), self.data.firms[firm], self.vocabulary)

    def _keywords(self, firm: str, held_out: str | None) -> frozenset[str]:
        return frozenset().union(*(self._folded[(firm, p)] for p in self.projects_of[firm] if p != held_out))

    def dropped(self, firm: str, project: str, members: set[str]) -> str | None:
        """The project left out of `firm`'s description while `project` is held out."""
        if firm in members:
            return project
        if self.protocol == "leaky":
            return None
        return random.Random(f"{SEED}:{project}:{firm}").choice(self.projects_of[firm])

    def expected(self, project: str) -> tuple[str, tuple[str, ...]]:
        coordinator = self.data.queries[project].firm_key
        members = set(self.data.members(project))
        return coordinator, tuple(f for f in self.describable if f in members and f != coordinator)

    def evaluable(self) -> list[str]:
        """Projects with a query and at least two describable partners, by id."""
        return [p for p in sorted(self.data.queries) if len(self.expected(p)[1]) >= 2]

    def build(self, project: str) -> Case:
        coordinator, real = self.expected(project)
        members = set(self.data.members(project))
        drop = {f: self.dropped(f, project, members) for f in self.describable}
        orgs = {f: self._variants[(f, drop[f])] for f in self.describable}
        query_profile = self.data.queries[project]
        query = build_features(query_profile, self.data.firms[coordinator], self.vocabulary)
        keys = list(orgs)
        model = TfidfTextModel(self.config.tfidf_max_features, self.config.tfidf_ngram_max)
        matrix = model.fit_transform([orgs[k].text for k in keys] + [query.text])
        q = len(keys)
        candidates = tuple(k for k in keys if k != coordinator)
        index = {k: i for i, k in enumerate(keys)}
        sims = text_similarities(matrix, [(q, index[k]) for k in candidates])
        meanings, to_query = None, dict.fromkeys(candidates)
        if self._meaning:
            vectors = np.stack([self._meaning[(k, drop[k])] for k in keys]).astype(np.int32)
            meanings = vector_dots_to_cosines(vectors @ vectors.T).astype(np.float32)
            dots = vector_dots_to_cosines(vectors @ self._query_meaning[project].astype(np.int32))
            to_query = {k: float(dots[index[k]]) for k in candidates}
        results = {
            k: compare_all(query, orgs[k], float(s), self.vocabulary, to_query[k])
            for k, s in zip(candidates, sims, strict=True)
        }
        self._check_against_scorer(
            query, orgs[candidates[0]], float(sims[0]), results[candidates[0]], to_query[candidates[0]]
        )
        labelled = network.case_ties(self.members_of, project, drop)
        ties = Ties.build(t for _, t in labelled)
        self._add_network(query, orgs, coordinator, candidates, results, ties)
        extra = network.searcher_ties(self.members_of, project, drop, coordinator)
        everything = Ties.build(t for _, t in labelled + extra)
        for k in candidates:
            results[k][network.ALL_SEARCHER_TIES] = network.relationship(everything, coordinator, k)
        cosines = (matrix[:q] @ matrix[:q].T).toarray().astype(np.float32)
        remaining = {k: len(self.projects_of[k]) - (drop[k] is not None) for k in candidates}
        return Case(
            project,
            coordinator,
            real,
            candidates,
            self.data.bids[project],
            remaining,
            frozenset(fold(k) for k in query_profile.keywords),
            {k: self._keywords(k, drop[k]) for k in candidates},
            results,
            {k: replace(orgs[k], text="") for k in keys},
            cosines,
            meanings,
            degree={k: ties.degree(k) for k in candidates},
        )

    def ties(self, project: str, drop: dict[str, str | None]) -> Ties:
        """The case's co-participation graph: every organisation's ties from the projects its text uses."""
        return Ties.build(t for _, t in network.case_ties(self.members_of, project, drop))

    def _add_network(
        self,
        query: ProfileFeatures,
        orgs: dict[str, ProfileFeatures],
        coordinator: str,
        candidates: tuple[str, ...],
        results: dict[str, Results],
        ties: Ties,
    ) -> None:
        firms = self.data.firms
        for k in candidates:
            results[k]["relationship"] = network.relationship(ties, coordinator, k)
            results[k]["composition"] = network.composition(firms[coordinator], firms[k])
            results[k]["cross_border"] = network.cross_border(firms[coordinator], firms[k])
        registered = REGISTRY.get("relationship")
        if registered is not None and "ties" in PairContext.__dataclass_fields__:
            # The benchmark's value must be the engine component's on the same graph.
            k = next((c for c in candidates if results[c]["relationship"] is not None), candidates[0])
            ctx = PairContext(self.vocabulary, self.config.geography_scale_km, ties=ties)
            if registered.compare(query, orgs[k], ctx) != results[k]["relationship"]:
                raise RuntimeError(
                    "matching/components/relationship.py no longer equals "
                    "bench/quality/network.relationship; update the benchmark"
                )

    def _check_against_scorer(
        self, a: ProfileFeatures, b: ProfileFeatures, sim: float, results: Results, meaning: float | None
    ) -> None:
        # The evaluation recombines cached components; make sure that is still what score_pair does.
        ctx = PairContext(self.vocabulary, self.config.geography_scale_km, sim, (), meaning)
        expected = score_pair(a, b, ctx, self.config).score
        if combine(results, self.config.weights)[0] != expected:
            raise RuntimeError(
                "matching.scorer.score_pair no longer equals combine() of the components; update bench/quality/cases.py"
            )
