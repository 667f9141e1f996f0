"""User actions on firms and profiles: each checks the viewer's rights, writes one transaction
and records what changed in the audit log."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlmodel import Session

from api.actions import views
from api.actions.context import (
    Context,
    changed_fields,
    check_version,
    firm_row,
    hidden_names,
    profile_row,
    record,
    require_role,
)
from api.actions.imports import record_links
from profiles import een, identity, repository
from profiles.db import session_scope
from profiles.domain import Firm, Profile, ProfileStatus
from profiles.duplicates import DuplicateFirm
from profiles.een_format import is_placeholder
from profiles.errors import Conflict, Forbidden, RowError, ValidationFailed
from profiles.importing import ImportReport, import_raw
from profiles.mapping import firm_columns, firm_from_row, profile_columns, profile_from_row
from profiles.readers import RawInput, parse_bytes
from profiles.repository import achievements as achievement_store
from profiles.repository import bids as bid_store
from profiles.repository import duplicates as duplicate_store
from profiles.repository import firms as firm_store
from profiles.repository import profiles as profile_store
from profiles.repository import relations as relation_store
from profiles.repository import search
from profiles.repository.search import FirmFilter, ProfileFilter
from profiles.tables import FirmRow
from profiles.validation import validate_firm, validate_profile
from profiles.visibility import Role, Viewer


def _validated(validate, raw: dict[str, Any], source: str):
    errors: list[RowError] = []
    record_ = validate(raw, source, errors)
    if errors or record_ is None:
        raise ValidationFailed(errors, source)
    return record_


# firms ---------------------------------------------------------------------
def _own_cluster(viewer: Viewer, given: str | None, row: str) -> str | None:
    """Advisors create and keep firms in their own cluster; admins may set any."""
    if viewer.role == Role.ADMIN:
        return given
    if given not in (None, viewer.cluster):
        raise ValidationFailed([RowError(row, "cluster", given, f"must be your cluster '{viewer.cluster}'")], row)
    return viewer.cluster


def create_firm(ctx: Context, raw: dict[str, Any]) -> dict[str, Any]:
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    firm: Firm = _validated(validate_firm, raw, "firm")
    firm = replace(firm, cluster=_own_cluster(ctx.viewer, firm.cluster, "firm"))
    with session_scope(ctx.engine) as session:
        if firm_store.firm_exists(session, firm.key):
            raise Conflict(f"key: a firm with key '{firm.key}' already exists")
        repository.upsert_firms(session, [firm], ctx.settings.now())
        row = firm_row(session, ctx.viewer, firm.key)
        record(session, ctx, "create", "firm", firm.key, firm.cluster)
        return views.firm_view(row, ctx.viewer)


def update_firm(ctx: Context, ref: str, raw: dict[str, Any], if_match: str | None) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        row = firm_row(session, ctx.viewer, ref, manage=True, for_update=True)
        check_version(row.content_hash, if_match, f"firm '{ref}'")
        raw = dict(raw, key=row.key)
        firm: Firm = _validated(validate_firm, raw, "firm")
        if ctx.viewer.role == Role.FIRM:
            if firm.cluster not in (None, row.cluster):
                raise ValidationFailed(
                    [RowError("firm", "cluster", firm.cluster, "only an advisor can change the cluster")]
                )
            firm = replace(firm, cluster=row.cluster)
        else:
            firm = replace(firm, cluster=_own_cluster(ctx.viewer, firm.cluster or row.cluster, "firm"))
        before = firm_columns(firm_from_row(row))
        repository.upsert_firms(session, [firm], ctx.settings.now())
        changed = changed_fields(before, firm_columns(firm))
        if changed:
            record(session, ctx, "update", "firm", row.key, firm.cluster, {"fields": changed})
        return views.firm_view(row, ctx.viewer)


def firm_for_edit(ctx: Context, ref: str) -> dict[str, Any]:
    """A firm as its edit form starts: only for those who manage it (its own users, its cluster's
    advisors, administrators); others are refused as `update_firm` would refuse them."""
    with session_scope(ctx.engine, readonly=True) as session:
        return views.firm_view(firm_row(session, ctx.viewer, ref, manage=True), ctx.viewer)


# What keeps a firm from being deleted, in the order it is reported.
FIRM_DEPENDENTS = (("user accounts", "accounts"), ("proposals", "proposals"), ("expressions of interest", "interests"))


def delete_firm(ctx: Context, ref: str) -> None:
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        row = firm_row(session, ctx.viewer, ref, manage=True, for_update=True)
        assert row.id is not None
        in_use = firm_store.firm_dependents(session, row.id)
        for label, name in FIRM_DEPENDENTS:
            if in_use[name]:
                raise Conflict(f"firm '{ref}' still has {label}; it cannot be deleted (withdraw its profiles instead)")
        if achievement_store.achievements_of_firm(session, row.id):
            raise Conflict(
                f"firm '{ref}' has partnering achievements; it cannot be deleted (withdraw its profiles instead)"
            )
        relation_store.forget_firm(session, row.id)
        firm_store.delete_firm(session, row, ctx.settings.now())
        record(session, ctx, "delete", "firm", row.key, row.cluster)


def get_firm(ctx: Context, ref: str) -> dict[str, Any]:
    with session_scope(ctx.engine, readonly=True) as session:
        return views.firm_view(firm_row(session, ctx.viewer, ref), ctx.viewer)


def _scope(viewer: Viewer) -> search.Scope:
    if viewer.role == Role.ADMIN:
        return search.Scope(all_private=True)
    if viewer.role == Role.FIRM:
        return search.Scope(firm_id=viewer.firm_id)
    return search.Scope(cluster=viewer.cluster)


def list_firms(ctx: Context, filters: FirmFilter, sort: str, offset: int, limit: int) -> tuple[list[dict], int]:
    if filters.cluster and not (ctx.viewer.is_admin or filters.cluster == ctx.viewer.cluster):
        raise Forbidden("cluster: you may filter only by your own cluster")
    with session_scope(ctx.engine, readonly=True) as session:
        rows, total = search.search_firms(session, _scope(ctx.viewer), filters, sort, offset, limit)
        return [views.firm_view(r, ctx.viewer) for r in rows], total


def certifications_in_use(ctx: Context) -> list[str]:
    """The certifications stored firms name, to offer as a filter."""
    with session_scope(ctx.engine, readonly=True) as session:
        return firm_store.certifications_in_use(session)


def duplicate_firms(ctx: Context) -> list[DuplicateFirm]:
    """Stored firms that are likely or plausibly one firm, across every cluster (administrators): each firm
    resolved against the others as an import would (`profiles.identity.resolve` with the settings'
    thresholds), best-scored first; placeholders of anonymous network records and pairs an advisor dismissed
    as different firms are left out."""
    require_role(ctx.viewer, Role.ADMIN)
    with session_scope(ctx.engine, readonly=True) as session:
        firms = [f for f in repository.load_firms(session) if not is_placeholder(f.key, f.name)]
        dismissed = {(p.first_key, p.second_key) for p in duplicate_store.pairs(session, duplicate_store.DIFFERENT)}
    found: dict[tuple[str, str], tuple[float, DuplicateFirm]] = {}
    for d in identity.resolve(firms, firms, ctx.settings.identity_link_at, ctx.settings.identity_review_at):
        if d.candidate is None or d.score is None:
            continue
        a, b = sorted((d.incoming, d.candidate), key=lambda f: f.key)
        if (a.key, b.key) in dismissed or (a.key, b.key) in found:
            continue
        pair = DuplicateFirm(
            a.key,
            b.key,
            a.name,
            b.name,
            round(d.score.name_similarity * 100, 1),
            bool(d.score.same_city),
            d.score.evidence | {"band": d.band},
        )
        found[(a.key, b.key)] = (d.score.score, pair)
    return [pair for _, pair in sorted(found.values(), key=lambda x: (-x[0], x[1].first, x[1].second))]


# profiles ------------------------------------------------------------------
def _profile_firm(session: Session, ctx: Context, given: str | None) -> FirmRow:
    if ctx.viewer.role == Role.FIRM:
        own = firm_store.firm_with_id(session, ctx.viewer.firm_id)
        assert own is not None
        if given not in (None, "", own.key):
            raise ValidationFailed([RowError("profile", "firm", given, "you can only add profiles for your own firm")])
        return own
    if not given:
        raise ValidationFailed(
            [RowError("profile", "firm", given, "required: the key of the firm this profile belongs to")]
        )
    return firm_row(session, ctx.viewer, given, manage=True)


def create_profile(ctx: Context, raw: dict[str, Any]) -> dict[str, Any]:
    status = raw.get("status", "draft")
    if status not in ("draft", "published"):
        raise ValidationFailed([RowError("profile", "status", status, "a new profile is either draft or published")])
    with session_scope(ctx.engine) as session:
        firm = _profile_firm(session, ctx, raw.get("firm"))
        raw = dict(raw, firm=firm.key)
        profile: Profile = _validated(validate_profile, raw, "profile")
        profile = replace(profile, reference=None, published_on=None, expires_on=None)
        if profile_store.profile_exists(session, profile.key):
            raise Conflict(f"key: a profile with key '{profile.key}' already exists")
        repository.upsert_profiles(session, [profile], ctx.settings.now(), ctx.settings.current_date())
        row, firm = profile_row(session, ctx.viewer, profile.key, today=ctx.settings.current_date())
        record(
            session,
            ctx,
            "create",
            "profile",
            profile.key,
            firm.cluster,
            {"status": row.status, "reference": row.reference},
        )
        return views.profile_view(row, firm, ctx.viewer, ctx.settings.current_date())


def update_profile(ctx: Context, ref: str, raw: dict[str, Any], if_match: str | None) -> dict[str, Any]:
    """Replace a profile's content; status, reference and dates change only through their own actions."""
    with session_scope(ctx.engine) as session:
        row, firm = profile_row(
            session, ctx.viewer, ref, manage=True, for_update=True, today=ctx.settings.current_date()
        )
        check_version(row.content_hash, if_match, f"profile '{ref}'")
        if raw.get("firm") not in (None, "", firm.key):
            raise ValidationFailed(
                [RowError("profile", "firm", raw.get("firm"), "a profile cannot move to another firm")]
            )
        current = profile_from_row(row, firm.key)
        raw = {k: v for k, v in raw.items() if k not in ("status", "reference", "published_on", "expires_on")}
        profile: Profile = _validated(validate_profile, dict(raw, key=row.key, firm=firm.key), "profile")
        profile = replace(
            profile,
            status=current.status,
            reference=current.reference,
            published_on=current.published_on,
            expires_on=current.expires_on,
        )
        changed = changed_fields(profile_columns(current), profile_columns(profile))
        repository.upsert_profiles(session, [profile], ctx.settings.now(), ctx.settings.current_date())
        if changed:
            record(session, ctx, "update", "profile", row.key, firm.cluster, {"fields": changed})
        return views.profile_view(row, firm, ctx.viewer, ctx.settings.current_date())


