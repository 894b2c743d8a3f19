"""`lca validate` after the independent review of #10/#11: folder walks that hide nothing, stages
reported in every output format, compute problems located at table rows, factor files checked
as layers, stages skipped on request, ledger files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DATA = Path(__file__).resolve().parent / "data" / "validate"
GOOD = DATA / "good"


def _good_copy(tmp_path: Path, name: str = "a.toml") -> Path:
    folder = tmp_path / "d"
    shutil.copytree(GOOD, folder)
    (folder / "study.toml").rename(folder / name)
    return folder


# ------------------------------------------------------------------ finding 7: the folder walk

def test_a_folder_walk_reports_dangling_links_loops_and_folders_named_like_files(tmp_path):
    from lca.validation import validate

    folder = _good_copy(tmp_path)
    os.symlink("nowhere.toml", folder / "b.toml")
    os.symlink("c.toml", folder / "c.toml")
    (tmp_path / "target").mkdir()
    os.symlink(tmp_path / "target", folder / "d.csv")
    (folder / "e.toml").mkdir()
    out = validate([folder])
    got = {Path(p.file).name: p.message for p in out.problems}
    assert got == {"b.toml": "broken symbolic link: its target 'nowhere.toml' does not exist",
                   "c.toml": "symbolic link loop",
                   "d.csv": "a link to a folder, not a .csv file",
                   "e.toml": "a folder, not a .toml file"}
    assert len(out.checked) == 3  # a.toml, exchanges.csv, supplier_factors.csv: still checked
    # --allow-unknown skips the folders named like files, never the broken links
    out = validate([folder], allow_unknown=True)
    assert sorted(Path(p.file).name for p in out.problems) == ["b.toml", "c.toml"]
    assert sorted(Path(s["file"]).name for s in out.skipped) == ["d.csv", "e.toml"]


def test_a_folder_whose_only_study_is_a_link_loop_is_not_empty(tmp_path, cli):
    os.symlink("x.toml", tmp_path / "x.toml")
    r = cli("validate", tmp_path)
    assert r.exit_code == 1
    assert "x.toml: symbolic link loop" in r.stderr and "empty folder" not in r.stderr
    # given explicitly, the same reason as `lca run` gives (not "no such file or directory")
    r = cli("validate", tmp_path / "x.toml")
    assert "x.toml: symbolic link loop" in r.stderr


def test_a_fifo_named_like_a_table_is_reported_not_opened(tmp_path):
    from lca.validation import validate_paths

    os.mkfifo(tmp_path / "sites.csv")
    (p,) = validate_paths([tmp_path])
    assert p.message.startswith("not a regular file")
    (p,) = validate_paths([tmp_path / "sites.csv"])
    assert p.message.startswith("not a regular file")


# ------------------------------------------------------------------ finding 16: misleading messages

def _study_text(*replacements: tuple[str, str]) -> str:
    text = (GOOD / "study.toml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text


def test_a_wrong_kind_market_factor_is_blamed_on_the_site_alone(tmp_path):
    from lca.validation import validate_paths

    for fid, words in (("mat.hdpe.desnz2025", "is a material factor"), ("no.such.factor", "unknown factor id")):
        path = tmp_path / "study.toml"
        path.write_text(_study_text(('grid_fallback = "country"', f'grid_fallback = "country"\nmarket_factor = "{fid}"'),
                                    ("[product]", '[method]\nelectricity_rule = "market"\n\n[product]')),
                        encoding="utf-8")
        (p,) = validate_paths([path])
        assert (p.table, p.column) == ("site 'plant'", "market_factor") and words in p.message


def test_a_factor_file_without_the_estimate_column_is_told_only_that(tmp_path):
    from lca.validation import validate_paths

    rows = (DATA / "corpus" / "factors_good.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    i = header.index("estimate")
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for r in csv.reader(rows):
        w.writerow(r[:i] + r[i + 1:])
    path = tmp_path / "factors.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    (p,) = validate_paths([path])
    assert (p.column, p.message) == ("estimate", "missing required column 'estimate'")


# ------------------------------------------------------------------ finding 10: table rows located at the table

def _tabled_study(tmp_path: Path, exchanges: str, routes: str) -> Path:
    """The good study with its exchanges and a route in table files, and a second site to ship to."""
    text = _study_text(('exchanges = [\n  { flow = "hdpe_resin", amount = "5.5 g" },\n'
                        '  { flow = "electricity", amount = "0.14 kWh" },\n]\n', 'output_mass = "5.5 g"\n'),
                       ("[[process]]", '[[site]]\nid = "cells"\ncountry = "US"\n\n[[process]]'),
                       ('steps = [ { process = "film", site = "plant" } ]',
                        'steps = [ { process = "film", site = "plant" } ]\n'
                        'transport = [ { goods = "film", from = "plant", to = "cells" } ]'))
    text += '\n[tables]\nexchanges = "exchanges.csv"\nroutes = "routes.csv"\n'
    (tmp_path / "exchanges.csv").write_text(exchanges, encoding="utf-8")
    (tmp_path / "routes.csv").write_text(routes, encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


EXCHANGES = "process,flow,input,amount,unit,stage\nfilm,hdpe_resin,,5.5,g,\nfilm,electricity,,0.14,kWh,\n"
ROUTES = "from,to,leg,mode,distance,unit,factor\nplant,cells,1,truck,100,km,\nplant,cells,2,container_ship,1000,km,\n"


def test_compute_problems_about_an_exchanges_row_name_the_table_file_and_row(tmp_path, cli):
    from lca.validation import validate_paths

    study = _tabled_study(tmp_path, EXCHANGES.replace("5.5,g", "5.5,kWh"), ROUTES)
    (p,) = validate_paths([study])
    assert (p.file, p.table, p.row, p.column) == (str(tmp_path / "exchanges.csv"), "exchanges", 1, "unit")
    assert "unit 'kWh' is energy" in p.message
    line = cli("validate", study, "--format", "github").stdout.splitlines()[0]
    assert line.startswith(f"::error file={tmp_path / 'exchanges.csv'},line=2,col=5::exchanges row 1, column 'unit'")
    r = cli("run", study)  # the commands say the same
    assert r.exit_code == 1 and f"{tmp_path / 'exchanges.csv'}: exchanges row 1, column 'unit'" in r.stderr


def test_a_transport_leg_from_a_routes_row_is_named_at_that_row(tmp_path):
    from lca.validation import validate_paths

    study = _tabled_study(tmp_path, EXCHANGES, ROUTES.replace("1000,km,", "1000,km,mat.hdpe.desnz2025"))
    (p,) = validate_paths([study])
    assert (p.file, p.table, p.row, p.column) == (str(tmp_path / "routes.csv"), "routes", 2, "factor")
    assert "is a material factor" in p.message and "(in scenario 'base' transport #1 leg #2)" in p.message


def test_an_exchanges_row_of_an_unknown_process_is_named_at_its_row(tmp_path):
    from lca.validation import validate_paths

    study = _tabled_study(tmp_path, EXCHANGES + "foil,electricity,,0.1,kWh,\n", ROUTES)
    (p,) = validate_paths([study])
    assert (p.file, p.table, p.row, p.column) == (str(tmp_path / "exchanges.csv"), "exchanges", 3, "process")


# ------------------------------------------------------------------ finding 15: factor files checked as layers

def _tie_file(tmp_path: Path, region: str = "US-SRVC") -> Path:
    """A supplier CO2 row for 2023 whose edition ties with the shipped eGRID2023 CO2e edition."""
    header = (DATA / "corpus" / "factors_good.csv").read_text(encoding="utf-8").splitlines()[0]
    row = dict(id="sup.grid.co2.2023", flow="electricity", name="Supplier grid CO2", category="electricity",
               region=region, value="0.3", unit="kg/kWh", gas="CO2", scope="combustion", basis="location",
               td_losses="excluded", year="2023", status="default", estimate="false", source="Supplier X 2023",
               dq_technological="2", dq_geographical="1", dq_temporal="1")
    path = tmp_path / "supplier.csv"
    path.write_text(header + "\n" + ",".join(row.get(c, "") for c in header.split(",")) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("region", ["US-SRVC", "US-RFCM"])  # charged by the default study / by none of its scenarios
def test_a_factor_file_is_checked_as_a_layer_and_every_command_agrees(tmp_path, cli, region):
    import lca

    tie = _tie_file(tmp_path, region)
    runs = {"validate": cli("validate", tie), "factors validate": cli("factors", "validate", tie),
            "run --factors": cli("run", lca.default_study_path(), "--factors", tie)}
    where = f"{tie}: factors row 1, column 'year': flow 'electricity' in region {region}, scope combustion: two " \
            "editions have the same vintage 2023"
    for name, r in runs.items():
        assert r.exit_code == 1 and where in r.stderr, (name, r.stderr)
    line = cli("validate", tie, "--format", "github").stdout.splitlines()[0]
    assert line.startswith(f"::error file={tie},line=2,col=12::")


def test_a_studys_factor_files_are_layered_in_order(tmp_path):
    from lca.validation import validate

    tie = _tie_file(tmp_path)
    study = tmp_path / "study.toml"
    study.write_text((GOOD / "study.toml").read_text(encoding="utf-8") + '\n[factors]\nfiles = ["supplier.csv"]\n',
                     encoding="utf-8")
    out = validate([study])
    (p,) = out.problems
    assert (p.file, p.row, p.column) == (str(tie), 1, "year")
    assert out.checked[0]["not_run"]["compute"] == "a factor file of the study has problems"


def test_the_shipped_library_has_no_edition_ties():
    import lca
    from lca.factors.editions import edition_ties

    assert edition_ties(lca.load_library().factors) == []


# ------------------------------------------------------------------ finding 12: export messages name the study key

@pytest.mark.parametrize("extra, replacements, key, field", [
    ("", [("[product]", '[method]\ngwp = "AR4"\n\n[product]')], ("method", "gwp"), None),
    ("\n[pact]\nexempted_emissions_percent = 5\n", [], ("pact", "exempted_emissions_percent"),
     "exemptedEmissionsPercent"),
    ("\n[pact]\nvalidity_period_end = 2031-01-01\n", [], ("pact", "validity_period_end"), "validityPeriodEnd"),
])
@pytest.mark.parametrize("fmt", ["pact-v3", "pact-v2"])
def test_lca_export_names_the_study_file_and_the_key_the_user_wrote(tmp_path, cli, extra, replacements, key, field,
                                                                    fmt):
    study = tmp_path / "study.toml"
    study.write_text(_study_text(*replacements) + extra, encoding="utf-8")
    r = cli("export", study, "--format", fmt, "--created", "2026-01-01T00:00:00Z")
    assert r.exit_code == 1
    lines = [x for x in r.stderr.splitlines() if x.startswith("  - ")]
    assert lines and all(x.startswith(f"  - {study}: {key[0]}, column '{key[1]}': ") for x in lines), r.stderr
    assert field is None or all(field in x for x in lines)
    assert "footprint #" not in r.stderr


# ------------------------------------------------------------------ finding 9: fewer rounds, and say what did not run

def _write(tmp_path: Path, text: str, name: str = "study.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BAD_SECTION = 'uncertainty = [ { target = "process.film.electricity", dist = "triangle" }, "oops" ]\n'


@pytest.mark.parametrize("flow, ran", [("hdpe_resin", ["load", "compute", "uncertainty", "PACT"]),
                                       ("hdpe_resn", ["load", "compute", "uncertainty entries"])])
def test_pact_keys_and_the_uncertainty_section_wrong_at_load_do_not_stop_compute(tmp_path, flow, ran):
    from lca.validation import validate

    text = BAD_SECTION + _study_text(('flow = "hdpe_resin"', f'flow = "{flow}"')) + '\n[pact]\nstatus = "Bogus"\n'
    out = validate([_write(tmp_path, text)])
    where = [(p.table, p.column) for p in out.problems]
    expected = [("uncertainty", None), ("pact", "status")]
    expected += [("process 'film' exchange #1", "flow")] if flow != "hdpe_resin" else []
    expected += [("uncertainty #1", "dist")]  # the entry that is a table, checked under its own number
    assert where == expected, out.problems
    assert out.checked[0]["checks"] == ran


def test_an_exchange_problem_at_load_says_which_stages_did_not_run_and_why(tmp_path, cli):
    study = _write(tmp_path, _study_text(('amount = "5.5 g"', 'amount = "5.5 zorks"')))
    text = cli("validate", study)
    assert text.exit_code == 1
    note = next(x for x in text.stderr.splitlines() if x.startswith("note:"))
    assert note.startswith(f"note: {study}: not run: compute, uncertainty, PACT (the study does not load; its "
                           "problems in exchanges cannot be set aside")
    github = cli("validate", study, "--format", "github").stdout.splitlines()
    assert f"::notice file={study}::not run: compute, uncertainty, PACT (the study does not load; its problems " \
           "in exchanges cannot be set aside" in "\n".join(github)
    # a study that checks clean but has no PACT identity says so too, on stderr (stdout stays "ok: …")
    bare = _write(tmp_path, _study_text(('company_ids = ["urn:lca:company:demo"]\n', ""),
                                        ('product_ids = ["urn:lca:product:film"]\n', ""),
                                        ('company_name = "Demo Inc."\n', ""), ('product_category_cpc = "36390"\n', "")),
                  "bare.toml")
    r = cli("validate", bare)
    assert r.exit_code == 0 and r.stdout.startswith("ok:")
    assert f"note: {bare}: not run: PACT (the study has no [pact] table, company or product ids)" in r.stderr


def test_a_bad_uncertainty_entry_is_set_aside_and_the_model_still_runs(tmp_path):
    """The factor file's uncertainty is refused by the model run; before, only after the entry was fixed."""
    from lca.validation import validate

    factors = (GOOD / "supplier_factors.csv").read_text(encoding="utf-8").replace("lognormal,1.1,,,,", "normal,,5,,,")
    (tmp_path / "sup.csv").write_text(factors, encoding="utf-8")
    entries = ('\n[[uncertainty]]\ntarget = "process.film.electricty"\ndist = "uniform"\nmin = "-10 %"\nmax = "+10 %"\n'
               '\n[[uncertainty]]\ntarget = "process.film.electricity"\ndist = "uniform"\nmin = "-10 %"\nmax = "+10 %"\n'
               '\n[[uncertainty]]\ntarget = "process.film.electricity"\ndist = "uniform"\nmin = "-5 %"\nmax = "+5 %"\n')
    out = validate([_write(tmp_path, _study_text() + '\n[factors]\nfiles = ["sup.csv"]\n' + entries)])
    where = [(p.table, p.column) for p in out.problems]
    assert where == [("uncertainty #1", "target"), ("uncertainty #3", "target"), (None, "unc_sd")], out.problems
    assert "already has an uncertainty (entry #2)" in out.problems[1].message
    assert "normal with SD" in out.problems[2].message and out.checked[0]["checks"][-2:] == ["uncertainty", "PACT"]


