"""The 1000 × "unit slip" rule for inputs the footprint depends on inversely (review doubt).

A bound 1000 × the study value was refused, but a yield drawn uniform on [1e-12, 1] was accepted:
the footprint divides by the yield, so such draws multiplied it by up to 7e11 (mean 1.14 kg CO2e/m²
against 0.19 deterministic). A lower bound (or 2.5th percentile) below study value / 1000 of an
input with a negative exponent is now refused naming the entry, with the reason.
Default study: ``process.base_film.yield`` = 0.70, so the limit is 0.0007.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca
from conftest import study_with_uncertainty, uncertainty_entry
from lca.errors import StudyError
from lca.uncertainty import run_uncertainty
from lca.uncertainty.distributions import MAX_RATIO, Distribution, OutOfRange, check_divisor

YIELD = 0.70


_study, _entry = study_with_uncertainty, uncertainty_entry


def test_the_reviewers_yield_range_is_refused_naming_the_entry(tmp_path):
    study = _study(tmp_path, _entry("process.coating.electricity", "uniform", min="-10 %", max="+10 %")
                   + _entry("process.base_film.yield", "uniform", min=1e-12, max=1.0))
    with pytest.raises(StudyError) as exc:
        run_uncertainty(lca.compute(study), iterations=64, seed=1)
    [p] = exc.value.problems
    assert (p.file, p.table, p.column) == (str(study.path), "uncertainty #2", "min")
    assert p.message.startswith("process.base_film.yield: min 1e-12 is 1.43e-12 × the study value")
    assert "inversely (like a yield)" in p.message and "by 7e+11" in p.message
    assert "0.0007 (1/1000 of the study value)" in p.hint


@pytest.mark.parametrize("low, ok", [(YIELD / MAX_RATIO, True), (YIELD / MAX_RATIO * 0.999, False), (0.05, True)])
def test_the_limit_is_one_thousandth_of_the_study_value(default_study, low, ok):
    fp = lca.compute(default_study)
    entry = [{"target": "process.base_film.yield", "dist": "triangular", "min": low, "max": 0.9}]
    if ok:
        run_uncertainty(fp, iterations=64, seed=1, uncertainty=entry)
    else:
        with pytest.raises(StudyError, match="inversely"):
            run_uncertainty(fp, iterations=64, seed=1, uncertainty=entry)


def test_a_wide_lognormal_on_a_yield_is_refused_on_its_percentile(default_study):
    """Truncated at 1 from above, a GSD of 40 still puts the 2.5th percentile at ~1e-4 × 0.7."""
    fp = lca.compute(default_study)
    with pytest.raises(StudyError) as exc:
        run_uncertainty(fp, iterations=64, seed=1, uncertainty=[
            {"target": "process.base_film.yield", "dist": "lognormal", "gsd": 40, "max": 1.0, "min": 1e-9}])
    [p] = exc.value.problems
    assert p.column == "gsd" and "its 2.5th percentile" in p.message and "inversely" in p.message


def test_only_inverse_dependence_counts(default_study):
    """The same tiny lower bound is fine for a quantity the footprint is proportional to (an exchange
    amount: a draw near 0 only shrinks it), and for a conversion in a view that does not use it."""
    fp = lca.compute(default_study)
    run_uncertainty(fp, iterations=64, seed=1, uncertainty=[
        {"target": "process.base_film.electricity", "dist": "uniform", "min": "1e-9 kWh", "max": "0.2 kWh"}])
    mass = [{"target": "product.mass_per_declared_unit", "dist": "uniform", "min": "1e-6 g", "max": "9 g"}]
    run_uncertainty(fp, iterations=64, seed=1, uncertainty=mass)  # per m²: the mass is not used
    with pytest.raises(StudyError) as exc:
        run_uncertainty(fp, iterations=64, seed=1, uncertainty=mass, per="kg")  # per kg: divided by it
    assert "product.mass_per_declared_unit: min 1e-06 g" in exc.value.problems[0].message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["uniform", "triangular", "normal", "lognormal"]),
       a=st.floats(1e-7, 0.999), spread=st.floats(0.01, 5.0))
def test_accepted_divisors_never_scale_a_row_by_more_than_1000(kind, a, spread):
    """Invariant: whenever check_divisor accepts, the 1/multiplier of the lower bound (or the 2.5th
    percentile) is at most 1000 — and it refuses exactly when it would be more."""
    if kind in ("uniform", "triangular"):
        d = Distribution(kind, low=a, mode=1.0, high=1.0 + spread)
    elif kind == "normal":
        d = Distribution("normal", rel_sd=min(spread, 0.45) / 2, tlo=a, thi=2.0)
    else:
        d = Distribution("lognormal", gsd=1.0 + spread, tlo=a, thi=1.0)
    low = d.low if kind in ("uniform", "triangular") else float(d.ppf(0.025))
    try:
        check_divisor(d, str)
        assert 1.0 / low <= MAX_RATIO
    except OutOfRange:
        assert 1.0 / low > MAX_RATIO
