"""Controlled vocabularies: NACE Rev. 2 and the capability vocabulary."""
