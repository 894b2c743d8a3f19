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


def test_allocated_process_exchange_draws_and_refused_yields(tmp_path):
    """Mass allocation (tests/test_engine_allocation.py: 2 kWh × 0.5 + 1.0 kg CO2e of resin per run,
    0.4 of it to the precursor): a drawn power amount r × 2 kWh gives 0.4 × (r + 1.0) per kg. A
    yield or output moves the allocation factors themselves: refused, not silently ignored."""
    from test_engine_allocation import METHODS, _path

    path = _path(tmp_path, METHODS["mass"][0])
    path.write_text(path.read_text() + '\n[[uncertainty]]\ntarget = "process.precip.tiny_power"\n'
                    'dist = "uniform"\nmin = "1 kWh"\nmax = "3 kWh"\n', encoding="utf-8")
    fp = lca.compute(lca.load_study(path))
    r = run_uncertainty(fp, iterations=500, seed=2)
    m = compile_model(fp)
    ratio = draw_multipliers(m, 500, 2)[:, [i.name for i in m.inputs].index("process.precip.tiny_power")]
    np.testing.assert_allclose(r.draws_total["one"], 0.4 * (ratio + 1.0), rtol=1e-12)
    with pytest.raises(lca.errors.StudyError, match="moves an allocation"):
        run_uncertainty(fp, iterations=10, uncertainty=[{"target": "process.precip.yield", "dist": "uniform",
                                                         "min": 0.9, "max": 1.0}])
