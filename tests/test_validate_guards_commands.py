"""`lca validate` says "ok" to a study exactly when the commands it guards accept it.

Variants of the default study, each with one fault that only a later command used to meet
(`lca uncertainty`, `lca export`), or none; for each, validate's verdict must equal "every command
exits 0" — no study passes CI that a command then refuses, and validate raises no false alarm.
"""

from __future__ import annotations

import pytest

from conftest import UNCERTAINTY_MARK

ENTRY = '[[uncertainty]]\ntarget = "process.base_film.electricity"\ndist = "triangular"\nmin = "0.084 kWh"\n'
FAULTS = {
    "none": ("", ""),
    "unknown distribution": ('dist = "uniform"\nmin = "-10 %"', 'dist = "uniformly"\nmin = "-10 %"'),
    "min above max": ('min = "0.084 kWh"', 'min = "0.3 kWh"'),
    "bound in another dimension": ('min = "0.084 kWh"', 'min = "0.084 kg"'),
    "unknown target": ('target = "process.base_film.yield"', 'target = "process.base_film.yeild"'),
    "duplicate target": (UNCERTAINTY_MARK, UNCERTAINTY_MARK + "\n" + ENTRY + 'max = "0.2 kWh"\n'),
    "lognormal without gsd": ('dist = "uniform"\nmin = "-10 %"\nmax = "+10 %"', 'dist = "lognormal"'),
    "unknown factor target": ('target = "transport.truck.distance"', 'target = "factor.no.such.factor"'),
    "unknown [pact] key": ('fossil_carbon_content = "4.8 g"', 'fossil_carbon_content = "4.8 g"\nfosil = 1'),
    "carbon content not a mass": ('fossil_carbon_content = "4.8 g"', 'fossil_carbon_content = "4.8 kWh"'),
    "exemptions above 3 %": ('fossil_carbon_content = "4.8 g"',
                             'fossil_carbon_content = "4.8 g"\nexempted_emissions_percent = 4'),
    "GWP set PACT refuses": ('gwp = "AR6"', 'gwp = "AR4"'),
    "grid region without factor": ('grid = "CN-EAST"', 'grid = "CN-EASTT"'),
}


@pytest.fixture(scope="module")
def default_text():
    import lca

    return lca.default_study_path().read_text(encoding="utf-8")


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_validate_ok_exactly_when_every_command_accepts(fault, default_text, tmp_path, cli):
    old, new = FAULTS[fault]
    assert old in default_text
    study = tmp_path / "study.toml"
    study.write_text(default_text.replace(old, new, 1), encoding="utf-8")
    commands = [("run",), ("uncertainty", "-n", "200"), ("export", "--created", "2026-01-01T00:00:00Z"),
                ("export", "--format", "pact-v2", "--created", "2026-01-01T00:00:00Z")]
    codes = {c[0] + (c[2] if len(c) > 2 and c[1] == "--format" else ""): cli(c[0], study, *c[1:]).exit_code
             for c in commands}
    assert set(codes.values()) <= {0, 1}, codes
    v = cli("validate", study)
    assert v.exit_code == (0 if all(code == 0 for code in codes.values()) else 1), (codes, v.stderr)
    assert (fault == "none") == (v.exit_code == 0)
