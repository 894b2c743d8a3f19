"""Hand-written inline SVG charts: stacked bars, waterfall, contribution bars, intervals, histograms.

No JavaScript, no fonts or images to fetch, deterministic text. Every chart is an ``<svg
role="img">`` with ``<title>``/``<desc>`` referenced by ``aria-labelledby``; the report puts a
data table next to each. Stages keep one colour across charts, and the colours step in lightness
(transport also carries a hatch) so that a greyscale print still tells them apart.

>>> svg = stacked_bars("c1", "Totals", "Two bars", [("A", [("base_film", 1.0)]), ("B", [("coating", 0.5)])],
...                    "kg_CO2e/m^2")
>>> svg.startswith('<svg') and 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
True
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import Callable, Sequence

from markupsafe import Markup, escape

from lca.report import fmt

#: stage → (fill, hatched). Lightness steps: 22 %, 38 %, 52 %, 66 %, 86 % (greyscale-safe).
STAGE_STYLE: dict[str, tuple[str, bool]] = {
    "base_film": ("#1d3557", False),
    "raw_materials": ("#7a5a2b", False),
    "transport": ("#b4533c", True),
    "coating": ("#6f9fc4", False),
    "packaging": ("#e4d69c", False),
}
_EXTRA = ("#4d4d4d", "#8a8a8a", "#b8b8b8", "#333333")
INK, MUTED, RULE = "#222222", "#666666", "#c8c8c8"
UP, DOWN = "#9b2c2c", "#2f6f4f"
FONT = 'font-family="Georgia, \'Times New Roman\', serif"'


#: what an element id built here may contain: it goes into id="", aria-labelledby="" (a space-separated
#: list) and url(#…) references, so no spaces, quotes, brackets or markup characters
SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def element_id(prefix: str, text: str) -> str:
    """An element id for user text (a scenario id, a stage name): ``prefix-slug-hash``.

    The slug keeps the id readable, the hash of the exact text keeps ids of different texts apart
    (``A.b`` and ``a:b`` share a slug); nothing of the text reaches an attribute unfiltered.

    >>> element_id("fig-map", "jp-import")
    'fig-map-jp-import-375a65ef'
    >>> element_id("fig-map", '"><script>x</script>')
    'fig-map-script-x-script-9ae4b695'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}-{slug}-{digest}" if slug else f"{prefix}-{digest}"


def _safe(chart_id: str) -> str:
    """A chart id as given, once checked: raw text here would be markup injection, so refuse it."""
    if not SAFE_ID.match(chart_id):
        raise ValueError(f"unsafe element id {chart_id!r}: build it with element_id()")
    return chart_id


def _hatch_id(chart_id: str, stage: str) -> str:
    return f"{chart_id}-hatch-{stage}" if SAFE_ID.match(f"x{stage}") else element_id(f"{chart_id}-hatch", stage)


def stage_fill(stage: str, chart_id: str) -> str:
    """The fill of a stage in one chart (a pattern reference for hatched stages)."""
    colour, hatched = style_of(stage)
    return f"url(#{_hatch_id(chart_id, stage)})" if hatched else colour


def style_of(stage: str) -> tuple[str, bool]:
    """(colour, hatched) of a stage; unknown stages get greys, stable by name."""
    if stage in STAGE_STYLE:
        return STAGE_STYLE[stage]
    return _EXTRA[sum(map(ord, stage)) % len(_EXTRA)], False


