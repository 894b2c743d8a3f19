"""The report's charts as a reader meets them (#14 items 2 and 4): the (a) → (b) difference chart and
its golden data, the Monte Carlo distribution of the difference, labels never cut, human names, the
palette's contrast (WCAG relative luminance) and text that stays ≥ 11 px on a 390 px phone.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lca.report import charts

NO_INTERVAL = "no interval: uncertainty not run"

GOLDEN = Path(__file__).resolve().parent / "golden" / "difference-default.json"
TS = "2026-01-01T00:00:00Z"


# ------------------------------------------------------------------------------------ helpers

def luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of ``#rrggbb``."""
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


class _Charts(HTMLParser):
    """Every chart of a page: its attributes, the text a reader sees (text/tspan), its title/desc
    text, the fills of its data marks (rects carrying a <title>) and its patterns' base colours."""

    def __init__(self):
        super().__init__()
        self.charts: list[dict] = []
        self._stack: list[str] = []
        self._rect: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.charts.append({"attrs": a, "text": [], "meta": [], "marks": [], "patterns": {}, "sizes": [],
                                "rects": []})
        if not self.charts or "svg" not in self._stack + [tag]:
            self._stack.append(tag)
            return
        c = self.charts[-1]
        if "font-size" in a:
            c["sizes"].append(float(a["font-size"]))
        if tag == "pattern":
            c["_pattern"] = a["id"]
        if tag == "rect" and "_pattern" in c and "pattern" in self._stack:
            c["patterns"].setdefault(c["_pattern"], a.get("fill"))
        if tag == "rect" and "pattern" not in self._stack:
            c["rects"].append(a)
            self._rect = a
        self._stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self._stack:
            self._stack.pop()
        if tag == "rect":
            self._rect = None

    def handle_data(self, data):
        if not self.charts or "svg" not in self._stack or not data.strip():
            return
        c = self.charts[-1]
        where = self._stack[-1]
        if where in ("text", "tspan"):
            c["text"].append(data)
        elif where in ("title", "desc"):
            c["meta"].append(data)
            if where == "title" and self._rect is not None:
                c["marks"].append(self._rect.get("fill"))


def _charts(html: str) -> list[dict]:
    p = _Charts()
    p.feed(html)
    return p.charts


def _fill_colour(chart: dict, fill: str) -> str:
    m = re.fullmatch(r"url\(#([^)]+)\)", fill)
    return chart["patterns"][m.group(1)] if m else fill


@pytest.fixture(scope="module")
def html(default_fp) -> str:
    from lca.report import render_html

    return render_html(default_fp, timestamp=TS)


@pytest.fixture(scope="module")
def mc(default_fp):
    from lca.uncertainty import run_uncertainty

    return run_uncertainty(default_fp, iterations=2000, seed=1)


@pytest.fixture(scope="module")
def html_mc(default_fp, mc):
    from lca.report import render_html

    return render_html(default_fp, timestamp=TS, uncertainty=mc)


def _chart(html: str, chart_id: str) -> dict:
    return next(c for c in _charts(html) if c["attrs"]["id"] == chart_id)


# ------------------------------------------------------------------------- difference chart

def _numbers(data: dict) -> dict:
    import importlib.util

    spec = importlib.util.spec_from_file_location("mk", GOLDEN.parent / "make_chart_goldens.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.numbers(data)


def test_difference_chart_data_matches_golden(default_fp, mc):
    """The numbers behind the difference chart, with and without the Monte Carlo interval. Hand-checked
    against `lca run` (coating −0.002549, total −0.001811) and `lca uncertainty -n 2000 --seed 1`
    (95 % interval −0.005487 to 0.001918, 84 % of draws lower)."""
    from lca.report.charts_diff import difference_data
    from lca.report.context import _pair, scenario_labels
    from lca.report.words import look

    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    pair, labels = _pair(default_fp), scenario_labels(default_fp)
    got = {"point": _numbers(difference_data(default_fp, pair, labels, look(default_fp))),
           "monte_carlo": _numbers(difference_data(default_fp, pair, labels, look(default_fp), mc))}
    assert _close(got, want)
    assert want["point"]["stages"][2]["difference"] == pytest.approx(-0.002549, abs=5e-7)  # lca run: coating
    assert want["point"]["total"]["difference"] == pytest.approx(-0.001811, abs=5e-7)  # lca run: total
    assert want["monte_carlo"]["interval"]["p2_5"] == pytest.approx(-0.005487, abs=5e-7)


def _close(got, want) -> bool:
    """Equal structure and text; numbers to 1e-9 relative (the golden is JSON text)."""
    if isinstance(want, dict):
        assert set(got) == set(want), (sorted(got), sorted(want))
        return all(_close(got[k], want[k]) for k in want)
    if isinstance(want, list):
        assert len(got) == len(want)
        return all(_close(g, w) for g, w in zip(got, want))
    if isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-15), (got, want)
        return True
    assert got == want
    return True


