"""Import a large CSV file of profiles in slices: memory bounded by the slice, not by the file.

The file was checked by `readers.read_input` in a first pass (UTF-8, CSV well-formed, every row as wide
as the header, the EEN references it names). This second pass reads it again a slice of rows at a time:
each slice is validated exactly as `importing.import_raw` validates a whole file (row errors, keys used
twice across the whole file, firms that must exist), and written while no row so far had an error. Once a
row is bad, the rest is still validated, every error is collected, and `ValidationFailed` ends the import:
the caller's transaction rolls back, so a bad file stores nothing, as before. Validating and writing in one
pass, instead of validating everything first, keeps neither the rows nor the validated records of the file;
the price is wasted writes for a file that turns out bad, which are rolled back.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlmodel import Session

from . import repository
from .domain import Profile
from .errors import RowError, ValidationFailed
from .import_scratch import ImportScratch, chunks
from .importing import ImportReport, PhraseNote, _phrase_notes, _to_kept_keys, _validate_rows
from .mapping import profile_concepts
from .read_ahead import read_ahead
from .readers import RawInput, StreamedRows
from .repository import profiles as profile_store
from .repository.bulk import profile_text_index_filled_after
from .repository.common import UpsertCounts
from .taxonomy.vocabulary import Vocabulary
from .validation import ValidatedBatch, validate_profile

SLICE = 2000  # rows validated and written at a time
FIRST_SLICE = 250
READ_AHEAD_FROM = 5000  # rows from which a forked copy reads and validates while this process writes
# Slices between full garbage collections. Each slice's key lookups leave reference cycles (a typed SQL
# parameter and its comparator) holding that slice's keys; with the import's raised collection threshold
# (`fewer_collections`) they outlive it and the writer grew by about 200 bytes a row on PostgreSQL. A full
# collection takes about 20 ms.
COLLECT_EVERY = 10


def _slices(rows: StreamedRows) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Slices of `SLICE` rows, the first ones smaller (`FIRST_SLICE`, doubling): with the rows read ahead,
    the writer waits for the first slice only."""
    size = min(FIRST_SLICE, SLICE)
    part: list[tuple[str, dict[str, Any]]] = []
    for item in rows:
        part.append(item)
        if len(part) >= size:
            yield part
            part = []
            size = min(2 * size, SLICE)
    if part:
        yield part


@dataclass
class CheckedSlice:
    """One slice of the file, validated: its valid records (with the row and the stored concepts of each), the
    errors of its rows, and the notes on phrases outside the vocabulary."""

    profiles: list[Profile]
    rows: list[str]
    concepts: list[list[str]]
    errors: list[RowError]
    notes: list[PhraseNote]


def checked_slices(rows: StreamedRows, scratch: ImportScratch, vocabulary: Vocabulary) -> Iterator[CheckedSlice]:
    """The file's rows validated a slice at a time, as `importing.import_raw` validates a whole file: keys
    used twice across the whole file are errors (the row of each key's first use is kept in `scratch`).
    Reads the file and the scratch file, nothing else: rows naming a stored profile's EEN reference (in
    `scratch`, looked up before) are about that profile, as `een_rows` does."""
    for part in _slices(rows):
        references = {row["reference"] for _, row in part if isinstance(row.get("reference"), str)}
        stored = scratch.stored(references - {""})
        for _, row in part:
            reference = row.get("reference")
            known = stored.get(reference) if isinstance(reference, str) else None
            if known and row.get("key") != known[0]:
                row["key"] = known[0]
        keys = {str(row.get("key", "")).strip() for _, row in part} - {""}
        first_seen = scratch.first_uses(keys)
        earlier = set(first_seen)
        profiles: list[Profile] = []
        labels: dict[int, str] = {}
        errors: list[RowError] = []
        _validate_rows(part, validate_profile, profiles, errors, first_seen, labels)
        scratch.add_first_uses({key: row for key, row in first_seen.items() if key not in earlier})
        notes: list[PhraseNote] = []
        concepts: list[list[str]] = []
        if not errors:  # notes and concepts are needed only by an import that stores the file
            chunk = RawInput(rows.path.name)
            chunk.rows["profiles"] = part
            notes = _phrase_notes(chunk, ValidatedBatch(profiles=profiles), vocabulary)
            # worked out where the phrases were just normalised (the vocabulary's caches are warm here)
            concepts = [profile_concepts(p.capabilities, p.keywords, vocabulary) for p in profiles]
        yield CheckedSlice(profiles, [labels[id(p)] for p in profiles], concepts, errors, notes)


def import_streamed(
    session: Session, raw: RawInput, rows: StreamedRows, now: datetime, today: date, vocabulary: Vocabulary
) -> ImportReport:
    """`import_raw` for an input whose profile `rows` are streamed (no firms, bids or relations with them).

    From `READ_AHEAD_FROM` rows, a forked copy of this process reads and validates the next slice while this
    one writes (`read_ahead`): the two halves of the work take about the same time, one core each. What the
    import must remember of the rows behind it is kept in a scratch file (`ImportScratch`), not in memory."""
    with ImportScratch() as scratch:
        for references in chunks(rows.references(), SLICE):
            scratch.add_stored(profile_store.stored_by_reference(session, references))
        scratch.release()
        return _write_slices(session, raw, rows, scratch, now, today, vocabulary)


def _write_slices(
    session: Session,
    raw: RawInput,
    rows: StreamedRows,
    scratch: ImportScratch,
    now: datetime,
    today: date,
    vocabulary: Vocabulary,
) -> ImportReport:
    report = ImportReport(raw.source, notes=list(raw.notes))
    errors: list[RowError] = []
    missing_firms: list[RowError] = []
    counts = UpsertCounts()
    serials: dict[str, int] = {}
    slices = read_ahead(partial(checked_slices, rows, scratch, vocabulary), fork=len(rows) >= READ_AHEAD_FROM)
    # On SQLite the full-text index gets the new rows once, after the last slice.
    with profile_text_index_filled_after(session):
        for number, checked in enumerate(slices, start=1):
            if number % COLLECT_EVERY == 0:
                gc.collect()
            errors += checked.errors
            profiles = checked.profiles
            known_firms = profile_store.firm_places(session, {p.firm_key for p in profiles})
            missing_firms += [
                RowError(row, "firm", p.firm_key, "no such firm in this file or in the database; import the firm first")
                for p, row in zip(profiles, checked.rows, strict=True)
                if p.firm_key not in known_firms
            ]
            if errors or missing_firms:
                continue  # nothing more is written; the rest is still checked
            for note in checked.notes:
                (report.unknown_phrases if note.concept is None else report.approximate_phrases).append(note)
            batch = _to_kept_keys(session, ValidatedBatch(profiles=profiles))
            written = repository.upsert_profiles(
                session, batch.profiles, now, today, serials, checked.concepts, known_firms
            )
            counts.created += written.created
            counts.updated += written.updated
            counts.unchanged += written.unchanged
        if errors or missing_firms:  # raised inside: the index is not filled for rows about to be rolled back
            raise ValidationFailed(errors + missing_firms, raw.source)
    report.counts = {"firms": UpsertCounts().as_dict(), "profiles": counts.as_dict(), "bids": UpsertCounts().as_dict()}
    return report
