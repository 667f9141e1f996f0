"""The cluster map of supplier and customer relations: dependencies, shared dependencies, strengths
and opportunities, as pure functions over plain records, each finding with its numbers.

Shares are fractions of a firm's turnover (customers) or purchases (suppliers). A firm's missing
remainder (shares adding up to less than 1) is treated as spread thinly, so the Herfindahl index over
the known shares is a lower bound. Cluster totals weight firms by employees, the size measure every
profile has, as a stand-in for turnover (which firms do not report).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import networkx as nx
from rapidfuzz import fuzz


@dataclass(frozen=True)
class MapFirm:
    key: str
    name: str
    employees: int | None = None
    concepts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Link:
    """One relation: `firm` buys from (supplier) or sells to (customer) `counterpart`."""

    firm: str
    direction: str
    counterpart: str
    counterpart_name: str
    counterpart_firm: str | None = None
    item: str = ""
    concept: str | None = None
    share: float | None = None


@dataclass(frozen=True)
class Package:
    """A typical bid package: an open bid's requirements as (concept, label, mandatory)."""

    bid: str
    title: str
    requirements: tuple[tuple[str | None, str, bool], ...]
    customer: str = ""  # the customer's counterpart key, so leads can skip current customers


@dataclass(frozen=True)
class Thresholds:
    top_share: float = 0.5
    hhi: float = 0.25  # 2,500 on the 0-10,000 scale: "highly concentrated" in merger guidelines
    rare_max_firms: int = 2
    strong_match: float = 0.4


@dataclass(frozen=True)
class Concentration:
    firm: str
    direction: str
    counterparts: int
    known_share: float
    top_name: str
    top_share: float
    hhi: float
    flagged: bool
    text: str


@dataclass(frozen=True)
class Shared:
    direction: str
    counterpart: str
    name: str
    firms: tuple[str, ...]
    firm_equivalents: float
    cluster_share: float
    text: str


@dataclass
class ClusterMap:
    firms: list[MapFirm]
    dependency: list[Concentration] = field(default_factory=list)
    shared: list[Shared] = field(default_factory=list)
    rare: list[dict] = field(default_factory=list)
    bridges: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    joint_purchasing: list[dict] = field(default_factory=list)
    diversification: list[dict] = field(default_factory=list)
    seeds: list[dict] = field(default_factory=list)


WHAT = {"customer": "turnover", "supplier": "purchases"}


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def by_counterpart(links: Iterable[Link]) -> dict[str, float]:
    """Known shares per counterpart (one counterpart may supply several items)."""
    out: dict[str, float] = defaultdict(float)
    for link in links:
        out[link.counterpart] += link.share or 0.0
    return dict(out)


def concentration(firm: MapFirm, direction: str, links: list[Link], limits: Thresholds) -> Concentration:
    mine = [x for x in links if x.firm == firm.key and x.direction == direction]
    shares = by_counterpart(mine)
    names = {x.counterpart: x.counterpart_name for x in mine}
    top = max(sorted(shares), key=lambda k: shares[k]) if shares else ""
    top_share = shares.get(top, 0.0)
    hhi = sum(s * s for s in shares.values())
    reasons = []
    if top_share > limits.top_share:
        reasons.append(
            f"{names[top]} alone is {_pct(top_share)} of its {WHAT[direction]} (limit {_pct(limits.top_share)})"
        )
    if hhi > limits.hhi:
        reasons.append(f"Herfindahl index {hhi:.2f} (limit {limits.hhi:.2f})")
    text = (
        f"{firm.name}: {len(shares)} {direction}(s) cover {_pct(sum(shares.values()))} of its {WHAT[direction]}; "
        f"largest {names.get(top, '–')} {_pct(top_share)}, Herfindahl index {hhi:.2f}"
    )
    if reasons:
        text += " — concentrated: " + "; ".join(reasons)
    return Concentration(
        firm.key,
        direction,
        len(shares),
        sum(shares.values()),
        names.get(top, ""),
        top_share,
        round(hhi, 6),
        bool(reasons),
        text,
    )


