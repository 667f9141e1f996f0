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
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def _starts_formula(cell: str) -> bool:
    """Would a spreadsheet run it, once any guard apostrophes in front are taken away?"""
    bare = cell.lstrip(GUARD)
    return bare.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(bare)


def neutralise(cell: str) -> str:
    # Text that itself starts with guards before a formula ("'=x") gets one more, so reading back is exact.
    return GUARD + cell if _starts_formula(cell) else cell


def restore(cell: str) -> str:
    """The text a neutralised cell stood for (the importer's side of `neutralise`)."""
    return cell[1:] if cell.startswith(GUARD) and _starts_formula(cell[1:]) else cell


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    """The one way partnermatch writes CSV: every cell, header included, neutralised. Rows end in CRLF
    (RFC 4180), which also makes the writer quote a lone carriage return inside a cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return buffer.getvalue()
