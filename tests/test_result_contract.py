"""The result contract (#12 item 6): the frames of :class:`lca.Footprint` that consumers read.

Hand-computed on tests/data/tiny (see tests/test_tiny_study.py for the inputs):
  one-site: film at the mill, yield 0.5 → 1 m² good film = 2 runs; truck 0.001 tkm × 0.1 to the plant.
  two-step: coat yield 0.8 → 1.25 runs of coat, 1.25 m² film = 2.5 runs of film; truck 0.0024 tkm × 0.1.
  mix: 50/50 of the two, every scale halved.
  power: 0.5 kg CO2e/kWh at the mill (ZZ-NORTH), 0.2 at the second mill (ZZ-SOUTH), 0.4 national;
  gas: 0.05 kg CO2/MJ + 1 g CH4/MJ × 29.8 = 0.0798 kg CO2e/MJ = 0.28728 kg CO2e/kWh.
Each frame is also checked against what a consumer computed on its own before the contract.
"""

from __future__ import annotations

import copy
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca
from lca.engine.inventory import process_scales
from lca.errors import LcaInputError
from lca.results import Footprint
from lca.study import study_from_dict


def rows(frame: pl.DataFrame, *cols: str) -> dict:
    *keys, value = cols
    return {tuple(r[:-1]) if len(keys) > 1 else r[0]: r[-1] for r in frame.select(*keys, value).iter_rows()}


def test_scaling_by_hand(tiny_fp):
    s = tiny_fp.scaling
    assert s.columns == ["scenario", "component", "process", "site", "runs", "reference_outputs", "output_amount",
                         "output_unit"]
    runs = rows(s, "scenario", "component", "process", "runs")
    assert runs == pytest.approx({("one-site", "one-site", "film"): 2.0, ("two-step", "two-step", "film"): 2.5,
                                  ("two-step", "two-step", "coat"): 1.25, ("mix", "one-site", "film"): 1.0,
                                  ("mix", "two-step", "film"): 1.25, ("mix", "two-step", "coat"): 0.625}, rel=1e-12)
    refs = rows(s, "scenario", "component", "process", "reference_outputs")
    assert refs[("two-step", "two-step", "film")] == pytest.approx(1.25, rel=1e-12)
    assert refs[("mix", "two-step", "coat")] == pytest.approx(0.5, rel=1e-12)
    assert set(s.get_column("output_unit")) == {"m^2"}
    assert rows(s.filter(pl.col("scenario") == "two-step"), "process", "site") == {"film": "mill", "coat": "mill2"}


@pytest.mark.parametrize("plant", [None, "holland"])
def test_scaling_equals_the_inventory_scales(default_study, plant):
    """Cross-check: the report and the ledger read process_scales; the frame gives the same numbers."""
    study = default_study if plant is None else default_study.with_cell_plant(plant)
    fp = lca.compute(study)
    own = fp.scaling.filter(pl.col("scenario") == pl.col("component"))
    old = process_scales(study)
    joined = old.join(own, on=["scenario", "process", "site"], how="full", coalesce=True)
    assert joined.height == old.height == own.height
    assert joined.get_column("reference_outputs").to_list() == pytest.approx(joined.get_column("scale").to_list(),
                                                                             rel=1e-12)
    yields = dict(study.processes.select("id", "yield").iter_rows())
    for p, runs, ref in own.select("process", "runs", "reference_outputs").iter_rows():
        assert runs * yields[p] == pytest.approx(ref, rel=1e-12)
    # the supply mix holds its components' processes weighted by share
    mix = fp.scaling.filter(pl.col("scenario") == "supply-mix-2028")
    shares = dict(study.mixes.filter(pl.col("scenario") == "supply-mix-2028").select("component", "share").iter_rows())
    assert set(mix.get_column("component")) == set(shares)
    for comp, p, runs in mix.select("component", "process", "runs").iter_rows():
        base = own.filter((pl.col("scenario") == comp) & (pl.col("process") == p)).get_column("runs")[0]
        assert runs == pytest.approx(shares[comp] * base, rel=1e-12)


def test_links_by_hand(tiny_fp):
    assert tiny_fp.links.rows() == [("two-step", "two-step", "coat", "film"), ("mix", "two-step", "coat", "film")]


def test_delivered_by_hand(tiny_fp):
    d = tiny_fp.delivered
    assert d.columns == ["scenario", "product", "mass", "mass_unit"]
    assert rows(d, "scenario", "product") == {"one-site": "film", "two-step": "coat", "mix": None}
    assert set(d.select("mass", "mass_unit").iter_rows()) == {(10.0, "g")}


