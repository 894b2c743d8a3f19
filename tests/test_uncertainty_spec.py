"""The study's [[uncertainty]] entries: format, unit checks, targets, and what they do to draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

import lca
from conftest import default_text_without_uncertainty
from lca.uncertainty import compile_model, parse_spec, run_uncertainty

BLOCK = '''
[[uncertainty]]
target = "process.base_film.electricity"
dist = "triangular"
min = "0.084 kWh"
max = "245 Wh"
note = "research range 0.12-0.35 kWh per m2 finished, x 0.70"

[[uncertainty]]
target = "process.base_film.yield"
dist = "triangular"
min = 0.60
max = 0.85

[[uncertainty]]
target = ["process.base_film.dichloromethane_to_air", "process.base_film.dichloromethane"]
dist = "triangular"
min = "0.11 g"
max = "1.1 g"

[[uncertainty]]
target = "view.kWh"
dist = "triangular"
min = "6 m^2"
max = "15 m^2"

[[uncertainty]]
target = "transport.container_ship.distance"
dist = "uniform"
min = "-10 %"
max = "+10 %"
'''


def _study(tmp_path: Path, block: str):
    text = default_text_without_uncertainty() + block
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    return lca.load_study(path)


def _problems(tmp_path: Path, block: str) -> list[str]:
    study = _study(tmp_path, block)
    with pytest.raises(lca.errors.StudyError) as exc:
        parse_spec(study)
    return [str(p) for p in exc.value.problems]


@pytest.fixture(scope="module")
def spec_fp(tmp_path_factory):
    return lca.compute(_study(tmp_path_factory.mktemp("spec"), BLOCK))


def test_entries_parse_with_units_converted(spec_fp):
    specs = {s.name: s for s in parse_spec(spec_fp.study)}
    el = specs["process.base_film.electricity"]
    assert (el.dist.kind, el.unit, el.current) == ("triangular", "kWh", 0.14)
    assert el.dist.low == pytest.approx(0.6) and el.dist.high == pytest.approx(1.75)  # 245 Wh = 0.245 kWh
    y = specs["process.base_film.yield"]
    assert y.dist.low == pytest.approx(0.6 / 0.7) and y.dist.high == pytest.approx(0.85 / 0.7)
    ship = specs["transport.container_ship.distance"]
    assert ship.current is None and (ship.dist.low, ship.dist.high) == (0.9, 1.1)


def test_inputs_follow_the_product_graph(spec_fp):
    """One input at a time, the sampled totals are those of the study recomputed with that input
    changed (a base-film yield also scales the film the coating consumes; one draw moves both DCM
    exchanges). Replaces a test of the fitted exponent matrix (m.exponents), an implementation
    detail of the power-law model that no longer exists."""
    from dataclasses import replace

    study = spec_fp.study
    m = compile_model(spec_fp, per="kWh")
    names = [i.name for i in m.inputs]

    def sampled(name: str, r: float) -> np.ndarray:
        draw = np.ones((1, len(names)))
        draw[0, names.index(name)] = r
        return m.group_totals(draw).reshape(len(m.scenarios), -1).sum(axis=1)

    def scaled(table: str, hit, col: str, r: float):
        frame = getattr(study, table)
        return lca.compute(replace(study, **{table: frame.with_columns(
            pl.when(hit).then(pl.col(col) * r).otherwise(pl.col(col)).alias(col))}))

    cases = [("process.base_film.yield", 1.1, "processes", pl.col("id") == "base_film", "yield"),
             ("process.base_film.electricity", 1.5, "exchanges",
              (pl.col("process") == "base_film") & (pl.col("flow") == "electricity"), "amount"),
             ("process.base_film.dichloromethane_to_air + process.base_film.dichloromethane", 1.5, "exchanges",
              (pl.col("process") == "base_film") & pl.col("flow").is_in(["dichloromethane", "dichloromethane_to_air"]),
              "amount")]
    for name, r, table, hit, col in cases:
        want = scaled(table, hit, col, r).totals("kWh")
        want = dict(want.select("scenario", "value").iter_rows())
        np.testing.assert_allclose(sampled(name, r), [want[s] for s in m.scenarios], rtol=1e-12)
    # m² per kWh scales every total in the per-kWh view, and nothing per declared unit
    base = m.deterministic_totals()
    np.testing.assert_allclose(sampled("view.kWh", 1.2), 1.2 * base, rtol=1e-12)
    m_du = compile_model(spec_fp)
    assert not m_du.affects()[names.index("view.kWh")].any()


def test_study_inputs_widen_the_totals_and_show_in_sensitivity(spec_fp, bare_default_study):
    base = run_uncertainty(lca.compute(bare_default_study), iterations=3000, seed=2, per="kWh")
    wide = run_uncertainty(spec_fp, iterations=3000, seed=2, per="kWh")

    def width(r):
        row = r.summary.filter((pl.col("scenario") == "jp-import") & (pl.col("stage") == "total")).row(0, named=True)
        return row["p97_5"] - row["p2_5"]

    assert width(wide) > 1.5 * width(base)
    top = wide.sensitivity.filter(pl.col("target") == "jp-import").get_column("input")[0]
    assert top == "view.kWh"
    tri = wide.inputs.filter(pl.col("input") == "process.base_film.electricity").row(0, named=True)
    assert tri["unit"] == "kWh" and 0.084 < tri["p2_5"] < 0.14 < tri["p97_5"] < 0.245


def test_uncertainty_argument_overrides_the_study(default_fp):
    fid = "grid.emaps2024.jp-kansai.direct"  # #13: Moriyama's combustion component (was grid.jp.meti-r6)
    spec = [{"target": f"factor.{fid}", "dist": "uniform", "min": "0.27 kg_CO2e/kWh", "max": "0.33 kg_CO2e/kWh"}]
    r = run_uncertainty(default_fp, iterations=2000, seed=4, uncertainty=spec)
    row = r.inputs.filter(pl.col("input") == f"factor.{fid}").row(0, named=True)
    assert row["distribution"].startswith("uniform") and row["unit"] == "kg_CO2e/kWh"
    assert f"factor {fid}" not in r.inputs.get_column("input").to_list()


@pytest.mark.parametrize("block, words", [
    ('[[uncertainty]]\ntarget = "process.base_film.electricity"\ndist = "triangular"\nmin = "0.1 kg"\n'
     'max = "0.3 kWh"\n', "cannot be converted"),
    ('[[uncertainty]]\ntarget = "process.base_film.electricity"\ndist = "triangular"\nmin = "0.3 kWh"\n'
     'max = "0.2 kWh"\n', "min <="),
    ('[[uncertainty]]\ntarget = "process.base_film.electricity"\ndist = "triangular"\nmin = 0.1\nmax = 0.3\n',
     "has no unit"),
    ('[[uncertainty]]\ntarget = "process.nope.electricity"\ndist = "lognormal"\ngsd = 1.2\n', "unknown process"),
    ('[[uncertainty]]\ntarget = "process.base_film.steam"\ndist = "lognormal"\ngsd = 1.2\n', "no exchange"),
    ('[[uncertainty]]\ntarget = "transport.truck.distance"\ndist = "uniform"\nmin = "90 km"\nmax = "110 km"\n',
     "must be relative"),
    ('[[uncertainty]]\ntarget = "transport.rail.distance"\ndist = "uniform"\nmin = "-5 %"\nmax = "5 %"\n',
     "no transport leg has mode"),
    ('[[uncertainty]]\ntarget = "process.base_film.yield"\ndist = "beta"\n', "unknown distribution"),
    ('[[uncertainty]]\ntarget = "process.base_film.yield"\ndist = "lognormal"\ngsd = 0.5\n', "gsd must be"),
    ('[[uncertainty]]\ntarget = "process.base_film.yield"\ndist = "normal"\nsdev = "5 %"\n', "unknown key 'sdev'"),
    ('[[uncertainty]]\ntarget = "grid.charlotte"\ndist = "lognormal"\ngsd = 1.1\n', "break-even analysis only"),
    ('[[uncertainty]]\ntarget = "process.base_film.yield"\ndist = "uniform"\nmin = 0.6\nmax = 0.8\n'
     'note = ["a", "list"]\n', "note must be text"),
    ('[[uncertainty]]\ntarget = "process.base_film.yield"\ndist = ["uniform"]\nmin = 0.6\nmax = 0.8\n',
     "unknown distribution"),
    ('[[uncertainty]]\ntarget = "factor.grid.kr.nope"\ndist = "lognormal"\ngsd = 1.1\n', "not used by this study"),
    ('[[uncertainty]]\ntarget = "process.base_film.electricity"\ndist = "lognormal"\ngsd = 1.1\n'
     '[[uncertainty]]\ntarget = "process.base_film.electricity"\ndist = "lognormal"\ngsd = 1.2\n', "already has"),
])
def test_bad_entries_name_the_entry_and_key(tmp_path, block, words):
    problems = _problems(tmp_path, block)
    assert any(words in p for p in problems), problems
    assert all("uncertainty #" in p and "study.toml" in p for p in problems), problems


def test_bad_entry_from_the_cli_is_exit_1_without_traceback(tmp_path, cli):
    study = _study(tmp_path, '[[uncertainty]]\ntarget = "process.base_film.yield"\ndist = "triangular"\n')
    res = cli("uncertainty", study.path, "-n", "10")
    assert res.exit_code == 1
    assert "triangular needs min and max" in res.stderr and "Traceback" not in res.stderr


def test_normal_sd_as_quantity_and_percent(tmp_path):
    study = _study(tmp_path, '[[uncertainty]]\ntarget = "process.coating.electricity"\ndist = "normal"\n'
                             'sd = "3 Wh"\n[[uncertainty]]\ntarget = "process.coating.boehmite"\n'
                             'dist = "normal"\nsd = "10 %"\n')
    a, b = parse_spec(study)
    assert a.dist.rel_sd == pytest.approx(0.1) and b.dist.rel_sd == pytest.approx(0.1)
    draws = run_uncertainty(lca.compute(study), iterations=50, seed=1).draws_total["jp-import"]
    assert np.all(np.isfinite(draws))
