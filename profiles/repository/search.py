"""Paged, filtered and sorted lists of firms and profiles, scoped to what a viewer may list.

Filters run in SQL; list columns are JSON, matched as text on the quoted value so the
same query works on SQLite and PostgreSQL.

Free text finds profiles through the full-text index of the database (migrations 0013
and 0015): SQLite's FTS5 table `profile_fts`, PostgreSQL's `profile.search_vector`. The
user's text is cut into words here and every word quoted, so no search syntax of either
database reaches it; a profile must contain every word, the longer ones also as the start
of a longer word ("machine" finds "machines"). On PostgreSQL words are also stemmed with
every configuration the profiles are indexed with. Other databases fall back to a
substring scan (`like_text_condition`).

A free-text search counts its hits up to `COUNT_LIMIT` and says whether it stopped there:
a common word is in thousands of profiles, and counting them all made every search cost
grow with the exchange. The page itself is read in its sort order where the index allows
(SQLite's FTS5 rowid is the publication order), so it too stops after one page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import String, and_, case, cast, false, func, literal_column, or_, table, text
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from .. import een
from ..tables import FirmRow, MatchRow, ProfileRow


@dataclass(frozen=True)
class Scope:
    """Whose private rows (drafts, withdrawn, expired) the viewer may list besides live ones."""

    all_private: bool = False
    firm_id: int | None = None
    cluster: str | None = None


@dataclass(frozen=True)
class ProfileFilter:
    type: str | None = None
    status: str | None = None
    country: str | None = None
    nace: str | None = None
    concept: str | None = None
    text: str | None = None
    firm_id: int | None = None
    # Firms whose profiles free text must not find: those the viewer may not see whose name the text
    # names (profiles.name_mentions), so that a search cannot tie an anonymous profile to a name.
    text_excludes: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class FirmFilter:
    country: str | None = None
    nace: str | None = None
    concept: str | None = None
    text: str | None = None
    cluster: str | None = None
    certification: str | None = None


PROFILE_SORTS = {
    "published_on": ProfileRow.published_on,
    "updated_at": ProfileRow.updated_at,
    "title": ProfileRow.title,
    "reference": ProfileRow.reference,
    "type": ProfileRow.type,
    "expires_on": ProfileRow.expires_on,
}
FIRM_SORTS = {"country": FirmRow.country, "updated_at": FirmRow.updated_at, "size_class": FirmRow.size_class}


def _json_has(column: Any, value: str) -> Any:
    return cast(column, String).like(f'%"{_escape(value)}"%', escape="\\")


def _json_has_prefix(column: Any, prefix: str) -> Any:
    return cast(column, String).like(f'%"{_escape(prefix)}%', escape="\\")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('"', '\\"')


def _contains(column: Any, text: str) -> Any:
    return func.lower(column).like(f"%{_escape(text.lower())}%", escape="\\")


# Words of free text: letters and digits (Unicode), at most this many, each at most this long.
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12
MAX_WORD_LENGTH = 64
# Shorter words must match whole words: a one- or two-letter prefix would match a large part of the index.
MIN_PREFIX = 3
# The configurations profiles are indexed with on PostgreSQL (pm_regconfig in migration 0013).
PG_CONFIGS = ("simple", "danish", "swedish", "norwegian", "finnish", "german", "english")


def text_words(value: str) -> list[str]:
    """The words free text searches for, folded to lower case, in order, without repeats."""
    words = dict.fromkeys(w[:MAX_WORD_LENGTH] for w in _WORD.findall(value.casefold()))
    return list(words)[:MAX_WORDS]


def fts5_query(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word quoted (a phrase, never syntax), all of them required."""
    quoted = ['"' + w.replace('"', '""') + '"' + ("*" if len(w) >= MIN_PREFIX else "") for w in words]
    return " AND ".join(quoted)


def tsquery_text(words: list[str], prefix: bool = True) -> str:
    """A `to_tsquery` expression: every word quoted as a lexeme, all required, longer ones as prefixes
    when `prefix`. The words hold only letters and digits, so the quotes cannot be closed early."""
    return " & ".join("'" + w.replace("'", "") + "'" + (":*" if prefix and len(w) >= MIN_PREFIX else "") for w in words)


