"""Tests written to kill surviving mutants of the engine core (issue #10, mutation check; bench/MUTATION.md).

Each test names in its docstring the rule it pins down. Expectations are computed by hand from the
tiny study (tests/data/tiny: see tests/test_tiny_study.py for its totals) or from small frames.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import polars as pl
import pytest

import lca
from lca.errors import FactorError, LcaInputError
from lca.study import study_from_dict

TINY = Path(__file__).resolve().parent / "data" / "tiny"
ONE, TWO = 1.1997, 1.62474  # hand-computed totals of the tiny study (tests/test_tiny_study.py)
# per stage, by hand: one-site film = 1.0 power + 0.1596 gas; two-step = 1.25 × that, coat 0.625 kWh × 0.2
STAGES_ONE = {"raw_materials": 0.04, "transport": 0.0001, "film": 1.1596}
STAGES_TWO = {"raw_materials": 0.05, "transport": 0.00024, "coat": 0.125, "film": 1.4495}


def _tiny(doc: dict | None = None, **method):
    s = study_from_dict(doc, base=TINY) if doc is not None else lca.load_study(TINY / "study.toml")
    return s.with_method(**method) if method else s


def _rows(df: pl.DataFrame, *cols: str) -> list[tuple]:
    return list(df.select(cols).iter_rows())


# ----------------------------------------------------------------------------------- results.py

def test_compare_table_by_hand(tiny_fp):
    """Footprint.compare: one row per stage, a's stages in report order (the study's stages,
    Footprint.stages) then the stages only b has, a stage missing in one scenario counts 0 there, pct is
    relative to a (none when a is 0), then the totals."""
    c = tiny_fp.compare("one-site", "two-step")
    assert c.columns == ["stage", "a", "b", "difference", "pct", "unit", "scenario_a", "scenario_b"]
    # Re-derived for the product profile: the tiny study declares no [[stage]], so the report order is
    # raw_materials, the processes' stages in process order (film, coat), transport last; one-site has
    # no coat, so coat (b only) comes after one-site's stages, as before the profile.
    want = [("raw_materials", 0.04, 0.05), ("film", 1.1596, 1.4495), ("transport", 0.0001, 0.00024),
            ("coat", 0.0, 0.125), ("total", ONE, TWO)]
    assert [r[0] for r in _rows(c, "stage")] == [w[0] for w in want]
    for (stage, a, b, diff, pct), (_, wa, wb) in zip(_rows(c, "stage", "a", "b", "difference", "pct"), want):
        assert (a, b, diff) == pytest.approx((wa, wb, wb - wa), rel=1e-12), stage
        assert pct is None if wa == 0 else pct == pytest.approx((wb - wa) / wa * 100, rel=1e-12)
    assert set(_rows(c, "unit", "scenario_a", "scenario_b")) == {("kg_CO2e/m^2", "one-site", "two-step")}


def test_compare_in_another_view_scales_every_column(tiny_fp):
    """compare(per=...) passes the view to every figure and labels the unit of that view."""
    c = tiny_fp.compare("one-site", "two-step", per="kWh")  # 10 m^2 per kWh
    total = c.filter(pl.col("stage") == "total").row(0, named=True)
    assert (total["a"], total["b"]) == pytest.approx((ONE * 10, TWO * 10), rel=1e-12)
    assert set(c.get_column("unit")) == {"kg_CO2e/kWh"}
    by_flow = tiny_fp.compare("two-step", "one-site", by="flow_category")
    got = {k: (a, b) for k, a, b in _rows(by_flow, "flow_category", "a", "b")}
    assert got["electricity"] == pytest.approx((1.25 + 0.125, 1.0), rel=1e-12)
    assert got["total"] == pytest.approx((TWO, ONE), rel=1e-12)


def _with_empty(tiny_doc, only_empty: bool = False):
    """The tiny study plus scenario(s) whose only process has no exchanges and no transport: no rows."""
    doc = copy.deepcopy(tiny_doc)
    doc["process"].append({"id": "void", "output": "1 m^2", "yield": 1.0, "exchanges": []})
    empty = [{"id": e, "label": "Nothing", "steps": [{"process": "void", "site": "mill"}]} for e in ("empty", "void")]
    doc["scenario"] = empty if only_empty else doc["scenario"] + empty[:1]
    return lca.compute(_tiny(doc))


def test_compare_with_a_scenario_without_contributions(tiny_doc):
    """A scenario without any contribution compares as zeros on either side (pct none when a is 0),
    and with no rows at all only the total row remains, labelled in the view's unit."""
    fp = _with_empty(tiny_doc)
    c = fp.compare("one-site", "empty")
    assert _rows(c, "stage", "a", "b", "pct")[-1] == ("total", pytest.approx(ONE, rel=1e-12), 0.0, -100.0)
    assert set(c.get_column("b")) == {0.0}
    c = fp.compare("empty", "one-site")
    assert set(c.get_column("a")) == {0.0} and set(c.get_column("pct")) == {None}
    # stage order raw_materials, film, transport (the study's stage order; see test_compare_table_by_hand)
    assert c.get_column("b").to_list() == pytest.approx([0.04, 1.1596, 0.0001, ONE], rel=1e-12)
    c = _with_empty(tiny_doc, only_empty=True).compare("empty", "void", per="kWh")
    assert _rows(c, "stage", "a", "b", "difference", "pct", "unit") == [("total", 0.0, 0.0, 0.0, None, "kg_CO2e/kWh")]


def test_compare_by_a_numeric_column(tiny_fp):
    """compare(by=) a numeric column (factor vintage): the 'total' row still joins (as text)."""
    c = tiny_fp.compare("one-site", "two-step", by="factor_year")
    assert _rows(c, "factor_year", "a", "b") == [("2024", pytest.approx(0.04), pytest.approx(0.05)),
                                                 ("2025", pytest.approx(1.1597), pytest.approx(1.57474)),
                                                 ("total", pytest.approx(ONE), pytest.approx(TWO))]
    d = tiny_fp.compare("two-step", "one-site")  # coat is missing in one-site: 0 there, not null
    assert _rows(d.filter(pl.col("stage") == "coat"), "a", "b", "difference") == [pytest.approx((0.125, 0.0, -0.125))]


def test_by_stage_of_one_scenario_with_shares(tiny_fp):
    """by_stage(scenario=, per=): only that scenario's stages, each with its share of the scenario total."""
    st = tiny_fp.by_stage(per="kg", scenario="two-step")  # 10 g per m^2: × 100
    assert set(st.get_column("scenario")) == {"two-step"}
    got = {s: (v, sh) for s, v, sh in _rows(st, "stage", "value", "share")}
    assert set(got) == set(STAGES_TWO)
    for stage, v in STAGES_TWO.items():
        assert got[stage] == pytest.approx((v * 100, v / TWO), rel=1e-9)
    assert set(st.get_column("unit")) == {"kg_CO2e/kg"}


def test_results_table_keys_and_view(tiny_fp):
    """results(): scenario × stage × flow category × gas, in the view asked for."""
    r = tiny_fp.results(per="vehicle").filter(pl.col("scenario") == "one-site")
    assert r.columns == ["scenario", "stage", "flow_category", "gas", "value", "unit"]
    got = {(s, c, g): v for s, c, g, v in _rows(r, "stage", "flow_category", "gas", "value")}
    k = 10 * 50  # m^2 per kWh × kWh per vehicle
    assert got == pytest.approx({("raw_materials", "materials", "CO2e"): 0.04 * k,
                                 ("transport", "transport", "CO2e"): 0.0001 * k,
                                 ("film", "electricity", "CO2e"): 1.0 * k,
                                 ("film", "heat", "CH4_fossil"): 0.002 * 29.8 * k,
                                 ("film", "heat", "CO2"): 0.1 * k}, rel=1e-12)
    assert set(r.get_column("unit")) == {"kg_CO2e/vehicle"}
    assert tiny_fp.results().get_column("unit").unique().to_list() == ["kg_CO2e/m^2"]


def test_top_contributors_count_order_view_and_shares(default_fp, tiny_fp):
    """top_contributors: the n largest stage × flow × site groups (10 by default), largest first, in
    the view asked for, with shares of the scenario total."""
    top = tiny_fp.top_contributors("two-step", n=3, per="kWh")
    assert _rows(top, "stage", "flow", "site") == [("film", "tiny_power", "mill"), ("film", "tiny_gas", "mill"),
                                                   ("coat", "tiny_power", "mill2")]
    assert top.get_column("value").to_list() == pytest.approx([12.5, 1.995, 1.25], rel=1e-12)
    assert top.get_column("share").to_list() == pytest.approx([1.25 / TWO, 0.1995 / TWO, 0.125 / TWO], rel=1e-9)
    groups = default_fp.by("stage", "flow", "flow_category", "site", scenario="jp-import").height
    assert groups > 10 and default_fp.top_contributors("jp-import").height == 10
    with pytest.raises(LcaInputError, match="unknown scenario 'nope'"):
        tiny_fp.top_contributors("nope")


