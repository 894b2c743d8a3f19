"""Model.evaluate: changing a target re-solves the built model and equals a full rebuild of the changed study.

Each case changes one target of the tiny study through ``Model.evaluate`` and through the study
itself (the TOML document edited, loaded and computed from scratch); the result rows must agree to
1e-12 relative — column by column, row by row (:func:`assert_same_detail`).
"""

from __future__ import annotations

import copy
import doctest
import importlib
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

import lca
from lca.errors import LcaInputError
from test_engine_equivalence import assert_same_detail

TINY = Path(__file__).parent / "data" / "tiny"


def _edit(doc: dict, path: str, value) -> dict:
    doc = copy.deepcopy(doc)
    node = doc
    keys = [int(k) if k.isdigit() else k for k in path.split("/")]
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    return doc


def _study(doc: dict):
    return lca.study_from_dict(doc, base=TINY, file="study.toml")


# target, new value, the same change written into the study (path in the TOML document, value)
CASES = {
    "flow": ("process.film.tiny_power", "1.5 kWh", "process/0/exchanges/0/amount", "1.5 kWh"),
    "flow in other unit": ("process.film.tiny_resin", "0.02 kg", "process/0/exchanges/1/amount", "20 g"),
    "input": ("process.coat.film", 1.25, "process/1/exchanges/0/amount", "1.25 m^2"),
    "yield": ("process.film.yield", 0.4, "process/0/yield", 0.4),
    "output_mass": ("process.coat.output_mass", "15 g", "process/1/output_mass", "15 g"),
    "distance of a route": ("transport.mill.plant.distance", "150 km",
                            "scenario/0/transport/0/legs/0/distance", "150 km"),
}


@pytest.fixture(scope="module")
def model():
    import tomllib

    return lca.build_model(_study(tomllib.loads((TINY / "study.toml").read_text()))), tomllib.loads(
        (TINY / "study.toml").read_text())


def test_the_model_gives_compute(model):
    m, doc = model
    assert_same_detail(m.footprint().detail, lca.compute(_study(doc)).detail)


@pytest.mark.parametrize("case", CASES)
def test_evaluate_equals_a_rebuild_of_the_changed_study(model, case):
    m, doc = model
    target, value, path, written = CASES[case]
    got = m.evaluate({target: value})
    want = lca.compute(_study(_edit(doc, path, written)))
    assert_same_detail(got.detail, want.detail)
    assert got.study.exchanges.equals(want.study.exchanges)
    assert got.study.processes.equals(want.study.processes)


def test_evaluate_a_factor_scales_its_rows(model):
    m, _ = model
    base = m.footprint()
    fp = m.evaluate({"factor.tiny.resin": "3 kg_CO2e/kg"})  # 2 → 3
    d0, d1 = (f.detail.filter(pl.col("factor_id") == "tiny.resin") for f in (base, fp))
    assert (d1["value"] / d0["value"]).to_list() == pytest.approx([1.5] * d0.height, rel=1e-12)
    assert d1["factor_value"].unique().to_list() == [3.0]
    other = base.detail.filter(pl.col("factor_id") != "tiny.resin")
    assert_same_detail(fp.detail.filter(pl.col("factor_id") != "tiny.resin"), other)
    # the result says which value it used: its library (so its manifest) carries the changed factor
    assert fp.library.factors.filter(pl.col("id") == "tiny.resin")["value"].to_list() == [3.0]
    assert fp.manifest()["manifest_hash"] != base.manifest()["manifest_hash"]
    assert m.footprint().manifest()["manifest_hash"] == base.manifest()["manifest_hash"]


def test_evaluate_leaves_the_model_unchanged(model):
    m, doc = model
    m.evaluate({"process.film.tiny_power": "3 kWh", "process.film.yield": 0.3})
    assert_same_detail(m.footprint().detail, lca.compute(_study(doc)).detail)


def test_a_view_change_moves_that_view_only(model):
    m, _ = model
    fp = m.evaluate({"product.mass_per_declared_unit": "20 g"})  # was 10 g: per kg halves
    base = m.footprint()
    assert fp.total("one-site").value == base.total("one-site").value
    assert fp.total("one-site", per="kg").value == pytest.approx(base.total("one-site", per="kg").value / 2, rel=1e-12)


