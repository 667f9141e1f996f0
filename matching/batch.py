"""All candidate pairs scored at once with array arithmetic, to the same values as the comparators.

Each component of `matching.components` has an array twin here: profiles are
encoded once as sparse rows (concepts, hierarchy credit, NACE lineage per
level, languages) and dense columns (coordinates, country, size), and a
component for a block of pairs is a few row-wise sparse products. The per-pair
comparators stay the reference and produce the explanations of the matches
that are kept; a test holds the two to the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from profiles.taxonomy.nace import load_nace
from profiles.taxonomy.vocabulary import Vocabulary

from .components.geography import OTHER_COUNTRY, SAME_COUNTRY
from .features import ProfileFeatures

EARTH_RADIUS_KM = 6371.0
NACE_VALUE = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
BLOCK = 200_000


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


def _binary_rows(sets: list, index: dict) -> sparse.csr_matrix:
    indptr, cols = [0], []
    for items in sets:
        cols.extend(sorted(index[i] for i in items if i in index))
        indptr.append(len(cols))
    data = np.ones(len(cols), dtype=np.float32)
    return sparse.csr_matrix((data, np.array(cols, dtype=np.int32), np.array(indptr)), shape=(len(sets), len(index)))


def _codes(values: list) -> np.ndarray:
    """Small integer codes; -1 for missing."""
    table: dict = {}
    return np.array([-1 if v is None else table.setdefault(v, len(table)) for v in values], dtype=np.int64)


def relatedness_matrix(vocabulary: Vocabulary, index: dict[str, int]) -> np.ndarray:
    ids = sorted(index, key=index.get)
    rel = np.zeros((len(ids), len(ids)), dtype=np.float32)
    for have in ids:
        for want in ids:
            rel[index[have], index[want]] = vocabulary.relatedness(have, want)
    return rel


def encode(features: list[ProfileFeatures], vocabulary: Vocabulary) -> FeatureArrays:
    concept_index = {c: i for i, c in enumerate(sorted(vocabulary.concepts))}
    rel = relatedness_matrix(vocabulary, concept_index)
    credit_rows: dict[frozenset, np.ndarray] = {}
    credit = []
    for f in features:
        row = credit_rows.get(f.offered)
        if row is None:
            picked = [concept_index[c] for c in f.offered if c in concept_index]
            row = rel[picked].max(axis=0) if picked else np.zeros(len(concept_index), dtype=np.float32)
            credit_rows[f.offered] = row
        credit.append(row)
    credit_matrix = sparse.csr_matrix(np.vstack(credit)) if credit else sparse.csr_matrix((0, len(concept_index)))
    nace = load_nace()
    lineages = [[nace.lineage(code) for code in f.nace] for f in features]
    nace_levels = []
    for level in (1, 2, 3, 4):
        nodes = sorted({c for lin in lineages for codes in lin for c in codes if nace.entries[c].level == level})
        node_index = {c: i for i, c in enumerate(nodes)}
        nace_levels.append(_binary_rows([{c for codes in lin for c in codes} for lin in lineages], node_index))
    languages = sorted({lang for f in features for lang in f.languages})
    return FeatureArrays(
        concepts=_binary_rows([f.concepts for f in features], concept_index),
        credit=credit_matrix,
        sought=_binary_rows([f.sought for f in features], concept_index),
        nace_levels=nace_levels,
        languages=_binary_rows([f.languages for f in features], {lang: i for i, lang in enumerate(languages)}),
        lat=np.array([np.nan if f.lat is None or f.lon is None else f.lat for f in features]),
        lon=np.array([np.nan if f.lat is None or f.lon is None else f.lon for f in features]),
        country=_codes([f.country for f in features]),
        region=_codes([f.region for f in features]),
        size=np.array([-1 if f.size_rank is None else f.size_rank for f in features], dtype=np.int64),
    )


def rowwise_dot(matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return np.asarray(matrix[left].multiply(matrix[right]).sum(axis=1), dtype=np.float64).ravel()


def _row_counts(matrix: sparse.csr_matrix) -> np.ndarray:
    return np.diff(matrix.indptr)


def component_arrays(a: FeatureArrays, left: np.ndarray, right: np.ndarray, text: np.ndarray,
                     scale_km: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name → (values, present) for the pairs (left[i], right[i])."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    out["text"] = (np.clip(text, 0.0, 1.0), np.ones(len(left), dtype=bool))

    counts = _row_counts(a.concepts)
    shared = rowwise_dot(a.concepts, left, right)
    union = counts[left] + counts[right] - shared
    present = (counts[left] > 0) & (counts[right] > 0)
    out["capabilities"] = (np.divide(shared, union, out=np.zeros_like(shared), where=union > 0), present)

    need = _row_counts(a.sought)
    a_gives = np.asarray(a.credit[left].multiply(a.sought[right]).sum(axis=1)).ravel()
    b_gives = np.asarray(a.credit[right].multiply(a.sought[left]).sum(axis=1)).ravel()
    a_to_b = np.divide(a_gives, need[right], out=np.zeros_like(a_gives, dtype=np.float64), where=need[right] > 0)
    b_to_a = np.divide(b_gives, need[left], out=np.zeros_like(b_gives, dtype=np.float64), where=need[left] > 0)
    out["complementarity"] = (np.maximum(a_to_b, b_to_a), (need[left] > 0) | (need[right] > 0))

    deepest = np.zeros(len(left), dtype=np.int64)
    for level, matrix in enumerate(a.nace_levels, start=1):
        deepest = np.where(rowwise_dot(matrix, left, right) > 0, level, deepest)
    has_nace = _row_counts(a.nace_levels[0]) > 0
    out["sector"] = (NACE_VALUE[deepest], has_nace[left] & has_nace[right])

    coords = ~np.isnan(a.lat[left]) & ~np.isnan(a.lat[right])
    p1, p2 = np.radians(a.lat[left]), np.radians(a.lat[right])
    dl = np.radians(a.lon[right] - a.lon[left])
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(np.nan_to_num(h))))
    same_country = (a.country[left] == a.country[right]) & (a.country[left] >= 0)
    same_region = same_country & (a.region[left] == a.region[right]) & (a.region[left] >= 0)
    by_country = np.where(same_region, 1.0, np.where(same_country, SAME_COUNTRY, OTHER_COUNTRY))
    geo = np.where(coords, np.exp(-km / scale_km), by_country)
    out["geography"] = (geo, coords | ((a.country[left] >= 0) & (a.country[right] >= 0)))

    size_ok = (a.size[left] >= 0) & (a.size[right] >= 0)
    out["size"] = (1.0 - np.abs(a.size[left] - a.size[right]) / 3.0, size_ok)

    langs = _row_counts(a.languages)
    out["language"] = ((rowwise_dot(a.languages, left, right) > 0).astype(np.float64),
                       (langs[left] > 0) & (langs[right] > 0))
    return out


def combine_arrays(components: dict[str, tuple[np.ndarray, np.ndarray]],
                   weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
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


def score_arrays(arrays: FeatureArrays, left: np.ndarray, right: np.ndarray, text: np.ndarray,
                 weights: dict[str, float], scale_km: float) -> tuple[np.ndarray, np.ndarray]:
    scores, present = np.zeros(len(left)), np.zeros(len(left), dtype=np.int64)
    for start in range(0, len(left), BLOCK):
        part = slice(start, start + BLOCK)
        comps = component_arrays(arrays, left[part], right[part], text[part], scale_km)
        scores[part], present[part] = combine_arrays(comps, weights)
    return scores, present
