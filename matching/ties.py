"""Who has worked with whom: the relationship signal between two firms, with the words behind it.

The graph's nodes are firms of the exchange and outside organisations (customers
and suppliers named in relations, other projects' partners). Its edges are
*ties*: an accepted introduction, membership of the same accepted consortium, a
supplier/customer relation. Two firms are related directly (they have worked
together) or through shared partners, weighed by Adamic–Adar: a shared partner
with few ties says more than a hub everyone supplies.

    value = 1 - exp(-(direct + SHARED_WEIGHT * adamic_adar))

so one direct tie gives 0.63, two 0.86, one shared partner of two firms 0.51.
The value is present only when both firms have ties at all: a firm new to the
exchange is unknown, not unrelated.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

SHARED_WEIGHT = 0.5
SHOWN = 3  # shared partners named in an explanation

# How a tie reads in words, by its kind: (one, many) with {n} and {name}.
WORDS = {
    "consortium": ("worked together in an accepted consortium", "worked together in {n} accepted consortia"),
    "introduction": ("were introduced through the exchange", "were introduced through the exchange {n} times"),
    "project": ("worked together in another project", "worked together in {n} other projects"),
}


@dataclass(frozen=True)
class Tie:
    """One edge. `a` is always a firm of the exchange; `b` a firm or an outside node (`outside=True`).
    For "supplies", `a` supplies `b`; `role` says how `a` relates to an outside node ("supply", "buy from",
    "partner with") for shared-partner sentences."""

    kind: str
    a: str
    b: str
    outside: bool = False
    name: str = ""  # the outside node's display name
    role: str = "partner with"


@dataclass
class Ties:
    """The graph, ready to answer pair questions for firms of the exchange."""

    direct: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # (min, max) → kind → count
    supplies: set[tuple[str, str]] = field(default_factory=set)  # (supplier, customer)
    neighbours: dict[str, set[str]] = field(default_factory=dict)  # node → nodes
    names: dict[str, str] = field(default_factory=dict)  # outside node → name
    roles: dict[tuple[str, str], str] = field(default_factory=dict)  # (firm, outside) → role
    firms: frozenset[str] = frozenset()

    @staticmethod
    def build(ties: Iterable[Tie]) -> Ties:
        out = Ties()
        direct: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        neighbours: dict[str, set[str]] = defaultdict(set)
        firms = set()
        for t in ties:
            if t.a == t.b:
                continue
            firms.add(t.a)
            other = ("o:" + t.b) if t.outside else t.b
            neighbours[t.a].add(other)
            neighbours[other].add(t.a)
            if t.outside:
                out.names[other] = t.name or t.b
                out.roles[(t.a, other)] = t.role
                continue
            firms.add(t.b)
            direct[(min(t.a, t.b), max(t.a, t.b))][t.kind] += 1
            if t.kind == "supplies":
                out.supplies.add((t.a, t.b))
        out.direct = {k: dict(v) for k, v in direct.items()}
        out.neighbours = dict(neighbours)
        out.firms = frozenset(firms)
        return out

    def knows(self, firm: str) -> bool:
        return firm in self.firms

    def degree(self, node: str) -> int:
        return len(self.neighbours.get(node, ()))

    def shared(self, a: str, b: str) -> list[str]:
        """Common neighbours, the most telling (fewest ties) first."""
        common = self.neighbours.get(a, set()) & self.neighbours.get(b, set())
        return sorted(common, key=lambda z: (self.degree(z), z))

    def adamic_adar(self, a: str, b: str) -> float:
        return sum(1.0 / math.log(self.degree(z)) for z in self.shared(a, b) if self.degree(z) > 1)

    def strength(self, a: str, b: str) -> float | None:
        if a == b or not (self.knows(a) and self.knows(b)):
            return None
        direct = sum(self.direct.get((min(a, b), max(a, b)), {}).values())
        return 1.0 - math.exp(-(direct + SHARED_WEIGHT * self.adamic_adar(a, b)))

    def evidence(self, a: str, b: str) -> dict[str, Any]:
        """The ties behind a pair, in words that read the same from either side ("both supply
        Südwerk"); who supplies whom is kept as "a"/"b" so each side's explanation says "you"/"they".
        Firms of the exchange are never named here: shared ones are counted."""
        counts = self.direct.get((min(a, b), max(a, b)), {})
        lines = []
        for kind in ("consortium", "introduction", "project"):
            n = counts.get(kind, 0)
            if n:
                one, many = WORDS[kind]
                lines.append((one if n == 1 else many).format(n=n))
        shared = self.shared(a, b)
        outside = [z for z in shared if z.startswith("o:")]
        firms = [z for z in shared if not z.startswith("o:")]
        by_role: dict[str, list[str]] = defaultdict(list)
        for z in outside:
            ra, rb = self.roles.get((a, z), "partner with"), self.roles.get((b, z), "partner with")
            by_role[ra if ra == rb else "partner with"].append(self.names.get(z, z[2:]))
        for role in sorted(by_role):
            lines.append(f"both {role} {', '.join(by_role[role][:SHOWN])}")
        if firms:
            lines.append(f"{len(firms)} shared partner{'s' if len(firms) > 1 else ''} on the exchange")
        out: dict[str, Any] = {
            "direct": dict(sorted(counts.items())),
            "shared_partners": len(shared),
            "adamic_adar": round(self.adamic_adar(a, b), 4),
            "ties": lines,
        }
        supplier = [side for side, (s, c) in (("a", (a, b)), ("b", (b, a))) if (s, c) in self.supplies]
        if supplier:
            out["supplies"] = supplier
        return out

    # arrays ----------------------------------------------------------------
    def firm_index(self) -> dict[str, int]:
        return {f: i for i, f in enumerate(sorted(self.firms))}

    def matrix(self) -> sparse.csr_matrix:
        """strength(a, b) for every pair of firms with any tie or shared partner, by `firm_index`."""
        index = self.firm_index()
        rows, cols, vals = [], [], []
        seen: set[tuple[str, str]] = set()
        for a in sorted(self.firms):
            reach = set()
            for z in self.neighbours.get(a, ()):
                if not z.startswith("o:"):
                    reach.add(z)
                reach.update(w for w in self.neighbours.get(z, ()) if not w.startswith("o:"))
            for b in sorted(reach):
                if b == a or (a, b) in seen:
                    continue
                seen.add((a, b))
                value = self.strength(a, b)
                if value:
                    rows.append(index[a])
                    cols.append(index[b])
                    vals.append(value)
        n = len(index)
        return sparse.csr_matrix((np.array(vals, dtype=np.float64), (rows, cols)), shape=(n, n))

    def digest(self) -> str:
        body = json.dumps(
            [
                sorted((f"{k[0]}|{k[1]}", sorted(v.items())) for k, v in self.direct.items()),
                sorted(f"{k}|{','.join(sorted(v))}" for k, v in self.neighbours.items()),
            ]
        )
        return hashlib.sha256(body.encode()).hexdigest()[:16]


def pair_values(matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, present) of firm pairs by firm codes (-1: a firm without ties, so missing)."""
    present = (left >= 0) & (right >= 0) & (left != right)
    values = np.zeros(len(left), dtype=np.float64)
    if present.any():
        values[present] = np.asarray(matrix[left[present], right[present]]).ravel()
    return values, present
