"""The charts of the headline decision, (a) → (b): the difference by stage, and the Monte Carlo
distribution of the difference.

Both are drawn on an axis scaled to the differences (not from zero up to the totals, where changes
of a few per cent are hairlines), with zero marked and the side of zero where (b) is lower named.
:func:`difference_data` holds the numbers behind the first (and is what the golden test pins).

>>> data = {"a_label": "(a)", "b_label": "(b)", "unit": "kg_CO2e/m^2", "stages": [
...     {"label": "Mixing", "difference": -0.002, "pct": -10.0, "change": "decrease"},
...     {"label": "Packing", "difference": 0.0, "pct": 0.0, "change": "no change"}],
...     "total": {"difference": -0.002, "pct": -1.0}, "interval": None,
...     "interval_note": "no interval: uncertainty not run"}
>>> svg = difference_chart("d1", "t", "d", data)
>>> "no change" in svg and "no interval: uncertainty not run" in svg and "…" not in svg
True
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from markupsafe import Markup, escape

from lca.report import fmt
from lca.report.charts import (CHAR, DOWN, FS, INK, LH, MUTED, RULE, SEGMENT_EDGE, UP, WIDTH, _open, _scale, _wrap,
                               chars, label_block, nice_ticks, pattern, x_axis)

#: a stage whose difference is within this share of the baseline total is "no change" (float noise)
SAME = 1e-12
NO_INTERVAL = "no interval: uncertainty not run"
#: increases carry a hatch, so the direction reads without colour (it also reads from the side of zero)
_FILL = {"decrease": DOWN, "increase": "url(#{id}-up)"}
BAND = "#e3e3e3"


def difference_data(fp: Any, pair: tuple[str, str], labels: Mapping[str, str], look: Any,
                    unc: Any = None) -> dict[str, Any]:
    """The numbers of the difference chart: per stage (in the study's order) (a), (b), (b) − (a),
    % of (a) and whether it changed; the total difference; its 95 % interval from the Monte Carlo
    result ``unc`` when one was run for the same unit, else ``None`` and the reason in ``interval_note``."""
    import polars as pl

    a, b = pair
    cmp = fp.compare(a, b)
    unit = cmp.get_column("unit")[0]
    tot = cmp.filter(pl.col("stage") == "total").row(0, named=True)
    order = {s: i for i, s in enumerate(look.order)}
    rows = sorted(cmp.filter(pl.col("stage") != "total").iter_rows(named=True),
                  key=lambda r: (order.get(r["stage"], len(order)), r["stage"]))
    tol = SAME * max(abs(tot["a"]), abs(tot["b"]), 1e-30)
    stages = [{"stage": r["stage"], "label": look.label(r["stage"]), "a": r["a"], "b": r["b"],
               "difference": r["difference"], "pct": r["pct"],
               "change": ("no change" if abs(r["difference"]) <= tol else
                          "decrease" if r["difference"] < 0 else "increase")} for r in rows]
    out = {"a": a, "b": b, "a_label": labels[a], "b_label": labels[b], "unit": unit, "stages": stages,
           "total": {"a": tot["a"], "b": tot["b"], "difference": tot["difference"], "pct": tot["pct"]},
           "interval": None, "interval_note": NO_INTERVAL}
    diff = getattr(unc, "differences", None) if unc is not None else None
    if diff is not None and getattr(diff, "height", 0):
        row = diff.filter((pl.col("scenario_a") == a) & (pl.col("scenario_b") == b))
        if row.height == 0:
            out["interval_note"] = "no interval: the Monte Carlo run did not compare these scenarios"
        elif row.get_column("unit")[0] != unit:
            out["interval_note"] = f"no interval: the Monte Carlo run is per {fmt.unit(row.get_column('unit')[0])}"
        else:
            r = row.row(0, named=True)
            out["interval"] = {"p2_5": r["p2_5"], "median": r["median"], "p97_5": r["p97_5"], "mean": r["mean"],
                               "prob_b_lower": r["prob_b_lower"], "iterations": getattr(unc, "iterations", None),
                               "seed": getattr(unc, "seed", None)}
            out["interval_note"] = ""
    return out


def _short(label: str) -> str:
    """"(b)" from "(b) [prospective] Made in Ohio" (the tag a scenario label starts with)."""
    return label[: label.index(")") + 1] if label.startswith("(") and ")" in label[:5] else label


def _signed(d: float, pct: float | None) -> str:
    return fmt.num(d, signed=True) + ("" if pct is None else f" ({fmt.pct(pct / 100, signed=True)})")


def interval_text(iv: Mapping[str, Any] | None, note: str) -> str:
    """"95 % interval −0.00555 to +0.00173 (Monte Carlo, 2000 draws)" or the reason there is none."""
    if iv is None:
        return note
    n = f", {fmt.exact(iv['iterations'])} draws" if iv.get("iterations") else ""
    return (f"95 % interval {fmt.num(iv['p2_5'], signed=True)} to {fmt.num(iv['p97_5'], signed=True)} "
            f"(Monte Carlo{n})")


def difference_chart(chart_id: str, title: str, desc: str, data: Mapping[str, Any], *,
                     width: int = WIDTH) -> Markup:
    """Per stage a signed bar from zero on an axis scaled to the differences, labelled with its value;
    unchanged stages say "no change"; then the total difference with its 95 % interval (a whisker
    over the bar and in words) or the statement that there is none."""
    a, b = _short(data["a_label"]), _short(data["b_label"])
    iv, tot = data["interval"], data["total"]
    values = [s["difference"] for s in data["stages"]] + [tot["difference"], 0.0]
    if iv:
        values += [iv["p2_5"], iv["p97_5"]]
    lo, hi = min(values), max(values)
    pad = 0.04 * (hi - lo or 1.0)
    ticks = nice_ticks(lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0))
    x0, x1, bar_h, width_chars = 36.0, width - 36.0, 20, chars(width - 20)
    sx = _scale(ticks, x0, x1)
    rows = [(s["label"], s, False) for s in data["stages"]] + [("Total difference", {**tot, "change": (
        "no change" if tot["difference"] == 0 else "decrease" if tot["difference"] < 0 else "increase")}, True)]
    out: list[str] = []
    y = 6.0
    for label, s, total in rows:
        if total:
            out.append(f'<line x1="0" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="{INK}" stroke-width="1"/>')
            y += 6
        text = f"{label}: " + ("no change" if s["change"] == "no change" else _signed(s["difference"], s["pct"]))
        block, h = label_block(10, y, _wrap(text, width_chars), bold=total)
        out.append(block)
        y += h + 2
        if s["change"] == "no change":  # said in its label; no bar line, no sliver
            y += 6
            continue
        left, right = sorted((sx(0), sx(s["difference"])))
        out.append(f'<rect x="{left:.2f}" y="{y:.1f}" width="{max(right - left, 2):.2f}" height="{bar_h}" '
                   f'fill="{_FILL[s["change"]].format(id=chart_id)}" {SEGMENT_EDGE}><title>{escape(text)}'
                   f'</title></rect>')
        if total and iv:
            ym = y + bar_h / 2
            out.append(f'<path d="M{sx(iv["p2_5"]):.1f},{ym - 9:.1f} v18 M{sx(iv["p2_5"]):.1f},{ym:.1f} '
                       f'H{sx(iv["p97_5"]):.1f} M{sx(iv["p97_5"]):.1f},{ym - 9:.1f} v18" stroke="{INK}" '
                       f'stroke-width="2" fill="none"><title>{escape(interval_text(iv, ""))}</title></path>')
        y += bar_h + 8
        if total:
            block, h = label_block(10, y - 4, _wrap(interval_text(iv, data["interval_note"]), width_chars),
                                   fill=INK if iv else MUTED)
            out.append(block)
            y += h
    end = y
    axis, below = x_axis(ticks, sx, 6, end, f"{b} − {a}, {fmt.unit(data['unit'])}")
    sides = (f'<text x="10" y="{below + FS:.1f}" fill="{INK}">← {escape(b)} lower</text>'
             f'<text x="{width - 10}" y="{below + FS:.1f}" text-anchor="end" fill="{INK}">{escape(b)} higher →</text>')
    keys, height = _keys(below + LH + 8, 10, width, [("decrease", DOWN, f"{b} lower than {a}"),
                                                      ("increase", f"url(#{chart_id}-up)", f"{b} higher than {a}")])
    svg = [_open(chart_id, title, desc, width, int(height + 4)),
           f"<defs>{pattern(f'{chart_id}-up', UP, 'diagonal')}</defs>"] + axis
    svg += [f'<line x1="{sx(0):.1f}" y1="6" x2="{sx(0):.1f}" y2="{end:.1f}" stroke="{INK}" stroke-width="1.5"/>']
    svg += out + [sides, keys, "</svg>"]
    return Markup("".join(svg))


def _keys(y: float, x: float, width: float, keys: Sequence[tuple[str, str, str]]) -> tuple[str, float]:
    """Swatches with their meaning, one per line (they are few and long); (markup, y below)."""
    out = []
    for _, fill, text in keys:
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="16" height="16" fill="{fill}" stroke="{INK}" '
                   f'stroke-width="0.6"/><text x="{x + 22:.1f}" y="{y + 13:.1f}" fill="{INK}">{escape(text)}</text>')
        y += LH + 2
    return "".join(out), y


def bins(d: Sequence[float], target: int = 30) -> list[float]:
    """Histogram edges for the differences ``d``: a round bin width, edges on multiples of it (so zero
    is an edge), covering the 0.1st to 99.9th percentile and zero.

    >>> bins([-0.004, -0.002, 0.001], 10)[:3]
    [-0.004, -0.0035, -0.003]
    """
    import numpy as np

    x = np.asarray(d, dtype=float)
    lo, hi = min(float(np.quantile(x, 0.001)), 0.0), max(float(np.quantile(x, 0.999)), 0.0)
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    step = nice_ticks(0.0, (hi - lo), target)[1]
    k0, k1 = int(np.floor(lo / step + 1e-9)), int(np.ceil(hi / step - 1e-9))
    return [round(k * step, 12) for k in range(k0, max(k1, k0 + 1) + 1)]


def distribution_chart(chart_id: str, title: str, desc: str, d: Sequence[float], *, point: float | None,
                       median: float, p2_5: float, p97_5: float, a_label: str, b_label: str, unit: str,
                       width: int = WIDTH) -> tuple[Markup, dict[str, Any]]:
    """Histogram of the paired Monte Carlo differences (b) − (a) as a share of draws per bin, with
    zero, the point estimate, the median and the 95 % interval marked and the share of draws below
    zero stated; returns the chart and its data (edges, counts, share below zero)."""
    import numpy as np

    a, b = _short(a_label), _short(b_label)
    x = np.asarray(d, dtype=float)
    edges = bins(x)
    counts = np.histogram(np.clip(x, edges[0], edges[-1]), bins=edges)[0]  # tails in the end bins
    share = counts / max(x.size, 1) * 100
    below = float(np.count_nonzero(x < 0)) / max(x.size, 1)
    keys = [("line", f"point estimate {fmt.num(point, signed=True)}") if point is not None else None,
            ("dash", f"median {fmt.num(median, signed=True)}"),
            ("band", f"95 % interval {fmt.num(p2_5, signed=True)} to {fmt.num(p97_5, signed=True)}"),
            ("zero", f"zero: {fmt.pct(below, decimals=0)} of draws are below it, where {b} is lower")]
    head, y = [], 6.0
    for key in [k for k in keys if k]:
        kind, text = key
        head.append(_mark_key(kind, 10, y + 10) + f'<text x="44" y="{y + 15:.1f}" fill="{INK}">{escape(text)}</text>')
        y += LH + 2
    left, right, top, plot_h = 10 + 2.2 * FS + 4 * CHAR, width - 36.0, y + 16, 190.0
    ticks = nice_ticks(edges[0], edges[-1], 4)
    sx = _scale([min(ticks[0], edges[0]), max(ticks[-1], edges[-1])], left, right)
    yt = nice_ticks(0.0, float(share.max()) if share.size else 1.0, 4)
    y0 = top + plot_h
    sy = lambda v: y0 - v / yt[-1] * plot_h  # noqa: E731
    out = head + [f'<rect x="{sx(p2_5):.1f}" y="{top:.1f}" width="{max(sx(p97_5) - sx(p2_5), 1):.1f}" '
                  f'height="{plot_h:.1f}" fill="{BAND}"/>']
    for t in yt:
        out.append(f'<line x1="{left:.1f}" y1="{sy(t):.1f}" x2="{right:.1f}" y2="{sy(t):.1f}" stroke="{RULE}" '
                   f'stroke-width="1"/><text x="{left - 6:.1f}" y="{sy(t) + 5:.1f}" text-anchor="end" '
                   f'fill="{MUTED}">{escape(fmt.tick(t, yt[1] - yt[0]))} %</text>')
    ymid = (top + y0) / 2
    out.append(f'<text x="{10 + FS:.1f}" y="{ymid:.1f}" transform="rotate(-90 {10 + FS:.1f} {ymid:.1f})" '
               f'text-anchor="middle" fill="{MUTED}">share of draws per bin</text>')
    for lo_e, hi_e, c, s in zip(edges[:-1], edges[1:], counts, share):
        if c:
            fill = DOWN if hi_e <= 0 else f"url(#{chart_id}-up)"
            out.append(f'<rect x="{sx(lo_e):.2f}" y="{sy(s):.1f}" width="{sx(hi_e) - sx(lo_e):.2f}" '
                       f'height="{y0 - sy(s):.1f}" fill="{fill}" {SEGMENT_EDGE}><title>{escape(fmt.num(lo_e))} to '
                       f'{escape(fmt.num(hi_e))}: {c} draws ({escape(fmt.pct(s / 100))})</title></rect>')
    out.append(f'<line x1="{left:.1f}" y1="{y0:.1f}" x2="{right:.1f}" y2="{y0:.1f}" stroke="{INK}" stroke-width="1"/>')
    out.append(_bracket(sx(p2_5), sx(p97_5), top - 6))
    out.append(_vline(sx(0.0), top, y0, "zero"))
    out.append(_vline(sx(median), top, y0, "dash"))
    if point is not None:
        out.append(_vline(sx(point), top, y0, "line"))
    axis, below_y = x_axis([t for t in ticks if sx(ticks[0]) <= sx(t) <= right + 0.5], sx, y0, y0,
                           f"{b} − {a}, {fmt.unit(unit)}")
    svg = [_open(chart_id, title, desc, width, int(below_y + 8)),
           f"<defs>{pattern(f'{chart_id}-up', UP, 'diagonal')}</defs>"] + axis + out + ["</svg>"]
    data = {"edges": edges, "counts": counts.tolist(), "below_zero": below}
    return Markup("".join(svg)), data


_STROKES = {"line": f'stroke="{INK}" stroke-width="3"', "dash": f'stroke="{INK}" stroke-width="3" stroke-dasharray="6 4"',
            "zero": f'stroke="{MUTED}" stroke-width="1.5"'}


def _vline(x: float, top: float, bottom: float, kind: str) -> str:
    return f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" {_STROKES[kind]}/>'


def _bracket(xa: float, xb: float, y: float) -> str:
    """The 95 % interval: a bracket above the plot (the band behind the bars is only a reading aid)."""
    return f'<path d="M{xa:.1f},{y + 6:.1f} V{y:.1f} H{xb:.1f} V{y + 6:.1f}" stroke="{INK}" stroke-width="2" fill="none"/>'


def _mark_key(kind: str, x: float, y: float) -> str:
    """The legend swatch of a mark: a short line in its style, or the interval's bracket over its band."""
    if kind == "band":
        return (f'<rect x="{x:.1f}" y="{y - 4:.1f}" width="26" height="12" fill="{BAND}"/>'
                + _bracket(x, x + 26, y - 6))
    return f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 26:.1f}" y2="{y:.1f}" {_STROKES[kind]}/>'
