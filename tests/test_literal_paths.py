"""File names are literal paths, never glob patterns (review finding 1).

Polars expands ``[ ] * ?`` in the paths it is given, so ``c[12].csv`` read ``c1.csv`` — another
file, silently. Every test puts a decoy beside the file whose name contains pattern characters:
the decoy is what a glob would read, and its numbers are different.
"""

from __future__ import annotations

import shutil
from datetime import date

import polars as pl
import pytest

import lca
from lca.errors import LcaInputError
from lca.factors import read_factor_file
from lca.ledger import compute_ledger

RESIN = "tiny.resin,tiny_resin,Tiny resin,material,GLO,2,"
DECOY = "tiny.resin,tiny_resin,Tiny resin,material,GLO,4,"
NO_POLARS = ("PlRefPath", "expanded paths", "UTF-8")  # what the glob failure used to print


@pytest.fixture
def tiny_dir(tmp_path, tiny_path):
    """A copy of the tiny study whose factor file is called 'f[12].csv', with a decoy 'f1.csv'."""
    text = (tiny_path.parent / "factors.csv").read_text()
    (tmp_path / "f[12].csv").write_text(text)
    (tmp_path / "f1.csv").write_text(text.replace(RESIN, DECOY))  # resin 4 kg/kg instead of 2
    study = (tiny_path.read_text().replace('files = ["factors.csv"]', 'files = ["f[12].csv"]'))
    (tmp_path / "study.toml").write_text(study)
    return tmp_path


def _raw_materials(fp, scenario="one-site"):
    return fp.by_stage(scenario=scenario).filter(pl.col("stage") == "raw_materials").get_column("value")[0]


def test_study_factor_file_with_brackets_is_read_as_named(tiny_dir, tiny_fp):
    fp = lca.compute(lca.load_study(tiny_dir / "study.toml"))
    # the tiny study's hand-computed raw materials (0.04 kg CO2e/m² with resin at 2 kg/kg);
    # the decoy would double it
    assert _raw_materials(fp) == pytest.approx(0.04, rel=1e-12)
    assert fp.totals().get_column("value").to_list() == tiny_fp.totals().get_column("value").to_list()


def test_run_factors_option_with_brackets_is_read_as_named(cli, tiny_dir, tiny_path):
    r = cli("run", tiny_path, "--format", "json", "--factors", tiny_dir / "f[12].csv")
    assert r.exit_code == 0, r.stderr
    got = pl.read_json(r.stdout.encode())
    raw = got.filter((pl.col("scenario") == "one-site") & (pl.col("stage") == "raw_materials"))
    assert raw.get_column("value")[0] == pytest.approx(0.04, rel=1e-12)


def test_factor_file_named_like_a_pattern_that_matches_nothing_is_not_found(cli, tmp_path, tiny_path):
    shutil.copy(tiny_path.parent / "factors.csv", tmp_path / "f1.csv")  # a glob 'f[9]*.csv' matches no file
    missing = tmp_path / "f[9]*.csv"
    with pytest.raises(LcaInputError) as err:
        read_factor_file(missing)
    p = err.value.problems[0]
    assert p.message == "factor file not found" and p.file == str(missing)
    r = cli("factors", "validate", missing)
    assert r.exit_code == 1 and "f[9]*.csv" in r.stderr and "not found" in r.stderr
    assert not any(w in r.stderr for w in NO_POLARS), r.stderr
    # the decoy f1.csv exists and would match 'f[12].csv'; the named file does not
    r = cli("run", tiny_path, "--factors", tmp_path / "f[12].csv")
    assert r.exit_code == 1 and "not found" in r.stderr and not any(w in r.stderr for w in NO_POLARS)


def test_factors_validate_and_validate_check_the_named_file(cli, tiny_dir):
    good = (tiny_dir / "f[12].csv").read_text()
    (tiny_dir / "f1.csv").write_text("id,flow\nbroken,x\n")  # an invalid decoy: the named file is fine
    assert cli("factors", "validate", tiny_dir / "f[12].csv").exit_code == 0
    assert cli("validate", tiny_dir / "f[12].csv").exit_code == 0
    (tiny_dir / "f1.csv").write_text(good)  # a valid decoy: the named file is wrong
    (tiny_dir / "f[12].csv").write_text(good.replace("kg_CO2e/kWh", "kg_CO2e/kg", 1))
    for args in (("factors", "validate"), ("validate",)):
        r = cli(*args, tiny_dir / "f[12].csv")
        assert r.exit_code == 1 and "f[12].csv" in r.stdout + r.stderr, (args, r.stdout + r.stderr)


LOTS = ("lot_id,date,product,quantity,unit,scenario,origin_plant,destination_plant\n"
        "A,2025-03-15,sep,{q},m2,jp-import,moriyama,liberty\n")


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_ledger_shipments_with_brackets_are_read_as_named(tmp_path, kind):
    def write(name, q):
        if kind == "csv":
            (tmp_path / f"{name}.csv").write_text(LOTS.format(q=q))
        else:
            pl.read_csv(LOTS.format(q=q).encode(), infer_schema=False).write_parquet(tmp_path / f"{name}.parquet")

    write("lots[12]", 10)
    write("lots1", 999)  # the decoy
    r = compute_ledger(tmp_path / f"lots[12].{kind}")
    assert r.lots.get_column("declared_quantity").to_list() == [10.0]
    with pytest.raises(LcaInputError) as err:
        compute_ledger(tmp_path / f"lots[9].{kind}")
    assert err.value.problems[0].message == "shipments file not found"
    assert err.value.problems[0].file == str(tmp_path / f"lots[9].{kind}")


def test_ledger_folder_and_output_names_with_brackets(tmp_path):
    folder = tmp_path / "parts[1]"
    folder.mkdir()
    (tmp_path / "parts1").mkdir()  # the decoy folder
    lots = pl.read_csv(LOTS.format(q=10).encode(), infer_schema=False)
    lots.write_parquet(folder / "a.parquet")
    lots.with_columns(pl.lit("B").alias("lot_id"), pl.lit("20").alias("quantity")).write_parquet(folder / "b.parquet")
    lots.with_columns(pl.lit("999").alias("quantity")).write_parquet(tmp_path / "parts1" / "a.parquet")
    r = compute_ledger(folder)
    assert sorted(r.lots.get_column("declared_quantity").to_list()) == [10.0, 20.0]
    # outputs whose names contain brackets are read back literally (temporary files included)
    out = tmp_path / "out[1].parquet"
    r = compute_ledger(folder, out=out)
    assert r.n_out == 2 and pl.read_parquet(out, glob=False).height == 2
    r = compute_ledger(folder, out=tmp_path / "by[1]", partition_by="period")
    assert r.n_out == 2


def test_ledger_plant_data_with_brackets_is_read_as_named(tmp_path):
    head = "plant,period,carrier,energy,energy_unit,output,output_unit\n"
    (tmp_path / "plant[12].csv").write_text(head + "port_colborne,2025-03,electricity,150,MWh,1000000,m^2\n")
    (tmp_path / "plant1.csv").write_text(head + "mars,2025-03,electricity,1,kWh,1,m^2\n")  # decoy: invalid
    lots = pl.DataFrame({"lot_id": ["A"], "date": [date(2025, 3, 1)], "quantity": [1.0], "unit": ["m^2"],
                         "scenario": ["ontario"], "destination_plant": ["liberty"]})
    r = compute_ledger(lots, plant_data=tmp_path / "plant[12].csv")
    assert r.lots.get_column("plant_data").to_list() == [True]
