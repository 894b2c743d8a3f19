"""Electricity on a declared basis (#13 item 2) and fuel upstream by supply route (#13 item 3).

Hand-computed expectations: the default study's charged grid intensities are the shipped components
(factors/electricity_emaps.csv, electricity.csv, grid_losses.csv) combined as
(combustion + upstream adder) / (1 − loss); the tiny study (tests/data/tiny) has no components beyond
its combustion rows, so the basis it cannot build is reported with the screening bias of
lca.factors.basis.SCREENING: upstream 20 % and losses 5 % → 0.95 / 1.2 − 1.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from functools import lru_cache

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import lca
from lca.choices import ELECTRICITY_BASES
from lca.errors import StudyError

from conftest import TINY

#: kg CO2e per kWh charged at each default-study site on the default basis, by hand from the rows
BY_HAND = {
    "moriyama": (0.29917 + 0.06184) / (1 - 0.051),       # EM JP-KN direct + adder, Kansai loss FY2018
    "charlotte": (0.27049 + 0.05224) / (1 - 0.042),      # eGRID2023r2 SRVC + EM Duke adder, eGRID GGL
    "chungju": (0.36097 + 0.06176) / (1 - 0.0354),       # EM KR direct + adder, KEPCO loss 2019
    "jiangsu": (0.49805 + 0.05298) / (1 - 0.05),         # derived East China direct + EM CN adder, CN loss estimate
    "port_colborne": (0.06084 + 0.03013) / (1 - 0.06),   # EM CA-ON direct + adder, ON loss estimate
}


@lru_cache(maxsize=None)
def _on(basis: str):
    return lca.compute(lca.load_study(lca.default_study_path()).with_method(electricity_basis=basis))


def test_default_study_is_built_on_its_declared_basis_at_every_site(default_fp):
    assert default_fp.method["electricity_basis"] == "lifecycle-consumption-CO2e"
    assert default_fp.method["td_losses"] == "included"
    b = default_fp.electricity_basis
    assert set(b.columns) == {"scenario", "site", "grid", "coverage", "point", "gases", "declared", "missing", "bias"}
    assert set(b.get_column("site")) == set(BY_HAND)
    assert b.get_column("missing").null_count() == b.height  # no site on an undeclared basis
    assert (b.select("coverage", "point", "gases").unique().rows()) == [("lifecycle", "consumption", "CO2e")]
    assert b.get_column("bias").to_list() == [0.0] * b.height
    assert not [w for w in default_fp.warnings if "basis" in w]
    ei = default_fp.energy_intensity.filter(pl.col("carrier") == "electricity").unique("site")
    got = dict(ei.select("site", "value").iter_rows())
    for site, kg in BY_HAND.items():
        assert got[site] == pytest.approx(kg, rel=1e-9), site


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=st.sampled_from(ELECTRICITY_BASES), b=st.sampled_from(ELECTRICITY_BASES))
def test_switching_the_basis_changes_only_electricity_rows(a, b):
    """Any two bases: every non-electricity row is identical; totals differ by the electricity rows alone."""
    fa, fb = _on(a), _on(b)
    key = ["scenario", "act", "factor_id"]
    other = pl.col("category") != "electricity"
    da = fa.detail.filter(other).select(*key, "value").sort(key)
    db = fb.detail.filter(other).select(*key, "value").sort(key)
    assert da.equals(db)
    el = lambda fp: dict(fp.detail.filter(~other).group_by("scenario").agg(pl.col("value").sum()).iter_rows())  # noqa: E731
    ea, eb = el(fa), el(fb)
    ta, tb = (dict(f.detail.group_by("scenario").agg(pl.col("value").sum()).iter_rows()) for f in (fa, fb))
    for s in ta:
        assert tb[s] - ta[s] == pytest.approx(eb[s] - ea[s], abs=1e-15)
    if a.split("-")[:2] != b.split("-")[:2]:  # coverage or point differs: the electricity rows do change
        assert any(abs(eb[s] - ea[s]) > 1e-9 for s in ea)


def test_combustion_at_generation_charges_the_combustion_rows_only():
    fp = _on("combustion-generation-CO2e")
    el = fp.detail.filter(pl.col("category") == "electricity")
    assert set(el.get_column("scope")) == {"combustion"} and el.get_column("td_loss").null_count() == el.height
    ei = dict(fp.energy_intensity.filter(pl.col("carrier") == "electricity").unique("site")
              .select("site", "value").iter_rows())
    assert ei["charlotte"] == pytest.approx(0.27049, rel=1e-9)
    assert ei["moriyama"] == pytest.approx(0.29917, rel=1e-9)


def test_components_come_from_their_own_region_level_and_missing_parts_are_reported(tmp_path):
    """Tiny study: combustion at the grid (ZZ-NORTH), adder only at the country (ZZ), loss at the grid."""
    tiny = lca.load_study(TINY).with_method(electricity_basis="lifecycle-consumption-CO2e")
    fp0 = lca.compute(tiny)
    b0 = fp0.electricity_basis.unique("site", keep="first")
    # nothing to build with: both parts missing, with the screening bias
    assert set(b0.get_column("coverage")) == {"combustion"} and set(b0.get_column("point")) == {"generation"}
    assert b0.get_column("bias").to_list() == pytest.approx([0.95 / 1.2 - 1] * b0.height)
    assert all("upstream" in m and "T&D losses" in m for m in b0.get_column("missing"))
    assert any("not on the declared basis lifecycle-consumption-CO2e" in w for w in fp0.warnings)
    layer = tmp_path / "components.csv"
    head = ("id,flow,name,category,region,value,unit,gas,scope,basis,td_losses,year,status,estimate,source,"
            "dq_technological,dq_geographical,dq_temporal,unc_dist\n")
    layer.write_text(head
                     + "t.adder.zz,tiny_power,adder,electricity,ZZ,0.1,kg_CO2e/kWh,CO2e,upstream,consumption,"
                       "excluded,2025,default,false,Test data,1,1,1,none\n"
                     + "t.loss.north,grid_loss,loss,grid_loss,ZZ-NORTH,0.2,dimensionless,none,n/a,n/a,n/a,2025,"
                       "default,false,Test data,1,1,1,none\n", encoding="utf-8")
    fp = lca.compute(tiny, factors=[layer])
    ei = dict(fp.energy_intensity.filter(pl.col("carrier") == "tiny_power").unique("site")
              .select("site", "value").iter_rows())
    assert ei["mill"] == pytest.approx((0.5 + 0.1) / (1 - 0.2), rel=1e-12)  # grid combustion + country adder
    assert ei["mill2"] == pytest.approx(0.2 + 0.1, rel=1e-12)  # no loss row for ZZ-SOUTH: not grossed up
    b = dict((s, (m, bias)) for s, m, bias in fp.electricity_basis.unique("site", keep="first")
             .select("site", "missing", "bias").iter_rows())
    assert b["mill"] == (None, 0.0)
    assert b["mill2"][0] == "T&D losses (no grid-loss factor for ZZ-SOUTH)" and b["mill2"][1] == pytest.approx(-0.05)
    assert any("mixed bases" in w for w in fp.warnings)  # one mill at consumption, the other at generation


def test_a_co2_only_grid_factor_is_reported_with_its_gas_bias(default_study):
    """Jiangsu on the North China grid: MEE's regional factor is CO2 only; upstream and losses are built."""
    sites = default_study.sites.with_columns(pl.when(pl.col("id") == "jiangsu").then(pl.lit("CN-NORTH"))
                                             .otherwise(pl.col("grid")).alias("grid"))
    fp = lca.compute(dataclasses.replace(default_study, sites=sites))
    row = fp.electricity_basis.filter(pl.col("site") == "jiangsu").row(0, named=True)
    assert (row["coverage"], row["point"], row["gases"]) == ("lifecycle", "consumption", "CO2")
    assert row["missing"] == "CH4 and N2O of combustion (a CO2-only factor)"
    assert row["bias"] == pytest.approx(1 / 1.005 - 1)
    ei = fp.energy_intensity.filter((pl.col("site") == "jiangsu") & (pl.col("carrier") == "electricity"))
    assert ei.get_column("value")[0] == pytest.approx((0.6361 + 0.05298) / 0.95, rel=1e-9)
    assert any("mixed bases" in w and "jiangsu" in w for w in fp.warnings)

    from lca.report.electricity import basis_context, consistent

    labels = dict(fp.study.scenarios.select("id", "label").iter_rows())
    assert consistent(lca.compute(default_study)) and not consistent(fp)
    ctx = basis_context(fp, labels)
    assert not ctx["consistent"] and "Jiangsu" in ctx["mixed"] and "-0.5%" in ctx["mixed"]


