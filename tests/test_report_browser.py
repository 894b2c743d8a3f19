"""The report in a real browser: headless Chromium through Playwright (system browser, no download).

Skips with a reason when Chromium or Playwright is missing; CI installs both (and fails on such a
skip via LCA_STRICT_SKIPS). The screenshot and PDF are kept in tests/artifacts/ as test artefacts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TS = "2026-01-01T00:00:00Z"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
TITLES = ["Executive summary", "Product, declared unit and reference flow", "System boundary and process map",
          "Results by life-cycle stage and flow category", "Scenario comparison", "Contribution analysis",
          "Transport", "Electricity", "Greenhouse gases and GWP", "Data quality", "Emission factors and sources",
          "Assumptions, exclusions and cut-offs", "Uncertainty and sensitivity", "Limitations",
          "Reproducibility manifest"]


def _chromium() -> str:
    from lca.report import find_chromium

    exe = find_chromium()
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return exe


def _pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def report_file(default_fp, tmp_path_factory) -> Path:
    """The default report with a (small, seeded) Monte Carlo section when lca.uncertainty exists."""
    from lca.report import render_html

    try:
        from lca.uncertainty import run_uncertainty
        unc = run_uncertainty(default_fp, iterations=2000, seed=1)
    except ImportError:
        unc = None
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(default_fp, timestamp=TS, uncertainty=unc), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    home = tmp_path_factory.mktemp("chromium-home")
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_CACHE_HOME": str(home / "cache")}
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=FLAGS, env=env)
        yield b
        b.close()


def test_report_renders_offline_with_visible_charts(browser, report_file):
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report_file.as_uri(), wait_until="load")
    assert errors == []
    assert requests == [report_file.as_uri()], "the report must load nothing but itself"
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 8
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 40, f"chart {i} not rendered"
        labelled = charts.nth(i).get_attribute("aria-labelledby").split()
        assert all(page.locator(f"#{ref}").count() == 1 for ref in labelled)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
    page.close()


def test_playwright_pdf_has_sections_and_text(browser, report_file):
    page = browser.new_page()
    page.goto(report_file.as_uri(), wait_until="load")
    page.emulate_media(media="print")
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "report-playwright.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    page.close()
    text = " ".join(_pdftotext(pdf).split())
    for t in TITLES:
        assert t in text, t
    assert "lowers the footprint by" in text and "Only climate change is addressed." in text


def test_write_pdf_through_the_chromium_cli(default_fp, report_file, tmp_path):
    from lca.report import write_pdf

    _chromium()
    pdf = write_pdf(report_file, tmp_path / "report.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = " ".join(_pdftotext(pdf).split())
    for t in TITLES:
        assert t in text, t
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(pdf, ARTIFACTS / "report.pdf")
    assert not list(tmp_path.glob(".*.tmp"))


def test_cli_report_pdf(cli, tmp_path):
    _chromium()
    out = tmp_path / "r.html"
    r = cli("report", "-o", out, "--timestamp", TS, "--pdf")
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"