def publish_profile(ctx: Context, ref: str) -> dict[str, Any]:
    today = ctx.settings.current_date()
    with session_scope(ctx.engine) as session:
        row, firm = profile_row(session, ctx.viewer, ref, manage=True, for_update=True, today=today)
        status = views.effective_status(row, today)
        if status == "published":
            raise Conflict(f"profile '{ref}' is already published (reference {row.reference})")
        if status == "expired" or (row.expires_on is not None and row.expires_on < today):
            raise Conflict(f"profile '{ref}' has expired; extend it instead of publishing it again")
        profile = replace(profile_from_row(row, firm.key), status=ProfileStatus.PUBLISHED)
        repository.upsert_profiles(session, [profile], ctx.settings.now(), today)
        record(
            session,
            ctx,
            "publish",
            "profile",
            row.key,
            firm.cluster,
            {"reference": row.reference, "expires_on": row.expires_on.isoformat() if row.expires_on else None},
        )
        return views.profile_view(row, firm, ctx.viewer, today)


def withdraw_profile(ctx: Context, ref: str) -> dict[str, Any]:
    today = ctx.settings.current_date()
    with session_scope(ctx.engine) as session:
        row, firm = profile_row(session, ctx.viewer, ref, manage=True, for_update=True, today=today)
        if row.status == "withdrawn":
            raise Conflict(f"profile '{ref}' is already withdrawn")
        previous = row.status
        profile_store.set_status(session, row, firm.key, ProfileStatus.WITHDRAWN, ctx.settings.now())
        record(session, ctx, "withdraw", "profile", row.key, firm.cluster, {"from": previous})
        return views.profile_view(row, firm, ctx.viewer, today)


