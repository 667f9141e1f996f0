"""Every endpoint of the HTTP service. Each route parses its input, calls one user action and
shapes the answer; the rules live in the actions (`api.actions.exchange`, `api.actions.bidding`, …)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Literal

from fastapi import APIRouter, Body, Depends, File, Header, Path, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from api.actions import (
    accounts,
    achievements,
    audit_log,
    bidding,
    exchange,
    introductions,
    outcomes,
    relations,
    sign_in,
)
from api.actions import cluster_map as cluster_report
from api.actions.context import Context, firm_row, record
from api.http.deps import Paging, client_address, context, page_body, paging
from api.http.schemas import (
    AccountIn,
    AccountOut,
    AchievementIn,
    AchievementOut,
    ActiveIn,
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    AuditOut,
    BidIn,
    BidOut,
    DecisionIn,
    DigestIn,
    DigestOut,
    EditIn,
    ErrorBody,
    FirmIn,
    FirmOut,
    Health,
    InterestIn,
    InterestOut,
    JobOut,
    MatchOut,
    NoteIn,
    OutcomesOut,
    Page,
    ProfileIn,
    ProfileOut,
    ProposalOut,
    RelationIn,
    RelationOut,
    SolveIn,
    TokenOut,
    UploadReport,
)
from api.nightly import digests
from matching.kinds import KINDS
from optimizer.config import OptimizerConfig
from profiles.db import current_revision, session_scope
from profiles.errors import RowError, ValidationFailed
from profiles.repository import accounts as account_store
from profiles.repository.search import FIRM_SORTS, PROFILE_SORTS, FirmFilter, ProfileFilter
from profiles.taxonomy.nace import load_nace, normalise_nace_code
from profiles.taxonomy.vocabulary import load_vocabulary

ERRORS = {s: {"model": ErrorBody} for s in (400, 401, 403, 404, 409, 412, 413, 422, 503)}
public = APIRouter(responses={s: ERRORS[s] for s in (400, 401, 413, 422)})
router = APIRouter(responses=ERRORS)

Country = Query(None, pattern="^[A-Za-z]{2}$", description="ISO country code of the firm.")
Text = Query(None, min_length=1, max_length=200, description="Words in title, summary or keywords.")


def IfMatch():  # noqa: N802
    return Header(None, max_length=200, description="The `version` you read; the write fails with 412 if it changed.")


def _nace(code: str | None) -> str | None:
    if code is None:
        return None
    normal = normalise_nace_code(code)
    if normal not in load_nace() or normal.isalpha():
        raise ValidationFailed([RowError("query", "nace", code, "not a NACE Rev. 2 division, group or class")], "query")
    return normal


def _concept(phrase: str | None) -> str | None:
    if phrase is None:
        return None
    hit = load_vocabulary().normalise(phrase)
    if hit.concept_id is None:
        raise ValidationFailed(
            [RowError("query", "capability", phrase, "not a capability the vocabulary knows")], "query"
        )
    return hit.concept_id


def _solver_config(ctx: Context, body: SolveIn) -> OptimizerConfig:
    return OptimizerConfig(
        solver=body.solver, alternatives=body.alternatives, time_limit=min(body.time_limit, ctx.settings.max_time_limit)
    )


# health and sign-in ------------------------------------------------------------
@public.get("/health", response_model=Health, tags=["service"], summary="Liveness and schema revision")
def health(request: Request) -> dict:
    return {
        "status": "ok",
        "database": request.app.state.engine.dialect.name,
        "revision": current_revision(request.app.state.engine),
    }


@public.post(
    "/auth/token",
    response_model=TokenOut,
    tags=["accounts"],
    summary="Sign in (OAuth2 password flow)",
    responses={
        403: {"model": ErrorBody, "description": "Locked after too many failed sign-ins"},
        429: {"model": ErrorBody, "description": "Too many failed sign-ins: wait Retry-After seconds"},
        503: {"model": ErrorBody, "description": "The database is unavailable or read-only"},
    },
)
def token(request: Request, form: OAuth2PasswordRequestForm = Depends()) -> dict:
    state = request.app.state
    issued = sign_in.sign_in(state.engine, state.settings, form.username, form.password, client_address(request))
    return {
        "access_token": issued.secret,
        "token_type": "bearer",
        "expires_at": issued.expires_at.isoformat() if issued.expires_at else None,
    }


@router.post("/auth/logout", status_code=204, tags=["accounts"], summary="Revoke the credential used for this call")
def logout(request: Request, ctx: Context = Depends(context)) -> Response:
    assert ctx.viewer.account_id is not None
    with session_scope(ctx.engine) as session:
        account_store.revoke_credential(session, request.state.credential_id, ctx.viewer.account_id, ctx.settings.now())
    return Response(status_code=204)


@router.get("/me", response_model=AccountOut, tags=["accounts"])
def me(ctx: Context = Depends(context)) -> dict:
    return accounts.me(ctx)


@router.get("/me/api-keys", response_model=list[ApiKeyOut], tags=["accounts"])
def api_keys(ctx: Context = Depends(context)) -> list:
    return accounts.list_api_keys(ctx)


@router.post("/me/api-keys", response_model=ApiKeyCreated, status_code=201, tags=["accounts"])
def create_api_key(body: ApiKeyIn, ctx: Context = Depends(context)) -> dict:
    return accounts.new_api_key(ctx, body.label)


@router.delete("/me/api-keys/{key_id}", status_code=204, tags=["accounts"])
def revoke_api_key(key_id: int = Path(ge=1, le=2**31 - 1), ctx: Context = Depends(context)) -> Response:
    accounts.revoke(ctx, key_id)
    return Response(status_code=204)


@router.get("/me/digest", response_model=DigestOut, tags=["accounts"], summary="Your nightly digest preferences")
def digest_preferences(ctx: Context = Depends(context)) -> dict:
    assert ctx.viewer.account_id is not None
    with session_scope(ctx.engine, readonly=True) as session:
        row = account_store.get_account(session, ctx.viewer.account_id)
        return digests.preferences(row.digest, ctx.settings).as_dict()


@router.put(
    "/me/digest",
    response_model=DigestOut,
    tags=["accounts"],
    summary="Turn the nightly digest on or off, set its score threshold and length",
)
def set_digest_preferences(body: DigestIn, ctx: Context = Depends(context)) -> dict:
    assert ctx.viewer.account_id is not None
    with session_scope(ctx.engine) as session:
        row = account_store.set_digest_preferences(session, ctx.viewer.account_id, body.model_dump())
        record(session, ctx, "digest", "account", row.username, row.cluster, body.model_dump())
        return digests.preferences(row.digest, ctx.settings).as_dict()


@router.get("/users", response_model=list[AccountOut], tags=["accounts"], summary="Accounts (advisors: own cluster)")
def users(ctx: Context = Depends(context)) -> list:
    return accounts.list_users(ctx)


@router.post("/users", response_model=AccountOut, status_code=201, tags=["accounts"])
def create_user(body: AccountIn, ctx: Context = Depends(context)) -> dict:
    return accounts.create_user(ctx, body.username, body.password, body.role, body.firm, body.cluster, body.email)


@router.patch("/users/{account_id}", response_model=AccountOut, tags=["accounts"], summary="Activate or deactivate")
def set_active(body: ActiveIn, account_id: int = Path(ge=1, le=2**31 - 1), ctx: Context = Depends(context)) -> dict:
    return accounts.set_active(ctx, account_id, body.active)


@router.post(
    "/users/{account_id}/unlock",
    response_model=AccountOut,
    tags=["accounts"],
    summary="Unlock an account locked after failed sign-ins (admins)",
)
def unlock_user(account_id: int = Path(ge=1, le=2**31 - 1), ctx: Context = Depends(context)) -> dict:
    return accounts.unlock(ctx, account_id)


# firms -------------------------------------------------------------------------
FirmSort = Literal[tuple(s for k in FIRM_SORTS for s in (k, f"-{k}"))]  # type: ignore[valid-type]
ProfileSort = Literal[tuple(s for k in PROFILE_SORTS for s in (k, f"-{k}"))]  # type: ignore[valid-type]


@router.get(
    "/firms",
    response_model=Page[FirmOut],
    response_model_exclude_unset=True,
    tags=["firms"],
    summary="Firms; other clusters' firms appear anonymously",
)
def list_firms(
    country: str | None = Country,
    nace: str | None = Query(None, max_length=10),
    capability: str | None = Query(None, max_length=200),
    q: str | None = Text,
    cluster: str | None = Query(None, max_length=200),
    certification: str | None = Query(None, max_length=80, description="e.g. IATF 16949"),
    sort: FirmSort = "country",
    p: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> dict:
    filters = FirmFilter(
        country=country.upper() if country else None,
        nace=_nace(nace),
        concept=_concept(capability),
        text=q,
        cluster=cluster,
        certification=certification,
    )
    items, total = exchange.list_firms(ctx, filters, sort, p.offset, p.per_page)
    return page_body(items, total, p)


@router.post("/firms", response_model=FirmOut, response_model_exclude_unset=True, status_code=201, tags=["firms"])
def create_firm(body: FirmIn, ctx: Context = Depends(context)) -> dict:
    return exchange.create_firm(ctx, body.model_dump(exclude_unset=True))


def FirmRef():  # noqa: N802
    return Path(min_length=1, max_length=80, description="Firm key (firms you may identify) or alias.")


MatchKind = Enum("MatchKind", {k: k for k in KINDS}, type=str)  # type: ignore[misc]


def KindFilter():  # noqa: N802
    return Query(
        [],
        description="Only these kinds of match (repeat for several): customer, supplier, complement, "
        "peer. Default: all, partners before peers.",
    )


@router.get("/firms/{ref}", response_model=FirmOut, response_model_exclude_unset=True, tags=["firms"])
def get_firm(ref: str = FirmRef(), ctx: Context = Depends(context)) -> dict:
    return exchange.get_firm(ctx, ref)


@router.put("/firms/{ref}", response_model=FirmOut, response_model_exclude_unset=True, tags=["firms"])
def update_firm(
    body: FirmIn, ref: str = FirmRef(), if_match: str | None = IfMatch(), ctx: Context = Depends(context)
) -> dict:
    return exchange.update_firm(ctx, ref, body.model_dump(exclude_unset=True), if_match)


@router.delete("/firms/{ref}", status_code=204, tags=["firms"])
def delete_firm(ref: str = FirmRef(), ctx: Context = Depends(context)) -> Response:
    exchange.delete_firm(ctx, ref)
    return Response(status_code=204)


@router.get(
    "/firms/{ref}/matches",
    response_model=Page[MatchOut],
    response_model_exclude_unset=True,
    tags=["firms"],
    summary="Best matches of all of a firm's profiles",
)
def firm_matches(
    ref: str = FirmRef(),
    min_score: float = Query(0.0, ge=0, le=1),
    kind: list[MatchKind] = KindFilter(),
    p: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> dict:
    items, total = exchange.firm_matches(ctx, ref, p.offset, p.per_page, min_score, [k.value for k in kind] or None)
    return page_body(items, total, p)


# profiles ----------------------------------------------------------------------
def ProfileRef():  # noqa: N802
    return Path(min_length=1, max_length=80, description="Profile key (own profiles) or EEN reference.")


@router.get(
    "/profiles",
    response_model=Page[ProfileOut],
    response_model_exclude_unset=True,
    tags=["profiles"],
    summary="Search profiles: published ones, plus your own drafts and withdrawn ones",
)
def list_profiles(
    type: Literal["BO", "BR", "TO", "TR", "RDR"] | None = None,
    status: Literal["draft", "published", "expired", "withdrawn"] | None = None,
    country: str | None = Country,
    nace: str | None = Query(None, max_length=10),
    capability: str | None = Query(None, max_length=200),
    q: str | None = Text,
    firm: str | None = Query(None, max_length=80, description="Firm key or alias."),
    sort: ProfileSort = "-published_on",
    p: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> dict:
    firm_id = None
    if firm is not None:
        with session_scope(ctx.engine, readonly=True) as session:
            firm_id = firm_row(session, ctx.viewer, firm).id
    filters = ProfileFilter(
        type=type,
        status=status,
        country=country.upper() if country else None,
        nace=_nace(nace),
        concept=_concept(capability),
        text=q,
        firm_id=firm_id,
    )
    items, total = exchange.list_profiles(ctx, filters, sort, p.offset, p.per_page)
    return page_body(items, total, p)


@router.post(
    "/profiles", response_model=ProfileOut, response_model_exclude_unset=True, status_code=201, tags=["profiles"]
)
def create_profile(body: ProfileIn, ctx: Context = Depends(context)) -> dict:
    return exchange.create_profile(ctx, body.model_dump(exclude_unset=True))


@router.get("/profiles/{ref}", response_model=ProfileOut, response_model_exclude_unset=True, tags=["profiles"])
def get_profile(ref: str = ProfileRef(), ctx: Context = Depends(context)) -> dict:
    return exchange.get_profile(ctx, ref)


@router.put(
    "/profiles/{ref}",
    response_model=ProfileOut,
    response_model_exclude_unset=True,
    tags=["profiles"],
    summary="Replace a profile's content (status changes have their own endpoints)",
)
def update_profile(
    body: ProfileIn, ref: str = ProfileRef(), if_match: str | None = IfMatch(), ctx: Context = Depends(context)
) -> dict:
    return exchange.update_profile(ctx, ref, body.model_dump(exclude_unset=True), if_match)


@router.post(
    "/profiles/{ref}/publish",
    response_model=ProfileOut,
    response_model_exclude_unset=True,
    tags=["profiles"],
    summary="Publish: assigns the EEN reference and a 365-day expiry",
)
def publish(ref: str = ProfileRef(), ctx: Context = Depends(context)) -> dict:
    return exchange.publish_profile(ctx, ref)


@router.post(
    "/profiles/{ref}/withdraw", response_model=ProfileOut, response_model_exclude_unset=True, tags=["profiles"]
)
def withdraw(ref: str = ProfileRef(), ctx: Context = Depends(context)) -> dict:
    return exchange.withdraw_profile(ctx, ref)


@router.post(
    "/profiles/{ref}/extend",
    response_model=ProfileOut,
    response_model_exclude_unset=True,
    tags=["profiles"],
    summary="Extend once by another 365 days",
)
def extend(ref: str = ProfileRef(), ctx: Context = Depends(context)) -> dict:
    return exchange.extend_profile(ctx, ref)


@router.get(
    "/profiles/{ref}/matches",
    response_model=Page[MatchOut],
    response_model_exclude_unset=True,
    tags=["profiles"],
    summary="Best matches of one of your profiles, other firms shown anonymously",
)
def profile_matches(
    ref: str = ProfileRef(),
    min_score: float = Query(0.0, ge=0, le=1),
    kind: list[MatchKind] = KindFilter(),
    p: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> dict:
    items, total = exchange.profile_matches(ctx, ref, p.offset, p.per_page, min_score, [k.value for k in kind] or None)
    return page_body(items, total, p)


@router.post(
    "/uploads",
    response_model=UploadReport,
    tags=["profiles"],
    summary="Bulk upload of a JSON or CSV file: all rows valid, or nothing is stored",
)
def upload(
    file: UploadFile = File(description="JSON ({firms, profiles, bids}) or CSV (UTF-8)."),
    ctx: Context = Depends(context),
) -> dict:
    data = file.file.read()
    report = exchange.upload(ctx, data, file.filename or "upload", file.content_type)
    return exchange.report_view(report)


# bids and proposals --------------------------------------------------------------
def BidKey():  # noqa: N802 - a fresh parameter object per route
    return Path(min_length=1, max_length=80)


def Id():  # noqa: N802
    return Path(ge=1, le=2**31 - 1)


@router.get(
    "/bids",
    response_model=Page[BidOut],
    response_model_exclude_unset=True,
    tags=["bids"],
    summary="Your cluster's bids",
)
def list_bids(
    status: Literal["open", "closed"] | None = None, p: Paging = Depends(paging), ctx: Context = Depends(context)
) -> dict:
    items, total = bidding.list_bids(ctx, status, p.offset, p.per_page)
    return page_body(items, total, p)


@router.post("/bids", response_model=BidOut, status_code=201, tags=["bids"])
def create_bid(body: BidIn, ctx: Context = Depends(context)) -> dict:
    return bidding.create_bid(ctx, body.model_dump(mode="json", exclude_unset=True))


@router.get("/bids/{key}", response_model=BidOut, tags=["bids"])
def get_bid(key: str = BidKey(), ctx: Context = Depends(context)) -> dict:
    return bidding.get_bid(ctx, key)


@router.put("/bids/{key}", response_model=BidOut, tags=["bids"])
def update_bid(
    body: BidIn, key: str = BidKey(), if_match: str | None = IfMatch(), ctx: Context = Depends(context)
) -> dict:
    return bidding.update_bid(ctx, key, body.model_dump(mode="json", exclude_unset=True), if_match)


@router.delete("/bids/{key}", status_code=204, tags=["bids"])
def delete_bid(key: str = BidKey(), ctx: Context = Depends(context)) -> Response:
    bidding.delete_bid(ctx, key)
    return Response(status_code=204)


@router.post(
    "/bids/{key}/proposals",
    response_model=JobOut,
    status_code=202,
    tags=["bids"],
    summary="Generate ranked consortium proposals (a background job unless wait=true)",
    responses={200: {"model": JobOut, "description": "Solved before answering (wait=true)."}},
)
def generate(
    request: Request, body: SolveIn = Body(SolveIn()), key: str = BidKey(), ctx: Context = Depends(context)
) -> JSONResponse:
    job = bidding.generate(ctx, request.app.state.jobs, key, _solver_config(ctx, body), body.wait)
    return JSONResponse(job, status_code=200 if body.wait else 202, headers={"Location": f"/api/v1/jobs/{job['id']}"})


@router.get("/bids/{key}/proposals", response_model=list[ProposalOut], response_model_exclude_unset=True, tags=["bids"])
def bid_proposals(
    key: str = BidKey(),
    all_batches: bool = Query(False, description="Include earlier batches."),
    ctx: Context = Depends(context),
) -> list:
    return bidding.list_proposals(ctx, key, latest_only=not all_batches)


@router.get("/jobs/{job_id}", response_model=JobOut, tags=["bids"], summary="Status of a background job")
def job(job_id: int = Id(), ctx: Context = Depends(context)) -> dict:
    return bidding.get_job(ctx, job_id)


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, response_model_exclude_unset=True, tags=["bids"])
def proposal(proposal_id: int = Id(), ctx: Context = Depends(context)) -> dict:
    return bidding.get_proposal(ctx, proposal_id)


@router.post(
    "/proposals/{proposal_id}/decision",
    response_model=ProposalOut,
    response_model_exclude_unset=True,
    tags=["bids"],
    summary="Accept or reject a proposal, with a note",
)
def decide(body: DecisionIn, proposal_id: int = Id(), ctx: Context = Depends(context)) -> dict:
    return bidding.decide(ctx, proposal_id, body.decision, body.note)


@router.post(
    "/proposals/{proposal_id}/edit",
    response_model=JobOut,
    status_code=202,
    tags=["bids"],
    summary="Lock in or exclude firms on the bid and re-optimise",
    responses={200: {"model": JobOut, "description": "Solved before answering (wait=true)."}},
)
def edit(request: Request, body: EditIn, proposal_id: int = Id(), ctx: Context = Depends(context)) -> JSONResponse:
    job = bidding.edit_and_reoptimise(
        ctx,
        request.app.state.jobs,
        proposal_id,
        body.lock,
        body.exclude,
        body.unlock,
        _solver_config(ctx, body),
        body.wait,
    )
    return JSONResponse(job, status_code=200 if body.wait else 202, headers={"Location": f"/api/v1/jobs/{job['id']}"})


@router.get(
    "/proposals/{proposal_id}/document",
    tags=["bids"],
    summary="The proposal document (Markdown, HTML or PDF)",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}, "text/html": {}, "application/pdf": {}}}},
)
def document(
    proposal_id: int = Id(),
    format: Literal["md", "html", "pdf"] = "html",
    for_firm: str | None = Query(
        None,
        alias="for",
        max_length=80,
        description="A member firm (key or alias): the document as that firm may see it.",
    ),
    ctx: Context = Depends(context),
) -> Response:
    content, media = bidding.document(ctx, proposal_id, format, for_firm)
    name = f"proposal-{proposal_id}.{format}"
    disposition = "attachment" if format == "pdf" else "inline"
    return Response(content, media_type=media, headers={"Content-Disposition": f'{disposition}; filename="{name}"'})


# expressions of interest -----------------------------------------------------------
@router.get("/interests", response_model=Page[InterestOut], response_model_exclude_unset=True, tags=["introductions"])
def list_interests(
    status: Literal["sent", "forwarded", "accepted", "declined", "withdrawn"] | None = None,
    p: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> dict:
    items, total = introductions.list_for(ctx, status, p.offset, p.per_page)
    return page_body(items, total, p)


@router.post(
    "/interests",
    response_model=InterestOut,
    response_model_exclude_unset=True,
    status_code=201,
    tags=["introductions"],
    summary="Express interest in a published profile",
)
def express(body: InterestIn, ctx: Context = Depends(context)) -> dict:
    return introductions.express(ctx, body.profile, body.message, body.sender_profile, body.firm)


@router.get(
    "/interests/{interest_id}", response_model=InterestOut, response_model_exclude_unset=True, tags=["introductions"]
)
def interest(interest_id: int = Id(), ctx: Context = Depends(context)) -> dict:
    return introductions.get(ctx, interest_id)


def _step(action):
    def endpoint(body: NoteIn = Body(NoteIn()), interest_id: int = Id(), ctx: Context = Depends(context)) -> dict:
        return action(ctx, interest_id, body.note)

    return endpoint


for _name, _action, _summary in (
    ("forward", introductions.forward, "Owner's advisor forwards the interest to the owner"),
    ("accept", introductions.accept, "Owner accepts: both sides see each other's identity"),
    ("decline", introductions.decline, "Owner (or its advisor) declines"),
    ("withdraw", introductions.withdraw, "Sender withdraws before a decision"),
):
    router.add_api_route(
        f"/interests/{{interest_id}}/{_name}",
        _step(_action),
        methods=["POST"],
        response_model=InterestOut,
        response_model_exclude_unset=True,
        tags=["introductions"],
        summary=_summary,
        name=f"interest_{_name}",
    )


# supplier and customer relations, cluster map -------------------------------------
@router.get(
    "/firms/{ref}/relations",
    response_model=list[RelationOut],
    response_model_exclude_unset=True,
    tags=["cluster map"],
    summary="A firm's suppliers and customers (firms you manage)",
)
def firm_relations(ref: str = FirmRef(), ctx: Context = Depends(context)) -> list:
    return relations.list_relations(ctx, ref)


@router.post(
    "/firms/{ref}/relations",
    response_model=RelationOut,
    response_model_exclude_unset=True,
    status_code=201,
    tags=["cluster map"],
    summary="Record a supplier or customer (the same one again updates it)",
)
def add_relation(body: RelationIn, ref: str = FirmRef(), ctx: Context = Depends(context)) -> dict:
    return relations.add_relation(ctx, ref, body.model_dump(exclude_none=True))


@router.delete("/relations/{relation_id}", status_code=204, tags=["cluster map"])
def delete_relation(relation_id: int = Id(), ctx: Context = Depends(context)) -> Response:
    relations.delete_relation(ctx, relation_id)
    return Response(status_code=204)


@router.get(
    "/map",
    tags=["cluster map"],
    summary="Dependencies, shared dependencies, strengths and opportunities "
    "of a cluster (advisors: their own) or of chosen firms",
)
def cluster_map(
    cluster: str | None = Query(None, max_length=200),
    firm: list[str] = Query([], max_length=200, description="Firms to map instead of a cluster (repeat)."),
    ctx: Context = Depends(context),
) -> dict:
    result = cluster_report.cluster_map(ctx, cluster, firm)
    result.pop("picture")
    return result


@router.get(
    "/map/report",
    tags=["cluster map"],
    summary="The cluster map as a report (Markdown, HTML, PDF) or picture (SVG)",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}, "text/html": {}, "application/pdf": {}, "image/svg+xml": {}}}},
)
def cluster_map_report(
    format: Literal["md", "html", "pdf", "svg"] = "html",
    cluster: str | None = Query(None, max_length=200),
    firm: list[str] = Query([], max_length=200),
    ctx: Context = Depends(context),
) -> Response:
    result = cluster_report.cluster_map(ctx, cluster, firm)
    if format == "svg":
        return Response(result["picture"], media_type="image/svg+xml")
    content, media = cluster_report.report(result, format, ctx.settings.now().strftime("%Y-%m-%d %H:%M"))
    return Response(
        content,
        media_type=media,
        headers={
            "Content-Disposition": f'{"attachment" if format == "pdf" else "inline"}; filename="cluster-map.{format}"'
        },
    )


@router.get(
    "/map/mine",
    tags=["cluster map"],
    summary="Firm users: your relations, and how many firms of your cluster share each counterpart (counts only)",
)
def my_map(ctx: Context = Depends(context)) -> dict:
    return cluster_report.firm_aggregate(ctx)


# partnering achievements and outcomes ----------------------------------------------
@router.get(
    "/achievements",
    response_model=Page[AchievementOut],
    response_model_exclude_unset=True,
    tags=["achievements"],
    summary="Partnering achievements (advisors: their cluster; firm users: their firm, "
    "partners by alias until introduced)",
)
def list_achievements(
    cluster: str | None = Query(None, max_length=200),
    firm: str | None = Query(None, max_length=80, description="Firm key or alias."),
    p: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> dict:
    items, total = achievements.list_for(ctx, cluster, firm, p.offset, p.per_page)
    return page_body(items, total, p)


@router.post(
    "/achievements",
    response_model=AchievementOut,
    response_model_exclude_unset=True,
    status_code=201,
    tags=["achievements"],
    summary="Record a partnership agreement a firm of your cluster signed",
)
def record_achievement(body: AchievementIn, ctx: Context = Depends(context)) -> dict:
    return achievements.add(ctx, body.model_dump(exclude_none=True))


@router.delete("/achievements/{achievement_id}", status_code=204, tags=["achievements"])
def delete_achievement(achievement_id: int = Id(), ctx: Context = Depends(context)) -> Response:
    achievements.delete(ctx, achievement_id)
    return Response(status_code=204)


DAY = r"^\d{4}-\d{2}-\d{2}$"


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed([RowError("query", name, value, "not a calendar date (YYYY-MM-DD)")], "query") from None


@router.get(
    "/outcomes",
    response_model=OutcomesOut,
    tags=["achievements"],
    summary="Outcomes per cluster: interests, answer times, proposals, agreements (advisors: their cluster)",
)
def cluster_outcomes(
    cluster: str | None = Query(
        None, max_length=200, description="Administrators: one cluster (default: every cluster)."
    ),
    since: str | None = Query(None, pattern=DAY, description="First day, YYYY-MM-DD (default: from the start)."),
    until: str | None = Query(None, pattern=DAY, description="Last day, YYYY-MM-DD (default: up to now)."),
    ctx: Context = Depends(context),
) -> dict:
    return outcomes.report(ctx, cluster, _day(since, "since"), _day(until, "until"))


# audit -------------------------------------------------------------------------
@router.get(
    "/matching/config",
    tags=["audit"],
    summary="The active matching configuration (weights, limits) and its provenance: defaults, tuned or restored",
)
def matching_config(ctx: Context = Depends(context)) -> dict:
    from api.actions import tuning

    return tuning.active_view(ctx)


@router.get(
    "/audit",
    response_model=Page[AuditOut],
    response_model_exclude_unset=True,
    tags=["audit"],
    summary="Who changed what, when (advisors: their cluster)",
)
def audit(
    entity: Literal[
        "firm",
        "profile",
        "bid",
        "proposal",
        "interest",
        "account",
        "upload",
        "api_key",
        "credential",
        "achievement",
        "upload",
        "match_run",
        "matching_config",
    ]
    | None = None,
    key: str | None = Query(None, max_length=80),
    actor: str | None = Query(None, max_length=80),
    p: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> dict:
    items, total = audit_log.list_events(ctx, entity, key, actor, p.offset, p.per_page)
    return page_body(items, total, p)
