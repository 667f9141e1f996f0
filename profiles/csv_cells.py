"""CSV cells that spreadsheets will not run as formulas (OWASP's rule against CSV injection).

A cell starting with '=', '+', '-', '@', a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula, so a profile titled
`=HYPERLINK("http://x","y")` would become a live link (or worse, a DDE command) in the
advisor's spreadsheet. Such cells are written with a leading apostrophe, which every
spreadsheet shows as plain text; plain numbers such as -12.5 are left as they are. The
importer removes that apostrophe again, so an export read back in is unchanged.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def neutralise(cell: str) -> str:
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(cell):
        return GUARD + cell
    return cell


def restore(cell: str) -> str:
    """The text a neutralised cell stood for (the importer's side of `neutralise`)."""
    if cell.startswith(GUARD) and cell[1:2] != "" and cell[1:].startswith(FORMULA_STARTS) \
            and not _PLAIN_NUMBER.match(cell[1:]):
        return cell[1:]
    return cell


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    """The one way partnermatch writes CSV: every cell, header included, neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return buffer.getvalue()
