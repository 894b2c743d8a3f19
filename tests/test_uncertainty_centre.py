"""Uncertainty centred on the point value (#13 item 6): ``centre = "mode" | "median"`` per
``[[uncertainty]]`` entry, and the executive summary's statement of where the point estimate sits."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import lca
from lca.errors import StudyError
from lca.uncertainty.distributions import MEDIAN_MARGIN, Distribution, mode_for_median

TINY = Path(__file__).parent / "data" / "tiny"


@given(low=st.floats(0.01, 0.999), high=st.floats(1.001, 50.0))
def test_a_triangle_shaped_for_the_median_has_the_study_value_as_median_or_is_refused(low, high):
    """Where a triangle on [low, high] can have median 1 (1 at least 1 − 1/√2 of the range from either
    end), its solved mode gives CDF(1) = 1/2; elsewhere there is none."""
    mode = mode_for_median(low, high)
    feasible = low + MEDIAN_MARGIN * (high - low) <= 1.0 <= high - MEDIAN_MARGIN * (high - low)
    if not feasible:
        assert mode is None or math.isclose(min(1 - low, high - 1), MEDIAN_MARGIN * (high - low), rel_tol=1e-9)
        return
    assert mode is not None and low <= mode <= high
    d = Distribution("triangular", low=low, mode=mode, high=high)
    assert float(d.ppf(0.5)) == pytest.approx(1.0, rel=1e-9)


def test_mode_for_median_by_hand():
    # 0.084-0.245 kWh around 0.14 kWh: a = 0.6, b = 1.75, middle 1.175 > 1, so the mode is on the right
    # half: 1 = 1.75 − sqrt(1.15 (1.75 − c) / 2) → c = 1.75 − 2 × 0.75² / 1.15 = 0.77174
    assert mode_for_median(0.6, 1.75) == pytest.approx(1.75 - 2 * 0.75 ** 2 / 1.15, rel=1e-12)
    # symmetric range: the mode is the value itself
    assert mode_for_median(0.8, 1.2) == pytest.approx(1.0, rel=1e-12)


def _tiny_with(tmp_path: Path, block: str) -> Path:
    shutil.copytree(TINY, tmp_path / "tiny")
    path = tmp_path / "tiny" / "study.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + block, encoding="utf-8")
    return path


def _point_quantile(path: Path, scenario: str = "one-site", iterations: int = 4000, seed: int = 7) -> float:
    fp = lca.compute(lca.load_study(path))
    r = lca.run_uncertainty(fp, iterations=iterations, seed=seed)
    return float(np.mean(r.draws_total[scenario] <= fp.total(scenario).value))


@settings(max_examples=8, deadline=None)
@given(w_el=st.floats(0.05, 0.6), w_resin=st.floats(0.05, 0.6), w_gas=st.floats(0.05, 0.6),
       w_km=st.floats(0.01, 0.5), seed=st.integers(0, 2**31))
def test_with_symmetric_inputs_the_point_estimate_is_the_median(tmp_path_factory, w_el, w_resin, w_gas, w_km, seed):
    """The tiny study's one-site total is linear in each input (amounts and the distance; the yield
    is fixed), so with independent inputs symmetric about their study values the total is symmetric
    about the point estimate: the point is the Monte Carlo median up to sampling error (4000 draws:
    standard error of the quantile ≈ 0.8 %; 4 % is 5 standard errors)."""
    block = "\n".join([
        f'[[uncertainty]]\ntarget = "process.film.tiny_power"\ndist = "triangular"\ncentre = "median"\n'
        f'min = "-{100 * w_el:.3f} %"\nmax = "+{100 * w_el:.3f} %"\n',
        f'[[uncertainty]]\ntarget = "process.film.tiny_resin"\ndist = "uniform"\ncentre = "median"\n'
        f'min = "-{100 * w_resin:.3f} %"\nmax = "+{100 * w_resin:.3f} %"\n',
        f'[[uncertainty]]\ntarget = "process.film.tiny_gas"\ndist = "normal"\ncentre = "median"\n'
        f'sd = "{100 * w_gas / 4:.3f} %"\n',
        f'[[uncertainty]]\ntarget = "transport.tinytruck.distance"\ndist = "uniform"\n'
        f'min = "-{100 * w_km:.3f} %"\nmax = "+{100 * w_km:.3f} %"\n',
    ])
    path = _tiny_with(tmp_path_factory.mktemp("sym"), block)
    assert abs(_point_quantile(path, seed=seed) - 0.5) < 0.04


def test_an_asymmetric_range_centred_on_the_median_keeps_the_point_at_the_median(tmp_path):
    """One asymmetric input (-40 % / +75 %) on a total linear in it: centred on its mode the point sits
    low in the distribution (a triangle's CDF at its mode is (c − a)/(b − a) = 0.4/1.15 = 0.348);
    centred on its median, at the median."""
    rng = 'min = "-40 %"\nmax = "+75 %"\n'
    mode = _tiny_with(tmp_path / "mode", f'[[uncertainty]]\ntarget = "process.film.tiny_power"\ndist = "triangular"\n{rng}')
    median = _tiny_with(tmp_path / "median", f'[[uncertainty]]\ntarget = "process.film.tiny_power"\n'
                                             f'dist = "triangular"\ncentre = "median"\n{rng}')
    assert _point_quantile(mode) == pytest.approx(0.4 / 1.15, abs=0.03)
    assert _point_quantile(median) == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize("entry, column, words", [
    ('dist = "triangular"\ncentre = "middle"\nmin = "-10 %"\nmax = "+10 %"\n', "centre", "unknown centre"),
    ('dist = "lognormal"\ncentre = "mode"\ngsd = 1.2\n', "centre", "does not fit a lognormal"),
    ('dist = "uniform"\ncentre = "median"\nmin = "-10 %"\nmax = "+30 %"\n', "centre", "a uniform's median"),
    ('dist = "triangular"\ncentre = "median"\nmin = "-5 %"\nmax = "+200 %"\n', "centre", "no triangle"),
    ('dist = "triangular"\ncentre = "median"\nmode = "1 kWh"\nmin = "-10 %"\nmax = "+10 %"\n', "mode", "both given"),
])
def test_a_centre_the_distribution_cannot_honour_is_located(tmp_path, entry, column, words):
    path = _tiny_with(tmp_path, f'[[uncertainty]]\ntarget = "process.film.tiny_power"\n{entry}')
    fp = lca.compute(lca.load_study(path))
    with pytest.raises(StudyError) as exc:
        lca.run_uncertainty(fp, iterations=10, seed=1)
    [p] = exc.value.problems
    assert (p.file, p.table, p.column) == (str(path), "uncertainty #1", column) and words in p.message


def test_default_study_centres_its_triangles_on_the_study_values(default_study):
    from lca.uncertainty.spec import parse_spec

    tri = [p for p in parse_spec(default_study) if p.dist.kind == "triangular"]
    assert tri and all(p.dist.centre == "median" for p in tri)
    assert all(float(p.dist.ppf(0.5)) == pytest.approx(1.0, rel=1e-9) for p in tri)


def test_executive_summary_says_where_the_point_estimate_sits(default_fp):
    from lca.report.context import build_context

    r = lca.run_uncertainty(default_fp, iterations=2000, seed=3)
    ctx = build_context(default_fp, timestamp="2026-01-01T00:00:00Z", uncertainty=r)
    said = [f for f in ctx["summary"]["findings"] if "percentile of the Monte Carlo distribution" in f]
    assert len(said) == 2  # the two compared scenarios
    for sid, text in zip(("jp-import", "charlotte-coated"), said):
        at = round(100 * float(np.mean(r.draws_total[sid] <= default_fp.total(sid).value)))
        suffix = "th" if 10 <= at % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(at % 10, "th")
        assert f"sits at the {at}{suffix} percentile" in text and "; median " in text and ", mean " in text
    # without a Monte Carlo run the summary says nothing about it
    plain = build_context(default_fp, timestamp="2026-01-01T00:00:00Z")
    assert not [f for f in plain["summary"]["findings"] if "percentile" in f]
