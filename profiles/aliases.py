"""Public handles of anonymous firms: two words and a short number ("Amber Falcon 42"), easy to say
on the phone and to remember, and derived from nothing about the firm (random bits, or a former random alias).

The words are ordinary adjectives and animals, far from the exchange's capabilities, materials and places,
so an alias never reads like a hint at what a firm does or where it is.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Container

# Words of at most six letters: "Quiet Magpie 39" and every other alias fit the 16 characters the
# firm table has always given an alias.
ADJECTIVES = tuple(
    """Amber Azure Bold Brave Breezy Bright Calm Candid Cheery Clever Coral Cosy Daring Dawn Dusky Eager Early
    Fair Fleet Frank Frosty Gentle Glad Grand Happy Hardy Hazel Honest Humble Indigo Ivory Jade Jolly Keen Kind
    Lively Lucky Lunar Mellow Merry Mighty Mild Misty Modest Navy Noble Olive Pastel Peach Plucky Polar Proud
    Quick Quiet Rapid Rosy Royal Ruby Rustic Sage Sandy Serene Shy Silent Snowy Solar Sunny Swift Tawny Teal
    Tidy Upbeat Velvet Violet Vivid Warm Wild Windy Wise Witty Young Zesty""".split()
)
ANIMALS = tuple(
    """Alpaca Badger Bear Beaver Bison Bobcat Camel Condor Cougar Coyote Crane Dingo Dove Eagle Egret Elk Falcon
    Ferret Finch Fox Gecko Grouse Gull Hare Hawk Heron Hyena Ibex Ibis Jaguar Jay Kiwi Koala Lark Lemur Lion
    Llama Loon Lynx Magpie Marten Mink Mole Moose Newt Ocelot Orca Oriole Osprey Otter Owl Panda Parrot Pony
    Puffin Puma Quail Rabbit Raven Robin Salmon Seal Stag Stork Swan Tapir Tern Tiger Toucan Turtle Walrus
    Weasel Whale Wolf Wombat Wren Yak Zebra""".split()
)
# Longest possible alias (at most the column's 16 characters).
LONGEST = max(map(len, ADJECTIVES)) + max(map(len, ANIMALS)) + len(" 99") + 1
_FORM = re.compile(r"(?:firm\s+)?([^\W\d_]+)[\s_\-+.]+([^\W\d_]+)[\s_\-+.]*(\d{1,2})", re.IGNORECASE)


def alias_from(seed: bytes) -> str:
    """The alias a seed stands for: the same seed always gives the same alias."""
    digest = hashlib.sha256(b"partnermatch alias\0" + seed).digest()
    adjective = ADJECTIVES[int.from_bytes(digest[0:4], "big") % len(ADJECTIVES)]
    animal = ANIMALS[int.from_bytes(digest[4:8], "big") % len(ANIMALS)]
    number = 10 + int.from_bytes(digest[8:12], "big") % 90
    return f"{adjective} {animal} {number}"


def unique_alias(seed: bytes, taken: Container[str]) -> str:
    """`alias_from(seed)`, or if that is taken the first free alias of seed#1, seed#2, … (deterministic)."""
    alias, attempt = alias_from(seed), 0
    while alias in taken:
        attempt += 1
        alias = alias_from(seed + b"#" + str(attempt).encode())
    return alias


def random_alias(taken: Container[str] = ()) -> str:
    """A new firm's alias from random bits, unlike every alias in `taken`."""
    return unique_alias(secrets.token_bytes(16), taken)


def alias_forms(ref: str) -> list[str]:
    """The stored spelling of an alias as people type it ("amber-falcon-42", "firm Amber Falcon 42",
    "AMBER_FALCON_42" → "Amber Falcon 42"), first the reference itself."""
    text = ref.strip()
    found = _FORM.fullmatch(text)
    if found is None:
        return [text]
    adjective, animal, number = found.groups()
    canonical = f"{adjective.capitalize()} {animal.capitalize()} {int(number)}"
    return [text] if canonical == text else [text, canonical]