def test_row_order_of_views(tiny_fp):
    """Views are ordered by the study's scenario order, then stages in the study's order (Footprint.stages),
    then flow categories in report order, then the other keys."""
    st = tiny_fp.by("stage")
    # re-derived for the product profile: stage order raw_materials, film, coat, transport (no [[stage]]:
    # raw materials first, process stages in process order, transport last)
    assert _rows(st, "scenario", "stage") == [
        ("one-site", "raw_materials"), ("one-site", "film"), ("one-site", "transport"),
        ("two-step", "raw_materials"), ("two-step", "film"), ("two-step", "coat"), ("two-step", "transport"),
        ("mix", "raw_materials"), ("mix", "film"), ("mix", "coat"), ("mix", "transport")]
    fg = tiny_fp.by("gas", "flow_category", scenario="one-site")
    assert _rows(fg, "flow_category", "gas") == [("electricity", "CO2e"), ("heat", "CH4_fossil"), ("heat", "CO2"),
                                                 ("materials", "CO2e"), ("transport", "CO2e")]
    assert tiny_fp.totals().get_column("scenario").to_list() == ["one-site", "two-step", "mix"]


def test_views_by_hand(tiny_fp):
    """scale(): per kg divides by the mass of one declared unit; per kWh multiplies by m^2 per kWh;
    per vehicle by kWh per pack; per year by the annual volume in declared units, in tonnes."""
    assert tiny_fp.scale("declared_unit") == (1.0, "kg_CO2e/m^2")
    assert tiny_fp.scale("kg") == (pytest.approx(100.0, rel=1e-12), "kg_CO2e/kg")
    assert tiny_fp.scale("kWh") == (pytest.approx(10.0, rel=1e-12), "kg_CO2e/kWh")
    assert tiny_fp.scale("vehicle") == (pytest.approx(500.0, rel=1e-12), "kg_CO2e/vehicle")
    assert tiny_fp.scale("year") == (pytest.approx(1.0, rel=1e-12), "t_CO2e/yr")  # 1000 m^2 × kg / 1000
    t = tiny_fp.totals(per="year")
    assert t.columns == ["scenario", "label", "value", "unit"]
    assert _rows(t, "scenario", "label")[2] == ("mix", "Half and half")
    q = tiny_fp.total("two-step", per="year", unit="kg_CO2e/yr")
    assert (q.value, q.unit) == (pytest.approx(TWO * 1000, rel=1e-12), "kg_CO2e/yr")
    q = tiny_fp.total("two-step", per="kWh")
    assert (q.value, q.unit) == (pytest.approx(TWO * 10, rel=1e-12), "kg_CO2e/kWh")


def test_views_of_a_two_square_metre_declared_unit(tiny_doc):
    """A declared unit of 2 m^2: per-kWh and per-year divide by the 2 (views are per ONE product unit
    as stated), and the per-declared-unit label names the amount."""
    doc = copy.deepcopy(tiny_doc)
    doc["product"]["declared_unit"] = "2 m^2"
    doc["product"]["mass_per_declared_unit"] = "20 g"
    fp = lca.compute(_tiny(doc))
    assert fp.scale("declared_unit") == (1.0, "kg_CO2e/(2 m^2)")
    assert fp.scale("kWh")[0] == pytest.approx(5.0, rel=1e-12)  # 10 m^2/kWh = 5 declared units per kWh
    assert fp.scale("vehicle")[0] == pytest.approx(250.0, rel=1e-12)
    assert fp.scale("year")[0] == pytest.approx(0.5, rel=1e-12)  # 500 declared units × kg / 1000
    assert fp.scale("kg")[0] == pytest.approx(50.0, rel=1e-12)


# Re-derived for the product profile: views are study data ([[view]] in tests/data/tiny/study.toml), not
# [product] keys. A view the study does not define is refused naming the views it does define; a view
# built on a missing view is a located load error.
@pytest.mark.parametrize("view,known", [("year", "declared_unit, kg, kWh, vehicle"),
                                        ("vehicle", "declared_unit, kg, kWh, year")])
def test_a_view_the_study_does_not_define_is_refused(tiny_doc, view, known):
    """scale() of a view removed from the study: an input error naming the view and the defined ones."""
    doc = copy.deepcopy(tiny_doc)
    doc["view"] = [v for v in doc["view"] if v["id"] != view]
    fp = lca.compute(_tiny(doc))
    with pytest.raises(LcaInputError) as err:
        fp.scale(view)
    p = err.value.problems[0]
    assert p.message == f"the study defines no view '{view}'"
    assert p.hint == f"use one of {known}, or add a [[view]] with this id"
    assert fp.scale("kWh") == (pytest.approx(10.0, rel=1e-12), "kg_CO2e/kWh")  # the others are unaffected


def test_a_view_built_on_a_missing_view_is_a_located_error(tiny_doc):
    """The vehicle view is 50 kWh 'of' the kWh view: without the kWh view the study does not load."""
    from lca.errors import StudyError

    doc = copy.deepcopy(tiny_doc)
    doc["view"] = [v for v in doc["view"] if v["id"] != "kWh"]
    with pytest.raises(StudyError) as err:
        _tiny(doc)
    p = err.value.problems[0]
    assert (p.table, p.column, p.message) == ("view 'vehicle'", "of", "of = 'kWh' is not a view defined above")


def test_unknown_view_and_scenario_are_refused(tiny_fp):
    """scale() of an unknown view and total() of an unknown scenario are input errors with the choices."""
    with pytest.raises(LcaInputError) as err:
        tiny_fp.scale("litre")
    assert err.value.problems[0].message == "the study defines no view 'litre'"
    assert err.value.problems[0].hint == "use one of declared_unit, kg, kWh, vehicle, year, or add a [[view]] with this id"
    with pytest.raises(LcaInputError) as err:
        tiny_fp.total("nope")
    assert err.value.problems[0].hint == "use one of: one-site, two-step, mix"


def test_lineage_warnings_and_method(tiny_path):
    """lineage has one row per activity × factor with where the factor was found; warnings are each
    method note once, split at '; '; method lists the switches as strings."""
    fp = lca.compute(_tiny(electricity_rule="market"))
    assert fp.lineage.columns == ["scenario", "process", "site", "flow", "factor_id", "factor_name", "gas",
                                  "region_used", "region_fallback", "factor_year", "vintage_note", "method_note",
                                  "layer", "origin"]
    assert fp.lineage.height == fp.lineage.unique().height == 18  # 22 detail rows, mix rows repeat
    note = "no supplier-specific factor (market_factor) for site '{}': location-based grid factor used as a proxy " \
           "for the residual mix"
    assert fp.warnings == [note.format("mill"), note.format("mill2")]
    assert fp.method == {"gwp": "AR6", "electricity_rule": "market", "td_losses": "excluded",
                         "electricity_basis": "combustion-generation-CO2e",  # #13: the tiny study declares it
                         "reference_year": "2025", "cell_plant": "plant"}
    assert fp.replaced_factors.columns == ["id", "layer", "replaced_layer"]


def test_manifest_fields_and_hash(tiny_fp):
    """manifest(): library version and layers, the method, content hashes; the hash changes with the
    method and the timestamp is only added when given."""
    m = tiny_fp.manifest()
    assert set(m) == {"lca_version", "study_id", "content", "factor_library", "method", "manifest_hash"}
    assert m["study_id"] == "tiny" and m["lca_version"] == lca.__version__
    assert m["factor_library"]["version"] == "2026.11.0"  # factors/library.toml
    assert m["factor_library"]["layers"] == ["shipped", "factors.csv"]
    assert m["method"] == tiny_fp.method and set(m["content"]) == {"study", "factors_used"}
    assert tiny_fp.manifest(timestamp="2026-01-01T00:00:00Z")["run_timestamp"] == "2026-01-01T00:00:00Z"
    other = lca.compute(_tiny(gwp="AR5")).manifest()
    assert other["manifest_hash"] != m["manifest_hash"]


# ------------------------------------------------------------------------------ export/figures.py

RICH_FACTORS = [  # extra factor rows for the rich tiny variant below (id, flow, category, value, unit, gas, ...)
    "x.biogas,tiny_biogas,Tiny biogas CH4,fuel,GLO,1,g/MJ,CH4_nonfossil,combustion,stoichiometric,n/a,2025,"
    "default,false,Biogas source,,,,3,3,3,none,,,,,,false",
    "x.box,tiny_box,Tiny box,material,GLO,1,kg_CO2e/kg,CO2e,cradle_to_gate,cradle_to_gate,n/a,2025,default,false,"
    "Box supplier,,,,5,5,5,none,,,,,,true",
    "x.air,freight_tinyair,Tiny air,freight,GLO,2,kg_CO2e/tkm,CO2e,well_to_wheel,WTW,n/a,2025,default,true,"
    "Air estimate,,,,2,4,1,none,,,,,,false",
    "x.zero,tiny_water,Tiny water,material,GLO,0,kg_CO2e/kg,CO2e,cradle_to_gate,cradle_to_gate,n/a,2025,default,"
    "false,Zero source,,,,4,4,4,none,,,,,,false",
]


