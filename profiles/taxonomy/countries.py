"""Countries as people type them: ISO codes, alpha-3 codes and names in the exchange's languages.

`read_country` turns "DE", "deu", "Germany", "Tyskland" or "Deutschland" into DE. The names come
from profiles/data/countries.csv (ISO 3166-1 with its English, Danish, Norwegian, Swedish and German
names, from the Debian iso-codes tables) plus the usual names below ("UK", "Holland", "Czech Republic").

A two-letter code that ISO gives to a faraway country but that people write for a European one is
a likely mistake, not an answer: "GE" typed for Germany is Georgia. The rule, computed from the
table rather than kept by hand: a code is *ambiguous* when it is the first two letters of an
exchange-area country's name (EU, EEA, UK, Switzerland) in English, Danish, Norwegian, Swedish or
German, and ISO assigns it to a country outside Europe (GE: Germany/Georgia, SV: Sverige/El Salvador,
SC: Schweiz/Seychelles, IR: Ireland/Iran, NE: Netherlands/Niger, ...). The G20 members are left out
(AU stays Australia, KR Korea, BR Brazil): they are real export markets, refusing them would hurt.
Such a code is refused with a question unless the row's other data confirms it (`confirmed_by`: a
web address or e-mail in that country's domain), or the country is written out ("Georgia") or as
alpha-3 ("GEO"). "UK" and "EL", which ISO does not assign, are read as GB and GR.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

from .vocabulary import fold

NAME_COLUMNS = ("en", "en_common", "da", "nb", "sv", "de")
# Codes that are not ISO 3166-1 but mean one country: the United Kingdom's own code, and the EU's for Greece.
USUAL_CODES = {"UK": "GB", "EL": "GR"}
USUAL_NAMES = {
    "GB": ("Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland", "Storbritanien"),
    "NL": ("Holland", "The Netherlands", "Nederlandene"),
    "CZ": ("Czech Republic", "Tschechische Republik", "Den Tjekkiske Republik", "Tsjekkiske Republikk"),
    "US": ("USA", "United States of America", "America", "Amerika", "USA"),
    "KR": ("South Korea", "Sydkorea", "Südkorea", "Sør-Korea"),
    "RU": ("Russia", "Rusland", "Russland", "Ryssland"),
    "DE": ("Tyskland", "BRD", "Bundesrepublik Deutschland"),
    "FO": ("Faroe Islands", "Færøerne", "Færøyene", "Färöarna", "Färöer"),
    "GL": ("Grønland", "Grönland"),
    "MK": ("Macedonia", "North Macedonia", "Nordmakedonien", "Nord-Makedonia"),
    "TR": ("Turkey", "Türkiye", "Tyrkiet", "Tyrkia", "Turkiet", "Türkei"),
}
# The exchange's area (EU, EEA, the United Kingdom, Switzerland), whose codes people mistype.
EXCHANGE_AREA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO GB CH".split()
)
# Europe, whose codes are never taken as mistakes; and the G20 members outside it, common trading partners.
EUROPE = EXCHANGE_AREA | frozenset("AD AL AX BA BY FO GG GI IM JE MC MD ME MK RS RU SJ SM TR UA VA XK".split())
TRADING_PARTNERS = frozenset("AR AU BR CA CN IN ID JP KR MX SA ZA US".split())
SUGGEST_CUTOFF = 80.0


@dataclass(frozen=True)
class CountryReading:
    code: str | None  # the ISO alpha-2 code read, or None
    problem: str | None = None  # why the value is refused (None when read cleanly)


@dataclass(frozen=True)
class _Table:
    names: dict[str, str]  # code → English name
    by_key: dict[str, str]  # folded name or alpha-3 → code
    ambiguous: dict[str, tuple[str, ...]]  # code → the European codes it is likely typed for


@lru_cache(maxsize=1)
def _table() -> _Table:
    text = (resources.files("profiles") / "data" / "countries.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    names = {r["alpha2"]: r["en_common"] or r["en"] for r in rows}
    by_key: dict[str, str] = {}
    spelled: dict[str, list[str]] = {}
    for r in rows:
        code = r["alpha2"]
        by_key[r["alpha3"].casefold()] = code
        spelled[code] = [r[c] for c in NAME_COLUMNS if r[c]] + list(USUAL_NAMES.get(code, ()))
        for name in spelled[code]:
            by_key.setdefault(fold(name), code)
    ambiguous: dict[str, list[str]] = {}
    for code in sorted(EXCHANGE_AREA):
        for name in (r[c] for r in rows if r["alpha2"] == code for c in NAME_COLUMNS if r[c]):
            start = fold(name)[:2].upper()
            if start in names and start not in EUROPE | TRADING_PARTNERS and code not in ambiguous.get(start, []):
                ambiguous.setdefault(start, []).append(code)
    return _Table(names, by_key, {k: tuple(v) for k, v in ambiguous.items()})


def country_name(code: str) -> str:
    return _table().names.get(code, code)


def ambiguous_codes() -> dict[str, tuple[str, ...]]:
    """Each ambiguous code with the European countries it is likely typed for (see the module's rule)."""
    return dict(_table().ambiguous)


def _question(code: str, meant: tuple[str, ...]) -> str:
    options = " or ".join(f"{m} ({country_name(m)})" for m in meant)
    return (
        f"{code} is {country_name(code)}; did you mean {options}? "
        f"Write the name ({country_name(code)}) or {code}'s three-letter code if {code} is right"
    )


def read_country(value: str, confirmed_by: tuple[str, ...] = ()) -> CountryReading:
    """A country as typed → its ISO alpha-2 code, or the reason it is refused.

    `confirmed_by` holds the row's other data that may confirm an ambiguous code (a website or
    an e-mail address ending in that country's domain, e.g. ".ge" for Georgia).
    """
    table = _table()
    text = value.strip()
    upper = text.upper()
    if len(text) == 2 and text.isalpha():
        if upper in USUAL_CODES:
            return CountryReading(USUAL_CODES[upper])
        if upper not in table.names:
            return CountryReading(None, "not a country code; use an ISO code (DK, NO, SE, DE) or the country's name")
        meant = table.ambiguous.get(upper)
        if meant and not _confirms(upper, confirmed_by):
            return CountryReading(None, _question(upper, meant))
        return CountryReading(upper)
    code = table.by_key.get(fold(text)) or table.by_key.get(text.casefold())
    if code:
        return CountryReading(code)
    guess = process.extractOne(fold(text), list(table.by_key), scorer=fuzz.WRatio, score_cutoff=SUGGEST_CUTOFF)
    hint = ""
    if guess is not None and len(guess[0]) > 3:
        found = table.by_key[guess[0]]
        hint = f"; did you mean {country_name(found)} ({found})?"
    return CountryReading(None, f"not a country we know (use a code such as DE or a name such as Germany){hint}")


def _confirms(code: str, evidence: tuple[str, ...]) -> bool:
    """A web address or e-mail domain in the country's own domain confirms its code (".ge" for GE)."""
    domain = f".{code.lower()}"
    for item in evidence:
        host = item.strip().lower().rsplit("@", 1)[-1].split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        if host.endswith(domain):
            return True
    return False
