"""Golden file: the default study's report, byte for byte. Any changed number, label or layout fails.

After an intended change, regenerate with ``python tests/golden/make_goldens.py`` and review the diff.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def _maker():
    spec = importlib.util.spec_from_file_location("make_goldens", GOLDEN_DIR / "make_goldens.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_default_report_matches_golden():
    mod = _maker()
    expected = mod.GOLDEN.read_text(encoding="utf-8")
    actual = mod.render_default()
    if actual != expected:
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "golden",
                                                 "rendered", n=1))[:60])
        raise AssertionError("report differs from tests/golden/report-default.html; if intended, run "
                             "`python tests/golden/make_goldens.py`\n" + diff)


def test_golden_changes_when_a_number_changes(default_study):
    """The golden comparison is sensitive to a single activity amount (it can fail)."""
    from dataclasses import replace

    import polars as pl

    import lca
    from lca.report import render_html

    ex = default_study.exchanges.with_columns(
        pl.when(pl.col("flow") == "boehmite").then(pl.col("amount") * 1.01).otherwise(pl.col("amount"))
        .alias("amount"))
    changed = render_html(lca.compute(replace(default_study, exchanges=ex)), timestamp=_maker().TIMESTAMP)
    assert changed != _maker().GOLDEN.read_text(encoding="utf-8")