# ------------------------------------------------------------------ doubt: opting out of stages

def test_skip_leaves_stages_out_on_request_and_the_summary_says_so(tmp_path, cli):
    study = _write(tmp_path, _study_text(("[product]", '[method]\ngwp = "AR4"\n\n[product]'))
                   + '\n[[uncertainty]]\ntarget = "process.film.electricty"\ndist = "uniform"\n'
                     'min = "-10 %"\nmax = "+10 %"\n')
    r = cli("validate", study)
    assert r.exit_code == 1 and "method, column 'gwp'" in r.stderr and "uncertainty #1" in r.stderr
    r = cli("validate", study, "--skip", "pact", "--skip", "uncertainty")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip().endswith("skipped none; stages skipped by request: PACT, uncertainty)")
    assert "note:" not in r.stderr  # said once, in the summary
    body = json.loads(cli("validate", study, "--skip", "pact", "--format", "json").stdout)
    assert body["summary"]["stages_skipped"] == ["PACT"]
    assert body["summary"]["checked"][0]["not_run"]["PACT"] == "skipped by request (--skip pact)"
    assert cli("validate", study, "--skip", "compute").exit_code == 2


# ------------------------------------------------------------------ doubt: ledger files

LOTS = ("lot_id,date,product,quantity,unit,scenario,origin_plant,destination_plant\n"
        "A,2025-01-02,sep,100,m2,ontario,port_colborne,liberty\n"
        "B,2025-02-03,sep,2,roll,jp-import,moriyama,holland\n")
