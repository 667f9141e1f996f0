"""How many rows the engine's tables hold: what `partnermatch` reports after an import or a run."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from ..tables import BidRow, FirmRow, MatchRow, ProfileRow, ProposalRow, RequirementRow


def count_rows(session: Session) -> dict[str, int]:
    out = {}
    for name, table in (
        ("firms", FirmRow),
        ("profiles", ProfileRow),
        ("bids", BidRow),
        ("requirements", RequirementRow),
        ("matches", MatchRow),
        ("proposals", ProposalRow),
    ):
        out[name] = session.exec(select(func.count()).select_from(table)).one()
    return out
