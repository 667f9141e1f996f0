"""Server-side SVG pictures: valid XML, escaped text, one mark per item, deterministic, inside the canvas."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from api.actions.graphics import PALETTE, consortium_svg, network_svg, palette_for

NS = "{http://www.w3.org/2000/svg}"
MEMBERS = [
    {"firm": "f2", "name": "Beta & <Sons> GmbH", "country": "DE", "lead": False, "covers": ["r2"]},
    {"firm": "f1", "name": "Alpha Metal", "country": "DK", "lead": True, "covers": ["r1", "r3"]},
    {"firm": "f3", "name": "firm F95BEE4B55B (DK)", "country": "DK", "lead": False, "covers": []},
    {"firm": "f4", "name": "Delta " + "x" * 60, "country": "SE", "lead": False, "covers": ["r4"]},
]
SYNERGY = [
    {"a": "f1", "b": "f2", "score": 0.8},
    {"a": "f1", "b": "f3", "score": None},
    {"a": "f2", "b": "f3", "score": 0.25},
    {"a": "f1", "b": "f4", "score": 0.5},
    {"a": "f2", "b": "f4", "score": 0.6},
]


def _nodes(n: int) -> list[dict]:
    groups = ["DK", "DE", "SE & NO", "PL"]
    return [{"id": f"n{i:02d}", "label": f"Firm <{i}>", "group": groups[i % 4], "size": 1 + i % 5} for i in range(n)]


def _edges(n: int) -> list[dict]:
    return [
        {"a": f"n{i:02d}", "b": f"n{(i * 7 + 3) % n:02d}", "weight": (i % 10) / 10}
        for i in range(n)
        if i != (i * 7 + 3) % n
    ]


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    return root


def _inside(root: ET.Element) -> None:
    _, _, w, h = (float(v) for v in root.get("viewBox").split())
    circles = list(root.iter(f"{NS}circle"))
    assert circles
    for c in circles:
        x, y, r = float(c.get("cx")), float(c.get("cy")), float(c.get("r"))
        assert r <= x <= w - r and r <= y <= h - r, (x, y, r, w, h)


def test_consortium_is_svg_with_escaped_names():
    svg = consortium_svg(MEMBERS, SYNERGY)
    root = _parse(svg)
    assert "Beta &amp; &lt;Sons&gt; GmbH" in svg and "<Sons>" not in svg
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    for m in MEMBERS:
        assert any(t.startswith(m["name"][:31]) for t in texts), m["name"]
    assert any(t.endswith("…") and len(t) <= 32 for t in texts)
    assert "F95BEE4B55B" in svg and "larger circle = lead" in svg


def test_consortium_one_circle_per_member_lead_larger_and_on_top():
    root = _parse(consortium_svg(MEMBERS, SYNERGY))
    circles = list(root.iter(f"{NS}circle"))
    assert len(circles) == len(MEMBERS)
    radii = sorted(float(c.get("r")) for c in circles)
    assert radii[-1] > radii[-2]
    lead = max(circles, key=lambda c: float(c.get("r")))
    assert float(lead.get("cy")) == min(float(c.get("cy")) for c in circles)
    _inside(root)


def test_consortium_edges_widths_and_dashes():
    root = _parse(consortium_svg(MEMBERS, SYNERGY))
    lines = list(root.iter(f"{NS}line"))
    assert len(lines) == len(SYNERGY)
    dashed = [ln for ln in lines if ln.get("stroke-dasharray")]
    assert len(dashed) == 1 and "no match score" in dashed[0].find(f"{NS}title").text
    solid = {
        ln.find(f"{NS}title").text.rsplit(" ", 1)[1]: float(ln.get("stroke-width"))
        for ln in lines
        if not ln.get("stroke-dasharray")
    }
    assert solid["0.80"] > solid["0.60"] > solid["0.25"] > float(dashed[0].get("stroke-width"))
    numbers = {"".join(t.itertext()) for t in root.iter(f"{NS}text")}
    assert {"0.80", "0.25", "0.50", "0.60"} <= numbers


def test_consortium_scores_do_not_overprint_where_diagonals_cross():
    ids = [m["firm"] for m in MEMBERS]
    full = [
        {"a": a, "b": b, "score": 0.1 * (i + 1)}
        for i, (a, b) in enumerate((a, b) for n, a in enumerate(ids) for b in ids[n + 1 :])
    ]
    root = _parse(consortium_svg(MEMBERS, full))
    spots = [
        (float(t.get("x")), float(t.get("y"))) for t in root.iter(f"{NS}text") if "".join(t.itertext()).startswith("0.")
    ]
    assert len(spots) == 6
    assert all(math.dist(p, q) >= 20 for n, p in enumerate(spots) for q in spots[n + 1 :])


def test_consortium_single_member_in_centre_and_unknown_pairs_ignored():
    root = _parse(consortium_svg([MEMBERS[1]], [{"a": "f1", "b": "zz", "score": 0.5}], width=400, height=300))
    (c,) = root.iter(f"{NS}circle")
    assert float(c.get("cx")) == 200.0 and float(c.get("cy")) < float(root.get("height")) / 2
    assert not list(root.iter(f"{NS}line"))


def test_consortium_is_deterministic():
    assert consortium_svg(MEMBERS, SYNERGY) == consortium_svg(list(MEMBERS), list(reversed(SYNERGY)))


def test_network_nodes_edges_and_escaping():
    nodes, edges = _nodes(50), _edges(50)
    svg = network_svg(nodes, edges)
    root = _parse(svg)
    assert len(list(root.iter(f"{NS}circle"))) == len(nodes)
    assert len(list(root.iter(f"{NS}line"))) == len(edges)
    assert "Firm &lt;7&gt;" in svg and "SE &amp; NO" in svg
    _inside(root)


def test_network_edges_before_nodes_and_weights_shown():
    root = _parse(
        network_svg(_nodes(6), [{"a": "n00", "b": "n01", "weight": 0.9}, {"a": "n02", "b": "n03", "weight": 0.1}])
    )
    kinds = [el.tag for el in root if el.tag in (f"{NS}line", f"{NS}g")]
    assert kinds.index(f"{NS}g") > max(i for i, k in enumerate(kinds) if k == f"{NS}line")
    heavy, light = sorted(root.iter(f"{NS}line"), key=lambda ln: -float(ln.get("stroke-width")))
    assert float(heavy.get("stroke-opacity")) > float(light.get("stroke-opacity"))


def test_network_size_grows_radius_and_groups_share_colours():
    nodes = [
        {"id": "a", "label": "A", "group": "x", "size": 1},
        {"id": "b", "label": "B", "group": "x", "size": 16},
        {"id": "c", "label": "C", "group": "y"},
    ]
    root = _parse(network_svg(nodes, []))
    circles = list(root.iter(f"{NS}circle"))
    r = [float(c.get("r")) for c in circles]
    assert r[1] > r[0] == r[2]
    fills = [c.get("fill") for c in circles]
    assert fills[0] == fills[1] != fills[2]
    assert fills == [palette_for(["x", "y"])[g] for g in ("x", "x", "y")]


def test_network_href_wraps_node_in_link():
    nodes = [
        {"id": "a", "label": "A", "group": "g", "href": "/firms/a?x=1&y=2", "title": "All about A"},
        {"id": "b", "label": "B", "group": "g"},
    ]
    root = _parse(network_svg(nodes, [{"a": "a", "b": "b", "weight": 0.5}]))
    links = list(root.iter(f"{NS}a"))
    assert len(links) == 1 and links[0].get("href") == "/firms/a?x=1&y=2"
    assert links[0].find(f"{NS}title").text == "All about A"
    assert links[0].find(f"{NS}circle") is not None


def test_network_empty_gives_message():
    root = _parse(network_svg([], []))
    assert "No firms to show" in "".join(root.itertext())


def test_network_single_node_and_unknown_edge_ends():
    root = _parse(network_svg([{"id": "a", "label": "A", "group": "g"}], [{"a": "a", "b": "zz", "weight": 1.0}]))
    assert len(list(root.iter(f"{NS}circle"))) == 1 and not list(root.iter(f"{NS}line"))
    _inside(root)


def test_network_many_groups_legend_keeps_nodes_inside():
    nodes = [{"id": f"n{i}", "label": f"F{i}", "group": f"sector {i:02d}", "size": 40} for i in range(45)]
    root = _parse(network_svg(nodes, [], width=400))
    assert float(root.get("height")) > 640
    legend = {"".join(t.itertext()) for t in root.iter(f"{NS}text")}
    assert {f"sector {i:02d}" for i in range(45)} <= legend
    _inside(root)


def test_network_is_deterministic_and_seed_matters():
    nodes, edges = _nodes(40), _edges(40)
    first = network_svg(nodes, edges)
    assert first == network_svg(list(reversed(nodes)), list(reversed(edges)))
    assert first != network_svg(nodes, edges, seed=8)


def test_palette_sorted_and_stable():
    colours = palette_for(["b", "a", "b", "c"])
    assert list(colours) == ["a", "b", "c"] and colours["a"] == PALETTE[0] and colours["c"] == PALETTE[2]
    assert len(set(palette_for(f"g{i}" for i in range(10)).values())) == 10


def test_consortium_labels_inside_canvas():
    six = MEMBERS + [
        {"firm": "f5", "name": "Epsilon", "country": "NO", "lead": False, "covers": ["r5"]},
        {"firm": "f6", "name": "Zeta", "country": "FI", "lead": False, "covers": []},
    ]
    for members in (MEMBERS[:2], MEMBERS, six):
        root = _parse(consortium_svg(members, SYNERGY))
        _, _, w, h = (float(v) for v in root.get("viewBox").split())
        for t in root.iter(f"{NS}text"):
            x, y, size = float(t.get("x")), float(t.get("y")), float(t.get("font-size"))
            half = 0.3 * size * len("".join(t.itertext())) if t.get("text-anchor") == "middle" else 0
            assert size <= y <= h and half <= x <= w - half, "".join(t.itertext())


def _text_boxes(root: ET.Element) -> list[tuple[str, float, float, float, float]]:
    """Each text's box (left, top, right, bottom), its width estimated at 0.6 em per character."""
    boxes = []
    for t in root.iter(f"{NS}text"):
        text, size = "".join(t.itertext()), float(t.get("font-size"))
        x, y, w = float(t.get("x")), float(t.get("y")), 0.6 * size * len("".join(t.itertext()))
        left = {"middle": x - w / 2, "end": x - w}.get(t.get("text-anchor") or "start", x)
        boxes.append((text, left, y - size, left + w, y + 0.25 * size))
    return boxes


