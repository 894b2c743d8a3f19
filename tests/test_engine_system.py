"""The product system as a linear system: loops, singular systems, supply mixes as processes.

Hand-solved loop (tiny factors: electricity at the mill 0.5 kg CO2e/kWh, resin 2 kg CO2e/kg):

* ``film``: 1 m² gross per run, yield 0.8; consumes 10 g pellets and 1 kWh;
* ``pellets``: 1 kg per run; consumes 0.5 kg resin, 0.5 kg regrind and 0.2 kWh;
* ``regrind``: 1 kg per run; re-extrudes 50 m² of (off-spec) film and uses 0.1 kWh.

Runs F, P, R for one m² of film: ``0.8 F − 50 R = 1``, ``P = 0.01 F``, ``R = 0.5 P`` ⇒
``0.8 F − 0.25 F = 1`` ⇒ F = 20/11, P = 1/55, R = 1/110.
Electricity: F·1 + P·0.2 + R·0.1 = 2005/1100 kWh × 0.5 = 2005/2200 kg CO2e;
resin: 0.5 P = 1/110 kg × 2 = 40/2200 kg CO2e. Total 2045/2200 = 0.92954545… kg CO2e/m².
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

import lca
from lca.engine.changes import apply_changes
from lca.engine.inventory import process_scales
from lca.engine.system import ProductSystem
from lca.errors import GraphError, LcaInputError
from test_engine_equivalence import assert_same_detail

TINY = Path(__file__).parent / "data" / "tiny"

def tiny_world(sid: str, product: str, declared_unit: str, mass: str, study_keys: str = "") -> str:
    """The head of a study on the tiny factors (one site, 'mill', on the ZZ-NORTH grid), as a format string;
    ``study_keys``: more ``[study]`` lines (e.g. the company ids a PACT export needs)."""
    return f"""
[study]
id = "{sid}"
title = "{product}"
{study_keys}reference_period = {{{{ start = 2025-01-01, end = 2025-12-31 }}}}

[product]
name = "{product}"
declared_unit = "{declared_unit}"
mass_per_declared_unit = "{mass}"

[factors]
files = ["factors.csv"]

[[site]]
id = "mill"
name = "Mill"
country = "ZZ"
grid = "ZZ-NORTH"
"""


LOOP = tiny_world("loop", "Tiny film", "1 m^2", "10 g") + """
[[process]]
id = "film"
stage = "film"
output = "1 m^2"
yield = 0.8
exchanges = [ {{ input = "pellets", amount = "10 g" }}, {{ flow = "tiny_power", amount = "1 kWh" }} ]

[[process]]
id = "pellets"
stage = "film"
output = "1 kg"
exchanges = [ {{ flow = "tiny_resin", amount = "0.5 kg" }}, {{ input = "regrind", amount = "0.5 kg" }},
              {{ flow = "tiny_power", amount = "0.2 kWh" }} ]

[[process]]
id = "regrind"
stage = "film"
output = "1 kg"
exchanges = [ {{ input = "film", amount = "{film} m^2" }}, {{ flow = "tiny_power", amount = "0.1 kWh" }} ]

[[scenario]]
id = "loop"
product = "film"
steps = [ {{ process = "film", site = "mill" }}, {{ process = "pellets", site = "mill" }},
          {{ process = "regrind", site = "mill" }} ]

[[scenario]]
id = "half"
mix = {{ "loop" = 0.5, "loop2" = 0.5 }}

[[scenario]]
id = "loop2"
product = "film"
steps = [ {{ process = "film", site = "mill" }}, {{ process = "pellets", site = "mill" }},
          {{ process = "regrind", site = "mill" }} ]
