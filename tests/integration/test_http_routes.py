"""The HTTP layer's spelled-out choices agree with the engine's: the sort keys firms and profiles
can be listed by, and the kinds of match a match list can be filtered by."""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from api.http.params import MatchKind
from api.http.routes.firms import FirmSort
from api.http.routes.profiles import ProfileSort
from matching.kinds import KINDS
from profiles.repository.search import FIRM_SORTS, PROFILE_SORTS


def _both_ways(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(s for k in keys for s in (k, f"-{k}"))


def test_firm_sorts_are_the_repository_sorts():
    assert get_args(FirmSort) == _both_ways(FIRM_SORTS)


def test_profile_sorts_are_the_repository_sorts():
    assert get_args(ProfileSort) == _both_ways(PROFILE_SORTS)


def test_match_kinds_are_the_engine_kinds():
    assert tuple(kind.value for kind in MatchKind) == KINDS
