"""`lca uncertainty`: exit codes, the probability statement, machine-readable output."""

from __future__ import annotations

import json


def test_table_output_states_the_probability(cli):
    res = cli("uncertainty", "-n", "500", "--seed", "3")
    assert res.exit_code == 0, res.stderr
    assert "charlotte-coated is lower than jp-import in" in res.stdout
    assert "% of draws" in res.stdout
    assert "Break-even" in res.stdout and "grid.charlotte" in res.stdout


def test_compare_option_picks_the_pair(cli):
    res = cli("uncertainty", "-n", "300", "--compare", "ontario", "cn-import")
    assert res.exit_code == 0, res.stderr
    assert "cn-import is higher than ontario" in res.stdout


def test_iterations_below_one_is_a_usage_error(cli):
    res = cli("uncertainty", "--iterations", "0")
    assert res.exit_code == 2


def test_unknown_scenario_is_exit_1(cli):
    res = cli("uncertainty", "-n", "10", "--compare", "jp-import", "atlantis")
    assert res.exit_code == 1 and "unknown scenario 'atlantis'" in res.stderr


def test_csv_and_json_are_deterministic(cli):
    a = cli("uncertainty", "-n", "400", "--seed", "8", "--format", "csv", "--table", "differences")
    b = cli("uncertainty", "-n", "400", "--seed", "8", "--format", "csv", "--table", "differences")
    assert a.exit_code == 0 and a.stdout == b.stdout
    assert a.stdout.splitlines()[0] == "scenario_a,scenario_b,mean,median,p2_5,p97_5,prob_b_lower,unit"
    j = json.loads(cli("uncertainty", "-n", "200", "--format", "json", "--per", "kWh").stdout)
    assert j["iterations"] == 200 and j["unit"] == "kg_CO2e/kWh"
    assert {"summary", "differences", "sensitivity", "tornado", "breakeven", "inputs"} <= set(j)


def test_long_runs_show_a_progress_bar_without_changing_stdout(cli):
    res = cli("uncertainty", "-n", "50000", "--format", "csv")
    assert res.exit_code == 0
    assert res.stdout.startswith("scenario,stage,mean")
