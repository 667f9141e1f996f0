"""Ways to score a (query, organisation) pair: the engine under some weights, and the baselines.

Each method scores the query against every candidate and, for the optimiser's
synergy, one organisation against another. Rankings break ties by key, so
they are the same on every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from matching.scorer import combine

from .cases import Case, Results


class Method:
    name: str

    def query_scores(self, case: Case) -> dict[str, float]:
        raise NotImplementedError

    def pair_score(self, case: Case, a: str, b: str) -> float:
        raise NotImplementedError

    def ranking(self, case: Case) -> list[str]:
        scores = self.query_scores(case)
        return sorted(case.candidates, key=lambda k: (-scores[k], k))


@dataclass
class Engine(Method):
    """The engine's score: the weighted mean of the present components (matching.scorer.combine)."""

    name: str
    weights: dict[str, float]

    def _score(self, results: Results) -> float:
        return combine(results, self.weights)[0]

    def query_scores(self, case: Case) -> dict[str, float]:
        return {k: self._score(case.results[k]) for k in case.candidates}

    def pair_score(self, case: Case, a: str, b: str) -> float:
        return self._score(case.pair_results(a, b))


@dataclass
class TextOnly(Method):
    """TF-IDF cosine alone (the engine's text component, nothing else)."""

    name: str = "TF-IDF cosine alone"

    @staticmethod
    def _value(results: Results) -> float:
        r = results.get("text")
        return r.value if r is not None else 0.0

    def query_scores(self, case: Case) -> dict[str, float]:
        return {k: self._value(case.results[k]) for k in case.candidates}

    def pair_score(self, case: Case, a: str, b: str) -> float:
        return self._value(case.pair_results(a, b))


@dataclass
class MeaningOnly(Method):
    """multilingual-e5-small cosine alone (the engine's semantic component, nothing else)."""

    name: str = "multilingual meaning alone"

    @staticmethod
    def _value(results: Results) -> float:
        r = results.get("semantic")
        return float(r.evidence["cosine"]) if r is not None else 0.0

    def query_scores(self, case: Case) -> dict[str, float]:
        return {k: self._value(case.results[k]) for k in case.candidates}

    def pair_score(self, case: Case, a: str, b: str) -> float:
        return self._value(case.pair_results(a, b))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass
class KeywordOverlap(Method):
    """Jaccard of the keyword sets (topic code and title, EuroSciVoc labels), folded as the engine folds."""

    name: str = "keyword overlap alone"

    def query_scores(self, case: Case) -> dict[str, float]:
        return {k: jaccard(case.query_keywords, case.org_keywords[k]) for k in case.candidates}

    def pair_score(self, case: Case, a: str, b: str) -> float:
        return jaccard(case.org_keywords[a], case.org_keywords[b])


@dataclass
class RandomOrder(Method):
    """Uniform random scores, seeded per project, so reruns agree.

    It knows nothing about pairs either, so it gives the optimiser no synergy:
    random pair scores would only add noise (and slow the solver down a lot).
    """

    seed: int = 20261121
    name: str = "random ranking"

    def query_scores(self, case: Case) -> dict[str, float]:
        rng = random.Random(f"{self.seed}:{case.project}")
        return {k: rng.random() for k in case.candidates}

    def pair_score(self, case: Case, a: str, b: str) -> float:
        return 0.0


@dataclass
class FewestProfiles(Method):
    """The sentinel: reads no content, only how many projects describe each organisation (fewest first,
    ties in seeded random order). On an honest protocol it must stay near random; on the leaky one it
    found the partners, because only they had lost a project."""

    seed: int = 20261206
    name: str = "sentinel: fewest projects first"

    def query_scores(self, case: Case) -> dict[str, float]:
        rng = random.Random(f"{self.seed}:{case.project}")
        return {k: -case.remaining[k] + 0.5 * rng.random() for k in case.candidates}

    def pair_score(self, case: Case, a: str, b: str) -> float:
        return 0.0


@dataclass
class FewestTies(Method):
    """A second sentinel, for the relationship graph: reads no content and not the searcher either, only how
    many ties each organisation has in the case's graph (fewest first, ties in seeded random order). If
    the graph were built so that members lose more than non-members, this would find the partners."""

    seed: int = 20261207
    name: str = "sentinel: fewest ties first"

    def query_scores(self, case: Case) -> dict[str, float]:
        rng = random.Random(f"{self.seed}:{case.project}")
        return {k: -case.degree.get(k, 0) + 0.5 * rng.random() for k in case.candidates}

    def pair_score(self, case: Case, a: str, b: str) -> float:
        return 0.0
