"""Pictures drawn on the server as SVG text, so pages and PDF documents need no JavaScript or plotting library.

Output is deterministic (fixed layout seed, rounded coordinates), so the same data gives the same document.
"""
from __future__ import annotations

import math
from html import escape
from typing import Any, Iterable

import networkx as nx

PALETTE = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb", "#994f00",
           "#332288", "#117733")
SVG_OPEN = ('<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            'font-family="sans-serif" role="img">')


def _r(value: float) -> str:
    return f"{value:.1f}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def palette_for(groups: Iterable[str]) -> dict[str, str]:
    """A colour per group, assigned in sorted order so the same groups always get the same colours."""
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(sorted(set(groups)))}


def consortium_svg(members: list[dict[str, Any]], synergy: list[dict[str, Any]], *, width: int = 640,
                   height: int = 420) -> str:
    """Members on a circle (lead at the top), lines between pairs as wide as their match score."""
    cx, cy = width / 2, (height - 30) / 2
    radius = min(width / 2 - 110, cy - 45)
    ordered = sorted(members, key=lambda m: not m.get("lead"))
    pos: dict[str, tuple[float, float]] = {}
    for i, m in enumerate(ordered):
        if len(ordered) == 1:
            pos[m["firm"]] = (cx, cy)
            continue
        angle = -math.pi / 2 + 2 * math.pi * i / len(ordered)
        pos[m["firm"]] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    out = [SVG_OPEN.format(w=width, h=height), '<rect width="100%" height="100%" fill="#ffffff"/>']
    for s in sorted(synergy, key=lambda s: (s["a"], s["b"])):
        if s["a"] not in pos or s["b"] not in pos:
            continue
        (x1, y1), (x2, y2) = pos[s["a"]], pos[s["b"]]
        names = f'{s.get("a_name", s["a"])} + {s.get("b_name", s["b"])}'
        score = s.get("score")
        if score is None:
            out.append(f'<line x1="{_r(x1)}" y1="{_r(y1)}" x2="{_r(x2)}" y2="{_r(y2)}" stroke="#aaaaaa" '
                       f'stroke-width="1" stroke-dasharray="4 4"><title>{escape(names)}: no match score</title></line>')
            continue
        out.append(f'<line x1="{_r(x1)}" y1="{_r(y1)}" x2="{_r(x2)}" y2="{_r(y2)}" stroke="#2d5b9a" '
                   f'stroke-opacity="0.7" stroke-width="{_r(1 + 7 * score)}"><title>{escape(names)}: match '
                   f'{score:.2f}</title></line>')
        out.append(f'<text x="{_r((x1 + x2) / 2)}" y="{_r((y1 + y2) / 2 - 3)}" font-size="11" text-anchor="middle" '
                   f'fill="#1d2433">{score:.2f}</text>')
    for m in ordered:
        x, y = pos[m["firm"]]
        lead = bool(m.get("lead"))
        name = str(m.get("name") or m["firm"])
        detail = f'{m.get("country", "")}: {", ".join(m.get("covers", [])) or "capacity"}'
        out.append(f'<g><title>{escape(name)} ({escape(detail)}){" – lead" if lead else ""}</title>'
                   f'<circle cx="{_r(x)}" cy="{_r(y)}" r="{18 if lead else 12}" fill="#e8eef8" stroke="#2d5b9a" '
                   f'stroke-width="{3 if lead else 1.5}"/>'
                   f'<text x="{_r(x)}" y="{_r(y + (34 if lead else 28))}" font-size="12" text-anchor="middle" '
                   f'font-weight="{"bold" if lead else "normal"}" fill="#1d2433">{escape(_short(name, 32))}</text>'
                   f'<text x="{_r(x)}" y="{_r(y + (48 if lead else 42))}" font-size="10" text-anchor="middle" '
                   f'fill="#5b6577">{escape(_short(detail, 40))}</text></g>')
    out.append(f'<text x="{_r(width / 2)}" y="{height - 8}" font-size="10" text-anchor="middle" fill="#5b6577">'
               'line width = pairwise match score; dashed = no match score; larger circle = lead</text>')
    out.append("</svg>")
    return "".join(out)


def _layout(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], seed: int) -> dict[str, tuple[float, float]]:
    graph = nx.Graph()
    graph.add_nodes_from(sorted(n["id"] for n in nodes))
    for e in sorted(edges, key=lambda e: (e["a"], e["b"])):
        graph.add_edge(e["a"], e["b"], weight=float(e["weight"]))
    if len(graph) == 1:
        return {next(iter(graph)): (0.0, 0.0)}
    k = 1.6 / math.sqrt(len(graph))
    return {n: (float(x), float(y)) for n, (x, y) in nx.spring_layout(graph, seed=seed, weight="weight", k=k).items()}


def network_svg(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], *, width: int = 900, height: int = 640,
                seed: int = 7) -> str:
    """A network of firms (colour by group, size by `size`) and weighted links, in a seeded spring layout."""
    if not nodes:
        return (SVG_OPEN.format(w=320, h=60) + '<text x="160" y="35" font-size="14" text-anchor="middle">'
                'No firms to show</text></svg>')
    colours = palette_for(n["group"] for n in nodes)
    legend_h = 18 * len(colours) + 10
    raw = _layout(nodes, edges, seed)
    xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]
    left, right, top, bottom = 40, width - 150, legend_h + 20, height - 30

    def place(node_id: str) -> tuple[float, float]:
        x, y = raw[node_id]
        fx = (x - min(xs)) / (max(xs) - min(xs)) if max(xs) > min(xs) else 0.5
        fy = (y - min(ys)) / (max(ys) - min(ys)) if max(ys) > min(ys) else 0.5
        return left + fx * (right - left), top + fy * (bottom - top)
    pos = {n["id"]: place(n["id"]) for n in nodes}
    out = [SVG_OPEN.format(w=width, h=height), '<rect width="100%" height="100%" fill="#ffffff"/>']
    for e in sorted(edges, key=lambda e: (e["a"], e["b"])):
        (x1, y1), (x2, y2) = pos[e["a"]], pos[e["b"]]
        w = float(e["weight"])
        tip = e.get("title") or f"{e['a']} + {e['b']}: {w:.2f}"
        out.append(f'<line x1="{_r(x1)}" y1="{_r(y1)}" x2="{_r(x2)}" y2="{_r(y2)}" stroke="#555555" '
                   f'stroke-opacity="{0.35 + 0.5 * w:.2f}" stroke-width="{_r(0.5 + 5 * w)}">'
                   f'<title>{escape(tip)}</title></line>')
    for n in sorted(nodes, key=lambda n: n["id"]):
        x, y = pos[n["id"]]
        r = 6 + 3 * math.sqrt(max(1.0, float(n.get("size", 1))))
        body = (f'<title>{escape(n.get("title") or n["label"])}</title><circle cx="{_r(x)}" cy="{_r(y)}" '
                f'r="{_r(r)}" fill="{colours[n["group"]]}" stroke="#ffffff" stroke-width="1.5"/>'
                f'<text x="{_r(x + r + 3)}" y="{_r(y + 4)}" font-size="10" fill="#1d2433">'
                f'{escape(_short(n["label"], 28))}</text>')
        out.append(f'<a href="{escape(n["href"])}">{body}</a>' if n.get("href") else f"<g>{body}</g>")
    for i, (group, colour) in enumerate(colours.items()):
        y = 14 + 18 * i
        out.append(f'<rect x="10" y="{y - 9}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="28" y="{y + 1}" font-size="11" fill="#1d2433">{escape(_short(group, 60))}</text>')
    out.append("</svg>")
    return "".join(out)
