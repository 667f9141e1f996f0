"""Read JSON, CSV and Excel input files into raw rows, before validation.

A JSON file is an object with any of the lists "firms", "profiles", "bids" and
"relations". A CSV file holds one kind, recognised from its header: firms (name,
country), profiles (firm, type), bids (one row per requirement, grouped by
the "bid" column) or relations (firm, direction, counterpart). Rows keep a
label (JSON path, CSV line or sheet and row) for error messages.

CSV is read as spreadsheets in the exchange's countries write it: comma, semicolon
or tab between the cells (recognised from the header line), with or without a
UTF-8 byte-order mark, in UTF-8 or, for a file whose first non-ASCII byte is not
UTF-8, Windows-1252 (Excel's "CSV" in Western Europe); decimal commas are
the validators' business. An Excel workbook (.xlsx) holds one kind per sheet,
each recognised from its first row like a CSV header; empty sheets are skipped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .characters import depth_problem
from .csv_cells import GUARD, restore
from .een_format import is_een_record
from .errors import RowError, UnreadableInput, ValidationFailed

KINDS = ("firms", "profiles", "bids", "relations")

BID_LEVEL_COLUMNS = {
    "title",
    "customer",
    "customer_country",
    "delivery_country",
    "description",
    "deadline",
    "volume_per_year",
    "status",
    "min_size",
    "max_size",
    "min_countries",
    "max_per_country",
    "required_kinds",
    "excluded_firms",
    "excluded_pairs",
    "locked_firms",
}
LEAD_COLUMNS = {
    "lead_certifications": "certifications",
    "lead_export_experience": "export_experience",
    "lead_languages": "languages",
}
REQUIREMENT_COLUMNS = {
    "requirement": "key",
    "capability": "capability",
    "mandatory": "mandatory",
    "certifications": "certifications",
    "requirement_volume": "volume_per_year",
    "min_fit": "min_fit",
    "weight": "weight",
}


@dataclass
class RawInput:
    source: str
    rows: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=lambda: {k: [] for k in KINDS})
    notes: list[str] = field(default_factory=list)  # how the file was read, for the import report
    # Profiles in the network's own field names (profiles.een_format), read into rows at import.
    een: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # The profile rows of a CSV file read from the file as they are imported, instead of `rows["profiles"]`.
    streamed: StreamedRows | None = None

    def __len__(self) -> int:
        return sum(len(v) for v in self.rows.values()) + len(self.een) + len(self.streamed or ())


@dataclass(frozen=True)
class StreamedRows:
    """The rows of one CSV file of profiles, read from the file each time they are iterated, so that an
    import holds a slice of them at a time however large the file. Made by `read_input` only after a first
    pass found the file well-formed UTF-8 CSV whose rows all have the header's width (anything else is read
    whole, whose errors say what is wrong)."""

    path: Path
    header: tuple[str, ...]
    sep: str
    count: int

    def __len__(self) -> int:
        return self.count

    def references(self) -> Iterator[str]:
        """The EEN references the rows name (to find the profiles stored under them), read from the file
        again rather than kept: a file of a million rows names a million."""
        if "reference" not in self.header:
            return
        position = self.header.index("reference")
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.sep)
            next(reader)
            for values in reader:
                if values and values[position]:  # a blank row names no reference
                    yield restore(values[position])

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.sep)
            next(reader)
            for line_no, values in enumerate(reader, start=2):
                if any(v.strip() for v in values):
                    cells = (restore(v) if v.startswith(GUARD) else v for v in values)  # as restore leaves them
                    yield f"line {line_no}", dict(zip(self.header, cells, strict=True))


STREAM_PROBE = 1 << 16  # bytes looked at to tell a CSV file from the other kinds
STREAM_BLOCK = 1 << 20  # bytes decoded at a time when checking that a file is UTF-8


def _stream_csv(path: Path) -> RawInput | None:
    """A CSV file of profiles as streamed rows, or None when the file is anything else or has any problem
    (read whole, it is then reported or read as Windows-1252 exactly as before)."""
    name = path.name.lower()
    if name.endswith((".json", ".xlsx")):
        return None
    with path.open("rb") as handle:
        head = handle.read(STREAM_PROBE)
        if (
            not head.strip()
            or head.startswith((ZIP_MAGIC, OLE_MAGIC, b"\xff\xfe", b"\xfe\xff"))
            or head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
        ):
            return None
        decoder = codecs.getincrementaldecoder("utf-8")()
        block = head
        try:
            while block:
                if b"\x00" in block:
                    return None
                decoder.decode(block)
                block = handle.read(STREAM_BLOCK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    with path.open(encoding="utf-8-sig", newline="") as text:
        first_line = text.readline().lstrip("\ufeff").split("\n", 1)[0]
        text.seek(0)
        sep = delimiter(first_line)
        reader = csv.reader(text, delimiter=sep)
        try:
            header = [h.strip() for h in next(reader)]
            if _csv_kind(header, str(path)) != "profiles" or len(set(header)) != len(header):
                return None
            count = 0
            for values in reader:
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    return None
                count += 1
        except (csv.Error, StopIteration, UnreadableInput):
            return None
    rows = StreamedRows(path, tuple(header), sep, count)
    out = RawInput(str(path), streamed=rows)
    if sep != ",":
        out.notes.append(f"cells separated by {'a semicolon' if sep == ';' else 'a tab'}")
    return out


ZIP_MAGIC = b"PK\x03\x04"  # .xlsx (and .ods, .docx) are zip archives
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc)
XLSX_MAX_CELLS = 2_000_000  # a workbook's sheets together; the byte limit alone lets a zip unpack far larger
XLSX_MAX_UNPACKED = 200_000_000  # bytes a workbook may unpack to (a 10 MB upload of repeated cells can hold GBs)
CP1252 = "Windows-1252 (cp1252)"


def decode(data: bytes, source: str, legacy: bool = False) -> str:
    return decode_named(data, source, legacy)[0]


def decode_named(data: bytes, source: str, legacy: bool = False) -> tuple[str, str]:
    """The text and the name of its encoding: UTF-8 (a byte-order mark is dropped) or UTF-16 with its mark.
    With `legacy`, a file that is plain ASCII up to its first byte that is not UTF-8 is read as
    Windows-1252, as Excel saves "CSV" in Western Europe; a file with UTF-8 before that byte is a
    broken UTF-8 file and refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise UnreadableInput(f"{source}: broken UTF-16 text at byte {exc.start}") from exc
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if legacy and data[: exc.start].isascii():
            try:
                return data.decode("cp1252"), CP1252
            except UnicodeDecodeError:
                pass
        raise UnreadableInput(
            f"{source}: not valid UTF-8 at byte {exc.start} (line {line}); save the file as UTF-8 and import it again"
        ) from exc


