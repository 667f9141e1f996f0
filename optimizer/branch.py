"""Joint plans by search over the firms the bids' own optima share.

The Lagrangian bound (optimizer.joint) can stay above the joint optimum however good its prices (the
bids' consortia are integral, the prices are not); a search closes that gap. A node says, for each bid,
which firms it may not use; its bound is the sum of the bids' optima alone under those bans. When those
optima share no firm beyond its availability, they are the node's best joint plan. Otherwise:

* each bid is solved again without each shared firm it uses (what it loses without it). A firm of
  availability a used by the bids W is given up by all of W but a in every joint plan, and firms shared
  by disjoint sets of bids are given up by different bids, so their least losses add up: the node's
  bound drops by that sum, and the node waits its turn again;
* then the firm whose least loss is largest is branched on: the children ban it from all of W but a
  (one child per choice of the a) and together keep every joint plan of the node.

Each bid is solved alone by the real per-bid model (every rule; dominance pruning is exact for one bid),
so the node bounds are exact, and a child only needs the bids whose bans changed, which the losses
already solved; solves are cached by (bid, bans). Nodes are taken best bound first (equal bounds: the
newest, so the search dives to plans); a node whose bound does not beat the best plan by more than the
tolerance is closed. The bound returned covers every joint plan that staffs all bids: a node where a bid
cannot be staffed holds none.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from .columns import Column, Priced, parallel_map, price_bid
from .config import OptimizerConfig
from .instance import BidInput, ProblemInput, without
from .reduce import Reducer

Bans = tuple[tuple[str, frozenset[str]], ...]  # (bid key, firms it may not use), only bids with bans, sorted


@dataclass(frozen=True)
class Branched:
    plans: dict[str, Column]  # the best joint plan found; empty if none staffing every bid was found
    value: float
    bound: float  # bounds every joint plan that staffs all bids
    nodes: int


@dataclass(frozen=True)
class _Node:
    bans: Bans
    solved: dict[str, Priced]  # each bid's optimum alone under the node's bans
    bound: float
    looked: bool = False  # its shared firms' losses are known and already in `bound`


def _bans_of(bans: Bans) -> dict[str, frozenset[str]]:
    return dict(bans)


def _ban(bans: Bans, firm: str, bids: Sequence[str]) -> Bans:
    out = _bans_of(bans)
    for key in bids:
        out[key] = out.get(key, frozenset()) | {firm}
    return tuple(sorted(out.items()))


def _overused(solved: Mapping[str, Priced], availability: Mapping[str, int]) -> dict[str, list[str]]:
    """Firm → the bids whose optima use it, for the firms used beyond their availability."""
    users: dict[str, list[str]] = {}
    for key, priced in sorted(solved.items()):
        assert priced.column is not None
        for f in priced.column.members:
            users.setdefault(f, []).append(key)
    return {f: ks for f, ks in sorted(users.items()) if len(ks) > availability.get(f, 1)}


def _given_up(losses: Sequence[float], allowed: int) -> float:
    """The least the bids can lose together when all but `allowed` of them give the firm up."""
    return sum(sorted(losses)[: len(losses) - allowed])


def _lookahead(
    over: Mapping[str, list[str]], loss: Mapping[tuple[str, str], float], availability: Mapping[str, int]
) -> float:
    """A lower bound on what the node's bids lose to share their overused firms: firms whose bids are disjoint
    lose on different bids, so their least losses add up (taken greedily, largest first)."""
    cost = {f: _given_up([loss[(k, f)] for k in ks], availability.get(f, 1)) for f, ks in over.items()}
    taken: set[str] = set()
    total = 0.0
    for f in sorted(over, key=lambda f: (-cost[f], f)):
        if not taken & set(over[f]):
            taken |= set(over[f])
            total += cost[f]
    return total


def branch_on_shared_firms(
    problem: ProblemInput,
    bids: Sequence[BidInput],
    alone: Mapping[str, Column],
    ceiling: Mapping[str, float],
    target: float,
    config: OptimizerConfig,
    solver: str,
    left: Callable[[], float],
) -> Branched:
    """The best joint plan that staffs every bid, within `target` (relative) of the returned bound unless time
    runs out first. `alone` holds each bid's optimum alone and `ceiling` its value: the root's solves."""
    by_key = {bi.bid.key: bi for bi in bids}
    availability = problem.availability
    cache: dict[tuple[str, frozenset[str]], Priced] = {(k, frozenset()): Priced(alone[k], ceiling[k]) for k in by_key}
    reducers: dict[str, Reducer] = {}  # made once per bid, before the solves that share them
    plans: dict[str, Column] = {}
    value = float("-inf")

    def close(bound: float) -> bool:
        return bound - value <= target * max(1e-9, abs(bound))

    def solve_one(job: tuple[str, frozenset[str], float]) -> Priced:
        key, banned, cap = job
        bi = by_key[key]
        if left() <= 0:
            return Priced(None, cap)
        if set(bi.bid.locked_firms) & banned:  # the bid must have a firm it may not use
            return Priced(None, float("-inf"), infeasible=True)
        trimmed = without(bi, set(banned))
        return price_bid(problem, trimmed, {}, cap, config, solver, max(1.0, left()), reducers[key].without(banned))

    def banned_solve(node: _Node, key: str, firm: str) -> tuple[str, frozenset[str]]:
        return key, _bans_of(node.bans).get(key, frozenset()) | {firm}

    def solve_all(node: _Node, wanted: Sequence[tuple[str, frozenset[str]]]) -> None:
        """Solve the bids under the bans not solved yet (in parallel, in a fixed order), capped by the node's."""
        jobs = sorted({w for w in wanted if w not in cache}, key=lambda w: (w[0], sorted(w[1])))
        for k, _ in jobs:
            if k not in reducers:
                reducers[k] = Reducer(by_key[k], problem.synergy, config)
        work = [(k, banned, node.solved[k].bound) for k, banned in jobs]
        for (k, banned, _), priced in zip(work, parallel_map(solve_one, work, config.joint_workers), strict=True):
            cache[(k, banned)] = priced

    root = _Node((), {k: cache[(k, frozenset())] for k in by_key}, sum(ceiling[k] for k in by_key))
    heap: list[tuple[float, int, _Node]] = [(-round(root.bound, 9), 0, root)]
    seq, nodes, closed_bound = 1, 0, float("-inf")  # closed_bound: the highest bound of a node closed unsolved

    def push(node: _Node) -> None:
        nonlocal seq
        heapq.heappush(heap, (-round(node.bound, 9), -seq, node))  # equal bounds: the newest first (dives)
        seq += 1

    while heap and left() > 0:
        _, _, node = heapq.heappop(heap)
        if close(node.bound):
            closed_bound = max(closed_bound, node.bound)
            continue
        nodes += 1
        over = _overused(node.solved, availability)
        if not over:  # the bids' optima fit together: the node's best joint plan
            found = sum(p.column.value for p in node.solved.values() if p.column is not None)
            if found > value + 1e-9:
                plans = {k: p.column for k, p in node.solved.items() if p.column is not None}
                value = found
            closed_bound = max(closed_bound, node.bound)  # above the plan only if a solve stopped on time
            continue
        # What each bid loses without each firm it overuses: bounds the node lower, and picks the firm to split.
        solve_all(node, [banned_solve(node, k, f) for f, ks in over.items() for k in ks])
        if left() <= 0:
            closed_bound = max(closed_bound, node.bound)
            break
        loss = {
            (k, f): node.solved[k].bound - cache[banned_solve(node, k, f)].bound for f, ks in over.items() for k in ks
        }
        if not node.looked:
            lowered = node.bound - _lookahead(over, loss, availability)
            if lowered == float("-inf"):  # some bid cannot be staffed however the firms are shared
                continue
            if lowered < node.bound - 1e-9:
                push(_Node(node.bans, node.solved, lowered, looked=True))
                continue
        firm = max(over, key=lambda f: (_given_up([loss[(k, f)] for k in over[f]], availability.get(f, 1)), f))
        for bans in _children(node, firm, over[firm], availability.get(firm, 1)):
            child_bans = _bans_of(bans)
            solved = {k: cache[(k, child_bans.get(k, frozenset()))] for k in by_key}
            if any(p.infeasible for p in solved.values()):  # a bid cannot be staffed: no plan staffs them all
                continue
            if any(p.column is None for p in solved.values()):  # out of time before a bid was solved
                closed_bound = max(closed_bound, node.bound)
                continue
            # The children share out the node's plans, so its (lowered) bound holds for each of them too.
            push(_Node(bans, solved, min(node.bound, sum(p.bound for p in solved.values()))))
    open_bound = max((n.bound for _, _, n in heap), default=float("-inf"))
    return Branched(plans, value, max(value, closed_bound, open_bound), nodes)


def _children(node: _Node, firm: str, users: list[str], allowed: int) -> list[Bans]:
    """One child per choice of the `allowed` bids that keep the firm; it is banned from the others."""
    return [_ban(node.bans, firm, [k for k in users if k not in keep]) for keep in combinations(users, allowed)]
