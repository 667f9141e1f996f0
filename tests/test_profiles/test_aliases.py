"""Pronounceable aliases of anonymous firms: their shape, uniqueness, how people may type them, and the
migration that replaced the random hex aliases while keeping them as former aliases."""

from __future__ import annotations

import re

import pytest
from alembic import command
from sqlalchemy import text

from profiles.aliases import ADJECTIVES, ANIMALS, LONGEST, alias_forms, alias_from, random_alias, unique_alias
from profiles.db import alembic_config, current_revision, upgrade

ALIAS = re.compile(r"[A-Z][a-z]+ [A-Z][a-z]+ [1-9][0-9]")


def test_an_alias_is_two_words_and_a_short_number_the_same_for_the_same_seed():
    alias = alias_from(b"F1A2B3C4D5E")
    assert ALIAS.fullmatch(alias)
    assert alias == alias_from(b"F1A2B3C4D5E")
    assert alias != alias_from(b"F1A2B3C4D5F")
    assert len(alias) <= LONGEST <= 16


def test_the_word_lists_have_no_repeats():
    assert len(set(ADJECTIVES)) == len(ADJECTIVES) and len(set(ANIMALS)) == len(ANIMALS)


def test_a_taken_alias_is_never_given_again():
    first = alias_from(b"seed")
    second = unique_alias(b"seed", {first})
    assert second != first and ALIAS.fullmatch(second)
    assert unique_alias(b"seed", {first}) == second  # deterministic too
    taken: set[str] = set()
    for _ in range(2000):
        alias = random_alias(taken)
        assert alias not in taken
        taken.add(alias)


@pytest.mark.parametrize(
    ("typed", "forms"),
    [
        ("Amber Falcon 42", ["Amber Falcon 42"]),
        ("amber-falcon-42", ["amber-falcon-42", "Amber Falcon 42"]),
        ("AMBER_FALCON_42", ["AMBER_FALCON_42", "Amber Falcon 42"]),
        ("firm Amber Falcon 42", ["firm Amber Falcon 42", "Amber Falcon 42"]),
        ("  amber falcon 42 ", ["amber falcon 42", "Amber Falcon 42"]),
        ("F1A2B3C4D5E", ["F1A2B3C4D5E"]),
        ("dk-nordalu", ["dk-nordalu"]),
        ("", [""]),
        ("amber falcon", ["amber falcon"]),
        ("amber falcon 4242", ["amber falcon 4242"]),
        ("'; drop table firm; --", ["'; drop table firm; --"]),
    ],
)
def test_aliases_as_people_type_them(typed, forms):
    assert alias_forms(typed) == forms


def _downgrade(engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def _aliases(engine) -> dict[str, tuple[str, str | None]]:
    with engine.connect() as connection:
        if current_revision(engine) == "0009":
            return {k: (a, None) for k, a in connection.execute(text("select key, alias from firm"))}
        return {k: (a, f) for k, a, f in connection.execute(text("select key, alias, former_alias from firm"))}


def test_the_migration_gives_every_firm_a_pronounceable_alias_and_keeps_the_old_one(any_engine, settings):
    from api.actions import imports
    from api.actions.operator import operator

    for path in imports.demo_files():  # firms, and the profiles, bids and relations referring to them
        imports.import_path(operator(any_engine, settings), path)
    created = _aliases(any_engine)
    assert created and all(ALIAS.fullmatch(a) and former is None for a, former in created.values())

    _downgrade(any_engine, "0009")
    hex_aliases = {k: a for k, (a, _) in _aliases(any_engine).items()}
    assert all(re.fullmatch(r"F[0-9A-F]{10}", a) for a in hex_aliases.values())

    upgrade(any_engine)
    migrated = _aliases(any_engine)
    assert {k: f for k, (_, f) in migrated.items()} == hex_aliases
    assert all(ALIAS.fullmatch(a) for a, _ in migrated.values())
    assert len({a for a, _ in migrated.values()}) == len(migrated)
    plain = {k: alias_from(h.encode()) for k, h in hex_aliases.items()}
    clashing = {a for a in plain.values() if list(plain.values()).count(a) > 1}
    assert all(migrated[k][0] == a for k, a in plain.items() if a not in clashing)  # derived from the old alias

    _downgrade(any_engine, "0009")
    assert {k: a for k, (a, _) in _aliases(any_engine).items()} == hex_aliases  # going down restores them
    upgrade(any_engine)
    assert _aliases(any_engine) == migrated  # and up again gives the same aliases
