"""A profile's content hash is the same however it is worked out: the import's fast path (orjson) and the
reference encoder agree byte for byte, and a stored hash never changes (re-importing changes nothing)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from profiles.domain import Profile, ProfileStatus, ProfileType
from profiles.mapping import content_hash, profile_columns_and_hash

# Every character a validated text can hold, and the ones JSON escapes (controls, quotes, backslashes).
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
phrases = st.lists(texts, max_size=4).map(tuple)


def _profile(**changes: object) -> Profile:
    fields: dict[str, object] = {
        "key": "dk-øre-1",
        "firm_key": "dk-øre",
        "type": ProfileType.BUSINESS_OFFER,
        "title": 'Præcisionsdrejning "CNC" \\ tab\t',
        "summary": "Ünïcödé — 日本 \U0001f600 \u2028 end",
        "description": "line\nbreak",
        "language": "da",
        "keywords": ("aluminium", "ø"),
        "capabilities": ("CNC milling",),
        "partner_sought": "x",
        "partnership_types": ("subcontracting",),
        "status": ProfileStatus.PUBLISHED,
        "reference": "BODK20261121001",
        "published_on": date(2026, 11, 21),
        "expires_on": date(2027, 11, 21),
    }
    return Profile(**(fields | changes))  # type: ignore[arg-type]


def test_a_stored_hash_stays_what_it_was():
    assert content_hash(_profile()) == "fe2152d2916e6b5baa985a288813e3a9d0315aa9d8d0a0cb6db727bb8208f034"
    assert profile_columns_and_hash(_profile(), concepts=[])[1] == content_hash(_profile())


@settings(max_examples=300, deadline=None)
@given(title=texts, summary=texts, description=texts, keywords=phrases, capabilities=phrases, language=texts)
def test_the_imports_hash_is_the_reference_encoders(title, summary, description, keywords, capabilities, language):
    profile = _profile(
        title=title,
        summary=summary,
        description=description,
        keywords=keywords,
        capabilities=capabilities,
        language=language or None,
        reference=None,
    )
    assert profile_columns_and_hash(profile, concepts=[])[1] == content_hash(profile)


def test_a_network_record_with_numbers_is_hashed_by_the_reference_encoder():
    profile = _profile(een={"score": 0.1 + 0.2, "count": 3, "big": 1e16, "items": [{"b": 1.5, "a": None}]})
    assert profile_columns_and_hash(profile, concepts=[])[1] == content_hash(profile)
