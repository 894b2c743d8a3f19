"""Study tables beside the file, the market rule, CLI options, packaging of data files, README and doctests."""

from __future__ import annotations

import doctest
import importlib
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import lca

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "tiny"


def _copy_tiny(tmp_path: Path, text: str) -> Path:
    (tmp_path / "factors.csv").write_text((TINY / "factors.csv").read_text())
    p = tmp_path / "study.toml"
    p.write_text(text)
    return p


def test_tables_in_csv_give_the_same_result_as_inline(tmp_path, tiny_fp):
    text = (TINY / "study.toml").read_text()
    inline = """exchanges = [
  { flow = "tiny_power", amount = "1 kWh" },
  { flow = "tiny_resin", amount = "10 g" },
  { flow = "tiny_gas", amount = "1 MJ" },
]"""
    assert inline in text
    text = text.replace(inline, "").replace("[factors]", '[tables]\nexchanges = "exchanges.csv"\n\n[factors]')
    (tmp_path / "exchanges.csv").write_text(
        "process,flow,input,amount,unit\nfilm,tiny_resin,,0.01,kg\nfilm,tiny_power,,1,kWh\nfilm,tiny_gas,,1000,kJ\n")
    pl.DataFrame({"id": ["extra"], "name": ["Parquet site"], "country": ["ZZ"]}).write_parquet(tmp_path / "s.parquet")
    text = text.replace('exchanges = "exchanges.csv"', 'exchanges = "exchanges.csv"\nsites = "s.parquet"')
    fp = lca.compute(lca.load_study(_copy_tiny(tmp_path, text)))
    assert fp.totals().get_column("value").to_list() == pytest.approx(tiny_fp.totals().get_column("value").to_list())
    assert "extra" in fp.study.sites.get_column("id").to_list()
    a, b = fp.manifest()["content"], tiny_fp.manifest()["content"]
    assert a["factors_used"] == b["factors_used"] and a["study"] != b["study"]  # an extra site is content


def test_market_rule_uses_the_sites_supplier_factor(tmp_path):
    text = (TINY / "study.toml").read_text().replace('grid = "ZZ-NORTH"', 'grid = "ZZ-NORTH"\nmarket_factor = "tiny.power.south"')
    s = lca.load_study(_copy_tiny(tmp_path, text))
    loc, mkt = lca.compute(s), lca.compute(s.with_method(electricity_rule="market"))
    assert mkt.total("one-site").value == pytest.approx(loc.total("one-site").value - 2 * (0.5 - 0.2))
    lin = mkt.lineage.filter((pl.col("site") == "mill") & (pl.col("flow") == "tiny_power"))
    assert set(lin.get_column("region_fallback")) == {"explicit"}


def test_cli_run_formats_and_options(cli, tiny_path, tmp_path):
    r = cli("run", tiny_path, "--format", "csv", "--per", "kWh")
    assert r.exit_code == 0
    df = pl.read_csv(r.stdout.encode())
    assert set(df.get_column("unit")) == {"kg_CO2e/kWh"}
    override = tmp_path / "f.csv"
    override.write_text((TINY / "factors.csv").read_text().replace("tiny.resin,tiny_resin,Tiny resin,material,GLO,2,",
                                                                   "tiny.resin,tiny_resin,Tiny resin,material,GLO,4,"))
    r2 = cli("run", tiny_path, "--format", "json", "--factors", override)
    assert r2.exit_code == 0
    got = pl.read_json(r2.stdout.encode())
    raw = got.filter((pl.col("scenario") == "one-site") & (pl.col("stage") == "raw_materials"))
    assert raw.get_column("value")[0] == pytest.approx(0.08)
    table = cli("run", "--cell-plant", "holland", "--compare", "jp-import", "ontario")
    assert table.exit_code == 0 and "ontario vs jp-import" in table.stdout and "holland" in table.stdout
    assert cli("run", "--cell-plant", "nowhere").exit_code == 1


def test_default_study_changes_with_the_cell_plant(default_study):
    holland = lca.compute(lca.load_study(lca.default_study_path(), cell_plant="holland"))
    liberty = lca.compute(default_study)
    def transport(fp, scenario):
        st = fp.by_stage(scenario=scenario)
        return st.filter(pl.col("stage") == "transport").get_column("value")[0]
    # Holland MI is 1,040 km further from Savannah than Liberty NC, but closer to Port Colborne
    assert transport(holland, "jp-import") > transport(liberty, "jp-import")
    assert transport(holland, "ontario") < transport(liberty, "ontario")
    assert holland.method["cell_plant"] == "holland"


def test_installed_wheel_ships_factors_and_templates():
    try:
        files = importlib.metadata.files("lca")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("lca is not installed as a distribution (running from a source tree)")
    names = {str(f) for f in files or []}
    if any(n.endswith(".pth") and "editable" in n for n in names):
        pytest.skip("editable install: package files are read from the source tree")
    for needed in ("lca/_data/factors/electricity.csv", "lca/_data/factors/gwp.csv",
                   "lca/_data/factors/library.toml", "lca/_data/templates/report.html.j2",
                   "lca/studies/separator-na.toml", "lca/py.typed"):
        assert needed in names, needed


def test_cli_works_from_any_working_directory(tmp_path):
    """Data files are found through package resources, never relative to the working directory."""
    r = subprocess.run([sys.executable, "-m", "lca.cli", "run", "--format", "csv"], cwd=tmp_path,
                       capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert "jp-import" in r.stdout


def test_installed_console_script_from_outside_the_repo(tmp_path):
    """The installed wheel (not the source tree) finds its data: run `lca` from a temp dir."""
    script = Path(sys.executable).with_name("lca")
    if not script.exists():
        pytest.skip("the lca console script is not installed next to this Python")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LCA_NO_CACHE": "1"}
    r = subprocess.run([str(script), "report", "-o", "r.html", "--timestamp", "2026-01-01T00:00:00Z"],
                       cwd=tmp_path, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "r.html").stat().st_size > 50_000


def test_readme_python_example_runs():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    first_block = re.search(r"```bash\n(.*?)```", text, flags=re.S).group(1).strip().splitlines()
    assert len(first_block) == 2
    assert "lca report" in first_block[0] and "pytest" in first_block[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert first_block[1] in ci  # CI runs exactly the README's test command


CORE_MODULES = ["lca.errors", "lca.choices", "lca.units.convert", "lca.units.prefixes", "lca.schemas", "lca.study", "lca.engine.inventory", "lca.factors.library", "lca.results.content",
                "lca.engine.pipeline", "lca.results.footprint", "lca"]


@pytest.mark.parametrize("name", CORE_MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