def _rich(tiny_doc, tmp_path, **method):
    """The tiny study plus, on the film (per m^2 of good film, yield 0.5): 1 MJ biogas (non-fossil CH4,
    1 g/MJ → 2 MJ × 0.001 kg × 27 = 0.054), 5 g of box in the packaging stage (measured, with the box
    supplier's measured factor: 0.01 kg × 1 = 0.01), 1 g of water at a zero factor, and a 10 km
    'tinyair' leg after the truck (0.01 kg × 10 km = 0.0001 tkm × 2 = 0.0002, an estimate).

    one-site total = 1.1997 + 0.054 + 0.01 + 0.0002 = 1.2639."""
    header = (TINY / "factors.csv").read_text(encoding="utf-8").splitlines()[0] + ",primary"
    path = tmp_path / "extra.csv"
    path.write_text("\n".join([header, *RICH_FACTORS]) + "\n", encoding="utf-8")
    doc = copy.deepcopy(tiny_doc)
    doc["process"][0]["exchanges"] += [{"flow": "tiny_biogas", "amount": "1 MJ"},
                                       {"flow": "tiny_box", "amount": "5 g", "stage": "packaging", "primary": True},
                                       {"flow": "tiny_water", "amount": "1 g"}]
    doc["scenario"][0]["transport"][0]["legs"].append({"mode": "tinyair", "distance": "10 km"})
    doc["factors"]["files"].append(str(path))
    # packaging is now whatever stage the study maps to PACT packagingGhgEmissions ([[stage]] pact_field);
    # declaring the stages keeps the report order film, coat, packaging (raw_materials first, transport last)
    doc["stage"] = [{"id": "film"}, {"id": "coat"}, {"id": "packaging", "pact_field": "packagingGhgEmissions"}]
    return lca.compute(_tiny(doc, **method))


def test_scenario_figures_by_hand(tiny_doc, tmp_path):
    """scenario_figures: total, fossil / biogenic split by carbon origin, the packaging stage, outbound
    legs (to the cell plant), aircraft legs (mode contains 'air'), the primary share (the measured box
    with its measured factor), contribution-weighted DQRs and reliability (1 primary, 2 cited, 3 estimate)."""
    from lca.disclosure.pact.figures import scenario_figures

    fp = _rich(tiny_doc, tmp_path)
    f = {r["scenario"]: r for r in scenario_figures(fp).iter_rows(named=True)}
    assert list(f) == ["one-site", "two-step", "mix"]
    one, two, mix = f["one-site"], f["two-step"], f["mix"]
    total1 = ONE + 0.054 + 0.01 + 0.0002
    assert one["total"] == pytest.approx(total1, rel=1e-12)
    assert one["fossil"] == pytest.approx(total1 - 0.054, rel=1e-12)
    assert one["biogenic_non_co2"] == pytest.approx(0.054, rel=1e-12) and one["biogenic_uptake"] == 0.0
    assert one["packaging"] == pytest.approx(0.01, rel=1e-12) and one["has_packaging"] is True
    assert one["outbound"] == pytest.approx(0.0001 + 0.0002, rel=1e-12)
    assert one["aircraft"] == pytest.approx(0.0002, rel=1e-12)
    assert one["primary_pct"] == pytest.approx(0.01 / total1 * 100, rel=1e-12)
    w = total1  # all contributions are positive: weights = values
    assert one["dqr_technological"] == pytest.approx((total1 - 0.054 - 0.01 - 0.0002 + 0.054 * 3 + 0.01 * 5
                                                      + 0.0002 * 2) / w, rel=1e-12)
    assert one["dqr_geographical"] == pytest.approx((total1 - 0.054 - 0.01 - 0.0002 + 0.054 * 3 + 0.01 * 5
                                                     + 0.0002 * 4) / w, rel=1e-12)
    assert one["dqr_temporal"] == pytest.approx((total1 - 0.054 - 0.01 - 0.0002 + 0.054 * 3 + 0.01 * 5
                                                 + 0.0002 * 1) / w, rel=1e-12)
    assert one["dqr_reliability"] == pytest.approx(((total1 - 0.01 - 0.0002) * 2 + 0.01 * 1 + 0.0002 * 3) / w,
                                                   rel=1e-12)
    assert one["all_primary"] is False and one["unit"] == "kg_CO2e/m^2"
    # two-step: no air leg, its outbound leg is the coat's 0.00024; film items × 1.25
    assert two["aircraft"] == 0.0 and two["outbound"] == pytest.approx(0.00024, rel=1e-12)
    assert two["packaging"] == pytest.approx(0.0125, rel=1e-12)
    assert two["biogenic_non_co2"] == pytest.approx(0.0675, rel=1e-12)
    assert mix["total"] == pytest.approx((one["total"] + two["total"]) / 2, rel=1e-12)
    assert mix["outbound"] == pytest.approx((0.0003 + 0.00024) / 2, rel=1e-12)


def test_figures_without_packaging_outbound_or_primary(tiny_fp, tiny_doc):
    """No packaging stage: has_packaging is false and packaging 0; a study without a cell plant has
    no outbound legs; a zero total has a 0 % primary share, not a division by zero."""
    from lca.disclosure.pact.figures import scenario_figures

    f = scenario_figures(tiny_fp).row(0, named=True)
    assert (f["has_packaging"], f["packaging"], f["primary_pct"]) == (False, 0.0, 0.0)
    doc = copy.deepcopy(tiny_doc)
    del doc["study"]["cell_plant"]
    for scen in doc["scenario"]:
        for t in scen.get("transport", []):
            t["to"] = "plant"
    f = scenario_figures(lca.compute(_tiny(doc))).row(0, named=True)
    assert f["outbound"] == 0.0 and f["total"] == pytest.approx(ONE, rel=1e-12)


def test_all_primary_and_losses_are_secondary(tiny_doc, tmp_path):
    """A contribution is primary only if its activity and its factor are both measured and no grid-loss
    factor grossed it up; all_primary is true only when every contribution is primary."""
    from lca.disclosure.pact.figures import scenario_figures

    doc = copy.deepcopy(tiny_doc)
    doc["scenario"] = [{"id": "power", "label": "Power only", "steps": [{"process": "p", "site": "mill"}]}]
    doc["process"] = [{"id": "p", "output": "1 m^2", "yield": 1.0,
                       "exchanges": [{"flow": "tiny_power", "amount": "1 kWh", "primary": True}]}]
    header = (TINY / "factors.csv").read_text(encoding="utf-8").splitlines()[0] + ",primary"
    path = tmp_path / "own.csv"
    path.write_text("\n".join([header, "own.power,tiny_power,Own meter,electricity,ZZ-NORTH,0.3,kg_CO2e/kWh,CO2e,"
                                       "combustion,generation,excluded,2025,default,false,Own meter,,,,1,1,1,none,,,,,,"
                                       "true",
                               "own.loss,grid_loss,Loss,grid_loss,ZZ-NORTH,0.25,dimensionless,none,n/a,generation,"
                               "n/a,2025,default,false,Grid operator loss,,,,1,1,1,none,,,,,,false"]) + "\n",
                    encoding="utf-8")
    doc["factors"]["files"] = ["factors.csv", str(path)]
    f = scenario_figures(lca.compute(_tiny(doc))).row(0, named=True)
    assert (f["primary_pct"], f["all_primary"], f["dqr_reliability"]) == (100.0, True, 1.0)
    g = scenario_figures(lca.compute(_tiny(doc, td_losses="included"))).row(0, named=True)
    assert g["total"] == pytest.approx(0.3 / 0.75, rel=1e-12)
    assert (g["primary_pct"], g["all_primary"], g["dqr_reliability"]) == (0.0, False, 2.0)


def test_secondary_sources_list_every_non_primary_source(tiny_doc, tmp_path):
    """secondary_sources: per scenario, sorted unique (source, year) of every non-primary, non-zero
    contribution, plus the grid-loss factor's source where losses were added."""
    from lca.disclosure.pact.figures import secondary_sources

    fp = _rich(tiny_doc, tmp_path)
    want = [{"name": "Air estimate", "version": "2025"}, {"name": "Biogas source", "version": "2025"},
            {"name": "Test data", "version": "2024"}, {"name": "Test data", "version": "2025"}]
    got = secondary_sources(fp)
    assert list(got) == ["one-site", "two-step", "mix"]
    assert got["one-site"] == want and got["mix"] == want  # not the measured box, not the zero water
    assert got["two-step"] == [s for s in want if s["name"] != "Air estimate"]
    header = (TINY / "factors.csv").read_text(encoding="utf-8").splitlines()[0]
    loss = tmp_path / "loss.csv"
    loss.write_text(header + "\nl.north,grid_loss,Loss,grid_loss,ZZ-NORTH,0.05,dimensionless,none,n/a,generation,"
                             "n/a,2023,default,false,Loss source,,,,1,1,1,none,,,,,\n", encoding="utf-8")
    doc = copy.deepcopy(tiny_doc)
    doc["factors"]["files"].append(str(loss))
    got = secondary_sources(lca.compute(_tiny(doc, td_losses="included")))
    assert {"name": "Loss source", "version": "2023"} in got["one-site"]
    assert got["one-site"] == sorted(got["one-site"], key=lambda s: (s["name"], s["version"]))


def test_production_country_and_final_process(tiny_doc):
    """The country of the site of the delivered product (the last process, or the declared product when
    set: Footprint.delivered); a mix of parts from one country has that country, of several countries none."""
    from lca.disclosure.pact.figures import production_country

    def delivered(fp, scenario):
        return fp.delivered.filter(pl.col("scenario") == scenario).get_column("product").item()


    doc = copy.deepcopy(tiny_doc)
    doc["site"][1]["country"] = "QM"  # mill2, where two-step coats
    fp = lca.compute(_tiny(doc))
    assert [production_country(fp, s) for s in ("one-site", "two-step", "mix")] == ["ZZ", "QM", None]
    assert delivered(fp, "two-step") == "coat"
    doc["scenario"][1]["product"] = "film"  # the declared product wins over the last step
    doc["scenario"][1]["transport"][0]["goods"] = "film"
    fp = lca.compute(_tiny(doc))
    assert delivered(fp, "two-step") == "film" and production_country(fp, "two-step") == "ZZ"
    assert delivered(fp, "mix") == "film"  # both parts deliver film: so does the mix (else null, as above)
    assert production_country(fp, "mix") == "ZZ"


