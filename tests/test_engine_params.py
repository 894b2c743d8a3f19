"""[parameters] and amounts written as unit-checked expressions of them.

Hand check: areal = 10 g/m², porosity = 0.5, net = areal × (1 − porosity) = 5 g/m²;
``amount = "net * 2 m^2"`` on the film's resin is 10 g — exactly the tiny study's resin amount,
so every result equals the tiny study's. With porosity 0.25: net = 7.5 g/m², resin 15 g.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

import lca
from lca.errors import LcaInputError, StudyError
from lca.study.expressions import Parameters
from test_engine_equivalence import assert_same_detail

TINY = Path(__file__).parent / "data" / "tiny"
PARAMS = {"areal": "10 g/m^2", "porosity": {"value": 0.5, "unit": "dimensionless", "note": "measured"},
          "net": "areal * (1 - porosity)"}


def _doc(params=PARAMS, resin="net * 2 m^2", **edits) -> dict:
    doc = tomllib.loads((TINY / "study.toml").read_text())
    doc["parameters"] = copy.deepcopy(params)
    doc["process"][0]["exchanges"][1]["amount"] = resin
    for key, value in edits.items():
        proc, field = key.split("__")
        doc["process"][int(proc)][field] = value
    return doc


def _load(doc):
    return lca.study_from_dict(doc, base=TINY, file="study.toml")


def test_an_expression_gives_the_hand_value(tiny_fp):
    s = _load(_doc())
    assert s.exchanges.filter(pl.col("origin") == "process 'film' exchange #2").select("amount", "unit").row(0) == (
        pytest.approx(10.0, rel=1e-12), "g")
    assert_same_detail(lca.compute(s).detail, tiny_fp.detail)
    assert s.expressions.select("table", "column", "expression", "names").row(0) == (
        "process 'film' exchange #2", "amount", "net * 2 m^2", ["net"])
    assert s.parameters.filter(pl.col("name") == "net")["value"][0] == pytest.approx(5.0)
    assert s.parameters.filter(pl.col("name") == "porosity")["note"][0] == "measured"


def test_outputs_and_output_masses_may_be_expressions(tiny_fp):
    s = _load(_doc(**{"1__output_mass": "areal * 1.2 m^2", "0__output": "net / areal * 2 m^2"}))
    film, coat = s.processes.select("output_amount", "output_unit", "output_mass_amount", "output_mass_unit").rows()
    assert film[0] == pytest.approx(1.0, rel=1e-12) and film[1] in ("m ** 2", "m²", "m^2")  # 5/10 × 2 m²
    assert coat[2:] == (pytest.approx(12.0, rel=1e-12), "g")  # 10 g/m² × 1.2 m²
    assert_same_detail(lca.compute(s).detail, tiny_fp.detail)


@pytest.mark.parametrize("params,resin,words,where", [
    (PARAMS, "net * 2 m^2 + porosty", ["unknown name 'porosty'", "defined: areal, net, porosity"],
     ("process 'film' exchange #2", "amount")),
    ({**PARAMS, "areal": "net * 2"}, "net * 2 m^2", ["cycle", "areal", "net"], ("parameters", None)),
    (PARAMS, "net + 1 kg", ["expression 'net + 1 kg'"], ("process 'film' exchange #2", "amount")),
    (PARAMS, "net * exp(2)", ["unknown name 'exp'"], ("process 'film' exchange #2", "amount")),
    (PARAMS, "net * 2 m^2; 1", ["';' is not allowed"], ("process 'film' exchange #2", "amount")),
    # integers are evaluated as floats: a huge power overflows at once instead of computing a 10-billion-digit int
    (PARAMS, "net * 2 m^2 * 10 ** 10 ** 10", ["too large to compute with"], ("process 'film' exchange #2", "amount")),
    # pint reads "x / 2 m^2" as (x / 2) · m²: refused
    (PARAMS, "net * 4 m^4 / 2 m^2", ["'/ 2 m' is ambiguous"], ("process 'film' exchange #2", "amount")),
    ({**PARAMS, "m": "2 kg"}, "net * 2 m^2", ["parameter name 'm' is also a unit"], ("parameters", "m")),
    ({**PARAMS, "bare": 0.3}, "net * 2 m^2", ["0.3 has no unit"], ("parameters", "bare")),
])
def test_bad_expressions_are_located(params, resin, words, where):
    with pytest.raises(StudyError) as err:
        _load(_doc(params, resin))
    p = err.value.problems[0]
    assert all(w in str(err.value) for w in words), str(err.value)
    assert p.file == "study.toml" and p.table == where[0] and (where[1] is None or p.column == where[1]), p


def test_a_dimension_mismatch_is_located_where_the_expression_is_used():
    with pytest.raises(LcaInputError) as err:  # g/m² × m is g/m, not a mass
        _load(_doc(**{"1__output_mass": "areal * 1 m"}))
    p = err.value.problems[0]
    assert (p.file, p.table, p.column) == ("study.toml", "process 'coat'", "output_mass"), p
    with pytest.raises(LcaInputError) as err:  # the resin factor is per kg: an area is refused, at the exchange
        lca.compute(_load(_doc(resin="net / areal * 2 m^2")))
    assert any(q.table == "process 'film' exchange #2" and q.column == "unit" for q in err.value.problems)


def test_a_bad_expression_exits_1_without_traceback(tmp_path, cli):
    text = (TINY / "study.toml").read_text().replace('{ flow = "tiny_resin", amount = "10 g" }',
                                                     '{ flow = "tiny_resin", amount = "areal * porosty" }')
    text = text.replace("[factors]", '[parameters]\nareal = "10 g/m^2"\n\n[factors]')
    (tmp_path / "factors.csv").write_text((TINY / "factors.csv").read_text())
    (tmp_path / "study.toml").write_text(text)
    r = cli("run", tmp_path / "study.toml")
    assert r.exit_code == 1 and "Traceback" not in r.stdout + r.stderr
    assert "unknown name 'porosty'" in r.stderr and "process 'film' exchange #2" in r.stderr


def test_expressions_evaluate_on_arrays_once():
    p = Parameters.parse(PARAMS, file="study.toml")
    from lca.units import registry

    ureg = registry()
    draws = {**p.values, "porosity": ureg.Quantity(np.array([0.1, 0.5, 0.9]), "dimensionless")}
    mag, unit, used = p.compute("areal * (1 - porosity) * 2 m^2", draws, where="x", key="amount")
    assert unit == "g" and used == ["areal", "porosity"]
    assert mag == pytest.approx([18.0, 10.0, 2.0], rel=1e-12)


@settings(max_examples=10, deadline=None)
@given(porosity=st.floats(0.0, 0.95))
def test_changing_a_parameter_equals_rebuilding_the_study(porosity):
    model = lca.build_model(_load(_doc()))
    got = model.evaluate({"parameter.porosity": porosity})
    params = {**PARAMS, "porosity": {"value": porosity, "unit": "dimensionless", "note": "measured"}}
    want = lca.compute(_load(_doc(params)))
    assert_same_detail(got.detail, want.detail)
    assert got.study.parameters.filter(pl.col("name") == "net")["value"][0] == pytest.approx(10 * (1 - porosity))


def test_the_study_json_schema_accepts_parameters_and_coproducts():
    """`lca schema export`'s study schema describes [parameters], expressions and co-products too."""
    jsonschema = pytest.importorskip("jsonschema")
    from lca.validation.jsonschema import study_schema

    doc = _doc()
    doc["process"][0]["coproducts"] = [{"id": "scrap", "amount": "areal * 1 m^2", "price": "0.1 USD/kg"}]
    doc["process"][0]["allocation"] = {"method": "economic", "price": "2 USD/m^2", "reason": "market prices"}
    validator = jsonschema.Draft202012Validator(study_schema())
    errors = [e.message for e in validator.iter_errors(json_ready(doc))]
    assert errors == []


def json_ready(doc):
    import datetime as dt

    if isinstance(doc, dict):
        return {k: json_ready(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [json_ready(v) for v in doc]
    return doc.isoformat() if isinstance(doc, dt.date) else doc