"""


def _study(tmp_path: Path, film: float = 50) -> Path:
    shutil.copy(TINY / "factors.csv", tmp_path / "factors.csv")
    path = tmp_path / "loop.toml"
    path.write_text(LOOP.format(film=film), encoding="utf-8")
    return path


def test_a_recycling_loop_matches_the_hand_solution(tmp_path):
    fp = lca.compute(lca.load_study(_study(tmp_path)))
    assert fp.total("loop").value == pytest.approx(2045 / 2200, rel=1e-12)
    assert fp.total("half").value == pytest.approx(2045 / 2200, rel=1e-12)  # a mix of two equal systems
    by = dict(fp.by("flow").filter(pl.col("scenario") == "loop").select("flow", "value").iter_rows())
    assert by["tiny_power"] == pytest.approx(2005 / 2200, rel=1e-12)
    assert by["tiny_resin"] == pytest.approx(40 / 2200, rel=1e-12)
    runs = lca.build_model(lca.load_study(_study(tmp_path))).scaling().filter(pl.col("scenario") == "loop")
    assert dict(runs.select("process", "runs").iter_rows()) == pytest.approx(
        {"film": 20 / 11, "pellets": 1 / 55, "regrind": 1 / 110}, rel=1e-12)
    # reference outputs = runs × yield: 0.8 × 20/11 = 16/11 m² of good film for 1 m² delivered + 50/110 re-extruded
    assert runs.filter(pl.col("process") == "film")["reference_outputs"][0] == pytest.approx(16 / 11, rel=1e-12)


def test_a_singular_loop_is_a_located_error(tmp_path, cli):
    """160 m² of film per kg of regrind: 0.8 F − 160 · 0.005 F = 0 — the loop eats all it makes."""
    path = _study(tmp_path, film=160)
    with pytest.raises(GraphError) as err:
        lca.compute(lca.load_study(path))
    p = err.value.problems[0]
    assert isinstance(err.value, LcaInputError)
    assert (p.file, p.table) == (str(path), "scenario 'loop'")
    assert "singular" in p.message and all(f"'{x}'" in p.message for x in ("film", "pellets", "regrind"))
    r = cli("run", path)
    assert r.exit_code == 1 and "Traceback" not in r.stdout + r.stderr
    assert "scenario 'loop'" in r.stderr and "singular" in r.stderr


def test_a_loop_that_consumes_more_than_it_makes_is_a_located_error(tmp_path):
    """200 m² per kg: 0.8 F − F = 1 has F = −5: refused, naming the loop's processes."""
    path = _study(tmp_path, film=200)
    with pytest.raises(GraphError) as err:
        lca.compute(lca.load_study(path))
    p = err.value.problems[0]
    assert p.table == "scenario 'loop'" and "consumes more than it makes" in p.message
    assert "'film'" in p.message


def test_mixes_are_processes_with_shares(default_study):
    ps = ProductSystem.build(default_study)
    mix = ps.processes.filter(pl.col("scenario") == "supply-mix-2028")
    assert mix.filter(pl.col("kind") == "mix").select("process", "output_amount", "output_unit").rows() == [
        ("supply-mix-2028", 1.0, "m^2")]
    assert sorted(mix.filter(pl.col("kind") == "process").select("component", "process").rows()) == [
        ("charlotte-coated", "base_film"), ("charlotte-coated", "coating"),
        ("jp-import", "base_film"), ("jp-import", "coating")]
    pid = mix.filter(pl.col("kind") == "mix")["pid"][0]
    shares = ps.technosphere.filter((pl.col("pid") == pid) & (pl.col("role") == "input"))
    assert sorted(shares["amount"].to_list()) == [-0.6, -0.4]


def test_process_scales_are_runs_times_yield(default_study):
    """Coating (yield 0.95) delivers 1 m²: 1/0.95 runs; base film: 1/0.95 m² needed at yield 0.7."""
    s = dict(process_scales(default_study).filter(pl.col("scenario") == "jp-import")
             .select("process", "scale").iter_rows())
    assert s == pytest.approx({"coating": 1.0, "base_film": 1 / 0.95}, rel=1e-12)


def test_a_component_twice_in_nested_mixes_is_two_instances(tiny_doc, tmp_path):
    """outer = 0.5 one-site + 0.5 inner, inner = 0.5 one-site + 0.5 two-step: one-site counts 0.75."""
    tiny_doc["scenario"] += [{"id": "inner", "mix": {"one-site": 0.5, "two-step": 0.5}},
                             {"id": "outer", "mix": {"one-site": 0.5, "inner": 0.5}}]
    study = lca.study_from_dict(tiny_doc, base=TINY)
    fp = lca.compute(study)
    t = dict(fp.totals().select("scenario", "value").iter_rows())
    assert t["outer"] == pytest.approx(0.75 * t["one-site"] + 0.25 * t["two-step"], rel=1e-12)
    rows = fp.detail.filter(pl.col("scenario") == "outer")
    assert rows.filter(pl.col("component") == "one-site")["share"].unique().sort().to_list() == [0.25, 0.5]


