"""Shrinking a bid's model before it is built, without changing its optimum.

Two steps:

* Synergy shortlist: pair variables are created only among the bid's best
  `synergy_candidates` firms (by requirement fit), as in the classic compact
  model; the other firms contribute fit, capacity and lead but no pair terms.
* Dominance pruning: a firm f without pair terms is dominated by g when g is
  at least as good for this bid in every respect the model sees. Those
  respects come from the model's rule registry (`optimizer.rules`): each rule
  says what pruning must respect for it — fit and capacity on every
  requirement f can cover, lead eligibility, the same country or kind, no
  exclusion f does not have, locked firms kept — and the objective adds fit
  (it rewards it) and nothing else (synergy: f has no pair terms; the size
  penalty: a swap keeps the size). If at least `max_size` firms dominate f,
  any consortium with f leaves one of them out, and swapping f for it never
  lowers the objective nor breaks a rule; so f can be dropped. (A pruned
  firm's dominators that are themselves pruned are dominated by kept firms,
  which then dominate f too, so at least `max_size` kept dominators remain.)

A rule that asks pruning to respect something not implemented here makes
pruning refuse with `UnknownRule`, rather than drop a firm the rule needs:
implement the new respect in `_dominators`, or plan with pruning off.

The argument holds for one bid. Across simultaneous bids a dominator may be
busy elsewhere, so the joint model built from reduced bids is a restriction;
its gap is therefore reported against an upper bound that does hold (the sum
of the bids' separate optima), not against its own bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from profiles.errors import UnknownRule

from .config import OptimizerConfig
from .instance import BidInput, Candidate, ProblemInput, pair, without
from .rules import (
    CAPACITY,
    COUNTRY,
    DUPLICATES,
    EXCLUSIONS,
    FIT,
    KEEP,
    KIND,
    LEAD,
    ONE_BID,
    RULES,
    SWAP,
    Respect,
)

DOMINANCE_CHUNK = 128


@dataclass(frozen=True)
class Reduction:
    candidates: int
    kept: int
    shortlist: int

    @property
    def pruned(self) -> int:
        return self.candidates - self.kept

    def as_dict(self) -> dict[str, int]:
        return {
            "candidates": self.candidates,
            "kept": self.kept,
            "pruned": self.pruned,
            "synergy_shortlist": self.shortlist,
        }


def fit_value(bi: BidInput, c: Candidate) -> float:
    weights = {r.key: r.weight for r in bi.bid.requirements}
    return sum(weights[r] * fit.fit for r, fit in c.fits.items())


def synergy_shortlist(bi: BidInput, size: int) -> frozenset[str]:
    """The bid's best `size` firms by requirement fit (locked firms always included)."""
    ranked = sorted(
        bi.candidates,
        key=lambda c: (-fit_value(bi, c), not c.lead_eligible, -sum(f.capacity or 0 for f in c.fits.values()), c.firm),
    )
    chosen = {c.firm for c in ranked[:size]}
    return frozenset(chosen | {c.firm for c in bi.candidates if c.locked})


# What `_dominators` implements. SWAP needs nothing (a swap keeps the member count) and ONE_BID
# nothing within a bid (the joint plan's gap is taken against the separate optima).
IMPLEMENTED = frozenset({SWAP, FIT, CAPACITY, LEAD, COUNTRY, KIND, EXCLUSIONS, DUPLICATES, KEEP, ONE_BID})


def respected(bi: BidInput) -> frozenset[Respect]:
    """What pruning must respect for this bid: the respects of the rules that apply to it, and fit.

    Raises UnknownRule when any registered rule asks for a respect that pruning does not implement.
    """
    for rule in RULES.values():
        unknown = [r.name for r in rule.respects if r not in IMPLEMENTED]
        if unknown:
            raise UnknownRule(
                f"the model's rule '{rule.name}' asks dominance pruning to respect {', '.join(unknown)}, "
                "which pruning does not implement; refusing to prune rather than risk dropping a firm the rule "
                "needs. Implement it in optimizer/reduce.py, or plan with prune_dominated off"
            )
    needs = {FIT}  # the objective rewards fit
    for rule in RULES.values():
        if rule.applies(bi):
            needs.update(rule.respects)
    return frozenset(needs)


