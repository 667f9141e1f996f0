"""Benchmarks of the HTTP service (`partnermatch serve`)."""
