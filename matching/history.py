"""The exchange's history as the matcher reads it: value chains learned from bids, consortia and
relations, and the relationship graph of its firms. Built from plain records (the database layer
fetches them), so a benchmark or a test builds the same thing from its own data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from .batch import HistoryArrays
from .ties import Tie, Ties
from .together import Event, GoesTogether, learn


@dataclass(frozen=True)
class RelationRecord:
    """A firm's supplier or customer; `counterpart_firm` when the counterpart is on the exchange."""

    firm: str
    direction: str  # "supplier": the firm buys from the counterpart; "customer": sells to it
    counterpart_key: str
    counterpart_name: str
    counterpart_firm: str | None = None
    concept: str | None = None  # what is bought or sold, when the vocabulary knows it


@dataclass(frozen=True)
class HistoryRecords:
    bids: list[frozenset[str]] = field(default_factory=list)  # each bid's requirement concepts
    consortia: list[tuple[str, ...]] = field(default_factory=list)  # member firms of accepted proposals
    introductions: list[tuple[str, str]] = field(default_factory=list)  # firms of accepted interests
    relations: list[RelationRecord] = field(default_factory=list)
    offers: dict[str, frozenset[str]] = field(default_factory=dict)  # firm → concepts it offers


def records_from(plain: dict) -> HistoryRecords:
    """HistoryRecords from the database layer's plain dicts and lists."""
    return HistoryRecords(
        bids=[frozenset(b) for b in plain.get("bids", [])],
        consortia=[tuple(c) for c in plain.get("consortia", [])],
        introductions=[tuple(i) for i in plain.get("introductions", [])],
        relations=[RelationRecord(**r) for r in plain.get("relations", [])],
        offers={k: frozenset(v) for k, v in plain.get("offers", {}).items()},
    )


@dataclass(frozen=True)
class ExchangeHistory:
    together: GoesTogether | None = None
    ties: Ties | None = None

    def digest(self) -> str:
        parts = [
            self.together.digest() if self.together is not None else "-",
            self.ties.digest() if self.ties is not None else "-",
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def arrays(self, concept_index: dict[str, int], firms: np.ndarray) -> HistoryArrays:
        together = self.together.matrix(concept_index) if self.together is not None and self.together.strength else None
        if self.ties is None or not self.ties.firms:
            return HistoryArrays(together)
        index = self.ties.firm_index()
        codes = np.array([index.get(str(f), -1) for f in firms], dtype=np.int64)
        return HistoryArrays(together, codes, self.ties.matrix())


def events(records: HistoryRecords) -> list[Event]:
    out = [Event("bid", frozenset(b)) for b in records.bids]
    for members in records.consortia:
        firms = sorted(set(members))
        for i, a in enumerate(firms):
            for b in firms[i + 1 :]:
                left, right = records.offers.get(a, frozenset()), records.offers.get(b, frozenset())
                if left and right:
                    out.append(Event("consortium", left, right))
    for r in records.relations:
        own = records.offers.get(r.firm, frozenset())
        if r.concept and own:
            out.append(Event("relation", own, frozenset({r.concept})))
    return out


def ties(records: HistoryRecords) -> list[Tie]:
    out: list[Tie] = []
    for members in records.consortia:
        firms = sorted(set(members))
        out.extend(Tie("consortium", a, b) for i, a in enumerate(firms) for b in firms[i + 1 :])
    out.extend(Tie("introduction", a, b) for a, b in records.introductions if a != b)
    supplies = set()  # one relation is often recorded by both firms
    for r in records.relations:
        supplier = r.direction == "customer"  # the firm sells to the counterpart
        if r.counterpart_firm:
            a, b = (r.firm, r.counterpart_firm) if supplier else (r.counterpart_firm, r.firm)
            if (a, b) not in supplies:
                supplies.add((a, b))
                out.append(Tie("supplies", a, b))
        else:
            out.append(
                Tie(
                    "relation",
                    r.firm,
                    r.counterpart_key,
                    outside=True,
                    name=r.counterpart_name,
                    role="supply" if supplier else "buy from",
                )
            )
    return out


def build_history(records: HistoryRecords, vocabulary=None) -> ExchangeHistory:
    related = None
    if vocabulary is not None:

        def related(x: str, y: str) -> bool:
            return vocabulary.relatedness(x, y) > 0 or vocabulary.relatedness(y, x) > 0

    graph = ties(records)
    return ExchangeHistory(learn(events(records), related), Ties.build(graph) if graph else None)