PLANT = "plant,period,carrier,energy,energy_unit,output,output_unit\n"


def test_ledger_shipments_and_plant_data_are_recognised_and_checked_by_the_ledgers_readers(tmp_path, cli):
    import polars as pl

    from lca.validation import validate

    (tmp_path / "lots.csv").write_text(LOTS, encoding="utf-8")
    pl.read_csv(tmp_path / "lots.csv").write_parquet(tmp_path / "lots.parquet")
    (tmp_path / "plant.csv").write_text(PLANT + "port_colborne,2025-03,electricity,150,MWh,1000000,m^2\n",
                                        encoding="utf-8")
    out = validate([tmp_path])
    assert out.problems == []
    assert [c["kind"] for c in out.checked] == ["shipments", "shipments", "plant data"]
    # faults: a lot id twice, a missing column (a file named as shipments), bad plant rows
    (tmp_path / "lots.csv").write_text(LOTS + "A,2025-03-01,sep,5,m2,ontario,port_colborne,liberty\n",
                                       encoding="utf-8")
    (tmp_path / "my_shipments.csv").write_text("date,quantity\n2025-01-01,3\n", encoding="utf-8")
    bad_plant = PLANT + "port_colborne,2025-13,electricity,150,MWh,1000000,m^2\nport_colborne,2025-03,coal,-1,MWh,1,m^2\n"
    (tmp_path / "plant.csv").write_text(bad_plant, encoding="utf-8")
    got = [(Path(p.file).name, p.table, p.row, p.column) for p in validate([tmp_path]).problems]
    assert got == [("lots.csv", "shipments", 1, "lot_id"),
                   ("my_shipments.csv", "shipments", None, "lot_id"),
                   ("my_shipments.csv", "shipments", None, "unit"),
                   ("my_shipments.csv", "shipments", None, "scenario"),
                   ("my_shipments.csv", "shipments", None, "destination_plant"),
                   ("plant.csv", "plant data", 1, "period"), ("plant.csv", "plant data", 2, "carrier"),
                   ("plant.csv", "plant data", 2, "energy")]
    # the ledger itself refuses the same plant rows, with the same words
    r = cli("ledger", tmp_path / "lots.parquet", "-o", tmp_path / "o.parquet", "--plant-data", tmp_path / "plant.csv")
    assert r.exit_code == 1
    for p in validate([tmp_path / "plant.csv"]).problems:
        assert str(p) in r.stderr


