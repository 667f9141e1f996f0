"""All database access, in one place.

Functions take an open Session and never commit: the caller owns the
transaction (see `profiles.db.session_scope`), so every user action is all-or-nothing.
`records` holds the engine data (firms, profiles, bids, matches, proposals);
the other modules hold accounts, introductions, the audit log, jobs and searches.
"""

from .records import (  # noqa: F401
    KEY_SLICE,
    UpsertCounts,
    count_rows,
    expire_profiles,
    firm_ids,
    get_bid,
    get_firm,
    get_profile,
    latest_run,
    load_bids,
    load_firms,
    load_matches,
    load_profiles,
    load_proposals,
    match_scores,
    new_alias,
    profile_keys,
    replace_matches,
    start_run,
    store_proposals,
    upsert_bids,
    upsert_firms,
    upsert_profiles,
)