def test_boundary_description_by_hand(tiny_fp):
    """The boundary text names processes at their sites, each leg, the packaging factor and the stages;
    a mix lists its parts with their shares."""
    from lca.disclosure.pact.figures import boundary_description

    one = ("Cradle-to-gate of Tiny film plus delivery to the customer's cell plant (Cell plant). Processes: film "
           "at Mill. Transport: film mill → plant (tinytruck 100 km; shipped mass × 1 for packaging). Stages "
           "included: film, raw_materials, transport. Capital goods and end of life are outside the boundary.")
    assert boundary_description(tiny_fp, "one-site") == one
    mix = boundary_description(tiny_fp, "mix")
    assert mix.startswith("Supply mix of scenarios (weighted by share). 50 % one-site: " + one + " | 50 % two-step: ")
    assert "Processes: film at Mill; coat at Second mill." in mix


@pytest.mark.parametrize("du,name,amount", [("2 m^2", "square meter", 2.0), ("500 g", "kilogram", 0.5),
                                            ("3 MWh", "kilowatt hour", 3000.0), ("2 L", "cubic meter", 0.002),
                                            ("4 tkm", "ton kilometer", 4.0)])
def test_pact_declared_unit_names(tiny_fp, du, name, amount):
    """declared_unit(): the PACT unit name of the declared unit's dimension, the amount in that unit,
    and the product mass per declared unit in kg."""
    from lca.disclosure.pact.figures import declared_unit
    from lca.study import Quantity

    value, unit = du.split(" ")
    product = dataclasses.replace(tiny_fp.study.product, declared_unit=Quantity(float(value), unit))
    fp = dataclasses.replace(tiny_fp, study=dataclasses.replace(tiny_fp.study, product=product))
    got = declared_unit(fp)
    assert (got["name"], got["amount"], got["mass_kg"]) == (name, pytest.approx(amount, rel=1e-12),
                                                            pytest.approx(0.010, rel=1e-12))
    product = dataclasses.replace(product, declared_unit=Quantity(1.0, "s"))
    with pytest.raises(LcaInputError, match="declared unit '1 s' has no PACT equivalent"):
        declared_unit(dataclasses.replace(fp, study=dataclasses.replace(fp.study, product=product)))


# --------------------------------------------------------------------------------- grid_losses.py

HEADER = (TINY / "factors.csv").read_text(encoding="utf-8").splitlines()[0]


def _loss_file(tmp_path, *rows: str, name: str = "loss.csv") -> str:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def _loss(fid: str, region: str, value, unit: str = "dimensionless", scope: str = "n/a", year: int = 2025) -> str:
    return (f"{fid},grid_loss,{fid},grid_loss,{region},{value},{unit},none,{scope},generation,n/a,{year},default,"
            "false,Loss data,,,,1,1,1,none,,,,,")


def test_losses_gross_up_only_electricity_rows_that_exclude_them(tiny_doc, tmp_path):
    """Only electricity rows with td_losses = excluded are grossed up (value / (1 − loss)); a fuel row
    that says 'excluded' and an electricity row that says 'included' are left alone, and carry no loss."""
    doc = copy.deepcopy(tiny_doc)
    text = (TINY / "factors.csv").read_text(encoding="utf-8")
    text = text.replace("tiny.power.south,tiny_power,Tiny grid south,electricity,ZZ-SOUTH,0.2,kg_CO2e/kWh,CO2e,"
                        "combustion,generation,excluded", "tiny.power.south,tiny_power,Tiny grid south,electricity,"
                        "ZZ-SOUTH,0.2,kg_CO2e/kWh,CO2e,combustion,generation,included")
    text = text.replace("tiny.gas.co2,tiny_gas,Tiny gas CO2,fuel,GLO,0.05,kg/MJ,CO2,combustion,stoichiometric,n/a",
                        "tiny.gas.co2,tiny_gas,Tiny gas CO2,fuel,GLO,0.05,kg/MJ,CO2,combustion,stoichiometric,"
                        "excluded")
    (tmp_path / "factors.csv").write_text(text, encoding="utf-8")
    doc["factors"]["files"] = [str(tmp_path / "factors.csv"),
                               _loss_file(tmp_path, _loss("l.north", "ZZ-NORTH", 0.2), _loss("l.south", "ZZ-SOUTH", 0.5))]
    fp = lca.compute(_tiny(doc, td_losses="included"))
    d = fp.detail.filter(pl.col("scenario") == "two-step")
    by = {(f, s): (v, loss) for f, s, v, loss in _rows(d.group_by("flow", "site").agg(
        pl.col("value").sum(), pl.col("td_loss").first()), "flow", "site", "value", "td_loss")}
    assert by[("tiny_power", "mill")] == (pytest.approx(1.25 / 0.8, rel=1e-12), 0.2)
    assert by[("tiny_power", "mill2")] == (pytest.approx(0.125, rel=1e-12), None)  # 'included': not grossed up
    assert by[("tiny_gas", "mill")] == (pytest.approx(1.25 * 0.1596, rel=1e-12), None)  # not electricity
    assert set(d.filter(pl.col("flow") == "tiny_gas").get_column("td_loss_factor")) == {None}
    assert set(d.filter(pl.col("site") == "mill").filter(pl.col("flow") == "tiny_power")
               .get_column("td_loss_factor")) == {"l.north"}


def test_a_zero_loss_is_a_loss_and_one_is_refused(tiny_path, tmp_path):
    """A loss of 0 is a valid fraction (nothing added, but the factor is recorded); a frame built past
    validation with a loss of 1 is refused when losses are applied, naming the factor."""
    s = _tiny(td_losses="included")
    fp = lca.compute(s, factors=[_loss_file(tmp_path, _loss("l.zero", "ZZ-NORTH", 0))])
    mill = fp.detail.filter((pl.col("site") == "mill") & (pl.col("flow") == "tiny_power"))
    assert set(mill.get_column("td_loss")) == {0.0} and set(mill.get_column("td_loss_factor")) == {"l.zero"}
    assert fp.total("one-site").value == pytest.approx(ONE, rel=1e-12)
    lib = lca.load_library(_loss_file(tmp_path, _loss("l.bad", "ZZ-NORTH", 0.5), name="bad.csv"))
    lib = dataclasses.replace(lib, factors=lib.factors.with_columns(
        pl.when(pl.col("id") == "l.bad").then(pl.lit("1")).otherwise(pl.col("value")).alias("value")
        if lib.factors.schema["value"] == pl.String else
        pl.when(pl.col("id") == "l.bad").then(1.0).otherwise(pl.col("value")).alias("value")))
    with pytest.raises(FactorError, match=r"grid-loss factor 'l.bad' is not a fraction in \[0, 1\)"):
        lca.compute(s, library=lib)


def test_a_negative_loss_past_validation_is_refused(tiny_path, tmp_path):
    """A negative loss fraction (a frame built past validation) is refused, not used as a gain."""
    s = _tiny(td_losses="included")
    lib = lca.load_library(_loss_file(tmp_path, _loss("l.neg", "ZZ-NORTH", 0.5)))
    lib = dataclasses.replace(lib, factors=lib.factors.with_columns(
        pl.when(pl.col("id") == "l.neg").then(-0.1).otherwise(pl.col("value")).alias("value")))
    with pytest.raises(FactorError, match="grid-loss factor 'l.neg' is not a fraction"):
        lca.compute(s, library=lib)


def test_no_electricity_no_loss_columns(tiny_doc, tmp_path):
    """A study without electricity activities gets null loss columns and unchanged values."""
    doc = copy.deepcopy(tiny_doc)
    doc["process"][0]["exchanges"] = [e for e in doc["process"][0]["exchanges"] if e.get("flow") != "tiny_power"]
    doc["process"][1]["exchanges"] = [e for e in doc["process"][1]["exchanges"] if e.get("flow") != "tiny_power"]
    doc["factors"]["files"].append(_loss_file(tmp_path, _loss("l.north", "ZZ-NORTH", 0.2)))
    fp = lca.compute(_tiny(doc, td_losses="included"))
    assert fp.detail.get_column("td_loss").null_count() == fp.detail.height
    assert fp.detail.get_column("td_loss_factor").null_count() == fp.detail.height
    assert fp.total("one-site").value == pytest.approx(ONE - 1.0, rel=1e-12)


# ----------------------------------------------------------------------------------- inventory.py

def _diamond(tiny_doc):
    """two-step gets a third process 'lam' (output 2 m^2, yield 0.5) that consumes 1 m^2 of coat AND
    5000 cm^2 of film, and 2000 Wh; its leg to the plant is 100 mile with packaging factor 1.5; 'mix2'
    mixes the mix with one-site."""
    doc = copy.deepcopy(tiny_doc)
    doc["process"].append({"id": "lam", "stage": "lam", "output": "2 m^2", "output_mass": "0.03 kg", "yield": 0.5,
                           "exchanges": [{"input": "coat", "amount": "1 m^2"},
                                         {"input": "film", "amount": "5000 cm^2"},
                                         {"flow": "tiny_power", "amount": "2000 Wh"}]})
    doc["scenario"][1]["steps"].append({"process": "lam", "site": "mill2"})
    doc["scenario"][1]["transport"] = [{"goods": "lam", "from": "mill2", "to": "cell_plant", "packaging_factor": 1.5,
                                        "legs": [{"mode": "tinytruck", "distance": "100 mile"}]}]
    doc["scenario"].append({"id": "mix2", "label": "Mix of a mix", "mix": {"mix": 0.5, "one-site": 0.5}})
    return doc