def test_difference_chart_in_the_report(html):
    from lca.report.charts_diff import NO_INTERVAL as said

    assert said == NO_INTERVAL
    c = _chart(html, "fig-difference")
    text = " ".join(c["text"])
    assert "Raw materials: no change" in text and "Base-film production: no change" in text
    assert "Coating: −0.00255 (−12.0\u202f%)" in text and "Total difference: −0.00181" in text
    assert NO_INTERVAL in text  # no Monte Carlo in the default report
    # one bar per changed stage plus the total: unchanged stages draw no sliver
    assert len(c["marks"]) == 4
    assert "no interval: uncertainty not run" in html.split('id="fig-difference"')[1].split("</figcaption>")[0]


def test_difference_chart_shows_the_monte_carlo_interval(html_mc):
    text = " ".join(_chart(html_mc, "fig-difference")["text"])
    assert "95 % interval −0.00549 to +0.00192 (Monte Carlo, 2000 draws)" in text
    assert NO_INTERVAL not in text


def test_difference_axis_is_scaled_to_the_differences(html):
    """The axis spans the differences (a few thousandths), not zero to the totals (0.2)."""
    c = _chart(html, "fig-difference")
    ticks = [float(t.replace("\u2212", "-")) for t in c["text"] if re.fullmatch(r"[−\d.]+", t)]
    assert max(abs(t) for t in ticks) < 0.01


# ----------------------------------------------------------------------- Monte Carlo chart

def test_monte_carlo_chart_marks_the_difference(html_mc, default_fp, mc):
    import numpy as np

    a, b = default_fp.study.comparison
    d = mc.draws_total[b] - mc.draws_total[a]
    row = mc.differences.filter((mc.differences["scenario_a"] == a) & (mc.differences["scenario_b"] == b)).row(
        0, named=True)
    c = _chart(html_mc, "fig-histogram")
    text = " ".join(c["text"])
    from lca.report import fmt

    point = default_fp.total(b).value - default_fp.total(a).value
    assert f"point estimate {fmt.num(point, signed=True)}" in text
    assert f"median {fmt.num(row['median'], signed=True)}" in text
    assert f"95 % interval {fmt.num(row['p2_5'], signed=True)} to {fmt.num(row['p97_5'], signed=True)}" in text
    below = float(np.mean(d < 0))
    assert f"{fmt.pct(below, decimals=0)} of draws are below it" in text
    assert "share of draws per bin" in text  # the y axis has a title …
    assert sum(1 for t in c["text"] if t.endswith(" %") and t[0].isdigit()) >= 3  # … and ticks
    # the bars are of the difference: every draw counted once, bins on both sides of zero coloured apart
    fills = {f for f in c["marks"]}
    assert charts.DOWN in fills and any(f.startswith("url(#fig-histogram-up") for f in fills)
    body = html_mc.split('id="fig-histogram"')[1]
    assert "Distribution of the difference" in body.split("</svg>")[0]
    counts = [int(x.replace("\u202f", "")) for x in re.findall(r'<td class="num">([\d\u202f]+)</td><td class="num">'
                                                                 r'[\d.]+\u202f%</td></tr>', body.split("</details>")[0])]
    assert sum(counts) == d.size