def _dominators(
    bi: BidInput,
    pair_free: np.ndarray,
    needs: frozenset[Respect],
    prices: Mapping[str, float] | None = None,
    among: np.ndarray | None = None,
    grouped: bool = True,
) -> np.ndarray:
    """count[i] = number of firms that dominate firm i (strictly, ties broken by position) in the respects `needs`.

    With `prices` (firm → a charge per membership, as in a priced bid of a joint plan), a dominator must
    also cost no more than the firm. With `among` (candidate positions), only those firms are counted."""
    cands = bi.candidates
    n = len(cands)
    # At-least columns: a dominator's value is at least the firm's; equal in all of them is a tie.
    at_least: list[np.ndarray] = []
    if prices:
        at_least.append(np.array([-prices.get(c.firm, 0.0) for c in cands], dtype=np.float64))
    if LEAD in needs:
        at_least.append(np.array([c.lead_eligible for c in cands]))
    if FIT in needs:
        at_least += [
            np.array([c.fits[r.key].fit if r.key in c.fits else 0.0 for c in cands], dtype=np.float32)
            for r in bi.bid.requirements
        ]
    if CAPACITY in needs:
        at_least += [
            np.array([(c.fits[r.key].capacity or 0) if r.key in c.fits else 0 for c in cands], dtype=np.float64)
            for r in bi.bid.requirements
            if r.mandatory and r.volume_per_year
        ]
    # Same columns: a dominator must share the firm's value.
    same_as: list[np.ndarray] = []
    if COUNTRY in needs:
        same_as.append(np.array([c.country for c in cands]))
    if KIND in needs:
        same_as.append(np.array([c.kind for c in cands]))
    # A firm may not stand in for one with fewer partners it cannot join: exclusions and flagged duplicates.
    excluded: dict[str, set[str]] = {}
    barred = (bi.exclusions if EXCLUSIONS in needs else frozenset()) | (
        bi.duplicates if DUPLICATES in needs else frozenset()
    )
    if barred:
        for f, g in barred:
            excluded.setdefault(f, set()).add(g)
            excluded.setdefault(g, set()).add(f)
    has_exclusions = np.array([c.firm in excluded for c in cands], dtype=bool)
    prunable = pair_free.copy()
    if KEEP in needs:
        prunable &= ~np.array([c.locked for c in cands], dtype=bool)
    counts = np.zeros(n, dtype=np.int64)
    rows = np.flatnonzero(prunable)
    index = np.arange(n) if among is None else among
    if grouped:
        counts[rows] = _grouped_counts(rows, index, at_least, same_as, n)
        # Firms with exclusions are few: take back each one's dominance over a firm that does not bar
        # every partner it bars.
        for j in index[has_exclusions[index]]:
            barred_by_j = excluded[cands[j].firm]
            over = rows[_dominated_by(j, rows, at_least, same_as)]
            counts[[i for i in over.tolist() if not barred_by_j <= excluded.get(cands[i].firm, set())]] -= 1
        return counts
    theirs = [(column, column[index]) for column in at_least], [(column, column[index]) for column in same_as]
    for start in range(0, len(rows), DOMINANCE_CHUNK):
        chunk = rows[start : start + DOMINANCE_CHUNK]
        # ge[a, g]: firm index[g] is at least as good as firm chunk[a] everywhere the model looks;
        # tie[a, g]: exactly as good. Column by column keeps the temporaries two-dimensional.
        ge = np.ones((len(chunk), len(index)), dtype=bool)
        tie = np.ones((len(chunk), len(index)), dtype=bool)
        for column, their in theirs[0]:
            ge &= their[None, :] >= column[chunk, None]
            tie &= their[None, :] == column[chunk, None]
        for column, their in theirs[1]:
            ge &= their[None, :] == column[chunk, None]
        ge &= ~tie | (index[None, :] < chunk[:, None])  # equal firms: the earlier one dominates
        ge &= index[None, :] != chunk[:, None]
        if has_exclusions.any():
            for a, i in enumerate(chunk):
                mine = excluded.get(cands[i].firm, set())
                for j in np.flatnonzero(ge[a] & has_exclusions[index]):
                    if not excluded[cands[index[j]].firm] <= mine:
                        ge[a, j] = False
        counts[chunk] = ge.sum(axis=1)
    return counts


def _dominated_by(j: int, rows: np.ndarray, at_least: list[np.ndarray], same_as: list[np.ndarray]) -> np.ndarray:
    """Which firms of `rows` firm j dominates by value (at least as good everywhere, equal ones when placed
    earlier, never itself): the pairwise rule for one dominator."""
    ge = np.ones(len(rows), dtype=bool)
    tie = np.ones(len(rows), dtype=bool)
    for column in at_least:
        ge &= column[j] >= column[rows]
        tie &= column[j] == column[rows]
    for column in same_as:
        ge &= column[j] == column[rows]
    return ge & (~tie | (j < rows)) & (rows != j)


def _grouped_counts(
    rows: np.ndarray, index: np.ndarray, at_least: list[np.ndarray], same_as: list[np.ndarray], n: int
) -> np.ndarray:
    """For each firm of `rows`, how many firms of `index` dominate it, compared as groups of firms alike
    in every column the model looks at: a large exchange has thousands of candidates but far fewer
    distinct ones, and dominance only depends on the values. A firm is dominated by every firm of a
    group at least as good everywhere and better somewhere, and by the firms alike to it placed earlier.
    Gives exactly the counts of comparing every pair (without exclusions, which are per pair)."""
    columns = [np.asarray(c, dtype=np.float64) for c in at_least]
    for values in same_as:
        codes: dict[object, int] = {}
        columns.append(np.array([codes.setdefault(v, len(codes)) for v in values.tolist()], dtype=np.float64))
    table = np.stack(columns, axis=1) if columns else np.zeros((n, 0))
    groups, group_of = np.unique(table, axis=0, return_inverse=True)
    group_of = group_of.reshape(-1)
    in_index = np.bincount(group_of[index], minlength=len(groups))
    mine = np.unique(group_of[rows])
    better = np.zeros(len(groups), dtype=np.int64)
    k = len(at_least)
    for start in range(0, len(mine), DOMINANCE_CHUNK):
        chunk = mine[start : start + DOMINANCE_CHUNK]
        ge = np.all(groups[None, :, :k] >= groups[chunk, None, :k], axis=2)
        ge &= np.all(groups[None, :, k:] == groups[chunk, None, k:], axis=2)
        ge[np.arange(len(chunk)), chunk] = False  # alike firms count only when placed earlier (below)
        better[chunk] = ge.astype(np.int64) @ in_index
    # Alike firms of `index` placed before the firm: positions sorted within each group.
    stride = n + 1
    placed = np.sort(group_of[index].astype(np.int64) * stride + index)
    own = group_of[rows].astype(np.int64) * stride
    earlier = np.searchsorted(placed, own + rows) - np.searchsorted(placed, own)
    return better[group_of[rows]] + earlier


