"""Hidden firms are replaced by their alias wherever they occur in a record, keys included."""

from __future__ import annotations

from datetime import UTC, datetime

from api.actions.views import redact
from profiles.tables import FirmRow
from profiles.visibility import Role, Viewer

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def firm(i: int, key: str, name: str, cluster: str) -> FirmRow:
    return FirmRow(
        id=i,
        key=key,
        name=name,
        country="DK",
        alias=f"F{i:010d}",
        cluster=cluster,
        content_hash="x",
        created_at=NOW,
        updated_at=NOW,
    )


FIRMS = [
    firm(1, "dk-own", "Own Metal A/S", "A"),
    firm(2, "dk-quote", 'Smith "Quoted" \\ ApS', "B"),
    firm(3, "dk-nested", "Nested Profiles A/S", "B"),
] + [firm(10 + i, f"x-{i}", f"Other {i} AB", "C") for i in range(300)]
ADVISOR = Viewer(account_id=1, username="a", role=Role.ADVISOR, cluster="A")


def test_names_and_keys_are_replaced_everywhere_even_with_quotes_and_in_keys():
    record = {
        "why": ['strongest pair: Own Metal A/S + Smith "Quoted" \\ ApS'],
        "plan": {"members": [{"firm": "dk-quote", "name": 'Smith "Quoted" \\ ApS', "city": "Vejle"}]},
        "by_firm": {"dk-nested": ["Nested Profiles A/S covers extrusion"]},
        "score": 0.5,
    }
    out = redact(record, FIRMS, ADVISOR)
    text = repr(out)
    assert "Smith" not in text and "dk-quote" not in text and "Nested Profiles" not in text and "dk-nested" not in text
    assert "Own Metal A/S" in out["why"][0] and "firm F0000000002 (DK)" in out["why"][0]
    assert out["plan"]["members"][0] == {"firm": "F0000000002", "name": "firm F0000000002 (DK)", "city": None}
    assert list(out["by_firm"]) == ["F0000000003"] and record["plan"]["members"][0]["city"] == "Vejle"


def test_a_record_naming_no_hidden_firm_is_unchanged():
    record = {"why": ["Own Metal A/S alone"], "n": 3}
    assert redact(record, FIRMS, ADVISOR) == record