def test_monte_carlo_chart_bins_are_round_and_hold_zero():
    from lca.report.charts_diff import bins

    e = bins([-0.0061, -0.002, -0.0011, 0.0003, 0.0009])
    assert 0.0 in e and e[0] <= -0.0061 and e[-1] >= 0.0009
    steps = {round(y - x, 12) for x, y in zip(e, e[1:])}
    assert len(steps) == 1
    e = bins([0.2, 0.3])  # all positive: the axis still reaches zero
    assert e[0] == 0.0


# --------------------------------------------------------------- labels: never cut, no ids

def test_no_chart_label_is_cut(html_mc):
    for c in _charts(html_mc):
        for t in c["text"] + c["meta"]:
            assert "…" not in t and "..." not in t, (c["attrs"]["id"], t)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=" "),
                        min_size=1, max_size=30),
                min_size=1, max_size=25), st.integers(8, 60))
def test_wrap_keeps_every_word(words, width):
    text = " ".join(words)
    lines = charts._wrap(text, width)
    assert " ".join(lines).split(" ") == [w for w in text.split(" ") if w]
    assert all(len(line) <= width or " " not in line for line in lines)


def test_wrap_never_breaks_at_a_no_break_space():
    assert charts._wrap("Coating: −0.00255 (−12.0\u202f%)", 26) == ["Coating: −0.00255", "(−12.0\u202f%)"]


def test_long_scenario_label_is_wrapped_not_cut():
    label = "(z) " + " ".join(f"word{i}" for i in range(60))
    svg = charts.stacked_bars("t1", "t", "d", [(label, [("s", 1.0)])], "kg_CO2e/m^2")
    text = " ".join(_charts(svg)[0]["text"])
    assert all(f"word{i}" in text for i in range(60))


def test_no_raw_ids_in_charts(html_mc, default_fp):
    study = default_fp.study
    # site and scenario ids, and stage ids that are not plain words ("coating" is also English)
    ids = (set(study.sites.get_column("id")) | set(default_fp.scenarios)
           | {s for s in default_fp.stages.get_column("stage") if "_" in s})
    for c in _charts(html_mc):
        for t in c["text"] + c["meta"]:
            for i in ids:
                assert not re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", t), (c["attrs"]["id"], i, t)


def test_contributions_name_sites(html):
    text = " ".join(_chart(html, "fig-contrib")["text"])
    assert "(Moriyama, Shiga (JP))" in text and "(moriyama)" not in text


# --------------------------------------------------------------------------------- colour

def test_palette_contrast():
    """Every fill ≥ 3:1 against white; neighbouring stages ≥ 3:1 apart or differing in pattern (and the
    white separator), so they stay apart in greyscale."""
    fills = charts.PALETTE + charts._EXTRA + (charts.UP, charts.DOWN)
    for f in fills:
        assert contrast(f, "#ffffff") >= 3.0, f
    order = [f"s{i}" for i in range(len(charts.PALETTE) + len(charts._EXTRA))]
    look = charts.StageLook(order=order)
    for s, t in zip(order, order[1:]):
        (cs, ps), (ct, pt) = look.style(s), look.style(t)
        assert contrast(cs, ct) >= 3.0 or ps != pt, (s, t)
    assert float(re.search(r'stroke-width="([\d.]+)"', charts.SEGMENT_EDGE)[1]) * charts.PHONE_WIDTH / charts.WIDTH >= 1


def test_contrast_formula_by_hand():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the known 4.5:1 grey
    assert contrast("#e4d69c", "#ffffff") < 3  # the old packaging fill (#14)


def test_fills_used_in_the_report_have_contrast(html_mc):
    """The palette actually used: every data mark's fill (its pattern's colour for patterned ones)."""
    seen = set()
    for c in _charts(html_mc):
        for fill in c["marks"]:
            colour = _fill_colour(c, fill)
            seen.add(colour)
            assert contrast(colour, "#ffffff") >= 3.0, (c["attrs"]["id"], fill, colour)
    assert len(seen) >= 5