def test_natural_gas_upstream_follows_the_supply_route(default_fp):
    up = (default_fp.detail.filter((pl.col("flow") == "natural_gas") & (pl.col("scope") == "upstream"))
          .select("site", "factor_id").unique())
    got = dict(up.iter_rows())
    assert got == {"moriyama": "ng.upstream.lng.desnz2025", "chungju": "ng.upstream.lng.desnz2025",
                   "jiangsu": "ng.upstream.cn-mix.estimate", "charlotte": "ng.upstream.desnz2025",
                   "port_colborne": "ng.upstream.desnz2025"}
    # the route replaces the upstream row only: combustion is unchanged and still charged
    comb = default_fp.detail.filter((pl.col("flow") == "natural_gas") & (pl.col("site") == "moriyama")
                                    & (pl.col("scope") == "combustion"))
    assert set(comb.get_column("factor_id")) == {"ng.combustion.co2.epa2025", "ng.combustion.ch4.epa2025",
                                                 "ng.combustion.n2o.epa2025"}


def test_supply_routes_name_known_rows_with_citations():
    lib = lca.load_library()
    r = lib.routes
    assert set(r.get_column("factor")) <= set(lib.factors.get_column("id"))
    assert r.filter(pl.col("region").is_in(["JP", "KR"])).get_column("route").to_list() == ["lng", "lng"]
    assert r.get_column("source").str.len_chars().min() > 10


