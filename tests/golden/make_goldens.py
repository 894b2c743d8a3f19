"""Regenerate the report golden file (run after an intended change to numbers or layout):

    python tests/golden/make_goldens.py

It renders the bundled default study with a pinned timestamp and no uncertainty analysis, exactly
as tests/test_report_golden.py does, and writes tests/golden/report-default.html.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run as a script from anywhere
GOLDEN = HERE / "report-default.html"
TIMESTAMP = "2026-01-01T00:00:00Z"


def render_default() -> str:
    """The default study's report as the golden test renders it."""
    import lca
    from lca.report import render_html

    fp = lca.compute(lca.load_study(lca.default_study_path()))
    return render_html(fp, timestamp=TIMESTAMP)


if __name__ == "__main__":
    GOLDEN.write_text(render_default(), encoding="utf-8", newline="\n")
    print(f"wrote {GOLDEN} ({GOLDEN.stat().st_size / 1024:.0f} KiB)")
