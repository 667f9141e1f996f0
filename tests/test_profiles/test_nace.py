import pytest

from profiles.taxonomy.nace import load_nace, nace_proximity, normalise_nace_code


def test_table_has_all_levels():
    table = load_nace()
    levels = [e.level for e in table.entries.values()]
    assert (levels.count(1), levels.count(2), levels.count(3), levels.count(4)) == (21, 88, 272, 615)
    assert table.title("25.62") == "Machining"


@pytest.mark.parametrize(
    "raw,code",
    [("2562", "25.62"), ("C25.62", "25.62"), ("25,62", "25.62"), (" 29.32 ", "29.32"), ("c", "C"), ("291", "29.1")],
)
def test_common_spellings_normalise(raw, code):
    assert normalise_nace_code(raw) == code


def test_lineage_and_proximity():
    table = load_nace()
    assert table.lineage("25.62") == ("25.62", "25.6", "25", "C")
    assert nace_proximity("25.62", "25.62") == 1.0
    assert nace_proximity("25.62", "25.61") == 0.75
    assert nace_proximity("25.62", "25.11") == 0.5
    assert nace_proximity("25.62", "24.42") == 0.25
    assert nace_proximity("25.62", "31.01") == 0.25  # both manufacturing (section C)
    assert nace_proximity("25.62", "72.19") == 0.0