def test_scales_of_a_diamond_graph_by_hand(tiny_doc):
    """process_scales: the final process makes one declared unit (2 m^2 output → 0.5); every consumer
    adds its need (amount × unit conversion / its yield / the supplier's output) to the supplier:
    coat = 0.5 × 1 / 0.5 = 1; film = 1 × 1 / 0.8 (coat) + 0.5 × 0.5 / 0.5 (lam) = 1.75."""
    from lca.engine.inventory import process_scales

    s = process_scales(_tiny(_diamond(tiny_doc)))
    assert _rows(s.sort("scenario", "process"), "scenario", "process", "site", "scale") == [
        ("one-site", "film", "mill", 1.0), ("two-step", "coat", "mill2", 1.0), ("two-step", "film", "mill", 1.75),
        ("two-step", "lam", "mill2", 0.5)]


def test_inventory_of_a_diamond_graph_by_hand(tiny_doc):
    """build_inventory: exchange amount = scale × amount / yield in its own unit; a leg's shipped mass =
    scale × output mass (kg) × packaging factor, its distance in km, amount = t × km; nested mixes
    multiply shares and amounts, keeping the system scenario as the component."""
    from lca.engine.inventory import build_inventory

    inv = build_inventory(_tiny(_diamond(tiny_doc)))
    assert inv.get_column("act").to_list() == list(range(inv.height))
    two = inv.filter(pl.col("scenario") == "two-step")
    got = {(p, f): (a, u) for p, f, a, u in _rows(two, "process", "flow", "amount", "unit")}
    assert got[("lam", "tiny_power")] == (pytest.approx(2000.0, rel=1e-12), "Wh")  # 0.5 × 2000 Wh / 0.5
    assert got[("film", "tiny_resin")] == (pytest.approx(35.0, rel=1e-12), "g")  # 1.75 × 10 g / 0.5
    assert got[("coat", "tiny_power")] == (pytest.approx(0.625, rel=1e-12), "kWh")
    leg = two.filter(pl.col("stage") == "transport").row(0, named=True)
    assert (leg["process"], leg["site"], leg["flow"], leg["unit"], leg["mode"]) == (
        "mill2 → plant", "mill2", "freight_tinytruck", "tkm", "tinytruck")
    assert leg["shipped_kg"] == pytest.approx(0.5 * 0.03 * 1.5, rel=1e-12)
    assert leg["distance_km"] == pytest.approx(160.9344, rel=1e-12)
    assert leg["amount"] == pytest.approx(0.0225 / 1000 * 160.9344, rel=1e-12)
    assert (leg["stage_default"], leg["share"], leg["component"]) == (False, 1.0, "two-step")
    film = two.filter(pl.col("process") == "film").row(0, named=True)
    assert (film["stage"], film["stage_default"]) == ("film", True)
    mix2 = inv.filter(pl.col("scenario") == "mix2")
    parts = mix2.group_by("component", "share").agg(pl.col("amount").filter(pl.col("flow") == "tiny_gas").sum())
    assert sorted(_rows(parts, "component", "share", "amount")) == [
        ("one-site", 0.25, pytest.approx(0.5, rel=1e-12)), ("one-site", 0.5, pytest.approx(1.0, rel=1e-12)),
        ("two-step", 0.25, pytest.approx(0.875, rel=1e-12))]
    ship = mix2.filter(pl.col("stage") == "transport")
    assert sorted(ship.get_column("shipped_kg").to_list()) == pytest.approx([0.0025, 0.005, 0.005625], rel=1e-12)
    assert inv.get_column("scenario").unique(maintain_order=True).to_list() == ["one-site", "two-step", "mix", "mix2"]


def test_totals_of_a_diamond_graph_by_hand(tiny_doc):
    """two-step = film 1.75 × 1.1996 + coat 0.625 kWh × 0.2 + lam 2 kWh × 0.2 + leg 0.003621 tkm × 0.1."""
    fp = lca.compute(_tiny(_diamond(tiny_doc)))
    two = 1.75 * 1.1996 + 0.125 + 0.4 + 0.0225 / 1000 * 160.9344 * 0.1
    mix = 0.5 * ONE + 0.5 * two
    t = dict(_rows(fp.totals(), "scenario", "value"))
    assert t == pytest.approx({"one-site": ONE, "two-step": two, "mix": mix, "mix2": 0.5 * mix + 0.5 * ONE},
                              rel=1e-12)


def test_a_zero_share_component_is_left_out(tiny_doc):
    """A mix component with share 0 contributes no rows at all (not rows of zero)."""
    doc = copy.deepcopy(tiny_doc)
    doc["scenario"][2]["mix"] = {"one-site": 1.0, "two-step": 0.0}
    fp = lca.compute(_tiny(doc))
    mix = fp.detail.filter(pl.col("scenario") == "mix")
    assert set(mix.get_column("component")) == {"one-site"}
    assert fp.total("mix").value == pytest.approx(ONE, rel=1e-12)


def test_loss_rows_of_any_flow_name_and_the_gap_warning(tiny_path, tmp_path):
    """Any grid-loss row of the region is a candidate whatever its own flow name; a site whose region
    has none gets exactly one warning (electricity only), worded as documented."""
    row = _loss("l.north", "ZZ-NORTH", 0.2).replace(",grid_loss,l.north", ",tnd_losses,l.north", 1)
    fp = lca.compute(_tiny(td_losses="included"), factors=[_loss_file(tmp_path, row)])
    assert fp.total("one-site").value == pytest.approx(ONE - 1.0 + 1.0 / 0.8, rel=1e-12)
    assert fp.warnings[0] == "no grid-loss factor for region ZZ-SOUTH (site 'mill2'): T&D losses not added"
    # #13: the same gap as a departure from the declared basis, with its screening bias, and mixed bases
    assert fp.warnings[1:] == [
        "site 'mill2' (ZZ-SOUTH): electricity not on the declared basis combustion-consumption-CO2e: T&D losses "
        "(no grid-loss factor for ZZ-SOUTH) (estimated effect -5.0% of its electricity emissions)",
        "electricity of the compared sites is on mixed bases (combustion-consumption-CO2e: mill; "
        "combustion-generation-CO2e: mill2): scenario comparisons mix bases"]


def test_loss_columns_are_typed_when_nothing_applies(tiny_doc):
    """contributions() with losses included but no electricity rows: td_loss is a null Float64 column
    and td_loss_factor a null String column (never untyped nulls)."""
    from lca.engine.inventory import build_inventory
    from lca.engine.pipeline import contributions

    doc = copy.deepcopy(tiny_doc)
    for p in doc["process"]:
        p["exchanges"] = [e for e in p["exchanges"] if e.get("flow") != "tiny_power"]
    s = _tiny(doc)
    lib = lca.load_library().with_overrides(*s.factor_files)
    out = contributions(build_inventory(s), s.sites, lib, ref_year=2025, td_losses="included")
    assert (out.schema["td_loss"], out.schema["td_loss_factor"]) == (pl.Float64, pl.String)
    assert out.get_column("td_loss").null_count() == out.height


def _power_doc(tiny_doc, market: dict[str, str | None]):
    doc = copy.deepcopy(tiny_doc)
    for site in doc["site"]:
        site["market_factor"] = market.get(site["id"])
    return doc


def test_market_note_only_where_the_contract_was_grossed_up(tiny_doc, tmp_path):
    """Under the market rule the 'T&D losses added to supplier-specific factor' note is given for the
    site whose market factor was grossed up, not for a site on its location factor, nor for a contract
    row that already includes losses; under the location rule never, even when a market_factor names
    the grid factor itself."""
    contract = ("ppa.north,tiny_power,PPA north,electricity,ZZ-NORTH,0.1,kg_CO2e/kWh,CO2e,combustion,generation,"
                "excluded,2025,market,false,PPA,,,,1,1,1,none,,,,,")
    retail = ("ppa.south,tiny_power,Retail south,electricity,ZZ-SOUTH,0.3,kg_CO2e/kWh,CO2e,combustion,generation,"
              "included,2025,market,false,Retail,,,,1,1,1,none,,,,,")
    losses = [_loss("l.north", "ZZ-NORTH", 0.2), _loss("l.south", "ZZ-SOUTH", 0.5)]
    doc = _power_doc(tiny_doc, {"mill": "ppa.north", "mill2": "ppa.south"})
    doc["factors"]["files"].append(_loss_file(tmp_path, contract, retail, *losses))
    fp = lca.compute(_tiny(doc, electricity_rule="market", td_losses="included"))
    assert fp.warnings == ["T&D losses added to supplier-specific factor 'ppa.north' (site 'mill') with the grid's "
                           "loss fraction (l.north): losses are physical, the contract does not change them"]
    two = fp.detail.filter(pl.col("scenario") == "two-step")
    power = {s: (v, loss) for s, v, loss in _rows(two.filter(pl.col("flow") == "tiny_power"), "site", "value",
                                                  "td_loss")}
    assert power["mill"] == (pytest.approx(1.25 * 2 * 0.1 / 0.8, rel=1e-12), 0.2)
    assert power["mill2"] == (pytest.approx(0.625 * 0.3, rel=1e-12), None)  # 'included': as is
    doc = _power_doc(tiny_doc, {"mill": "ppa.north", "mill2": None})
    doc["factors"]["files"].append(_loss_file(tmp_path, contract, *losses, name="l2.csv"))
    fp = lca.compute(_tiny(doc, electricity_rule="market", td_losses="included"))
    assert sorted(fp.warnings) == sorted([
        "T&D losses added to supplier-specific factor 'ppa.north' (site 'mill') with the grid's loss fraction "
        "(l.north): losses are physical, the contract does not change them",
        "no supplier-specific factor (market_factor) for site 'mill2': location-based grid factor used as a proxy "
        "for the residual mix"])
    doc = _power_doc(tiny_doc, {"mill": "tiny.power.north"})
    doc["factors"]["files"].append(_loss_file(tmp_path, *losses, name="l3.csv"))
    fp = lca.compute(_tiny(doc, td_losses="included"))
    assert fp.warnings == [] and fp.total("one-site").value == pytest.approx(ONE - 1.0 + 1.0 / 0.8, rel=1e-12)


