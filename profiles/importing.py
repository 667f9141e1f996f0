"""Import a file atomically: read → validate every row → check references → upsert.

Nothing is written unless every row of the file is valid. Re-importing the
same file changes nothing: firms, profiles and bids are upserted by their key
and compared by content hash; relations by firm, direction, counterpart and item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session

from . import repository
from .domain import Firm
from .duplicates import DuplicateFirm
from .een_format import is_placeholder
from .een_rows import add_network_rows
from .errors import RowError, ValidationFailed
from .gc_thresholds import fewer_collections
from .identity import LINK, REVIEW, Decision, fill_missing, resolve
from .mapping import firm_from_row
from .readers import RawInput, read_input
from .repository import duplicates as duplicate_store
from .repository import firms as firm_store
from .repository import relations as relation_store
from .taxonomy.vocabulary import Vocabulary, load_vocabulary
from .validation import ValidatedBatch, validate_bid, validate_firm, validate_profile, validate_relation

R = TypeVar("R")  # the record a row validates into


@dataclass(frozen=True)
class PhraseNote:
    row: str
    field: str
    phrase: str
    concept: str | None
    method: str
    score: float

    def __str__(self) -> str:
        if self.concept is None:
            return f"{self.row}, {self.field}: '{self.phrase}' is not in the vocabulary (kept as written)"
        return f"{self.row}, {self.field}: '{self.phrase}' read as '{self.concept}' ({self.method}, {self.score:.2f})"


@dataclass(frozen=True)
class LinkedFirm:
    """An incoming firm found to be a stored one and merged into it (undone from the pair, like any merge)."""

    pair_id: int
    kept: str
    merged: str
    kept_name: str
    merged_name: str
    cluster: str | None
    explanation: str
    score: float

    def __str__(self) -> str:
        return (
            f"'{self.merged_name}' ({self.merged}) is '{self.kept_name}' ({self.kept}), already stored: linked "
            f"({self.explanation}; score {self.score:.2f}). Undo: POST /api/v1/duplicates/{self.pair_id}/undo"
        )


@dataclass
class ImportReport:
    source: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    unknown_phrases: list[PhraseNote] = field(default_factory=list)
    approximate_phrases: list[PhraseNote] = field(default_factory=list)
    duplicates: list[DuplicateFirm] = field(default_factory=list)  # queued for an advisor (open pairs)
    linked: list[LinkedFirm] = field(default_factory=list)  # merged into a stored firm at import
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the file was read (separator, encoding)

    @property
    def changed(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())


def validate_raw(raw: RawInput) -> tuple[ValidatedBatch, list[RowError]]:
    """Validate every row of every kind; return the valid records and all errors."""
    errors: list[RowError] = []
    batch = ValidatedBatch()
    _validate_rows(raw.rows["firms"], validate_firm, batch.firms, errors)
    _validate_rows(raw.rows["profiles"], validate_profile, batch.profiles, errors)
    _validate_rows(raw.rows["bids"], validate_bid, batch.bids, errors)
    for label, row in raw.rows["relations"]:
        relation = validate_relation(row, label, errors)
        if relation is not None:
            batch.relations.append(relation)
            batch.relation_rows.append(label)
    return batch, errors


def _validate_rows(
    rows: list[tuple[str, dict[str, Any]]],
    validate: Callable[[dict[str, Any], str, list[RowError]], R | None],
    sink: list[R],
    errors: list[RowError],
    first_seen: dict[str, str] | None = None,
    labels: dict[int, str] | None = None,
) -> None:
    """Validate one kind's rows into `sink`; a key used a second time is an error of that row. `first_seen`
    (key → row) carries over between slices of one file; `labels` gets each record's row (by `id`)."""
    first_seen = {} if first_seen is None else first_seen
    for label, row in rows:
        record = validate(row, label, errors)
        key = str(row.get("key", "")).strip()
        if key and key in first_seen:
            errors.append(RowError(label, "key", key, f"duplicate key; first used at {first_seen[key]}"))
            continue
        if key:
            first_seen[key] = label
        if record is not None:
            sink.append(record)
            if labels is not None:
                labels[id(record)] = label


