"""The fitted text model: TF-IDF over profile texts, with estimator manners."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from profiles.errors import NotFitted

from .stopwords import STOP_WORDS

# Units of measure as they appear in profile texts (accents already stripped): shared, they say nothing
# about what two firms do, so they are never offered as shared terms (they still count in the cosine).
UNIT_TOKENS = frozenset(
    """μm um µm mm cm dm m km nm mil inch inches ft mg g kg t ton tons tonne tonnes lb lbs
    ml l cl dl m2 m3 mm2 mm3 cm2 cm3 qm s ms min h hr hrs hz khz mhz rpm w kw mw kwh mwh v kv mv ma
    pa kpa mpa gpa bar mbar psi kn pcs stk pct""".split()
)


def explanatory(term: str) -> bool:
    """Whether a shared term tells a reader something: a unigram that is not a unit of measure, a number
    or a lone letter; a bigram with at least one such word ("e coating" yes, "mm μm" no)."""

    def says_something(word: str) -> bool:
        word = word.replace("µ", "μ")
        return len(word) > 1 and word not in UNIT_TOKENS and any(ch.isalpha() for ch in word)

    return any(says_something(w) for w in term.split())


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
        self.__dict__.pop("_explanatory_mask", None)
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
        matrix = self.vectorizer_.transform(texts).tocsr()
        matrix.sort_indices()
        return matrix

    def fit_transform(self, texts: list[str]) -> sparse.csr_matrix:
        # One pass over the texts instead of fit() then transform(): tokenising is most of the cost.
        self.vectorizer_ = self._vectorizer()
        matrix = self.vectorizer_.fit_transform(texts).tocsr()
        matrix.sort_indices()  # explanations gather and multiply rows: sorted, they need no sorting there
        self.vocabulary_terms_ = self.vectorizer_.get_feature_names_out()
        self.__dict__.pop("_explanatory_mask", None)
        return matrix

    def cosine_and_terms(self, matrix: sparse.csr_matrix, i: int, j: int, n: int) -> tuple[float, tuple[str, ...]]:
        """Cosine of rows i and j and the n explanatory terms contributing most to it, best first
        (units of measure and lone letters count in the cosine but are not offered as terms).

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
        order = np.lexsort((common, -(a * b)))
        picked = common[order]
        picked = picked[self._explanatory_terms()[picked]][:n]
        return cosine, tuple(str(self.vocabulary_terms_[k]) for k in picked)

    def cosines_and_terms(
        self, matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray, n: int
    ) -> tuple[np.ndarray, list[tuple[str, ...]]]:
        """`cosine_and_terms` of every pair (left[k], right[k]) at once: one sparse product and one
        sort for all pairs, since explaining the stored matches one pair at a time costs more in numpy
        calls than in arithmetic."""
        self._check()
        # float32 products of float32 weights are exact in float64: the cosine sums them there, and the
        # terms are ordered by the float32 product, both as `cosine_and_terms` does
        both = matrix[left].astype(np.float64).multiply(matrix[right].astype(np.float64)).tocsr()
        both.sort_indices()
        rows = np.repeat(np.arange(len(left)), np.diff(both.indptr))
        cosines = np.bincount(rows, weights=both.data, minlength=len(left))
        terms: list[tuple[str, ...]] = [()] * len(left)
        if n == 0 or both.nnz == 0:
            return cosines, terms
        offered = self._explanatory_terms()[both.indices] & (both.data > 0)
        rows, common = rows[offered], both.indices[offered]
        weight = both.data[offered].astype(np.float32)
        rows, common = _by_row_weight_term(rows, weight, common, len(left), len(self.vocabulary_terms_))
        keep = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left") < n
        rows, names = rows[keep], [str(t) for t in self.vocabulary_terms_[common[keep]]]
        edges = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1], True])
        for begin, end in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True):
            terms[int(rows[begin])] = tuple(names[begin:end])
        return cosines, terms

    def _explanatory_terms(self) -> np.ndarray:
        """Per vocabulary term, whether it is `explanatory`: worked out once per fitted model (and
        not kept in a saved state, which stays as it was)."""
        mask = self.__dict__.get("_explanatory_mask")
        if mask is None:
            mask = np.fromiter((explanatory(str(t)) for t in self.vocabulary_terms_), bool, len(self.vocabulary_terms_))
            self.__dict__["_explanatory_mask"] = mask
        return mask

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_explanatory_mask", None)
        return state


def _by_row_weight_term(
    rows: np.ndarray, weight: np.ndarray, terms: np.ndarray, n_rows: int, n_terms: int
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, terms) ordered by row, then weight from the largest (float32, positive), then term.

    The three fit in one 64-bit key when the rows and terms are few enough (a float32's bits order
    like its value when it is positive): one sort of the keys instead of a three-key lexsort, an
    order of magnitude faster on the hundreds of thousands of shared terms of a chunk of pairs.
    """
    row_bits, term_bits = max(1, (n_rows - 1).bit_length()), max(1, (n_terms - 1).bit_length())
    if row_bits + 32 + term_bits > 64:
        order = np.lexsort((terms, -weight, rows))
        return rows[order], terms[order]
    descending = ~weight.view(np.uint32)
    key = (rows.astype(np.uint64) << np.uint64(32 + term_bits)) | (
        (descending.astype(np.uint64) << np.uint64(term_bits)) | terms.astype(np.uint64)
    )
    key.sort()
    term_mask = np.uint64((1 << term_bits) - 1)
    return (key >> np.uint64(32 + term_bits)).astype(np.int64), (key & term_mask).astype(terms.dtype)