def dependency(firms: list[MapFirm], links: list[Link], limits: Thresholds) -> list[Concentration]:
    """Every firm's customer and supplier concentration, most concentrated first."""
    out = [
        concentration(f, d, links, limits)
        for f in firms
        for d in ("customer", "supplier")
        if any(x.firm == f.key and x.direction == d for x in links)
    ]
    return sorted(out, key=lambda c: (not c.flagged, -c.hhi, c.firm, c.direction))


def weights(firms: list[MapFirm]) -> dict[str, float]:
    """Firm sizes for cluster totals: employees, or the median size where a firm gave none."""
    known = [f.employees for f in firms if f.employees]
    fallback = statistics.median(known) if known else 1.0
    return {f.key: float(f.employees or fallback) for f in firms}


def shared_dependencies(firms: list[MapFirm], links: list[Link], direction: str) -> list[Shared]:
    """Counterparts that two or more of the firms depend on, and how much of the group rests on each."""
    keys = {f.key for f in firms}
    size = weights(firms)
    total = sum(size.values()) or 1.0
    per: dict[str, dict[str, float]] = defaultdict(dict)
    names: dict[str, str] = {}
    for x in links:
        if x.direction == direction and x.firm in keys:
            per[x.counterpart][x.firm] = per[x.counterpart].get(x.firm, 0.0) + (x.share or 0.0)
            names.setdefault(x.counterpart, x.counterpart_name)
    out = []
    for counterpart, shares in per.items():
        if len(shares) < 2:
            continue
        equivalents = sum(shares.values())
        rests = sum(s * size[f] for f, s in shares.items()) / total
        text = (
            f"{len(shares)} firms {'sell to' if direction == 'customer' else 'buy from'} {names[counterpart]}: "
            f"{equivalents:.2f} firms' worth of {WHAT[direction]}, {_pct(rests)} of the group's "
            f"{WHAT[direction]} (firms weighted by employees)"
        )
        out.append(
            Shared(
                direction,
                counterpart,
                names[counterpart],
                tuple(sorted(shares)),
                round(equivalents, 6),
                round(rests, 6),
                text,
            )
        )
    return sorted(out, key=lambda s: (-len(s.firms), -s.cluster_share, s.counterpart))


def rare_capabilities(
    firms: list[MapFirm],
    packages: list[Package],
    requests: dict[str, int],
    label: Callable[[str], str],
    limits: Thresholds,
) -> list[dict]:
    """Capabilities few firms have that bids or requests ask for: rare and valuable."""
    holders: dict[str, list[str]] = defaultdict(list)
    for f in firms:
        for c in f.concepts:
            holders[c].append(f.key)
    demand: dict[str, int] = defaultdict(int, requests)
    for p in packages:
        for concept, _, _ in p.requirements:
            if concept:
                demand[concept] += 1
    out = []
    for concept, who in holders.items():
        if len(who) <= limits.rare_max_firms and demand.get(concept, 0) > 0:
            out.append(
                {
                    "concept": concept,
                    "capability": label(concept),
                    "firms": sorted(who),
                    "demand": demand[concept],
                    "text": f"{label(concept)}: held by {len(who)} firm(s) of {len(firms)}, asked for "
                    f"{demand[concept]} time(s) by open bids and published requests",
                }
            )
    return sorted(out, key=lambda r: (-r["demand"], len(r["firms"]), r["capability"]))


def network(firms: list[MapFirm], links: list[Link], strong: dict[tuple[str, str], float]) -> nx.Graph:
    """Firms joined by strong matches, by direct relations and by sharing a counterpart."""
    keys = sorted(f.key for f in firms)
    graph = nx.Graph()
    graph.add_nodes_from(keys)
    for (a, b), score in sorted(strong.items()):
        if a in graph and b in graph:
            graph.add_edge(a, b, kind="match", weight=score)
    users: dict[str, set[str]] = defaultdict(set)
    for x in links:
        if x.firm not in graph:
            continue
        if x.counterpart_firm in graph and x.counterpart_firm != x.firm:
            graph.add_edge(x.firm, x.counterpart_firm, kind=x.direction, weight=max(x.share or 0.2, 0.2))
        users[x.counterpart].add(x.firm)
    for counterpart in sorted(users):
        group = sorted(users[counterpart])
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if not graph.has_edge(a, b):
                    graph.add_edge(a, b, kind="shared", weight=0.2)
    return graph


