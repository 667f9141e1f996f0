"""CSV cells never start a formula, and the importer reads back exactly what was exported."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from profiles.csv_cells import FORMULA_STARTS, csv_text, neutralise, restore

cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=1+1", "'=1+1", "''@x", "-12.5", "+3", "-x", "\t=A1", "\rcmd", "@SUM(A1)", "'", "''", "plain"]),
)


@given(cells)
def test_a_neutralised_cell_reads_back_as_written(cell):
    assert restore(neutralise(cell)) == cell


@given(st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=5))
def test_no_written_cell_starts_a_formula_except_plain_numbers(rows):
    header = [f"c{i}" for i in range(max(len(r) for r in rows))]
    rows = [r + [""] * (len(header) - len(r)) for r in rows]
    written = list(csv.reader(io.StringIO(csv_text(header, rows), newline="")))
    for row in written[1:]:
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                float(cell.replace(",", "."))  # only a plain number may
    assert [[restore(c) for c in row] for row in written[1:]] == rows


def test_owasp_examples():
    assert neutralise('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert neutralise("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert neutralise("\tx") == "'\tx" and neutralise("\rx") == "'\rx" and neutralise("@x") == "'@x"
    assert neutralise("-12.5") == "-12.5" and neutralise("+3") == "+3" and neutralise("-3-3") == "'-3-3"
