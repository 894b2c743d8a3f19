"""Text the report generates from the numbers says what the numbers say (#14 item 5, "per kWh").

Each test is a bug the report had: a conversion label that read "× 114.9 (1 m² per kg)", a sentence
that the rounded stage values "add up to the total" when they did not, a bound true in one direction
only, freight steps named by their goods instead of where they go, figure numbers with a gap, a
scenario missing from a table of scenarios, a manifest hash blind to the Monte Carlo seed, and
"kg CO₂e/kWh" that could be read as the EU Battery Regulation's per kWh delivered over a life.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

TS = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def ctx(default_fp):
    from lca.report.context import build_context

    return build_context(default_fp, timestamp=TS)


@pytest.fixture(scope="module")
def unc(default_fp):
    from lca.uncertainty import run_uncertainty

    return run_uncertainty(default_fp, iterations=400, seed=3)


@pytest.fixture(scope="module")
def html_mc(default_fp, unc):
    from lca.report import render_html

    return render_html(default_fp, timestamp=TS, uncertainty=unc)


def test_conversion_labels_say_what_is_converted_into_what(ctx):
    factors = {v["label"]: v["factor"] for v in ctx["product"]["views"]}
    # 1 m² weighs 8.7 g, so 1 kg is 114.9 m²; 10 m² per kWh; the cell study's pack (#16 item 5):
    # 71.4 kWh × 10 m²/kWh = 714 m² per pack
    assert factors["per kg of product"] == "× 114.9 m² per kg of product"
    assert factors["per kWh of cell capacity"] == "× 10 m² per kWh of cell capacity"
    pack = "per vehicle pack (Toyota bZ4X FWD, 71.4 kWh)"
    assert factors[pack] == f"× 714 m² {pack}"
    assert factors["per year of supply"] == "× 700\u202f000\u202f000 m² per year of supply, ÷ 1000 (kg → t)"
    assert not any("(1 m² per" in f for f in factors.values())


def test_rounding_note_is_true_of_the_printed_numbers(ctx):
    """Printed stage values of (a): 0.0359 + 0.142 + 0.0212 + 0.00276 + 0.00542 = 0.20728, printed 0.207
    beside a total of 0.208: the report may not say they add up without saying so."""
    row = ctx["results"]["by_stage"][0]
    assert [v for v, _ in row["cells"]] == ["0.0359", "0.142", "0.0212", "0.00276", "0.00542"]
    assert row["total"] == "0.208" and sum(Decimal(v) for v, _ in row["cells"]) == Decimal("0.20728")
    note = ctx["results"]["adds_up"]
    assert "may not add up exactly, due to rounding" in note and "stage values of (a)" in note
    assert "stage values of (a), (d) and (f)" in note  # (b), (c), (e) do add up as printed


def test_rounding_note_claims_nothing_when_every_row_adds_up():
    from lca.report.rounding import adds_up, rounding_note

    rows = [{"label": "(x) one", "cells": [("0.100", "50.0\u202f%"), ("0.100", "50.0\u202f%")], "total": "0.200"}]
    assert rounding_note({"stage values": rows}) == \
        "Stage and flow-category contributions add up to the total, as printed."
    assert not adds_up(["0.104", "0.115"], "0.218") and adds_up(["0.104", "0.115"], "0.219")
    assert not adds_up(["1.2\u202f×\u202f10⁻⁷", "0.1"], "0.100")  # a reader cannot add powers of ten


def test_a_bound_is_stated_in_the_direction_it_holds(ctx):
    text = " ".join(ctx["contributions"]["sentences"])
    assert "move the total by at most" not in text
    assert "can lower the total by at most 14.2\u202f%" in text and "could raise it by any amount" in text
    assert "here the total changes by −0.9\u202f%" in text  # (b) 0.206 against (a) 0.208


def test_freight_steps_are_named_by_where_they_go(ctx):
    rows = {m["id"]: [r["what"] for r in m["rows"]] for m in ctx["boundary"]["maps"]}
    assert rows["charlotte-coated"][-2:] == ["Transport to the coating plant (output of base film)",
                                            "Delivery to the cell plant (output of coating)"]
    assert rows["jp-import"][-1] == "Delivery to the cell plant (output of coating)"
    assert not any(w.startswith("transport, ") for r in rows.values() for w in r)


@pytest.mark.parametrize("with_mc", [False, True])
def test_figures_are_numbered_without_gaps(default_fp, html_mc, with_mc):
    from lca.report import render_html

    html = html_mc if with_mc else render_html(default_fp, timestamp=TS)
    numbers = [int(n) for n in re.findall(r"<figcaption>Figure (\d+)\.", html)]
    assert numbers == list(range(1, html.count("<figure") + 1)), numbers


def test_every_scenario_in_every_table_of_scenarios(default_fp, html_mc):
    """A table that lists three or more scenarios lists them all (the supply mix (f) too)."""
    tags = [f"({c})" for c in "abcdef"]
    assert len(default_fp.scenarios) == len(tags)
    for table in re.findall(r"<table.*?</table>", html_mc, re.S):
        firsts = re.findall(r"<tr><t[hd][^>]*>\s*(\([a-f]\))", table)
        if len(set(firsts)) >= 3:
            caption = re.search(r"<caption>(.*?)</caption>", table, re.S).group(1)
            assert sorted(set(firsts)) == tags, caption


def test_manifest_hash_changes_with_seed_and_iterations(default_fp):
    from lca.report.provenance import manifest
    from lca.uncertainty import run_uncertainty

    def digest(**kw):
        return manifest(default_fp, TS, run_uncertainty(default_fp, **kw))["raw"]["manifest_hash"]

    base = digest(iterations=300, seed=1)
    assert digest(iterations=300, seed=1) == base  # reproducible
    assert digest(iterations=300, seed=2) != base
    assert digest(iterations=301, seed=1) != base
    assert manifest(default_fp, TS)["raw"]["manifest_hash"] == default_fp.manifest()["manifest_hash"] != base


def test_manifest_lists_the_monte_carlo_settings(html_mc):
    run = html_mc[html_mc.index('id="manifest"'):]
    for row in ("Monte Carlo iterations</th><td class=\"id\">400<", "Monte Carlo seed</th><td class=\"id\">3<",
                "Monte Carlo input distributions SHA-256"):
        assert row in run, row


def test_per_kwh_says_of_what(ctx, cli):
    assert ctx["summary"]["kwh_unit"] == "kg CO₂e per kWh of cell capacity"
    units = {v["label"]: v["unit"] for v in ctx["product"]["views"]}
    assert units["per kWh of cell capacity"] == "kg CO₂e per kWh of cell capacity"
    assert "not per kWh of the total energy a battery delivers over its service life" in ctx["product"]["energy_note"]
    r = cli("run", "--per", "kWh")
    assert r.exit_code == 0, r.stderr
    assert "Footprint by stage (kg_CO2e/kWh, per kWh of cell capacity)" in r.stdout
    assert "(kg_CO2e/kWh)" not in r.stdout


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(100, 999), st.integers(-5, 2)), min_size=1, max_size=7))
def test_printed_parts_that_are_exact_always_add_up(parts):
    """Parts whose printed three digits are exact add up to the printed (rounded) total, ties either way.
    (Below 1000: a total of 1001 printed "1000" does not add up as printed, and the note says so.)"""
    from lca.report import fmt
    from lca.report.rounding import adds_up

    values = [Decimal(k).scaleb(e - 2) for k, e in parts]
    assume(sum(values) < 1000)
    cells = [fmt.num(float(v)) for v in values]
    assert [Decimal(c.replace(fmt.THIN, "")) for c in cells] == values
    total = fmt.num(float(sum(values)))
    if "×" not in total:
        assert adds_up(cells, total)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.floats(1e-4, 10.0), min_size=2, max_size=6), min_size=1, max_size=5))
def test_rounding_note_names_exactly_the_rows_that_do_not_add_up(rows):
    from lca.report import fmt
    from lca.report.rounding import adds_up, rounding_note

    table = [{"label": f"({chr(97 + i)}) s", "cells": [(fmt.num(v), fmt.pct(v / sum(r))) for v in r],
              "total": fmt.num(sum(r))} for i, r in enumerate(rows)]
    note = rounding_note({"stage values": table})
    off = [t["label"][:3] for t in table if not adds_up([v for v, _ in t["cells"]], t["total"])]
    if not off and all(adds_up([p for _, p in t["cells"]], "100.0") for t in table):
        assert note.endswith("add up to the total, as printed.")
    else:
        assert "may not add up exactly, due to rounding" in note
        for tag in off:
            assert tag in note.split("stage values of ", 1)[1]
