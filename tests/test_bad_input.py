"""Bad input gets a clear message (where + how to fix), exit code 1, no traceback, no output file."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY = Path(__file__).parent / "data" / "tiny"


def _variant(tmp_path: Path, old: str, new: str, *, factors: str | None = None) -> Path:
    text = (TINY / "study.toml").read_text(encoding="utf-8")
    assert old in text, old
    (tmp_path / "factors.csv").write_text(factors or (TINY / "factors.csv").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    path = tmp_path / "study.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


CASES = {
    "wrong dimension": ('{ flow = "tiny_resin", amount = "10 g" }', '{ flow = "tiny_resin", amount = "10 kWh" }',
                        ["exchange #2", "energy", "tiny.resin", "mass"]),
    "unknown unit": ('{ flow = "tiny_resin", amount = "10 g" }', '{ flow = "tiny_resin", amount = "10 gramz" }',
                     ["exchange #2", "gramz"]),
    "ambiguous ton": ('{ flow = "tiny_resin", amount = "10 g" }', '{ flow = "tiny_resin", amount = "1 ton" }',
                      ["short_ton", "tonne"]),
    "unknown factor flow": ('{ flow = "tiny_resin", amount = "10 g" }', '{ flow = "tiny_rezin", amount = "10 g" }',
                            ["tiny_rezin", "exchange #2"]),
    "unknown factor id": ('{ flow = "tiny_resin", amount = "10 g" }',
                          '{ flow = "tiny_resin", amount = "10 g", factor = "no.such.factor" }',
                          ["no.such.factor"]),
    "unknown site": ('steps = [ { process = "film", site = "mill" } ]', 'steps = [ { process = "film", site = "mil" } ]',
                     ["unknown site 'mil'", "scenario 'one-site' step #1"]),
    "negative amount": ('{ flow = "tiny_resin", amount = "10 g" }', '{ flow = "tiny_resin", amount = "-10 g" }',
                        ["negative", "exchange #2"]),
    "non-finite amount": ('{ flow = "tiny_resin", amount = "10 g" }', '{ flow = "tiny_resin", amount = 1e999, unit = "g" }',
                          ["not finite"]),
    "malformed TOML": ('[[process]]\nid = "film"', '[[process]\nid = "film"', ["malformed TOML", "line"]),
    "unknown key": ('yield = 0.5', 'yeild = 0.5', ["unknown key 'yeild'", "process 'film'"]),
    "bad yield": ('yield = 0.5', 'yield = 1.5', ["yield", "above 1"]),
    "mix shares": ('mix = { "one-site" = 0.5, "two-step" = 0.5 }', 'mix = { "one-site" = 0.5, "two-step" = 0.6 }',
                   ["add up to 1.1"]),
    "dangling input": ('steps = [ { process = "film", site = "mill" }, { process = "coat", site = "mill2" } ]',
                       'steps = [ { process = "coat", site = "mill2" } ]', ["needs 'film'"]),
    "cycle": ('{ flow = "tiny_power", amount = "1 kWh" },', '{ input = "coat", amount = "1 m^2" },',
              ["cycle"]),
    "missing product": ('[product]', '[produkt]', ["unknown section 'produkt'"]),
    "yield as text": ('yield = 0.5', 'yield = "half"', ["process 'film'", "must be a number"]),
    "yield as bool": ('yield = 0.5', 'yield = true', ["process 'film'", "must be a number"]),
    "steps as text": ('steps = [ { process = "film", site = "mill" } ]', 'steps = "film"',
                      ["scenario 'one-site'", "column 'steps'", "array of tables"]),
    "legs as text": ('legs = [ { mode = "tinytruck", distance = "100 km" } ]', 'legs = "truck"',
                     ["transport #1", "column 'legs'"]),
    "exchange as text": ('{ flow = "tiny_gas", amount = "1 MJ" },', '"tiny_gas",', ["column 'exchanges'"]),
    "mix as text": ('mix = { "one-site" = 0.5, "two-step" = 0.5 }', 'mix = "one-site"', ["column 'mix'"]),
    "bad share": ('mix = { "one-site" = 0.5, "two-step" = 0.5 }', 'mix = { "one-site" = 1.5, "two-step" = -0.5 }',
                  ["between 0 and 1, got 1.5", "got -0.5"]),
    "output of another dimension": ('output = "1 m^2"\noutput_mass = "12 g"', 'output = "1 kWh"\noutput_mass = "12 g"',
                                    ["scenario 'two-step'", "'coat'"]),
    "unit given twice": ('{ flow = "tiny_resin", amount = "10 g" }',
                         '{ flow = "tiny_resin", amount = "10 g", unit = "kg" }', ["unit is given twice"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_study_run(case, tmp_path, cli):
    old, new, expect = CASES[case]
    path = _variant(tmp_path, old, new)
    out = tmp_path / "report.html"
    result = cli("report", path, "-o", out)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    for word in expect:
        assert word in result.stderr, (word, result.stderr)
    assert not out.exists()
    assert list(tmp_path.glob(".report.html.*")) == []


def test_missing_column_in_a_table_file(tmp_path, cli):
    path = _variant(tmp_path, "[factors]", '[tables]\nsites = "sites.csv"\n\n[factors]')
    (tmp_path / "sites.csv").write_text("id,name,grid\nmill3,Third mill,ZZ-NORTH\n", encoding="utf-8")
    result = cli("run", path)
    assert result.exit_code == 1
    assert "missing required column 'country'" in result.stderr and "sites.csv" in result.stderr


def test_bad_factor_file(tmp_path, cli):
    bad = (TINY / "factors.csv").read_text(encoding="utf-8").replace("0.5,kg_CO2e/kWh", "0.5,kg_CO2e/tkm", 1)
    path = _variant(tmp_path, "[product]", "[product]", factors=bad)
    result = cli("run", path)
    assert result.exit_code == 1
    assert "tiny.power.north" in result.stderr and "electricity factor must be per energy" in result.stderr


def test_input_files_are_never_modified(tmp_path, cli):
    path = _variant(tmp_path, "[product]", "[product]")
    before = path.read_bytes(), (tmp_path / "factors.csv").read_bytes()
    assert cli("report", path, "-o", tmp_path / "r.html", "--timestamp", "2026-01-01T00:00:00Z").exit_code == 0
    assert (path.read_bytes(), (tmp_path / "factors.csv").read_bytes()) == before


def test_usage_error_is_exit_2(cli):
    assert cli("run", "--per", "furlong").exit_code == 2


def test_missing_study_file(cli, tmp_path):
    r = cli("run", tmp_path / "nope.toml")
    assert r.exit_code == 1 and "study file not found" in r.stderr


def test_factor_files_as_a_single_string(tmp_path, cli):
    path = _variant(tmp_path, 'files = ["factors.csv"]', 'files = "factors.csv"')
    assert cli("run", path).exit_code == 0


def test_routes_table_with_a_bad_distance(tmp_path, cli):
    path = _variant(tmp_path, "[factors]", '[tables]\nroutes = "r.csv"\n\n[factors]')
    (tmp_path / "r.csv").write_text("from,to,leg,mode,distance,unit\nmill,plant,1,tinytruck,abc,km\n")
    r = cli("run", path)
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    assert "r.csv" in r.stderr and "row 1" in r.stderr and "'abc' is not a valid number" in r.stderr


def test_unknown_column_in_a_table_file(tmp_path, cli):
    path = _variant(tmp_path, "[factors]", '[tables]\nsites = "s.csv"\n\n[factors]')
    (tmp_path / "s.csv").write_text("id,name,country,grdi\nmill3,Third,ZZ,ZZ-NORTH\n")
    r = cli("run", path)
    assert r.exit_code == 1 and "unknown column 'grdi'" in r.stderr


@pytest.mark.parametrize("args", [("report", "-o", "{tmp}"), ("export", "--format", "csv", "-o", "{tmp}")])
def test_output_to_a_folder_is_an_error(args, tmp_path, cli):
    r = cli(*[a.format(tmp=tmp_path) for a in args])
    assert r.exit_code == 1 and "is a folder" in r.stderr and "[bold" not in r.stderr


def test_factor_folder_is_an_error(tmp_path, cli):
    r = cli("factors", "validate", tmp_path)
    assert r.exit_code == 1 and "is a folder" in r.stderr


@pytest.mark.parametrize("args", [("report", "--timestamp", "notatime"), ("export", "--created", "yesterday")])
def test_timestamps_must_be_iso(args, cli, tmp_path):
    r = cli(*args, "-o", tmp_path / "x")
    assert r.exit_code == 2 and not (tmp_path / "x").exists()


def test_version(cli):
    r = cli("--version")
    assert r.exit_code == 0 and r.stdout.startswith("lca ")
