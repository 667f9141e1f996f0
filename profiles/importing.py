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
from .duplicates import DuplicateFirm, find_duplicate_firms
from .een_rows import add_network_rows
from .errors import RowError, ValidationFailed
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


@dataclass
class ImportReport:
    source: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    unknown_phrases: list[PhraseNote] = field(default_factory=list)
    approximate_phrases: list[PhraseNote] = field(default_factory=list)
    duplicates: list[DuplicateFirm] = field(default_factory=list)
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
) -> None:
    """Validate one kind's rows into `sink`; a key used a second time is an error of that row."""
    first_seen: dict[str, str] = {}
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


def import_raw(
    session: Session,
    raw: RawInput,
    now: datetime,
    today: date,
    vocabulary: Vocabulary | None = None,
    admit: Admit | None = None,
) -> ImportReport:
    vocabulary = vocabulary or load_vocabulary()
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
    batch = _to_kept_keys(session, batch)
    report = ImportReport(raw.source, notes=list(raw.notes))
    for note in _phrase_notes(raw, batch, vocabulary):
        (report.unknown_phrases if note.concept is None else report.approximate_phrases).append(note)
    report.duplicates = _duplicates(session, batch.firms)
    report.warnings = _dangling_keys(session, batch)
    report.counts["firms"] = repository.upsert_firms(session, batch.firms, now).as_dict()
    duplicate_store.flag(session, report.duplicates, now)  # for an advisor to resolve
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


def _to_kept_keys(session: Session, batch: ValidatedBatch) -> ValidatedBatch:
    """Rows naming the old key of a merged firm are about the firm it was merged into (a firm row under the
    old key updates the kept firm, unless the file has a row for the kept firm itself, which wins)."""
    keys = [f.key for f in batch.firms] + [p.firm_key for p in batch.profiles]
    kept = firm_store.kept_keys(session, keys + [r.firm_key for r in batch.relations])
    if not kept:
        return batch
    own = {f.key for f in batch.firms}
    return replace(
        batch,
        firms=[replace(f, key=kept.get(f.key, f.key)) for f in batch.firms if kept.get(f.key) not in own],
        profiles=[replace(p, firm_key=kept.get(p.firm_key, p.firm_key)) for p in batch.profiles],
        relations=[replace(r, firm_key=kept.get(r.firm_key, r.firm_key)) for r in batch.relations],
    )


def import_file(session: Session, path: Path, now: datetime, today: date) -> ImportReport:
    return import_raw(session, read_input(path), now, today)


def _duplicates(session: Session, incoming: list[Firm]) -> list[DuplicateFirm]:
    if not incoming:
        return []
    incoming_keys = {f.key for f in incoming}
    stored = [f for f in repository.load_firms(session) if f.key not in incoming_keys]
    return find_duplicate_firms(stored + incoming, incoming=incoming_keys)


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