def _reference_errors(raw: RawInput, batch: ValidatedBatch, known_firms: set[str]) -> list[RowError]:
    errors = []
    firms = known_firms | {f.key for f in batch.firms}
    labels = {str(row.get("key", "")).strip(): label for label, row in raw.rows["profiles"]}
    for p in batch.profiles:
        if p.firm_key not in firms:
            errors.append(
                RowError(
                    labels.get(p.key, p.key),
                    "firm",
                    p.firm_key,
                    "no such firm in this file or in the database; import the firm first",
                )
            )
    for label, r in zip(batch.relation_rows, batch.relations, strict=True):
        if r.firm_key not in firms:
            errors.append(
                RowError(
                    label, "firm", r.firm_key, "no such firm in this file or in the database; import the firm first"
                )
            )
    return errors


SHARE_TOLERANCE = 1e-6


def _relation_errors(
    session: Session, batch: ValidatedBatch, firm_ids: dict[str, int], resolved: list[relation_store.Resolved]
) -> list[RowError]:
    """The same relation twice in one file, and shares that add up to more than the whole for a firm."""
    errors: list[RowError] = []
    labels = dict(zip((id(r) for r in batch.relations), batch.relation_rows, strict=True))
    first: dict[relation_store.Slot, str] = {}
    for x in resolved:
        label = labels[id(x.relation)]
        if x.slot in first:
            errors.append(
                RowError(
                    label,
                    "counterpart",
                    x.relation.counterpart,
                    f"the same {x.relation.direction.value} and item as {first[x.slot]} "
                    f"('{x.counterpart.name}'); give it once",
                )
            )
        first.setdefault(x.slot, label)
    totals = dict(relation_store.stored_shares(session, firm_ids.values()))
    totals.update({x.slot: x.relation.share for x in resolved})
    sums: dict[tuple[int, str], float] = {}
    for (firm_id, direction, _, _), share in totals.items():
        sums[(firm_id, direction)] = sums.get((firm_id, direction), 0.0) + (share or 0.0)
    reported: set[tuple[int, str]] = set()
    for x in resolved:
        group = (x.firm_id, x.relation.direction.value)
        if sums.get(group, 0.0) > 1 + SHARE_TOLERANCE and group not in reported:
            reported.add(group)
            what = "turnover" if x.relation.direction.value == "customer" else "purchases"
            errors.append(
                RowError(
                    labels[id(x.relation)],
                    "share",
                    x.relation.share,
                    f"{x.relation.direction.value} shares of firm '{x.relation.firm_key}' would add up to "
                    f"{100 * sums[group]:.1f}% of its {what}; together they can be at most 100%",
                )
            )
    return errors


def _phrase_notes(raw: RawInput, batch: ValidatedBatch, vocabulary: Vocabulary) -> list[PhraseNote]:
    notes = []
    labels = {kind: {str(row.get("key", "")).strip(): label for label, row in raw.rows[kind]} for kind in raw.rows}
    phrases: list[tuple[str, str, str]] = []
    for f in batch.firms:
        phrases += [(labels["firms"][f.key], "capabilities", c.phrase) for c in f.capabilities]
        phrases += [(labels["firms"][f.key], "certifications", c) for c in f.certifications]
    for p in batch.profiles:
        phrases += [(labels["profiles"][p.key], "capabilities", c) for c in p.capabilities]
    for b in batch.bids:
        for r in b.requirements:
            phrases.append((labels["bids"][b.key], f"requirements.{r.key}.capability", r.capability))
            phrases += [(labels["bids"][b.key], f"requirements.{r.key}.certifications", c) for c in r.certifications]
    phrases += [
        (label, "item", r.item) for label, r in zip(batch.relation_rows, batch.relations, strict=True) if r.item
    ]
    for row, field_name, phrase in phrases:
        hit = vocabulary.normalise(phrase)
        if hit.method in ("exact",):
            continue
        notes.append(
            PhraseNote(
                row, field_name, phrase, hit.concept_id and vocabulary.label(hit.concept_id), hit.method, hit.score
            )
        )
    return notes


def check_batch(session: Session, raw: RawInput) -> ValidatedBatch:
    """Validate a raw input against itself and the database; raise with every error."""
    batch, errors = validate_raw(raw)
    known = set(
        repository.firm_ids(session, {p.firm_key for p in batch.profiles} | {r.firm_key for r in batch.relations})
    )
    errors += _reference_errors(raw, batch, known)
    if errors:
        raise ValidationFailed(errors, raw.source)
    return batch


# Given the valid batch, returns it (possibly completed, e.g. with the uploader's cluster) and any
# row errors that forbid storing it (e.g. rows about firms the uploader does not manage).
Admit = Callable[[Session, RawInput, ValidatedBatch], tuple[ValidatedBatch, list[RowError]]]


