"""A CSV file of profiles is imported in slices from the file: the same stored rows, report and errors as
reading it whole, and still nothing stored when any row is bad."""

from __future__ import annotations

import pytest

from api.actions import imports
from api.actions.operator import operator
from profiles import import_stream, repository
from profiles.db import session_scope
from profiles.errors import ValidationFailed
from profiles.importing import import_raw
from profiles.readers import read_input

FIRMS = (
    "key,name,country,city,capabilities\n"
    "dk-one,One Metal ApS,DK,Vejle,CNC machining\n"
    "se-two,Two Plast AB,SE,Malmö,injection moulding\n"
)
PROFILE_HEADER = "key,firm,type,title,summary,capabilities,keywords,status\n"


def _profiles(n: int, extra: str = "") -> str:
    rows = [
        f"p-{i:03d},{'dk-one' if i % 2 else 'se-two'},BO,Offer {i},Summary {i},"
        f"{'anodizing' if i % 3 else 'CNC milling'},aluminium;tooling,published\n"
        for i in range(n)
    ]
    return PROFILE_HEADER + "".join(rows) + extra


@pytest.fixture(params=["read ahead", "in one process"])
def small_slices(request, monkeypatch):
    """Slices of four rows, read and validated by a forked copy while the slice before is written, or not."""
    monkeypatch.setattr(import_stream, "SLICE", 4)
    monkeypatch.setattr(import_stream, "READ_AHEAD_FROM", 0 if request.param == "read ahead" else 10**9)


def _stored(engine):
    with session_scope(engine) as session:
        return {p.key: p for p in repository.load_profiles(session)}


def test_streamed_file_stores_what_the_whole_file_stores(engine, settings, tmp_path, small_slices):
    (tmp_path / "firms.csv").write_text(FIRMS, encoding="utf-8")
    path = tmp_path / "profiles.csv"
    path.write_text(_profiles(11), encoding="utf-8")
    imports.import_path(operator(engine, settings), tmp_path / "firms.csv")
    assert read_input(path).streamed is not None
    streamed = imports.import_path(operator(engine, settings), path)
    assert streamed.counts["profiles"] == {"created": 11, "updated": 0, "unchanged": 0}
    stored = _stored(engine)
    # References are numbered on across slices, per type, country and day.
    assert sorted(p.reference for p in stored.values() if p.firm_key == "dk-one")[-1].endswith("005")
    assert len({p.reference for p in stored.values()}) == 11
    again = imports.import_path(operator(engine, settings), path)
    assert again.counts["profiles"] == {"created": 0, "updated": 0, "unchanged": 11}
    with session_scope(engine) as session:
        whole = import_raw(session, read_input(path, stream=False), settings.now(), settings.current_date())
    assert whole.counts == again.counts
    assert [str(n) for n in whole.approximate_phrases] == [str(n) for n in streamed.approximate_phrases]


def test_a_bad_row_late_in_the_file_stores_nothing(engine, settings, tmp_path, small_slices):
    (tmp_path / "firms.csv").write_text(FIRMS, encoding="utf-8")
    imports.import_path(operator(engine, settings), tmp_path / "firms.csv")
    path = tmp_path / "profiles.csv"
    bad = (
        "p-003,dk-one,BO,Again,Summary,,,published\n"
        "p-xx,dk-one,XX,,Summary,,,published\n"
        "p-yy,nobody,BO,Title,Summary,,,published\n"
    )
    path.write_text(_profiles(9, bad), encoding="utf-8")
    with pytest.raises(ValidationFailed) as failed:
        imports.import_path(operator(engine, settings), path)
    errors = [(e.row, e.field) for e in failed.value.errors]
    assert ("line 11", "key") in errors  # p-003 again, first used on line 5, four slices earlier
    assert ("line 12", "type") in errors and ("line 12", "title") in errors
    assert errors[-1] == ("line 13", "firm")  # firms are checked after every row's own errors
    assert _stored(engine) == {}
    with session_scope(engine) as session:
        with pytest.raises(ValidationFailed) as whole:
            import_raw(session, read_input(path, stream=False), settings.now(), settings.current_date())
    assert [(e.row, e.field) for e in whole.value.errors] == errors