def test_consortium_labels_never_overlap_each_other_or_leave_the_canvas():
    long_names = [
        {
            "firm": f"f{i}",
            "name": f"Member number {i} of a consortium with a long name A/S",
            "country": "DK",
            "lead": i == 0,
            "covers": ["aluminium extrusion", "friction stir welding"],
        }
        for i in range(8)
    ]
    for n in range(1, 9):
        members = long_names[:n]
        pairs = [
            {"a": a["firm"], "b": b["firm"], "score": 0.1 + 0.1 * ((i + j) % 9)}
            for i, a in enumerate(members)
            for j, b in enumerate(members)
            if i < j
        ]
        root = _parse(consortium_svg(members, pairs))
        w, h = float(root.get("width")), float(root.get("height"))
        boxes = _text_boxes(root)
        for text, left, top, right, bottom in boxes:
            assert 0 <= left and right <= w and 0 <= top and bottom <= h, (n, text)
        for i, (a, *p) in enumerate(boxes):
            for b, *q in boxes[i + 1 :]:
                apart = p[2] <= q[0] or q[2] <= p[0] or p[3] <= q[1] or q[3] <= p[1]
                assert apart, (n, a, b)
        texts = [b[0] for b in boxes]
        for m in members:  # a shortened name is given in full in the legend
            assert any(t.startswith(m["name"]) for t in texts)


def test_network_labels_never_overlap_and_crowded_names_go_to_the_key():
    nodes = [
        {"id": f"n{i:02d}", "label": f"Member firm number {i} Aluminium A/S", "group": "g", "size": 1 + i % 4}
        for i in range(45)
    ]
    root = _parse(network_svg(nodes, _edges(45)))
    w, h = float(root.get("width")), float(root.get("height"))
    boxes = _text_boxes(root)
    for text, left, top, right, bottom in boxes:
        assert 0 <= left and right <= w + 1 and 0 <= top and bottom <= h, text
    labels = [b for b in boxes if b[0] != "g"]
    for i, (a, *p) in enumerate(labels):
        for b, *q in labels[i + 1 :]:
            assert p[2] <= q[0] + 1 or q[2] <= p[0] + 1 or p[3] <= q[1] + 1 or q[3] <= p[1] + 1, (a, b)
    texts = "\n".join(b[0] for b in boxes)
    for n in nodes:  # every firm is named beside its node or, numbered, in the key
        assert n["label"][:27] in texts