def test_losses_are_recorded_only_on_the_rows_they_apply_to(tiny_doc, tmp_path):
    """An electricity activity charged two scopes (combustion, excluding losses; upstream, including
    them): only the combustion row is grossed up and carries the loss and its factor."""
    up = ("up.north,tiny_power,Upstream north,electricity,ZZ-NORTH,0.05,kg_CO2e/kWh,CO2e,upstream,generation,"
          "included,2025,default,false,Upstream data,,,,1,1,1,none,,,,,")
    doc = copy.deepcopy(tiny_doc)
    doc["factors"]["files"].append(_loss_file(tmp_path, up, _loss("l.north", "ZZ-NORTH", 0.2)))
    # #13: an electricity upstream row is an adder, charged under a life-cycle basis only
    fp = lca.compute(_tiny(doc, electricity_basis="lifecycle-consumption-CO2e"))
    rows = fp.detail.filter((pl.col("scenario") == "one-site") & (pl.col("flow") == "tiny_power"))
    got = {f: (v, loss, lf) for f, v, loss, lf in _rows(rows, "factor_id", "value", "td_loss", "td_loss_factor")}
    assert got == {"tiny.power.north": (pytest.approx(2 * 0.5 / 0.8, rel=1e-12), 0.2, "l.north"),
                   "up.north": (pytest.approx(2 * 0.05, rel=1e-12), None, None)}


# ---------------------------------------------------------------------------- engine/pipeline.py

def _fallback_doc(tiny_doc, tmp_path, allow: str | None, *, glo: bool = True):
    """The tiny study with the mill moved to country XA (grid XA-NORTH, subdivision XA-01), where only a
    global tiny_power factor (0.3 kg/kWh) exists: its electricity can only fall back to the global level."""
    doc = copy.deepcopy(tiny_doc)
    mill = doc["site"][0]
    mill.update(country="XA", grid="XA-NORTH", subdivision="XA-01")
    if allow:
        mill["grid_fallback"] = allow
    if glo:
        row = ("tiny.power.glo,tiny_power,Tiny grid world,electricity,GLO,0.3,kg_CO2e/kWh,CO2e,combustion,"
               "generation,excluded,2025,default,false,Test data,,,,1,1,1,none,,,,,")
        doc["factors"]["files"].append(_loss_file(tmp_path, row, name="glo.csv"))
    return doc


FALLBACK_NOTE = ("site 'mill': grid region XA-NORTH has no default 'tiny_power' factor: the global-level factor "
                 "of GLO is used (grid_fallback = \"global\")")


def test_a_global_fallback_names_the_whole_chain_tried(tiny_doc, tmp_path):
    """A grid region whose subdivision and country have no electricity factor either falls back to the
    global level: refused without a declaration, naming every region tried (grid → subdivision →
    country), and refused when the declared fallback (country) does not reach the global level."""
    with pytest.raises(FactorError) as err:
        lca.compute(_tiny(_fallback_doc(tiny_doc, tmp_path, None)))
    (p,) = err.value.problems
    assert "tried XA-NORTH → XA-01 → XA)" in p.message and "GLO at the global level" in p.message
    assert (p.table, p.column) == ("site 'mill'", "grid")
    with pytest.raises(FactorError, match='grid_fallback = "country" does not reach the global level'):
        lca.compute(_tiny(_fallback_doc(tiny_doc, tmp_path, "country")))


def test_a_declared_global_fallback_is_charged_and_noted_once(tiny_doc, tmp_path):
    """grid_fallback = "global": the global factor is charged (one-site: 2 kWh × 0.3 instead of × 0.5)
    and the fallback is one warning, worded as documented, on the mill's electricity rows only."""
    fp = lca.compute(_tiny(_fallback_doc(tiny_doc, tmp_path, "global")))
    assert fp.total("one-site").value == pytest.approx(ONE - 1.0 + 0.6, rel=1e-12)
    assert fp.warnings == [FALLBACK_NOTE]
    noted = fp.detail.filter(pl.col("method_note").is_not_null())
    assert set(_rows(noted, "site", "flow", "region_fallback")) == {("mill", "tiny_power", "global")}
    assert noted.height == 4  # one-site, two-step, and the mix (one row per component)


def test_a_fallback_note_follows_the_market_gap_note(tiny_doc, tmp_path):
    """Under the market rule without a market_factor the residual-mix gap and the fallback are both noted,
    in that order, on the same rows; the second mill (own grid factor) has the gap note only."""
    fp = lca.compute(_tiny(_fallback_doc(tiny_doc, tmp_path, "global"), electricity_rule="market"))
    gap = ("no supplier-specific factor (market_factor) for site '{}': location-based grid factor used as a proxy "
           "for the residual mix")
    assert fp.warnings == [gap.format("mill"), FALLBACK_NOTE, gap.format("mill2")]
    notes = set(fp.detail.filter(pl.col("site") == "mill").get_column("method_note").drop_nulls())
    assert notes == {gap.format("mill") + "; " + FALLBACK_NOTE}


def test_the_national_rule_never_falls_back_from_a_grid(tiny_doc, tmp_path):
    """Under the national rule the grid region is skipped by definition: no declaration needed, no note;
    XA has no country factor, so the global one is charged."""
    fp = lca.compute(_tiny(_fallback_doc(tiny_doc, tmp_path, None), electricity_rule="national"))
    assert fp.warnings == [] and fp.total("one-site").value == pytest.approx(ONE - 1.0 + 0.6, rel=1e-12)


# ---------------------------------------------------------------------------- factors/editions.py

def _tie_rows(files: tuple[str | None, str | None]) -> pl.DataFrame:
    return pl.DataFrame({"id": ["a.1", "b.1"], "flow": ["f", "f"], "category": ["fuel", "fuel"], "region": ["R", "R"],
                         "scope": ["combustion"] * 2, "year": [2025, 2025], "status": ["default"] * 2,
                         "edition": ["E1", "E2"], "file": list(files)},
                        schema_overrides={"file": pl.String})


def test_an_edition_tie_names_both_editions_and_is_located_where_it_can_be():
    """edition_ties: two default editions of one key with the same vintage are one problem naming both
    editions with their ids (and files, when there are any). It is located at the new layer's row when the
    new layer is part of the tie, else in the first user file, without a row."""
    from lca.factors.editions import edition_ties

    (p,) = edition_ties(_tie_rows((None, None)))  # in-memory rows: no file to name
    assert p.message == ("flow 'f' in region R, scope combustion: two editions have the same vintage 2025: "
                         "'E1' (a.1) and 'E2' (b.1); a study that charges this flow there could not tell which "
                         "edition to use")
    assert (p.file, p.row, p.column) == (None, None, None)
    (p,) = edition_ties(_tie_rows(("a.csv", "b.csv")), prefer="b.csv", rows={"b.1": 7})
    assert "'E1' (a.1 in a.csv) and 'E2' (b.1 in b.csv)" in p.message
    assert (p.file, p.row, p.column) == ("b.csv", 7, "year")
    (p,) = edition_ties(_tie_rows(("factors/x.csv", "a.csv")), prefer="new.csv", rows={"n.1": 1})
    assert (p.file, p.row, p.column) == ("a.csv", None, None)


def test_losses_follow_the_national_rule(tiny_doc, tmp_path):
    """Under the national rule the loss row is looked up from the country, like the electricity factor:
    the grid region's own loss row (0.2) is skipped for the country's (0.5). one-site power:
    2 kWh × 0.4 (ZZ) / (1 − 0.5) = 1.6."""
    doc = copy.deepcopy(tiny_doc)
    doc["factors"]["files"].append(_loss_file(tmp_path, _loss("l.north", "ZZ-NORTH", 0.2), _loss("l.zz", "ZZ", 0.5)))
    fp = lca.compute(_tiny(doc, electricity_rule="national", td_losses="included"))
    assert fp.total("one-site").value == pytest.approx(ONE - 1.0 + 1.6, rel=1e-12)
    power = fp.detail.filter((pl.col("scenario") == "one-site") & (pl.col("flow") == "tiny_power"))
    assert _rows(power, "factor_id", "td_loss", "td_loss_factor") == [("tiny.power.zz", 0.5, "l.zz")]


def test_boundary_description_uses_process_names(tiny_doc):
    """A process with a name is described by its name, one without by its id."""
    from lca.disclosure.pact.figures import boundary_description

    doc = copy.deepcopy(tiny_doc)
    doc["process"][1]["name"] = "Coating line"
    fp = lca.compute(_tiny(doc))
    assert "Processes: film at Mill; Coating line at Second mill." in boundary_description(fp, "two-step")


