"""Where a text names an exchange firm, however it is spelt, so it can be replaced by the firm's alias.

Firms write other firms' names into published texts ("also partners of Nordalu
Extrusion A/S"), with or without the legal form, in capitals, with hyphens, and with
Nordic or German letters spelt out ("Praecision" for "Præcision", "Stoppemobler" for
"Stoppemøbler"). Names and text are compared as sequences of word skeletons (folded,
accents and spelt-out letters reduced alike), so every such spelling meets. A name
left without its legal form is used on its own only when it cannot be an ordinary
word: two words or more, or one long word that is not a capability term.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from .duplicates import name_key
from .taxonomy.vocabulary import fold

_WORD = re.compile(r"\w+")
_SPELT_OUT = [("ae", "a"), ("oe", "o"), ("ue", "u"), ("aa", "a")]
MIN_SINGLE_WORD = 5
READ_TEXTS_KEPT = 20_000


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """One word reduced so that its common spellings agree: Præcision, Praecision, PRECISION → precision."""
    text = "".join(fold(word).split())
    for spelt, letter in _SPELT_OUT:
        text = text.replace(spelt, letter)
    return text


def _skeletons(text: str) -> tuple[str, ...]:
    return tuple(s for s in (skeleton(w) for w in _WORD.findall(text)) if s)


@dataclass(frozen=True)
class NamedFirm:
    firm_id: int
    name: str
    label: str  # what replaces the name, e.g. "firm F3A9C1D2E0"


@dataclass
class NameIndex:
    """Every exchange firm's name variants, keyed by their first word skeleton."""

    common_words: frozenset[str] = frozenset()
    # first word -> every name variant starting with it -> the firm (the first firm added, for a shared name),
    # and the variants' lengths, longest first: "Vejle Præcision ApS" is tried before "Vejle Præcision".
    _by_first: dict[str, dict[tuple[str, ...], int]] = field(default_factory=dict)
    _lengths: dict[str, list[int]] = field(default_factory=dict)
    _labels: dict[int, str] = field(default_factory=dict)
    _words: dict[str, set[int]] = field(default_factory=dict)
    _sorted_words: list[str] | None = None
    # Texts already read, with their mentions: a search page shows the same popular profiles again and
    # again, and reading a text is most of the cost of showing it. Emptied when full.
    _read: dict[str, tuple[tuple[int, int, int], ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, firms: Iterable[NamedFirm], common_words: Iterable[str] = ()) -> NameIndex:
        index = cls(frozenset(skeleton(w) for w in common_words))
        for firm in firms:
            index.add(firm)
        return index

    def add(self, firm: NamedFirm) -> None:
        self._read.clear()
        self._labels[firm.firm_id] = firm.label
        for words in self._variants(firm.name):
            self._by_first.setdefault(words[0], {}).setdefault(words, firm.firm_id)
            lengths = self._lengths.setdefault(words[0], [])
            if len(words) not in lengths:
                lengths.append(len(words))
                lengths.sort(reverse=True)
        for word in _skeletons(name_key(firm.name)):
            if len(word) >= MIN_SINGLE_WORD and word not in self.common_words:
                self._words.setdefault(word, set()).add(firm.firm_id)
                self._sorted_words = None

    def _variants(self, name: str) -> set[tuple[str, ...]]:
        full = _skeletons(name)
        short = _skeletons(name_key(name))
        return {v for v in (full, short) if v and self._distinctive(v)}

    def _distinctive(self, words: tuple[str, ...]) -> bool:
        return len(words) >= 2 or (len(words[0]) >= MIN_SINGLE_WORD and words[0] not in self.common_words)

    def mentions(self, text: str) -> tuple[tuple[int, int, int], ...]:
        """(start, end, firm id) of every firm name in `text`, left to right, never overlapping."""
        if not text:
            return ()
        found = self._read.get(text)
        if found is None:
            if len(self._read) >= READ_TEXTS_KEPT:
                self._read.clear()
            found = self._read[text] = tuple(self._find(text))
        return found

    def _find(self, text: str) -> list[tuple[int, int, int]]:
        words = [(m.start(), m.end(), skeleton(m.group())) for m in _WORD.finditer(text)]
        found: list[tuple[int, int, int]] = []
        i = 0
        while i < len(words):
            hit = None
            first = words[i][2]
            variants = self._by_first.get(first, {})
            for n in self._lengths.get(first, ()):
                if i + n <= len(words):
                    firm_id = variants.get(tuple(w[2] for w in words[i : i + n]))
                    if firm_id is not None:
                        hit = (n, firm_id)
                        break
            if hit is None:
                i += 1
                continue
            n, firm_id = hit
            found.append((words[i][0], words[i + n - 1][1], firm_id))
            i += n
        return found

    def firms_named_by(self, word: str) -> set[int]:
        """Firms whose name has `word` as a distinctive part (a shared term "nordalu" points at Nordalu)."""
        return self._words.get(skeleton(word), set())

    def firms_named_by_prefix(self, prefix: str) -> set[int]:
        """Firms with a distinctive name word that starts with `prefix` (a search for "nordal" finds the
        word "nordalu", so it names Nordalu)."""
        start = skeleton(prefix)
        if not start:
            return set()
        if self._sorted_words is None:
            self._sorted_words = sorted(self._words)
        words = self._sorted_words
        found: set[int] = set()
        for i in range(bisect_left(words, start), len(words)):
            if not words[i].startswith(start):
                break
            found |= self._words[words[i]]
        return found

    def scrub(self, text: str, hidden: Callable[[int], bool]) -> str:
        """`text` with the name of every firm for which `hidden(firm id)` holds replaced by its label."""
        out, last = [], 0
        for start, end, firm_id in self.mentions(text):
            if hidden(firm_id):
                out += [text[last:start], self._labels[firm_id]]
                last = end
        if not out:
            return text
        return "".join(out) + text[last:]
