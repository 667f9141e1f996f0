"""The bids and consortia a firm is a member of, as its firm page shows them: the firm by name,
the other members as the firm may see them (anonymous until an introduction is agreed), as the
proposal documents written for a member firm show them."""

from __future__ import annotations

from typing import Any

from api.actions import views
from api.actions.context import Context, firm_row
from profiles.db import session_scope
from profiles.repository import firms as firm_store
from profiles.repository import proposals as proposal_store
from profiles.tables import BidRow, FirmRow, ProposalRow

SHOWN = 50


def consortia_of(ctx: Context, firm_ref: str) -> list[dict[str, Any]]:
    """The proposals of a firm the viewer manages that name it as a member: per bid the newest batch
    and any accepted proposal, newest first."""
    with session_scope(ctx.engine, readonly=True) as session:
        firm = firm_row(session, ctx.viewer, firm_ref, manage=True)
        assert firm.id is not None
        hits = proposal_store.proposals_with_member(session, firm.id)
        newest: dict[int | None, str] = {}
        for row, bid in hits:
            newest[bid.id] = max(newest.get(bid.id, row.batch), row.batch)
        shown = [(r, b) for r, b in hits if r.batch == newest[b.id] or r.status == "accepted"][:SHOWN]
        firms = firm_store.all_firms(session)
        return [_membership(row, bid, firm.key, firms, ctx) for row, bid in shown]


def _membership(row: ProposalRow, bid: BidRow, firm_key: str, firms: list[FirmRow], ctx: Context) -> dict[str, Any]:
    seen = views.redact(
        {"plan": {"members": (row.plan or {}).get("members", [])}, "title": bid.title}, firms, ctx.viewer
    )
    members = seen["plan"]
    own: dict[str, Any] = next((m for m in members["members"] if m.get("firm") == firm_key), {})
    return {
        "proposal": row.id,
        "bid": bid.key if ctx.viewer.owns_bid(bid.cluster) else None,
        "bid_title": seen["title"],
        "deadline": bid.deadline.isoformat() if bid.deadline else None,
        "bid_status": bid.status,
        "rank": row.rank,
        "status": row.status,
        "created_on": row.created_at.date().isoformat(),
        "lead": bool(own.get("lead")),
        "covers": own.get("covers", []),
        "others": [
            {
                "name": m.get("name"),
                "country": m.get("country"),
                "lead": bool(m.get("lead")),
                "covers": m.get("covers", []),
            }
            for m in members["members"]
            if m.get("firm") != firm_key
        ],
    }
