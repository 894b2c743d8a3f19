"""Grid-loss uncertainty with ``td_losses = "included"`` (review finding 14).

Before: the shipped loss rows' uncertainty (normal, sd 0.005) was never sampled, and an
``[[uncertainty]]`` entry on ``factor.ggl.egrid2023r2.us-srvc`` was refused as "not used by this
study". A loss enters as ``value / (1 − L)``, so it is drawn as ``L`` (in [0, 1)) and its rows are
multiplied by ``(1 − L0) / (1 − L)``.

Hand model of the default study (td_losses included, every emission factor held at its value):
only the coating electricity in Charlotte (US-SRVC) is grossed up, 0.03 kWh / 0.95 yield ×
0.27049 kg CO2e/kWh / (1 − 0.042) = C = 0.0089163 kg CO2e/m² in ``charlotte-coated`` (0.6 C in
``supply-mix-2028``). So ``T(L) = T0 + C · ((1 − L0) / (1 − L) − 1)``, monotone in L: each
percentile of T is T at that percentile of L, and the mean is ``T0 − C + C (1 − L0) E[1/(1 − L)]``.

#13 shipped loss rows for more grids and upstream adders; the hand model above is of the library these
tests were written against, kept as ``tests/data/engine_frozen/factors`` (US loss rows only, no adders,
no supply routes), which the default study is computed with here.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca
from lca.errors import StudyError
from lca.uncertainty import compile_model, run_uncertainty
from lca.uncertainty.distributions import Z975, _norm_ppf
from lca.uncertainty.montecarlo import draw_multipliers

LOSS_ID = "ggl.egrid2023r2.us-srvc"
L0, SD = 0.042, 0.005                      # factors/grid_losses.csv: value, unc_sd (normal)
C = 0.03 / 0.95 * 0.27049 / (1 - L0)       # kg CO2e/m², see the module docstring
N = 50_000
FROZEN_LIBRARY = Path(__file__).parent / "data" / "engine_frozen" / "factors"


@pytest.fixture(scope="module")
def fp(tmp_path_factory):
    """The default study as these tests were written against (conftest.default_as_frozen), losses included."""
    from conftest import default_as_frozen

    study = default_as_frozen(tmp_path_factory.mktemp("losses"))[0].with_method(td_losses="included")
    return lca.compute(study, library=lca.load_library(directory=FROZEN_LIBRARY))


@pytest.fixture(scope="module")
def quiet(fp):
    """Entries holding every emission factor at its value, so only grid losses vary."""
    ids = fp.detail.get_column("factor_id").unique().sort().to_list()
    return [{"target": f"factor.{fid}", "dist": "none"} for fid in ids]


def T(fp, scenario: str, loss, share: float = 1.0):
    return fp.total(scenario).value + share * C * ((1 - L0) / (1 - np.asarray(loss)) - 1)


def _total(r, scenario: str) -> dict:
    return r.summary.filter((pl.col("scenario") == scenario) & (pl.col("stage") == "total")).row(0, named=True)


def test_hand_model_matches_the_engine(fp):
    d = fp.detail.filter(pl.col("td_loss_factor") == LOSS_ID)
    assert sorted(d.get_column("scenario").to_list()) == ["charlotte-coated", "supply-mix-2028"]
    assert d.filter(pl.col("scenario") == "charlotte-coated")["value"].sum() == pytest.approx(C, rel=1e-12)


def test_shipped_normal_loss_is_sampled_and_matches_the_analytic_percentiles(fp, quiet):
    r = run_uncertainty(fp, iterations=N, seed=1, uncertainty=quiet)
    [row] = r.inputs.filter(pl.col("input") == f"factor {LOSS_ID}").iter_rows(named=True)
    assert row["distribution"].startswith("normal, SD 11.9% of value") and row["current"] == L0
    assert row["p2_5"] == pytest.approx(L0 - Z975 * SD, rel=1e-6)
    for scenario, share in (("charlotte-coated", 1.0), ("supply-mix-2028", 0.6)):
        t = _total(r, scenario)
        for key, q in (("p2_5", 0.025), ("median", 0.5), ("p97_5", 0.975)):
            z = float(_norm_ppf(q))
            # sampling error of a quantile, in loss units: sqrt(q(1 − q)/N) / φ(z) · SD; allow 4 of them
            se = math.sqrt(q * (1 - q) / N) / (math.exp(-z * z / 2) / math.sqrt(2 * math.pi)) * SD
            lo, hi = T(fp, scenario, L0 + z * SD - 4 * se, share), T(fp, scenario, L0 + z * SD + 4 * se, share)
            assert lo <= t[key] <= hi, (scenario, key, t[key], lo, hi)
        # mean: E[1/(1 − L)] = 1/(1 − L0) · (1 + s² + 3 s⁴ + 15 s⁶ …), s = SD / (1 − L0);
        # the normal's tail cut at L = 0 (8.4 SD away) is negligible
        s = SD / (1 - L0)
        mean = fp.total(scenario).value - share * C + share * C * (1 + s**2 + 3 * s**4 + 15 * s**6)
        sd_t = share * C * s  # sd of T to first order
        assert t["mean"] == pytest.approx(mean, abs=4 * sd_t / math.sqrt(N))
    for scenario in ("jp-import", "ontario", "kr-import", "cn-import"):  # no grossed-up rows: no spread
        t = _total(r, scenario)
        assert t["p2_5"] == pytest.approx(fp.total(scenario).value, rel=1e-12)
        assert t["p97_5"] == pytest.approx(fp.total(scenario).value, rel=1e-12)


def test_an_uncertainty_entry_on_the_loss_factor_replaces_the_table(fp, quiet):
    """Uniform L on [0.0, 0.5]: closed forms. E[1/(1 − L)] = ln((1 − a)/(1 − b)) / (b − a) = 2 ln 2 = 1.3863,
    not 1/(1 − E[L]) = 1.3333: the transform is not linear, and the mean shows it."""
    a, b = 0.0, 0.5
    entry = {"target": f"factor.{LOSS_ID}", "dist": "uniform", "min": a, "max": b, "note": "wide, for the test"}
    r = run_uncertainty(fp, iterations=N, seed=2, uncertainty=[*quiet, entry])
    names = r.inputs.get_column("input").to_list()
    assert f"factor {LOSS_ID}" not in names and f"factor.{LOSS_ID}" in names  # the entry, not the table row
    t = _total(r, "charlotte-coated")
    mean = fp.total("charlotte-coated").value - C + C * (1 - L0) * math.log((1 - a) / (1 - b)) / (b - a)
    spread = C * (1 - L0) * (1 / (1 - b) - 1)  # range of T
    assert t["mean"] == pytest.approx(mean, abs=4 * spread / math.sqrt(12 * N))
    assert t["mean"] > float(T(fp, "charlotte-coated", (a + b) / 2)) + 10 * spread / math.sqrt(12 * N)
    for key, q in (("p2_5", 0.025), ("median", 0.5), ("p97_5", 0.975)):
        se = math.sqrt(q * (1 - q) / N) * (b - a)  # quantile error of a uniform, in loss units
        at = a + q * (b - a)
        lo, hi = T(fp, "charlotte-coated", at - 4 * se), T(fp, "charlotte-coated", at + 4 * se)
        assert lo <= t[key] <= hi, (key, t[key], lo, hi)
    # tornado: exact closed form at the 2.5th / 97.5th percentile of L
    tor = r.tornado.filter((pl.col("scenario") == "charlotte-coated") & (pl.col("input") == f"factor.{LOSS_ID}"))
    assert tor["low"][0] == pytest.approx(float(T(fp, "charlotte-coated", a + 0.025 * (b - a))), rel=1e-12)
    assert tor["high"][0] == pytest.approx(float(T(fp, "charlotte-coated", a + 0.975 * (b - a))), rel=1e-12)
    sens = r.sensitivity.filter(pl.col("target") == "charlotte-coated")
    assert sens["input"][0] == f"factor.{LOSS_ID}" and sens["spearman_r2"][0] == pytest.approx(1.0)


def test_all_draws_at_their_mode_reproduce_the_deterministic_totals(fp):
    """Shipped distributions (every factor and the loss vary): multipliers of 1 give the totals."""
    m = compile_model(fp)
    loss = [i for i in m.inputs if i.loss is not None]
    assert [i.name for i in loss] == [f"factor {LOSS_ID}"] and float(loss[0].row_multiplier(np.float64(1.0))) == 1.0
    pats, w = m.patterns()
    g = m.group_totals(np.ones((1, len(m.inputs))), pats, w)
    totals = g.reshape(len(m.scenarios), -1).sum(axis=1)
    assert totals == pytest.approx([fp.total(s).value for s in m.scenarios], rel=1e-12)
    draws = draw_multipliers(m, 2000, 5)  # the loss draws are loss fractions / L0, inside [0, 1/L0)
    col = draws[:, m.inputs.index(loss[0])]
    assert (col >= 0).all() and (col * L0 < 1).all() and abs(col.mean() - 1) < 4 * SD / L0 / math.sqrt(2000)


@pytest.mark.parametrize("entry, column, words", [
    ({"dist": "uniform", "min": 0.02, "max": 1.0}, "max", "a grid-loss fraction lies in [0, 1)"),
    ({"dist": "uniform", "min": 0.02, "max": 0.9999}, "max", "multiply the electricity it grosses up by 9.58e+03"),
    ({"dist": "normal", "sd": "0.05", "min": 0.0, "max": 1.0}, "max", "[0, 1)"),
    ({"dist": "normal", "sd": "10 %", "target": [f"factor.{LOSS_ID}", "process.coating.electricity"]}, "target",
     "cannot share a draw"),
    ({"dist": "normal", "sd": "10 %", "target": "factor.ggl.egrid2023r2.us-nwpp"}, "target", "not used by this study"),
])
def test_impossible_loss_entries_are_refused_naming_the_entry(fp, entry, column, words):
    entry = {"target": f"factor.{LOSS_ID}", **entry}
    with pytest.raises(StudyError) as exc:
        run_uncertainty(fp, iterations=64, seed=1, uncertainty=[entry])
    [p] = exc.value.problems
    assert (p.file, p.table, p.column) == ("uncertainty= argument", "uncertainty #1", column)
    assert words in p.message, p.message


def test_loss_targets_take_percentages_as_units(fp, quiet):
    """"0.5 percent" is the absolute SD 0.005 (a unit), "12 %" a share of the value (0.00504)."""
    a = run_uncertainty(fp, iterations=200, seed=1, uncertainty=[
        *quiet, {"target": f"factor.{LOSS_ID}", "dist": "normal", "sd": "0.5 percent"}])
    b = run_uncertainty(fp, iterations=200, seed=1, uncertainty=[
        *quiet, {"target": f"factor.{LOSS_ID}", "dist": "normal", "sd": "12 %"}])
    pick = pl.col("input") == f"factor.{LOSS_ID}"
    assert a.inputs.filter(pick)["p97_5"][0] == pytest.approx(L0 + Z975 * 0.005, rel=1e-6)
    assert b.inputs.filter(pick)["p97_5"][0] == pytest.approx(L0 + Z975 * 0.12 * L0, rel=1e-6)


def test_excluded_losses_add_no_input(default_study):
    """The default study with td_losses excluded (electricity at generation) has no loss inputs."""
    fp = lca.compute(default_study.with_method(td_losses="excluded"))
    assert all(i.loss is None for i in compile_model(fp).inputs)


def test_break_even_on_a_loss_factor_plugged_back_makes_totals_equal(fp, tmp_path):
    """Solved in the rows' multiplier u = (1 − L0)/(1 − L) (affine), then L* = 1 − (1 − L0)/u; was
    "factor … is not used by this study". Hand: 0.958/(1 − L*) = 1 + (T_jp − T_ch)/C."""
    from lca.factors import FACTOR_COLUMNS

    be = lca.break_even(fp, "jp-import", "charlotte-coated", f"factor.{LOSS_ID}").row(0, named=True)
    gap = fp.total("jp-import").value - fp.total("charlotte-coated").value
    assert (be["current"], be["unit"], be["note"]) == (L0, "dimensionless", "")
    assert be["breakeven"] == pytest.approx(1 - (1 - L0) / (1 + gap / C), rel=1e-12)
    row = fp.library.factors.filter(pl.col("id") == LOSS_ID).select(FACTOR_COLUMNS)
    layer = tmp_path / "loss.csv"
    row.with_columns(pl.lit(repr(be["breakeven"])).alias("value")).write_csv(layer)
    again = lca.compute(fp.study, library=fp.library, factors=[layer])
    assert again.total("charlotte-coated").value == pytest.approx(again.total("jp-import").value, rel=1e-9)


def test_validate_checks_loss_entries_even_when_the_study_does_not_compute(tmp_path):
    """The entries-only stage (a bad factor file stops the compute) knows loss factors too."""
    import shutil
    from pathlib import Path

    from conftest import default_text_without_uncertainty
    from lca.validation import validate

    bad = Path(__file__).resolve().parent / "data" / "validate" / "mixed" / "bad_factors.csv"
    shutil.copy(bad, tmp_path / "supplier.csv")
    entry = f'\n[[uncertainty]]\ntarget = "factor.{LOSS_ID}"\ndist = "uniform"\nmin = 0.02\nmax = 1.0\n'
    study = tmp_path / "study.toml"
    study.write_text(default_text_without_uncertainty() + '\n[factors]\nfiles = ["supplier.csv"]\n' + entry,
                     encoding="utf-8")
    out = validate([study])
    [p] = [p for p in out.problems if p.table == "uncertainty #1"]
    assert p.column == "max" and "a grid-loss fraction lies in [0, 1)" in p.message


LT, LD = 0.02, 0.03  # tiny study: transmission 0.02, distribution "3 percent" (ZZ-NORTH)


def _td_layer(tmp_path, t: float, d_percent: float):
    from tests.test_factor_resolution import row, write

    return write(tmp_path, "td.csv",
                 row("t.north", "grid_loss", "grid_loss", "ZZ-NORTH", repr(t), "dimensionless", "none", "transmission",
                     year=2025, td="n/a", unc="normal,,0.002,,"),
                 row("d.north", "grid_loss", "grid_loss", "ZZ-NORTH", repr(d_percent), "percent", "none",
                     "distribution", year=2025, td="n/a", unc="normal,,0.5,,"))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mt=st.floats(0.0, 20.0), md=st.floats(0.0, 20.0))
def test_compiled_losses_equal_a_recomputation_with_the_drawn_losses(tiny_path, tmp_path_factory, mt, md):
    """Invariant: for any draws of a transmission and a distribution loss (combined 1 − (1 − t)(1 − d)),
    the compiled model's totals equal the footprint recomputed with those loss values."""
    work = tmp_path_factory.mktemp("td")
    study = lca.load_study(tiny_path).with_method(td_losses="included")
    fp = lca.compute(study, factors=[_td_layer(work, LT, LD * 100)])
    m = compile_model(fp)
    names = [i.name for i in m.inputs]
    assert {"factor t.north", "factor d.north"} <= set(names)
    draw = np.ones((1, len(names)))
    draw[0, names.index("factor t.north")], draw[0, names.index("factor d.north")] = mt, md
    pats, w = m.patterns()
    got = m.group_totals(draw, pats, w).reshape(len(m.scenarios), -1).sum(axis=1)
    again = lca.compute(study, factors=[_td_layer(work, LT * mt, LD * md * 100)])
    assert got == pytest.approx([again.total(s).value for s in m.scenarios], rel=1e-9)