def test_delivered_equals_the_final_process_of_the_exports(default_fp):
    """Cross-check with the PACT exporter's own search for the final process (before the contract)."""
    d = rows(default_fp.delivered, "scenario", "product")
    s = default_fp.study
    for sid in s.scenarios.filter(pl.col("kind") == "system").get_column("id"):
        procs = s.steps.filter(pl.col("scenario") == sid).get_column("process").to_list()
        consumed = set(s.exchanges.filter(pl.col("process").is_in(procs) & pl.col("input").is_not_null())
                       .get_column("input"))
        assert [p for p in procs if p not in consumed] == [d[sid]]
    assert d["supply-mix-2028"] == "coating"  # every component delivers the coated product


def test_stated_product_wins(tiny_path):
    """A scenario's ``product`` names what it delivers even where another process is final."""
    s = lca.load_study(tiny_path)
    s = s.__class__(**{**s.__dict__, "scenarios": s.scenarios.with_columns(
        pl.when(pl.col("id") == "two-step").then(pl.lit("film")).otherwise(pl.col("product")).alias("product"))})
    assert rows(lca.compute(s).delivered, "scenario", "product")["two-step"] == "film"


def test_energy_intensity_by_hand(tiny_fp):
    e = tiny_fp.energy_intensity
    assert e.columns == ["scenario", "site", "carrier", "value", "unit"]
    assert set(e.get_column("unit")) == {"kg_CO2e/kWh"}
    got = rows(e, "scenario", "site", "carrier", "value")
    want = {("one-site", "mill", "tiny_power"): 0.5, ("one-site", "mill", "tiny_gas"): 0.0798 * 3.6,
            ("two-step", "mill", "tiny_power"): 0.5, ("two-step", "mill", "tiny_gas"): 0.0798 * 3.6,
            ("two-step", "mill2", "tiny_power"): 0.2, ("mix", "mill", "tiny_power"): 0.5,
            ("mix", "mill", "tiny_gas"): 0.0798 * 3.6, ("mix", "mill2", "tiny_power"): 0.2}
    assert got == pytest.approx(want, rel=1e-12)
    assert e.get_column("scenario").unique(maintain_order=True).to_list() == tiny_fp.scenarios


def test_energy_intensity_follows_the_method(tiny_path):
    fp = lca.compute(lca.load_study(tiny_path).with_method(electricity_rule="national"))
    power = fp.energy_intensity.filter(pl.col("carrier") == "tiny_power")
    assert power.get_column("value").to_list() == pytest.approx([0.4] * power.height, rel=1e-12)


@pytest.mark.parametrize("td", ["excluded", "included"])
def test_energy_intensity_equals_what_report_and_ledger_charged(default_study, td):
    """Cross-check with the two computations the report (electricity table) and the ledger (plant
    data) did on their own: value / (amount × a_to_base), per activity once, grid losses included."""
    fp = lca.compute(default_study.with_method(td_losses=td))
    d = fp.detail.filter(pl.col("flow_category").is_in(["electricity", "heat"]))
    per_act = d.group_by("scenario", "site", "flow", "act").agg(
        pl.col("value").sum(), (pl.col("amount") * pl.col("a_to_base")).first().alias("j"))
    old = per_act.group_by("scenario", "site", "flow").agg((pl.col("value").sum() / pl.col("j").sum() * 3.6e6)
                                                           .alias("old"))
    new = fp.energy_intensity.rename({"carrier": "flow"})
    joined = old.join(new, on=["scenario", "site", "flow"], how="full", coalesce=True)
    assert joined.height == old.height == new.height
    assert joined.get_column("value").to_list() == pytest.approx(joined.get_column("old").to_list(), rel=1e-12)
    el = new.filter((pl.col("flow") == "electricity") & (pl.col("scenario") == "jp-import"))
    assert el.height and (el.get_column("value") > 0.1).all()  # a grid, in kg CO2e per kWh


def test_transport_by_hand(tiny_fp):
    t = tiny_fp.transport
    assert t.columns == ["scenario", "direction", "mode", "value", "unit"]
    assert rows(t, "scenario", "direction", "mode", "value") == pytest.approx(
        {("one-site", "outbound", "tinytruck"): 0.0001, ("two-step", "outbound", "tinytruck"): 0.00024,
         ("mix", "outbound", "tinytruck"): 0.00017}, rel=1e-12)
    assert set(t.get_column("unit")) == {"kg_CO2e/m^2"}


