"""Firm names are found in texts however they are spelt, and only where they are names."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from profiles.name_mentions import NamedFirm, NameIndex, skeleton

FIRMS = [
    NamedFirm(1, "Nordalu Extrusion A/S", "firm A1"),
    NamedFirm(2, "Vejle Præcision ApS", "firm A2"),
    NamedFirm(3, "Sykkylven Stoppemøbler AS", "firm A3"),
    NamedFirm(4, "Anodising A/S", "firm A4"),
    NamedFirm(5, "Dala Presshärdning AB", "firm A5"),
    NamedFirm(6, "Grünwald GmbH", "firm A6"),
]
INDEX = NameIndex.build(FIRMS, common_words=["anodising"])


def hide_all(_: int) -> bool:
    return True


def test_names_with_and_without_legal_form_and_in_other_spellings():
    text = (
        "Partners: Nordalu Extrusion A/S, NORDALU-EXTRUSION, nordalu extrusion; Vejle Praecision Aps; "
        "Sykkylven Stoppemobler; dala presshaerdning; Gruenwald GmbH and Grünwald."
    )
    assert INDEX.scrub(text, hide_all) == (
        "Partners: firm A1, firm A1, firm A1; firm A2; firm A3; firm A5; firm A6 and firm A6."
    )


def test_ordinary_words_and_town_names_are_left_alone():
    text = "We offer anodising in Vejle and precision work near Sykkylven; extrusion is our trade."
    assert INDEX.scrub(text, hide_all) == text


def test_only_hidden_firms_are_replaced():
    text = "Nordalu Extrusion and Vejle Præcision ApS"
    assert INDEX.scrub(text, lambda firm: firm == 2) == "Nordalu Extrusion and firm A2"


def test_shared_words_pointing_at_a_firm():
    assert INDEX.firms_named_by("Nordalu") == {1} and INDEX.firms_named_by("extrusion") == {1}
    assert INDEX.firms_named_by("anodising") == set()


@given(st.text(max_size=200))
def test_scrubbing_never_adds_a_name_and_is_idempotent(text):
    once = INDEX.scrub(text, hide_all)
    assert INDEX.scrub(once, hide_all) == once
    assert INDEX.mentions(once) == ()  # every name replaced, and no label or join of text reads as a name


def test_skeleton_agrees_across_spellings():
    assert skeleton("Præcision") == skeleton("Praecision") == skeleton("PRÆCISION")
    assert skeleton("Stoppemøbler") == skeleton("Stoppemobler") == skeleton("stoppemoebler")


def test_a_text_read_before_is_read_again_after_a_firm_is_added():
    index = NameIndex.build(FIRMS[:2])
    text = "We supply Sykkylven Stoppemøbler AS and Nordalu Extrusion."
    first = index.mentions(text)
    assert [firm for _, _, firm in first] == [1]
    assert index.mentions(text) == first  # kept, and the same
    index.add(FIRMS[2])
    assert [firm for _, _, firm in index.mentions(text)] == [3, 1]
