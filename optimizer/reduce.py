"""Shrinking a bid's model before it is built, without changing its optimum.

Two steps:

* Synergy shortlist: pair variables are created only among the bid's best
  `synergy_candidates` firms (by requirement fit), as in the classic compact
  model; the other firms contribute fit, capacity and lead but no pair terms.
* Dominance pruning: a firm f without pair terms is dominated by g when g is
  at least as good for this bid in every respect the model sees — fit and
  capacity on every requirement f can cover, lead eligibility, and (when the
  bid has such rules) the same country and kind — and g brings no exclusion f
  does not have. If at least `max_size` firms dominate f, any consortium with
  f leaves one of them out, and swapping f for it never lowers the objective
  nor breaks a rule; so f can be dropped. (A pruned firm's dominators that are
  themselves pruned are dominated by kept firms, which then dominate f too,
  so at least `max_size` kept dominators remain.)

The argument holds for one bid. Across simultaneous bids a dominator may be
busy elsewhere, so the joint model built from reduced bids is a restriction;
its gap is therefore reported against an upper bound that does hold (the sum
of the bids' separate optima), not against its own bound.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .config import OptimizerConfig
from .instance import BidInput, Candidate, ProblemInput, pair

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


def _dominators(bi: BidInput, pair_free: np.ndarray) -> np.ndarray:
    """count[i] = number of firms that dominate firm i (strictly, ties broken by key)."""
    cands = bi.candidates
    reqs = [r.key for r in bi.bid.requirements]
    volume = [bool(r.volume_per_year) and r.mandatory for r in bi.bid.requirements]
    n = len(cands)
    fit = np.zeros((n, len(reqs)), dtype=np.float32)
    cap = np.zeros((n, len(reqs)), dtype=np.float64)
    for i, c in enumerate(cands):
        for j, r in enumerate(reqs):
            if r in c.fits:
                fit[i, j] = c.fits[r].fit
                cap[i, j] = (c.fits[r].capacity or 0) if volume[j] else 0.0
    lead = np.array([c.lead_eligible for c in cands])
    volume_columns = np.flatnonzero(volume)
    country_rule = bi.bid.min_countries > 1 or bi.bid.max_per_country is not None
    country = np.array([c.country for c in cands]) if country_rule else None
    kind = np.array([c.kind for c in cands]) if bi.bid.required_kinds else None
    excluded: dict[str, set[str]] = {}
    for a, b in bi.exclusions:
        excluded.setdefault(a, set()).add(b)
        excluded.setdefault(b, set()).add(a)
    ok_country = (country[:, None] == country[None, :]) if country is not None else None
    ok_kind = (kind[:, None] == kind[None, :]) if kind is not None else None
    has_exclusions = np.array([c.firm in excluded for c in cands])
    counts = np.zeros(n, dtype=np.int64)
    rows = np.flatnonzero(pair_free & ~np.array([c.locked for c in cands]))
    index = np.arange(n)
    for start in range(0, len(rows), DOMINANCE_CHUNK):
        chunk = rows[start : start + DOMINANCE_CHUNK]
        # ge[a, g]: firm g is at least as good as firm chunk[a] everywhere the model looks;
        # same[a, g]: exactly as good. Column by column keeps the temporaries two-dimensional.
        ge = lead[None, :] >= lead[chunk, None]
        same = lead[None, :] == lead[chunk, None]
        for column in (*fit.T, *cap[:, volume_columns].T):
            ge &= column[None, :] >= column[chunk, None]
            same &= column[None, :] == column[chunk, None]
        ge &= ~same | (index[None, :] < chunk[:, None])  # equal firms: the smaller key dominates
        ge[np.arange(len(chunk)), chunk] = False
        if ok_country is not None:
            ge &= ok_country[chunk]
        if ok_kind is not None:
            ge &= ok_kind[chunk]
        if has_exclusions.any():
            for a, i in enumerate(chunk):
                mine = excluded.get(cands[i].firm, set())
                for g in np.flatnonzero(ge[a] & has_exclusions):
                    if not excluded[cands[g].firm] <= mine:
                        ge[a, g] = False
        counts[chunk] = ge.sum(axis=1)
    return counts


def reduce_bid(
    bi: BidInput, synergy: dict[tuple[str, str], float], config: OptimizerConfig
) -> tuple[BidInput, Reduction]:
    # A shortlist fixed earlier (joint planning fixes it once per bid) is kept, so values stay comparable.
    shortlist = bi.pair_firms if bi.pair_firms is not None else synergy_shortlist(bi, config.synergy_candidates)
    with_pairs = {
        f
        for f in shortlist
        for g in shortlist
        if f != g and synergy.get(pair(f, g), 0.0) > 0 and pair(f, g) not in bi.exclusions
    }
    kept = bi.candidates
    if config.prune_dominated and len(bi.candidates) > bi.bid.max_size:
        pair_free = np.array([c.firm not in with_pairs for c in bi.candidates])
        counts = _dominators(bi, pair_free)
        kept = tuple(c for c, k in zip(bi.candidates, counts) if k < bi.bid.max_size)
    keys = {c.firm for c in kept}
    reduced = replace(
        bi,
        candidates=kept,
        exclusions=frozenset(p for p in bi.exclusions if p[0] in keys and p[1] in keys),
        pair_firms=frozenset(shortlist & keys),
    )
    return reduced, Reduction(len(bi.candidates), len(kept), len(shortlist & keys))


def reduce_problem(problem: ProblemInput, config: OptimizerConfig) -> tuple[ProblemInput, dict[str, Reduction]]:
    out, stats = [], {}
    for bi in problem.bids:
        reduced, stat = reduce_bid(bi, problem.synergy, config)
        out.append(reduced)
        stats[bi.bid.key] = stat
    return replace(problem, bids=tuple(out)), stats