def extend_profile(ctx: Context, ref: str) -> dict[str, Any]:
    """EEN profiles may be extended once, by another validity period from their expiry (or today if later)."""
    today = ctx.settings.current_date()
    with session_scope(ctx.engine) as session:
        row, firm = profile_row(session, ctx.viewer, ref, manage=True, for_update=True, today=today)
        if row.status not in ("published", "expired") or row.expires_on is None:
            raise Conflict(f"profile '{ref}' is {row.status}; only published or expired profiles can be extended")
        if row.extensions >= een.MAX_EXTENSIONS:
            raise Conflict(f"profile '{ref}' was already extended; a profile can be extended only once")
        before = row.expires_on
        profile_store.extend(session, row, firm.key, een.expiry_for(max(before, today)), ctx.settings.now())
        assert row.expires_on is not None
        record(
            session,
            ctx,
            "extend",
            "profile",
            row.key,
            firm.cluster,
            {"expires_on": [before.isoformat(), row.expires_on.isoformat()]},
        )
        return views.profile_view(row, firm, ctx.viewer, today)


def get_profile(ctx: Context, ref: str) -> dict[str, Any]:
    today = ctx.settings.current_date()
    with session_scope(ctx.engine, readonly=True) as session:
        row, firm = profile_row(session, ctx.viewer, ref, today=today)
        return views.profile_view(row, firm, ctx.viewer, today, hidden_names(session, ctx.viewer))