_PROFILE_FTS = table("profile_fts", literal_column("rowid"))
# The FTS5 rowid is the profile's place in publication order (migration 0015): days of `published_on`
# times LISTING_STEP plus the profile id.
LISTING_STEP = 2**32
# Hits are counted up to this many; a search says whether there are more.
COUNT_LIMIT = 1_000
# Sorts the FTS5 rowid follows, and its direction for each.
LISTING_SORTS = {"-published_on": "DESC", "published_on": "ASC"}


def _fts5_hits(words: list[str], sort: str | None = None) -> Any:
    """The ids of the profiles FTS5 finds, as a subquery the search starts from; for a sort in
    publication order, in that order (newest first for "-published_on").

    Unordered, `LIMIT -1` (no limit) keeps SQLite from flattening the subquery: it reads the index
    once and then each hit's profile and firm by key. Flattened (or as `id IN (...)`), the planner may
    start from a type or country index and run the full-text query again for every profile of that
    type, or probe every hit for every firm of that country: a second for a query the index answers
    in 1 ms. Ordered, the subquery is flattened on purpose: kept apart, SQLite materialises every hit
    and sorts them again (300 ms for a third of 100,000 profiles); flattened, the FTS5 scan leads,
    already in the page's order, and stops when the page is full (4 ms).
    """
    match = text("profile_fts MATCH :fts_query").bindparams(fts_query=fts5_query(words))
    rowid: Any = literal_column("rowid")
    hits: Any = select((rowid % LISTING_STEP).label("id"), rowid.label("listing")).select_from(_PROFILE_FTS)
    hits = hits.where(match)
    if sort in LISTING_SORTS:
        # Flattened into the search: FTS5 leads the join in its own order, and the page stops the scan.
        return hits.order_by(text(f"rowid {LISTING_SORTS[sort]}")).subquery("fts_hits")
    return hits.limit(-1).subquery("fts_hits")


def _tsquery_hits(words: list[str], sort: str | None = None) -> Any:
    """The ids of the profiles whose search vector matches, as a materialised common table expression
    the search starts from: the GIN index is read once. (As a subquery, even one the planner may not
    merge, it may start from another filter it thinks selective, a capability, and read the index again
    for every profile that filter passes: 0.7 s instead of 3 ms.)"""
    return select(ProfileRow.id).where(tsquery_match(words)).cte("ts_hits").prefix_with("MATERIALIZED")


def tsquery_match(words: list[str]) -> Any:
    """The condition that a profile's search vector holds every word: the words as they are, as
    prefixes ('simple'), or-ed with the words stemmed as each language the profiles are in, whole (a
    stem as a prefix finds too much: English "automation" is "autom", which would find "automotive").
    So "machines" finds an English "machine" and "Maschinen" a German "Maschine"."""
    stemmed = " || ".join(f"to_tsquery('{c}', :ts_stems)" for c in PG_CONFIGS if c != "simple")
    return text(f"profile.search_vector @@ (to_tsquery('simple', :ts_prefixes) || {stemmed})").bindparams(
        ts_prefixes=tsquery_text(words), ts_stems=tsquery_text(words, prefix=False)
    )


def like_text_condition(words_text: str) -> Any:
    """The text as a substring of title, summary or keywords (a scan of every profile)."""
    return or_(
        _contains(ProfileRow.title, words_text),
        _contains(ProfileRow.summary, words_text),
        _contains(cast(ProfileRow.keywords, String), words_text),
    )


# Full text by database: a subquery of the ids of matching profiles the search starts from. Databases
# without one scan with like_text_condition.
TEXT_SOURCES = {"sqlite": _fts5_hits, "postgresql": _tsquery_hits}


def text_condition(dialect: str, value: str) -> Any | None:
    """Where the database has no full-text source, the condition that the profile contains `value`;
    else nothing (None), or no profile at all if `value` has no word."""
    if dialect not in TEXT_SOURCES:
        return like_text_condition(value)
    return None if text_words(value) else false()


def text_source(dialect: str, value: str | None, sort: str | None = None) -> Any | None:
    """The subquery of the ids of the profiles that contain every word of `value`, where the database's
    full-text index is read that way (in the order of `sort` where the index keeps it); else None."""
    by_source = TEXT_SOURCES.get(dialect)
    words = text_words(value) if value else []
    return by_source(words, sort) if by_source is not None and words else None


