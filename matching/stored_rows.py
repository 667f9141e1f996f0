"""The rows a run stores: each match scored again pair by pair for its full breakdown, and explained.

The array scorer chose the matches; the per-pair scorer gives the same numbers with the evidence
behind them (the conformance tests hold the two to that), and the explanation is read from that
evidence. Chunks of rows are independent of each other, so a store that writes JSON text can have
them worked out, JSON included, in forked worker processes while it writes the chunks before
(`forked`): that is most of a full run's write. The rows, and the JSON, are the same either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import orjson
from scipy import sparse

from profiles.taxonomy.vocabulary import Vocabulary

from .batch import vector_cosines
from .components import PairContext
from .config import MatchingConfig
from .explain import explain
from .features import ProfileFeatures
from .forked import forked_map
from .history import ExchangeHistory
from .kinds import kind_of
from .scorer import PairScore, score_pair
from .text_model import TfidfTextModel

CHUNK = 5_000  # rows per sparse product (and per task of a worker process)
FORK_FROM = 10_000  # rows: below this, forking costs about what it saves

LoadFeatures = Callable[[list[str]], list[ProfileFeatures]]
LoadTexts = Callable[[list[str]], list[str]]
Row = tuple[str, str, int, float, str, Any, Any]  # profile, other, rank, score, kind, components, explanation


@dataclass(frozen=True)
class RunModel:
    """What explaining reads of a run's state: keys by row, the text model and matrix, the vectors."""

    keys: np.ndarray
    model: TfidfTextModel
    matrix: sparse.csr_matrix
    vectors: np.ndarray | None
    config: MatchingConfig
    vocabulary: Vocabulary
    history: ExchangeHistory


def json_bytes(value: Any) -> bytes:
    """A JSON column's text as the stores write it (orjson, keys in insertion order)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def stored_rows(
    run: RunModel,
    inserts: tuple[np.ndarray, np.ndarray, np.ndarray],
    known: dict[str, ProfileFeatures],
    load_features: LoadFeatures,
    *,
    encoded: bool = False,
    processes: int = 1,
) -> Iterator[dict[str, Any]]:
    """The rows to insert (profile, other, rank, score, kind, components, explanation), in `inserts` order.

    `encoded`: components and explanation as JSON already written (`orjson.Fragment`), for a store
    that writes JSON text; then up to `processes` worker processes explain ahead of the caller.
    """
    profiles, others, ranks = inserts
    involved = np.unique(np.concatenate([profiles, others]))
    missing = [k for k in (str(run.keys[i]) for i in involved.tolist()) if k not in known]
    if missing:
        known.update((f.key, f) for f in load_features(missing))
    work = partial(_chunk, run, inserts, known, encoded)
    forks = processes if encoded and len(profiles) >= FORK_FROM else 1
    for chunk in forked_map(work, range(0, len(profiles), CHUNK), forks):
        for p, o, rank, score, kind, components, explanation in chunk:
            if encoded:
                components, explanation = orjson.Fragment(components), orjson.Fragment(explanation)
            yield {
                "profile": p,
                "other": o,
                "rank": rank,
                "score": score,
                "kind": kind,
                "components": components,
                "explanation": explanation,
            }


def _chunk(
    run: RunModel,
    inserts: tuple[np.ndarray, np.ndarray, np.ndarray],
    known: dict[str, ProfileFeatures],
    encoded: bool,
    begin: int,
) -> list[Row]:
    """The rows from `begin` on, one chunk: one sparse product for the chunk's pairs instead of one
    intersection per pair; both rows of a mutual match (side by side) scored once."""
    config = run.config
    profiles, others = inserts[0][begin : begin + CHUNK], inserts[1][begin : begin + CHUNK]
    ranks = inserts[2][begin : begin + CHUNK].tolist()
    low, high = np.minimum(profiles, others), np.maximum(profiles, others)
    sims, terms = run.model.cosines_and_terms(run.matrix, low, high, config.explanation_terms)
    meanings = None if run.vectors is None else vector_cosines(run.vectors, low, high)
    keys = run.keys
    out: list[Row] = []
    last: tuple[tuple[int, int], PairScore, PairContext, Any] | None = None
    for at, (p, o) in enumerate(zip(profiles.tolist(), others.tolist(), strict=True)):
        a, b = (p, o) if p < o else (o, p)
        if last is None or last[0] != (a, b):
            meaning = None if meanings is None else float(meanings[at])
            ctx = PairContext(
                run.vocabulary,
                config.geography_scale_km,
                float(sims[at]),
                terms[at],
                meaning,
                run.history.together,
                run.history.ties,
            )
            pair = score_pair(known[str(keys[a])], known[str(keys[b])], ctx, config)
            last = ((a, b), pair, ctx, json_bytes(pair.components) if encoded else pair.components)
        pair, ctx, components = last[1], last[2], last[3]
        profile, other = str(keys[p]), str(keys[o])
        kind, why = kind_of(known[profile], known[other], ctx)
        explanation: Any = {**explain(pair, p == a), "kind": kind, "kind_reason": why}
        if encoded:
            explanation = json_bytes(explanation)
        out.append((profile, other, ranks[at], pair.score, kind, components, explanation))
    return out
