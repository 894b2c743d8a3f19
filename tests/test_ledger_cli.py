"""`lca ledger` on the command line: exit codes, summaries, rejects, no partial outputs."""

from __future__ import annotations

import polars as pl
from typer.testing import CliRunner

from lca.cli import app

CSV = ("lot_id,date,product,quantity,unit,scenario,origin_plant,destination_plant\n"
       "A,2025-01-02,sep,100,m2,ontario,port_colborne,liberty\n"
       "B,2025-02-03,sep,2,roll,jp-import,moriyama,holland\n"
       "C,2025-02-04,sep,-5,m2,jp-import,moriyama,liberty\n")


def run(*args):
    return CliRunner().invoke(app, list(map(str, args)))


def test_fail_lists_lot_ids_and_writes_nothing(tmp_path):
    (tmp_path / "lots.csv").write_text(CSV)
    r = run("ledger", tmp_path / "lots.csv", "-o", tmp_path / "out.parquet", "--m2-per-roll", "1200")
    assert r.exit_code == 1
    assert "lot 'C': negative quantity" in r.stderr and "1 bad lot" in r.stderr
    assert "Traceback" not in r.output + r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lots.csv"]


def test_skip_writes_output_rejects_and_summaries(tmp_path):
    (tmp_path / "lots.csv").write_text(CSV)
    r = run("ledger", tmp_path / "lots.csv", "-o", tmp_path / "out.parquet", "--on-error", "skip",
            "--m2-per-roll", "1200 m^2", "--rejects", tmp_path / "rej.parquet")
    assert r.exit_code == 0, r.output + r.stderr
    for text in ("Totals by month", "Totals by destination plant", "Totals by route", "2025-02",
                 "lots in: 3  written: 2  rejected: 1", "holland",
                 "pandera (types, columns) on the first 3 rows only", "duplicate ids"):
        assert text in r.stdout
    assert pl.read_parquet(tmp_path / "out.parquet")["declared_quantity"].to_list() == [100.0, 2400.0]
    assert pl.read_parquet(tmp_path / "rej.parquet")["lot_id"].to_list() == ["C"]


def test_unknown_study_is_exit_1(tmp_path):
    (tmp_path / "lots.csv").write_text(CSV)
    r = run("ledger", tmp_path / "lots.csv", "-o", tmp_path / "o.parquet", "--study", tmp_path / "nope.toml")
    assert r.exit_code == 1 and "study file not found" in r.stderr


def test_duplicate_lot_id_fails_naming_every_row(tmp_path):
    (tmp_path / "lots.csv").write_text(CSV.replace("C,2025-02-04,sep,-5", "A,2025-02-04,sep,5"))
    r = run("ledger", tmp_path / "lots.csv", "-o", tmp_path / "out.parquet", "--m2-per-roll", "1200")
    assert r.exit_code == 1
    assert "row 1: lot 'A': duplicate lot id" in r.stderr and "row 3: lot 'A': duplicate lot id" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lots.csv"]


import pytest  # noqa: E402


@pytest.mark.parametrize("name,data,words", [
    ("lots.csv", b"", "shipments file is empty"),
    ("lots.csv", b"  \n", "shipments file is empty"),
    ("lots.parquet", b"PAR1 truncated", "cannot read the shipments"),
    ("lots.csv", CSV.encode() + b"D,2025-03-01,sep,5,m2,ontario,port_colborne,liberty,extra,cells\n",
     "cannot read the shipments"),
])
def test_damaged_shipment_files_are_located_errors(tmp_path, name, data, words):
    """Empty, truncated or ragged shipment files used to end in an internal polars error."""
    (tmp_path / name).write_bytes(data)
    r = run("ledger", tmp_path / name, "-o", tmp_path / "out.parquet", "--m2-per-roll", "1200")
    assert r.exit_code == 1, r.output + r.stderr
    assert words in r.stderr and name in r.stderr and "internal error" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_folder_without_parquet_parts(tmp_path):
    (tmp_path / "lots").mkdir()
    r = run("ledger", tmp_path / "lots", "-o", tmp_path / "out.parquet")
    assert r.exit_code == 1 and "folder has no Parquet files" in r.stderr
