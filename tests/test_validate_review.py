"""`lca validate` after the independent review of #10/#11: folder walks that hide nothing, stages
reported in every output format, compute problems located at table rows, factor files checked
as layers, stages skipped on request, ledger files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "validate"
GOOD = DATA / "good"


def _good_copy(tmp_path: Path, name: str = "a.toml") -> Path:
    folder = tmp_path / "d"
    shutil.copytree(GOOD, folder)
    (folder / "study.toml").rename(folder / name)
    return folder


# ------------------------------------------------------------------ finding 7: the folder walk

def test_a_folder_walk_reports_dangling_links_loops_and_folders_named_like_files(tmp_path):
    from lca.validate import validate

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
    from lca.validate import validate_paths

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
    from lca.validate import validate_paths

    for fid, words in (("mat.hdpe.desnz2025", "is a material factor"), ("no.such.factor", "unknown factor id")):
        path = tmp_path / "study.toml"
        path.write_text(_study_text(('grid_fallback = "country"', f'grid_fallback = "country"\nmarket_factor = "{fid}"'),
                                    ("[product]", '[method]\nelectricity_rule = "market"\n\n[product]')),
                        encoding="utf-8")
        (p,) = validate_paths([path])
        assert (p.table, p.column) == ("site 'plant'", "market_factor") and words in p.message


def test_a_factor_file_without_the_estimate_column_is_told_only_that(tmp_path):
    from lca.validate import validate_paths

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
