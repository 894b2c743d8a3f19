"""Co-products and allocation (#12 item 2), hand-computed.

One process ``precip`` makes 1 kg of precursor per run (output_mass 1 kg, yield 1) with 2 kWh at
the mill (0.5 kg CO2e/kWh → 1.0 kg) and 0.5 kg resin (2 kg CO2e/kg → 1.0 kg): 2.0 kg CO2e per run,
and 1.5 kg of sodium sulfate (price 0.1 USD/kg; the precursor sells at 1.9 USD/kg).

* mass: 1 / (1 + 1.5) = 0.4 → 0.8 kg CO2e per kg;
* economic: 1.9 / (1.9 + 0.15) → 2 × 1.9 / 2.05 = 1.853658… kg CO2e per kg;
* physical (stated shares 0.75 / 0.25) → 1.5 kg CO2e per kg;
* substitution (the sulfate replaces resin): 2.0 − 1.5 × 2 = −1.0 kg CO2e per kg.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

import lca
from lca.errors import StudyError
from test_engine_system import tiny_world

TINY = Path(__file__).parent / "data" / "tiny"

#: 1 kg of precursor and 1.5 kg of sodium sulfate per run, allocated as ``{allocation}`` says (a format string)
PRECIP = """
[[process]]
id = "precip"
stage = "precursor"
output = "1 kg"
output_mass = "1 kg"
exchanges = [ {{ flow = "tiny_power", amount = "2 kWh" }}, {{ flow = "tiny_resin", amount = "0.5 kg" }} ]
coproducts = [ {{ id = "sodium_sulfate", amount = "1.5 kg", price = "0.1 USD/kg", substitutes = "tiny_resin" }} ]
allocation = {allocation}
"""

STUDY = tiny_world("alloc", "Precursor", "1 kg", "1 kg") + PRECIP + """
[[scenario]]
id = "one"
steps = [ {{ process = "precip", site = "mill" }} ]
"""

METHODS = {
    "mass": ('{ method = "mass", reason = "no physical causality" }', 0.8, 0.4),
    "economic": ('{ method = "economic", price = "1.9 USD/kg", reason = "sulfate is a low-value by-product" }',
                 2 * 1.9 / 2.05, 1.9 / 2.05),
    "physical": ('{ method = "physical", basis = "metal content", shares = { precip = 0.75, sodium_sulfate = 0.25 }, '
                 'reason = "stated" }', 1.5, 0.75),
    "substitution": ('{ method = "substitution", reason = "the sulfate displaces a resin" }', -1.0, 1.0),
}


def _path(tmp_path: Path, allocation: str) -> Path:
    shutil.copy(TINY / "factors.csv", tmp_path / "factors.csv")
    path = tmp_path / "alloc.toml"
    path.write_text(STUDY.format(allocation=allocation), encoding="utf-8")
    return path


@pytest.mark.parametrize("method", METHODS)
def test_allocation_methods_match_the_hand_values(tmp_path, method):
    text, total, share = METHODS[method]
    model = lca.build_model(lca.load_study(_path(tmp_path, text)))
    fp = model.footprint()
    assert fp.total("one").value == pytest.approx(total, rel=1e-12)
    a = fp.frames["allocation"] if hasattr(fp, "frames") else None
    from lca.engine.allocation import allocation_frame

    frame = allocation_frame(fp.study)
    assert frame.filter(pl.col("output") == "precip")["factor"][0] == pytest.approx(share, rel=1e-12)
    assert frame["method"].unique().to_list() == [method] and frame["reason"][0]
    if a is not None:
        assert a.equals(frame)


def test_substitution_is_a_credit_row(tmp_path):
    fp = lca.compute(lca.load_study(_path(tmp_path, METHODS["substitution"][0])))
    credit = fp.detail.filter(pl.col("origin") == "process 'precip' coproduct #1")
    assert credit.select("flow", "amount", "unit", "stage").rows() == [("tiny_resin", -1.5, "kg", "precursor")]
    assert credit["value"][0] == pytest.approx(-3.0, rel=1e-12)


def test_a_yield_change_moves_a_mass_allocation(tmp_path):
    """Yield 0.5: the precursor's mass per run halves: 0.5 / 2.0 = 0.25 of 2.0 kg per 0.5 kg = 1.0 per kg."""
    path = _path(tmp_path, METHODS["mass"][0])
    got = lca.build_model(lca.load_study(path)).evaluate({"process.precip.yield": 0.5})
    path.write_text(path.read_text().replace('output_mass = "1 kg"', 'output_mass = "1 kg"\nyield = 0.5'))
    want = lca.compute(lca.load_study(path))
    assert got.total("one").value == pytest.approx(want.total("one").value, rel=1e-12)
    assert want.total("one").value == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("allocation,words,column", [
    ('{ method = "mass" }', ["needs a reason"], "reason"),
    ('{ method = "share", reason = "x" }', ["unknown allocation method 'share'"], "method"),
    ('{ method = "physical", basis = "b", shares = { precip = 0.7, sodium_sulfate = 0.2 }, reason = "x" }',
     ["adding up to 1"], "shares"),
    ('{ method = "economic", reason = "x" }', ["is not '<number> <currency>/<unit>'"], "price"),
])
def test_bad_allocations_are_located(tmp_path, allocation, words, column):
    path = _path(tmp_path, allocation)
    with pytest.raises(StudyError) as err:
        lca.load_study(path)
    p = err.value.problems[0]
    assert all(w in p.message for w in words) and p.column == column and p.file == str(path), p
    assert p.table.startswith("process 'precip'")


