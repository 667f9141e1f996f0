"""All candidate pairs scored at once with array arithmetic, to the same values as the comparators.

Profiles are encoded once as sparse rows (concepts, hierarchy credit, NACE
lineage per level, languages) and dense columns (coordinates, country, size);
each registered component's batch form (see `matching.components`) computes its
values for a block of pairs from them with a few row-wise sparse products. The
per-pair comparators stay the reference and produce the explanations of the
matches that are kept; a conformance test holds the two forms to the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from profiles.taxonomy.nace import load_nace
from profiles.taxonomy.vocabulary import Vocabulary

from .components import REGISTRY, ArrayResult, BatchContext
from .components.base import rowwise_dot
from .components.counterpart import is_offer
from .features import ProfileFeatures
from .kinds import pair_classes
from .semantic import cosines

BLOCK = 200_000
VECTOR_BLOCK = 16_384  # pairs whose vectors are gathered at once (two int32 copies of 384 each)


@dataclass
class Encoding:
    """Column spaces of the arrays. Vocabulary and NACE columns are fixed; languages, countries and
    regions get the next free code when first seen, so rows encoded in different runs fit together."""

    concepts: dict[str, int]
    nace: list[dict[str, int]]  # one column space per NACE level 1..4
    languages: dict[str, int] = field(default_factory=dict)
    countries: dict[str, int] = field(default_factory=dict)
    regions: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def for_vocabulary(vocabulary: Vocabulary) -> Encoding:
        nace = load_nace()
        levels = [sorted(c for c, e in nace.entries.items() if e.level == level) for level in (1, 2, 3, 4)]
        return Encoding(
            concepts={c: i for i, c in enumerate(sorted(vocabulary.concepts))},
            nace=[{c: i for i, c in enumerate(codes)} for codes in levels],
        )

    def code(self, table: dict[str, int], value: str | None) -> int:
        return -1 if value is None else table.setdefault(value, len(table))


@dataclass
class FeatureArrays:
    concepts: sparse.csr_matrix
    credit: sparse.csr_matrix
    sought: sparse.csr_matrix
    nace_levels: list[sparse.csr_matrix]
    languages: sparse.csr_matrix
    lat: np.ndarray
    lon: np.ndarray
    country: np.ndarray
    region: np.ndarray
    size: np.ndarray
    offer: np.ndarray  # int8: 1 offer (BO, TO), 0 request, -1 no type
    offered: sparse.csr_matrix

    def take(self, rows: np.ndarray) -> FeatureArrays:
        return FeatureArrays(
            self.concepts[rows],
            self.credit[rows],
            self.sought[rows],
            [m[rows] for m in self.nace_levels],
            self.languages[rows],
            self.lat[rows],
            self.lon[rows],
            self.country[rows],
            self.region[rows],
            self.size[rows],
            self.offer[rows],
            self.offered[rows],
        )

    @staticmethod
    def stack(parts: list[FeatureArrays]) -> FeatureArrays:
        """Rows of all parts, in order; sparse blocks are widened to the widest part."""

        def vstack(mats: list[sparse.csr_matrix]) -> sparse.csr_matrix:
            width = max(m.shape[1] for m in mats)
            out = sparse.vstack(
                [sparse.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], width)) for m in mats],
                format="csr",
            )
            out.sort_indices()
            return out

        return FeatureArrays(
            vstack([p.concepts for p in parts]),
            vstack([p.credit for p in parts]),
            vstack([p.sought for p in parts]),
            [vstack([p.nace_levels[i] for p in parts]) for i in range(4)],
            vstack([p.languages for p in parts]),
            np.concatenate([p.lat for p in parts]),
            np.concatenate([p.lon for p in parts]),
            np.concatenate([p.country for p in parts]),
            np.concatenate([p.region for p in parts]),
            np.concatenate([p.size for p in parts]),
            np.concatenate([p.offer for p in parts]),
            vstack([p.offered for p in parts]),
        )


def _binary_rows(sets: list, index: dict, dtype=np.float32) -> sparse.csr_matrix:
    indptr, cols = [0], []
    for items in sets:
        cols.extend(sorted(index[i] for i in items if i in index))
        indptr.append(len(cols))
    data = np.ones(len(cols), dtype=dtype)
    return sparse.csr_matrix((data, np.array(cols, dtype=np.int32), np.array(indptr)), shape=(len(sets), len(index)))


def relatedness_matrix(vocabulary: Vocabulary, index: dict[str, int]) -> np.ndarray:
    ids = sorted(index, key=index.__getitem__)
    rel = np.zeros((len(ids), len(ids)), dtype=np.float32)
    for have in ids:
        for want in ids:
            rel[index[have], index[want]] = vocabulary.relatedness(have, want)
    return rel


_RELATEDNESS: dict[int, tuple[Vocabulary, np.ndarray]] = {}


def _relatedness(vocabulary: Vocabulary, index: dict[str, int]) -> np.ndarray:
    cached = _RELATEDNESS.get(id(vocabulary))
    if cached is None or cached[0] is not vocabulary:
        cached = _RELATEDNESS[id(vocabulary)] = (vocabulary, relatedness_matrix(vocabulary, index))
    return cached[1]


def encode(features: list[ProfileFeatures], vocabulary: Vocabulary, encoding: Encoding | None = None) -> FeatureArrays:
    """Arrays of `features`, in their order; `encoding` (extended in place) fixes the column spaces."""
    encoding = encoding or Encoding.for_vocabulary(vocabulary)
    concept_index = encoding.concepts
    rel = _relatedness(vocabulary, concept_index)
    credit_rows: dict[frozenset, np.ndarray] = {}
    credit = []
    for f in features:
        row = credit_rows.get(f.offered)
        if row is None:
            picked = [concept_index[c] for c in f.offered if c in concept_index]
            row = rel[picked].max(axis=0) if picked else np.zeros(len(concept_index), dtype=np.float32)
            credit_rows[f.offered] = row
        credit.append(row)
    credit_matrix = (
        sparse.csr_matrix(np.vstack(credit)) if credit else sparse.csr_matrix((0, len(concept_index)), dtype=np.float32)
    )
    nace = load_nace()
    lineages = [{c for code in f.nace for c in nace.lineage(code)} for f in features]
    for f in features:
        for lang in sorted(f.languages):
            encoding.code(encoding.languages, lang)
    return FeatureArrays(
        concepts=_binary_rows([f.concepts for f in features], concept_index),
        credit=credit_matrix,
        sought=_binary_rows([f.sought for f in features], concept_index),
        nace_levels=[_binary_rows(lineages, index) for index in encoding.nace],
        languages=_binary_rows([f.languages for f in features], encoding.languages),
        lat=np.array([np.nan if f.lat is None or f.lon is None else f.lat for f in features], dtype=np.float64),
        lon=np.array([np.nan if f.lat is None or f.lon is None else f.lon for f in features], dtype=np.float64),
        country=np.array([encoding.code(encoding.countries, f.country) for f in features], dtype=np.int64),
        region=np.array([encoding.code(encoding.regions, f.region) for f in features], dtype=np.int64),
        size=np.array([-1 if f.size_rank is None else f.size_rank for f in features], dtype=np.int64),
        offer=np.array([-1 if not f.type else int(is_offer(f.type)) for f in features], dtype=np.int8),
        offered=_binary_rows([f.offered for f in features], concept_index),
    )


@dataclass
class HistoryArrays:
    """What the exchange's history adds to the arrays: the learned goes-together strengths (concepts ×
    concepts, by the encoding's concept columns) and the firms' relationship matrix with each profile's
    firm code in it (-1: a firm without ties). None parts are missing components."""

    together: np.ndarray | None = None
    tie_codes: np.ndarray | None = None
    ties: sparse.csr_matrix | None = None


def vector_cosines(vectors: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Cosine of each pair's quantised vectors: whole-number dot products, exact in any order."""
    dots = np.zeros(len(left), dtype=np.int64)
    for start in range(0, len(left), VECTOR_BLOCK):
        part = slice(start, start + VECTOR_BLOCK)
        dots[part] = np.einsum("ij,ij->i", vectors[left[part]].astype(np.int32), vectors[right[part]].astype(np.int32))
    return cosines(dots)


