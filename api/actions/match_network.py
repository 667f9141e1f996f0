"""The match network of a cluster: its firms and their strongest matches, as a picture and a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.actions.context import Context, require_role
from api.actions.graphics import network_svg
from profiles.db import session_scope
from profiles.errors import Forbidden
from profiles.repository.search import FirmFilter, Scope, search_firms, strongest_firm_pairs
from profiles.tables import FirmRow
from profiles.taxonomy.nace import load_nace
from profiles.visibility import Role


@dataclass(frozen=True)
class MapChoice:
    cluster: str | None
    concept: str | None = None
    nace: str | None = None
    min_score: float = 0.3
    per_firm: int = 3


def _sector(nace: list[str]) -> str:
    """A firm's sector for colouring: the NACE division of its first code, with its title."""
    if not nace:
        return "no sector given"
    division = nace[0].split(".")[0]
    table = load_nace()
    return f"{division} {table.title(division)}" if division in table else division


def _strongest(pairs: dict[tuple[int, int], float], per_firm: int) -> list[tuple[int, int, float]]:
    """Each firm's `per_firm` strongest links (a link kept if either end keeps it), strongest first."""
    by_firm: dict[int, list[tuple[float, int, int]]] = {}
    for (a, b), score in pairs.items():
        by_firm.setdefault(a, []).append((score, a, b))
        by_firm.setdefault(b, []).append((score, a, b))
    kept: set[tuple[int, int]] = set()
    for links in by_firm.values():
        for _, a, b in sorted(links, key=lambda t: (-t[0], t[1], t[2]))[:per_firm]:
            kept.add((a, b))
    return sorted(((a, b, pairs[(a, b)]) for a, b in kept), key=lambda t: (-t[2], t[0], t[1]))


def match_network(ctx: Context, choice: MapChoice) -> dict[str, Any]:
    """Nodes, links, the SVG picture and a table of the strongest pairs, for the advisor's cluster."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    if ctx.viewer.role == Role.ADVISOR and choice.cluster not in (None, ctx.viewer.cluster):
        raise Forbidden("cluster: you may map only your own cluster")
    cluster = choice.cluster if ctx.viewer.is_admin else ctx.viewer.cluster
    with session_scope(ctx.engine, readonly=True) as session:
        firms, _ = search_firms(
            session,
            Scope(all_private=True),
            FirmFilter(cluster=cluster, concept=choice.concept, nace=choice.nace),
            "country",
            0,
            2000,
        )
        ids = [f.id for f in firms if f.id is not None]
        pairs = strongest_firm_pairs(session, ids, choice.min_score) if ids else {}
    by_id = {f.id: f for f in firms}
    links = _strongest(pairs, choice.per_firm)
    degree: dict[int, int] = {}
    for a, b, _ in links:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1

    def links_of(firm: FirmRow) -> int:
        return degree.get(firm.id, 0) if firm.id is not None else 0

    nodes = [
        {
            "id": f.key,
            "label": f.name,
            "group": _sector(list(f.nace)),
            "size": 1 + links_of(f),
            "href": f"/firms/{f.key}",
            "title": f"{f.name} ({f.country}); {links_of(f)} strong link(s); "
            + ", ".join(c.get("phrase", "") for c in f.capabilities[:6]),
        }
        for f in firms
    ]
    edges = [
        {
            "a": by_id[a].key,
            "b": by_id[b].key,
            "weight": score,
            "title": f"{by_id[a].name} + {by_id[b].name}: match {score:.2f}",
        }
        for a, b, score in links
    ]
    table = [
        {"a": by_id[a].name, "a_key": by_id[a].key, "b": by_id[b].name, "b_key": by_id[b].key, "score": score}
        for a, b, score in links
    ]
    alone = sorted(f.name for f in firms if links_of(f) == 0)
    return {
        "cluster": cluster,
        "firms": len(firms),
        "links": table,
        "without_links": alone,
        "svg": network_svg(nodes, edges),
        "groups": sorted({n["group"] for n in nodes}),
    }
