"""The cluster map of relations for a viewer: who depends on whom, what the cluster shares, where it is
strong and what it could do, for a cluster or a chosen set of firms; as data, a picture and a report."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlmodel import Session

from api.actions import views
from api.actions.context import Context, firm_row, require_role
from api.actions.graphics import network_svg
from matching.relation_map import Link, MapFirm, Package, Thresholds, build_map, dependency
from profiles.db import session_scope
from profiles.duplicates import name_key
from profiles.errors import Forbidden, RowError, ValidationFailed
from profiles.repository import bids as bid_store
from profiles.repository import firms as firm_store
from profiles.repository import profiles as profile_store
from profiles.repository import relations as relation_store
from profiles.repository import search
from profiles.tables import FirmRow, RelationRow
from profiles.taxonomy.vocabulary import load_vocabulary
from profiles.visibility import Role

REQUEST_TYPES = ("BR", "TR", "RDR")


def thresholds(ctx: Context) -> Thresholds:
    s = ctx.settings
    return Thresholds(
        top_share=s.map_top_share, hhi=s.map_hhi, rare_max_firms=s.map_rare_firms, strong_match=s.map_strong_match
    )


def _chosen_firms(session: Session, ctx: Context, cluster: str | None, refs: list[str]) -> tuple[list[FirmRow], str]:
    if refs:
        rows = [firm_row(session, ctx.viewer, ref, manage=True) for ref in refs]
        return list({r.key: r for r in rows}.values()), f"{len(rows)} chosen firms"
    if ctx.viewer.role == Role.ADVISOR and cluster not in (None, ctx.viewer.cluster):
        raise Forbidden("cluster: you may map only your own cluster")
    chosen = cluster if ctx.viewer.is_admin else ctx.viewer.cluster
    if chosen is None:
        raise ValidationFailed([RowError("map", "cluster", None, "name a cluster or choose firms")], "map")
    return firm_store.firms_in_cluster(session, chosen), chosen


def _concepts(phrases: list[str]) -> frozenset[str]:
    vocabulary = load_vocabulary()
    return frozenset(c for c in (vocabulary.normalise(p).concept_id for p in phrases) if c)


def load_inputs(ctx: Context, cluster: str | None = None, refs: list[str] | None = None) -> dict[str, Any]:
    """Everything the map needs, read in one transaction; names as the viewer may see them."""
    require_role(ctx.viewer, Role.ADVISOR, Role.ADMIN)
    vocabulary = load_vocabulary()
    with session_scope(ctx.engine, readonly=True) as session:
        rows, title = _chosen_firms(session, ctx, cluster, refs or [])
        if not rows:
            raise ValidationFailed([RowError("map", "cluster", cluster, "no firms in this cluster")], "map")
        by_id = firm_store.firms_with_ids(session)
        ids = [f.id for f in rows if f.id is not None]
        relations = relation_store.relations_of(session, ids)
        strong = search.strongest_firm_pairs(session, ids, ctx.settings.map_strong_match)
        clusters = {f.cluster for f in rows}
        bids = [b for b in bid_store.bid_rows(session, status="open") if b.cluster in clusters]
        per_bid = bid_store.requirements_by_bid(session, [b.id for b in bids if b.id is not None])
        requests = profile_store.live_capabilities(session, REQUEST_TYPES, ctx.settings.current_date())
        everyone = list(by_id.values())
    firms = [
        MapFirm(f.key, f.name, f.employees, _concepts([c.get("phrase", "") for c in f.capabilities])) for f in rows
    ]
    links = []
    for r in relations:
        counterpart = by_id.get(r.counterpart_firm_id) if r.counterpart_firm_id is not None else None
        links.append(
            Link(
                by_id[r.firm_id].key,
                r.direction,
                r.counterpart_key,
                counterpart.name if counterpart is not None else r.counterpart_name,
                counterpart.key if counterpart is not None else None,
                r.item,
                r.concept_id,
                r.share,
            )
        )
    packages = [
        Package(
            b.key,
            b.title,
            tuple(
                (vocabulary.normalise(q.capability).concept_id, q.capability, q.mandatory)
                for q in sorted(per_bid.get(b.id or 0, []), key=lambda q: q.position)
            ),
            name_key(b.customer),
        )
        for b in bids
    ]
    demand: dict[str, int] = {}
    for phrases in requests:
        for concept in _concepts(phrases):
            demand[concept] = demand.get(concept, 0) + 1
    key_of = {f.id: f.key for f in everyone}
    strong_keys = {(key_of[a], key_of[b]): s for (a, b), s in strong.items()}
    return {
        "title": title,
        "firms": firms,
        "links": links,
        "strong": strong_keys,
        "packages": packages,
        "requests": demand,
        "all_firms": everyone,
    }


def best_matches(ctx: Context, firm_keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Strong matches of each firm's profiles with other firms, best first (for diversification leads)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with session_scope(ctx.engine, readonly=True) as session:
        for firm in firm_store.firms_with_keys(session, firm_keys).values():
            assert firm.id is not None
            own = profile_store.profile_ids_of_firm(session, firm.id)
            hits, _ = search.matches_of(session, own, 0, 30, ctx.settings.map_strong_match) if own else ([], 0)
            out[firm.key] = [
                {
                    "firm": other_firm.key,
                    "score": m.score,
                    "reference": other.reference,
                    "title": other.title,
                    "name": other_firm.name,
                }
                for m, _, other, other_firm in hits
                if other_firm.id != firm.id
            ]
    return out


def relations_picture(firms: list[MapFirm], links: list[Link]) -> str:
    """The firms and their counterparts: who sells to whom, line width by share."""
    linked = {x.firm for x in links} | {x.counterpart_firm for x in links if x.counterpart_firm}
    keys = {f.key for f in firms}
    # Firms without any recorded relation would only crowd the picture; the report lists them.
    nodes: dict[str, dict[str, Any]] = {
        f.key: {"id": f.key, "label": f.name, "group": "firm of the map", "size": 2, "href": f"/firms/{f.key}"}
        for f in firms
        if f.key in linked
    }
    edges: list[dict[str, Any]] = []
    for x in links:
        if x.firm not in keys:
            continue
        node = x.counterpart_firm if x.counterpart_firm in keys else x.counterpart
        if node not in nodes:
            group = "exchange firm" if x.counterpart_firm else f"outside {x.direction}"
            nodes[node] = {"id": node, "label": x.counterpart_name, "group": group, "size": 1}
        else:
            nodes[node]["size"] = nodes[node].get("size", 1) + 1
        verb = "buys from" if x.direction == "supplier" else "sells to"
        edges.append(
            {
                "a": x.firm,
                "b": node,
                "weight": x.share if x.share is not None else 0.1,
                "title": f"{x.firm} {verb} {x.counterpart_name}"
                + (f": {100 * x.share:.0f}%" if x.share is not None else ""),
            }
        )
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for e in edges:
        a, b = sorted((e["a"], e["b"]))
        pair = (a, b)
        if pair in merged:
            merged[pair]["weight"] = min(1.0, merged[pair]["weight"] + e["weight"])
        else:
            merged[pair] = dict(e, a=pair[0], b=pair[1])
    return network_svg(list(nodes.values()), list(merged.values()), width=980, height=700)


def cluster_map(ctx: Context, cluster: str | None = None, refs: list[str] | None = None) -> dict[str, Any]:
    """The findings as plain data with their texts, the picture, and hidden firms as aliases."""
    data = load_inputs(ctx, cluster, refs)
    label = load_vocabulary().label
    # Leads are needed only for firms tied to few customers; looking up everyone's matches would
    # cost a query per firm of the cluster.
    tied = [
        c.firm
        for c in dependency(data["firms"], data["links"], thresholds(ctx))
        if c.flagged and c.direction == "customer"
    ]
    result = build_map(
        data["firms"],
        data["links"],
        data["strong"],
        data["packages"],
        data["requests"],
        best_matches(ctx, tied) if tied else {},
        label,
        thresholds(ctx),
    )
    names = {f.key: f.name for f in result.firms}
    out = {
        "title": data["title"],
        "firms": [asdict(f) | {"concepts": sorted(f.concepts)} for f in result.firms],
        "relations": len(data["links"]),
        "thresholds": asdict(thresholds(ctx)),
        "dependency": [asdict(c) | {"name": names[c.firm]} for c in result.dependency],
        "shared": [asdict(s) | {"names": [names[k] for k in s.firms]} for s in result.shared],
        "rare": result.rare,
        "bridges": result.bridges,
        "gaps": result.gaps,
        "joint_purchasing": result.joint_purchasing,
        "diversification": result.diversification,
        "seeds": result.seeds,
        "picture": relations_picture(result.firms, data["links"]),
        "without_relations": sorted(
            names[f.key] for f in result.firms if not any(x.firm == f.key for x in data["links"])
        ),
    }
    return views.redact(out, data["all_firms"], ctx.viewer)


def firm_aggregate(ctx: Context) -> dict[str, Any]:
    """What a firm user may see: its own relations, and for each counterpart only how many other
    firms of its cluster share it; cluster figures as counts, never naming another firm."""
    require_role(ctx.viewer, Role.FIRM)
    with session_scope(ctx.engine, readonly=True) as session:
        own = firm_store.firm_with_id(session, ctx.viewer.firm_id)
        assert own is not None and own.id is not None
        cluster_firms = firm_store.firms_in_cluster(session, own.cluster) if own.cluster else []
        peers = [f.id for f in cluster_firms if f.id is not None and f.id != own.id]
        mine = relation_store.relations_of(session, [own.id])
        theirs = relation_store.relations_of(session, peers) if peers else []
        firm_names = firm_store.firms_with_ids(session)
    sharing: dict[tuple[str, str], set[int]] = {}
    for r in theirs:
        sharing.setdefault((r.direction, r.counterpart_key), set()).add(r.firm_id)
    rows = []
    for r in mine:
        counterpart = firm_names.get(r.counterpart_firm_id) if r.counterpart_firm_id is not None else None
        shown = (
            counterpart.name
            if counterpart is not None
            and counterpart.id is not None
            and ctx.viewer.sees_identity(counterpart.id, counterpart.cluster)
            else f"firm {counterpart.alias}"
            if counterpart is not None
            else r.counterpart_name
        )
        rows.append(
            {
                "id": r.id,
                "direction": r.direction,
                "counterpart": shown,
                "item": r.item,
                "share": r.share,
                "others": len(sharing.get((r.direction, r.counterpart_key), set())),
            }
        )
    by_counterpart = sorted(((len(f), d) for (d, _), f in sharing.items() if len(f) >= 2), reverse=True)
    return {
        "firm": own.name,
        "cluster": own.cluster,
        "relations": rows,
        "peers": len(peers),
        "peers_with_relations": len({r.firm_id for r in theirs}),
        "shared_counterparts": len(by_counterpart),
        "largest_shared": by_counterpart[0][0] if by_counterpart else 0,
    }


def relation_view(row: RelationRow, firms: dict[int, FirmRow], viewer, recorded_name: bool = False) -> dict[str, Any]:
    """One relation as the viewer may see it; with `recorded_name` (the relation's own firm reading its
    records) a hidden counterpart is named as the firm recorded it, never with its exchange identity."""
    counterpart = firms.get(row.counterpart_firm_id) if row.counterpart_firm_id else None
    visible = (
        counterpart is not None
        and counterpart.id is not None
        and viewer.sees_identity(counterpart.id, counterpart.cluster)
    )
    hidden_label = row.counterpart_name if recorded_name else f"firm {counterpart.alias}" if counterpart else ""
    out = {
        "id": row.id,
        "firm": firms[row.firm_id].key,
        "direction": row.direction,
        "item": row.item,
        "concept": row.concept_id,
        "share": row.share,
        "counterpart": (counterpart.name if visible else hidden_label) if counterpart else row.counterpart_name,
        "counterpart_in_exchange": counterpart is not None,
    }
    if visible and counterpart is not None:
        out["counterpart_firm"] = counterpart.key
    return out


PICTURE = "@@relations-picture@@"


def report(result: dict[str, Any], fmt: str, generated: str) -> tuple[str | bytes, str]:
    """The map as Markdown, HTML (with the picture) or PDF."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from api.actions import documents

    env = Environment(loader=PackageLoader("api", "templates"), undefined=StrictUndefined, keep_trailing_newline=True)
    template = env.get_template("cluster_map.md.j2")
    if fmt == "md":
        return template.render(m=result, generated=generated, picture=None), "text/markdown; charset=utf-8"
    marked = template.render(m=result, generated=generated, picture=PICTURE)
    html = documents.render_html(marked, f"Cluster map: {result['title']}")
    html = html.replace(f"<p>{PICTURE}</p>", f'<figure class="consortium">{result["picture"]}</figure>')
    if fmt == "pdf":
        return documents.render_pdf(html), "application/pdf"
    return html, "text/html; charset=utf-8"
