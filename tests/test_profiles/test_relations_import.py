"""Supplier and customer relations: import, validation and de-duplication of counterparts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from api.actions import imports
from profiles.db import make_engine, session_scope, upgrade
from profiles.errors import ValidationFailed
from profiles.importing import import_raw
from profiles.readers import parse_csv, parse_json
from profiles.tables import RelationRow

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
TODAY = date(2026, 11, 21)


@pytest.fixture(scope="module")
def firms_db(tmp_path_factory):
    """The demo firms, imported once; each test copies the file."""
    path = tmp_path_factory.mktemp("relations") / "firms.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with session_scope(engine) as session:
        import_raw(session, parse_json(imports.demo_files()[0].read_text("utf-8"), "firms.json"), NOW, TODAY)
    engine.dispose()
    return path


@pytest.fixture
def engine(firms_db, tmp_path):
    copy = tmp_path / "db.sqlite"
    copy.write_bytes(firms_db.read_bytes())
    eng = make_engine(f"sqlite:///{copy}")
    yield eng
    eng.dispose()


def load(engine, rows, fmt="json"):
    raw = (
        parse_json(json.dumps({"relations": rows}), "relations.json")
        if fmt == "json"
        else parse_csv(rows, "relations.csv")
    )
    with session_scope(engine) as session:
        return import_raw(session, raw, NOW, TODAY)


def stored(engine):
    with session_scope(engine, readonly=True) as session:
        return [
            (
                r.firm_id,
                r.direction,
                r.counterpart_key,
                r.counterpart_name,
                r.counterpart_firm_id,
                r.item,
                r.concept_id,
                r.share,
            )
            for r in session.exec(select(RelationRow).order_by(RelationRow.id)).all()
        ]


def errors_of(excinfo):
    return [(e.row, e.field, e.reason) for e in excinfo.value.errors]


def test_csv_relations_with_spellings_merged_firms_recognised_and_items_normalised(engine):
    report = load(
        engine,
        "firm,direction,counterpart,item,share\n"
        "dk-nordalu,supplier,Nordic Billet Supply AS,aluminium billets,60%\n"
        "dk-aabenraa-profil,supplier,nordic billet supply,aluminium billets,0.5\n"
        "dk-give-montage,customer,Vestkystens Systemleverancer,assembly,0.1\n",
        "csv",
    )
    assert report.counts["relations"] == {"created": 3, "updated": 0, "unchanged": 0}
    rows = stored(engine)
    assert {r[2] for r in rows[:2]} == {"nordic billet supply"} and rows[1][3] == "Nordic Billet Supply AS"
    assert rows[2][2] == "firm:dk-vestkyst-system" and rows[2][4] is not None
    assert rows[0][6] == "material.aluminium" and rows[0][7] == pytest.approx(0.6)
    again = load(
        engine,
        "firm,direction,counterpart,item,share\ndk-nordalu,supplier,NORDIC BILLET SUPPLY A/S,aluminium billets,60 %\n",
        "csv",
    )
    assert again.counts["relations"] == {"created": 0, "updated": 0, "unchanged": 1}


def test_every_bad_row_is_reported_and_nothing_is_stored(engine):
    rows = [
        {"firm": "dk-nordalu", "direction": "buyer", "counterpart": "X"},
        {"firm": "dk-nordalu", "direction": "customer", "counterpart": "Y", "share": 35},
        {"firm": "dk-nordalu", "direction": "customer", "counterpart": "Z", "share": "abc"},
        {"firm": "no-such-firm", "direction": "customer", "counterpart": "Y"},
        {"firm": "dk-nordalu", "direction": "supplier", "counterpart": "  --  "},
        {"firm": "dk-nordalu", "direction": "supplier", "counterpart": "Good AS", "share": 0.2, "colour": "red"},
    ]
    with pytest.raises(ValidationFailed) as excinfo:
        load(engine, rows)
    found = errors_of(excinfo)
    assert ("relations[0]", "direction", "unknown value; expected one of: customer, supplier") in found
    assert any(r == "relations[1]" and f == "share" and "write percentages with a % sign" in why for r, f, why in found)
    assert any(r == "relations[2]" and f == "share" for r, f, _ in found)
    assert any(r == "relations[3]" and f == "firm" and "no such firm" in why for r, f, why in found)
    assert any(r == "relations[4]" and f == "counterpart" for r, f, _ in found)
    assert any(r == "relations[5]" and f == "colour" for r, f, _ in found)
    assert stored(engine) == []


def test_shares_of_one_firm_may_not_exceed_the_whole_counting_stored_ones(engine):
    load(engine, [{"firm": "dk-nordalu", "direction": "customer", "counterpart": "OEM One", "share": 0.7}])
    with pytest.raises(ValidationFailed) as excinfo:
        load(
            engine,
            [
                {"firm": "dk-nordalu", "direction": "customer", "counterpart": "OEM Two", "share": "40%"},
                {"firm": "dk-nordalu", "direction": "supplier", "counterpart": "Mill", "share": 1},
            ],
        )
    [(row, field, why)] = errors_of(excinfo)
    assert (row, field) == ("relations[0]", "share") and "110.0% of its turnover" in why
    # replacing the stored share is fine: the new value counts instead of the old one
    load(
        engine,
        [
            {"firm": "dk-nordalu", "direction": "customer", "counterpart": "oem one", "share": 0.5},
            {"firm": "dk-nordalu", "direction": "customer", "counterpart": "OEM Two", "share": "40%"},
        ],
    )
    assert sorted(r[7] for r in stored(engine)) == [pytest.approx(0.4), pytest.approx(0.5)]


def test_the_same_relation_twice_in_one_file_is_an_error(engine):
    with pytest.raises(ValidationFailed) as excinfo:
        load(
            engine,
            [
                {
                    "firm": "dk-nordalu",
                    "direction": "supplier",
                    "counterpart": "Nordic Billet Supply AS",
                    "item": "billets",
                },
                {
                    "firm": "dk-nordalu",
                    "direction": "supplier",
                    "counterpart": "Nordic Billet Supply",
                    "item": "Billets",
                },
            ],
        )
    [(row, field, why)] = errors_of(excinfo)
    assert (row, field) == ("relations[1]", "counterpart") and "relations[0]" in why


relation_rows = st.lists(
    st.fixed_dictionaries(
        {
            "firm": st.sampled_from(["dk-nordalu", "dk-give-montage"]),
            "direction": st.sampled_from(["customer", "supplier"]),
            "counterpart": st.sampled_from(["Alpha AS", "alpha", "Beta GmbH", "Gamma", "Give Montage A/S"]),
            "item": st.sampled_from(["", "assembly", "billets"]),
            "share": st.floats(min_value=0.01, max_value=0.6).map(lambda x: round(x, 2)),
        }
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(relation_rows, min_size=1, max_size=3))
def test_stored_shares_never_sum_past_one_per_firm_and_direction(engine, batches):
    with session_scope(engine) as session:
        for row in session.exec(select(RelationRow)).all():
            session.delete(row)
    for rows in batches:
        try:
            load(engine, rows)
        except ValidationFailed:
            pass
        sums: dict[tuple[int, str], float] = {}
        for firm_id, direction, *_, share in stored(engine):
            sums[(firm_id, direction)] = sums.get((firm_id, direction), 0.0) + (share or 0.0)
        assert all(total <= 1 + 1e-6 for total in sums.values()), sums
