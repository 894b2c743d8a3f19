"""Hand-written inline SVG charts: stacked bars, contribution bars, intervals (difference charts:
:mod:`lca.report.charts_diff`; process maps: :mod:`lca.report.charts_map`).

No JavaScript, no fonts or images to fetch, deterministic text. Every chart is an ``<svg
role="img">`` with ``<title>``/``<desc>`` referenced by ``aria-labelledby``; the report puts a
data table next to each.

Phones: a chart is drawn :data:`WIDTH` units wide with :data:`FS`-unit text and never shown wider
than that (``max-width``), so text is :data:`FS` px on a desktop and stays ≥ 11 px when a 390 px
phone shrinks the chart to its :data:`PHONE_WIDTH` px column. Labels sit above their bars across
the full width and wrap onto as many lines as they need: they are never cut.

Colour: stages keep one colour across charts (by their place in the study's order). Every fill is
at least 3:1 against white (WCAG 1.4.11); neighbouring stages differ by pattern as well as colour
and are separated by a white stroke, so a greyscale print still tells them apart.

>>> look = StageLook({"mixing": "Mixing", "calcination": "Calcination"}, ("mixing", "calcination"))
>>> svg = stacked_bars("c1", "Totals", "Two bars", [("A", [("mixing", 1.0)]), ("B", [("calcination", 0.5)])],
...                    "kg_CO2e/kg", look=look)
>>> svg.startswith('<svg') and 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
True
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from markupsafe import Markup, escape

from lca.report import fmt

#: stage fills by the stage's place in the study's order, each ≥ 3:1 against white (4.5-12:1), with
#: the pattern drawn over it in white; neighbours in the order never share a pattern.
PALETTE = ("#7a5a2b", "#1d3557", "#3f7cac", "#8a6d00", "#b4533c")
PATTERNS = ("diagonal", None, "dots", "horizontal", "antidiagonal")
#: stages beyond the palette: greys (≥ 3:1 against white), patterns continuing the cycle
_EXTRA = ("#4d4d4d", "#767676", "#333333", "#5e5e5e")
INK, MUTED, RULE = "#222222", "#666666", "#c8c8c8"
UP, DOWN = "#9b2c2c", "#2f6f4f"
FONT = 'font-family="Georgia, \'DejaVu Serif\', \'Times New Roman\', serif"'

#: drawing width of a chart (viewBox units = px on a desktop) and its base font size
WIDTH, FS = 480, 16
#: the report column on a 390 px phone (390 px less the page's 2 × 24 px padding): the narrowest a
#: chart is drawn, where FS × PHONE_WIDTH / WIDTH must stay ≥ 11 px
PHONE_WIDTH = 342
#: line height and the average character width (DejaVu Serif, the fallback that is widest) in units
LH, CHAR = 1.25 * FS, 0.6 * FS
#: separation of touching segments: a white stroke that stays ≥ 1 px on a phone
SEGMENT_EDGE = f'stroke="#ffffff" stroke-width="{math.ceil(10 * WIDTH / PHONE_WIDTH) / 10:g}"'


@dataclass(frozen=True)
class StageLook:
    """How the study's stages are shown: labels and reporting order (from ``Footprint.stages``).

    A stage keeps one colour across charts: the palette colour of its place in the order; a stage
    the order does not know gets a grey, stable by name.
    """

    labels: Mapping[str, str] = field(default_factory=dict)
    order: Sequence[str] = ()

    def label(self, stage: str) -> str:
        """Display name of a stage (``total`` for comparison rows; unknown ids humanised)."""
        return "Total" if stage == "total" else self.labels.get(stage) or fmt.stage(stage)

    def style(self, stage: str) -> tuple[str, str | None]:
        """(colour, pattern or None) of a stage."""
        order = list(self.order)
        colours = PALETTE + _EXTRA
        i = order.index(stage) if stage in order else len(PALETTE) + sum(map(ord, stage)) % len(_EXTRA)
        return colours[i % len(colours)], PATTERNS[i % len(PATTERNS)]


PLAIN = StageLook()


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


def _pattern_id(chart_id: str, stage: str) -> str:
    return f"{chart_id}-pat-{stage}" if SAFE_ID.match(f"x{stage}") else element_id(f"{chart_id}-pat", stage)


def stage_fill(stage: str, chart_id: str, look: StageLook = PLAIN) -> str:
    """The fill of a stage in one chart (a pattern reference for patterned stages)."""
    colour, pattern = look.style(stage)
    return f"url(#{_pattern_id(chart_id, stage)})" if pattern else colour


#: white marks drawn over a stage colour, in a 6-unit tile
_MARKS = {"diagonal": '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#ffffff" stroke-width="1.5"/>',
          "antidiagonal": '<path d="M-1,5 l2,2 M0,0 l6,6 M5,-1 l2,2" stroke="#ffffff" stroke-width="1.5"/>',
          "dots": '<circle cx="3" cy="3" r="1.3" fill="#ffffff"/>',
          "horizontal": '<path d="M0,3 h6" stroke="#ffffff" stroke-width="1.5"/>'}


def pattern(pid: str, colour: str, kind: str) -> str:
    """A ``<pattern>``: ``colour`` with white ``kind`` marks (see :data:`_MARKS`)."""
    return (f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{colour}"/>{_MARKS[kind]}</pattern>')


def _defs(chart_id: str, stages: Sequence[str], look: StageLook) -> str:
    pats = []
    for s in stages:
        colour, kind = look.style(s)
        if kind:
            pats.append(pattern(_pattern_id(chart_id, s), colour, kind))
    return f"<defs>{''.join(pats)}</defs>" if pats else ""


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> str:
    _safe(chart_id)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" class="chart" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" style="max-width:{width}px" {FONT} font-size="{FS}">'
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


def _wrap(text: str, width: int, lines: int | None = None) -> list[str]:
    """Greedy word wrap to lines of about ``width`` characters; never cuts (``lines`` is ignored:
    a label takes the lines it needs). Breaks only at ordinary spaces: "12.0\u202f%" stays whole.

    >>> _wrap("Precursor production: ammonia to air (Gwangyang, Jeollanam-do)", 30)
    ['Precursor production: ammonia', 'to air (Gwangyang,', 'Jeollanam-do)']
    """
    out, cur = [], ""
    for w in filter(None, re.split(r"[ \t\n]+", text)):  # not str.split(): no break at a no-break space
        if cur and len(cur) + 1 + len(w) > width:
            out.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    out.append(cur)
    return [o for o in out if o]


def chars(width: float, size: float = FS) -> int:
    """How many characters of text at ``size`` fit in ``width`` units."""
    return max(8, int(width / (0.6 * size)))


def _text_lines(x: float, y: float, lines: list[str], anchor: str = "end", size: float = FS,
                fill: str = INK) -> str:
    """Lines of text centred vertically on ``y``."""
    dy0 = -(len(lines) - 1) * 0.6
    spans = "".join(f'<tspan x="{x:.1f}" dy="{(dy0 if i == 0 else 1.2):.2f}em">{escape(s)}</tspan>'
                    for i, s in enumerate(lines))
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="middle" ' \
           f'font-size="{size}" fill="{fill}">{spans}</text>'


def label_block(x: float, y_top: float, lines: Sequence[str], *, anchor: str = "start", bold: bool = False,
                fill: str = INK) -> tuple[str, float]:
    """Lines of text hanging from ``y_top`` (haloed in white, readable over gridlines); (markup, height)."""
    if not lines:
        return "", 0.0
    weight = ' font-weight="bold"' if bold else ""
    spans = "".join(f'<tspan x="{x:.1f}" y="{y_top + (i + 0.78) * LH:.1f}">{escape(s)}</tspan>'
                    for i, s in enumerate(lines))
    return (f'<text text-anchor="{anchor}" fill="{fill}"{weight} style="paint-order:stroke" stroke="#ffffff" '
            f'stroke-width="3" stroke-linejoin="round">{spans}</text>', len(lines) * LH)


def _legend(chart_id: str, stages: Sequence[str], x: float, y: float, width: float,
            look: StageLook) -> tuple[str, float]:
    """Swatch + name per stage, flowing onto new lines; (markup, y below the legend)."""
    parts, cx, cy = [], x, y
    for s in stages:
        label = look.label(s)
        w = 22 + CHAR * len(label) + 16
        if cx > x and cx + w > x + width:
            cx, cy = x, cy + LH + 4
        parts.append(f'<rect x="{cx:.1f}" y="{cy:.1f}" width="16" height="16" '
                     f'fill="{stage_fill(s, chart_id, look)}" stroke="{INK}" stroke-width="0.6"/>'
                     f'<text x="{cx + 22:.1f}" y="{cy + 13:.1f}" fill="{INK}">{escape(label)}</text>')
        cx += w
    return "".join(parts), cy + LH + 4


def x_axis(ticks: Sequence[float], sx: Callable[[float], float], y_top: float, y_bottom: float,
           title: str) -> tuple[list[str], float]:
    """Vertical gridlines, tick labels under the plot and the axis title below them; (parts, y below)."""
    step = ticks[1] - ticks[0]
    texts = [fmt.tick(t, step) for t in ticks]
    # label every k-th tick when neighbouring labels would touch (gridlines stay on every tick)
    room = abs(sx(ticks[1]) - sx(ticks[0]))
    k = next((k for k in range(1, len(ticks)) if k * room >= CHAR * max(map(len, texts)) + 10),
             max(len(ticks) - 1, 1))  # labels too long for any spacing (1e306): the two ends only
    out = [f'<line x1="{sx(t):.1f}" y1="{y_top:.1f}" x2="{sx(t):.1f}" y2="{y_bottom:.1f}" stroke="{RULE}" '
           f'stroke-width="1"/>' + (f'<text x="{sx(t):.1f}" y="{y_bottom + FS + 2:.1f}" text-anchor="middle" '
                                    f'fill="{MUTED}">{escape(text)}</text>' if i % k == 0 else "")
           for i, (t, text) in enumerate(zip(ticks, texts))]
    mid = (sx(ticks[0]) + sx(ticks[-1])) / 2
    block, h = label_block(mid, y_bottom + FS + 6, _wrap(title, chars(sx(ticks[-1]) - sx(ticks[0]))),
                           anchor="middle", fill=MUTED)
    out.append(block)
    return out, y_bottom + FS + 6 + h


def _scale(ticks: Sequence[float], x0: float, x1: float) -> Callable[[float], float]:
    return lambda v: x0 + (v - ticks[0]) / (ticks[-1] - ticks[0]) * (x1 - x0)


def _rows(labels: Sequence[Sequence[str]], top: float, bar_h: float, gap: float) -> tuple[list[float], float]:
    """y of each bar when each row is its label lines then a bar; and the y where the rows end."""
    ys, y = [], top
    for lines in labels:
        y += len(lines) * LH + 2
        ys.append(y)
        y += bar_h + gap
    return ys, y - gap


def stacked_bars(chart_id: str, title: str, desc: str, bars: Sequence[tuple[str, Sequence[tuple[str, float]]]],
                 unit: str, *, width: int = WIDTH, look: StageLook = PLAIN) -> Markup:
    """Horizontal bars, one per scenario, stacked by stage (label above each bar); the total is
    printed at the bar end."""
    stages: list[str] = []
    for _, parts in bars:
        stages += [s for s, _ in parts if s not in stages]
    x0, x1, bar_h = 8.0, width - 8 - 6 * CHAR, 24
    totals = [sum(v for _, v in parts) for _, parts in bars]
    ticks = nice_ticks(min([0.0] + [sum(v for _, v in p if v < 0) for _, p in bars]), max(totals + [0.0]))
    sx = _scale(ticks, x0, x1)
    labels = [_wrap(label, chars(width - 16)) for label, _ in bars]
    ys, end = _rows(labels, 4, bar_h, 10)
    axis, below = x_axis(ticks, sx, 4, end + 4, fmt.unit(unit))
    legend, height = _legend(chart_id, stages, x0, below + 10, width - 16, look)
    out = [_open(chart_id, title, desc, width, int(height + 4)), _defs(chart_id, stages, look)] + axis
    for (label, parts), lines, y, total in zip(bars, labels, ys, totals):
        out.append(label_block(x0, y - len(lines) * LH - 2, lines)[0])
        pos = neg = 0.0
        for s, v in parts:
            if v >= 0:
                a, b = pos, pos + v
                pos = b
            else:
                a, b = neg + v, neg
                neg = a
            out.append(f'<rect x="{sx(a):.2f}" y="{y}" width="{max(sx(b) - sx(a), 0):.2f}" height="{bar_h}" '
                       f'fill="{stage_fill(s, chart_id, look)}" {SEGMENT_EDGE}>'
                       f'<title>{escape(label)} — {escape(look.label(s))}: {escape(fmt.qty(v, unit))}</title></rect>')
        out.append(f'<text x="{sx(pos) + 5:.1f}" y="{y + bar_h / 2 + 6:.1f}" fill="{INK}">'
                   f'{escape(fmt.num(total))}</text>')
    out.append(f'<line x1="{sx(0):.1f}" y1="4" x2="{sx(0):.1f}" y2="{end + 4:.1f}" stroke="{INK}" stroke-width="1"/>')
    out += [legend, "</svg>"]
    return Markup("".join(out))


def contribution_bars(chart_id: str, title: str, desc: str, items: Sequence[tuple[str, float, str, float]],
                      unit: str, *, width: int = WIDTH, look: StageLook = PLAIN) -> Markup:
    """Horizontal bars of the largest contributors: (label, value, stage, share), coloured by stage,
    the label above each bar and the share at its end."""
    stages = list(dict.fromkeys(s for _, _, s, _ in items))
    x0, x1, bar_h = 8.0, width - 8 - 7 * CHAR, 18
    ticks = nice_ticks(min([0.0] + [v for _, v, _, _ in items]), max([0.0] + [v for _, v, _, _ in items]))
    sx = _scale(ticks, x0, x1)
    labels = [_wrap(label, chars(width - 16)) for label, _, _, _ in items]
    ys, end = _rows(labels, 4, bar_h, 8)
    axis, below = x_axis(ticks, sx, 4, end + 4, fmt.unit(unit))
    legend, height = _legend(chart_id, stages, x0, below + 10, width - 16, look)
    out = [_open(chart_id, title, desc, width, int(height + 4)), _defs(chart_id, stages, look)] + axis
    for (label, v, s, share), lines, y in zip(items, labels, ys):
        a, b = sorted((0.0, v))
        out.append(label_block(x0, y - len(lines) * LH - 2, lines)[0])
        out.append(f'<rect x="{sx(a):.2f}" y="{y}" width="{max(sx(b) - sx(a), 0.5):.2f}" height="{bar_h}" '
                   f'fill="{stage_fill(s, chart_id, look)}"><title>{escape(label)}: {escape(fmt.qty(v, unit))} '
                   f'({escape(fmt.pct(share))})</title></rect>')
        out.append(f'<text x="{sx(b) + 5:.1f}" y="{y + bar_h / 2 + 6:.1f}" fill="{INK}">'
                   f'{escape(fmt.pct(share))}</text>')
    out += [legend, "</svg>"]
    return Markup("".join(out))


def intervals(chart_id: str, title: str, desc: str, rows: Sequence[tuple[str, float, float, float]], unit: str,
              *, width: int = WIDTH) -> Markup:
    """Median with 95 % interval per row: (label, p2_5, median, p97_5), the label above each line."""
    ticks = nice_ticks(min(0.0, min(r[1] for r in rows)), max(r[3] for r in rows))
    sx = _scale(ticks, 12.0, width - 24.0)  # room for the last tick label
    labels = [_wrap(r[0], chars(width - 16)) for r in rows]
    ys, end = _rows(labels, 4, 14, 10)
    axis, height = x_axis(ticks, sx, 4, end + 4, fmt.unit(unit))
    out = [_open(chart_id, title, desc, width, int(height + 4))] + axis
    for (label, p_lo, med, p_hi), lines, y in zip(rows, labels, ys):
        out.append(label_block(8, y - len(lines) * LH - 2, lines)[0])
        out.append(f'<line x1="{sx(p_lo):.1f}" y1="{y + 7:.1f}" x2="{sx(p_hi):.1f}" y2="{y + 7:.1f}" stroke="{INK}" '
                   f'stroke-width="2.5"/><circle cx="{sx(med):.1f}" cy="{y + 7:.1f}" r="6" fill="#1d3557" '
                   f'stroke="#ffffff" stroke-width="1.5"><title>{escape(label)}: median {escape(fmt.num(med))}, '
                   f'95 % interval {escape(fmt.num(p_lo))} to {escape(fmt.num(p_hi))}</title></circle>')
    out.append("</svg>")
    return Markup("".join(out))