def test_method_basis_and_td_losses_are_one_choice(tmp_path):
    s = lca.load_study(TINY)
    assert s.method.electricity_basis == "combustion-generation-CO2e" and s.method.td_losses == "excluded"
    s = s.with_method(electricity_basis="lifecycle-consumption-CO2e")
    assert s.method.td_losses == "included"
    assert s.with_method(td_losses="excluded").method.electricity_basis == "lifecycle-generation-CO2e"
    assert s.with_method(electricity_basis="combustion-generation-CO2").method.td_losses == "excluded"
    with pytest.raises(StudyError, match="contradicts"):
        s.with_method(td_losses="excluded", electricity_basis="lifecycle-consumption-CO2e")
    with pytest.raises(StudyError, match="unknown electricity basis 'lifecycle'") as e:
        s.with_method(electricity_basis="lifecycle")
    assert "coverage-point-gases" in str(e.value)
    bad = tmp_path / "s.toml"
    bad.write_text(TINY.read_text(encoding="utf-8").replace('gwp = "AR6"', 'gwp = "AR6"\ntd_losses = "included"'),
                   encoding="utf-8")
    (tmp_path / "factors.csv").write_bytes((TINY.parent / "factors.csv").read_bytes())
    with pytest.raises(StudyError, match="contradicts") as e:
        lca.load_study(bad)
    assert e.value.problems[0].column == "td_losses"


def test_cli_electricity_basis_switch_and_per_site_table():
    from lca.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["run", "--electricity-basis", "combustion-generation-CO2e"])
    assert r.exit_code == 0, r.output
    assert "Electricity basis by site (declared: combustion-generation-CO2e)" in r.stdout
    assert "jp-import" in r.stdout
    bad = runner.invoke(app, ["run", "--electricity-basis", "lifecycle"])
    assert bad.exit_code == 2


def test_mixed_bases_are_a_warning_of_run_report_and_check(tmp_path, cli):
    """A plant on another basis (Jiangsu on the CO2-only North China grid): warned by `lca run` and
    `lca check --study`; the report says so and drops its "comparisons are valid" sentence."""
    from lca.report import render_html

    path = tmp_path / "mixed.toml"
    text = lca.default_study_path().read_text(encoding="utf-8")
    assert text.count('grid = "CN-EAST"') == 1
    path.write_text(text.replace('grid = "CN-EAST"', 'grid = "CN-NORTH"'), encoding="utf-8")
    run = cli("run", str(path))
    assert run.exit_code == 0
    assert "electricity of the compared sites is on mixed bases" in run.stderr
    assert "site 'jiangsu' (CN-NORTH): electricity not on the declared basis" in run.stderr
    golden = Path(__file__).parent / "golden" / "pact-v3.json"
    check = cli("check", str(golden), "--study", str(path))
    assert "mixed bases" in check.stderr
    html = render_html(lca.compute(lca.load_study(path)), timestamp="2026-01-01T00:00:00Z")
    assert "Methodology warning:" in html and "estimated -0.5% of its electricity emissions" in html
    assert "Comparisons between scenarios are valid here" not in html
    assert "mix electricity bases (section 8)" in html


def test_an_electricity_row_must_state_a_basis_it_can_be_on(tmp_path):
    """coverage (scope) and gases (gas) of an electricity row are checked where they are written."""
    from lca.errors import FactorError

    head = ("id,flow,name,category,region,value,unit,gas,scope,basis,td_losses,year,status,estimate,source,"
            "dq_technological,dq_geographical,dq_temporal,unc_dist\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(head + "x.el,electricity,x,electricity,ZZ,0.1,kg_CO2e/kWh,CO2e,well_to_wheel,generation,excluded,"
                          "2025,default,false,Test data,1,1,1,none\n"
                          "y.el,electricity,y,electricity,ZZ,0.1,kg/kWh,SF6,combustion,generation,excluded,"
                          "2025,default,false,Test data,1,1,1,none\n", encoding="utf-8")
    with pytest.raises(FactorError) as e:
        lca.load_library(bad)
    got = {(p.row, p.column) for p in e.value.problems}
    assert got == {(1, "scope"), (2, "gas")}
    assert "is not an electricity basis coverage" in str(e.value)