def get_profile_and_rights(ctx: Context, ref: str) -> tuple[dict[str, Any], bool]:
    """A profile as the viewer may see it, and whether the viewer manages it (edits it, sees its matches)."""
    today = ctx.settings.current_date()
    with session_scope(ctx.engine, readonly=True) as session:
        row, firm = profile_row(session, ctx.viewer, ref, today=today)
        view = views.profile_view(row, firm, ctx.viewer, today, hidden_names(session, ctx.viewer))
        return view, ctx.viewer.manages(firm.id, firm.cluster)


def _text_excluded(filters: ProfileFilter, names: views.HiddenNames) -> ProfileFilter:
    """The filters with the firms hidden from the viewer that the free text names: their profiles'
    texts are shown without their names, so the names must not find them either."""
    if not filters.text:
        return filters
    named: set[int] = set()
    for word in search.text_words(filters.text):
        by_name = names.index.firms_named_by_prefix(word) if len(word) >= search.MIN_PREFIX else set()
        named |= {i for i in by_name | names.index.firms_named_by(word) if names.hidden(i)}
    return replace(filters, text_excludes=frozenset(named)) if named else filters


def _profile_views(
    session: Session, ctx: Context, filters: ProfileFilter, sort: str, offset: int, limit: int
) -> tuple[list[dict], int, bool]:
    today = ctx.settings.current_date()
    names = hidden_names(session, ctx.viewer)
    filters = _text_excluded(filters, names)
    rows, total, exact = search.search_profiles(session, _scope(ctx.viewer), filters, sort, offset, limit, today=today)
    return [views.profile_view(p, f, ctx.viewer, today, names) for p, f in rows], total, exact


def list_profiles(
    ctx: Context, filters: ProfileFilter, sort: str, offset: int, limit: int, firm: str | None = None
) -> tuple[list[dict], int, bool]:
    """Profiles the viewer may list; with `firm` (key or alias), only that firm's; how many in all,
    and whether that number is exact (free text counts up to `search.COUNT_LIMIT`)."""
    with session_scope(ctx.engine, readonly=True) as session:
        if firm is not None:
            filters = replace(filters, firm_id=firm_row(session, ctx.viewer, firm).id)
        return _profile_views(session, ctx, filters, sort, offset, limit)