def read_input(path: Path, stream: bool = True) -> RawInput:
    """A file's raw rows; with `stream`, a CSV file of profiles is read as `StreamedRows` (bounded memory)."""
    if not path.exists():
        raise UnreadableInput(f"{path}: no such file")
    streamed = _stream_csv(path) if stream and path.is_file() else None
    return streamed if streamed is not None else parse_bytes(path.read_bytes(), str(path))


def parse_bytes(data: bytes, source: str, content_type: str | None = None) -> RawInput:
    """A file's bytes → raw rows: the kind of file from its first bytes, its name and its content type."""
    name = source.lower()
    media = (content_type or "").split(";")[0].strip().lower()
    if data.startswith(ZIP_MAGIC):
        return parse_xlsx(data, source)
    if data.startswith(OLE_MAGIC):
        raise UnreadableInput(
            f"{source}: this is an old Excel (.xls) or Word file; in Excel, save it as .xlsx or as CSV and upload again"
        )
    if name.endswith(".xlsx"):
        raise UnreadableInput(f"{source}: not an Excel workbook (the file does not start like one); save it again")
    if not data.strip():
        raise UnreadableInput(f"{source}: the file is empty")
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableInput(f"{source}: a binary file, not text; upload .csv, .xlsx or .json")
    named_csv = name.endswith((".csv", ".txt", ".tsv")) or media in ("text/csv", "text/plain")
    looks_json = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    if name.endswith(".json") or media == "application/json" or (looks_json and not named_csv):
        return parse_json(decode(data, source), source)
    text, encoding = decode_named(data, source, legacy=True)
    raw = parse_csv(text, source)
    if encoding != "UTF-8":
        raw.notes.append(f"read as {encoding} text, not UTF-8")
    return raw