def test_transport_splits_the_transport_stage(default_fp):
    """inbound + outbound = the transport stage; outbound = the legs that end at the cell plant."""
    t = default_fp.transport.group_by("scenario", "direction").agg(pl.col("value").sum())
    stage = rows(default_fp.by_stage().filter(pl.col("stage") == "transport"), "scenario", "value")
    both = rows(t.group_by("scenario").agg(pl.col("value").sum()), "scenario", "value")
    assert both == pytest.approx(stage, rel=1e-12)
    assert set(t.get_column("direction")) == {"inbound", "outbound"}
    s = default_fp.study
    legs = s.transport.filter(pl.col("to_site") == s.cell_plant).select(pl.col("scenario").alias("component"),
                                                                        "origin").unique()
    old = (default_fp.detail.join(legs, on=["component", "origin"]).group_by("scenario")
           .agg(pl.col("value").sum()))
    out = rows(t.filter(pl.col("direction") == "outbound"), "scenario", "value")
    assert out == pytest.approx(rows(old, "scenario", "value"), rel=1e-12)


def test_views_by_hand(tiny_fp):
    v = tiny_fp.views
    assert v.columns == ["view", "factor", "unit", "label", "basis"]
    assert rows(v, "view", "factor") == pytest.approx({"declared_unit": 1.0, "kg": 100.0, "kWh": 10.0,
                                                       "vehicle": 500.0, "year": 1.0}, rel=1e-12)
    for view, factor, unit, _label, _basis in v.iter_rows():
        assert tiny_fp.scale(view) == (pytest.approx(factor, rel=1e-12), unit)


def test_views_only_those_the_study_states(tiny_path):
    s = lca.load_study(tiny_path)
    s = s.__class__(**{**s.__dict__, "views": ()})  # a study without [[view]] entries
    fp = lca.compute(s)
    assert fp.views.get_column("view").to_list() == ["declared_unit", "kg"]
    with pytest.raises(LcaInputError, match="defines no view 'kWh'"):
        fp.scale("kWh")


def test_stages_in_result_order(default_fp, tiny_fp):
    st = default_fp.stages
    assert st.columns == ["stage", "label", "order", "eu_battery_stage", "pact_field", "ghg_stage", "description"]
    assert st.get_column("stage").to_list() == default_fp.by_stage().get_column("stage").unique(
        maintain_order=True).to_list()
    assert st.get_column("order").to_list() == list(range(st.height))
    m = {r["stage"]: r for r in st.iter_rows(named=True)}
    assert m["raw_materials"]["eu_battery_stage"] == "Raw material acquisition and pre-processing"
    assert m["transport"]["eu_battery_stage"] == "Distribution"
    assert m["packaging"]["pact_field"] == "packagingGhgEmissions"
    assert set(tiny_fp.stages.get_column("stage")) == {"raw_materials", "film", "coat", "transport"}


def test_sites_and_meta(tiny_fp):
    assert rows(tiny_fp.sites, "site", "grid") == {"mill": "ZZ-NORTH", "mill2": "ZZ-SOUTH", "plant": None}
    m = tiny_fp.meta
    assert (m.study_id, m.product_name, str(m.declared_unit), m.cell_plant) == ("tiny", "Tiny film", "1 m^2", "plant")
    assert (m.reference_year, m.method["gwp"], m.study_hash) == (2025, "AR6", tiny_fp.content_hashes["study"])
    assert m.scenario_labels["mix"] == "Half and half"


def test_frames_supplied_by_the_engine_win(tiny_fp):
    """The matrix engine feeds its own frames; the contract then derives nothing for them."""
    mine = tiny_fp.scaling.with_columns(pl.col("runs") * 0 + 7.0)
    fp = Footprint(study=tiny_fp.study, detail=tiny_fp.detail, library=tiny_fp.library, frames={"scaling": mine})
    assert fp.scaling.get_column("runs").to_list() == [7.0] * mine.height
    assert fp.delivered.equals(tiny_fp.delivered)  # derived from the supplied scaling, same products


# ------------------------------------------------------------------ invariants over variants of tiny

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BASE = Path(__file__).parent / "data" / "tiny"