def _order(query: Any, sorts: dict[str, Any], sort: str, tiebreak: Any) -> Any:
    """Sorted by `sort`, ties by `tiebreak` in the same direction: newest first is also highest id
    first, the order the full-text index of SQLite reads its hits in."""
    column = sorts[sort.lstrip("-")]
    if sort.startswith("-"):
        return query.order_by(column.desc(), tiebreak.desc())
    return query.order_by(column.asc(), tiebreak.asc())


def search_profiles(
    session: Session, scope: Scope, filters: ProfileFilter, sort: str, offset: int, limit: int, *, today: date
) -> tuple[list[tuple[ProfileRow, FirmRow]], int, bool]:
    """One page of the profiles the filters select, how many there are in all, and whether that
    number is exact: of other firms than the viewer's own, only profiles live on `today`. Free text
    counts up to `COUNT_LIMIT` (then the number is that limit, not exact); other filters count all.
    """
    dialect = session.get_bind().dialect.name
    conditions = _profile_conditions(scope, filters, today, dialect)

    def matching(query: Any, hits: Any) -> Any:
        if hits is not None:
            query = query.select_from(hits).join(ProfileRow, col(ProfileRow.id) == hits.c.id)
        return query.join(FirmRow, col(FirmRow.id) == col(ProfileRow.firm_id)).where(*conditions)

    if text_source(dialect, filters.text) is None:
        ids, total = _counted_page(session, lambda q: matching(q, None), sort, offset, limit)
        exact = True
    else:
        total, exact = _text_count(session, dialect, filters.text or "", matching)
        ids = _text_page(session, dialect, filters.text or "", matching, sort, offset, limit, common=not exact)
    if not ids:
        return [], total, exact
    joined = col(FirmRow.id) == col(ProfileRow.firm_id)
    rows = session.exec(select(ProfileRow, FirmRow).join(FirmRow, joined).where(col(ProfileRow.id).in_(ids))).all()
    by_id = {p.id: (p, firm) for p, firm in rows}
    return [by_id[i] for i in ids], total, exact


def _counted_page(
    session: Session, matching: Callable[[Any], Any], sort: str, offset: int, limit: int
) -> tuple[list[int], int]:
    """Ids of one page and the number of all matching profiles, in one query: the filters run once,
    the ids ordered and counted with a window function (`count(*) over ()`). (A separate count query
    would run every filter, and on SQLite scan the whole table, a second time.)"""
    page = session.exec(
        _order(matching(select(ProfileRow.id, func.count().over())), PROFILE_SORTS, sort, ProfileRow.id)
        .offset(offset)
        .limit(limit)
    ).all()
    if page:
        return [i for i, _ in page], page[0][1]
    if offset == 0:
        return [], 0
    # past the last page: the window saw no rows, so count them apart
    return [], session.exec(matching(select(func.count()).select_from(ProfileRow))).one()


def _text_page(
    session: Session,
    dialect: str,
    value: str,
    matching: Callable[[Any, Any], Any],
    sort: str,
    offset: int,
    limit: int,
    *,
    common: bool,
) -> list[int]:
    """Ids of one page of the profiles with the words of `value`. SQLite's hits come in publication
    order, so a page sorted that way is read to its end and no further. On PostgreSQL a `common` text
    (more hits than were counted) is matched as a plain condition, so the planner may walk the sort's
    index and stop after the page; fewer hits are read from the GIN index and sorted."""
    hits = text_source(dialect, value, sort)
    walk = dialect == "postgresql" and common
    if dialect == "sqlite" and sort in LISTING_SORTS:
        listing = hits.c.listing.desc() if LISTING_SORTS[sort] == "DESC" else hits.c.listing.asc()
        query = matching(select(ProfileRow.id), hits).order_by(listing)
    elif walk:
        query = matching(select(ProfileRow.id), None).where(tsquery_match(text_words(value)))
        query = _order(query, PROFILE_SORTS, sort, ProfileRow.id)
    else:
        query = _order(matching(select(ProfileRow.id), hits), PROFILE_SORTS, sort, ProfileRow.id)
    with _planned_for_a_page(session) if walk else _index_first(session, dialect == "postgresql"):
        return list(session.exec(query.offset(offset).limit(limit)).all())