def reduce_bid(
    bi: BidInput,
    synergy: dict[tuple[str, str], float],
    config: OptimizerConfig,
    prices: Mapping[str, float] | None = None,
) -> tuple[BidInput, Reduction]:
    """The bid with dominated firms dropped; with `prices` the reduction is exact for the priced bid
    (objective less each member's price), as column generation across simultaneous bids needs."""
    # A shortlist fixed earlier (joint planning fixes it once per bid) is kept, so values stay comparable.
    shortlist = bi.pair_firms if bi.pair_firms is not None else synergy_shortlist(bi, config.synergy_candidates)
    with_pairs = {
        f
        for f in shortlist
        for g in shortlist
        if f != g and synergy.get(pair(f, g), 0.0) > 0 and pair(f, g) not in bi.exclusions
    }
    kept = bi.candidates
    if config.prune_dominated:
        needs = respected(bi)  # refuses unknown rules whatever the bid's size
        if len(bi.candidates) > bi.bid.max_size:
            pair_free = np.array([c.firm not in with_pairs for c in bi.candidates], dtype=bool)
            counts = _dominators(bi, pair_free, needs, prices)
            kept = tuple(c for c, k in zip(bi.candidates, counts, strict=True) if k < bi.bid.max_size)
    keys = {c.firm for c in kept}
    reduced = replace(
        bi,
        candidates=kept,
        exclusions=frozenset(p for p in bi.exclusions if p[0] in keys and p[1] in keys),
        duplicates=frozenset(p for p in bi.duplicates if p[0] in keys and p[1] in keys),
        pair_firms=frozenset(shortlist & keys),
    )
    return reduced, Reduction(len(bi.candidates), len(kept), len(shortlist & keys))


class Reducer:
    """One bid reduced again and again with some of its firms taken out (the joint search bans firms from bids).

    Taking firms out leaves dominance among the others as it was, so the counts over all candidates are made
    once and each ban only subtracts what the banned firms gave. A bid with exclusions or flagged duplicates
    (whose pairs, and so who may stand in for whom, change with the firms taken out) is reduced from scratch."""

    def __init__(self, bi: BidInput, synergy: dict[tuple[str, str], float], config: OptimizerConfig) -> None:
        self.bi, self.synergy, self.config = bi, synergy, config
        self.position = {c.firm: n for n, c in enumerate(bi.candidates)}
        self.fast = config.prune_dominated and bi.pair_firms is not None and not bi.exclusions and not bi.duplicates
        if self.fast:
            assert bi.pair_firms is not None
            with_pairs = {
                f for f in bi.pair_firms for g in bi.pair_firms if f != g and synergy.get(pair(f, g), 0.0) > 0
            }
            self.needs = respected(bi)
            self.pair_free = np.array([c.firm not in with_pairs for c in bi.candidates], dtype=bool)
            self.counts = _dominators(bi, self.pair_free, self.needs)

    def without(self, banned: frozenset[str]) -> BidInput:
        """The bid without the `banned` firms, reduced: the same as reduce_bid of the bid without them."""
        if not self.fast:
            return reduce_bid(without(self.bi, set(banned)), self.synergy, self.config)[0]
        assert self.bi.pair_firms is not None
        out = np.array(sorted(self.position[f] for f in banned if f in self.position), dtype=np.int64)
        counts = self.counts - _dominators(self.bi, self.pair_free, self.needs, among=out)
        left = len(self.bi.candidates) - len(out)
        kept = tuple(
            c
            for c, k in zip(self.bi.candidates, counts, strict=True)
            if c.firm not in banned and (k < self.bi.bid.max_size or left <= self.bi.bid.max_size)
        )
        keys = {c.firm for c in kept}
        return replace(self.bi, candidates=kept, pair_firms=frozenset(self.bi.pair_firms & keys))


def reduce_problem(problem: ProblemInput, config: OptimizerConfig) -> tuple[ProblemInput, dict[str, Reduction]]:
    out, stats = [], {}
    for bi in problem.bids:
        reduced, stat = reduce_bid(bi, problem.synergy, config)
        out.append(reduced)
        stats[bi.bid.key] = stat
    return replace(problem, bids=tuple(out)), stats
