"""Random consortium instances of any size, built directly as optimiser input (seeded).

Firms hold capabilities from a shared pool (with one fit and capacity each) and
every bid asks for a handful of capabilities from that pool, so simultaneous
bids compete for the same strong firms, as they do in a real cluster. Synergy
links each firm to `pair_neighbours` random others, as the engine's stored
top-10 matches per profile do.
"""

from __future__ import annotations

import random

from optimizer.fit import RequirementFit
from optimizer.instance import BidInput, Candidate, ProblemInput, pair
from profiles.domain import Bid, LeadCriteria, Requirement

COUNTRIES = ("DK", "NO", "SE", "FI", "DE")
POOL = 12


def random_problem(
    n_firms: int,
    n_bids: int = 1,
    n_requirements: int = 6,
    seed: int = 0,
    pair_neighbours: int = 10,
    availability: int = 1,
    pool: int = POOL,
) -> ProblemInput:
    rng = random.Random(seed)
    pool = max(pool, n_requirements)
    firms = [f"f{i:05d}" for i in range(n_firms)]
    countries = {f: rng.choice(COUNTRIES) for f in firms}
    lead = {f: rng.random() < 0.4 for f in firms}
    holds: dict[str, dict[int, tuple[float, int]]] = {}
    for f in firms:
        caps = {rng.randrange(pool)} | {c for c in range(pool) if rng.random() < 0.05}
        holds[f] = {
            c: (rng.choice([0.6, 0.7, 0.8, 0.9, 1.0]), rng.choice([10_000, 20_000, 30_000, 50_000])) for c in caps
        }
    bids = []
    for b in range(n_bids):
        asked = sorted(rng.sample(range(pool), n_requirements))
        reqs = tuple(
            Requirement(
                f"cap{c}",
                f"capability {c}",
                mandatory=i < n_requirements - 1,
                volume_per_year=rng.choice([None, 20_000, 40_000]),
            )
            for i, c in enumerate(asked)
        )
        bid = Bid(
            key=f"bid{b:03d}",
            title=f"bid {b}",
            customer="c",
            customer_country="DE",
            delivery_country="DE",
            requirements=reqs,
            min_size=2,
            max_size=5,
            lead=LeadCriteria(certifications=("IATF 16949",)),
        )
        candidates = []
        for f in firms:
            fits = {
                f"cap{c}": RequirementFit(f, f"cap{c}", fit, "same", None, cap, ())
                for c, (fit, cap) in holds[f].items()
                if c in asked
            }
            if fits:
                candidates.append(Candidate(f, countries[f], "company", fits, lead[f]))
        bids.append(BidInput(bid, tuple(candidates), {}, frozenset(), {r.key: 0.6 for r in reqs}))
    synergy: dict[tuple[str, str], float] = {}
    for f in firms:
        for g in rng.sample(firms, min(pair_neighbours, n_firms - 1)):
            if g != f:
                synergy[pair(f, g)] = round(rng.uniform(0.1, 0.8), 3)
    return ProblemInput(tuple(bids), dict.fromkeys(firms, availability), synergy, {f: f for f in firms})
