"""Invariants of the engine (DESIGN §4), as property tests over variants of the tiny study."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca
from lca.study import study_from_dict

BASE = Path(__file__).parent / "data" / "tiny"
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _compute(doc) -> lca.Footprint:
    return lca.compute(study_from_dict(doc, base=BASE, file="tiny variant"))


def _with_amount(doc, process: int, exchange: int, amount: str):
    d = copy.deepcopy(doc)
    d["process"][process]["exchanges"][exchange]["amount"] = amount
    return d


# zero, or a magnitude a real amount has (subnormal amounts, and those that underflow when scaled, are refused)
amounts = st.one_of(st.just(0.0), st.floats(min_value=1e-12, max_value=1e4, allow_nan=False, allow_infinity=False))


@SETTINGS
@given(kwh=amounts, grams=amounts)
def test_stage_flow_and_gas_parts_sum_to_total(tiny_doc, kwh, grams):
    doc = _with_amount(_with_amount(tiny_doc, 0, 0, f"{kwh!r} kWh"), 0, 1, f"{grams!r} g")
    fp = _compute(doc)
    totals = dict(fp.totals().select("scenario", "value").iter_rows())
    for key in ("stage", "flow_category", "gas"):
        parts = fp.by(key).group_by("scenario").agg(pl.col("value").sum())
        for scenario, value in parts.iter_rows():
            assert value == pytest.approx(totals[scenario], rel=1e-9, abs=1e-12)


@SETTINGS
@given(k=st.one_of(st.just(0.0), st.floats(min_value=1e-12, max_value=1000.0, allow_nan=False)))
def test_scaling_an_activity_scales_its_contribution(tiny_doc, k):
    base = _compute(tiny_doc)
    fp = _compute(_with_amount(tiny_doc, 0, 1, f"{10.0 * k!r} g"))  # resin: 10 g × k
    def resin(f):
        d = f.detail.filter((pl.col("flow") == "tiny_resin") & (pl.col("scenario") == "one-site"))
        return d.get_column("value").sum()
    def others(f):
        d = f.detail.filter((pl.col("flow") != "tiny_resin") & (pl.col("scenario") == "one-site"))
        return d.get_column("value").sum()
    assert resin(fp) == pytest.approx(k * resin(base), rel=1e-12, abs=1e-15)
    assert others(fp) == pytest.approx(others(base), rel=1e-12)


EQUIVALENT = [
    # (process, exchange, the same amount in other units)
    (0, 0, ["1 kWh", "1000 Wh", "3.6 MJ", "0.001 MWh", f"{3.6 / 105.505585262!r} therm"]),
    (0, 1, ["10 g", "0.01 kg", "1e-5 tonne", f"{0.01 / 0.45359237!r} lb"]),
    (0, 2, ["1 MJ", f"{1 / 3.6!r} kWh", "1000 kJ", f"{1 / 1055.05585262!r} MMBtu"]),
]


@pytest.mark.parametrize("process,exchange,spellings", EQUIVALENT)
def test_units_do_not_change_results(tiny_doc, process, exchange, spellings):
    ref = _compute(tiny_doc).totals().get_column("value").to_list()
    for amount in spellings:
        got = _compute(_with_amount(tiny_doc, process, exchange, amount)).totals().get_column("value").to_list()
        assert got == pytest.approx(ref, rel=1e-9), amount


def test_distance_in_miles_equals_km(tiny_doc):
    ref = _compute(tiny_doc).total("one-site").value
    d = copy.deepcopy(tiny_doc)
    d["scenario"][0]["transport"][0]["legs"][0]["distance"] = f"{100 / 1.609344!r} mile"
    assert _compute(d).total("one-site").value == pytest.approx(ref, rel=1e-12)


@SETTINGS
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_shuffling_rows_changes_nothing(tiny_doc, seed):
    ref = _compute(tiny_doc).by_stage().sort("scenario", "stage")
    rng = random.Random(seed)
    d = copy.deepcopy(tiny_doc)
    rng.shuffle(d["site"])
    rng.shuffle(d["process"])
    for p in d["process"]:
        rng.shuffle(p["exchanges"])
    got = _compute(d).by_stage().sort("scenario", "stage")
    assert got.select("scenario", "stage").equals(ref.select("scenario", "stage"))
    assert got.get_column("value").to_list() == pytest.approx(ref.get_column("value").to_list(), rel=1e-12)


def test_changing_one_grid_changes_only_that_sites_electricity(tiny_doc):
    base = _compute(tiny_doc)
    d = copy.deepcopy(tiny_doc)
    d["site"][1]["grid"] = "ZZ-NORTH"  # mill2: south (0.2) → north (0.5)
    fp = _compute(d)
    key = ["scenario", "act", "gas"]
    joined = base.detail.select(*key, "site", "flow", "value").join(fp.detail.select(*key, "value"), on=key,
                                                                   suffix="_new")
    changed = joined.filter((pl.col("value") - pl.col("value_new")).abs() > 1e-15)
    assert set(changed.get_column("site")) == {"mill2"}
    assert set(changed.get_column("flow")) == {"tiny_power"}
    assert joined.height == base.detail.height


def test_ar6_to_ar5_changes_only_non_co2_gases(default_study, default_fp):
    ar5 = lca.compute(default_study.with_method(gwp="AR5"))
    key = ["scenario", "act", "factor_id"]
    j = default_fp.detail.select(*key, "gas", "value").join(ar5.detail.select(*key, "value"), on=key,
                                                            suffix="_ar5")
    changed = j.filter((pl.col("value") - pl.col("value_ar5")).abs() > 0)
    assert changed.height > 0
    assert not set(changed.get_column("gas")) & {"CO2", "CO2e"}


def test_zero_activity_contributes_zero(tiny_doc):
    fp = _compute(_with_amount(tiny_doc, 0, 1, "0 g"))
    assert fp.detail.filter(pl.col("flow") == "tiny_resin").get_column("value").sum() == 0.0


def test_per_kwh_and_vehicle_are_scaled_totals(default_fp):
    du = default_fp.totals().get_column("value")
    kwh = default_fp.totals("kWh").get_column("value")
    veh = default_fp.totals("vehicle").get_column("value")
    assert (kwh / du).to_list() == pytest.approx([10.0] * len(du))
    assert (veh / kwh).to_list() == pytest.approx([71.4] * len(du))  # the cell study's pack (#16 item 5)
