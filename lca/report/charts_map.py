"""Process map of one scenario as inline SVG: sites (with their processes) top to bottom, joined by
transport arrows labelled with the goods and each leg's mode and distance.

Drawn top to bottom so that it keeps the report's chart width and text size on a phone (see
:mod:`lca.report.charts`); site names and labels wrap, never cut. Shipments between sites that are
not neighbours in the list run as brackets down the right-hand side.

>>> svg = process_map("m1", "Map", "Two sites", [
...     {"site": "Gwangyang", "processes": ["Precursor", "Calcination"], "role": "production"},
...     {"site": "Liberty", "processes": ["cell plant (delivery point)"], "role": "customer"}],
...     [{"source": 0, "target": 1, "goods": "Cathode material", "legs": ["truck 100 km", "ship 17 800 km"]}])
>>> 'role="img"' in svg and svg.count("<rect") >= 2
True
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from markupsafe import Markup, escape

from lca.report.charts import INK, LH, MUTED, WIDTH, _open, _wrap, chars, label_block

BOX_FILL = {"production": "#eef2f6", "customer": "#f6f1e4"}
ARC = 22  # room each bracket takes on the right


def process_map(chart_id: str, title: str, desc: str, nodes: Sequence[Mapping[str, Any]],
                edges: Sequence[Mapping[str, Any]], *, width: int = WIDTH) -> Markup:
    """Boxes for ``nodes`` (site, processes, role) and arrows for ``edges`` (source, target, goods, legs)."""
    n = len(nodes)
    arcs = [e for e in edges if abs(int(e["target"]) - int(e["source"])) != 1]
    box_w = width - 20 - ARC * len(arcs)
    text_w = chars(box_w - 16)
    # the words of each gap between box i and i + 1: its neighbour shipments, and the brackets leaving box i
    gap_text: list[list[tuple[str, bool]]] = [[] for _ in range(max(n - 1, 0))]
    for e in edges:
        s, t = int(e["source"]), int(e["target"])
        near = abs(t - s) == 1
        goods = str(e["goods"]) if near else f'{e["goods"]}, to {nodes[t]["site"]} (bracket on the right)'
        lines = [(line, True) for line in _wrap(goods, text_w - 4)]
        lines += [(line, False) for leg in e["legs"] for line in _wrap(str(leg), text_w - 4)]
        if gap_text:  # a one-site map has no gap to write in (its description still says it)
            gap_text[min(s, t) if near else max(min(s, n - 2), 0)] += lines
    out: list[str] = []
    y, boxes = 8.0, []
    for i, nd in enumerate(nodes):
        name = _wrap(str(nd["site"]), text_w)
        procs = [line for p in nd["processes"] for line in _wrap(str(p), text_w)]
        h = (len(name) + len(procs)) * LH + 14
        fill = BOX_FILL.get(str(nd.get("role")), "#f4f4f4")
        out.append(f'<rect x="10" y="{y:.1f}" width="{box_w:.1f}" height="{h:.1f}" rx="4" fill="{fill}" '
                   f'stroke="{INK}" stroke-width="1"/>')
        out.append(label_block(20, y + 6, name, bold=True)[0])
        out.append(label_block(20, y + 6 + len(name) * LH, procs, fill=MUTED)[0])
        boxes.append((y, y + h))
        y += h
        if i < n - 1:
            gap = max(44.0, len(gap_text[i]) * LH + 16)
            forward = any(int(e["source"]) == i and int(e["target"]) == i + 1 for e in edges)
            backward = any(int(e["source"]) == i + 1 and int(e["target"]) == i for e in edges)
            if forward:
                out.append(_arrow(chart_id, 36, y, y + gap))
            if backward:
                out.append(_arrow(chart_id, 50, y + gap, y))
            parts = []
            for k, (line, is_goods) in enumerate(gap_text[i]):
                style = ' font-style="italic" fill="' + INK + '"' if is_goods else f' fill="{MUTED}"'
                parts.append(f'<text x="64" y="{y + 8 + (k + 0.78) * LH:.1f}"{style}>{escape(line)}</text>')
            out.append("".join(parts))
            y += gap
    for k, e in enumerate(arcs):
        s, t = int(e["source"]), int(e["target"])
        x = 10 + box_w + ARC * (k + 1) - 6
        ya, yb = sum(boxes[s]) / 2, sum(boxes[t]) / 2
        out.append(f'<path d="M{10 + box_w:.1f},{ya:.1f} H{x:.1f} V{yb:.1f} H{10 + box_w + 2:.1f}" fill="none" '
                   f'stroke="{INK}" stroke-width="1.5" marker-end="url(#{chart_id}-arrow)"/>')
    head = (f'<defs><marker id="{chart_id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker></defs>')
    return Markup(_open(chart_id, title, desc, width, int(y + 8)) + head + "".join(out) + "</svg>")


def _arrow(chart_id: str, x: float, y_from: float, y_to: float) -> str:
    return (f'<line x1="{x}" y1="{y_from:.1f}" x2="{x}" y2="{y_to:.1f}" stroke="{INK}" stroke-width="1.5" '
            f'marker-end="url(#{chart_id}-arrow)"/>')
