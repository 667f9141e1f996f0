"""Blocking by rare name-word starts finds every labelled same-firm pair, and the bands it gives equal
those of comparing each firm with its whole country."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from profiles.domain import Firm
from profiles.identity import blocking_keys, candidates, identity_score, resolve

sys.path.insert(0, str(Path(__file__).parents[2]))
from bench.identity import load_pairs  # noqa: E402


def test_every_labelled_same_firm_pair_reaches_scoring():
    pairs = load_pairs()
    missed = [p.number for p in pairs if p.same and not candidates([p.b], [p.a]).get(p.a.key)]
    assert missed == []


WORDS = [
    "Nordic",
    "Alu",
    "Aluminium",
    "Vejle",
    "Præcision",
    "Praecision",
    "Metal",
    "Teknik",
    "Fjordstål",
    "Fjor.",
    "Jensen",
    "Jensens",
    "Plast",
    "Hydraulik",
    "Svejs",
    "Industri",
]
FORMS = ["A/S", "ApS", "AB", "AS", "Oy", "GmbH", ""]


@st.composite
def firm_lists(draw):
    count = draw(st.integers(2, 14))
    out = []
    for i in range(count):
        name = (
            " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))
            + " "
            + draw(st.sampled_from(FORMS))
        )
        out.append(
            Firm(
                key=f"f{i:02d}",
                name=name.strip(),
                country=draw(st.sampled_from(["DK", "SE"])),
                city=draw(st.sampled_from([None, "Vejle", "Malmö"])),
            )
        )
    return out


def _whole_country(stored: list[Firm], incoming: list[Firm], link_at: float, review_at: float) -> dict[str, str]:
    out = {}
    for f in incoming:
        scored = [(identity_score(f, g).score, g.key) for g in stored if g.key != f.key and g.country == f.country]
        best = max(scored, key=lambda s: (s[0], [-ord(c) for c in s[1]]), default=None)
        out[f.key] = "new" if best is None or best[0] < review_at else ("link" if best[0] >= link_at else "review")
    return out


@settings(max_examples=120, deadline=None)
@given(firm_lists())
def test_blocking_gives_the_bands_of_comparing_with_the_whole_country(firms):
    bands = {d.incoming.key: d.band for d in resolve(firms, firms, 0.85, 0.45)}
    assert bands == _whole_country(firms, firms, 0.85, 0.45)


def test_blocking_keys_survive_spellings_and_abbreviations():
    assert blocking_keys("Fjordstål AS") & blocking_keys("Fjor.")
    assert blocking_keys("Vejle Præcision ApS") & blocking_keys("Vejle Praecision Aps")