GOOD_ENTRIES = ['target = "process.film.electricity"\ndist = "uniform"\nmin = "-10 %"\nmax = "+10 %"',
                'target = "process.film.hdpe_resin"\ndist = "triangular"\nmin = "-5 %"\nmax = "+5 %"',
                'target = "process.film.yield"\ndist = "uniform"\nmin = 0.6\nmax = 0.8']
BAD_ENTRIES = ['target = "process.film.nope"\ndist = "uniform"\nmin = "-10 %"\nmax = "+10 %"',
               'target = "process.film.electricity"\ndist = "triangle"']


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(["good", "bad0", "bad1"]), min_size=1, max_size=5)
       .filter(lambda k: k.count("good") <= len(GOOD_ENTRIES)))
def test_bad_entries_are_reported_under_their_own_numbers_and_the_model_runs_with_the_rest(tmp_path, kinds):
    from lca.validation import validate

    good = iter(GOOD_ENTRIES)
    body = "".join("\n[[uncertainty]]\n" + (next(good) if k == "good" else BAD_ENTRIES[int(k[-1])]) + "\n"
                   for k in kinds)
    out = validate([_write(tmp_path, _study_text() + body)])
    assert {p.table for p in out.problems} == {f"uncertainty #{i}" for i, k in enumerate(kinds, 1) if k != "good"}
    assert len(out.problems) == kinds.count("bad0") + kinds.count("bad1")
    assert "uncertainty" in out.checked[0]["checks"]
