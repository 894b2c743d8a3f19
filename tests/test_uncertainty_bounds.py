"""Uncertainty: physical bounds of every draw (#10 item 6), statistics checked before they leave
the engine, located messages (#11 item 5) and resource bounds (#11 item 7)."""

from __future__ import annotations

import math
import tracemalloc
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca
from conftest import study_with_uncertainty, uncertainty_entry
from lca.errors import FactorError, InternalError, LcaInputError, StudyError
from lca.factors import FACTOR_COLUMNS
from lca.uncertainty import compile_model, parse_spec, run_uncertainty
from lca.uncertainty.montecarlo import draw_multipliers

YIELD = 0.70  # process.base_film.yield in the default study


_study, _entry = study_with_uncertainty, uncertainty_entry


# ------------------------------------------------------------------ #10 item 6: bounds

@pytest.mark.parametrize("sd, side", [("20 %", "above 1"), ("60 %", "below 0"), ("200 %", "below 0")])
def test_unbounded_normal_on_a_yield_is_refused_naming_the_entry(tmp_path, sd, side):
    """main: 20 % drew yields above 1 silently, 60 % ended in 'tornado row 16 … missing' (an internal
    table reported as an input error) and a mean of 3e296 kg CO2e/m² was possible."""
    study = _study(tmp_path, _entry("process.coating.electricity", "triangular", min="0.01 kWh", max="0.05 kWh")
                   + _entry("process.base_film.yield", "normal", sd=sd))
    with pytest.raises(StudyError) as exc:
        run_uncertainty(lca.compute(study), iterations=200, seed=1)
    [p] = exc.value.problems
    assert p.file == str(study.path) and p.table == "uncertainty #2" and p.column == "sd"
    assert side in p.message and "a yield lies in (0, 1]" in p.message
    assert "truncate" in p.hint


@pytest.mark.parametrize("target, dist, keys, words", [
    ("process.base_film.yield", "triangular", {"min": 0.6, "max": 1.2}, "max 1.2 is outside"),
    ("process.base_film.yield", "uniform", {"min": 0.0, "max": 0.8}, "min 0 is outside"),
    ("process.base_film.yield", "lognormal", {"gsd": 1.1}, "above 1"),
    ("process.base_film.electricity", "normal", {"sd": "50 %"}, "below 0 kWh"),
    ("view.kWh", "uniform", {"min": "0 m^2", "max": "12 m^2"}, "must be positive"),
    ("transport.packaging_factor", "uniform", {"min": "-30 %", "max": "+10 %"}, "at least 1"),
    ("process.base_film.electricity", "triangular", {"min": "0.1 kWh", "max": "1e300 kWh"}, "× the study value"),
    ("process.base_film.electricity", "lognormal", {"gsd": 100.0}, "97.5th percentile"),
    ("process.base_film.yield", "normal", {"sd": "10 %", "min": 0.8, "max": 0.9}, "must lie between"),
])
def test_distributions_outside_the_physical_range_are_refused(tmp_path, target, dist, keys, words):
    """Every kind of target has a physical range; a range 1e300 × the study value (main: 'summary row
    N, column mean: … inf', an internal table) is refused at the entry as implausible."""
    with pytest.raises(StudyError) as exc:
        parse_spec(_study(tmp_path, _entry(target, dist, **keys)))
    [p] = exc.value.problems
    assert words in p.message and p.table == "uncertainty #1" and p.file.endswith("study.toml"), str(p)


def test_explicitly_truncated_normal_stays_inside_its_bounds(tmp_path):
    study = _study(tmp_path, _entry("process.base_film.yield", "normal", sd="20 %", min=0.6, max=1.0))
    fp = lca.compute(study)
    m = compile_model(fp)
    [p] = [k for k, i in enumerate(m.inputs) if i.name == "process.base_film.yield"]
    draws = draw_multipliers(m, 20_000, 5)[:, p] * YIELD
    assert draws.min() >= 0.6 and draws.max() <= 1.0
    # truncation at 1.0 cuts 1.6 % above, 0.6 cuts 24 % below: the mean moves up (hand: ≈ 0.7627
    # = 0.7 + 0.14 (φ(-0.714) - φ(2.143)) / (Φ(2.143) - Φ(-0.714)))
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))  # noqa: E731
    a, b = (0.6 - YIELD) / 0.14, (1.0 - YIELD) / 0.14
    assert draws.mean() == pytest.approx(YIELD + 0.14 * (phi(a) - phi(b)) / (cdf(b) - cdf(a)), abs=0.003)
    r = run_uncertainty(fp, iterations=2000, seed=5)
    assert "truncated to 0.857-1.43 × value" in r.inputs.filter(pl.col("input") == "process.base_film.yield")[
        "distribution"][0]


