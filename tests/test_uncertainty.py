"""Monte Carlo, sensitivity and break-even (lca.uncertainty): the issue's acceptance tests.

Hand expectations use the tiny study (tests/test_tiny_study.py): with the mill's grid factor
(0.5 kg CO2e/kWh, 2 kWh per m² in 'one-site', 2.5 kWh in 'two-step') drawn as a multiplier m,
one-site = 1.0·m + 0.1997 and two-step = 1.25·m + 0.37474 exactly.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

import lca
from lca.factors import FACTOR_COLUMNS
from lca.uncertainty import Distribution, compile_model, run_uncertainty
from lca.uncertainty.distributions import Z975, pedigree_gsd

CONTRACT = {
    "summary": ["scenario", "stage", "mean", "median", "p2_5", "p97_5", "unit"],
    "differences": ["scenario_a", "scenario_b", "mean", "median", "p2_5", "p97_5", "prob_b_lower", "unit"],
    "sensitivity": ["target", "input", "spearman_r2"],
    "tornado": ["scenario", "input", "low", "high", "base", "unit"],
    "breakeven": ["scenario_a", "scenario_b", "parameter", "current", "breakeven", "unit", "note"],
}


@pytest.fixture(scope="module")
def default_run(default_fp):
    return run_uncertainty(default_fp, iterations=4000, seed=11)


def _tiny_with(tiny_path, gsd: float):
    factors = pl.read_csv(tiny_path.parent / "factors.csv", infer_schema=False)
    layer = factors.filter(pl.col("id") == "tiny.power.north").with_columns(
        pl.lit("lognormal").alias("unc_dist"), pl.lit(str(gsd)).alias("unc_gsd"))
    return lca.compute(lca.load_study(tiny_path), factors=[layer])


def test_result_frames_have_the_contract_shape(default_run, default_fp):
    for name, cols in CONTRACT.items():
        assert getattr(default_run, name).columns == cols, name
    assert default_run.iterations == 4000 and default_run.seed == 11
    assert sorted(default_run.draws_total) == sorted(default_fp.scenarios)
    assert all(v.shape == (4000,) for v in default_run.draws_total.values())
    n = len(default_fp.scenarios)
    assert default_run.differences.height == n * (n - 1)
    assert set(default_run.summary.get_column("unit")) == {"kg_CO2e/m^2"}


def test_same_seed_gives_identical_results(default_fp, default_run):
    again = run_uncertainty(default_fp, iterations=4000, seed=11)
    for name in CONTRACT:
        assert getattr(again, name).equals(getattr(default_run, name)), name
    for s, draws in default_run.draws_total.items():
        assert np.array_equal(draws, again.draws_total[s])


def test_other_seed_agrees_within_monte_carlo_error(default_fp, default_run):
    other = run_uncertainty(default_fp, iterations=4000, seed=12)
    for s, a in default_run.draws_total.items():
        b = other.draws_total[s]
        assert not np.array_equal(a, b)
        se = np.sqrt(a.var() / a.size + b.var() / b.size)
        assert abs(a.mean() - b.mean()) < 5 * se, s
        assert np.median(b) == pytest.approx(np.median(a), rel=0.02)


def test_zero_uncertainty_reproduces_the_deterministic_result(bare_default_study, default_fp):
    quiet = default_fp.library.factors.select(FACTOR_COLUMNS).with_columns(
        pl.lit("none").alias("unc_dist"))
    fp = lca.compute(bare_default_study, factors=[quiet])
    r = run_uncertainty(fp, iterations=500, seed=3)
    det = dict(fp.totals().select("scenario", "value").iter_rows())
    for s, draws in r.draws_total.items():
        np.testing.assert_allclose(draws, det[s], rtol=1e-13, atol=0)
    assert r.tornado.height == 0 and r.sensitivity.height == 0
    stages = fp.by_stage().select("scenario", "stage", "value")
    got = r.summary.join(stages, on=["scenario", "stage"])
    np.testing.assert_allclose(got["median"], got["value"], rtol=1e-13)


def test_known_lognormal_matches_analytic_percentiles(tiny_path):
    gsd = 1.5
    fp = _tiny_with(tiny_path, gsd)
    r = run_uncertainty(fp, iterations=200_000, seed=5)
    tot = r.summary.filter(pl.col("stage") == "total")
    s = np.log(gsd)
    for sid, k, rest in (("one-site", 1.0, 0.1997), ("two-step", 1.25, 0.37474)):
        row = tot.filter(pl.col("scenario") == sid).row(0, named=True)
        assert row["median"] == pytest.approx(rest + k, rel=5e-3)
        assert row["p2_5"] == pytest.approx(rest + k * np.exp(-Z975 * s), rel=1e-2)
        assert row["p97_5"] == pytest.approx(rest + k * np.exp(Z975 * s), rel=1e-2)
        assert row["mean"] == pytest.approx(rest + k * np.exp(s * s / 2), rel=5e-3)


def test_common_random_numbers_keep_mixes_and_differences_consistent(tiny_path):
    r = run_uncertainty(_tiny_with(tiny_path, 1.5), iterations=3000, seed=9)
    one, two, mix = (r.draws_total[s] for s in ("one-site", "two-step", "mix"))
    np.testing.assert_allclose(mix, 0.5 * one + 0.5 * two, rtol=1e-12)
    # the shared factor moves both scenarios together: two-step − one-site = 0.25·m + 0.17504 > 0 always
    assert r.prob_b_lower("one-site", "two-step") == 0.0
    assert r.prob_b_lower("two-step", "one-site") == 1.0


def test_tornado_and_sensitivity_with_one_uncertain_input(tiny_path):
    gsd = 1.5
    r = run_uncertainty(_tiny_with(tiny_path, gsd), iterations=2000, seed=1)
    t = r.tornado.filter(pl.col("scenario") == "one-site").row(0, named=True)
    assert t["input"] == "factor tiny.power.north"
    assert t["low"] == pytest.approx(0.1997 + gsd ** -Z975, rel=1e-9)
    assert t["high"] == pytest.approx(0.1997 + gsd ** Z975, rel=1e-9)
    assert t["base"] == pytest.approx(1.1997, rel=1e-12)
    sens = r.sensitivity.filter(pl.col("target") == "one-site")
    assert sens.height == 1 and sens.get_column("spearman_r2")[0] == pytest.approx(1.0)


def _totals(fp) -> dict[str, float]:
    return dict(fp.totals().select("scenario", "value").iter_rows())


def _equal(fp, a, b):
    t = _totals(fp)
    assert abs(t[a] - t[b]) <= 1e-9 * abs(t[a])


def test_break_even_grid_factor_plugged_back_makes_totals_equal(tiny_path):
    fp = lca.compute(lca.load_study(tiny_path))
    # two-step uses the south grid (coat) and the north grid (film); one-site only the north grid
    be = lca.break_even(fp, "one-site", "two-step", "factor.tiny.power.south").row(0, named=True)
    assert be["unit"] == "kg_CO2e/kWh" and be["current"] == 0.2
    assert be["breakeven"] < 0 and "negative" in be["note"]
    be = lca.break_even(fp, "one-site", "two-step", "factor.tiny.power.north").row(0, named=True)
    # one = 2x + 0.1997, two = 2.5x + 0.37474 → never equal for x >= 0
    assert be["breakeven"] == pytest.approx(-(0.37474 - 0.1997) / 0.5)


def test_break_even_default_study_grid_factor_round_trip(default_study, default_fp):
    be = lca.break_even(default_fp, "jp-import", "charlotte-coated",
                        "factor.grid.egrid2023r2.us-srvc").row(0, named=True)
    assert be["note"] == "" and be["breakeven"] > be["current"]
    layer = (default_fp.library.factors.filter(pl.col("id") == "grid.egrid2023r2.us-srvc")
             .select(FACTOR_COLUMNS).with_columns(pl.lit(be["breakeven"]).alias("value")))
    _equal(lca.compute(default_study, factors=[layer]), "jp-import", "charlotte-coated")


def test_break_even_grid_at_site_matches_factor_when_site_owns_it(default_study):
    # #13: on a combustion basis at generation the site's grid is one factor row (no upstream adder, no loss)
    fp = lca.compute(default_study.with_method(electricity_basis="combustion-generation-CO2e"))
    by_site = lca.break_even(fp, "jp-import", "ontario", "grid.port_colborne").row(0, named=True)
    by_factor = lca.break_even(fp, "jp-import", "ontario", "factor.grid.emaps2024.ca-on.direct").row(0, named=True)
    assert by_site["breakeven"] == pytest.approx(by_factor["breakeven"], rel=1e-12)


def test_break_even_exchange_distance_and_yield_round_trip(tiny_path):
    study = lca.load_study(tiny_path)
    fp = lca.compute(study)
    # coat electricity (only two-step has it): one = 1.1997, two = 1.49974 + 0.125·(x/0.5)
    be = lca.break_even(fp, "one-site", "two-step", "process.coat.tiny_power").row(0, named=True)
    assert be["unit"] == "kWh" and be["breakeven"] < 0
    # plugging back an exchange amount (a negative one is not physical, so use the distance below)
    # distance of the one-site truck leg: transport.<from>.<to>.distance
    be = lca.break_even(fp, "two-step", "one-site", "transport.mill.plant.distance").row(0, named=True)
    assert be["unit"] == "km" and be["breakeven"] > 100
    legs = study.transport.with_columns(
        pl.when((pl.col("from_site") == "mill") & (pl.col("to_site") == "plant")).then(pl.lit(be["breakeven"]))
        .otherwise(pl.col("distance")).alias("distance"))
    _equal(lca.compute(replace(study, transport=legs)), "one-site", "two-step")


def test_break_even_yield_round_trip(tiny_path, default_fp):
    # coat yield y scales the coating and the film it consumes: two-step = 1.2996 / y + 0.00024,
    # equal to one-site (1.1997) at y = 1.2996 / 1.19946 ≈ 1.083: solved in 1/y, flagged as above 1
    study = lca.load_study(tiny_path)
    be = lca.break_even(lca.compute(study), "one-site", "two-step", "process.coat.yield").row(0, named=True)
    assert be["breakeven"] == pytest.approx(1.2996 / 1.19946, rel=1e-9)
    assert be["note"] == "outside the physical range (yield above 1)"
    procs = study.processes.with_columns(
        pl.when(pl.col("id") == "coat").then(pl.lit(be["breakeven"])).otherwise(pl.col("yield")).alias("yield"))
    _equal(lca.compute(replace(study, processes=procs)), "one-site", "two-step")
    # Ontario stays below Japan whatever the coating yield: no break-even
    none = lca.break_even(default_fp, "ontario", "jp-import", "process.coating.yield").row(0, named=True)
    assert none["breakeven"] is None and none["note"] == "no break-even in the physical range"


def test_break_even_reports_no_solution(default_fp):
    be = lca.break_even(default_fp, "jp-import", "kr-import", "grid.charlotte").row(0, named=True)
    assert be["breakeven"] is None and be["note"].startswith("no break-even")
    be = lca.break_even(default_fp, "jp-import", "kr-import", "view.kWh").row(0, named=True)
    assert be["breakeven"] is None


def test_break_even_unknown_parameter_is_an_input_error(default_fp):
    with pytest.raises(lca.errors.StudyError, match="unknown target"):
        lca.break_even(default_fp, "jp-import", "ontario", "nonsense.x")
    with pytest.raises(lca.errors.LcaInputError, match="unknown scenario"):
        lca.break_even(default_fp, "jp-import", "nope", "grid.charlotte")


def test_iterations_must_be_positive(default_fp):
    with pytest.raises(lca.errors.LcaInputError, match="iterations"):
        run_uncertainty(default_fp, iterations=0)


def test_compiled_model_matches_the_deterministic_stages(bare_default_study):
    default_fp = lca.compute(bare_default_study)
    m = compile_model(default_fp, per="kWh")
    det = dict(default_fp.totals("kWh").select("scenario", "value").iter_rows())
    np.testing.assert_allclose(m.deterministic_totals(), [det[s] for s in m.scenarios], rtol=1e-12)
    # every factor id is exactly one input, shared by all scenarios that use it (was: the shape of the
    # fitted exponent matrix, an implementation detail the sampler no longer has)
    # #13: the default basis includes T&D losses, each loss factor is one input too
    d = default_fp.detail
    losses = d.get_column("td_loss_factor").drop_nulls().str.split(" + ").explode().unique()
    assert len(m.inputs) == d.get_column("factor_id").n_unique() + losses.len()
    for p, i in enumerate(m.inputs):
        col = "factor_id" if i.loss is None else "td_loss_factor"
        users = d.filter(pl.col(col) == i.name.removeprefix("factor ")).get_column("scenario").unique()
        assert sorted(np.array(m.scenarios)[m.affects()[p]]) == sorted(users)


def test_pedigree_default_used_when_only_ratings_are_known(default_study, default_fp):
    row = default_fp.library.factors.filter(pl.col("id") == "grid.emaps2024.jp-kansai.direct").select(FACTOR_COLUMNS)
    layer = row.with_columns(pl.lit(None, pl.String).alias("unc_dist"), pl.lit(None, pl.Float64).alias("unc_gsd"))
    fp = lca.compute(default_study, factors=[layer])
    r = run_uncertainty(fp, iterations=100, seed=1)
    src = r.inputs.filter(pl.col("input") == "factor grid.emaps2024.jp-kansai.direct").get_column("source")[0]
    assert src.startswith("pedigree default")
    assert pedigree_gsd("electricity", 2, 2, 2) == pytest.approx(np.exp(np.sqrt(0.0006 + 0.0006 + 0.000025
                                                                                 + 0.0002)))


def test_inconsistent_factor_range_is_reported(default_study, default_fp):
    row = default_fp.library.factors.filter(pl.col("id") == "mat.boehmite.estimate").select(FACTOR_COLUMNS)
    # refused when the factor layer is read (as `lca validate` does), not only by Monte Carlo
    with pytest.raises(lca.errors.FactorError, match="does not contain its value") as err:
        lca.compute(default_study, factors=[row.with_columns(pl.lit(5.0).alias("unc_min"))])
    assert err.value.problems[0].column == "unc_min" and err.value.problems[0].file == "user frame"


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["lognormal", "normal", "triangular", "uniform"]),
       a=st.floats(0.05, 1.0), b=st.floats(1.0, 4.0), q=st.lists(st.floats(0.001, 0.999), min_size=2, max_size=5))
def test_distribution_quantiles_are_monotone_and_in_range(kind, a, b, q):
    d = Distribution(kind, gsd=b, rel_sd=a / 3, low=a, mode=1.0, high=b)
    qs = np.sort(np.array(q))
    v = d.ppf(qs)
    assert np.all(np.diff(v) >= -1e-12)
    if kind in ("triangular", "uniform"):
        assert np.all((v >= a - 1e-12) & (v <= b + 1e-12))
    assert np.all(v >= 0)


def test_draws_follow_their_distribution():
    rng = np.random.default_rng(0)
    z, u = rng.standard_normal(200_000), rng.random(200_000)
    tri = Distribution("triangular", low=0.5, mode=1.0, high=2.0).transform(u, u)
    assert tri.mean() == pytest.approx((0.5 + 1 + 2) / 3, rel=3e-3)
    ln = Distribution("lognormal", gsd=1.3).transform(z, z)
    assert np.median(ln) == pytest.approx(1.0, abs=3e-3)
    assert Distribution("normal", rel_sd=0.0).transform(z, z).tolist() == [1.0] * z.size


def test_sampled_draws_equal_model_evaluate_of_the_same_changes(tmp_path):
    """Each Monte Carlo draw is the footprint Model.evaluate gives for the same changes (a yield moves
    the scaling vector, a distance the rows). Replaces a test of the power-law patterns against a
    row-by-row power-law product: the implementation detail it pinned is gone."""
    block = ('\n[[uncertainty]]\ntarget = "process.base_film.yield"\ndist = "triangular"\nmin = 0.6\nmax = 0.85\n'
             '[[uncertainty]]\ntarget = "transport.truck.distance"\ndist = "uniform"\nmin = "-10 %"\nmax = "+10 %"\n')
    path = tmp_path / "s.toml"
    from conftest import default_text_without_uncertainty

    path.write_text(default_text_without_uncertainty() + block, encoding="utf-8")
    study = lca.load_study(path)
    model = lca.build_model(study)
    fp = model.footprint()
    from lca.uncertainty.montecarlo import draw_multipliers, simulate

    m = compile_model(fp)
    names = [i.name for i in m.inputs]
    y, truck = names.index("process.base_film.yield"), names.index("transport.truck.distance")
    draws = np.ones((300, len(names)))  # factors at their values: the study inputs drawn
    both = draw_multipliers(m, 300, 2)
    draws[:, [y, truck]] = both[:, [y, truck]]
    fast = simulate(m, draws, chunk=128)
    for it in (0, 1, 299):
        procs = study.processes.with_columns(pl.when(pl.col("id") == "base_film").then(0.7 * draws[it, y])
                                             .otherwise(pl.col("yield")).alias("yield"))
        legs = study.transport.with_columns(pl.when(pl.col("mode") == "truck").then(pl.col("distance") * draws[it, truck])
                                            .otherwise(pl.col("distance")).alias("distance"))
        slow = lca.compute(replace(study, processes=procs, transport=legs))
        want = [slow.total(s).value for s in m.scenarios]
        got = fast[it].reshape(len(m.scenarios), -1).sum(axis=1)
        np.testing.assert_allclose(got, want, rtol=1e-12)