# (a share such as 1e-306 underflows the amounts of the mix's copy: a located error, not a result)
@settings(max_examples=10, deadline=None)
@given(share=st.one_of(st.just(0.0), st.floats(1e-6, 1.0)), film=st.floats(0.0, 100.0))
def test_a_mix_is_the_share_weighted_sum_of_its_components(tmp_path_factory, share, film):
    tmp = tmp_path_factory.mktemp("mix")
    path = _study(tmp, film=film)
    text = path.read_text().replace('mix = { "loop" = 0.5, "loop2" = 0.5 }',
                                    f'mix = {{ "loop" = {share!r}, "loop2" = {1 - share!r} }}')
    path.write_text(text)
    t = dict(lca.compute(lca.load_study(path)).totals().select("scenario", "value").iter_rows())
    # F = 1 / (0.8 − 0.005 film); per F: 0.5 × (1 + 0.2 × 0.01 + 0.1 × 0.005) kWh + 2 × 0.5 × 0.01 kg resin
    assert t["loop"] == pytest.approx(t["loop2"], rel=1e-12)
    assert t["half"] == pytest.approx(share * t["loop"] + (1 - share) * t["loop2"], rel=1e-12)
    assert t["loop"] == pytest.approx((0.5 * (1 + 0.002 + 0.0005) + 0.01) / (0.8 - 0.005 * film), rel=1e-12)


def test_the_scaling_frame_is_the_result_contracts(default_study):
    """Footprint.scaling's columns (helper C's contract), mixes as share × their components' runs."""
    m = lca.build_model(default_study)
    s = m.scaling()
    assert s.columns == ["scenario", "component", "process", "site", "runs", "reference_outputs", "output_amount",
                         "output_unit"]
    assert s.get_column("scenario").unique(maintain_order=True).to_list() == default_study.scenario_ids
    own = {(c, p): r for sc, c, p, r in s.select("scenario", "component", "process", "runs").iter_rows() if sc == c}
    mix = s.filter(pl.col("scenario") == "supply-mix-2028")
    share = {"charlotte-coated": 0.6, "jp-import": 0.4}
    for c, p, r in mix.select("component", "process", "runs").iter_rows():
        assert r == pytest.approx(share[c] * own[(c, p)], rel=1e-12)
    assert (s["reference_outputs"] / s["runs"]).to_list() == pytest.approx(
        [0.7 if p == "base_film" else 0.95 for p in s["process"]], rel=1e-12)


@settings(max_examples=10, deadline=None)
@given(area=st.floats(0.0, 120.0), fines=st.floats(0.0, 2.0))
def test_loop_allocation_parameters_and_mixes_together(tmp_path_factory, area, fines):
    """A loop whose closing input is a parameter expression, a mass-allocated process inside the loop
    and a mix of two copies: evaluate(parameter) equals a rebuild, and the loop balances (products
    made = products used + delivered)."""
    tmp = tmp_path_factory.mktemp("combo")
    path = _study(tmp)
    text = path.read_text().replace('{ input = "film", amount = "50 m^2" }', '{ input = "film", amount = "scrap_area * 1" }')
    text = text.replace('[factors]', '[parameters]\nscrap_area = "50 m^2"\n\n[factors]')
    text = text.replace('id = "pellets"\nstage = "film"\noutput = "1 kg"\n',
                        f'id = "pellets"\nstage = "film"\noutput = "1 kg"\noutput_mass = "1 kg"\n'
                        f'coproducts = [ {{ id = "fines", amount = "{fines!r} kg" }} ]\n'
                        f'allocation = {{ method = "mass", reason = "fines are sold by weight" }}\n')
    path.write_text(text)
    model = lca.build_model(lca.load_study(path))
    change = {"parameter.scrap_area": f"{area!r} m^2"}
    got = model.evaluate(change)
    rebuilt = _rewrite(path, text.replace('scrap_area = "50 m^2"', f'scrap_area = "{area!r} m^2"'))
    assert_same_detail(got.detail, lca.compute(lca.load_study(rebuilt)).detail)
    # balance of the loop; the pellets' allocated process uses its share 1 / (1 + fines) of every input
    # (mass: 1 kg pellets against `fines` kg): 0.8 F − area · R = 1, P = 0.01 F, R = 0.5 P / (1 + fines)
    runs = dict(model.scaling(apply_changes(model, change)).filter(pl.col("scenario") == "loop")
                .select("process", "runs").iter_rows())
    assert runs["film"] * 0.8 - area * runs["regrind"] == pytest.approx(1.0, rel=1e-9)
    assert runs["pellets"] == pytest.approx(0.01 * runs["film"], rel=1e-12)
    assert runs["regrind"] == pytest.approx(0.5 * runs["pellets"] / (1 + fines), rel=1e-12)


def _rewrite(path: Path, text: str) -> Path:
    other = path.with_name("rebuilt.toml")
    other.write_text(text)
    return other