def bridges(firms: list[MapFirm], graph: nx.Graph) -> list[dict]:
    """Firms on many shortest paths between others; those whose absence splits the network say so."""
    names = {f.key: f.name for f in firms}
    centrality = nx.betweenness_centrality(graph, normalized=True) if len(graph) > 2 else {}
    cuts = set(nx.articulation_points(graph)) if len(graph) > 2 else set()
    before = nx.number_connected_components(graph) if len(graph) else 0
    out = []
    for key, value in centrality.items():
        if value <= 0:
            continue
        rest = graph.copy()
        rest.remove_node(key)
        split = nx.number_connected_components(rest) - before if key in cuts else 0
        text = f"{names[key]}: betweenness {value:.2f}"
        if split > 0:
            text += f"; without it the network falls into {split + 1} separate groups"
        out.append({"firm": key, "name": names[key], "betweenness": round(value, 6), "splits": split, "text": text})
    return sorted(out, key=lambda b: (-b["splits"], -b["betweenness"], b["firm"]))[:10]


def gaps(firms: list[MapFirm], packages: list[Package]) -> list[dict]:
    """Requirements of open bids that no firm of the group has."""
    held = set().union(*(f.concepts for f in firms)) if firms else set()
    out = []
    for p in packages:
        for concept, label, mandatory in p.requirements:
            if concept is None or concept not in held:
                out.append(
                    {
                        "bid": p.bid,
                        "title": p.title,
                        "capability": label,
                        "mandatory": mandatory,
                        "text": f"{p.title}: no firm of the group offers {label}"
                        f"{' (mandatory)' if mandatory else ' (optional)'}",
                    }
                )
    return out


def joint_purchasing(firms: list[MapFirm], links: list[Link], label: Callable[[str], str]) -> list[dict]:
    """Firms that buy from the same supplier, or buy the same input from different ones, could buy together."""
    keys = {f.key for f in firms}
    names = {f.key: f.name for f in firms}
    groups = []
    seen: set[tuple[str, ...]] = set()
    for shared in shared_dependencies(firms, links, "supplier"):
        seen.add(shared.firms)
        groups.append(
            {
                "basis": "same supplier",
                "what": shared.name,
                "firms": list(shared.firms),
                "names": [names[k] for k in shared.firms],
                "firm_equivalents": shared.firm_equivalents,
                "text": f"{', '.join(names[k] for k in shared.firms)} all buy from {shared.name} "
                f"({shared.firm_equivalents:.2f} firms' worth of purchases): one contract could cover them",
            }
        )
    by_input: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for x in links:
        if x.direction == "supplier" and x.firm in keys and x.concept:
            by_input[x.concept][x.firm].add(x.counterpart_name)
    for concept in sorted(by_input):
        buyers = by_input[concept]
        members = tuple(sorted(buyers))
        suppliers = sorted(set().union(*buyers.values()))
        if len(members) < 2 or len(suppliers) < 2 or members in seen:
            continue
        seen.add(members)
        groups.append(
            {
                "basis": "same input",
                "what": label(concept),
                "firms": list(members),
                "names": [names[k] for k in members],
                "suppliers": suppliers,
                "text": f"{', '.join(names[k] for k in members)} all buy {label(concept)}, from "
                f"{len(suppliers)} different suppliers: pooled, they could negotiate as one buyer",
            }
        )
    return groups