def _text_count(session: Session, dialect: str, value: str, matching: Callable[[Any, Any], Any]) -> tuple[int, bool]:
    """How many profiles have the words of `value`, counted up to COUNT_LIMIT, and whether that is all.
    SQLite counts along the publication order too: its flattened scan stops at the limit, where the
    unordered subquery would read every hit first."""
    hits = text_source(dialect, value, next(iter(LISTING_SORTS)))
    firsts = matching(select(literal_column("1").label("one")), hits).limit(COUNT_LIMIT + 1).subquery()
    with _index_first(session, dialect == "postgresql"):
        counted = session.exec(select(func.count()).select_from(firsts)).one()
    return min(counted, COUNT_LIMIT), counted <= COUNT_LIMIT


@contextmanager
def _planned_for_a_page(session: Session) -> Iterator[None]:
    """PostgreSQL plans a page of hits itself: walking the (published_on, id) index for a common word
    and stopping after the page, or reading a rare word's few hits from the GIN index. JIT stays off:
    the estimate of a query over all profiles is high enough to compile it, which takes longer than
    running it."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    session.exec(text("SET LOCAL jit = off"))
    try:
        yield
    finally:
        session.exec(text("RESET jit"))


@contextmanager
def _index_first(session: Session, needed: bool) -> Iterator[None]:
    """PostgreSQL reads the full-text index, and each hit's profile and firm by key, for the query run
    inside. Its planner counts neither the cost of reading every TOASTed search vector nor that of
    matching it, so for a word in one profile in ten it scans the whole table (0.5 s at 100k
    profiles) or starts from the type index; with sequential scans, hash and merge joins off for the
    one query, only the index path is left (the settings are reset after it). JIT is off for it too:
    the plan's cost estimate is high enough to compile it, which takes longer than running it."""
    if not needed:
        yield
        return
    settings = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin", "jit")
    for name in settings:
        session.exec(text(f"SET LOCAL {name} = off"))
    try:
        yield
    finally:
        for name in settings:
            session.exec(text(f"RESET {name}"))


def _profile_conditions(scope: Scope, filters: ProfileFilter, today: date, dialect: str) -> list[Any]:
    conditions: list[Any] = []
    if not scope.all_private:
        mine = in_scope(scope)
        live = een.live_clause(today)
        conditions.append(or_(live, mine) if mine is not None else live)
    f = filters
    if f.type:
        conditions.append(ProfileRow.type == f.type)
    if f.status:
        conditions.append(ProfileRow.status == f.status)
    if f.country:
        conditions.append(FirmRow.country == f.country)
    if f.nace:
        conditions.append(_json_has_prefix(FirmRow.nace, f.nace))
    if f.concept:
        conditions.append(_json_has(ProfileRow.concepts, f.concept))
    if f.firm_id is not None:
        conditions.append(ProfileRow.firm_id == f.firm_id)
    if f.text:
        condition = text_condition(dialect, f.text)
        if condition is not None:
            conditions.append(condition)
        if f.text_excludes:
            conditions.append(col(ProfileRow.firm_id).not_in(sorted(f.text_excludes)))
        if not scope.all_private:
            conditions.extend(_not_by_identifiers(scope, text_words(f.text)))
    return conditions


def _not_by_identifiers(scope: Scope, words: list[str]) -> list[Any]:
    """VAT and registry numbers are shown only to those who manage the firm (and withheld from its
    published texts for everyone else): a number in the text must not find the profiles of a firm
    whose numbers hold it, unless the viewer manages that firm. Checked on the rows the text matched."""
    mine = in_scope(scope)
    conditions = []
    for word in words:
        if sum(c.isdigit() for c in word) < 3:
            continue
        fragment = f"%{_escape(word.upper())}%"
        holds = or_(
            func.coalesce(FirmRow.vat_number, "").like(fragment, escape="\\"),
            func.coalesce(FirmRow.registry_number, "").like(fragment, escape="\\"),
        )
        conditions.append(or_(mine, ~holds) if mine is not None else ~holds)
    return conditions


def in_scope(scope: Scope) -> Any:
    """The rows of the viewer's own firm or cluster (None: the viewer has none)."""
    mine = []
    if scope.firm_id is not None:
        mine.append(FirmRow.id == scope.firm_id)
    if scope.cluster is not None:
        mine.append(FirmRow.cluster == scope.cluster)
    return or_(*mine) if mine else None