def test_grid_loss_editions_tie_whatever_their_flow_names():
    """Grid-loss rows are one flow as resolved ('grid_loss', whatever their own flow name): two loss
    editions of one region and vintage tie; rows that are not 'default' never do."""
    from lca.factors.editions import edition_ties

    rows = _tie_rows((None, None)).with_columns(pl.Series("flow", ["tnd_losses", "grid_loss"]),
                                                pl.lit("grid_loss").alias("category"), pl.lit("n/a").alias("scope"))
    (p,) = edition_ties(rows)
    assert p.message.startswith("flow 'grid_loss' in region R, scope n/a: two editions have the same vintage 2025")
    assert edition_ties(rows.with_columns(pl.Series("status", ["default", "alternative"]))) == []


def test_views_put_missing_keys_last(tiny_doc, tmp_path):
    """Rows without a value in a grouping key (no grid-loss factor on fuel and material rows) sort after
    the rows with one, within their stage."""
    doc = copy.deepcopy(tiny_doc)
    doc["factors"]["files"].append(_loss_file(tmp_path, _loss("l.north", "ZZ-NORTH", 0.2)))
    fp = lca.compute(_tiny(doc, td_losses="included"))
    got = _rows(fp.by("stage", "td_loss_factor", scenario="one-site"), "stage", "td_loss_factor")
    film = [t for s, t in got if s == "film"]
    assert film == ["l.north", None] and len(got) == 4


# ------------------------------------------------------------------------- engine/characterise.py

def _tiny_factors():
    from lca.factors import factor_columns

    lib = lca.load_library().with_overrides(TINY / "factors.csv")
    return lib, factor_columns(lib.factors)


def test_characterise_by_hand_with_string_or_categorical_keys():
    """characterise: value = amount × unit conversion × factor × GWP, the same whether the keys are text
    or categorical (the packed-key fast path); 1 MJ of tiny gas CH4 at 1 g/MJ × 29.8 (AR6) = 0.0298 kg,
    500 Wh of north power at 0.5 kg/kWh = 0.25 kg; two factors of one unit (MJ) are told apart."""
    from lca.engine.characterise import characterise, gwp_table

    lib, f = _tiny_factors()
    frame = pl.DataFrame({"factor_id": ["tiny.gas.ch4", "tiny.power.north", "tiny.gas.ch4", "tiny.gas.co2"],
                          "unit": ["MJ", "Wh", "GJ", "MJ"], "amount": [1.0, 500.0, 0.002, 1.0],
                          "origin": ["a", "b", "c", "d"]})
    want = {"a": 0.0298, "b": 0.25, "c": 0.0596, "d": 0.05}  # by origin: row order is not part of the contract
    for keys in (pl.String, pl.Categorical):
        typed = frame.with_columns(pl.col("factor_id", "unit").cast(keys))
        out = characterise(typed, f, gwp_table(lib, "AR6"))
        assert dict(_rows(out, "origin", "value")) == pytest.approx(want, rel=1e-12), keys
        lazy = characterise(typed.lazy(), f, gwp_table(lib, "AR6")).collect()
        assert dict(_rows(lazy, "origin", "value")) == pytest.approx(want, rel=1e-12), keys


def test_a_gas_without_gwp_in_the_set_is_refused():
    """A factor whose gas has no GWP in the chosen set is an error naming the gas and the factor, never a
    silently missing value."""
    from lca.engine.characterise import characterise, gwp_table

    lib, f = _tiny_factors()
    gwp = gwp_table(lib, "AR6").filter(pl.col("gas") != "CH4_fossil")
    frame = pl.DataFrame({"factor_id": ["tiny.gas.ch4"], "unit": ["MJ"], "amount": [1.0], "origin": ["row 3"]})
    with pytest.raises(FactorError, match="no GWP for gas 'CH4_fossil' \\(factor 'tiny.gas.ch4'"):
        characterise(frame, f, gwp)


# ---------------------------------------------------------------------------- factors/resolution.py

def test_a_region_at_two_levels_is_tried_once(tiny_doc):
    """A site whose grid region is its country (grid = country, as for KR) tries that region once: the
    error for a flow with no factor there lists 'XA → GLO', not the region twice."""
    doc = copy.deepcopy(tiny_doc)
    doc["site"][0].update(country="XA", grid="XA")
    with pytest.raises(FactorError) as err:
        lca.compute(_tiny(doc))
    msgs = [p.message for p in err.value.problems]
    assert "no default factor for flow 'tiny_power' at site 'mill' in regions XA → GLO" in msgs


def test_three_fallbacks_are_three_notes(tiny_doc, tmp_path):
    """Three sites falling back (one note each) keep each note on its own site's rows."""
    doc = _fallback_doc(tiny_doc, tmp_path, "global")
    doc["site"][1].update(country="XA", grid="XA-SOUTH", grid_fallback="global")
    doc["site"].append({"id": "mill3", "name": "Third mill", "country": "XA", "grid": "XA-EAST",
                        "grid_fallback": "global"})
    doc["scenario"].append({"id": "three", "label": "At the third mill", "steps": [{"process": "film", "site": "mill3"}]})
    fp = lca.compute(_tiny(doc))
    notes = fp.detail.filter(pl.col("method_note").is_not_null()).select("site", "method_note").unique()
    assert sorted(_rows(notes, "site", "method_note")) == [
        (s, FALLBACK_NOTE.replace("'mill'", f"'{s}'").replace("XA-NORTH", g))
        for s, g in (("mill", "XA-NORTH"), ("mill2", "XA-SOUTH"), ("mill3", "XA-EAST"))]


# -------------------------------------------------------------------------------- engine/solve.py

def _loop_doc(tiny_doc, film: float):
    """The tiny study plus a fourth scenario 'loop' (so its block does not start at pid 0): 'lfilm'
    (1 m^2 gross, yield 0.8) eats 10 g of pellets; 'pellets' (1 kg) eats 0.5 kg of regrind; 'regrind'
    (1 kg) eats ``film`` m^2 of lfilm; 'wrap' (1 m^2) eats 1 m^2 of lfilm and is the delivered product.
    lfilm balance: 0.8 F − film × 0.005 F = W = 1 (W: wrap runs), so film = 160 is singular and
    film = 200 gives F = 1 / (0.8 − 1) = −5 (all three loop processes negative, wrap +1)."""
    doc = copy.deepcopy(tiny_doc)
    doc["process"] += [
        {"id": "lfilm", "stage": "film", "output": "1 m^2", "yield": 0.8,
         "exchanges": [{"input": "pellets", "amount": "10 g"}, {"flow": "tiny_power", "amount": "1 kWh"}]},
        {"id": "pellets", "stage": "film", "output": "1 kg",
         "exchanges": [{"flow": "tiny_resin", "amount": "0.5 kg"}, {"input": "regrind", "amount": "0.5 kg"}]},
        {"id": "regrind", "stage": "film", "output": "1 kg",
         "exchanges": [{"input": "lfilm", "amount": f"{film} m^2"}]},
        {"id": "wrap", "stage": "film", "output": "1 m^2", "exchanges": [{"input": "lfilm", "amount": "1 m^2"}]}]
    doc["scenario"].append({"id": "loop", "label": "Loop", "product": "wrap",
                            "steps": [{"process": p, "site": "mill"} for p in ("lfilm", "pellets", "regrind", "wrap")]})
    return doc


def test_a_negative_loop_names_its_own_processes_in_a_later_block(tiny_doc):
    """A loop that consumes more than it makes names exactly its negative processes, in pid order,
    also when its scenario's block starts after other scenarios' (pid offset added, not subtracted)."""
    from lca.errors import GraphError

    with pytest.raises(GraphError) as err:
        lca.compute(_tiny(_loop_doc(tiny_doc, 200)))
    p = err.value.problems[0]
    assert p.table == "scenario 'loop'" and p.column == "steps"
    assert p.message == ("the loop through 'lfilm', 'pellets', 'regrind' consumes more than it makes (a negative "
                         "number of runs)")


def test_a_singular_loop_names_the_null_space_not_its_consumer(tiny_doc):
    """A singular loop names the processes of the null space of A (the loop: lfilm, pellets, regrind),
    not 'wrap', which consumes the loop's film but is no part of it (its null-space entry is 0)."""
    from lca.errors import GraphError

    with pytest.raises(GraphError) as err:
        lca.compute(_tiny(_loop_doc(tiny_doc, 160)))
    p = err.value.problems[0]
    assert p.table == "scenario 'loop'"
    assert "the processes 'lfilm', 'pellets', 'regrind' make exactly what they consume" in p.message
    assert "'wrap'" not in p.message


# ---------------------------------------------------------------------------- engine/inventory.py

def test_a_substitution_credit_keeps_its_process_stage(tmp_path):
    """A substitution credit row is in its process's stage as written (stage_default false, never
    null: the detail frame's flag has no nulls), like the process's own exchanges."""
    from test_engine_allocation import METHODS, _path

    fp = lca.compute(lca.load_study(_path(tmp_path, METHODS["substitution"][0])))
    credit = fp.detail.filter(pl.col("origin") == "process 'precip' coproduct #1")
    assert _rows(credit, "stage", "stage_default") == [("precursor", False)]
    assert fp.detail.get_column("stage_default").null_count() == 0