def consortium_seeds(firms: list[MapFirm], packages: list[Package], max_size: int = 5) -> list[dict]:
    """For each bid package, a small group of the firms covering its mandatory requirements (greedy cover)."""
    out = []
    for p in packages:
        needed = {c for c, _, mandatory in p.requirements if mandatory and c}
        labels = {c: lab for c, lab, _ in p.requirements if c}
        if not needed:
            continue
        chosen: list[MapFirm] = []
        left = set(needed)
        while left and len(chosen) < max_size:
            best = max(sorted(firms, key=lambda f: f.key), key=lambda f: len(f.concepts & left), default=None)
            if best is None or not best.concepts & left:
                break
            chosen.append(best)
            left -= best.concepts
        covered = len(needed) - len(left)
        if len(chosen) < 2 and not left:
            continue
        text = (
            f"{p.title}: {', '.join(f.name for f in chosen) or 'no firm'} together cover {covered} of "
            f"{len(needed)} mandatory requirements"
        )
        if left:
            text += "; missing " + ", ".join(sorted(labels[c] for c in left))
        out.append(
            {
                "bid": p.bid,
                "title": p.title,
                "firms": [f.key for f in chosen],
                "names": [f.name for f in chosen],
                "covered": covered,
                "needed": len(needed),
                "missing": sorted(labels[c] for c in left),
                "text": text,
            }
        )
    return sorted(out, key=lambda s: (-s["covered"] / s["needed"], len(s["firms"]), s["bid"]))


def diversification(
    concentrated: list[Concentration],
    links: list[Link],
    matches: dict[str, list[dict]],
    packages: list[Package],
    firms: list[MapFirm],
) -> list[dict]:
    """For each firm tied to few customers: its best matches outside its current customers, and open bids it fits."""
    concepts = {f.key: f.concepts for f in firms}
    names = {f.key: f.name for f in firms}
    out = []
    for c in concentrated:
        if c.direction != "customer" or not c.flagged:
            continue
        mine = [x for x in links if x.firm == c.firm and x.direction == "customer"]
        customer_firms = {x.counterpart_firm for x in mine if x.counterpart_firm}
        customer_keys = {x.counterpart for x in mine}
        leads: list[dict] = []
        for m in matches.get(c.firm, []):
            if m.get("firm") not in customer_firms and all(m.get("firm") != x.get("firm") for x in leads):
                leads.append(m)
        leads = leads[:3]
        bids = [
            p
            for p in packages
            if not any(same_name(p.customer, k) for k in customer_keys)
            and any(cid in concepts.get(c.firm, frozenset()) for cid, _, _ in p.requirements)
        ]
        text = (
            f"{names[c.firm]} depends on {c.top_name} for {_pct(c.top_share)} of its turnover; "
            f"{len(leads)} strong match(es) outside its customers and {len(bids)} open bid(s) it could join"
        )
        out.append(
            {
                "firm": c.firm,
                "name": names[c.firm],
                "top": c.top_name,
                "top_share": c.top_share,
                "matches": leads,
                "bids": [{"bid": p.bid, "title": p.title} for p in bids],
                "text": text,
            }
        )
    return out


def same_name(a: str, b: str) -> bool:
    """Normalised names of one organisation: "sudwerk automotive" and "sudwerk automotive tier 1 bavaria"."""
    return bool(a) and bool(b) and fuzz.token_set_ratio(a, b) >= 90


def build_map(
    firms: list[MapFirm],
    links: list[Link],
    strong: dict[tuple[str, str], float],
    packages: list[Package],
    requests: dict[str, int],
    matches: dict[str, list[dict]],
    label: Callable[[str], str],
    limits: Thresholds = Thresholds(),
) -> ClusterMap:
    keys = {f.key for f in firms}
    links = [x for x in links if x.firm in keys]
    result = ClusterMap(firms=firms)
    result.dependency = dependency(firms, links, limits)
    result.shared = shared_dependencies(firms, links, "supplier") + shared_dependencies(firms, links, "customer")
    result.rare = rare_capabilities(firms, packages, requests, label, limits)
    result.bridges = bridges(firms, network(firms, links, strong))
    result.gaps = gaps(firms, packages)
    result.joint_purchasing = joint_purchasing(firms, links, label)
    result.diversification = diversification(result.dependency, links, matches, packages, firms)
    result.seeds = consortium_seeds(firms, packages)
    return result
