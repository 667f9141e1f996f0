"""Library versions printed next to every benchmark's figures."""

from __future__ import annotations

from importlib import metadata

LIBRARIES = ("scikit-learn", "scipy", "numpy", "rapidfuzz", "pulp", "highspy", "sqlalchemy", "sqlmodel")


def versions_line() -> str:
    parts = []
    for name in LIBRARIES:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return "Libraries: " + ", ".join(parts) + "."