def parse_json(text: str, source: str) -> RawInput:
    too_deep = depth_problem(text)
    if too_deep:
        raise UnreadableInput(f"{source}: {too_deep}; profiles, firms and bids need no more than a few")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    een = _een_records(doc, source)
    if een is not None:
        out = RawInput(source, een=een, notes=["read as network (EEN) profile records"])
        return out
    if not isinstance(doc, dict) or not any(k in doc for k in KINDS):
        raise UnreadableInput(
            f"{source}: expected a JSON object with a list under 'firms', 'profiles', 'bids' or 'relations'"
        )
    out = RawInput(source)
    errors: list[RowError] = []
    for name in doc:
        if name not in KINDS:
            errors.append(
                RowError(
                    "file",
                    name,
                    doc[name] if not isinstance(doc[name], (list, dict)) else "…",
                    "unknown top-level key; expected firms, profiles, bids or relations",
                )
            )
    for kind in KINDS:
        items = doc.get(kind, [])
        if not isinstance(items, list):
            errors.append(RowError("file", kind, type(items).__name__, "must be a list"))
            continue
        for i, item in enumerate(items):
            label = f"{kind}[{i}]"
            if not isinstance(item, dict):
                errors.append(RowError(label, "", item, "must be an object"))
                continue
            out.rows[kind].append((label, item))
    if errors:
        raise ValidationFailed(errors, source)
    return out


def _een_records(doc: Any, source: str) -> list[tuple[str, dict[str, Any]]] | None:
    """Network records: a list of them, a web-service page (`items`) or a file's `profiles`, recognised by
    their first record's `profileType`; None for partnermatch's own format."""
    for name, items in (
        ("", doc),
        ("items", doc.get("items") if isinstance(doc, dict) else None),
        ("profiles", doc.get("profiles") if isinstance(doc, dict) else None),
    ):
        if isinstance(items, list) and items and is_een_record(items[0]):
            if isinstance(doc, dict) and set(doc) - {name, "totalCount", "page", "pageSize"}:
                continue  # other kinds beside them: partnermatch's format, whose validation says what is wrong
            prefix = f"{name}[" if name else "["
            records = [(f"{prefix}{i}]", item) for i, item in enumerate(items)]
            bad = [
                RowError(label, "", item, "must be an object") for label, item in records if not isinstance(item, dict)
            ]
            if bad:
                raise ValidationFailed(bad, source)
            return records
    return None


def _csv_kind(header: list[str], source: str) -> str:
    columns = set(header)
    if {"firm", "direction", "counterpart"} <= columns:
        return "relations"
    if {"bid", "capability"} <= columns:
        return "bids"
    if {"firm", "type"} <= columns:
        return "profiles"
    if {"key", "name", "country"} <= columns:
        return "firms"
    raise UnreadableInput(
        f"{source}: cannot tell what the CSV holds from its header {header}; firms need "
        "key,name,country; profiles need key,firm,type; bids need bid,capability; relations need "
        "firm,direction,counterpart"
    )