def component_arrays(
    a: FeatureArrays,
    left: np.ndarray,
    right: np.ndarray,
    text: np.ndarray,
    scale_km: float,
    semantic: np.ndarray | None = None,
    history: HistoryArrays | None = None,
) -> dict[str, ArrayResult]:
    """name → (values, present) of every registered component for the pairs (left[i], right[i]), by
    each component's batch form; `text`: the pairs' TF-IDF cosines; `semantic`: their vector cosines,
    None when the multilingual model is unavailable (the component is then missing, not zero);
    `history`: the exchange's learned value chains and relationships (missing where None)."""
    ctx = BatchContext(a, left, right, text, semantic, scale_km, history or HistoryArrays())
    return {name: component.batch(ctx) for name, component in REGISTRY.items()}


def combine_arrays(components: dict[str, ArrayResult], weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean over present components; returns (scores, number of present components)."""
    n = len(next(iter(components.values()))[0])
    total, weight, present = np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int64)
    for name, w in weights.items():
        values, ok = components[name]
        if w > 0:
            total += np.where(ok, w * values, 0.0)
            weight += np.where(ok, w, 0.0)
            present += ok
    return np.divide(total, weight, out=np.zeros(n), where=weight > 0), present


def score_block(
    block: slice,
    arrays: FeatureArrays,
    matrix: sparse.csr_matrix,
    left: np.ndarray,
    right: np.ndarray,
    weights: dict[str, float],
    scale_km: float,
    vectors: np.ndarray | None = None,
    history: HistoryArrays | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores, present-component counts and classes (see `kinds.pair_classes`) of the pairs in `block`:
    one task of the scoring stage."""
    lo, hi = left[block], right[block]
    semantic = vector_cosines(vectors, lo, hi) if vectors is not None else None
    comps = component_arrays(arrays, lo, hi, rowwise_dot(matrix, lo, hi), scale_km, semantic, history)
    scores, present = combine_arrays(comps, weights)
    return scores, present, pair_classes(comps, arrays.offer[lo], arrays.offer[hi])


def score_arrays(
    arrays: FeatureArrays,
    left: np.ndarray,
    right: np.ndarray,
    text: np.ndarray,
    weights: dict[str, float],
    scale_km: float,
    semantic: np.ndarray | None = None,
    history: HistoryArrays | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    scores, present = np.zeros(len(left)), np.zeros(len(left), dtype=np.int64)
    for start in range(0, len(left), BLOCK):
        part = slice(start, start + BLOCK)
        comps = component_arrays(
            arrays, left[part], right[part], text[part], scale_km, None if semantic is None else semantic[part], history
        )
        scores[part], present[part] = combine_arrays(comps, weights)
    return scores, present
