"""Plug-in factor sources (#12 item 8): entry points, layering, lineage and located errors.

Each plug-in here is a real installed distribution as far as ``importlib.metadata`` can tell: a
``*.dist-info`` folder with an ``entry_points.txt`` and a module, in a temporary folder put on
``sys.path``. The tiny study's own factor file served by a plug-in must give the tiny study's
hand-computed totals (tests/test_tiny_study.py).
"""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import polars as pl
import pytest

import lca
from lca.errors import FactorError, LcaInputError, StudyError
from lca.factors import sources

TINY_DIR = Path(__file__).parent / "data" / "tiny"
TINY_FACTORS = TINY_DIR / "factors.csv"
_modules = itertools.count()
ONE, TWO = 1.1997, 1.62474  # the tiny study's totals by hand (tests/test_tiny_study.py)

#: a plug-in serving the tiny study's factor file (its rows as strings, as a CSV reads)
TINY_SOURCE = f"""
import polars as pl

class TinyFactors:
    def factor_rows(self):
        return pl.read_csv({str(TINY_FACTORS)!r}, infer_schema=False)
"""


@pytest.fixture()
def install(tmp_path, monkeypatch):
    """``install(name, code, value="Cls")``: a distribution providing source ``name`` (code: its module)."""
    sources.refresh()
    made: list[str] = []

    def _install(name: str, code: str, target: str = "TinyFactors", *, dist: str = "tiny-factors",
                 version: str = "1.0") -> str:
        module = f"lca_test_source_{next(_modules)}"
        root = tmp_path / module
        root.mkdir()
        (root / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
        info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[{sources.GROUP}]\n{name} = {module}:{target}\n", encoding="utf-8")
        monkeypatch.syspath_prepend(str(root))
        made.append(module)
        return module

    yield _install
    sources.refresh()
    import sys

    for module in made:
        sys.modules.pop(module, None)


def tiny_with(tiny_doc, **factors) -> lca.Study:
    """The tiny study with its ``[factors]`` table replaced."""
    tiny_doc["factors"] = factors
    return lca.study_from_dict(tiny_doc, base=TINY_DIR, file="tiny.toml")


def totals(fp) -> dict[str, float]:
    return dict(zip(fp.totals()["scenario"], fp.totals()["value"]))


def test_a_plugin_source_gives_the_same_numbers_as_the_same_rows_in_a_file(install, tiny_doc, tiny_fp):
    install("tinydb", TINY_SOURCE)
    fp = lca.compute(tiny_with(tiny_doc, sources=["tinydb"]))
    assert totals(fp) == pytest.approx(totals(tiny_fp), rel=1e-12)
    assert totals(fp) == pytest.approx({"one-site": ONE, "two-step": TWO, "mix": (ONE + TWO) / 2}, rel=1e-12)
    assert fp.library.layers == ("tinydb",)  # without "shipped" the shipped rows are left out
    assert set(fp.library.factors["layer"].to_list()) == {"tinydb"}
    assert set(fp.detail["factor_file"].to_list()) == {"factor source 'tinydb' (tiny-factors 1.0)"}


def test_shipped_then_a_plugin_is_a_layer_on_the_shipped_library(install, tiny_doc, tiny_fp):
    install("tinydb", TINY_SOURCE)
    fp = lca.compute(tiny_with(tiny_doc, sources=["shipped", "tinydb"]))
    assert totals(fp) == pytest.approx(totals(tiny_fp), rel=1e-12)
    assert fp.library.layers == ("shipped", "tinydb")
    shipped = lca.load_library()
    assert fp.library.factors.height == shipped.factors.height + pl.read_csv(TINY_FACTORS).height
    assert fp.library.content_hash != shipped.content_hash  # the source's rows are in the hash
    manifest = fp.manifest() if callable(getattr(fp, "manifest", None)) else None
    if isinstance(manifest, dict) and "factors" in manifest:
        assert "tinydb" in str(manifest["factors"])


def shipped_row(factor_id: str) -> dict:
    """A shipped factor row as a source would give it (factor columns only, no uncertainty)."""
    from lca.factors import FACTOR_COLUMNS

    row = lca.load_library().get(factor_id)
    return {**{c: row[c] for c in FACTOR_COLUMNS}, "unc_dist": None, "unc_min": None, "unc_max": None}


def test_a_plugin_replaces_shipped_rows_by_id_and_records_it(install):
    row = shipped_row("mat.hdpe.plasticseurope2005")
    install("acme", f"""
        import polars as pl
        ROW = {row!r}

        class TinyFactors:
            def factor_rows(self):
                return pl.DataFrame([{{**ROW, "value": 2.0 * ROW["value"], "source": "ACME licensed database 2025"}}])
        """)
    base = lca.load_library()
    lib = base.with_overrides(lca.study.sources.SourceSelection(("shipped", "acme"), "s.toml"))
    assert lib.get("mat.hdpe.plasticseurope2005")["value"] == pytest.approx(2 * row["value"])
    assert lib.replaced.rows() == [("mat.hdpe.plasticseurope2005", "acme", "shipped")]
    assert lib.factors.height == base.factors.height


def test_study_files_and_compute_layers_sit_on_top_of_the_sources(install, tiny_doc, tmp_path):
    install("tinydb", TINY_SOURCE)
    over = tmp_path / "over.csv"
    text = TINY_FACTORS.read_text(encoding="utf-8").splitlines()
    over.write_text("\n".join([text[0], next(r for r in text if r.startswith("tiny.resin,")).replace(",2,", ",4,", 1)])
                    + "\n", encoding="utf-8")
    tiny_doc["factors"] = {"sources": ["tinydb"], "files": [str(over)]}
    study = lca.study_from_dict(tiny_doc, base=TINY_DIR, file="tiny.toml")
    fp = lca.compute(study)
    assert fp.library.layers == ("tinydb", "over.csv")
    assert fp.library.get("tiny.resin")["value"] == 4.0


def test_sources_are_checked_when_the_study_is_read(tiny_doc):
    for value, message in (([1], "must be a list of factor source names"),
                           (["acme", "shipped"], "'shipped' must come first"),
                           (["shipped", "shipped"], "factor source listed twice: shipped"),
                           (["no good"], "has the wrong form")):
        with pytest.raises(StudyError) as err:
            tiny_with(tiny_doc, sources=value)
        (p,) = err.value.problems
        assert (p.file, p.table, p.column) == ("tiny.toml", "factors", "sources") and message in p.message


@pytest.mark.parametrize("code, target, expected", [
    ("raise ImportError('acme_db needs the ACME licence file')\n", "TinyFactors",
     "factor source 'acme' could not be loaded: ImportError: acme_db needs the ACME licence file"),
    ("class TinyFactors:\n    def factor_rows(self):\n        raise ConnectionError('licence server down')\n",
     "TinyFactors", "factor source 'acme' failed: ConnectionError: licence server down"),
    ("class TinyFactors:\n    def factor_rows(self):\n        return [{'id': 'x'}]\n", "TinyFactors",
     "factor source 'acme' returned list, not a polars DataFrame"),
    ("class TinyFactors:\n    pass\n", "TinyFactors", "is TinyFactors, which has no factor_rows() method"),
    ("import polars as pl\nclass TinyFactors:\n    def factor_rows(self):\n        return pl.DataFrame()\n",
     "TinyFactors", "factor source 'acme' returned no factor rows"),
    ("X = 1\n", "Missing", "could not be loaded: AttributeError"),
])
def test_a_broken_plugin_is_a_located_error(install, tiny_doc, code, target, expected):
    install("acme", code, target)
    study = tiny_with(tiny_doc, sources=["shipped", "acme"])
    with pytest.raises(FactorError) as err:
        lca.compute(study)
    (p,) = err.value.problems
    assert (p.file, p.table, p.column) == ("tiny.toml", "factors", "sources")
    assert expected in p.message and p.hint


def test_a_missing_plugin_names_what_is_installed(install, tiny_doc):
    install("tinydb", TINY_SOURCE)
    with pytest.raises(FactorError) as err:
        lca.compute(tiny_with(tiny_doc, sources=["acme"]))
    (p,) = err.value.problems
    assert p.message == "no factor source named 'acme' is installed"
    assert "available: shipped, tinydb" in p.hint and p.file == "tiny.toml"


@pytest.mark.parametrize("factor_id, column, value, row", [
    ("tiny.resin", "unit", "kg_CO2e/kWh", 5),     # a material per energy: the unit-by-category rule
    ("tiny.truck", "source", "ab", 8),            # a citation too short to find: the schema
    ("tiny.gas.co2", "dq_temporal", "7", 6),      # data-quality rating outside 1-5
])
def test_bad_rows_from_a_plugin_are_named_at_the_source_and_row(install, tiny_doc, factor_id, column, value, row):
    install("acme", f"""
        import polars as pl

        class TinyFactors:
            def factor_rows(self):
                df = pl.read_csv({str(TINY_FACTORS)!r}, infer_schema=False)
                return df.with_columns(pl.when(pl.col("id") == {factor_id!r}).then(pl.lit({value!r}))
                                       .otherwise(pl.col({column!r})).alias({column!r}))
        """)
    with pytest.raises(LcaInputError) as err:
        lca.compute(tiny_with(tiny_doc, sources=["acme"]))
    where = [(p.file, p.row, p.column) for p in err.value.problems]
    assert where == [("factor source 'acme' (tiny-factors 1.0)", row, column)]


def test_two_default_editions_across_source_and_shipped_are_refused_at_the_sources_row(install):
    row = shipped_row("mat.hdpe.plasticseurope2005")
    install("acme", f"""
        import polars as pl
        ROW = {row!r}

        class TinyFactors:
            def factor_rows(self):
                # status default: the shipped 2005 row is a sensitivity row since #13
                return pl.DataFrame([{{**ROW, "id": "acme.hdpe", "value": 1.0, "source": "ACME db",
                                       "dataset": "ACME db (2005)", "status": "default"}},
                                     {{**ROW, "id": "acme.hdpe.b", "value": 1.1, "source": "ACME db b",
                                       "dataset": "ACME db b (2005)", "status": "default"}}])
        """)
    with pytest.raises(FactorError) as err:
        lca.load_library(lca.study.sources.SourceSelection(("shipped", "acme"), "s.toml"))
    text = str(err.value)
    assert "factor source 'acme' (tiny-factors 1.0)" in text and "acme.hdpe" in text


def test_a_plugin_named_shipped_never_replaces_the_shipped_library(install):
    install("shipped", TINY_SOURCE)
    assert sources.available().count("shipped") == 1
    lib = lca.load_library(lca.study.sources.SourceSelection(("shipped",), "s.toml"))
    assert lib is lca.load_library() or lib.factors.height == lca.load_library().factors.height
    assert "tiny.resin" not in lib.factors["id"].to_list()


def test_rows_are_read_once_per_process(install, tiny_doc, tmp_path):
    counter = tmp_path / "calls.txt"
    install("tinydb", TINY_SOURCE.replace("    def factor_rows(self):\n",
                                          f"    def factor_rows(self):\n        open({str(counter)!r}, 'a').write('x')\n"))
    study = tiny_with(tiny_doc, sources=["tinydb"])
    first, second = lca.compute(study), lca.compute(study)
    assert counter.read_text() == "x" and totals(first) == totals(second)
    sources.refresh()
    lca.compute(study)
    assert counter.read_text() == "xx"


def test_the_cli_reports_a_broken_plugin_without_a_traceback(install, tiny_doc, tmp_path, cli):
    import tomli_w

    install("acme", "class TinyFactors:\n    def factor_rows(self):\n        raise RuntimeError('boom')\n")
    tiny_doc["factors"] = {"sources": ["acme"]}
    path = tmp_path / "study.toml"
    path.write_bytes(tomli_w.dumps(tiny_doc).encode())
    result = cli("run", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output + (result.stderr or "")
    assert f"{path}: factors, column 'sources': factor source 'acme' failed: RuntimeError: boom" in result.stderr


def test_validate_names_a_broken_plugin_once_and_skips_compute(install, tiny_doc, tmp_path, cli):
    import shutil

    import tomli_w

    install("acme", "class TinyFactors:\n    def factor_rows(self):\n        raise RuntimeError('boom')\n")
    tiny_doc["factors"] = {"sources": ["acme"], "files": ["factors.csv"]}
    path = tmp_path / "study.toml"
    path.write_bytes(tomli_w.dumps(tiny_doc).encode())
    shutil.copy(TINY_FACTORS, tmp_path / "factors.csv")
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert result.output.count("factor source 'acme' failed: RuntimeError: boom") == 1, result.output
    assert "Traceback" not in result.output


def test_docstring_examples_of_the_sources_modules():
    import doctest

    import lca.factors.sources
    import lca.study.sources

    for module in (lca.study.sources, lca.factors.sources):
        assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0


def test_a_source_name_two_packages_provide_is_an_error_naming_both(install, tiny_doc):
    install("tinydb", TINY_SOURCE, dist="tiny-factors")
    install("tinydb", TINY_SOURCE, dist="other-factors", version="2.0")
    with pytest.raises(FactorError) as err:
        lca.compute(tiny_with(tiny_doc, sources=["tinydb"]))
    (p,) = err.value.problems
    assert p.message.startswith("factor source 'tinydb' is provided by 2 packages: ")
    assert "(tiny-factors 1.0)" in p.message and "(other-factors 2.0)" in p.message and p.file == "tiny.toml"
