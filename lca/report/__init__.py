"""HTML disclosure report: context building, inline SVG charts, rendering with jinja2, PDF via Chromium.

The report is one self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched).
Same inputs and the same ``timestamp`` give byte-identical output.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> html = render_html(fp, timestamp="2026-01-01T00:00:00Z")
>>> html.startswith("<!DOCTYPE html>") and "No Monte Carlo analysis was run" in html
True
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from lca.timestamps import now_utc
from lca.report.pdf import find_chromium, write_pdf

__all__ = ["render_html", "write_pdf", "now_iso", "find_chromium"]


def now_iso() -> str:
    """The current UTC time as ISO 8601 (seconds), the default run timestamp (:func:`lca.timestamps.now_utc`)."""
    return now_utc()


def render_html(fp: Any, *, timestamp: str, uncertainty: Any = None) -> str:
    """Render the report of a :class:`~lca.results.Footprint` as one self-contained HTML string.

    ``uncertainty`` is the result of ``lca.uncertainty.run_uncertainty`` (or None: the report then
    says that no Monte Carlo analysis was run and how to run one).
    """
    import jinja2

    from lca.report.a11y import breakable, lang_spans, scroll_regions
    from lca.report.context import build_context
    from lca.resources import templates_dir

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                             autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(lang=lang_spans, breakable=breakable)
    ctx = build_context(fp, timestamp=timestamp, uncertainty=uncertainty)
    ctx["next_figure"] = itertools.count(1).__next__  # figures numbered as they appear: no gaps
    return scroll_regions(env.get_template("report.html.j2").render(**ctx))
