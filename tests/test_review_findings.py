"""Review of #10/#11, findings 4 and 13: a scenario compared with itself is refused where it is
written (not an internal error); an overflow is blamed on the input that causes it, and only the
view that cannot hold the number fails."""

from __future__ import annotations

import math
import re
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
    # + its inbound leg since #13: 300 km by truck (factors/logistics/inbound.csv, US '*') = 0.3 tkm per kg
    # × 0.12522 kg CO2e/tkm (DESNZ HGV WTW) ÷ 0.95 coating yield = 0.039543 → 1.30242e306
    assert total == pytest.approx(1.30242e306, rel=1e-4)
    assert fp.total("charlotte-coated", per="kg").value == pytest.approx(total / 0.0087, rel=1e-12)
    assert math.isfinite(fp.total("charlotte-coated", per="kWh").value)
    with pytest.raises(LcaInputError) as err:
        fp.totals("vehicle")
    p = err.value.problems[0]
    assert (p.file, p.table, p.column) == (str(path), "view 'vehicle'", "amount")  # furthest from 1: 75 kWh
    assert "view 'vehicle' amount, view 'kWh' amount and declared_unit" in p.message
    # every scenario ships the same board, so all totals tie (to the last bits: which one is named
    # is rounding, e.g. a mix's 0.6 x + 0.4 x); the message names one of them with that total
    named = re.search(r"scenario '([^']+)' totals 1\.3024\d*e\+306 kg CO2e per declared unit", p.message)
    assert named and named.group(1) in fp.scenarios, p.message
    assert "process 'coating' exchange #6" in p.message  # where the total comes from
    assert cli("run", path).exit_code == 0
    r = cli("run", path, "--per", "vehicle")
    assert r.exit_code == 1 and "--per vehicle: per-vehicle results overflow" in r.stderr
    assert "view 'year'" not in r.stderr
    r = cli("run", path, "--per", "year")
    assert r.exit_code == 1 and "made of view 'year' amount and declared_unit" in r.stderr
    r = cli("report", path, "-o", tmp_path / "r.html")  # the views that fit, the others left out
    assert r.exit_code == 0 and "per kWh of cell capacity" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_multiplier_out_of_range_names_every_key_it_is_made_of(tmp_path):
    """Before: declared_unit = "1e-300 m^2" was blamed on annual_volume (now the year view's amount) alone."""
    path = _variant(tmp_path, ('declared_unit = "1 m^2"', 'declared_unit = "1e-300 m^2"'))
    with pytest.raises(LcaInputError) as err:
        lca.load_study(path)
    got = [(p.table, p.column) for p in err.value.problems]
    assert got == [("product", "declared_unit")]  # the entry furthest from 1, of the year amount and declared_unit
    assert "per-year multiplier, made of view 'year' amount and declared_unit, is inf" in err.value.problems[0].message


def test_view_multipliers_carry_their_keys(default_study):
    from lca.study.profile import kg_view

    got = {v.id: tuple((t, k) for t, k, _ in v.parts) for v in (kg_view(default_study.product), *default_study.views)}
    assert got == {"kg": (("product", "mass_per_declared_unit"),),
                   "kWh": (("view 'kWh'", "amount"), ("product", "declared_unit")),
                   "vehicle": (("view 'vehicle'", "amount"), ("view 'kWh'", "amount"), ("product", "declared_unit")),
                   "year": (("view 'year'", "amount"), ("product", "declared_unit"))}
    fp = lca.compute(replace(default_study, views=tuple(v for v in default_study.views if v.id != "vehicle")))
    with pytest.raises(LcaInputError, match="defines no view 'vehicle'"):
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
