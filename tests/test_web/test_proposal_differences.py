"""How an alternative differs from the recommended proposal, and its fit in words: pure functions."""

from __future__ import annotations

from typing import Any

import pytest

from api.web.proposal_views import confidence_reasons, difference, fit_words

NAMES = {"vejle": "Vejle Præcision ApS", "nordic": "Nordic Anodising AS", "alu": "Nordalu Extrusion A/S"}


def proposal(pid: int, covers: dict[str, str | None], lead: str, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    firms = dict.fromkeys([f for f in covers.values() if f] + list(extra))
    return {
        "id": pid,
        "plan": {
            "members": [{"firm": f, "name": NAMES[f], "lead": f == lead} for f in firms],
            "coverage": [{"requirement": r, "capability": r, "covered_by": f} for r, f in covers.items()],
        },
    }


BEST = proposal(1, {"extrusion": "alu", "anodising": "vejle"}, "alu")


def test_the_recommended_proposal_needs_no_difference():
    assert difference(BEST, BEST) == ""
    assert difference(BEST, None) == ""


def test_a_replaced_member_is_named_with_its_capability():
    other = proposal(2, {"extrusion": "alu", "anodising": "nordic"}, "alu")
    assert difference(other, BEST) == "Replaces Vejle Præcision ApS with Nordic Anodising AS for anodising."


def test_a_member_taking_over_a_requirement_and_a_new_lead():
    other = proposal(2, {"extrusion": "alu", "anodising": "alu"}, "vejle", extra=("vejle",))
    text = difference(other, BEST)
    assert "Nordalu Extrusion A/S covers anodising instead of Vejle Præcision ApS" in text
    assert "Vejle Præcision ApS leads instead of Nordalu Extrusion A/S" in text


def test_added_left_out_and_uncovered():
    other = proposal(2, {"extrusion": "alu", "anodising": None}, "alu", extra=("nordic",))
    text = difference(other, BEST)
    assert text == "Leaves anodising uncovered; adds Nordic Anodising AS; leaves out Vejle Præcision ApS."
    assert difference(proposal(3, {"extrusion": "alu", "anodising": "vejle"}, "alu"), BEST).startswith("Same firms")


@pytest.mark.parametrize(
    ("value", "words"), [(0.95, "strong fit"), (0.8, "strong fit"), (0.7, "good fit"), (0.2, "weak fit")]
)
def test_fit_in_words(value, words):
    assert fit_words(value) == words


def test_fit_without_a_rating_and_its_reasons():
    assert fit_words(None) == "fit not rated"
    basis = {"mean_mandatory_fit": 0.8, "capacity_headroom": 1.0, "member_pairs_with_match": 0.5}
    p = {"explanation": {"confidence": {"basis": {**basis, "proven_optimal": False}}}}
    reasons = confidence_reasons(p)
    assert "80% on average" in reasons and "50% of member pairs" in reasons and "stopped before" in reasons
    assert "%" in confidence_reasons({})
