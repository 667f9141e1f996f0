"""Pictures drawn on the server as SVG text, so pages and PDF documents need no JavaScript or plotting library.

Only plain SVG 1.1 elements are used, because WeasyPrint renders the same markup into PDFs. Output is
deterministic (sorted inputs, fixed layout seed, coordinates rounded to 0.1), so the same data gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from html import escape
from typing import Any

import networkx as nx

# Paul Tol's "bright" and "muted" schemes: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb", "#994f00", "#332288", "#117733")
INK, MUTED, EDGE = "#1d2433", "#5b6577", "#2d5b9a"
LEGEND = "line width = pairwise match score; dashed = no match score; larger circle = lead"


def _r(value: float) -> str:
    return f"{value:.1f}"


def _esc(value: Any) -> str:
    return escape(str(value))


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def _open(width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, attrs: str, tip: str) -> str:
    return f'<line x1="{_r(x1)}" y1="{_r(y1)}" x2="{_r(x2)}" y2="{_r(y2)}" {attrs}><title>{_esc(tip)}</title></line>'


def palette_for(groups: Iterable[str]) -> dict[str, str]:
    """A colour per group, assigned in sorted order so the same groups always get the same colours.

    Past ten groups the colours repeat; the legend still names every group."""
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(sorted(set(groups)))}


def _ring(ids: list[str], cx: float, cy: float, radius: float) -> dict[str, tuple[float, float]]:
    if len(ids) == 1:
        return {ids[0]: (cx, cy)}
    step = 2 * math.pi / len(ids)
    return {
        f: (cx + radius * math.cos(-math.pi / 2 + i * step), cy + radius * math.sin(-math.pi / 2 + i * step))
        for i, f in enumerate(ids)
    }


def _score_spot(
    x1: float, y1: float, x2: float, y2: float, taken: list[tuple[float, float]]
) -> tuple[float, float] | None:
    """The edge midpoint, or a point further along if another score sits there already; None where every
    point is taken (the line's width and tooltip still tell the score, and the document's table lists it).

    In a ring of four or six members the diagonals all cross at the centre, so midpoints alone would overprint."""
    spots = [(x1 + t * (x2 - x1), y1 + t * (y2 - y1)) for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8)]
    # Score boxes are 28 x 14: two spots are apart when their boxes do not touch.
    free = [p for p in spots if all(abs(p[0] - q[0]) >= 30 or abs(p[1] - q[1]) >= 16 for q in taken)]
    if not free:
        return None
    taken.append(free[0])
    return free[0]


NAME_CHARS = 22  # a name beside its circle; the legend under the ring gives it in full


def _label(x: float, y: float, text: str, size: int, attrs: str, anchor: str = "middle") -> str:
    # A pale box under the text keeps it readable where score lines run through it; width is an estimate.
    w = 0.6 * size * len(text) + 6
    left = {"start": x - 3, "end": x - w + 3}.get(anchor, x - w / 2)
    return (
        f'<rect x="{_r(left)}" y="{_r(y - size)}" width="{_r(w)}" height="{size + 4}" fill="#ffffff" '
        f'fill-opacity="0.8"/><text x="{_r(x)}" y="{_r(y)}" font-size="{size}" text-anchor="{anchor}" '
        f"{attrs}>{_esc(text)}</text>"
    )


def _details(m: dict[str, Any]) -> tuple[str, str]:
    name = str(m.get("name") or m["firm"])
    covers = ", ".join(str(c) for c in m.get("covers") or [])
    detail = " · ".join(p for p in (str(m.get("country") or ""), covers and f"covers {covers}") if p)
    return name, detail


def _member(m: dict[str, Any], x: float, y: float, cx: float, cy: float, radius: float, alone: bool) -> str:
    """A member's circle with its (shortened) name outside the ring: beside side members, above the top
    ones and below the bottom ones, so no name lies on a line between members or on another name."""
    lead = bool(m.get("lead"))
    name, detail = _details(m)
    r = 18 if lead else 12
    if not alone and abs(x - cx) > 0.3 * radius:
        anchor = "start" if x > cx else "end"
        tx, ty = (x + r + 6, y + 4) if x > cx else (x - r - 6, y + 4)
    else:
        anchor, tx, ty = "middle", x, (y - r - 8 if y < cy and not alone else y + r + 16)
    tip = f"{name}{' (lead)' if lead else ''}" + (f"; {detail}" if detail else "")
    return (
        f"<g><title>{_esc(tip)}</title>"
        f'<circle cx="{_r(x)}" cy="{_r(y)}" r="{r}" fill="#e8eef8" stroke="{EDGE}" '
        f'stroke-width="{3 if lead else 1.5}"/>'
        + _label(
            tx,
            ty,
            _short(name, NAME_CHARS),
            12,
            f'font-weight="{"bold" if lead else "normal"}" fill="{INK}"',
            anchor,
        )
        + "</g>"
    )


def consortium_svg(
    members: list[dict[str, Any]], synergy: list[dict[str, Any]], *, width: int = 640, height: int = 0
) -> str:
    """Members on a circle (lead at the top, then clockwise), lines between pairs as wide as their match score;
    under the ring a legend names each member in full with its country and what it covers.

    `height` is a minimum: the picture grows by a legend line per member."""
    ordered = sorted(members, key=lambda m: not m.get("lead"))  # stable: the others keep their given order
    names = {m["firm"]: str(m.get("name") or m["firm"]) for m in ordered}
    # Room beside the side members for a name of NAME_CHARS characters in 12px type.
    radius = max(20.0, min(width / 2 - 30 - 0.6 * 12 * NAME_CHARS, 130.0))
    cx, cy = width / 2, 44 + radius
    legend_top = cy + radius + 56
    height = max(height, int(legend_top + 15 * len(ordered) + 24))
    pos = _ring([m["firm"] for m in ordered], cx, cy, radius)
    out = [_open(width, height)]
    taken: list[tuple[float, float]] = []
    pairs = [s for s in synergy if s["a"] in pos and s["b"] in pos]
    for s in sorted(pairs, key=lambda s: (str(s["a"]), str(s["b"]))):
        (x1, y1), (x2, y2), score = pos[s["a"]], pos[s["b"]], s.get("score")
        both = f"{names[s['a']]} + {names[s['b']]}"
        if score is None:
            out.append(
                _line(
                    x1,
                    y1,
                    x2,
                    y2,
                    'stroke="#999999" stroke-width="1" stroke-dasharray="4 4"',
                    f"{both}: no match score",
                )
            )
            continue
        out.append(
            _line(
                x1,
                y1,
                x2,
                y2,
                f'stroke="{EDGE}" stroke-opacity="0.7" stroke-width="{_r(1 + 7 * score)}"',
                f"{both}: match {score:.2f}",
            )
        )
        spot = _score_spot(x1, y1, x2, y2, taken)
        if spot is None:
            continue
        x, y = spot
        out.append(
            f'<rect x="{_r(x - 14)}" y="{_r(y - 8)}" width="28" height="14" rx="3" fill="#ffffff" '
            f'fill-opacity="0.85"/><text x="{_r(x)}" y="{_r(y + 3.5)}" font-size="11" '
            f'text-anchor="middle" fill="{INK}">{score:.2f}</text>'
        )
    alone = len(ordered) == 1
    out += [_member(m, *pos[m["firm"]], cx, cy, radius, alone) for m in ordered]
    chars = int((width - 32) / 6)
    for i, m in enumerate(ordered):
        name, detail = _details(m)
        line = f"{name}{' (lead)' if m.get('lead') else ''}" + (f": {detail}" if detail else "")
        out.append(
            f'<text x="16" y="{_r(legend_top + 15 * i)}" font-size="10" fill="{INK}">{_esc(_short(line, chars))}</text>'
        )
    out.append(
        f'<text x="{_r(width / 2)}" y="{_r(height - 8)}" font-size="10" text-anchor="middle" '
        f'fill="{MUTED}">{LEGEND}</text></svg>'
    )
    return "".join(out)


def _layout(ids: list[str], edges: list[dict[str, Any]], seed: int) -> dict[str, tuple[float, float]]:
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    graph.add_weighted_edges_from((e["a"], e["b"], float(e["weight"])) for e in edges)
    if len(graph) == 1:
        return {ids[0]: (0.0, 0.0)}
    # Three times networkx's default spacing: with 40-60 firms and few links the default packs linked firms too tightly.
    k = 3 / math.sqrt(len(graph))
    return {n: (float(x), float(y)) for n, (x, y) in nx.spring_layout(graph, seed=seed, weight="weight", k=k).items()}


def _fit(raw: dict[str, tuple[float, float]], box: tuple[float, float, float, float]) -> dict[str, tuple[float, float]]:
    left, top, right, bottom = box
    xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]

    def scale(v: float, lo: float, hi: float, a: float, b: float) -> float:
        return a + (v - lo) / (hi - lo) * (b - a) if hi > lo else (a + b) / 2

    return {
        n: (scale(x, min(xs), max(xs), left, right), scale(y, min(ys), max(ys), top, bottom))
        for n, (x, y) in raw.items()
    }


def _legend(colours: dict[str, str], width: int) -> tuple[list[str], float]:
    cols = max(1, (width - 20) // 220)
    col_w = (width - 20) / cols
    out = []
    for i, (group, colour) in enumerate(colours.items()):
        x, y = 10 + (i % cols) * col_w, 10 + (i // cols) * 16
        out.append(
            f'<rect x="{_r(x)}" y="{_r(y)}" width="11" height="11" fill="{colour}"/>'
            f'<text x="{_r(x + 16)}" y="{_r(y + 10)}" font-size="11" fill="{INK}">'
            f"{_esc(_short(group, int((col_w - 24) / 6)))}</text>"
        )
    return out, 10 + math.ceil(len(colours) / cols) * 16


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _apart(a: Box, b: Box) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def _place(text: str, x: float, y: float, r: float, size: float, canvas: Box, taken: list[Box]) -> tuple | None:
    """Where a node's label goes (anchor, x, y, box): right of it, left, above or below, the first spot clear
    of the `taken` boxes and inside the canvas (None if none is)."""
    w = 0.6 * size * len(text)
    spots = (
        ("start", x + r + 3, y + 0.35 * size),
        ("end", x - r - 3, y + 0.35 * size),
        ("middle", x, y - r - 0.25 * size - 1),
        ("middle", x, y + r + size + 1),
    )
    for anchor, tx, ty in spots:
        left = {"start": tx, "end": tx - w}.get(anchor, tx - w / 2)
        box = (left - 1, ty - size, left + w + 1, ty + 0.25 * size)
        inside = canvas[0] <= box[0] and box[2] <= canvas[2] and canvas[1] <= box[1] and box[3] <= canvas[3]
        if inside and all(_apart(box, t) for t in taken):
            return anchor, tx, ty, box
    return None


def _node(n: dict[str, Any], x: float, y: float, r: float, colour: str, label: tuple | None, text: str) -> str:
    body = (
        f"<title>{_esc(n.get('title') or n['label'])}</title>"
        f'<circle cx="{_r(x)}" cy="{_r(y)}" r="{_r(r)}" fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>'
    )
    if label is not None:
        anchor, tx, ty, _ = label
        body += (
            f'<text x="{_r(tx)}" y="{_r(ty)}" font-size="10" text-anchor="{anchor}" fill="{INK}">{_esc(text)}</text>'
        )
    return f'<a href="{_esc(n["href"])}">{body}</a>' if n.get("href") else f"<g>{body}</g>"


def _labels(
    nodes: list[dict[str, Any]], pos: dict[str, tuple[float, float]], radius: dict[str, float], canvas: Box
) -> tuple[dict[str, tuple[tuple | None, str]], list[str]]:
    """A label per node that overlaps no other label or circle: its name (shortened), or where that finds
    no room a number, named in full in the picture's key. Larger nodes are labelled first."""
    taken: list[Box] = [
        (pos[i][0] - radius[i], pos[i][1] - radius[i], pos[i][0] + radius[i], pos[i][1] + radius[i]) for i in pos
    ]
    out: dict[str, tuple[tuple | None, str]] = {}
    key: list[str] = []
    for n in sorted(nodes, key=lambda n: (-radius[n["id"]], str(n["id"]))):
        x, y = pos[n["id"]]
        r = radius[n["id"]]
        mine = (x - r, y - r, x + r, y + r)
        others = [t for t in taken if t != mine]
        name = _short(str(n["label"]), 28)
        spot = _place(name, x, y, r, 10, canvas, others)
        if spot is None:
            number = str(len(key) + 1)
            spot = _place(number, x, y, r, 10, canvas, others)
            key.append(f"{number} {n['label']}")
            name = number
        if spot is not None:
            taken.append(spot[3])
        out[n["id"]] = (spot, name)
    return out, key


