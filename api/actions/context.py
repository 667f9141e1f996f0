"""What every user action needs: the database, the settings and who is acting; plus the audit helper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.actions import views
from api.actions.views import etag
from profiles import een
from profiles.aliases import alias_forms
from profiles.errors import Forbidden, NotFound, StaleVersion
from profiles.repository import audit, firm_names
from profiles.repository import bids as bid_store
from profiles.repository import firms as firm_store
from profiles.repository import profiles as profile_store
from profiles.settings import Settings
from profiles.tables import BidRow, FirmRow, ProfileRow
from profiles.visibility import Role, Viewer


@dataclass(frozen=True)
class Context:
    engine: Engine
    settings: Settings
    viewer: Viewer


def record(
    session: Session,
    ctx: Context,
    action: str,
    entity: str,
    key: str,
    cluster: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        at=ctx.settings.now(),
        account_id=ctx.viewer.account_id,
        actor=ctx.viewer.username,
        action=action,
        entity=entity,
        entity_key=key,
        cluster=cluster,
        detail=detail,
    )


# Per database: the firm-name index and each firm's cluster, rebuilt only when firms changed.
_names_cache: dict[str, tuple[Any, Any, dict[int, str | None]]] = {}


def hidden_names(session: Session, viewer: Viewer) -> views.HiddenNames:
    """The viewer's scrubber for firm names in texts; the firm list is read again only when firms changed."""
    url = firm_names.database_key(session)
    version = firm_names.names_version(session)
    cached = _names_cache.get(url)
    if cached is None or cached[0] != version:
        rows = firm_names.firm_names(session)
        cached = (
            version,
            views.name_index(tuple((i, n, a) for i, n, a, _, _ in rows)),
            {i: c for i, _, _, c, _ in rows},
        )
        _names_cache[url] = cached
    return views.HiddenNames(cached[1], cached[2], viewer)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(k for k in after if before.get(k) != after.get(k))


def require_role(viewer: Viewer, *roles: Role) -> None:
    if viewer.role not in roles:
        allowed = " or ".join(r.value for r in roles)
        raise Forbidden(f"this needs the {allowed} role; you are signed in as {viewer.role.value}")


# Lookups that never reveal what a viewer may not see: a hidden object is simply "not found".
def firm_row(session: Session, viewer: Viewer, ref: str, *, manage: bool = False, for_update: bool = False) -> FirmRow:
    """A firm by key (visible firms) or alias (any firm)."""
    firm = firm_store.firm_with_key_or_alias(session, ref, for_update=for_update)
    if firm is None or firm.id is None:
        raise NotFound(f"no firm '{ref}'")
    # a key (or a merged firm's old key) is for those who may identify the firm; an alias, new or former, for all
    by_alias = firm.alias in alias_forms(ref) or firm.former_alias == ref
    if not by_alias and not viewer.sees_identity(firm.id, firm.cluster):
        raise NotFound(f"no firm '{ref}'")
    if manage and not viewer.manages(firm.id, firm.cluster):
        if viewer.sees_identity(firm.id, firm.cluster) or by_alias:
            raise Forbidden(f"you do not manage firm '{ref}'")
        raise NotFound(f"no firm '{ref}'")
    return firm


def profile_row(
    session: Session,
    viewer: Viewer,
    ref: str,
    *,
    manage: bool = False,
    for_update: bool = False,
    today: date | None = None,
) -> tuple[ProfileRow, FirmRow]:
    """A profile by key (own profiles) or EEN reference (live profiles and own ones).

    Without `today`, a profile of another firm is found while it is marked published (the nightly
    run marks it expired after its date); with `today`, only while it is live on that day."""
    hit = profile_store.profile_with_key_or_reference(session, ref, for_update=for_update)
    if hit is None:
        raise NotFound(f"no profile '{ref}'")
    profile, firm = hit
    assert firm.id is not None
    mine = viewer.manages(firm.id, firm.cluster)
    if not mine:
        shown = een.is_live(profile, today) if today is not None else profile.status == "published"
        public = shown and profile.reference == ref
        if not public:
            raise NotFound(f"no profile '{ref}'")
        if manage:
            raise Forbidden(f"profile '{ref}' belongs to a firm you do not manage")
    return profile, firm


def bid_row(session: Session, viewer: Viewer, key: str, for_update: bool = False) -> BidRow:
    bid = bid_store.bid_with_key(session, key, for_update=for_update)
    if bid is None or not viewer.owns_bid(bid.cluster):
        raise NotFound(f"no bid '{key}'")
    return bid


def check_version(current_hash: str, if_match: str | None, what: str) -> None:
    """Optimistic concurrency: a write naming the version it read fails if someone changed it since."""
    if if_match is None:
        return
    wanted = {v.strip() for v in if_match.split(",")}
    if "*" not in wanted and etag(current_hash) not in wanted and etag(current_hash).strip('"') not in wanted:
        raise StaleVersion(f"{what} was changed by someone else since you read it; reload it and try again")
