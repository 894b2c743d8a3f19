"""Uncertainty on a ``[parameters]`` entry propagates through every expression that uses it (#12 item 4).

Tiny study (tests/data/tiny) with areal = 10 g/m², porosity p, net = areal × (1 − p), the film's
resin written as ``net * 2 m^2`` (20 g × (1 − p)) and the coating's film input as
``net / areal * 2 m^2`` (2 (1 − p) m², a technosphere entry). With q = 1 − p, by hand (see
tests/test_tiny_study.py for the numbers at p = 0.5):

* film per m² of good film: power 1.0 + gas 0.1596 + resin 0.02 kg × 2 × (q / 0.5) × 2 = 1.1596 + 0.08 q;
* one-site = film + truck 0.0001 = 1.1597 + 0.08 q;
* two-step = coat power 0.125 + truck 0.00024 + (1 / 0.8) × 2 q × (1.1596 + 0.08 q) film,
  quadratic in q: the draw moves an activity row AND the scaling vector;
* mix = half of each.

With p uniform on [0.4, 0.6]: E[q] = 0.5, E[q²] = 0.25 + 0.2² / 12, so E[two-step] =
0.12524 + 2.5 × (1.1596 × 0.5 + 0.08 × 0.25333…) = 1.625406667.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np
import pytest

import lca
from lca.uncertainty import compile_model, run_uncertainty
from lca.uncertainty.montecarlo import draw_multipliers

TINY = Path(__file__).parent / "data" / "tiny"


def _study(entries):
    doc = tomllib.loads((TINY / "study.toml").read_text())
    doc["parameters"] = {"areal": "10 g/m^2", "porosity": {"value": 0.5, "unit": "dimensionless"},
                         "net": "areal * (1 - porosity)"}
    doc["process"][0]["exchanges"][1]["amount"] = "net * 2 m^2"
    doc["process"][1]["exchanges"][0]["amount"] = "net / areal * 2 m^2"
    doc["uncertainty"] = copy.deepcopy(entries)
    return lca.study_from_dict(doc, base=TINY, file="study.toml")


def one(q):
    return 1.1597 + 0.08 * q


def two(q):
    return 0.12524 + 1.25 * 2 * q * (1.1596 + 0.08 * q)


ENTRY = [{"target": "parameter.porosity", "dist": "uniform", "min": 0.4, "max": 0.6}]


def test_every_draw_equals_the_hand_formula_at_its_parameter_value():
    fp = lca.compute(_study(ENTRY))
    assert fp.total("two-step").value == pytest.approx(1.62474, rel=1e-12)  # the study's own value
    r = run_uncertainty(fp, iterations=4000, seed=3)
    m = compile_model(fp)
    [p_col] = [i for i, inp in enumerate(m.inputs) if inp.name == "parameter.porosity"]
    q = 1 - 0.5 * draw_multipliers(m, 4000, 3)[:, p_col]
    assert q.min() >= 0.4 - 1e-12 and q.max() <= 0.6 + 1e-12 and q.std() > 0.05
    np.testing.assert_allclose(r.draws_total["one-site"], one(q), rtol=1e-12)
    np.testing.assert_allclose(r.draws_total["two-step"], two(q), rtol=1e-12)
    np.testing.assert_allclose(r.draws_total["mix"], 0.5 * one(q) + 0.5 * two(q), rtol=1e-12)
    # the mean agrees with the hand expectation within 5 standard errors
    x = r.draws_total["two-step"]
    assert abs(x.mean() - 1.625406667) < 5 * x.std() / np.sqrt(x.size)
    inp = r.inputs.filter(r.inputs["input"] == "parameter.porosity").row(0, named=True)
    assert inp["kind"] == "parameter" and inp["current"] == 0.5 and inp["unit"] == "dimensionless"


def test_tornado_and_break_even_follow_the_parameter():
    fp = lca.compute(_study(ENTRY))
    r = run_uncertainty(fp, iterations=500, seed=1, compare=("one-site", "two-step"),
                        breakeven_parameters=["parameter.porosity"])
    tor = r.tornado.filter(r.tornado["scenario"] == "two-step").row(0, named=True)
    # p at its 2.5th / 97.5th percentile: 0.405 / 0.595, q = 0.595 / 0.405
    assert tor["low"] == pytest.approx(two(0.595), rel=1e-12) and tor["high"] == pytest.approx(two(0.405), rel=1e-12)
    # one-site = two-step: 0.2 q² + 1.8790 q... solved numerically, then checked by the formulas
    be = r.breakeven.row(0, named=True)
    q = 1 - be["breakeven"]
    assert one(q) == pytest.approx(two(q), rel=1e-9) and 0 < be["breakeven"] < 1


def test_a_parameter_used_by_no_amount_changes_nothing_and_unknown_names_are_located():
    fp = lca.compute(_study([{"target": "parameter.areal", "dist": "uniform", "min": "9 g/m^2",
                              "max": "11 g/m^2"}]))
    r = run_uncertainty(fp, iterations=200, seed=1)
    # areal cancels in net / areal and the resin is net × 2 m² = areal (1 − p) × 2 m²: only the resin moves
    x = r.draws_total["one-site"]
    assert x.std() > 0 and np.all(np.abs(x - 1.1997) <= 0.04 * 0.1 + 1e-12)
    with pytest.raises(lca.errors.StudyError, match="unknown parameter 'porsity'") as err:
        run_uncertainty(lca.compute(_study([{"target": "parameter.porsity", "dist": "uniform", "min": 0.4,
                                              "max": 0.6}])), iterations=10)
    assert err.value.problems[0].table == "uncertainty #1" and "porosity" in err.value.problems[0].hint