def search_profiles(
    ctx: Context, filters: ProfileFilter, sort: str, offset: int, limit: int
) -> tuple[list[dict], int, bool]:
    """The profile search page: profiles the viewer may list, each with `best_match`, its best stored match
    score to a profile of the viewer's own firm (an advisor's: of its cluster's firms), None without one;
    how many in all, and whether that number is exact."""
    today = ctx.settings.current_date()
    v = ctx.viewer
    with session_scope(ctx.engine, readonly=True) as session:
        names = hidden_names(session, v)
        filters = _text_excluded(filters, names)
        rows, total, exact = search.search_profiles(session, _scope(v), filters, sort, offset, limit, today=today)
        own = [v.firm_id] if v.role == Role.FIRM and v.firm_id else []
        if v.role == Role.ADVISOR and v.cluster:
            own = firm_store.cluster_firm_ids(session, v.cluster)
        best = search.best_scores(session, own, [p.id for p, _ in rows if p.id is not None])
        found = [views.profile_view(p, f, v, today, names) | {"best_match": best.get(p.id or 0)} for p, f in rows]
        return found, total, exact


def get_firm_and_profiles(ctx: Context, ref: str, limit: int) -> tuple[dict[str, Any], list[dict], bool]:
    """A firm, the first `limit` of its profiles the viewer may list (newest published first), and
    whether the viewer manages the firm."""
    with session_scope(ctx.engine, readonly=True) as session:
        row = firm_row(session, ctx.viewer, ref)
        profiles, _, _ = _profile_views(session, ctx, ProfileFilter(firm_id=row.id), "-published_on", 0, limit)
        return views.firm_view(row, ctx.viewer), profiles, ctx.viewer.manages(row.id, row.cluster)


def published_request_keys(ctx: Context, limit: int) -> list[str]:
    """Keys of the first `limit` published requests (BR, TR, RDR) by key, across every firm (administrators)."""
    require_role(ctx.viewer, Role.ADMIN)
    with session_scope(ctx.engine, readonly=True) as session:
        published = repository.load_profiles(session, [ProfileStatus.PUBLISHED])
    return [p.key for p in published if not p.type.is_offer][:limit]


def profile_matches(
    ctx: Context, ref: str, offset: int, limit: int, min_score: float, kinds: list[str] | None = None
) -> tuple[list[dict], int]:
    """Stored matches of one of the viewer's own profiles (of the given kinds: customer, supplier, complement,
    peer); partners first; the other side shown as the viewer may see it."""
    today = ctx.settings.current_date()
    with session_scope(ctx.engine, readonly=True) as session:
        row, _ = profile_row(session, ctx.viewer, ref, manage=True, today=today)
        assert row.id is not None
        hits, total = search.matches_of(session, [row.id], offset, limit, min_score, kinds)
        names = hidden_names(session, ctx.viewer)
        return [
            views.match_view(
                {
                    "rank": m.rank,
                    "score": m.score,
                    "kind": m.kind,
                    "components": m.components,
                    "explanation": m.explanation,
                },
                other,
                other_firm,
                ctx.viewer,
                today,
                names,
            )
            for m, _, other, other_firm in hits
        ], total


def firm_matches(
    ctx: Context, ref: str, offset: int, limit: int, min_score: float, kinds: list[str] | None = None
) -> tuple[list[dict], int]:
    today = ctx.settings.current_date()
    with session_scope(ctx.engine, readonly=True) as session:
        firm = firm_row(session, ctx.viewer, ref, manage=True)
        assert firm.id is not None
        ids = profile_store.profile_ids_of_firm(session, firm.id)
        hits, total = search.matches_of(session, ids, offset, limit, min_score, kinds) if ids else ([], 0)
        out = []
        names = hidden_names(session, ctx.viewer)
        for m, own, other, other_firm in hits:
            view = views.match_view(
                {
                    "rank": m.rank,
                    "score": m.score,
                    "kind": m.kind,
                    "components": m.components,
                    "explanation": m.explanation,
                },
                other,
                other_firm,
                ctx.viewer,
                today,
                names,
            )
            view["profile"] = own.key
            out.append(view)
        return out, total


