"""`lca validate` checks everything the commands check (#11 item 9): the uncertainty model, the PACT
export and its methodology rules, every stage that can run in one pass, unknown and empty inputs,
lone tables as strictly as inside a study, a summary line, --max-problems."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "validate"
GOOD = DATA / "good" / "study.toml"
CORPUS = DATA / "corpus"


def _study(tmp_path: Path, extra: str = "", *replacements: tuple[str, str]) -> Path:
    text = GOOD.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "study.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def _where(problems):
    return [(p.table, p.column) for p in problems]


UNCERTAINTY = '''
[[uncertainty]]
target = "process.film.electricity"
dist = "triangular"
min = "0.1 kWh"
max = "0.2 kWh"

[[uncertainty]]
target = "process.film.electricity"
dist = "uniform"
min = "-10 %"
max = "+10 %"

[[uncertainty]]
target = "process.film.hdpe_resin"
dist = "triangle"

[[uncertainty]]
target = "process.film.electricty"
dist = "uniform"
min = "-10 %"
max = "+10 %"

[[uncertainty]]
target = "process.film.hdpe_resin"
dist = "uniform"
min = "1 kWh"
max = "2 kWh"
'''


def test_uncertainty_entries_are_checked_like_lca_uncertainty(tmp_path):
    from lca.validation import validate_paths

    problems = validate_paths([_study(tmp_path, UNCERTAINTY)])
    assert _where(problems) == [("uncertainty #2", "target"), ("uncertainty #3", "dist"),
                                ("uncertainty #4", "target"), ("uncertainty #5", "min")]
    assert "already has an uncertainty" in problems[0].message and "cannot be converted" in problems[3].message


def test_pact_export_is_built_and_checked_like_lca_export_and_check(tmp_path):
    from lca.validation import validate_paths

    problems = validate_paths([_study(tmp_path, "\n[pact]\nexempted_emissions_percent = 5\nfosil = 1\n")])
    # named at the [pact] key the user wrote, the output field and the export in the message (#11 review)
    assert _where(problems) == [("pact", "fosil"), ("pact", "exempted_emissions_percent"),
                                ("pact", "exempted_emissions_percent")]
    assert all(p.file == str(tmp_path / "study.toml") for p in problems)
    assert "[exemptions] exemptedEmissionsPercent" in problems[1].message
    assert "(PACT v3 export, every scenario)" in problems[1].message


def test_every_stage_that_can_run_reports_in_one_pass(tmp_path):
    """A bad factor file of the study stops the compute, but not the [[uncertainty]] checks."""
    from lca.validation import validate

    shutil.copy(DATA / "mixed" / "bad_factors.csv", tmp_path / "supplier.csv")
    study = _study(tmp_path, '\n[factors]\nfiles = ["supplier.csv"]\n' + UNCERTAINTY)
    out = validate([study])
    files = {Path(p.file).name for p in out.problems}
    assert files == {"supplier.csv", "study.toml"}
    assert ("uncertainty #3", "dist") in _where(out.problems)
    (entry,) = out.checked
    assert entry["checks"] == ["load", "uncertainty entries"]
    assert set(entry["not_run"]) == {"compute", "uncertainty", "PACT"}


def test_a_table_file_reports_unknown_columns_and_bad_values_together(tmp_path):
    from lca.validation import validate_paths

    shutil.copy(CORPUS / "sites_unknown_column.csv", tmp_path / "sites.csv")
    text = (tmp_path / "sites.csv").read_text(encoding="utf-8").replace(",JP,", ",Japan,")
    (tmp_path / "sites.csv").write_text(text, encoding="utf-8")
    study = _study(tmp_path, '\n[tables]\nsites = "sites.csv"\n')
    problems = [p for p in validate_paths([study]) if p.file.endswith("sites.csv")]
    assert [(p.row, p.column) for p in problems] == [(None, "grdi"), (1, "country")]


LONE = ["sites_unknown_column.csv", "sites_bad_country.csv", "sites_bad_fallback.csv", "exchanges_unknown_column.csv",
        "exchanges_nan_amount.csv", "exchanges_bad_unit.csv", "routes_bad_mode.csv", "routes_unit_not_length.csv",
        "routes_empty_mode.csv", "routes_unknown_column.csv", "routes_leg_gap.csv", "routes_not_consecutive.csv",
        "routes_header_only.csv", "routes_missing_leg.csv", "routes_leg_zero.csv", "sites_header_only.csv",
        "exchanges_header_only.csv"]


@pytest.mark.parametrize("name", LONE)
def test_a_lone_table_is_checked_as_strictly_as_inside_a_study(name, tmp_path):
    from lca.study import load_study
    from lca.errors import LcaInputError
    from lca.validation import validate_paths

    kind = name.split("_")[0]
    table = tmp_path / f"{kind}.csv"
    shutil.copy(CORPUS / name, table)
    study = _study(tmp_path, f'\n[tables]\n{kind} = "{kind}.csv"\n')
    with pytest.raises(LcaInputError) as err:
        load_study(study)
    in_study = [p for p in err.value.problems if p.file == str(table)]
    alone = validate_paths([table])
    # alone, a table is checked exactly as in a study, except for references to the study's sites
    extra = [p for p in in_study if p not in alone]
    assert in_study and set(alone) <= set(in_study)
    assert all(p.message.startswith("unknown site") for p in extra), extra


@pytest.mark.parametrize("name,message", [
    ("routes_leg_gap.csv", "the legs of route plant → cell are numbered 1, 3 in rows 1, 2: leg 2 is missing"),
    ("routes_not_consecutive.csv", "the legs of route plant → cell are not in consecutive rows (1, 3)"),
    ("routes_header_only.csv", "table file has a header but no rows"),
    ("sites_header_only.csv", "table file has a header but no rows"),
    ("exchanges_header_only.csv", "table file has a header but no rows"),
    ("routes_missing_leg.csv", "missing required column 'leg'"),
])
def test_a_lone_table_gets_the_loaders_route_and_empty_table_checks(name, message, cli):
    """Before (review finding 8): these passed `lca validate FILE` alone, yet every command refused the
    study that used them (the pre-commit hook of docs/ci.md validates single files)."""
    from lca.validation import validate_paths

    problems = validate_paths([CORPUS / name])
    assert [(p.file, p.message) for p in problems] == [(str(CORPUS / name), message)]
    r = cli("validate", CORPUS / name)
    assert r.exit_code == 1 and message in r.stderr


def test_unknown_and_empty_inputs_are_errors_unless_allowed(tmp_path, cli):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = cli("validate", empty)
    assert r.exit_code == 1 and "empty folder" in r.stderr
    assert r.stderr.strip().splitlines()[-1] == "checked 0 files; skipped none"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "blank.csv").write_text("", encoding="utf-8")
    (tmp_path / "data" / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    shutil.copy(CORPUS / "sites_good.csv", tmp_path / "data" / "sites.csv")
    r = cli("validate", tmp_path / "data")
    assert r.exit_code == 1 and "empty file" in r.stderr and "not a table lca knows: columns a, b" in r.stderr
    r = cli("validate", tmp_path / "data", empty, "--allow-unknown")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip().endswith("checked 1 file (1 table); skipped 3: 1 empty folder: no .toml, .csv or .parquet "
                                     "file in it; 1 empty file; 1 not a table lca knows: columns a, b)")
    body = json.loads(cli("validate", tmp_path / "data", "--allow-unknown", "--format", "json").stdout)
    summary = body["summary"]
    assert (summary["files_checked"], summary["files_skipped"]) == (1, 2)
    assert [s["file"] for s in summary["skipped"]] == [str(tmp_path / "data" / n) for n in ("blank.csv", "notes.csv")]


def test_max_problems_shows_n_and_says_how_many_more(tmp_path, cli):
    rows = (CORPUS / "factors_good.csv").read_text(encoding="utf-8").splitlines()
    bad = [rows[0]] + [rows[1].replace("sup.resin.acme2025", f"r{i}").replace(",1.8,", ",-1,") for i in range(5)]
    path = tmp_path / "factors.csv"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    r = cli("validate", path, "--max-problems", "2")
    assert r.exit_code == 1 and "error: 5 problems" in r.stderr and r.stderr.count("  - ") == 2
    assert "... and 3 more problems (--max-problems 0 shows all)" in r.stderr
    body = json.loads(cli("validate", path, "--max-problems", "2", "--format", "json").stdout)
    assert len(body["problems"]) == 2 and body["problems_total"] == 5
    assert cli("validate", path, "--max-problems", "0").stderr.count("  - ") == 5


def test_default_study_is_valid_and_its_warning_is_printed(cli):
    import lca

    r = cli("validate", lca.default_study_path())
    assert r.exit_code == 0
    assert r.stdout.strip() == "ok: every file is valid (checked 1 file (1 study); skipped none)"
    # #13: Moriyama's Kansai area has its own location factor, so the default study has no fallback and,
    # every site being on its declared electricity basis, no warning at all
    assert "warning:" not in r.stderr
    body = json.loads(cli("validate", lca.default_study_path(), "--format", "json").stdout)
    (entry,) = body["summary"]["checked"]
    assert entry["checks"] == ["load", "compute", "uncertainty", "PACT"] and body["summary"]["warnings"] == []


def test_an_unresolvable_grid_region_fails_validation(tmp_path):
    from lca.validation import validate_paths

    typo = ('grid = "JP-KANSAI"\ngrid_fallback = "country"', 'grid = "JP-KANSIA"')
    (p,) = validate_paths([_study(tmp_path, "", typo)])
    assert (p.table, p.column) == ("site 'plant'", "grid") and "'JP-KANSIA'" in p.message


def test_a_single_scenario_study_runs_through_lca_uncertainty(cli):
    r = cli("uncertainty", GOOD, "-n", "200")
    assert r.exit_code == 0 and "Traceback" not in r.stdout + r.stderr, r.stdout
