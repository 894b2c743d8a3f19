"""Process map of one scenario as inline SVG: sites (with their processes) left to right, joined by
transport arrows labelled with each leg's mode and distance.

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

from lca.report.charts import INK, MUTED, _open, _wrap

BOX_FILL = {"production": "#eef2f6", "customer": "#f6f1e4"}


def process_map(chart_id: str, title: str, desc: str, nodes: Sequence[Mapping[str, Any]],
                edges: Sequence[Mapping[str, Any]], *, width: int = 680) -> Markup:
    """Boxes for ``nodes`` (site, processes, role) and arrows for ``edges`` (source, target, goods, legs)."""
    n = max(len(nodes), 1)
    box_w = min(150.0, (width - 20 - (n - 1) * 120) / n) if n > 1 else 200.0
    gap = (width - 20 - n * box_w) / (n - 1) if n > 1 else 0.0
    n_arcs = sum(1 for e in edges if abs(e["target"] - e["source"]) != 1)
    top = 12 + 26 * n_arcs
    lines = [len(_wrap(str(nd["site"]), 24, 3)) + len(nd["processes"]) for nd in nodes]
    box_h = 22 + 15 * max(lines + [1])
    max_legs = max([len(e["legs"]) for e in edges] + [0])
    height = int(top + max(box_h, 40 + 13 * max_legs) + 16)
    xs = [10 + i * (box_w + gap) for i in range(n)]
    out = [_open(chart_id, title, desc, width, height),
           f'<defs><marker id="{chart_id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker></defs>']
    for x, nd in zip(xs, nodes):
        fill = BOX_FILL.get(str(nd.get("role")), "#f4f4f4")
        out.append(f'<rect x="{x:.1f}" y="{top}" width="{box_w:.1f}" height="{box_h}" rx="4" fill="{fill}" '
                   f'stroke="{INK}" stroke-width="0.8"/>')
        y = top + 16
        for line in _wrap(str(nd["site"]), 24, 3):
            out.append(f'<text x="{x + 8:.1f}" y="{y}" font-weight="bold" fill="{INK}" font-size="11">'
                       f'{escape(line)}</text>')
            y += 14
        for p in nd["processes"]:
            out.append(f'<text x="{x + 8:.1f}" y="{y + 2}" fill="{MUTED}" font-size="11">'
                       f'{escape(_wrap(str(p), 26, 1)[0])}</text>')
            y += 15
    arc = 0
    for e in edges:
        s, t = int(e["source"]), int(e["target"])
        if abs(t - s) == 1:
            xa = xs[s] + box_w if t > s else xs[s]
            xb = xs[t] if t > s else xs[t] + box_w
            ya = top + 22
            out.append(f'<line x1="{xa:.1f}" y1="{ya}" x2="{xb:.1f}" y2="{ya}" stroke="{INK}" stroke-width="1.2" '
                       f'marker-end="url(#{chart_id}-arrow)"/>')
            cx = (xa + xb) / 2
            out.append(f'<text x="{cx:.1f}" y="{ya - 6}" text-anchor="middle" fill="{INK}" font-size="10" '
                       f'font-style="italic">{escape(_wrap(str(e["goods"]), 22, 1)[0])}</text>')
            for k, leg in enumerate(e["legs"]):
                out.append(f'<text x="{cx:.1f}" y="{ya + 16 + 13 * k}" text-anchor="middle" fill="{MUTED}" '
                           f'font-size="10">{escape(leg)}</text>')
        else:  # not neighbours: an arc above the boxes, legs written along it
            arc += 1
            xa, xb = xs[s] + box_w / 2, xs[t] + box_w / 2
            ya = top
            peak = top - 22 * arc
            out.append(f'<path d="M{xa:.1f},{ya} C{xa:.1f},{peak} {xb:.1f},{peak} {xb:.1f},{ya}" fill="none" '
                       f'stroke="{INK}" stroke-width="1.2" marker-end="url(#{chart_id}-arrow)"/>')
            text = f'{e["goods"]}: ' + " · ".join(e["legs"])
            out.append(f'<text x="{(xa + xb) / 2:.1f}" y="{peak + 10}" text-anchor="middle" fill="{MUTED}" '
                       f'font-size="10">{escape(text)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
