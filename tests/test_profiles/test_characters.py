"""Characters no field may hold, and nesting too deep to read."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from profiles.characters import character_problem, json_depth, text_problems


def test_controls_are_refused_but_line_breaks_and_tabs_are_text():
    assert "U+0000" in character_problem("a\x00b")
    assert "U+001B" in character_problem("\x1b[31mred")
    assert character_problem("two\nlines\r\n\tand a tab") is None


def test_bidirectional_overrides_are_refused_in_names_only():
    spoof = "Nordalu\u202eS/A"
    assert "bidirectional" in character_problem(spoof, is_name=True)
    assert character_problem(spoof) is None
    problems = list(text_problems({"name": spoof, "description": spoof, "requirements": [{"customer": "\u2066x"}]}))
    assert [(p[0]) for p in problems] == ["name", "requirements[0].customer"]


def test_field_names_and_nested_values_are_named():
    problems = list(text_problems({"a\x01": 1, "list": ["ok", {"deep": "x\x7f"}]}))
    assert [p[0] for p in problems] == ["body", "list[1].deep"]


@given(
    st.recursive(
        st.one_of(st.integers(), st.text(max_size=5)),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)),
        max_leaves=20,
    )
)
def test_json_depth_matches_the_structure(document):
    def depth(value) -> int:
        if isinstance(value, list):
            return 1 + max((depth(v) for v in value), default=0)
        if isinstance(value, dict):
            return 1 + max((depth(v) for v in value.values()), default=0)
        return 0

    assert json_depth(json.dumps(document)) == depth(document)
