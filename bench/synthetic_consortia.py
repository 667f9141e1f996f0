"""Random consortium instances of any size, built directly as optimiser input (seeded).

Synergy links each firm to `pair_neighbours` random others, as the engine's stored
top-10 matches per profile do.
"""
from __future__ import annotations

import random

from optimizer.fit import RequirementFit
from optimizer.instance import BidInput, Candidate, ProblemInput, pair
from profiles.domain import Bid, LeadCriteria, Requirement

COUNTRIES = ("DK", "NO", "SE", "FI", "DE")


def random_problem(n_firms: int, n_bids: int = 1, n_requirements: int = 6, seed: int = 0,
                   pair_neighbours: int = 10, availability: int = 1) -> ProblemInput:
    rng = random.Random(seed)
    firms = [f"f{i:05d}" for i in range(n_firms)]
    countries = {f: rng.choice(COUNTRIES) for f in firms}
    bids = []
    for b in range(n_bids):
        reqs = tuple(Requirement(f"r{r}", f"cap{r}", mandatory=r < n_requirements - 1,
                                 volume_per_year=rng.choice([None, 20_000, 40_000]))
                     for r in range(n_requirements))
        bid = Bid(key=f"bid{b:03d}", title=f"bid {b}", customer="c", customer_country="DE", delivery_country="DE",
                  requirements=reqs, min_size=2, max_size=5, lead=LeadCriteria(certifications=("IATF 16949",)))
        candidates = []
        for f in firms:
            fits = {}
            covered = {rng.randrange(len(reqs))}  # every firm can do at least one thing the bid asks for
            for r, req in enumerate(reqs):
                if r in covered or rng.random() < 0.08:
                    fits[req.key] = RequirementFit(f, req.key, rng.choice([0.6, 0.7, 0.8, 0.9, 1.0]), "same", None,
                                                   rng.choice([10_000, 20_000, 30_000, 50_000]), ())
            if fits:
                candidates.append(Candidate(f, countries[f], "company", fits, rng.random() < 0.4))
        bids.append(BidInput(bid, tuple(candidates), {}, frozenset(), {r.key: 0.6 for r in reqs}))
    synergy: dict[tuple[str, str], float] = {}
    for f in firms:
        for g in rng.sample(firms, min(pair_neighbours, n_firms - 1)):
            if g != f:
                synergy[pair(f, g)] = round(rng.uniform(0.1, 0.8), 3)
    return ProblemInput(tuple(bids), {f: availability for f in firms}, synergy, {f: f for f in firms})