# bulk upload ---------------------------------------------------------------
def _admit_for(ctx: Context):
    viewer = ctx.viewer

    def admit(session: Session, raw: RawInput, batch):
        refused: list[RowError] = []
        labels = {kind: [label for label, _ in rows] for kind, rows in raw.rows.items()}
        batch_firms = {f.key: f for f in batch.firms}
        stored = firm_store.firms_with_keys(session, list(batch_firms) + [p.firm_key for p in batch.profiles])
        if viewer.role == Role.FIRM and (batch.firms or batch.bids):
            kinds = [k for k, items in (("firms", batch.firms), ("bids", batch.bids)) if items]
            refused.append(
                RowError(
                    labels[kinds[0]][0],
                    kinds[0],
                    None,
                    "firm users upload profiles only; ask your advisor to change firms or bids",
                )
            )
        firms = []
        for label, firm in zip(labels.get("firms", []), batch.firms, strict=False):
            existing = stored.get(firm.key)
            if existing is not None and not viewer.manages(existing.id, existing.cluster):
                refused.append(RowError(label, "key", firm.key, "this firm belongs to another cluster"))
                continue
            if viewer.role == Role.ADVISOR:
                if firm.cluster not in (None, viewer.cluster):
                    refused.append(RowError(label, "cluster", firm.cluster, f"must be your cluster '{viewer.cluster}'"))
                firm = replace(firm, cluster=viewer.cluster)
            firms.append(firm)
        own_keys = {f.key for f in firms}
        stored_profiles = profile_store.profile_owners(session, [p.key for p in batch.profiles])
        for label, p in zip(labels.get("profiles", []), batch.profiles, strict=False):
            owner = stored.get(p.firm_key)
            allowed = p.firm_key in own_keys or (owner is not None and viewer.manages(owner.id, owner.cluster))
            if not allowed:
                refused.append(RowError(label, "firm", p.firm_key, "you cannot add profiles for this firm"))
            elif p.key in stored_profiles and (owner is None or stored_profiles[p.key] != owner.id):
                refused.append(RowError(label, "key", p.key, "this profile key belongs to another firm"))
        bids = []
        bid_clusters = bid_store.bid_clusters(session, [b.key for b in batch.bids]) if batch.bids else {}
        for label, b in zip(labels.get("bids", []), batch.bids, strict=False):
            if b.key in bid_clusters and not viewer.owns_bid(bid_clusters[b.key]):
                refused.append(RowError(label, "key", b.key, "this bid belongs to another cluster"))
            if viewer.role == Role.ADVISOR:
                if b.cluster not in (None, viewer.cluster):
                    refused.append(RowError(label, "cluster", b.cluster, f"must be your cluster '{viewer.cluster}'"))
                b = replace(b, cluster=viewer.cluster)
            bids.append(b)
        relation_owners = (
            firm_store.firms_with_keys(session, [x.firm_key for x in batch.relations]) if batch.relations else {}
        )
        for label, x in zip(batch.relation_rows, batch.relations, strict=False):
            owner = relation_owners.get(x.firm_key)
            if not (x.firm_key in own_keys or (owner is not None and viewer.manages(owner.id, owner.cluster))):
                refused.append(RowError(label, "firm", x.firm_key, "you cannot record relations for this firm"))
        batch.firms[:] = firms
        batch.bids[:] = bids
        return batch, refused

    return admit


def parse_upload(data: bytes, filename: str, content_type: str | None) -> RawInput:
    return parse_bytes(data, filename or "upload", content_type)


def upload(ctx: Context, data: bytes, filename: str, content_type: str | None) -> ImportReport:
    raw = parse_upload(data, filename, content_type)
    with session_scope(ctx.engine) as session:
        report = import_raw(
            session,
            raw,
            ctx.settings.now(),
            ctx.settings.current_date(),
            admit=_admit_for(ctx),
            link_at=ctx.settings.identity_link_at,
            review_at=ctx.settings.identity_review_at,
        )
        record_links(session, ctx, report)
        record(
            session, ctx, "upload", "upload", filename[:80] or "upload", ctx.viewer.cluster, {"counts": report.counts}
        )
        return report


def report_view(report: ImportReport) -> dict[str, Any]:
    return {
        "source": report.source,
        "counts": report.counts,
        "unknown_phrases": [str(n) for n in report.unknown_phrases],
        "approximate_phrases": [str(n) for n in report.approximate_phrases],
        "possible_duplicates": [str(d) for d in report.duplicates],
        "linked_firms": [str(linked) for linked in report.linked],
        "warnings": report.warnings,
        "notes": report.notes,
    }