TARGETS = [("process.base_film.yield", YIELD, 0.0, 1.0), ("process.base_film.electricity", 0.14, 0.0, math.inf),
           ("transport.container_ship.distance", 1.0, 0.0, math.inf)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(t=st.sampled_from(TARGETS), dist=st.sampled_from(["normal", "lognormal", "triangular", "uniform"]),
       spread=st.floats(0.01, 3.0), lo=st.floats(-0.5, 1.0), hi=st.floats(1.0, 3.0), seed=st.integers(0, 2**32))
def test_property_draws_are_physical_or_the_entry_is_refused(tmp_path_factory, t, dist, spread, lo, hi, seed):
    """Any distribution on a yield, an amount or a distance: refused naming the entry, or every
    draw keeps the value in its physical range (a yield in (0, 1], amounts and distances >= 0)."""
    name, x0, vmin, vmax = t
    keys = ({"sd": f"{spread * 100:g} %"} if dist == "normal" else {"gsd": 1 + spread} if dist == "lognormal"
            else {"min": f"{(lo - 1) * 100:+g} %", "max": f"{(hi - 1) * 100:+g} %"})
    study = _study(tmp_path_factory.mktemp("p"), _entry(name, dist, **keys))
    try:
        specs = parse_spec(study)
    except StudyError as exc:
        assert all(p.table == "uncertainty #1" and p.file.endswith("study.toml") for p in exc.problems)
        return
    d, rng = specs[0].dist, np.random.default_rng(seed)
    x = rng.standard_normal(4000) if d.uses_normal else rng.random(4000)
    value = d.transform(x, x) * x0
    assert np.all(np.isfinite(value)) and np.all(value >= vmin) and np.all(value <= vmax)
    if name.endswith("yield"):
        assert np.all(value > 0)


def test_engine_failure_is_an_internal_error_not_an_input_error(default_fp, monkeypatch):
    """A total outside the range its inputs allow (the 3e296 of main) is caught before any statistic
    leaves the engine, and reported as lca's bug."""
    from lca.uncertainty.model import CompiledModel

    real = CompiledModel.group_totals
    monkeypatch.setattr(CompiledModel, "group_totals", lambda self, m, p, w: real(self, m, p, w) * 1e300)
    with pytest.raises(InternalError, match="outside the range its inputs allow") as exc:
        run_uncertainty(default_fp, iterations=500, seed=1)
    assert not isinstance(exc.value, LcaInputError)


def test_result_frame_failure_is_an_internal_error(default_fp, monkeypatch):
    from lca.uncertainty import montecarlo

    monkeypatch.setattr(montecarlo, "tornado_frame", lambda model: pl.DataFrame(
        {"scenario": ["x"], "input": ["y"], "low": [math.nan], "high": [1.0], "base": [1.0], "unit": ["u"]}))
    with pytest.raises(InternalError, match="uncertainty tornado"):
        run_uncertainty(default_fp, iterations=100, seed=1)


def test_default_study_monte_carlo_is_unchanged(tmp_path):
    """Same seed, same numbers as before the bounds (the default study uses triangular, uniform and
    lognormal inputs inside their ranges): values taken from main at 0a09a50. To 1e-12 relative:
    the matrix engine (#12) gives the same contributions to 1e-12, not to the last bit. #13 changed the
    study and the shipped data on purpose: computed on the study and library of that time
    (conftest.default_as_frozen)."""
    from conftest import default_as_frozen

    r = run_uncertainty(default_as_frozen(tmp_path)[1], iterations=25_000, seed=3)
    t = r.summary.filter(pl.col("stage") == "total")
    assert t["mean"].to_list() == pytest.approx([0.22083447971367393, 0.2145680831797579, 0.13597059596600672,
                                                 0.21801348119936534, 0.2535361159963825, 0.2170746417933251],
                                                rel=1e-12)
    assert t["p97_5"].to_list() == pytest.approx([0.2862778569344441, 0.2795848542330877, 0.18583970642498399,
                                                  0.282158064077033, 0.3329711440682632, 0.28226222316932653],
                                                 rel=1e-12)
    assert r.differences["prob_b_lower"].to_list()[:5] == [1.0, 0.99996, 0.64132, 0.00264, 1.0]
    assert float(r.draws_total["ontario"][24_999]) == pytest.approx(0.14784664259115604, rel=1e-12)


# ------------------------------------------------------------------ #11 item 5: factor files

def _layer(tmp_path: Path, default_fp, **changes) -> Path:
    row = default_fp.library.factors.filter(pl.col("id") == "mat.boehmite.estimate").select(FACTOR_COLUMNS)
    row = row.with_columns(*[pl.lit(v).alias(k) for k, v in changes.items()])
    path = tmp_path / "my_factors.csv"
    row.write_csv(path)
    return path


@pytest.mark.parametrize("changes, column, words", [
    ({"unc_dist": "normal", "unc_sd": 2.0, "unc_min": None, "unc_max": None}, "unc_sd", "below 0"),
    ({"unc_dist": "triangular", "unc_min": 5.0, "unc_max": 9.0}, "unc_min", "does not contain its value"),
    ({"unc_dist": "lognormal", "unc_gsd": None}, "unc_dist", "needs unc_gsd"),
])
def test_factor_distribution_errors_name_the_factor_file(tmp_path, default_study, default_fp, changes, column, words):
    layer = _layer(tmp_path, default_fp, **changes)
    with pytest.raises(FactorError) as exc:  # refused when the layer is read, or at the latest when sampled
        run_uncertainty(lca.compute(default_study, factors=[layer]), iterations=10)
    [p] = exc.value.problems
    assert p.file in (str(layer), layer.name) and "factor 'mat.boehmite.estimate'" in p.message
    assert p.column == column or (column, p.column) == ("unc_dist", "unc_gsd")
    assert words in p.message


def test_factor_normal_with_unc_min_is_a_truncated_normal(tmp_path, default_study, default_fp):
    value = default_fp.detail.filter(pl.col("factor_id") == "mat.boehmite.estimate")["factor_value"][0]
    layer = _layer(tmp_path, default_fp, unc_dist="normal", unc_sd=value, unc_min=0.5 * value, unc_max=None)
    r = run_uncertainty(lca.compute(default_study, factors=[layer]), iterations=2000, seed=2)
    row = r.inputs.filter(pl.col("input") == "factor mat.boehmite.estimate").row(0, named=True)
    assert "truncated to 0.5-inf × value" in row["distribution"] and row["p2_5"] >= 0.5 * value


def test_entries_given_as_an_argument_are_not_blamed_on_the_study_file(default_fp):
    with pytest.raises(StudyError) as exc:
        run_uncertainty(default_fp, iterations=10, uncertainty=[{"target": "process.base_film.yield",
                                                                 "dist": "uniform", "min": 0.5, "max": 1.5}])
    assert exc.value.problems[0].file == "uncertainty= argument"


# ------------------------------------------------------------------ #11 item 7: resources

def test_iterations_beyond_the_memory_limit_are_refused_before_allocating(default_fp, monkeypatch):
    """main: numpy's 'Unable to allocate 102 TiB' traceback."""
    with pytest.raises(LcaInputError) as exc:
        run_uncertainty(default_fp, iterations=10**14, seed=1)
    msg = str(exc.value)
    assert "--iterations 100,000,000,000,000 needs about" in msg and "the limit is 2 GiB (the default)" in msg
    assert "--max-memory" in msg and "LCA_MAX_MEMORY" in msg
    monkeypatch.setenv("LCA_MAX_MEMORY", "1 MiB")
    with pytest.raises(LcaInputError, match="the limit is 1 MiB .the LCA_MAX_MEMORY environment variable."):
        run_uncertainty(default_fp, iterations=20_000, seed=1)
    assert run_uncertainty(default_fp, iterations=20_000, seed=1, max_memory="1 GiB").iterations == 20_000


def test_memory_estimate_covers_the_arrays_actually_allocated(default_fp):
    from lca.uncertainty.checks import memory_needed

    m = compile_model(default_fp)
    pats, _w = m.patterns()
    n = 400_000
    est = memory_needed(len(m.inputs), len(m.scenarios), m.n_groups, pats.shape[0], n, chunk=20_000,
                        sensitivity_draws=20_000)
    tracemalloc.start()
    try:
        run_uncertainty(default_fp, iterations=n, seed=1)
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 0.8 * peak <= est <= 2.0 * peak


def test_same_seed_same_numbers_whatever_the_chunking(default_fp, monkeypatch):
    from lca.uncertainty import montecarlo

    a = run_uncertainty(default_fp, iterations=5_000, seed=9)
    monkeypatch.setattr(montecarlo, "CHUNK", 777)
    b = run_uncertainty(default_fp, iterations=5_000, seed=9)
    assert a.summary.equals(b.summary) and a.differences.equals(b.differences)
    assert np.array_equal(a.draws_total["ontario"], b.draws_total["ontario"])


def test_negative_seed_is_a_usage_error(default_fp, cli):
    with pytest.raises(LcaInputError, match="seed must be a whole number >= 0"):
        run_uncertainty(default_fp, iterations=10, seed=-1)
    res = cli("uncertainty", "--seed", "-1", "-n", "10")
    assert res.exit_code == 2 and "Traceback" not in res.stderr
    res = cli("report", "--uncertainty", "--seed", "-1", "-o", "never.html")
    assert res.exit_code == 2 and "--seed" in res.stderr and not Path("never.html").exists()
    res = cli("uncertainty", "-n", str(10**14))
    assert res.exit_code == 1 and "needs about" in res.stderr and "Traceback" not in res.stderr