def network_svg(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], *, width: int = 900, height: int = 640, seed: int = 7
) -> str:
    """Firms (colour by group, size by `size`) and weighted links in a seeded spring layout, with a group legend.

    A legend too tall for the canvas makes the picture taller rather than squeezing the network."""
    if not nodes:
        return _open(320, 60) + '<text x="160" y="35" font-size="14" text-anchor="middle">No firms to show</text></svg>'
    nodes = sorted(nodes, key=lambda n: str(n["id"]))
    ids = [n["id"] for n in nodes]
    known = set(ids)
    edges = sorted(
        (e for e in edges if e["a"] in known and e["b"] in known and e["a"] != e["b"]),
        key=lambda e: (str(e["a"]), str(e["b"])),
    )
    colours = palette_for(str(n["group"]) for n in nodes)
    legend, legend_h = _legend(colours, width)
    height = max(height, int(legend_h) + 240)
    radius = {n["id"]: 6 + 3 * math.sqrt(max(1.0, float(n.get("size") or 1))) for n in nodes}
    pad = max(radius.values()) + 6
    # Labels sit right of their node, so the right margin holds a 28-character label.
    pos = _fit(_layout(ids, edges, seed), (pad, legend_h + pad, width - pad - 150, height - pad))
    out = [_open(width, height)]
    for e in edges:
        w = min(max(float(e["weight"]), 0.0), 1.0)
        out.append(
            _line(
                *pos[e["a"]],
                *pos[e["b"]],
                f'stroke="#555555" stroke-opacity="{0.35 + 0.5 * w:.2f}" stroke-width="{_r(0.5 + 5 * w)}"',
                e.get("title") or f"{e['a']} + {e['b']}: {w:.2f}",
            )
        )
    labels, key = _labels(nodes, pos, radius, (0, legend_h, width, height))
    out += [_node(n, *pos[n["id"]], radius[n["id"]], colours[str(n["group"])], *labels[n["id"]]) for n in nodes]
    # Names that found no room beside their node are numbered there and named here, in columns.
    cols = max(1, (width - 20) // 220)
    rows = math.ceil(len(key) / cols)
    for i, entry in enumerate(key):
        x, y = 10 + (i // rows) * (width - 20) / cols, height + 14 + (i % rows) * 14
        out.append(f'<text x="{_r(x)}" y="{_r(y)}" font-size="10" fill="{MUTED}">{_esc(_short(entry, 36))}</text>')
    if key:
        grown = height + 14 * rows + 10
        out[0] = _open(width, grown)
    return "".join(out + legend + ["</svg>"])
