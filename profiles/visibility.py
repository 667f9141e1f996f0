"""Who may see and change what: the privacy rules of the exchange, as pure functions.

A firm's identity (name, contacts, website, exact location) is visible to the
firm itself, to the advisors of its cluster, to administrators, and to firms
(and their advisors) it has agreed an introduction with. Everyone else sees
the firm only through its alias, country, size class and published profiles.
Private data (drafts, bids, proposals, the audit trail) belongs to the firm's
or the bid's cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    FIRM = "firm"
    ADVISOR = "advisor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Viewer:
    account_id: int | None
    username: str
    role: Role
    firm_id: int | None = None
    cluster: str | None = None
    # Firms whose identity is open to this viewer through accepted introductions.
    introduced: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def manages(self, firm_id: int | None, firm_cluster: str | None) -> bool:
        """Full access to a firm's private data and the right to change it."""
        if self.role == Role.ADMIN:
            return True
        if self.role == Role.FIRM:
            return firm_id is not None and firm_id == self.firm_id
        return self.cluster is not None and firm_cluster == self.cluster

    def sees_identity(self, firm_id: int, firm_cluster: str | None) -> bool:
        return self.manages(firm_id, firm_cluster) or firm_id in self.introduced

    def owns_bid(self, bid_cluster: str | None) -> bool:
        """Bids, their proposals and jobs belong to the cluster office that created them."""
        if self.role == Role.ADMIN:
            return True
        return self.role == Role.ADVISOR and self.cluster is not None and bid_cluster == self.cluster
