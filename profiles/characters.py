"""Characters no text field may hold, and JSON nested too deeply to read safely.

Control characters (NUL and the other C0 codes except tab, line feed and carriage
return) break PostgreSQL (it refuses NUL), CSV files and terminals, and hide text
from people reviewing it. Bidirectional overrides make a name read differently
from what is stored ("Nordalu\u202eSA/" shows as "NordaluA/S"), so names may not
carry them; descriptions may, as right-to-left languages need the isolates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BIDI_OVERRIDE = re.compile("[\u202a-\u202e\u2066-\u2069]")

# Fields that name a firm, a person, an account or a customer.
NAME_FIELDS = frozenset({"name", "contact_name", "username", "customer", "counterpart", "firm_name", "label"})

MAX_JSON_DEPTH = 32


def character_problem(value: str, is_name: bool = False) -> str | None:
    """Why `value` may not be stored, or None."""
    found = CONTROL.search(value)
    if found:
        return (
            f"contains the control character U+{ord(found.group()):04X} at position {found.start() + 1}; "
            "remove it (tab, line feed and carriage return are allowed)"
        )
    if is_name:
        found = BIDI_OVERRIDE.search(value)
        if found:
            return (
                f"contains the bidirectional control U+{ord(found.group()):04X} at position {found.start() + 1}, "
                "which makes a name read differently from what is stored; remove it"
            )
    return None


@lru_cache(maxsize=4096)  # a file's rows repeat the same few paths
def is_name_field(path: str) -> bool:
    last = re.split(r"[.\[]", path)[-1] if path else ""
    return last in NAME_FIELDS


# Either kind of character: a row without any has nothing to report.
_ANY_PROBLEM = re.compile(f"{CONTROL.pattern[:-1]}{BIDI_OVERRIDE.pattern[1:]}")


def _flat_and_clean(record: dict[Any, Any]) -> bool:
    """A record of strings only (a CSV row) with no control character or bidirectional control anywhere:
    one search over all of it instead of one per field, for the rows that have nothing to report."""
    try:
        text = "\n".join((*record.keys(), *record.values()))
    except TypeError:  # a value (or key) that is not a string: checked field by field
        return False
    return _ANY_PROBLEM.search(text) is None


def text_problems(value: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(field path, value, reason) for every string in a nested record, dictionary keys included."""
    if isinstance(value, dict) and not path and _flat_and_clean(value):
        return
    if isinstance(value, str):
        problem = character_problem(value, is_name_field(path))
        if problem:
            yield path or "value", value, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                problem = character_problem(key)
                if problem:
                    yield (path or "body"), key, f"a field name {problem}"
            yield from text_problems(item, child)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from text_problems(item, f"{path}[{i}]")


_STRINGS = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """How deeply a JSON text nests its arrays and objects, without parsing it (strings skipped)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def depth_problem(text: str, limit: int = MAX_JSON_DEPTH) -> str | None:
    depth = json_depth(text)
    if depth > limit:
        return f"JSON nested {depth} levels deep; at most {limit} levels are accepted"
    return None
