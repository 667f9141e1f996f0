"""Pairwise scoring of profiles: candidates, named score components, explanations."""
