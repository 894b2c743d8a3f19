"""A declared grid region that resolves no electricity factor is an error unless the site declares
`grid_fallback`; a declared fallback is a warning of `lca run` (not only a line in the report)."""

from __future__ import annotations

import tomllib

import polars as pl
import pytest

import lca
from lca.errors import FactorError, LcaInputError


#: #13: Moriyama's Kansai area has its own location factor now (Electricity Maps zone JP-KN); these
#: tests move the plant to a Japanese service area without one (Tohoku), which falls back to JP
NO_AREA_FACTOR = "JP-TOHOKU"


def _text():
    return lca.default_study_path().read_text(encoding="utf-8").replace('grid = "JP-KANSAI"',
                                                                         f'grid = "{NO_AREA_FACTOR}"')


def _doc():
    return tomllib.loads(_text())


def _site(doc, sid):
    return next(s for s in doc["site"] if s["id"] == sid)


def _compute(doc, **method):
    study = lca.study_from_dict(doc, base=lca.default_study_path().parent, file="s.toml")
    return lca.compute(study.with_method(**method) if method else study)


def test_undeclared_fallback_is_an_error_naming_site_grid_and_chain():
    doc = _doc()
    del _site(doc, "moriyama")["grid_fallback"]
    with pytest.raises(FactorError) as err:
        _compute(doc)
    (p,) = err.value.problems
    assert (p.table, p.column) == ("site 'moriyama'", "grid")
    assert "'JP-TOHOKU'" in p.message and "tried JP-TOHOKU → JP-25" in p.message
    assert "JP at the country level" in p.message and 'grid_fallback = "country"' in p.hint


def test_declared_fallback_keeps_the_numbers_and_warns():
    # the site declares it; totals are those of the country factor, as if the plant's grid were JP
    fp = _compute(_doc())
    doc = _doc()
    _site(doc, "moriyama")["grid"] = "JP"
    assert fp.total("jp-import").value == pytest.approx(_compute(doc).total("jp-import").value, rel=1e-12)
    (w,) = [w for w in fp.warnings if "moriyama" in w]
    assert "JP-TOHOKU" in w and "country-level factor of JP" in w
    notes = fp.detail.filter(pl.col("method_note").is_not_null())
    assert set(notes.get_column("site")) == {"moriyama"} and set(notes.get_column("flow")) == {"electricity"}


def test_fallback_deeper_than_declared_is_an_error():
    doc = _doc()
    _site(doc, "moriyama")["grid_fallback"] = "subdivision"
    with pytest.raises(FactorError, match='grid_fallback = "subdivision" does not reach the country level'):
        _compute(doc)


def test_typo_in_a_grid_code_is_refused():
    doc = _doc()
    _site(doc, "charlotte")["grid"] = "US-SRVX"
    with pytest.raises(FactorError) as err:
        _compute(doc)
    assert any("'US-SRVX' of site 'charlotte'" in p.message and "US-SRVX → US-NC" in p.message
               for p in err.value.problems)


def test_national_rule_and_market_factor_need_no_declaration():
    doc = _doc()
    del _site(doc, "moriyama")["grid_fallback"]
    _compute(doc, electricity_rule="national")  # grid regions are skipped by definition
    _site(doc, "moriyama")["market_factor"] = "grid.jp-kansai.kepco-fy2018-adjusted"
    fp = _compute(doc, electricity_rule="market")
    assert not any("grid_fallback" in w for w in fp.warnings)


def test_bad_fallback_value_is_a_located_error():
    doc = _doc()
    _site(doc, "moriyama")["grid_fallback"] = "nation"
    with pytest.raises(LcaInputError) as err:
        lca.study_from_dict(doc, base=lca.default_study_path().parent, file="s.toml")
    assert any(p.column == "grid_fallback" and "'nation' is not allowed" in p.message for p in err.value.problems)


def test_lca_run_prints_the_fallback(cli, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(_text(), encoding="utf-8")
    r = cli("run", str(path))
    assert r.exit_code == 0
    assert "warning: site 'moriyama': grid region JP-TOHOKU has no default 'electricity' factor" in r.stderr
