"""All database access, in one place, one module per entity.

Functions take an open Session and never commit: the caller owns the
transaction (see `profiles.db.session_scope`), so every user action is all-or-nothing.

Entities: `firms`, `profiles`, `bids` (with their requirements), `runs` (match runs and the
matches they store), `proposals`, `accounts`, `interests` (expressions of interest and the
introductions they lead to), `achievements`, `relations`, `audit`, `jobs`, `outbox`,
`firm_names`; read models of one use: `search` (paged lists), `digests`, `outcomes`, `history`;
`counts` and `common` (helpers all of them share).

The engine's names are re-exported here (`repository.load_firms(...)`).
"""

from .bids import get_bid, load_bids, upsert_bids
from .common import KEY_SLICE, UpsertCounts
from .counts import count_rows
from .firms import firm_ids, get_firm, load_firms, new_alias, upsert_firms
from .profiles import expire_profiles, get_profile, load_profiles, profile_keys, upsert_profiles
from .proposals import load_proposals, store_proposals
from .runs import latest_run, load_matches, match_scores

__all__ = [
    "KEY_SLICE",
    "UpsertCounts",
    "count_rows",
    "expire_profiles",
    "firm_ids",
    "get_bid",
    "get_firm",
    "get_profile",
    "latest_run",
    "load_bids",
    "load_firms",
    "load_matches",
    "load_profiles",
    "load_proposals",
    "match_scores",
    "new_alias",
    "profile_keys",
    "store_proposals",
    "upsert_bids",
    "upsert_firms",
    "upsert_profiles",
]
