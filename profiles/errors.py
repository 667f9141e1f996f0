"""One error hierarchy for the whole engine.

Interfaces translate these into exit codes or HTTP status codes; the engine
never prints or exits on its own.
"""

from __future__ import annotations

from dataclasses import dataclass


class PartnermatchError(Exception):
    """Base of every error the engine raises on purpose."""


@dataclass(frozen=True)
class RowError:
    """One problem in one row of an input file."""

    row: int | str
    field: str
    value: object
    reason: str

    def __str__(self) -> str:
        shown = repr(self.value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"row {self.row}, field '{self.field}' = {shown}: {self.reason}"


class ValidationFailed(PartnermatchError):
    """Raised with every row error of an input, after all rows were checked."""

    def __init__(self, errors: list[RowError], source: str = "input") -> None:
        self.errors = list(errors)
        self.source = source
        head = f"{source}: {len(self.errors)} error(s); nothing was stored"
        lines = [head] + [f"  - {e}" for e in self.errors[:50]]
        if len(self.errors) > 50:
            lines.append(f"  ... and {len(self.errors) - 50} more")
        super().__init__("\n".join(lines))


class UnreadableInput(PartnermatchError):
    """The file cannot be read at all (encoding, syntax, unknown format)."""


class NotFound(PartnermatchError):
    """A firm, profile or bid named by the user does not exist."""


class NotFitted(PartnermatchError):
    """A fitted model was used before `fit` was called."""


class SolverUnavailable(PartnermatchError):
    """The requested solver backend is not installed."""


class PlanCheckFailed(PartnermatchError):
    """A solver plan broke a rule the model should have enforced: a bug."""


class UnknownRule(PartnermatchError):
    """A stage of the optimiser met a rule of the model it does not know how to respect: a bug, refused."""


class Forbidden(PartnermatchError):
    """The account may not do this (its role or its firm or cluster does not allow it)."""


class Conflict(PartnermatchError):
    """The change clashes with the current state: a stale version, a duplicate, a wrong step."""


class StaleVersion(Conflict):
    """A write named a version (If-Match) that is no longer the current one."""