def test_a_mass_allocation_needs_masses(tmp_path):
    path = _path(tmp_path, METHODS["mass"][0])
    path.write_text(path.read_text().replace('amount = "1.5 kg", price', 'amount = "1.5 m^2", price'))
    with pytest.raises(StudyError) as err:
        lca.compute(lca.load_study(path))
    p = err.value.problems[0]
    assert (p.table, p.column) == ("process 'precip' coproduct #1", "mass") and "needs the mass" in p.message


def test_coproducts_without_allocation_are_refused(tmp_path, cli):
    path = _path(tmp_path, '{ method = "mass", reason = "x" }')
    path.write_text(path.read_text().replace('allocation = { method = "mass", reason = "x" }', ""))
    r = cli("run", path)
    assert r.exit_code == 1 and "Traceback" not in r.stdout + r.stderr
    assert "process 'precip'" in r.stderr and "needs allocation" in r.stderr


def test_the_allocation_is_part_of_the_study_hash(tmp_path):
    """Two studies that differ only in their allocation give different results: their content hashes
    (and so manifest hashes) must differ too."""
    hashes = set()
    for text, *_ in METHODS.values():
        hashes.add(lca.compute(lca.load_study(_path(tmp_path, text))).content_hashes["study"])
    assert len(hashes) == len(METHODS)


@pytest.mark.parametrize("old,new,words", [
    ('coproducts = [ { id = "sodium_sulfate"', 'coproducts = "sodium_sulfate"\nx = [ { id = "sodium_sulfate"',
     ["coproducts must be an array of tables"]),
    ('amount = "1.5 kg", price', 'amount = "-1.5 kg", price', ["cannot be negative"]),
    ('{ id = "sodium_sulfate", amount = "1.5 kg",', '{ id = "a", amount = "1e308 kg" }, { id = "b", amount = "1e308 kg",',
     ["adds up to inf"]),
])
def test_hostile_coproducts_are_located(tmp_path, cli, old, new, words):
    path = _path(tmp_path, METHODS["mass"][0])
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1).replace("\nx = [", "\n# [", 1))
    r = cli("run", path)
    assert r.exit_code == 1 and "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert all(w in r.stderr for w in words) and "process 'precip'" in r.stderr, r.stderr
