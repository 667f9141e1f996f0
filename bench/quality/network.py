"""Who has worked with whom, per held-out case, and what kind of organisation each one is.

Relationship: a co-participation graph (`matching.ties`), one `Tie("project", a, b)` for
every pair of organisations in the same project, over exactly the projects each
organisation's text is built from. For a held-out project P an organisation's projects
are its own minus the one the protocol drops for it (`CaseBuilder.dropped`: P for P's
members, a seeded random one of its own for everyone else), so a project Q ties a and b
only when neither has Q dropped. P itself ties nobody: all its members drop it, including
those described by no other project (they are not candidates, but they are the shared
partners of those who are). Building the graph from "every project but P" instead would
let non-members keep all their ties while members lose P's, and an engine learns "fewest
remaining ties" from that.

That rule has one cost, measured on the 543 evaluable projects: a non-member's random drop
hits a project it shared with the searcher for 6,622 of the 22,688 (searcher, non-member) pairs
that share one, and removes every direct tie of 5,278 of them, while members never lose a tie to
the searcher but the held-out one. In a real exchange nobody forgets an earlier partner, so the
rule favours members on this component. `searcher_ties` gives those ties back (only between the
searcher and each candidate; the rest of the graph unchanged) for a second, "relationship, all of
the searcher's ties" value, reported beside the first.

Role composition, from the CORDIS activity type and country (no text):
"composition" is 1 when the candidate is a different kind of organisation from the
searcher (university / research organisation / company / other), "cross_border" is 1 when
it is in another country. Both live only in the benchmark, as extra ComponentResults.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

from matching.components import ComponentResult
from matching.ties import Tie, Ties
from profiles.domain import Firm

# CORDIS activity types as the importer stores them (profiles' firm kinds) → the role compared.
ROLES = {"university": "university", "research": "research", "company": "company"}
OTHER = "other"

ALL_SEARCHER_TIES = "relationship_all_searcher_ties"
SAME, DIFFERENT = ComponentResult(0.0), ComponentResult(1.0)  # shared instances: cheap to ship from workers


def project_members(offers: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """Project id → its organisations (every imported one, describable or not), sorted."""
    out: dict[str, list[str]] = {}
    for firm, project in offers:
        out.setdefault(project, []).append(firm)
    return {p: tuple(sorted(set(m))) for p, m in sorted(out.items())}


def case_ties(members: dict[str, tuple[str, ...]], held_out: str, drop: dict[str, str | None]) -> list[tuple[str, Tie]]:
    """(project, tie) for every co-participation the case may use: never `held_out`, never a project
    dropped for either side. `drop` maps an organisation to the project its description leaves out;
    an organisation not in it (described by nothing else) drops only `held_out`."""
    out = []
    for project, firms in members.items():
        if project == held_out:
            continue
        keep = [f for f in firms if drop.get(f) != project]
        out += [(project, Tie("project", a, b)) for a, b in combinations(keep, 2)]
    return out


def searcher_ties(
    members: dict[str, tuple[str, ...]], held_out: str, drop: dict[str, str | None], searcher: str
) -> list[tuple[str, Tie]]:
    """(project, tie) between the searcher and each organisation in a project the case dropped only for that
    organisation (never `held_out`): what `case_ties` left out on the searcher's side."""
    out = []
    for firm, dropped in sorted(drop.items()):
        if (
            firm != searcher
            and dropped not in (None, held_out)
            and searcher in members.get(dropped, ())
            and drop.get(searcher) != dropped
        ):
            out.append((dropped, Tie("project", searcher, firm)))
    return out


def relationship(ties: Ties, query: str, candidate: str) -> ComponentResult | None:
    """The engine's relationship component on one pair (what matching/components/relationship.py computes
    from the context's ties): missing when either side has no ties."""
    value = ties.strength(query, candidate)
    if value is None:
        return None
    return ComponentResult(value, ties.evidence(query, candidate))


def role(firm: Firm) -> str:
    kind = getattr(firm.kind, "value", firm.kind)
    return ROLES.get(str(kind), OTHER)


def composition(query: Firm, candidate: Firm) -> ComponentResult:
    return DIFFERENT if role(query) != role(candidate) else SAME


def cross_border(query: Firm, candidate: Firm) -> ComponentResult:
    return DIFFERENT if query.country != candidate.country else SAME
