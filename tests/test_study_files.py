"""OS and file errors while reading a study and its tables (issue #11 item 6): each a located
message and exit 1, never a traceback; a UTF-8 BOM is accepted in TOML as in CSV."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest

import lca
from lca.errors import LcaInputError

TINY = Path(__file__).parent / "data" / "tiny"
SITES = "id,name,country,grid\nmill3,Third mill,ZZ,ZZ-NORTH\n"


def _copy(tmp_path: Path, tables: str = "") -> Path:
    shutil.copy(TINY / "factors.csv", tmp_path / "factors.csv")
    text = (TINY / "study.toml").read_text(encoding="utf-8")
    if tables:
        text = text.replace("[factors]", f"[tables]\n{tables}\n\n[factors]", 1)
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _fails(cli, path: Path, *words: str) -> str:
    r = cli("run", path)
    out = r.stdout + r.stderr
    assert r.exit_code == 1, out
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)  # no traceback
    assert "Traceback" not in out
    for w in words:
        assert w in out, (w, out)
    return out


def test_a_symlink_loop_as_the_study(tmp_path, cli):
    loop = tmp_path / "loop.toml"
    os.symlink(loop, loop)
    _fails(cli, loop, "loop.toml", "symbolic link loop")


def test_a_symlink_loop_as_a_table_file(tmp_path, cli):
    path = _copy(tmp_path, 'sites = "sites.csv"')
    os.symlink(tmp_path / "sites.csv", tmp_path / "sites.csv")
    _fails(cli, path, "sites.csv", "symbolic link loop")


def test_a_symlink_loop_as_a_factor_file(tmp_path, cli):
    path = _copy(tmp_path)
    (tmp_path / "factors.csv").unlink()
    os.symlink(tmp_path / "factors.csv", tmp_path / "factors.csv")
    _fails(cli, path, "factors.csv", "symbolic link loop", "column 'files'")


def test_a_folder_without_parquet_files_as_a_table(tmp_path, cli):
    path = _copy(tmp_path, 'sites = "sites"')
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "notes.txt").write_text("x")
    _fails(cli, path, "sites", "folder has no Parquet files")


def test_a_folder_of_parquet_parts_is_one_table(tmp_path):
    path = _copy(tmp_path, 'sites = "sites"')
    (tmp_path / "sites").mkdir()
    pl.read_csv(SITES.encode()).write_parquet(tmp_path / "sites" / "part-0.parquet")
    assert "mill3" in lca.load_study(path).sites.get_column("id").to_list()


@pytest.mark.parametrize("name,content,words", [
    ("sites.csv", b"", ["sites.csv", "table file is empty"]),
    ("sites.csv", b"  \n", ["sites.csv", "table file is empty"]),
    ("sites.parquet", b"", ["sites.parquet", "table file is empty"]),
    ("sites.parquet", b"PAR1\x00\x00garbage", ["sites.parquet", "not a readable Parquet file"]),
    ("sites.csv", "id,name,country,grid\nmill3,Mühle,ZZ,ZZ-NORTH\n".encode("latin-1"), ["sites.csv", "not UTF-8"]),
])
def test_damaged_table_files(tmp_path, cli, name, content, words):
    path = _copy(tmp_path, f'sites = "{name}"')
    (tmp_path / name).write_bytes(content)
    _fails(cli, path, *words)


def test_a_truncated_parquet_table(tmp_path, cli):
    path = _copy(tmp_path, 'sites = "sites.parquet"')
    pl.read_csv(SITES.encode()).write_parquet(tmp_path / "sites.parquet")
    raw = (tmp_path / "sites.parquet").read_bytes()
    (tmp_path / "sites.parquet").write_bytes(raw[: len(raw) // 2])
    _fails(cli, path, "sites.parquet", "truncated")


def test_a_folder_where_the_table_file_belongs(tmp_path, cli):
    path = _copy(tmp_path, 'sites = "sites.csv"')
    (tmp_path / "sites.csv").mkdir()
    _fails(cli, path, "sites.csv", "folder has no Parquet files")


def test_a_bom_at_the_start_of_the_study_is_accepted(tmp_path, tiny_fp):
    path = _copy(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    got = lca.compute(lca.load_study(path)).totals().get_column("value").to_list()
    assert got == tiny_fp.totals().get_column("value").to_list()


def test_a_bom_at_the_start_of_a_table_file_is_accepted(tmp_path):
    path = _copy(tmp_path, 'sites = "sites.csv"')
    (tmp_path / "sites.csv").write_bytes(b"\xef\xbb\xbf" + SITES.encode())
    assert "mill3" in lca.load_study(path).sites.get_column("id").to_list()


@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "{ a = " * 5000 + "1" + " }" * 5000])
def test_thousands_deep_nesting_in_toml(tmp_path, cli, value):
    path = _copy(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + f"\n[pact]\ncomment = {value}\n", encoding="utf-8")
    _fails(cli, path, "study.toml", "too deeply nested")


def test_deep_nesting_in_a_dict_or_dotted_keys(tiny_doc, tmp_path):
    deep: dict = {}
    node = deep
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(LcaInputError, match="too deeply nested") as err:
        lca.study_from_dict({**tiny_doc, "pact": {"comment": deep}}, base=TINY, file="s.toml")
    assert err.value.problems[0].file == "s.toml" and err.value.problems[0].table == "pact"
    path = _copy(tmp_path)  # dotted keys nest without recursion in the parser
    path.write_text(path.read_text(encoding="utf-8") + "\n[pact]\n" + ".".join(["x"] * 3000) + " = 1\n",
                    encoding="utf-8")
    with pytest.raises(LcaInputError, match="too deeply nested"):
        lca.load_study(path)


def test_a_non_utf8_study(tmp_path, cli):
    path = _copy(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"Tiny film", "Tiny fïlm".encode("latin-1")))
    _fails(cli, path, "study.toml", "not UTF-8")


@pytest.mark.parametrize("kind,header", [("sites", "id,name,country,grid\n"),
                                         ("exchanges", "process,flow,amount,unit\n")])
def test_a_table_file_with_a_header_but_no_rows(tmp_path, cli, kind, header):
    """A header-only table used to pass and leave the study silently without those rows."""
    path = _copy(tmp_path, f'{kind} = "{kind}.csv"')
    (tmp_path / f"{kind}.csv").write_text(header, encoding="utf-8")
    _fails(cli, path, f"{kind}.csv", "header but no rows")
