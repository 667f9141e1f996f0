"""A CSV file of profiles is imported in slices from the file: the same stored rows, report and errors as
reading it whole, and still nothing stored when any row is bad."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from api.actions import imports
from api.actions.operator import operator
from profiles import import_stream, repository
from profiles.db import session_scope
from profiles.errors import ValidationFailed
from profiles.import_scratch import ImportScratch
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


def test_rows_under_a_stored_reference_update_that_profile(engine, settings, tmp_path, small_slices):
    (tmp_path / "firms.csv").write_text(FIRMS, encoding="utf-8")
    imports.import_path(operator(engine, settings), tmp_path / "firms.csv")
    path = tmp_path / "profiles.csv"
    path.write_text(_profiles(11), encoding="utf-8")
    imports.import_path(operator(engine, settings), path)
    stored = _stored(engine)
    # The same profiles under other keys, each naming its stored reference; two with a new title.
    rows = [
        f"renamed-{i},{p.firm_key},BO,{'New title' if i < 2 else p.title},{p.summary},,,published,{p.reference}\n"
        for i, p in enumerate(sorted(stored.values(), key=lambda p: p.key))
    ]
    again = tmp_path / "again.csv"
    again.write_text(PROFILE_HEADER.replace("status", "status,reference") + "".join(rows), encoding="utf-8")
    assert read_input(again).streamed is not None
    report = imports.import_path(operator(engine, settings), again)
    assert report.counts["profiles"]["created"] == 0 and report.counts["profiles"]["updated"] == 11
    after = _stored(engine)
    assert set(after) == set(stored)  # stored under their own keys, not the file's
    assert sorted(p.title for p in after.values()).count("New title") == 2


@pytest.mark.parametrize("bad", [False, True])
def test_the_scratch_file_is_removed_after_the_import(engine, settings, tmp_path, small_slices, monkeypatch, bad):
    scratch_root = tmp_path / "scratch"
    scratch_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch_root))
    (tmp_path / "firms.csv").write_text(FIRMS, encoding="utf-8")
    imports.import_path(operator(engine, settings), tmp_path / "firms.csv")
    path = tmp_path / "profiles.csv"
    path.write_text(_profiles(9, "p-001,dk-one,BO,Again,Summary,,,published\n" if bad else ""), encoding="utf-8")
    made: list[Path] = []
    original = ImportScratch.__init__

    def remember(self):
        original(self)
        made.append(self.path)

    monkeypatch.setattr(ImportScratch, "__init__", remember)
    if bad:
        with pytest.raises(ValidationFailed):
            imports.import_path(operator(engine, settings), path)
    else:
        imports.import_path(operator(engine, settings), path)
    assert len(made) == 1 and made[0].is_relative_to(scratch_root)
    assert list(scratch_root.iterdir()) == []
