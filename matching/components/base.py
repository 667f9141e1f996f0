"""What every score component is: a comparator for one pair and its array twin for a block of pairs.

The scalar form (`compare`) reads two ProfileFeatures and returns a ComponentResult
(value in [0, 1] and the evidence behind it), or None when the data it needs is
missing on either side. The batch form (`batch`) computes the same values for a
block of candidate pairs at once from the encoded profiles (see `matching.batch`):
the values and, per pair, whether the component is present. The two forms must
agree pair for pair; a conformance test holds every registered component to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from ..batch import FeatureArrays, HistoryArrays
    from ..features import ProfileFeatures

# A batch form's result: each pair's value and whether the component is present for it.
ArrayResult = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class ComponentResult:
    value: float
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class PairContext:
    """Shared, read-only helpers the comparators need (vocabulary, settings, precomputed text)."""

    vocabulary: Any
    geography_scale_km: float = 600.0
    text_similarity: float | None = None
    text_terms: tuple[str, ...] = ()
    semantic_similarity: float | None = None  # cosine of the multilingual vectors; None: unavailable
    together: Any = None  # matching.together.GoesTogether learned from the exchange; None: no history
    ties: Any = None  # matching.ties.Ties of the exchange's firms; None: no relationship data


@dataclass(frozen=True)
class BatchContext:
    """The pairs (left[i], right[i]) of a block over the encoded profiles, and what the batch forms read
    besides: the array twin of PairContext."""

    arrays: FeatureArrays
    left: np.ndarray
    right: np.ndarray
    text: np.ndarray  # TF-IDF cosine of each pair
    semantic: np.ndarray | None  # cosine of each pair's multilingual vectors; None: the model is unavailable
    scale_km: float
    history: HistoryArrays  # learned value chains and firm ties (None parts: missing components)

    @property
    def size(self) -> int:
        return len(self.left)

    def dot(self, matrix: sparse.csr_matrix) -> np.ndarray:
        """Each pair's row-wise dot product in `matrix` (one row per profile)."""
        return rowwise_dot(matrix, self.left, self.right)

    def everywhere(self) -> np.ndarray:
        """Present for every pair."""
        return np.ones(self.size, dtype=bool)

    def missing(self) -> ArrayResult:
        """The component is missing for every pair (not zero: left out of the score)."""
        return np.zeros(self.size), np.zeros(self.size, dtype=bool)


@dataclass(frozen=True)
class Component:
    """A score component: its name, both forms, and how explanations name it."""

    name: str
    compare: Callable[[ProfileFeatures, ProfileFeatures, PairContext], ComponentResult | None]
    batch: Callable[[BatchContext], ArrayResult]
    label: str  # a driver of a match, in words ("offer meets need")
    description: str = ""  # how the value is computed
    symmetric: bool = True


def rowwise_dot(matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Dot product of each pair's rows, pair by pair (the cosine, for L2-normalised rows)."""
    return np.asarray(matrix[left].multiply(matrix[right]).sum(axis=1), dtype=np.float64).ravel()


def row_counts(matrix: sparse.csr_matrix) -> np.ndarray:
    """Stored entries per row: how many concepts, codes or languages each profile has."""
    return np.diff(matrix.indptr)