def test_scenario_totals_beyond_float_range_are_located_per_scenario(tiny_doc):
    """Each contribution finite, a scenario's sum of |contributions| not: an error per such scenario,
    located at its largest contribution. Resin is 2 kg CO2e/kg (0.04 for 20 g per m^2 of good film).
    one-site: (2 + 1.9)e307 kg / 0.5 yield × 2 = 1.56e308 (finite, not named); two-step ×1.25 = 1.95e308
    overflows (max float 1.797e308); the mix, 0.5 × 1.56e308 + 0.5 × 1.95e308 = 1.755e308, does not.
    The largest contribution is the 2e307 kg exchange (#4)."""
    from lca.errors import StudyError

    doc = copy.deepcopy(tiny_doc)
    doc["process"][0]["exchanges"] += [{"flow": "tiny_resin", "amount": "2e307 kg"},
                                       {"flow": "tiny_resin", "amount": "1.9e307 kg"}]
    with pytest.raises(StudyError) as err:
        lca.compute(_tiny(doc))
    got = {(p.table, p.column, p.message) for p in err.value.problems}
    msg = "the contributions of scenario '{}' add up beyond the range of float arithmetic; the largest comes from here"
    assert got == {("process 'film' exchange #4", "amount", msg.format(s)) for s in ("two-step",)}


# --------------------------------------------------------------------------- results/contract.py

def test_links_of_a_mix_leave_out_zero_share_components(tiny_doc):
    """Footprint.links of a mix: its components' links, except those of a zero-share component
    (left out, as in the inventory). one-site has one process (no link); two-step's coat eats film."""
    doc = copy.deepcopy(tiny_doc)
    doc["scenario"][2]["mix"] = {"one-site": 1.0, "two-step": 0.0}
    links = lca.compute(_tiny(doc)).links
    assert _rows(links, "scenario", "component", "consumer", "supplier") == [("two-step", "two-step", "coat", "film")]
    doc["scenario"][2]["mix"] = {"one-site": 0.5, "two-step": 0.5}
    assert _rows(lca.compute(_tiny(doc)).links.filter(pl.col("scenario") == "mix"), "component", "consumer",
                 "supplier") == [("two-step", "coat", "film")]


def test_a_footprint_without_engine_frames_derives_the_same_contract(tiny_doc):
    """A Footprint given only study, detail and library (no engine frames) derives scaling and links
    from the study: the same frames the engine supplies (output_amount and unit included). two-step:
    coat runs 1 / 0.8 = 1.25 (yield 0.8), each eating 1 m^2 of film: film runs 1.25 / 0.5 = 2.5."""
    from lca.results import Footprint

    fp = lca.compute(_tiny(tiny_doc))
    bare = Footprint(fp.study, fp.detail, fp.library)
    assert "scaling" in fp.frames and not bare.frames
    assert bare.scaling.equals(fp.scaling) and bare.links.equals(fp.links)
    assert _rows(bare.scaling.filter(pl.col("scenario") == "two-step"), "process", "runs", "output_amount",
                 "output_unit") == [("film", pytest.approx(2.5, rel=1e-12), 1.0, "m^2"),  # 1.25 m^2 / 0.5
                                    ("coat", pytest.approx(1 / 0.8, rel=1e-12), 1.0, "m^2")]


def test_allocation_rows_are_in_scenario_order_then_process_order(tmp_path):
    """Footprint.allocation: scenario by scenario (the study's order), in each the processes in order,
    one row per output. Two scenarios 'b' and 'a' (in that order) run the same two multi-output
    processes (precip → wash); mass allocation: precip 1 kg + 1.5 kg sulfate → 0.4 / 0.6, wash 1 kg
    + 1 kg rinse → 0.5 / 0.5."""
    import shutil

    from test_engine_system import tiny_world

    text = tiny_world("alloc2", "Washed precursor", "1 kg", "1 kg") + """
[[process]]
id = "precip"
stage = "precursor"
output = "1 kg"
output_mass = "1 kg"
exchanges = [ {{ flow = "tiny_power", amount = "2 kWh" }} ]
coproducts = [ {{ id = "sodium_sulfate", amount = "1.5 kg" }} ]
allocation = {{ method = "mass", reason = "no physical causality" }}

[[process]]
id = "wash"
stage = "precursor"
output = "1 kg"
output_mass = "1 kg"
exchanges = [ {{ input = "precip", amount = "1 kg" }}, {{ flow = "tiny_power", amount = "1 kWh" }} ]
coproducts = [ {{ id = "rinse", amount = "1 kg" }} ]
allocation = {{ method = "mass", reason = "no physical causality" }}

[[scenario]]
id = "b"
steps = [ {{ process = "precip", site = "mill" }}, {{ process = "wash", site = "mill" }} ]

[[scenario]]
id = "a"
steps = [ {{ process = "precip", site = "mill" }}, {{ process = "wash", site = "mill" }} ]
"""
    shutil.copy(TINY / "factors.csv", tmp_path / "factors.csv")
    (tmp_path / "s.toml").write_text(text.format(), encoding="utf-8")
    a = lca.compute(lca.load_study(tmp_path / "s.toml")).allocation
    want = [(s, p, o, f) for s in ("b", "a") for p, o, f in
            (("precip", "precip", 0.4), ("precip", "sodium_sulfate", 0.6), ("wash", "wash", 0.5), ("wash", "rinse", 0.5))]
    assert _rows(a, "scenario", "process", "output", "factor") == [(s, p, o, pytest.approx(f, rel=1e-12))
                                                                    for s, p, o, f in want]


def test_sites_frame_by_hand(tiny_fp):
    """Footprint.sites: id, name, country and grid of every site of the study (grid null if none)."""
    assert _rows(tiny_fp.sites, "site", "name", "country", "grid") == [
        ("mill", "Mill", "ZZ", "ZZ-NORTH"), ("mill2", "Second mill", "ZZ", "ZZ-SOUTH"), ("plant", "Cell plant", "ZZ", None)]


# ------------------------------------------------------------------------------- engine/system.py

def test_a_chain_without_loop_is_solved_whatever_its_ratios(tiny_doc):
    """Only a block whose processes feed each other in a cycle goes through the loop checks (condition
    number); a plain chain is triangular and always solvable, even when one step eats 1e13 m^2 of the
    previous one's film (column-scaled condition number about 1e13, above the loop limit 1e12).
    two-step: coat runs 1.25, film delivered 1.25e13 m^2, film and its resin 1.1996 kg per m^2 of good
    film (1.1596 film stage + 0.04 raw materials): 1.4995e13, raw materials 0.04 × 1.25e13 = 5e11."""
    doc = copy.deepcopy(tiny_doc)
    doc["process"][1]["exchanges"][0]["amount"] = "1e13 m^2"
    fp = lca.compute(_tiny(doc))
    assert fp.total("two-step").value == pytest.approx(1.4995e13, rel=1e-12)
    st = dict(_rows(fp.by_stage(scenario="two-step"), "stage", "value"))
    assert st["raw_materials"] == pytest.approx(5e11, rel=1e-12)
    blocks = lca.build_model(_tiny(doc)).system.blocks
    assert _rows(blocks, "scenario", "looped") == [("one-site", False), ("two-step", False), ("mix", False)]


def test_scaling_runs_belong_to_their_rows_when_a_mix_is_listed_first(tiny_doc):
    """Footprint.scaling lists scenarios in the study's order; each row's runs are its own process
    instance's, also when a mix comes before its components. By hand: one-site film 1 / 0.5 = 2;
    two-step coat 1 / 0.8 = 1.25, film 1.25 / 0.5 = 2.5; the mix: half of each."""
    doc = copy.deepcopy(tiny_doc)
    doc["scenario"] = doc["scenario"][2:] + doc["scenario"][:2]
    sc = lca.compute(_tiny(doc)).scaling
    assert _rows(sc, "scenario", "component", "process") == [
        ("mix", "one-site", "film"), ("mix", "two-step", "film"), ("mix", "two-step", "coat"),
        ("one-site", "one-site", "film"), ("two-step", "two-step", "film"), ("two-step", "two-step", "coat")]
    assert sc.get_column("runs").to_list() == pytest.approx([1.0, 1.25, 0.625, 2.0, 2.5, 1.25], rel=1e-12)


def test_model_detail_uses_the_runs_it_is_given(tiny_path):
    """Model.detail(runs=...) prices the runs given (e.g. solved once by the caller), not a fresh
    solve: twice the runs, twice every contribution (contributions are linear in the runs)."""
    m = lca.build_model(lca.load_study(tiny_path))
    once, twice = m.detail(), m.detail(runs=m.runs() * 2)
    assert twice.get_column("value").to_list() == pytest.approx([2 * v for v in once.get_column("value")], rel=1e-12)
    assert once.get_column("value").sum() == pytest.approx(ONE + TWO + (ONE + TWO) / 2, rel=1e-12)


def test_an_input_that_overflows_when_scaled_is_named_once(tiny_doc):
    """1e308 kg of resin per run, 2 runs per m^2 (yield 0.5): inf kg per declared unit. One problem at
    the input (its own scenario's row; the copies in two-step and the mix are not repeated), before
    any contribution is priced."""
    from lca.errors import StudyError

    doc = copy.deepcopy(tiny_doc)
    doc["process"][0]["exchanges"].append({"flow": "tiny_resin", "amount": "1e308 kg"})
    with pytest.raises(StudyError) as err:
        lca.compute(_tiny(doc))
    assert [(p.table, p.column, p.message) for p in err.value.problems] == [
        ("process 'film' exchange #4", "amount", "the amount overflows when scaled to one declared unit (gives inf kg)")]
