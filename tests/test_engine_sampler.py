"""Batched sampling of the model (lca.engine.sampler): a draw that moves a loop is solved exactly.

The recycling loop of tests/test_engine_system.py: with the film yield y and the film re-extruded
per kg of regrind a (m²), ``y F − a R = 1``, ``P = 0.01 F``, ``R = 0.5 P`` ⇒ ``F = 1 / (y − 0.005 a)``;
electricity ``(F + 0.2 P + 0.1 R) × 0.5`` plus resin ``0.5 P × 2`` gives the total
``0.51125 F = 0.51125 / (y − 0.005 a)`` (0.92954… at y = 0.8, a = 50). The loop's block is solved
per draw by numpy.linalg.solve on the stacked matrices; its mix copy ("half") moves with it.
"""

from __future__ import annotations

import numpy as np
import pytest

import lca
from lca.uncertainty import compile_model, run_uncertainty
from lca.uncertainty.montecarlo import draw_multipliers
from test_engine_system import _study

ENTRIES = """
[[uncertainty]]
target = "process.film.yield"
dist = "triangular"
min = 0.7
max = 0.9

[[uncertainty]]
target = "process.regrind.film"
dist = "triangular"
min = "40 m^2"
max = "60 m^2"
"""


def test_loop_draws_equal_the_hand_solution(tmp_path):
    path = _study(tmp_path)
    path.write_text(path.read_text() + ENTRIES, encoding="utf-8")
    model = lca.build_model(lca.load_study(path))
    fp = model.footprint()
    assert fp.total("loop").value == pytest.approx(2045 / 2200, rel=1e-12)
    r = run_uncertainty(fp, iterations=3000, seed=4)
    m = compile_model(fp)
    names = [i.name for i in m.inputs]
    d = draw_multipliers(m, 3000, 4)
    y, a = 0.8 * d[:, names.index("process.film.yield")], 50 * d[:, names.index("process.regrind.film")]
    want = 0.51125 / (y - 0.005 * a)
    np.testing.assert_allclose(r.draws_total["loop"], want, rtol=1e-10)
    np.testing.assert_allclose(r.draws_total["loop2"], want, rtol=1e-10)  # common random numbers
    np.testing.assert_allclose(r.draws_total["half"], want, rtol=1e-10)
    assert len(m.sampler.blocks) == 3  # loop, loop2 and the mix's copies are re-solved per draw
    # the same draw through Model.evaluate
    slow = model.evaluate({"process.film.yield": y[7], "process.regrind.film": f"{float(a[7])!r} m^2"})
    assert slow.total("half").value == pytest.approx(r.draws_total["half"][7], rel=1e-10)
    # tornado: exact at the inputs' percentiles
    tor = r.tornado.filter(r.tornado["scenario"] == "loop")
    row = tor.filter(tor["input"] == "process.film.yield").row(0, named=True)
    lo = float(m.inputs[names.index("process.film.yield")].dist.ppf(0.025)) * 0.8
    assert row["low"] == pytest.approx(0.51125 / (lo - 0.25), rel=1e-10)
