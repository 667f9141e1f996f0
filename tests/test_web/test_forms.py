"""Form fields to raw records and back, and what the proposal pages compute."""

from __future__ import annotations

from starlette.datastructures import FormData

from api.web.forms import bid_raw, field_errors, profile_form, profile_raw, requirement_rows
from api.web.proposal_views import coverage_matrix, member_refs, synergy_pairs
from api.web.session import safe_next
from profiles.errors import RowError


def test_profile_lists_accept_lines_semicolons_and_commas_and_leave_out_empty_fields():
    raw = profile_raw(
        FormData(
            [
                ("title", " Extrusion "),
                ("capabilities", "anodising\nbending; CNC machining, welding\n\n"),
                ("keywords", ""),
                ("csrf", "x"),
            ]
        )
    )
    assert raw == {"title": "Extrusion", "capabilities": "anodising; bending; CNC machining; welding"}


def test_profile_form_shows_lists_one_per_line():
    values = profile_form({"key": "p1", "title": "T", "capabilities": ["a", "b"], "keywords": None})
    assert values["capabilities"] == "a\nb" and values["keywords"] == "" and values["summary"] == ""


def test_bid_form_rows_become_requirements_and_empty_rows_are_skipped():
    form = FormData(
        [
            ("key", "b1"),
            ("title", "T"),
            ("requirement_rows", "3"),
            ("lead_certifications", "IATF 16949"),
            ("req-0-key", "ext"),
            ("req-0-capability", "aluminium extrusion"),
            ("req-0-mandatory", "on"),
            ("req-0-certifications", "ISO 9001, IATF 16949"),
            ("req-1-key", ""),
            ("req-1-capability", ""),
            ("req-2-key", "paint"),
            ("req-2-capability", "powder coating"),
        ]
    )
    raw = bid_raw(form)
    assert raw["lead"] == {"certifications": "IATF 16949"}
    assert raw["requirements"] == [
        {
            "key": "ext",
            "capability": "aluminium extrusion",
            "certifications": "ISO 9001; IATF 16949",
            "mandatory": True,
        },
        {"key": "paint", "capability": "powder coating", "mandatory": False},
    ]


def test_a_bad_row_count_gives_no_requirements_rather_than_an_error():
    assert bid_raw(FormData([("requirement_rows", "lots")]))["requirements"] == []
    assert len(requirement_rows(FormData([("requirement_rows", "999999")]))) == 4


def test_requirement_rows_keep_what_was_typed_and_add_an_empty_row():
    rows = requirement_rows(
        FormData([("requirement_rows", "1"), ("req-0-key", "a"), ("req-0-capability", "x")]), minimum=1
    )
    assert [r["key"] for r in rows] == ["a", ""] and rows[0]["mandatory"] == ""


def test_field_errors_name_the_inputs_the_form_shows():
    errors = field_errors(
        [
            RowError("bid", "requirements[1].capability", "", "is required"),
            RowError("bid", "lead.certifications[0]", "", "bad"),
            RowError("profile", "keywords[2]", "", "must be non-empty text"),
            RowError("profile", "title", "", "is required"),
        ]
    )
    assert errors == {
        "req-1-capability": ["is required"],
        "lead_certifications": ["bad"],
        "keywords": ["must be non-empty text"],
        "title": ["is required"],
    }


def test_only_same_site_paths_are_followed_after_sign_in():
    assert safe_next("/bids/x?y=1") == "/bids/x?y=1"
    for bad in (None, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert safe_next(bad) == "/"


PROPOSAL = {
    "plan": {
        "members": [
            {"firm": "a", "name": "A", "certifications": ["IATF 16949"]},
            {"firm": "b", "name": "B", "certifications": []},
        ],
        "coverage": [
            {
                "requirement": "ext",
                "capability": "extrusion",
                "mandatory": True,
                "certifications": ["IATF 16949"],
                "covered_by": "a",
                "fit": 0.9,
                "capacity": {
                    "needed": 100,
                    "available": 80,
                    "contributors": [{"firm": "a", "capacity": 50}, {"firm": "b", "capacity": 30}],
                },
            },
            {
                "requirement": "paint",
                "capability": "painting",
                "mandatory": False,
                "certifications": [],
                "covered_by": None,
            },
        ],
        "synergy": [
            {"a": "a", "b": "b", "a_name": "A", "b_name": "B", "score": None},
            {"a": "a", "b": "c", "a_name": "A", "b_name": "C", "score": 0.4},
        ],
    }
}


def test_coverage_matrix_shows_who_covers_with_what_fit_capacity_and_certifications():
    matrix = coverage_matrix(PROPOSAL)
    ext, paint = matrix["rows"]
    assert [c["covers"] for c in ext["cells"]] == [True, False]
    assert ext["cells"][0]["fit"] == 0.9 and ext["cells"][1]["fit"] is None
    assert [c["capacity"] for c in ext["cells"]] == [50, 30]
    assert ext["cells"][0]["certifications"] == [("IATF 16949", True)]
    assert ext["cells"][1]["certifications"] == [("IATF 16949", False)]
    assert ext["short"] and (ext["needed"], ext["available"]) == (100, 80)
    assert not paint["covered"] and not paint["short"] and paint["needed"] is None


def test_synergy_pairs_strongest_first_and_unscored_last():
    assert [p["score"] for p in synergy_pairs(PROPOSAL)] == [0.4, None]
    assert member_refs(PROPOSAL) == [("a", "A"), ("b", "B")]