def delimiter(header_line: str) -> str:
    """The cell separator, from the header line: Excel writes ';' where the decimal mark is a comma
    (Denmark, Norway, Sweden, Germany), ',' elsewhere, and a tab for "Unicode text"."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_csv(text: str, source: str) -> RawInput:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = delimiter(first_line)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=sep)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration as exc:
        raise UnreadableInput(f"{source}: the file is empty") from exc
    except csv.Error as exc:
        raise UnreadableInput(f"{source}: broken CSV header: {exc}") from exc

    def lines() -> Iterator[tuple[str, list[str]]]:
        try:
            for line_no, values in enumerate(reader, start=2):
                yield f"line {line_no}", values
        except csv.Error as exc:
            raise UnreadableInput(f"{source}: broken CSV near line {reader.line_num}: {exc}") from exc

    out = RawInput(source)
    _read_table(out, header, lines(), source)
    if sep != ",":
        out.notes.append(f"cells separated by {'a semicolon' if sep == ';' else 'a tab'}")
    return out


def _read_table(out: RawInput, header: list[str], rows: Iterable[tuple[str, list[str]]], source: str) -> None:
    """One table (a CSV file or a sheet) of one kind, recognised from its header, into `out`."""
    kind = _csv_kind(header, source)
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise UnreadableInput(f"{source}: duplicate column(s) {dupes} in the header")
    errors: list[RowError] = []
    records: list[tuple[str, dict[str, Any]]] = []
    for label, values in rows:
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(
                RowError(label, "", len(values), f"has {len(values)} values but the header has {len(header)} columns")
            )
            continue
        records.append((label, dict(zip(header, (restore(v) for v in values), strict=True))))
    if errors:
        raise ValidationFailed(errors, source)
    out.rows[kind].extend(_group_bid_rows(records) if kind == "bids" else records)


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV would hold: 12.5, 40 (not 40.0), 2026-03-01, TRUE → true."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _sheet_rows(
    rows: Iterator[tuple[int, tuple[object, ...]]], sheet: str, width: int, budget: list[int], source: str
) -> Iterator[tuple[str, list[str]]]:
    """A sheet's rows below its header as text, as wide as the header (trailing empty cells dropped)."""
    for row_no, values in rows:
        texts = [_cell_text(v) for v in values]
        budget[0] -= len(texts)
        if budget[0] < 0:
            raise UnreadableInput(f"{source}: more than {XLSX_MAX_CELLS:,} cells; split the workbook")
        while len(texts) > width and not texts[-1].strip():
            texts.pop()
        yield f"sheet {sheet} row {row_no}", texts + [""] * (width - len(texts))


def parse_xlsx(data: bytes, source: str) -> RawInput:
    """An Excel workbook: each sheet with rows is one table, recognised from its first row."""
    import openpyxl  # noqa: PLC0415 - only uploads of workbooks need it
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UnreadableInput(f"{source}: not an Excel workbook that can be read (broken zip); save it again") from exc
    if unpacked > XLSX_MAX_UNPACKED:
        raise UnreadableInput(f"{source}: the workbook unpacks to more than {XLSX_MAX_UNPACKED:,} bytes; split it")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "no default style", unknown extensions: harmless
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnreadableInput(
            f"{source}: not an Excel workbook that can be read ({type(exc).__name__}); save it as .xlsx again"
        ) from exc
    out = RawInput(source)
    budget = [XLSX_MAX_CELLS]
    try:
        for sheet in book.worksheets:
            rows = enumerate(sheet.iter_rows(values_only=True), start=1)
            header: list[str] = []
            for _, first in rows:
                header = [_cell_text(v).strip() for v in first]
                if any(header):
                    break
            while header and not header[-1]:
                header.pop()
            if header:
                name = f"{source} (sheet {sheet.title})"
                _read_table(out, header, _sheet_rows(rows, sheet.title, len(header), budget, source), name)
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:  # a sheet's XML broken inside the zip
        raise UnreadableInput(f"{source}: a sheet of the workbook cannot be read ({type(exc).__name__})") from exc
    finally:
        book.close()
    if not len(out):
        raise UnreadableInput(f"{source}: the workbook has no rows")
    return out


def _group_bid_rows(records: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """One CSV row per requirement → one nested bid object per bid key."""
    bids: dict[str, tuple[str, dict[str, Any]]] = {}
    for label, rec in records:
        bid_key = rec.get("bid", "").strip()
        if bid_key not in bids:
            bid: dict[str, Any] = {"key": bid_key, "requirements": []}
            lead: dict[str, Any] = {}
            for col, value in rec.items():
                if col in BID_LEVEL_COLUMNS:
                    bid[col] = value
                elif col in LEAD_COLUMNS and value.strip():
                    lead[LEAD_COLUMNS[col]] = value
                elif col not in REQUIREMENT_COLUMNS and col != "bid":
                    bid[col] = value  # unknown column: validation reports it
            if lead:
                bid["lead"] = lead
            bids[bid_key] = (label, bid)
        requirement = {REQUIREMENT_COLUMNS[c]: v for c, v in rec.items() if c in REQUIREMENT_COLUMNS and v.strip()}
        bids[bid_key][1]["requirements"].append(requirement)
    return list(bids.values())
