"""Advisor actions on bids and proposals: edit bids, generate proposals (in the background when
asked), accept or reject them, lock in or exclude firms and re-optimise, export documents."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlmodel import Session

from api.actions import documents, proposals, views
from api.actions.context import Context, bid_row, changed_fields, check_version, firm_row, record, require_role
from api.actions.jobs import JobRunner, execute
from optimizer.config import OptimizerConfig
from profiles import repository
from profiles.db import session_scope
from profiles.domain import Bid, BidStatus
from profiles.errors import Conflict, NotFound, RowError, ValidationFailed
from profiles.mapping import bid_columns, bid_from_rows, to_plain
from profiles.repository import bids as bid_store
from profiles.repository import firms as firm_store
from profiles.repository import interests, jobs
from profiles.repository import proposals as proposal_store
from profiles.tables import BidRow, FirmRow, ProposalRow
from profiles.validation import validate_bid
from profiles.visibility import Role, Viewer


def _validated_bid(raw: dict[str, Any]) -> Bid:
    errors: list[RowError] = []
    bid = validate_bid(raw, "bid", errors)
    if errors or bid is None:
        raise ValidationFailed(errors, "bid")
    return bid


def _cluster_for(ctx: Context, given: str | None) -> str | None:
    if ctx.viewer.role == Role.ADMIN:
        return given
    if given not in (None, ctx.viewer.cluster):
        raise ValidationFailed([RowError("bid", "cluster", given, f"must be your cluster '{ctx.viewer.cluster}'")])
    return ctx.viewer.cluster


DECISION_ACTIONS = {"accepted": "accept", "rejected": "reject"}
# An accepted proposal another proposal of the same bid was accepted over.
SUPERSEDED = "superseded"
# What the bid's edit page does not hold: kept as stored when the page saves.
FIRM_FIELDS = ("excluded_firms", "excluded_pairs", "locked_firms")
KEPT_ON_EDIT = ("status", "required_kinds", "cluster", *FIRM_FIELDS)
# A better plan a nightly run found for a bid with an accepted proposal: shown beside it, never instead.
ALTERNATIVE = proposal_store.ALTERNATIVE


def _firm_key(session: Session, ctx: Context, ref: str, row: str, field: str) -> str:
    """A firm named by key (firms the viewer may identify) or alias (any firm), as its key."""
    try:
        return firm_row(session, ctx.viewer, ref).key
    except NotFound:
        raise ValidationFailed([RowError(row, field, ref, "no such firm (use its key or alias)")]) from None


def _firm_keys_visible(session: Session, ctx: Context, bid: Bid) -> Bid:
    def resolve(ref: str, field: str) -> str:
        return _firm_key(session, ctx, ref, "bid", field)

    return replace(
        bid,
        excluded_firms=tuple(resolve(r, "excluded_firms") for r in bid.excluded_firms),
        locked_firms=tuple(resolve(r, "locked_firms") for r in bid.locked_firms),
        excluded_pairs=tuple(
            (resolve(a, "excluded_pairs"), resolve(b, "excluded_pairs")) for a, b in bid.excluded_pairs
        ),
    )


def _bid_out(session: Session, ctx: Context, row: BidRow) -> dict[str, Any]:
    """The bid as the viewer may see it; `firm_names` labels its locked and excluded firms
    (by name where the viewer may identify them, by alias otherwise)."""
    reqs = bid_store.requirements_of(session, row.id)
    named = set(row.excluded_firms) | set(row.locked_firms) | {k for p in row.excluded_pairs for k in p}
    firms = list(firm_store.firms_with_keys(session, named).values()) if named else []
    out = views.bid_view(row, reqs)
    out["firm_names"] = [{"firm": f.key, "name": f.name} for f in sorted(firms, key=lambda f: f.key)]
    return views.redact(out, firms, ctx.viewer)


def create_bid(ctx: Context, raw: dict[str, Any]) -> dict[str, Any]:
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    bid = _validated_bid(raw)
    bid = replace(bid, cluster=_cluster_for(ctx, bid.cluster))
    with session_scope(ctx.engine) as session:
        if bid_store.bid_exists(session, bid.key):
            raise Conflict(f"key: a bid with key '{bid.key}' already exists")
        bid = _firm_keys_visible(session, ctx, bid)
        repository.upsert_bids(session, [bid], ctx.settings.now())
        row = bid_row(session, ctx.viewer, bid.key)
        record(session, ctx, "create", "bid", bid.key, bid.cluster)
        return _bid_out(session, ctx, row)


def update_bid(
    ctx: Context, key: str, raw: dict[str, Any], if_match: str | None, keep_unlisted: bool = False
) -> dict[str, Any]:
    """Replace the bid by `raw`; with `keep_unlisted` (the edit page) what the page does not hold
    (status, locks, exclusions, required kinds, the lead's languages and export experience) stays."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        row = bid_row(session, ctx.viewer, key, for_update=True)
        check_version(row.content_hash, if_match, f"bid '{key}'")
        stored = repository.get_bid(session, key)
        if keep_unlisted:
            plain = to_plain(stored)
            lead = {k: v for k, v in plain["lead"].items() if k != "certifications"}
            raw = {
                **{k: plain[k] for k in KEPT_ON_EDIT if k not in FIRM_FIELDS},
                **{k: v for k, v in raw.items() if k not in FIRM_FIELDS},
                "lead": {**lead, **(raw.get("lead") or {})},
            }
        bid = _validated_bid(dict(raw, key=row.key))
        bid = replace(bid, cluster=_cluster_for(ctx, bid.cluster or row.cluster))
        if keep_unlisted:  # stored firm keys, kept as they are (some may be hidden from the viewer)
            bid = replace(
                bid,
                excluded_firms=stored.excluded_firms,
                locked_firms=stored.locked_firms,
                excluded_pairs=stored.excluded_pairs,
            )
        else:
            bid = _firm_keys_visible(session, ctx, bid)
        before = bid_columns(stored)
        repository.upsert_bids(session, [bid], ctx.settings.now())
        changed = changed_fields(before, bid_columns(bid))
        requirements = _requirement_changes(stored, bid)
        if requirements:
            changed = sorted({*changed, "requirements"})
        if changed:
            detail: dict[str, Any] = {"fields": changed}
            if requirements:
                detail["requirements"] = requirements
            record(session, ctx, "update", "bid", key, bid.cluster, detail)
        return _bid_out(session, ctx, row)


def _requirement_changes(before: Bid, after: Bid) -> dict[str, list[str]]:
    """Requirement keys added, removed and changed between two versions of a bid (empty lists left out)."""
    old = {r.key: r for r in before.requirements}
    new = {r.key: r for r in after.requirements}
    out = {
        "added": sorted(new.keys() - old.keys()),
        "removed": sorted(old.keys() - new.keys()),
        "changed": sorted(k for k in old.keys() & new.keys() if old[k] != new[k]),
    }
    return {k: v for k, v in out.items() if v}


def set_bid_status(ctx: Context, key: str, status: BidStatus) -> dict[str, Any]:
    """Close a bid (the nightly run stops proposing for it) or reopen it."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        row = bid_row(session, ctx.viewer, key, for_update=True)
        if row.status == status.value:
            raise Conflict(f"bid '{key}' is already {status.value}")
        bid = replace(repository.get_bid(session, key), status=status)
        repository.upsert_bids(session, [bid], ctx.settings.now())
        action = "close" if status == BidStatus.CLOSED else "reopen"
        record(session, ctx, action, "bid", key, row.cluster)
        return _bid_out(session, ctx, row)


def delete_bid(ctx: Context, key: str) -> None:
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        row = bid_row(session, ctx.viewer, key, for_update=True)
        bid_store.delete_bid(session, row)
        record(session, ctx, "delete", "bid", key, row.cluster)


def get_bid(ctx: Context, key: str) -> dict[str, Any]:
    with session_scope(ctx.engine, readonly=True) as session:
        return _bid_out(session, ctx, bid_row(session, ctx.viewer, key))


def list_bids(ctx: Context, status: str | None, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine, readonly=True) as session:
        if not ctx.viewer.is_admin and ctx.viewer.cluster is None:
            return [], 0  # an advisor of no cluster owns no bids
        cluster = None if ctx.viewer.is_admin else ctx.viewer.cluster
        rows = bid_store.bid_rows(session, cluster=cluster, status=status or None)
        return [_bid_out(session, ctx, r) for r in rows[offset : offset + limit]], len(rows)


def open_bid_keys(ctx: Context) -> list[str]:
    """Keys of the open bids the viewer owns, in key order."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    if not ctx.viewer.is_admin and ctx.viewer.cluster is None:
        return []
    with session_scope(ctx.engine, readonly=True) as session:
        cluster = None if ctx.viewer.is_admin else ctx.viewer.cluster
        return [r.key for r in bid_store.bid_rows(session, cluster=cluster, status=BidStatus.OPEN.value)]


# proposals -----------------------------------------------------------------
def _solve_work(ctx: Context, bid_key: str, config: OptimizerConfig):
    def work() -> dict[str, Any]:
        _, outcome, batch = proposals.solve_bid(ctx.engine, ctx.settings, bid_key, config)
        return {
            "bid": bid_key,
            "batch": batch,
            "feasible": outcome.feasible,
            "status": outcome.status,
            "proposals": len(outcome.proposals) if outcome.feasible else 0,
            "reasons": [r.message for r in outcome.reasons],
        }

    return work


def generate(
    ctx: Context, runner: JobRunner | None, bid_key: str, config: OptimizerConfig, wait: bool
) -> dict[str, Any]:
    """Start a proposal solve as a job; with `wait` it runs before the call returns."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        bid = bid_row(session, ctx.viewer, bid_key)
        job = jobs.create_job(
            session,
            kind="propose",
            subject=bid_key,
            params={"solver": config.solver, "alternatives": config.alternatives, "time_limit": config.time_limit},
            account_id=ctx.viewer.account_id,
            cluster=bid.cluster,
            now=ctx.settings.now(),
        )
        record(session, ctx, "generate", "bid", bid_key, bid.cluster, dict(job.params, job=job.id))
        job_id = job.id
    assert job_id is not None
    work = _solve_work(ctx, bid_key, config)
    if wait or runner is None:
        execute(ctx.engine, ctx.settings, job_id, work)
    else:
        runner.submit(job_id, work)
    return get_job(ctx, job_id)


def get_job(ctx: Context, job_id: int) -> dict[str, Any]:
    with session_scope(ctx.engine, readonly=True) as session:
        row = jobs.get_job(session, job_id)
        if not (ctx.viewer.is_admin or (ctx.viewer.role == Role.ADVISOR and row.cluster == ctx.viewer.cluster)):
            raise NotFound(f"no job with id {job_id}")
        return views.job_view(row)


def _proposal(session: Session, ctx: Context, proposal_id: int, for_update: bool = False) -> tuple[ProposalRow, BidRow]:
    hit = proposal_store.proposal_with_bid(session, proposal_id, for_update=for_update)
    if hit is None or not ctx.viewer.owns_bid(hit[1].cluster):
        raise NotFound(f"no proposal with id {proposal_id}")
    return hit[0], hit[1]


def _all_firms(session: Session) -> list[FirmRow]:
    # Reasons and risks may name any firm (e.g. the closest candidate for a missing capability),
    # so hidden names are redacted against every firm, not only the members.
    return firm_store.all_firms(session)


def list_proposals(ctx: Context, bid_key: str, latest_only: bool) -> list[dict[str, Any]]:
    with session_scope(ctx.engine, readonly=True) as session:
        bid = bid_row(session, ctx.viewer, bid_key)
        rows = proposal_store.proposals_of_bid(session, bid.id)
        standing = [r.batch for r in rows if r.status != ALTERNATIVE]
        if latest_only and standing:
            newest = max(standing)
            rows = [r for r in rows if r.batch == newest]
        firms = _all_firms(session)
        return [views.proposal_view(r, bid.key, firms, ctx.viewer) for r in rows]


def get_proposal(ctx: Context, proposal_id: int) -> dict[str, Any]:
    with session_scope(ctx.engine, readonly=True) as session:
        row, bid = _proposal(session, ctx, proposal_id)
        return views.proposal_view(row, bid.key, _all_firms(session), ctx.viewer)


def accepted_other(ctx: Context, proposal_id: int) -> int | None:
    """The id of another accepted proposal of this proposal's bid: accepting this one would supersede it."""
    with session_scope(ctx.engine, readonly=True) as session:
        row, bid = _proposal(session, ctx, proposal_id)
        others = _accepted_others(session, row, bid)
        return others[0].id if others else None


def _accepted_others(session: Session, row: ProposalRow, bid: BidRow) -> list[ProposalRow]:
    return [r for r in proposal_store.proposals_of_bid(session, bid.id) if r.status == "accepted" and r.id != row.id]


def decide(ctx: Context, proposal_id: int, decision: str, note: str, supersede: bool = False) -> dict[str, Any]:
    """Accept or reject a proposal. Only one proposal of a bid stands accepted: accepting another
    needs `supersede`, and then marks the earlier one superseded."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        row, bid = _proposal(session, ctx, proposal_id, for_update=True)
        if not row.feasible:
            raise Conflict("an infeasible result cannot be accepted or rejected; change the bid and generate again")
        if row.status == decision:
            raise Conflict(f"proposal {proposal_id} is already {decision}")
        others = _accepted_others(session, row, bid) if decision == "accepted" else []
        if others and not supersede:
            raise Conflict(
                f"proposal {others[0].id} of bid '{bid.key}' is already accepted; accepting proposal "
                f"{proposal_id} supersedes it: confirm (supersede) to go ahead"
            )
        now = ctx.settings.now()
        for other in others:
            proposal_store.record_decision(session, other, SUPERSEDED, other.note or "", now, ctx.viewer.account_id)
            record(
                session, ctx, "supersede", "proposal", str(other.id), bid.cluster, {"bid": bid.key, "by": proposal_id}
            )
        proposal_store.record_decision(session, row, decision, note, now, ctx.viewer.account_id)
        record(
            session,
            ctx,
            DECISION_ACTIONS[decision],
            "proposal",
            str(proposal_id),
            bid.cluster,
            {"bid": bid.key, "note": note[:200]},
        )
        return views.proposal_view(row, bid.key, _all_firms(session), ctx.viewer)


def edit_and_reoptimise(
    ctx: Context,
    runner: JobRunner | None,
    proposal_id: int,
    lock: list[str],
    exclude: list[str],
    unlock: list[str],
    config: OptimizerConfig,
    wait: bool,
) -> dict[str, Any]:
    """Lock firms in or exclude them on the proposal's bid, then solve the bid again."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    with session_scope(ctx.engine) as session:
        _, bid_rec = _proposal(session, ctx, proposal_id)
        bid_rec = bid_row(session, ctx.viewer, bid_rec.key, for_update=True)

        def keys(refs: list[str], field: str) -> list[str]:
            return [_firm_key(session, ctx, ref, "edit", field) for ref in refs]

        add_lock, add_exclude, remove = keys(lock, "lock"), keys(exclude, "exclude"), set(keys(unlock, "unlock"))
        clash = set(add_lock) & set(add_exclude)
        if clash:
            raise ValidationFailed(
                [RowError("edit", "lock", sorted(clash)[0], "a firm cannot be both locked and excluded")]
            )
        bid = bid_from_rows(bid_rec, bid_store.requirements_of(session, bid_rec.id))
        locked = [
            k for k in dict.fromkeys(list(bid.locked_firms) + add_lock) if k not in remove and k not in add_exclude
        ]
        excluded = [
            k for k in dict.fromkeys(list(bid.excluded_firms) + add_exclude) if k not in remove and k not in add_lock
        ]
        bid = replace(bid, locked_firms=tuple(locked), excluded_firms=tuple(excluded))
        repository.upsert_bids(session, [bid], ctx.settings.now())
        record(
            session,
            ctx,
            "edit",
            "bid",
            bid.key,
            bid.cluster,
            {"proposal": proposal_id, "locked": len(locked), "excluded": len(excluded)},
        )
        bid_key = bid.key
    return generate(ctx, runner, bid_key, config, wait)


def _audience_viewer(session: Session, ctx: Context, rows: list[ProposalRow], ref: str) -> tuple[Viewer, str]:
    """The viewer a document for one member firm is written for: other firms as that firm may see them."""
    firm = firm_row(session, ctx.viewer, ref)
    members = {m.get("firm") for r in rows for m in (r.plan or {}).get("members", [])}
    if firm.key not in members:
        raise ValidationFailed(
            [
                RowError(
                    "document",
                    "for",
                    ref,
                    "a document can be prepared only for a member firm of one of the batch's proposals",
                )
            ],
            "document",
        )
    assert firm.id is not None
    viewer = Viewer(
        account_id=None,
        username=f"document for {firm.alias}",
        role=Role.FIRM,
        firm_id=firm.id,
        cluster=None,
        introduced=interests.introduced_firms(session, [firm.id]),
    )
    return viewer, firm.name


def document(ctx: Context, proposal_id: int, fmt: str, audience: str | None = None) -> tuple[str | bytes, str]:
    """The proposal document of the proposal's batch (Markdown, HTML or PDF), with hidden firms as aliases.

    Without `audience` the document shows firms as the advisor may see them; with a member firm's key
    or alias, as that firm may see them (other firms anonymous until an introduction is agreed)."""
    with session_scope(ctx.engine, readonly=True) as session:
        row, bid_rec = _proposal(session, ctx, proposal_id)
        rows = proposal_store.batch_of(session, bid_rec.id, row.batch)
        bid = bid_from_rows(bid_rec, bid_store.requirements_of(session, bid_rec.id))
        firms = _all_firms(session)
        reader, audience_name = _audience_viewer(session, ctx, rows, audience) if audience else (ctx.viewer, None)
    feasible = [r for r in rows if r.feasible]
    outcome = {
        "bid": bid.key,
        "feasible": bool(feasible),
        "status": rows[0].solver_status,
        "reasons": [] if feasible else rows[0].explanation.get("reasons", []),
        "proposals": [
            {
                "rank": r.rank,
                "feasible": True,
                "objective": r.objective,
                "solver": r.solver,
                "solver_status": r.solver_status,
                "gap": r.gap,
                "solve_seconds": r.solve_seconds,
                "build_seconds": r.build_seconds,
                "plan": r.plan,
                "explanation": r.explanation,
                "status": r.status,
                "note": r.note,
                "decided_at": r.decided_at.strftime("%Y-%m-%d") if r.decided_at else None,
            }
            for r in feasible
        ],
    }
    bid_plain = views.redact(to_plain(bid), firms, reader)
    outcome = views.redact(outcome, firms, reader)
    config = OptimizerConfig(**{k: v for k, v in rows[0].config.items() if k in OptimizerConfig.model_fields})
    if fmt == "md":
        return (
            documents.render_markdown(bid_plain, outcome, config, rows[0].created_at, audience=audience_name),
            "text/markdown; charset=utf-8",
        )
    marked = documents.render_markdown(
        bid_plain, outcome, config, rows[0].created_at, pictures=True, audience=audience_name
    )
    html = documents.render_html(marked, f"Consortium proposal: {bid.title}", documents.consortium_pictures(outcome))
    if fmt == "pdf":
        return documents.render_pdf(html), "application/pdf"
    return html, "text/html; charset=utf-8"