@SETTINGS
@given(film_yield=st.floats(min_value=0.05, max_value=1.0), coat_yield=st.floats(min_value=0.05, max_value=1.0),
       kwh=st.floats(min_value=1e-6, max_value=1e3),
       # 0, or a share large enough that share × kWh stays a normal float (a subnormal amount is refused, located)
       share=st.just(0.0) | st.floats(min_value=1e-200, max_value=1.0),
       td=st.sampled_from(["excluded", "included"]), rule=st.sampled_from(["location", "national"]))
def test_frames_agree_with_the_contributions(tiny_doc, film_yield, coat_yield, kwh, share, td, rule):
    """Whatever the yields, amounts, mix share and method: runs × yield = reference outputs; the
    energy intensity × the energy used = the carrier's contributions, and does not depend on the
    amount; inbound + outbound = the transport stage; the mix holds its parts × share."""
    doc = copy.deepcopy(tiny_doc)
    doc["process"][0]["yield"], doc["process"][1]["yield"] = film_yield, coat_yield
    doc["process"][0]["exchanges"][0]["amount"] = f"{kwh!r} kWh"
    doc["scenario"][2]["mix"] = {"one-site": share, "two-step": 1.0 - share}
    doc["method"] = {"gwp": "AR6", "td_losses": td, "electricity_rule": rule}
    fp = lca.compute(study_from_dict(doc, base=BASE, file="tiny variant"))
    s = fp.scaling
    yields = {"film": film_yield, "coat": coat_yield}
    for p, runs, ref in s.select("process", "runs", "reference_outputs").iter_rows():
        assert runs * yields[p] == pytest.approx(ref, rel=1e-12)
    two = rows(s.filter(pl.col("scenario") == "two-step"), "process", "reference_outputs")
    assert two == pytest.approx({"coat": 1.0, "film": 1.0 / coat_yield}, rel=1e-12)
    for comp, w in (("one-site", share), ("two-step", 1.0 - share)):
        mine = s.filter((pl.col("scenario") == "mix") & (pl.col("component") == comp))
        base = s.filter(pl.col("scenario") == comp)
        if w == 0:
            assert mine.height == 0
        else:
            assert mine.get_column("runs").to_list() == pytest.approx((base.get_column("runs") * w).to_list(),
                                                                      rel=1e-12)
    d = fp.detail.filter(pl.col("flow_category").is_in(["electricity", "heat"]))
    kwh_used = d.unique("act").group_by("scenario", "site", "flow").agg(
        (pl.col("amount") * pl.col("a_to_base")).sum() / 3.6e6)
    charged = d.group_by("scenario", "site", "flow").agg(pl.col("value").sum().alias("charged"))
    e = (fp.energy_intensity.rename({"carrier": "flow"}).join(kwh_used, on=["scenario", "site", "flow"])
         .join(charged, on=["scenario", "site", "flow"]))
    assert e.height == fp.energy_intensity.height
    for v, used, got in e.select("value", "amount", "charged").iter_rows():
        assert v * used == pytest.approx(got, rel=1e-9)
    power = rows(fp.energy_intensity.filter(pl.col("carrier") == "tiny_power"), "scenario", "site", "value")
    grid = 0.4 if rule == "national" else None
    for (_sid, site), v in power.items():
        assert v >= (grid or {"mill": 0.5, "mill2": 0.2}[site]) - 1e-12  # grid losses only add
    transport = rows(fp.transport.group_by("scenario").agg(pl.col("value").sum()), "scenario", "value")
    stage = rows(fp.by_stage().filter(pl.col("stage") == "transport"), "scenario", "value")
    assert transport == pytest.approx(stage, rel=1e-12)


def test_pact_packaging_is_the_stage_the_contract_maps_to_it(tiny_fp):
    """The PACT figures read the stage mapping of the footprint, not a stage named 'packaging'."""
    from lca.disclosure.pact.figures import scenario_figures

    stages = tiny_fp.stages.with_columns(pl.when(pl.col("stage") == "film").then(pl.lit("packagingGhgEmissions"))
                                         .otherwise(pl.col("pact_field")).alias("pact_field"))
    fp = Footprint(study=tiny_fp.study, detail=tiny_fp.detail, library=tiny_fp.library, frames={"stages": stages})
    f = scenario_figures(fp).filter(pl.col("scenario") == "one-site").row(0, named=True)
    assert f["has_packaging"] and f["packaging"] == pytest.approx(1.0 + 0.1596, rel=1e-12)
    assert not scenario_figures(tiny_fp).get_column("has_packaging").any()