@fewer_collections()  # rows, records and their lists of phrases: many objects, all alive to the end
def import_raw(
    session: Session,
    raw: RawInput,
    now: datetime,
    today: date,
    vocabulary: Vocabulary | None = None,
    admit: Admit | None = None,
    link_at: float | None = None,
    review_at: float | None = None,
) -> ImportReport:
    """Import one raw input in the caller's transaction. Each incoming firm is resolved against the stored
    ones (profiles.identity): in the link band a firm new to the exchange is merged into the stored firm it
    is; in the review band the pair is queued for an advisor. Thresholds default to the settings' defaults."""
    vocabulary = vocabulary or load_vocabulary()
    if raw.streamed is not None and admit is None:
        from .import_stream import import_streamed  # noqa: PLC0415 - it builds on this module

        return import_streamed(session, raw, raw.streamed, now, today, vocabulary)
    if raw.streamed is not None:  # an uploader's rights are checked on the whole batch
        raw.rows["profiles"], raw.streamed = list(raw.streamed), None
    network_errors = add_network_rows(session, raw)
    try:
        batch = check_batch(session, raw)
    except ValidationFailed as failed:
        raise ValidationFailed(network_errors + failed.errors, raw.source) from None
    if network_errors:
        raise ValidationFailed(network_errors, raw.source)
    if admit is not None:
        batch, refused = admit(session, raw, batch)
        if refused:
            raise ValidationFailed(refused, raw.source)
    report = ImportReport(raw.source, notes=list(raw.notes))
    # (the file's own rows: a row under a merged firm's old key is noted as written, before it becomes the kept firm)
    for note in _phrase_notes(raw, batch, vocabulary):
        (report.unknown_phrases if note.concept is None else report.approximate_phrases).append(note)
    batch = _to_kept_keys(session, batch)
    existing = set(repository.firm_ids(session, {f.key for f in batch.firms}))
    decisions = _duplicates(session, batch.firms, *_bands(link_at, review_at))
    report.warnings = _dangling_keys(session, batch)
    report.counts["firms"] = repository.upsert_firms(session, batch.firms, now).as_dict()
    order = {f.key: i for i, f in enumerate(batch.firms)}
    report.duplicates, report.linked = _link_or_queue(session, decisions, existing, now, order)
    batch = _to_linked_firms(batch, {linked.merged: linked.kept for linked in report.linked})
    report.counts["profiles"] = repository.upsert_profiles(session, batch.profiles, now, today).as_dict()
    report.counts["bids"] = repository.upsert_bids(session, batch.bids, now).as_dict()
    if batch.relations:
        firm_ids = repository.firm_ids(session, {r.firm_key for r in batch.relations})
        resolved = relation_store.resolve(batch.relations, firm_ids, relation_store.counterpart_index(session))
        errors = _relation_errors(session, batch, firm_ids, resolved)
        if errors:
            raise ValidationFailed(errors, raw.source)
        report.counts["relations"] = relation_store.upsert_relations(session, resolved, now, vocabulary).as_dict()
    return report


def _to_linked_firms(batch: ValidatedBatch, kept: dict[str, str]) -> ValidatedBatch:
    """The file's profiles and relations of a firm this import linked to another go with the kept firm."""
    if not kept:
        return batch
    return replace(
        batch,
        profiles=[replace(p, firm_key=kept.get(p.firm_key, p.firm_key)) for p in batch.profiles],
        relations=[replace(r, firm_key=kept.get(r.firm_key, r.firm_key)) for r in batch.relations],
    )


def _to_kept_keys(session: Session, batch: ValidatedBatch) -> ValidatedBatch:
    """Rows naming the old key of a merged or linked firm are about the firm it went into. A firm row under
    the old key only fills in what the kept firm lacks, never overwrites what it has (so re-importing a file
    changes nothing after the first time); a row for the kept firm itself in the same file wins."""
    keys = [f.key for f in batch.firms] + [p.firm_key for p in batch.profiles]
    kept = firm_store.kept_keys(session, keys + [r.firm_key for r in batch.relations])
    if not kept:
        return batch
    own = {f.key for f in batch.firms}
    firms = []
    for f in batch.firms:
        if f.key not in kept:
            firms.append(f)
        elif kept[f.key] not in own:
            row = firm_store.firm_with_key(session, kept[f.key])
            firms.append(fill_missing(firm_from_row(row), f) if row is not None else replace(f, key=kept[f.key]))
    return replace(
        batch,
        firms=firms,
        profiles=[replace(p, firm_key=kept.get(p.firm_key, p.firm_key)) for p in batch.profiles],
        relations=[replace(r, firm_key=kept.get(r.firm_key, r.firm_key)) for r in batch.relations],
    )


