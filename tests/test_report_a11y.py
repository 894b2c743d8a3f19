"""The report for keyboards, screen readers and phones (WCAG 2.2 AA; #14 items 3 and 4).

The browser tests run axe-core in headless Chromium (Playwright, as tests/test_report_browser.py) with
the WCAG 2.0/2.1/2.2 A and AA rule tags at a desktop (1100 px) and a phone (390 px) viewport. axe-core
is not a Python package: .ci/run installs a pinned version from the npm registry and points
``LCA_AXE_JS`` at its ``axe.min.js`` (or it sits at ``.ci/axe/node_modules/axe-core/axe.min.js``); the
script is injected inline, so the page still loads nothing but itself. Without it the tests skip
locally, and fail in CI (LCA_STRICT_SKIPS). Each run's violations are kept in tests/artifacts/.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from test_report_browser import ARTIFACTS, browser, report_file  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[1]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = [1100, 390]


def _axe_js() -> str:
    path = Path(os.environ.get("LCA_AXE_JS") or ROOT / ".ci" / "axe" / "node_modules" / "axe-core" / "axe.min.js")
    if not path.is_file():
        pytest.skip(f"axe-core is not installed at {path} (see .ci/run: npm install axe-core, or set LCA_AXE_JS)")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pages(browser, report_file):  # noqa: F811
    """Width → (page, console errors, requests), loaded once per width."""
    out = {}
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        errors, requests = [], []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda x, e=errors: e.append(str(x)))
        page.on("request", lambda r, q=requests: q.append(r.url))
        page.goto(report_file.as_uri(), wait_until="load")
        out[width] = (page, errors, requests)
    yield out
    for page, _, _ in out.values():
        page.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_axe_wcag22_aa_has_no_serious_or_critical_violation(pages, width):
    axe = _axe_js()
    page, errors, requests = pages[width]
    page.add_script_tag(content=axe)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", AXE_TAGS)
    found = [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
             for v in result["violations"]]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{width}.json").write_text(json.dumps({"axe": result["testEngine"]["version"],
                                                             "violations": found}, indent=1), encoding="utf-8")
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert errors == [] and requests == [report_file_uri(page)]


def report_file_uri(page) -> str:
    return page.url


@pytest.mark.browser
def test_no_sideways_page_scroll_on_a_phone(pages):
    """At 390 px the document is no wider than the viewport: wide tables scroll inside their own box."""
    page, errors, requests = pages[390]
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    assert errors == [] and requests == [page.url]
    boxes = page.evaluate("""() => [...document.querySelectorAll('table')].map(t => {
        const b = t.parentElement;
        return [b.className, b.getAttribute('tabindex'), b.getAttribute('role'), b.getAttribute('aria-label') || ''];
    })""")
    assert boxes and all(b[:3] == ["scroll", "0", "region"] and b[3] for b in boxes), boxes
    # a wide table's caption wraps to the screen instead of running off it with the table
    cut = page.evaluate("""() => [...document.querySelectorAll('caption')]
        .filter(c => c.getBoundingClientRect().right > window.innerWidth + 1).map(c => c.textContent.slice(0, 40))""")
    assert cut == [], cut
    # the contents links are at least 24 px high (WCAG 2.5.8), also on a phone
    heights = page.evaluate("[...document.querySelectorAll('nav ol.toc a')].map(a => a.getBoundingClientRect().height)")
    assert heights and min(heights) >= 24, heights


@pytest.mark.browser
def test_chart_text_stays_readable_on_a_phone(pages):
    """WCAG 1.4.4/1.4.10 in spirit (#14 item 3): chart text at least 11 px at a 390 px viewport."""
    page, _, _ = pages[390]
    sizes = page.evaluate("""() => [...document.querySelectorAll('svg.chart text')].map(t => {
        const svg = t.ownerSVGElement;
        return parseFloat(getComputedStyle(t).fontSize) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    })""")
    assert sizes and min(sizes) >= 11, min(sizes)


# --------------------------------------------------------------------------- without a browser

def test_every_table_of_the_report_is_in_a_named_scroll_region(default_fp):
    from lca.report import render_html

    html = render_html(default_fp, timestamp="2026-01-01T00:00:00Z")
    tables = html.count("<table")
    regions = re.findall(r'<div class="scroll" tabindex="0" role="region" aria-label="([^"]+)"><table', html)
    assert tables > 20 and len(regions) == tables
    assert "Totals by scenario" in regions and 'class="wide"' not in html


def test_factor_ids_break_only_at_their_separators(default_fp):
    from lca.report import render_html

    html = render_html(default_fp, timestamp="2026-01-01T00:00:00Z")
    assert '<span class="id">grid.<wbr>emaps2024.<wbr>jp-<wbr>kansai.<wbr>direct</span>' in html
    assert "word-break: break-all" not in html  # ids were cut every few characters on a phone


def test_foreign_source_names_carry_their_language(default_fp):
    """A factor citation in Japanese (or Chinese) is marked with lang (WCAG 3.1.2); the language follows
    the script, and for Han ideographs alone the factor's region."""
    from dataclasses import replace

    import polars as pl

    from lca.report import render_html

    lib = default_fp.library
    f = lib.factors.with_columns(
        pl.when(pl.col("id") == "grid.emaps2024.jp-kansai.direct")
        .then(pl.lit("Kansai Electric Power, 数字でみる関西電力 (Kansai Electric in figures)"))
        .when(pl.col("id") == "grid.emaps2024.jp-kansai.upstream").then(pl.lit("送配電損失率"))
        .otherwise(pl.col("source")).alias("source"))
    html = render_html(replace(default_fp, library=replace(lib, factors=f)), timestamp="2026-01-01T00:00:00Z")
    assert 'Kansai Electric Power, <span lang="ja">数字でみる関西電力</span> (Kansai' in html
    assert '<span lang="ja">送配電損失率</span>' in html  # Han only, region JP-KANSAI
    untagged = re.sub(r'<span lang="[a-z-]+">[^<]*</span>', "", html.split("<body>")[1])
    assert not re.search("[\u3040-\u30ff\u4e00-\u9fff]", untagged), "CJK text without lang"


def test_lang_spans_by_script_and_region():
    from lca.report.a11y import lang_spans

    assert str(lang_spans("全国电力平均二氧化碳排放因子", "CN")) == '<span lang="zh">全国电力平均二氧化碳排放因子</span>'
    assert str(lang_spans("한국전력", None)) == '<span lang="ko">한국전력</span>'
    assert str(lang_spans("代替値", "JP")) == '<span lang="ja">代替値</span>'
    assert str(lang_spans("2022年度のCO2排出係数 <x>")) == '2022<span lang="ja">年度のCO2排出係数</span> &lt;x&gt;'
    assert str(lang_spans("plain & simple")) == "plain &amp; simple"