def search_firms(
    session: Session, scope: Scope, filters: FirmFilter, sort: str, offset: int, limit: int
) -> tuple[list[FirmRow], int]:
    """Firms by filters. Free text matches names and keys only of firms in the viewer's scope,
    so a search cannot reveal who is behind an alias; capabilities match everywhere."""
    query = select(FirmRow)
    f = filters
    if f.country:
        query = query.where(FirmRow.country == f.country)
    if f.nace:
        query = query.where(_json_has_prefix(FirmRow.nace, f.nace))
    if f.concept:
        query = query.where(_json_has(FirmRow.concepts, f.concept))
    if f.cluster:
        query = query.where(FirmRow.cluster == f.cluster)
    if f.certification:
        query = query.where(_json_has(FirmRow.certifications, f.certification))
    if f.text:
        by_identity = or_(_contains(FirmRow.name, f.text), _contains(FirmRow.key, f.text))
        fields = [_contains(cast(FirmRow.capabilities, String), f.text)]
        if scope.all_private:
            fields.append(by_identity)
        else:
            mine = in_scope(scope)
            if mine is not None:
                fields.append(and_(by_identity, mine))
        query = query.where(or_(*fields))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(_order(query, FIRM_SORTS, sort, FirmRow.id).offset(offset).limit(limit)).all()
    return list(rows), total


def matches_of(
    session: Session,
    profile_ids: list[int],
    offset: int,
    limit: int,
    min_score: float = 0.0,
    kinds: list[str] | None = None,
) -> tuple[list[tuple[Any, ProfileRow, ProfileRow, FirmRow]], int]:
    """Stored matches of the given profiles (of the given kinds), partners (customers, suppliers,
    complements) before peers and best first within each, with the profile and the matched profile and firm."""
    other = aliased(ProfileRow)
    query = (
        select(MatchRow, ProfileRow, other, FirmRow)
        .join(ProfileRow, col(ProfileRow.id) == col(MatchRow.profile_id))
        .join(other, other.id == col(MatchRow.other_profile_id))
        .join(FirmRow, col(FirmRow.id) == other.firm_id)
        .where(col(MatchRow.profile_id).in_(profile_ids), col(MatchRow.score) >= min_score)
    )
    if kinds:
        query = query.where(col(MatchRow.kind).in_(kinds))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    peers_last = case((col(MatchRow.kind) == "peer", 1), else_=0)
    rows = session.exec(
        query.order_by(peers_last, col(MatchRow.score).desc(), MatchRow.profile_id, MatchRow.rank)
        .offset(offset)
        .limit(limit)
    ).all()
    return [(m, own, other, firm) for m, own, other, firm in rows], total


def strongest_firm_pairs(session: Session, firm_ids: list[int], min_score: float) -> dict[tuple[int, int], float]:
    """The best match score between each two of the given firms (over all their profiles), at least min_score."""
    other = aliased(ProfileRow)
    query = (
        select(ProfileRow.firm_id, other.firm_id, func.max(MatchRow.score))
        .join(ProfileRow, col(ProfileRow.id) == col(MatchRow.profile_id))
        .join(other, other.id == col(MatchRow.other_profile_id))
        .where(
            col(ProfileRow.firm_id).in_(firm_ids),
            col(other.firm_id).in_(firm_ids),
            ProfileRow.firm_id != other.firm_id,
            col(MatchRow.score) >= min_score,
        )
        .group_by(ProfileRow.firm_id, other.firm_id)
    )
    best: dict[tuple[int, int], float] = {}
    for a, b, score in session.exec(query).all():
        pair = (min(a, b), max(a, b))
        best[pair] = max(best.get(pair, 0.0), float(score))
    return best


def best_scores(session: Session, own_firm_ids: list[int], profile_ids: list[int]) -> dict[int, float]:
    """The best stored match score of each given profile with any profile of the given firms, by profile id
    (profiles without a stored match to them are left out)."""
    if not own_firm_ids or not profile_ids:
        return {}
    query = (
        select(MatchRow.other_profile_id, func.max(MatchRow.score))
        .join(ProfileRow, col(ProfileRow.id) == col(MatchRow.profile_id))
        .where(col(ProfileRow.firm_id).in_(own_firm_ids), col(MatchRow.other_profile_id).in_(profile_ids))
        .group_by(MatchRow.other_profile_id)
    )
    return {other: float(score) for other, score in session.exec(query).all()}