def import_file(session: Session, path: Path, now: datetime, today: date) -> ImportReport:
    return import_raw(session, read_input(path), now, today)


def _bands(link_at: float | None, review_at: float | None) -> tuple[float, float]:
    from .settings import Settings

    defaults = Settings.model_fields
    link = link_at if link_at is not None else float(defaults["identity_link_at"].default)
    review = review_at if review_at is not None else float(defaults["identity_review_at"].default)
    return link, min(review, link)


def _duplicates(session: Session, incoming: list[Firm], link_at: float, review_at: float) -> list[Decision]:
    """Each incoming firm against the stored firms and the other incoming ones: its best candidate and band."""
    # Firms standing for anonymous network records' unknown clients have no name to tell them apart.
    incoming = [f for f in incoming if not is_placeholder(f.key, f.name)]
    if not incoming:
        return []
    incoming_keys = {f.key for f in incoming}
    # Only the stored firms that blocking can pair with an incoming one: of its countries, or with its identifiers.
    countries = {f.country for f in incoming}
    identifiers = {i for f in incoming for i in (f.vat_number, f.registry_number) if i}
    stored = [
        f
        for f in firm_store.identity_candidates(session, countries, identifiers)
        if f.key not in incoming_keys and not is_placeholder(f.key, f.name)
    ]
    return [d for d in resolve(stored + incoming, incoming, link_at, review_at) if d.band in (LINK, REVIEW)]


def _link_or_queue(
    session: Session, decisions: list[Decision], existing: set[str], now: datetime, order: dict[str, int]
) -> tuple[list[DuplicateFirm], list[LinkedFirm]]:
    """Link band: a firm new to the exchange is merged into its candidate (an already stored firm is never
    merged away automatically: its pair is queued instead; of two new ones, the file's first row is kept).
    Review band: an open pair for an advisor."""
    queued: dict[tuple[str, str], DuplicateFirm] = {}
    linked: list[LinkedFirm] = []
    gone: set[str] = set()  # merged away in this import
    kept_now: set[str] = set()
    for d in decisions:
        assert d.candidate is not None and d.score is not None
        first = order.get(d.candidate.key)
        if first is not None and d.candidate.key not in existing and first > order.get(d.incoming.key, first):
            d = replace(d, incoming=d.candidate, candidate=d.incoming)
        assert d.candidate is not None and d.score is not None
        a, b = sorted((d.incoming, d.candidate), key=lambda f: f.key)
        pair = DuplicateFirm(
            a.key,
            b.key,
            a.name,
            b.name,
            round(d.score.name_similarity * 100, 1),
            bool(d.score.same_city),
            d.score.evidence,
        )
        if (a.key, b.key) in queued or a.key in gone or b.key in gone:
            continue
        new = d.incoming.key not in existing and d.incoming.key not in kept_now
        if d.band == LINK and new:
            row = duplicate_store.link(session, pair, d.candidate.key, now)
            if row is not None and row.id is not None:
                gone.add(d.incoming.key)
                kept_now.add(d.candidate.key)
                linked.append(
                    LinkedFirm(
                        row.id,
                        d.candidate.key,
                        d.incoming.key,
                        d.candidate.name,
                        d.incoming.name,
                        d.candidate.cluster,
                        d.score.explain(),
                        d.score.score,
                    )
                )
                continue
        queued[(a.key, b.key)] = pair
    found = duplicate_store.still_to_decide(session, [queued[k] for k in sorted(queued)])
    duplicate_store.flag(session, found, now)  # for an advisor to resolve
    return found, linked


def _dangling_keys(session: Session, batch: ValidatedBatch) -> list[str]:
    """Firm keys named in exclusions that nobody has imported yet: allowed, but worth saying."""
    firms = set(repository.firm_ids(session)) | {f.key for f in batch.firms}
    out = []
    for f in batch.firms:
        out += [
            f"firm {f.key}: excluded partner '{k}' is not a known firm" for k in f.excluded_partners if k not in firms
        ]
    for b in batch.bids:
        named = set(b.excluded_firms) | set(b.locked_firms) | {k for pair in b.excluded_pairs for k in pair}
        out += [f"bid {b.key}: firm '{k}' is not a known firm" for k in sorted(named - firms)]
    return out
