"""Review of #10/#11, findings 4 and 13: a scenario compared with itself is refused where it is
written (not an internal error); an overflow is blamed on the input that causes it, and only the
view that cannot hold the number fails."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

import lca
from lca.errors import LcaInputError


def _variant(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = lca.default_study_path().read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------- finding 4: A compared with A

SELF = ('alternative = "charlotte-coated"', 'alternative = "jp-import"')


def test_a_comparison_of_a_scenario_with_itself_is_refused_at_load(tmp_path, cli):
    """Before: `lca validate` said ok, `run` and `report` ended in "internal error … duplicate"."""
    path = _variant(tmp_path, SELF)
    with pytest.raises(LcaInputError) as err:
        lca.load_study(path)
    assert [(p.file, p.table, p.column) for p in err.value.problems] == [(str(path), "comparison", "alternative")]
    assert "jp-import" in err.value.problems[0].message
    for command in (["validate"], ["run"], ["report", "-o", tmp_path / "r.html"], ["uncertainty", "-n", "50"]):
        r = cli(command[0], path, *command[1:])
        assert r.exit_code == 1 and "internal error" not in r.stderr, command
        assert "comparison, column 'alternative'" in r.stderr, command
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("command", ["run", "uncertainty"])
def test_compare_with_itself_is_a_usage_error_naming_the_option(command, cli):
    r = cli(command, "--compare", "jp-import", "jp-import", *(["-n", "50"] if command == "uncertainty" else []))
    assert r.exit_code == 2 and "--compare" in r.stderr and "compared with itself" in r.stderr
    assert "internal error" not in r.stderr


def test_the_api_refuses_a_comparison_with_itself(default_fp):
    with pytest.raises(LcaInputError, match="compared with itself"):
        default_fp.compare("jp-import", "jp-import")
    from lca.uncertainty import run_uncertainty

    with pytest.raises(LcaInputError, match="compared with itself"):
        run_uncertainty(default_fp, 20, 1, compare=["ontario", "ontario"])


# ------------------------------------------------ finding 13: overflow blamed on the input behind it

HUGE = ('{ flow = "corrugated_board", amount = "1.2 g"', '{ flow = "corrugated_board", amount = "1e306 kg"')


def test_a_total_too_large_for_one_view_fails_that_view_only(tmp_path, cli):
    """Before: compute itself failed ("[product] annual_volume: per-year results overflow"), so plain
    `lca run` (per declared unit) could not run. Hand check: the board charges 1.26287 kg CO2e per
    declared unit per 1 kg, so 1e306 kg gives 1.26e306 per m²; × 1/0.0087 kg = 1.45e308 per kg (fits),
    × 10 m²/kWh × 75 kWh = 9.5e308 per vehicle and × 7e5 per year (do not fit: > 1.8e308)."""
    path = _variant(tmp_path, HUGE)
    fp = lca.compute(lca.load_study(path))
    total = fp.total("charlotte-coated").value
    assert total == pytest.approx(1.26287e306, rel=1e-4)
    assert fp.total("charlotte-coated", per="kg").value == pytest.approx(total / 0.0087, rel=1e-12)
    assert math.isfinite(fp.total("charlotte-coated", per="kWh").value)
    with pytest.raises(LcaInputError) as err:
        fp.totals("vehicle")
    p = err.value.problems[0]
    assert (p.file, p.table) == (str(path), "product") and p.column in ("separator_per_cell_energy", "pack_energy",
                                                                         "declared_unit")
    assert "separator_per_cell_energy, pack_energy and declared_unit" in p.message
    assert "scenario 'charlotte-coated' totals 1.26287e+306 kg CO2e per declared unit" in p.message
    assert "process 'coating' exchange #6" in p.message  # where the total comes from
    assert cli("run", path).exit_code == 0
    r = cli("run", path, "--per", "vehicle")
    assert r.exit_code == 1 and "--per vehicle: per-vehicle results overflow" in r.stderr
    assert "annual_volume" not in r.stderr
    r = cli("run", path, "--per", "year")
    assert r.exit_code == 1 and "made of annual_volume and declared_unit" in r.stderr
    r = cli("report", path, "-o", tmp_path / "r.html")  # the views that fit, the others left out
    assert r.exit_code == 0 and "per kWh of cell capacity" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_multiplier_out_of_range_names_every_key_it_is_made_of(tmp_path):
    """Before: declared_unit = "1e-300 m^2" was blamed on annual_volume alone."""
    path = _variant(tmp_path, ('declared_unit = "1 m^2"', 'declared_unit = "1e-300 m^2"'))
    with pytest.raises(LcaInputError) as err:
        lca.load_study(path)
    got = [(p.table, p.column) for p in err.value.problems]
    assert got == [("product", "declared_unit")]  # the key furthest from 1, of annual_volume and declared_unit
    assert "per-year multiplier, made of annual_volume and declared_unit, is inf" in err.value.problems[0].message


def test_view_multipliers_carry_their_keys(default_study):
    from lca.study.tables import view_multipliers

    got = {view: keys for view, keys, _ in view_multipliers(default_study.product)}
    assert got == {"kg": ("mass_per_declared_unit",), "kWh": ("separator_per_cell_energy", "declared_unit"),
                   "vehicle": ("separator_per_cell_energy", "pack_energy", "declared_unit"),
                   "year": ("annual_volume", "declared_unit")}
    fp = lca.compute(replace(default_study, product=replace(default_study.product, pack_energy=None)))
    with pytest.raises(LcaInputError, match="states no pack_energy"):
        fp.scale("vehicle")


def test_an_uncertainty_bound_too_large_in_si_units_says_so(tmp_path):
    """Before: max = "1e308 kWh" (3.6e314 J) was "not a finite number"; it is finite, its unit is the issue."""
    path = _variant(tmp_path, ('max = "0.245 kWh"', 'max = "1e308 kWh"'))
    from lca.uncertainty import run_uncertainty

    with pytest.raises(LcaInputError) as err:
        run_uncertainty(lca.compute(lca.load_study(path)), 20, 1)
    p = err.value.problems[0]
    assert (p.table, p.column) == ("uncertainty #1", "max")
    assert p.message == "'1e308 kWh' is too large to compute with (above 1.8e+308 in SI base units)"
