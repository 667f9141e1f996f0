"""The fitted text model: TF-IDF over profile texts, with estimator manners."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from profiles.errors import NotFitted

from .stopwords import STOP_WORDS


def _stop_words() -> set[str]:
    from profiles.taxonomy.vocabulary import fold

    return set(STOP_WORDS) | {fold(w) for w in STOP_WORDS}


class TfidfTextModel:
    """L2-normalised TF-IDF vectors of profile texts; cosine is a sparse dot product."""

    def __init__(self, max_features: int = 50_000, ngram_max: int = 2) -> None:
        self.max_features = max_features
        self.ngram_max = ngram_max

    def fit(self, texts: list[str]) -> TfidfTextModel:
        self.vectorizer_ = self._vectorizer()
        self.vectorizer_.fit(texts)
        self.vocabulary_terms_ = self.vectorizer_.get_feature_names_out()
        return self

    def _vectorizer(self) -> TfidfVectorizer:
        # min_df=1: small exchanges have many one-off technical terms worth matching on.
        # Accents are stripped after stop-word removal, so stop words are matched in their
        # accent-free form too; tokens must contain a letter (bare numbers are not topics).
        return TfidfVectorizer(
            strip_accents="unicode",
            lowercase=True,
            sublinear_tf=True,
            min_df=1,
            stop_words=sorted(_stop_words()),
            token_pattern=r"(?u)\b\w*[^\W\d_]\w*\b",
            ngram_range=(1, self.ngram_max),
            max_features=self.max_features,
            dtype=np.float32,
        )

    def _check(self) -> None:
        if not hasattr(self, "vectorizer_"):
            raise NotFitted("TfidfTextModel is not fitted; call fit(texts) first")

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        self._check()
        return self.vectorizer_.transform(texts).tocsr()

    def fit_transform(self, texts: list[str]) -> sparse.csr_matrix:
        # One pass over the texts instead of fit() then transform(): tokenising is most of the cost.
        self.vectorizer_ = self._vectorizer()
        matrix = self.vectorizer_.fit_transform(texts).tocsr()
        self.vocabulary_terms_ = self.vectorizer_.get_feature_names_out()
        return matrix

    def cosine_and_terms(self, matrix: sparse.csr_matrix, i: int, j: int, n: int) -> tuple[float, tuple[str, ...]]:
        """Cosine of rows i and j and the n terms contributing most to it, best first.

        Works on the CSR arrays directly, from one intersection: slicing a scipy row per pair costs
        more than the whole product, and explanations are built for every stored match.
        """
        self._check()
        lo_i, hi_i, lo_j, hi_j = matrix.indptr[i], matrix.indptr[i + 1], matrix.indptr[j], matrix.indptr[j + 1]
        common, ia, ib = np.intersect1d(
            matrix.indices[lo_i:hi_i], matrix.indices[lo_j:hi_j], assume_unique=True, return_indices=True
        )
        if len(common) == 0:
            return 0.0, ()
        a, b = matrix.data[lo_i:hi_i][ia], matrix.data[lo_j:hi_j][ib]
        cosine = float(np.dot(a.astype(np.float64), b.astype(np.float64)))
        if cosine <= 0 or n == 0:
            return cosine, ()
        order = np.lexsort((common, -(a * b)))[:n]
        return cosine, tuple(str(self.vocabulary_terms_[common[k]]) for k in order)