@pytest.mark.parametrize("target,value,words", [
    ("process.film.nothing", 1.0, ["process 'film' has no exchange 'nothing'"]),
    ("process.nope.yield", 0.5, ["unknown process 'nope'"]),
    ("process.film.tiny_power", "1 kg", ["process.film.tiny_power", "dimension"]),
    ("warp.speed", 9, ["unknown target 'warp.speed'"]),
    ("parameter.porosity", 0.1, ["unknown parameter 'porosity'"]),
    ("factor.no.such", 1.0, ["factor 'no.such' is used by no activity"]),
])
def test_a_bad_change_is_a_located_error(model, target, value, words):
    m, _ = model
    with pytest.raises(LcaInputError) as err:
        m.evaluate({target: value})
    text = str(err.value)
    assert all(w in text for w in words), text


@settings(max_examples=15, deadline=None)
@given(kwh=st.one_of(st.just(0.0), st.floats(1e-6, 50.0)), y=st.floats(0.05, 1.0),
       km=st.one_of(st.just(0.0), st.floats(1e-3, 5000.0)))  # (subnormal amounts are located errors)
def test_evaluate_equals_rebuild_for_any_combination(model, kwh, y, km):
    """An exchange, a yield (feeding a transport leg and the film it consumes) and a distance at once."""
    m, doc = model
    got = m.evaluate({"process.coat.tiny_power": kwh, "process.coat.yield": y, "transport.mill2.plant.distance": km})
    d = _edit(doc, "process/1/exchanges/1/amount", f"{kwh!r} kWh")
    d = _edit(_edit(d, "process/1/yield", y), "scenario/1/transport/0/legs/0/distance", f"{km!r} km")
    assert_same_detail(got.detail, lca.compute(_study(d)).detail)


@pytest.mark.parametrize("name", ["lca.engine.model", "lca.engine.system", "lca.engine.sampler", "lca.engine.allocation",
                                  "lca.study.expressions"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_sample_equals_evaluate_draw_by_draw(model):
    """Model.sample scales the same entries as evaluate, for a whole batch at once (common draws)."""
    m, _ = model
    draws = {"process.coat.tiny_power": np.array([0.5, 1.0, 3.0]), "process.film.yield": np.array([1.0, 0.9, 0.3]),
             "transport.mill2.plant.distance": np.array([2.0, 1.0, 0.1]),
             "factor.tiny.resin": np.array([1.0, 1.5, 0.2])}
    s = m.sample(draws, chunk=2)  # two chunks
    current = {"process.coat.tiny_power": 0.5, "process.film.yield": 0.5, "transport.mill2.plant.distance": 200.0,
               "factor.tiny.resin": 2.0}
    for i in range(3):
        fp = m.evaluate({k: current[k] * v[i] for k, v in draws.items()})
        for sid in fp.scenarios:
            assert s.total(sid)[i] == pytest.approx(fp.total(sid).value, rel=1e-12)
        by = fp.by_stage()
        for sid, stage, value in by.select("scenario", "stage", "value").iter_rows():
            g = s.groups.with_row_index().filter((pl.col("scenario") == sid) & (pl.col("stage") == stage))["index"][0]
            assert s.values[i, g] == pytest.approx(value, rel=1e-12, abs=1e-15)


def test_sample_a_parameter_through_its_expressions():
    import tomllib

    doc = tomllib.loads((TINY / "study.toml").read_text())
    doc["parameters"] = {"areal": "10 g/m^2", "porosity": {"value": 0.5, "unit": "dimensionless"}}
    doc["process"][0]["exchanges"][1]["amount"] = "areal * (1 - porosity) * 2 m^2"
    m = lca.build_model(_study(doc))
    s = m.sample({"parameter.porosity": np.array([1.0, 0.5, 1.8])})
    for i, porosity in enumerate((0.5, 0.25, 0.9)):
        assert s.total("one-site")[i] == pytest.approx(
            m.evaluate({"parameter.porosity": porosity}).total("one-site").value, rel=1e-12)


def test_sample_refuses_draws_of_different_lengths(model):
    m, _ = model
    with pytest.raises(LcaInputError, match="same length"):
        m.sample({"process.coat.tiny_power": np.ones(3), "process.film.yield": np.ones(2)})
