"""Running heads of the printed report (lca/report/printing.py), without a browser: the CSS strings
carry any study text inertly and decode back to it; the hostile title cannot leave its string."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lca.report.printing import css_string, scenario_set

TS = "2026-01-01T00:00:00Z"


def _css_decode(s: str) -> str:
    """The value a CSS parser reads from the inside of a string made only of the escapes we write."""
    return re.sub(r"\\([0-9a-f]{6}) ", lambda m: chr(int(m.group(1), 16)), s)


@given(st.text(st.characters(blacklist_categories=("Cs",), max_codepoint=0x10FFFF)))
def test_css_string_round_trips_and_is_inert(text):
    out = css_string(text)
    assert _css_decode(out) == text
    outside = re.sub(r"\\[0-9a-f]{6} ", "", out)
    assert not set(outside) & set("\"'\\<>&\n\r\f\t{}@"), outside
    assert all(ch.isprintable() for ch in outside)


def test_css_string_by_hand():
    assert css_string("Ceramic-coated (a): 1 m²") == "Ceramic-coated (a): 1 m²"
    assert css_string('a"b') == "a\\000022 b"
    assert css_string("x\ny") == "x\\00000a y"
    assert css_string("R&D <b>") == "R\\000026 D \\00003c b\\00003e "


def test_scenario_set():
    tagged = {"x": "(a) Japan", "y": "(b) [prospective] Ontario", "z": "(c) Korea"}
    assert scenario_set(tagged) == "scenarios (a)–(c)"
    assert scenario_set({"x": "(a) Japan"}) == "scenario (a)"
    assert scenario_set({"x": "Japan", "y": "(b) Ontario"}) == "2 scenarios"
    assert scenario_set({"x": "Japan"}) == "1 scenario"


def test_hostile_title_stays_inside_the_running_head(tmp_path, cli):
    from hostile import EVIL, hostile_study

    study = hostile_study(tmp_path)
    r = cli("report", study, "-o", tmp_path / "r.html", "--timestamp", TS)
    assert r.exit_code == 0, r.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 2, "a title closed the <style> element"
    head = re.search(r'@top-left \{ content: "((?:[^"\\]|\\[0-9a-f]{6} )*)"; \}', styles[1])
    assert head is not None, styles[1]
    assert _css_decode(head.group(1)) == EVIL