def _defs(chart_id: str, stages: Sequence[str]) -> str:
    pats = []
    for s in stages:
        colour, hatched = style_of(s)
        if hatched:
            pats.append(f'<pattern id="{_hatch_id(chart_id, s)}" width="6" height="6" '
                        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
                        f'<rect width="6" height="6" fill="{colour}"/>'
                        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>')
    return f"<defs>{''.join(pats)}</defs>" if pats else ""


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> str:
    _safe(chart_id)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" class="chart" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" {FONT} font-size="12">'
            f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>')


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round axis ticks covering [lo, hi] (1-2-5 steps).

    >>> nice_ticks(0, 0.19)
    [0.0, 0.05, 0.1, 0.15, 0.2]
    """
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step + 1e-9) * step
    ticks, t = [], start
    while t < hi + step * 0.999:
        ticks.append(round(t, 12))
        t += step
    return ticks


def _wrap(text: str, width: int, lines: int = 2) -> list[str]:
    """Greedy word wrap to ``lines`` lines of about ``width`` characters (ellipsis if cut)."""
    words, out, cur = text.split(), [], ""
    for w in words:
        if len(cur) + len(w) + (1 if cur else 0) <= width:
            cur = f"{cur} {w}" if cur else w
        else:
            out.append(cur)
            cur = w
    out.append(cur)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(0, width - 1)].rstrip() + "…"
    return [o for o in out if o]


def _text_lines(x: float, y: float, lines: list[str], anchor: str = "end", size: int = 12,
                fill: str = INK) -> str:
    dy0 = -(len(lines) - 1) * 0.6
    spans = "".join(f'<tspan x="{x:.1f}" dy="{(dy0 if i == 0 else 1.2):.2f}em">{escape(s)}</tspan>'
                    for i, s in enumerate(lines))
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="middle" ' \
           f'font-size="{size}" fill="{fill}">{spans}</text>'


def _legend(chart_id: str, stages: Sequence[str], x: float, y: float, width: float) -> tuple[str, float]:
    parts, cx, cy = [], x, y
    for s in stages:
        label = fmt.stage(s)
        w = 18 + 6.6 * len(label) + 14
        if cx + w > x + width:
            cx, cy = x, cy + 18
        parts.append(f'<rect x="{cx:.1f}" y="{cy - 5:.1f}" width="12" height="12" fill="{stage_fill(s, chart_id)}" '
                     f'stroke="{INK}" stroke-width="0.4"/>'
                     f'<text x="{cx + 17:.1f}" y="{cy + 1:.1f}" dominant-baseline="middle" fill="{INK}">'
                     f'{escape(label)}</text>')
        cx += w
    return "".join(parts), cy + 18


def _bar_frame(chart_id: str, title: str, desc: str, stages: Sequence[str], ticks: Sequence[float], unit: str, *,
               width: int, x0: float, x1: float, y_axis: float, y_plot_end: float, legend_gap: float,
               unit_gap: float) -> tuple[Callable[[float], float], list[str], str]:
    """What every horizontal bar chart coloured by stage starts with: the x scale ``sx``, the opening
    (sized to end below the stage legend), the stage patterns and the x axis; and the legend, which
    goes last. Bars are drawn from ``x0`` to ``x1``; the plot ends at ``y_plot_end``."""
    sx = lambda v: x0 + (v - ticks[0]) / (ticks[-1] - ticks[0]) * (x1 - x0)  # noqa: E731
    legend, legend_end = _legend(chart_id, stages, x0, y_plot_end + legend_gap, x1 - x0)
    height = int(legend_end + 6)
    out = [_open(chart_id, title, desc, width, height), _defs(chart_id, stages)]
    out += _x_axis(ticks, sx, y_axis, y_plot_end, (x0 + x1) / 2, y_plot_end + unit_gap, unit)
    return sx, out, legend


def stacked_bars(chart_id: str, title: str, desc: str, bars: Sequence[tuple[str, Sequence[tuple[str, float]]]],
                 unit: str, *, width: int = 680) -> Markup:
    """Horizontal bars, one per scenario, stacked by stage; the total is printed at the bar end."""
    stages: list[str] = []
    for _, parts in bars:
        stages += [s for s, _ in parts if s not in stages]
    label_w, right, top, bar_h, gap = 230, 70, 16, 24, 14
    totals = [sum(v for _, v in parts) for _, parts in bars]
    lo = min([0.0] + [sum(v for _, v in parts if v < 0) for _, parts in bars])
    ticks = nice_ticks(lo, max(totals + [0.0]))
    x0 = label_w
    plot_h = len(bars) * (bar_h + gap)
    sx, out, legend = _bar_frame(chart_id, title, desc, stages, ticks, unit, width=width, x0=x0, x1=width - right,
                                 y_axis=top - 4, y_plot_end=top + plot_h, legend_gap=42, unit_gap=30)
    for i, ((label, parts), total) in enumerate(zip(bars, totals)):
        y = top + i * (bar_h + gap)
        out.append(_text_lines(x0 - 8, y + bar_h / 2, _wrap(label, 34)))
        pos = neg = 0.0
        for s, v in parts:
            if v >= 0:
                a, b = pos, pos + v
                pos = b
            else:
                a, b = neg + v, neg
                neg = a
            out.append(f'<rect x="{sx(a):.2f}" y="{y}" width="{max(sx(b) - sx(a), 0):.2f}" height="{bar_h}" '
                       f'fill="{stage_fill(s, chart_id)}" stroke="#ffffff" stroke-width="0.5">'
                       f'<title>{escape(label)} — {escape(fmt.stage(s))}: {escape(fmt.qty(v, unit))}</title></rect>')
        out.append(f'<text x="{sx(pos) + 5:.1f}" y="{y + bar_h / 2:.1f}" dominant-baseline="middle" '
                   f'fill="{INK}">{escape(fmt.num(total))}</text>')
    out.append(f'<line x1="{sx(0):.1f}" y1="{top - 4}" x2="{sx(0):.1f}" y2="{top + plot_h}" stroke="{INK}" '
               f'stroke-width="0.8"/>')
    out.append(legend)
    out.append("</svg>")
    return Markup("".join(out))


def waterfall(chart_id: str, title: str, desc: str, start: tuple[str, float], steps: Sequence[tuple[str, float]],
              end: tuple[str, float], unit: str, *, width: int = 680, height: int = 320) -> Markup:
    """Baseline total, one floating bar per stage difference, alternative total (vertical bars)."""
    cols = [start[0]] + [fmt.stage(s) for s, _ in steps] + [end[0]]
    levels, run = [], start[1]
    for _, d in steps:
        levels.append((run, run + d))
        run += d
    lo = min([0.0, start[1], end[1]] + [min(a, b) for a, b in levels])
    hi = max([start[1], end[1]] + [max(a, b) for a, b in levels])
    ticks = nice_ticks(lo, hi)
    left, right, top, bottom = 64, 16, 14, 62
    y0, y1 = height - bottom, top
    sy = lambda v: y0 - (v - ticks[0]) / (ticks[-1] - ticks[0]) * (y0 - y1)  # noqa: E731
    slot = (width - left - right) / len(cols)
    bw = slot * 0.58
    stages = [s for s, _ in steps]
    out = [_open(chart_id, title, desc, width, height), _defs(chart_id, stages)]
    for t in ticks:
        out.append(f'<line x1="{left}" y1="{sy(t):.1f}" x2="{width - right}" y2="{sy(t):.1f}" stroke="{RULE}" '
                   f'stroke-width="0.6"/><text x="{left - 6}" y="{sy(t):.1f}" text-anchor="end" '
                   f'dominant-baseline="middle" fill="{MUTED}" font-size="11">{escape(fmt.tick(t, ticks[1] - ticks[0]))}</text>')
    out.append(f'<text x="12" y="{(y0 + y1) / 2:.1f}" transform="rotate(-90 12 {(y0 + y1) / 2:.1f})" '
               f'text-anchor="middle" fill="{MUTED}" font-size="11">{escape(fmt.unit(unit))}</text>')

    def bar(i: int, a: float, b: float, fill: str, label: str, value_text: str, outline: str = "none") -> None:
        x = left + i * slot + (slot - bw) / 2
        top_v, bot_v = max(a, b), min(a, b)
        h = max(sy(bot_v) - sy(top_v), 1.0)
        out.append(f'<rect x="{x:.1f}" y="{sy(top_v):.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{fill}" '
                   f'stroke="{outline}" stroke-width="1.2"><title>{escape(label)}: {escape(value_text)}</title></rect>')
        out.append(f'<text x="{x + bw / 2:.1f}" y="{sy(top_v) - 5:.1f}" text-anchor="middle" fill="{INK}" '
                   f'font-size="11">{escape(value_text)}</text>')
        out.append(_text_lines(x + bw / 2, y0 + 22, _wrap(label, 14), anchor="middle", size=11))

    bar(0, 0.0, start[1], "#9a9a9a", start[0], fmt.num(start[1]))
    for i, ((s, d), (a, b)) in enumerate(zip(steps, levels), 1):
        fill = stage_fill(s, chart_id)
        outline = UP if d > 0 else DOWN if d < 0 else "none"
        bar(i, a, b, fill, fmt.stage(s), fmt.num(d, signed=True), outline)
        prev_right, this_left = left + (i - 1) * slot + (slot + bw) / 2, left + i * slot + (slot - bw) / 2
        out.append(f'<line x1="{prev_right:.1f}" y1="{sy(a):.1f}" x2="{this_left:.1f}" y2="{sy(a):.1f}" '
                   f'stroke="{MUTED}" stroke-dasharray="2 2" stroke-width="0.8"/>')
    bar(len(cols) - 1, 0.0, end[1], "#5a5a5a", end[0], fmt.num(end[1]))
    out.append(f'<line x1="{left}" y1="{sy(0):.1f}" x2="{width - right}" y2="{sy(0):.1f}" stroke="{INK}" '
               f'stroke-width="0.8"/></svg>')
    return Markup("".join(out))


def _x_axis(ticks: Sequence[float], sx, y_top: float, y_bottom: float, x_mid: float, y_unit: float,
            unit: str) -> list[str]:
    """Vertical gridlines with tick labels under a plot whose x axis is a quantity, and the unit below them."""
    step = ticks[1] - ticks[0]
    out = [f'<line x1="{sx(t):.1f}" y1="{y_top}" x2="{sx(t):.1f}" y2="{y_bottom}" stroke="{RULE}" '
           f'stroke-width="0.6"/><text x="{sx(t):.1f}" y="{y_bottom + 14}" text-anchor="middle" '
           f'fill="{MUTED}" font-size="11">{escape(fmt.tick(t, step))}</text>' for t in ticks]
    out.append(f'<text x="{x_mid:.1f}" y="{y_unit}" text-anchor="middle" fill="{MUTED}" '
               f'font-size="11">{escape(fmt.unit(unit))}</text>')
    return out


def contribution_bars(chart_id: str, title: str, desc: str, items: Sequence[tuple[str, float, str, float]],
                      unit: str, *, width: int = 680) -> Markup:
    """Horizontal bars of the largest contributors: (label, value, stage, share), coloured by stage."""
    label_w, right, top, bar_h, gap = 250, 90, 8, 16, 8
    stages = list(dict.fromkeys(s for _, _, s, _ in items))
    ticks = nice_ticks(min([0.0] + [v for _, v, _, _ in items]), max([0.0] + [v for _, v, _, _ in items]))
    x0 = label_w
    plot_h = len(items) * (bar_h + gap)
    sx, out, legend = _bar_frame(chart_id, title, desc, stages, ticks, unit, width=width, x0=x0, x1=width - right,
                                 y_axis=top, y_plot_end=top + plot_h, legend_gap=40, unit_gap=29)
    for i, (label, v, s, share) in enumerate(items):
        y = top + i * (bar_h + gap)
        a, b = sorted((0.0, v))
        out.append(_text_lines(x0 - 8, y + bar_h / 2, _wrap(label, 40, 1), size=11))
        out.append(f'<rect x="{sx(a):.2f}" y="{y}" width="{max(sx(b) - sx(a), 0.5):.2f}" height="{bar_h}" '
                   f'fill="{stage_fill(s, chart_id)}"><title>{escape(label)}: {escape(fmt.qty(v, unit))} '
                   f'({escape(fmt.pct(share))})</title></rect>')
        out.append(f'<text x="{sx(b) + 5:.1f}" y="{y + bar_h / 2:.1f}" dominant-baseline="middle" fill="{INK}" '
                   f'font-size="11">{escape(fmt.pct(share))}</text>')
    out.append(legend)
    out.append("</svg>")
    return Markup("".join(out))


def intervals(chart_id: str, title: str, desc: str, rows: Sequence[tuple[str, float, float, float]], unit: str,
              *, width: int = 680) -> Markup:
    """Median with 95 % interval per row: (label, p2_5, median, p97_5)."""
    label_w, right, top, row_h = 230, 30, 10, 34
    lo = min(r[1] for r in rows)
    hi = max(r[3] for r in rows)
    ticks = nice_ticks(min(0.0, lo), hi)
    x0, x1 = label_w, width - right
    sx = lambda v: x0 + (v - ticks[0]) / (ticks[-1] - ticks[0]) * (x1 - x0)  # noqa: E731
    plot_h = len(rows) * row_h
    height = top + plot_h + 40
    out = [_open(chart_id, title, desc, width, height)]
    out += _x_axis(ticks, sx, top, top + plot_h, (x0 + x1) / 2, top + plot_h + 30, unit)
    for i, (label, p_lo, med, p_hi) in enumerate(rows):
        y = top + i * row_h + row_h / 2
        out.append(_text_lines(x0 - 8, y, _wrap(label, 36), size=11))
        out.append(f'<line x1="{sx(p_lo):.1f}" y1="{y:.1f}" x2="{sx(p_hi):.1f}" y2="{y:.1f}" stroke="{INK}" '
                   f'stroke-width="2"/><circle cx="{sx(med):.1f}" cy="{y:.1f}" r="4" fill="#1d3557">'
                   f'<title>{escape(label)}: median {escape(fmt.num(med))}, 95 % interval '
                   f'{escape(fmt.num(p_lo))} to {escape(fmt.num(p_hi))}</title></circle>')
    out.append("</svg>")
    return Markup("".join(out))


def histogram(chart_id: str, title: str, desc: str, series: Sequence[tuple[str, Sequence[int]]],
              edges: Sequence[float], unit: str, *, width: int = 680, height: int = 240) -> Markup:
    """Outlined histograms of Monte Carlo totals on shared bins (first series solid, second dashed)."""
    left, right, top, bottom = 20, 16, 30, 40
    x0, x1, y0 = left, width - right, height - bottom
    ticks = nice_ticks(edges[0], edges[-1])
    lo, hi = min(ticks[0], edges[0]), max(ticks[-1], edges[-1])
    sx = lambda v: x0 + (v - lo) / (hi - lo) * (x1 - x0)  # noqa: E731
    peak = max([max(c) for _, c in series if len(c)] + [1])
    sy = lambda c: y0 - c / peak * (y0 - top)  # noqa: E731
    out = [_open(chart_id, title, desc, width, height)]
    out += _x_axis(ticks, sx, top, y0, (x0 + x1) / 2, y0 + 30, unit)
    styles = [("#1d3557", ""), ("#b4533c", ' stroke-dasharray="5 3"'), ("#7a5a2b", ' stroke-dasharray="1 2"')]
    for k, (label, counts) in enumerate(series):
        colour, dash = styles[k % len(styles)]
        pts = [f"{sx(edges[0]):.1f},{y0}"]
        for i, c in enumerate(counts):
            pts += [f"{sx(edges[i]):.1f},{sy(c):.1f}", f"{sx(edges[i + 1]):.1f},{sy(c):.1f}"]
        pts.append(f"{sx(edges[-1]):.1f},{y0}")
        out.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{colour}" stroke-width="1.6"{dash}/>')
        out.append(f'<line x1="{x0 + 4 + k * 300}" y1="14" x2="{x0 + 28 + k * 300}" y2="14" stroke="{colour}" '
                   f'stroke-width="1.6"{dash}/><text x="{x0 + 34 + k * 300}" y="14" dominant-baseline="middle" '
                   f'fill="{INK}" font-size="11">{escape(_wrap(label, 40, 1)[0])}</text>')
    out.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="{INK}" stroke-width="0.8"/></svg>')
    return Markup("".join(out))
