"""The nightly run: expiry, incremental matching, proposal refresh, digests and mail, safe to schedule and forget."""