def test_adjacent_stage_segments_are_separated(html):
    """In the stacked bars touching segments have a white stroke and differ in pattern or by 3:1."""
    c = _chart(html, "fig-totals")
    segs = [r for r in c["rects"] if r.get("height") == "24"]
    for r, s in zip(segs, segs[1:]):
        if r["y"] != s["y"] or float(r["width"]) == 0 or float(s["width"]) == 0:
            continue
        assert r["stroke"] == "#ffffff" and s["stroke"] == "#ffffff"
        if r["fill"] != s["fill"]:
            same_pattern = r["fill"].startswith("url") == s["fill"].startswith("url") and not r["fill"].startswith("url")
            assert not same_pattern or contrast(r["fill"], s["fill"]) >= 3.0


# ------------------------------------------------------------------------------ re-flow

def test_chart_text_stays_readable_on_a_phone(html_mc):
    """Drawn ≤ WIDTH wide (max-width) with every font-size ≥ 11 px once shrunk to a 390 px phone's column."""
    cs = _charts(html_mc)
    assert len(cs) >= 10
    for c in cs:
        width = float(c["attrs"]["viewbox"].split()[2])
        assert f"max-width:{width:g}px" in c["attrs"]["style"]
        assert c["attrs"]["role"] == "img" and c["attrs"]["aria-labelledby"]
        for size in c["sizes"]:
            assert size * charts.PHONE_WIDTH / width >= 11, (c["attrs"]["id"], size)


def test_every_figure_has_its_table_with_monte_carlo(html_mc):
    assert all("<table" in chunk for chunk in html_mc.split("<figure")[1:])


def test_difference_chart_handles_an_increase_only():
    from lca.report.charts_diff import difference_chart

    data = {"a_label": "(a) A", "b_label": "(b) B", "unit": "kg_CO2e/kg", "interval": None,
            "interval_note": NO_INTERVAL, "total": {"difference": 0.5, "pct": 50.0},
            "stages": [{"label": "Only", "difference": 0.5, "pct": 50.0, "change": "increase"}]}
    svg = difference_chart("t2", "t", "d", data)
    c = _charts(svg)[0]
    assert all(f.startswith("url(#t2-up") for f in c["marks"])
    assert "(b) higher →" in " ".join(c["text"])


def test_difference_interval_only_from_a_run_in_the_same_unit(default_fp):
    """A Monte Carlo run per kg has no interval for the per-m² difference chart: it says why."""
    from types import SimpleNamespace

    import polars as pl

    from lca.report.charts_diff import difference_data
    from lca.report.context import _pair, scenario_labels
    from lca.report.words import look

    a, b = _pair(default_fp)
    diff = pl.DataFrame({"scenario_a": [a], "scenario_b": [b], "mean": [-0.1], "median": [-0.1], "p2_5": [-0.3],
                         "p97_5": [0.1], "prob_b_lower": [0.8], "unit": ["kg_CO2e/kg"]})
    args = (default_fp, (a, b), scenario_labels(default_fp), look(default_fp))
    data = difference_data(*args, SimpleNamespace(differences=diff, iterations=10, seed=1))
    assert data["interval"] is None and data["interval_note"] == "no interval: the Monte Carlo run is per kg CO₂e/kg"
    other = difference_data(*args, SimpleNamespace(differences=diff.with_columns(pl.lit("x").alias("scenario_b")),
                                                   iterations=10, seed=1))
    assert other["interval"] is None and "did not compare" in other["interval_note"]
    same = difference_data(*args, SimpleNamespace(differences=diff.with_columns(pl.lit("kg_CO2e/m^2").alias("unit")),
                                                  iterations=10, seed=1))
    assert same["interval"]["p2_5"] == -0.3 and same["interval_note"] == ""


def test_tick_labels_too_long_for_the_axis_label_the_ends():
    """Before: x_axis raised StopIteration when no spacing fit the labels (totals near 1e306)."""
    ticks = [0.0, 1e306, 2e306, 3e306]
    parts, _ = charts.x_axis(ticks, lambda v: 10 + v / 3e306 * 40, 0, 10, "kg")
    labelled = [p for p in parts if "<text" in p and "text-anchor=\"middle\" fill=\"#666666\">" in p and "tspan" not in p]
    assert len(labelled) == 2
