"""Factor resolution (issue #10 items 1-3, #11 items 3/5): editions, grid losses, explicit ids of the right kind.

Hand-computed expectations. Numbers for the eGRID2024-style rows are the SRVC rates quoted in the
research note (factors.md §2a: 637.4 / 0.047 / 0.007 lb CO2 / CH4 / N2O per MWh).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest

import lca
from lca.errors import FactorError, LcaInputError

TINY = Path(__file__).parent / "data" / "tiny"
HEADER = (TINY / "factors.csv").read_text(encoding="utf-8").splitlines()[0]
LB = 0.45359237e-3  # kg/kWh per lb/MWh
AR6 = {"CO2": 1.0, "CH4_fossil": 29.8, "N2O": 273.0}
SRVC_2023 = 0.27049  # grid.egrid2023r2.us-srvc, kg CO2e/kWh
SRVC_GGL = 0.042  # ggl.egrid2023r2.us-srvc


def row(fid: str, flow: str, cat: str, region: str, value, unit: str, gas: str, scope: str, *, year: int = 2024,
        td: str = "excluded", status: str = "default", source: str = "Test utility report 2024",
        unc: str = "none,,,,") -> str:
    """One factor CSV row in the library's column order (no dataset column)."""
    return (f"{fid},{flow},{fid},{cat},{region},{value},{unit},{gas},{scope},generation,{td},{year},{status},false,"
            f"{source},,,,2,1,1,{unc},")


def write(tmp_path: Path, name: str, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def per_kwh(fp, site: str = "charlotte", flow: str = "electricity") -> dict[str, float]:
    """kg CO2e per kWh charged to each electricity activity of a site, by scenario."""
    d = fp.detail.filter((pl.col("site") == site) & (pl.col("flow") == flow))
    g = d.group_by("scenario", "act").agg((pl.col("value").sum() / pl.col("amount").first()).alias("k"))
    return dict(g.select("scenario", "k").iter_rows())


def egrid2024_rows() -> list[str]:
    return [row("u.egrid2024.srvc.co2", "electricity", "electricity", "US-SRVC", 637.4, "lb/MWh", "CO2", "combustion",
                source="EPA eGRID2024 (as in EPA Hub 2026 Table 6)"),
            row("u.egrid2024.srvc.ch4", "electricity", "electricity", "US-SRVC", 0.047, "lb/MWh", "CH4_fossil",
                "combustion", source="EPA eGRID2024 (as in EPA Hub 2026 Table 6)"),
            row("u.egrid2024.srvc.n2o", "electricity", "electricity", "US-SRVC", 0.007, "lb/MWh", "N2O", "combustion",
                source="EPA eGRID2024 (as in EPA Hub 2026 Table 6)")]


@pytest.fixture(scope="module")
def default_study(default_study):
    """The default study with its electricity on the combustion basis at generation (#13): these tests
    are about which combustion row resolves, not about the upstream adder the default basis adds."""
    return default_study.with_method(electricity_basis="combustion-generation-CO2e")


@pytest.fixture(scope="module")
def default_fp(default_study):
    return lca.compute(default_study)


EGRID2024 = (637.4 * AR6["CO2"] + 0.047 * AR6["CH4_fossil"] + 0.007 * AR6["N2O"]) * LB  # 0.29062 kg CO2e/kWh


# ------------------------------------------------------------------------ 1. editions and vintages

def test_newer_edition_as_gas_rows_replaces_the_older_co2e_row(default_study, tmp_path):
    fp = lca.compute(default_study, factors=[write(tmp_path, "egrid2024.csv", *egrid2024_rows())])
    got = per_kwh(fp)
    assert got["charlotte-coated"] == pytest.approx(EGRID2024, rel=1e-9)  # main: 0.27049 + 0.29062
    ids = set(fp.lineage.filter((pl.col("site") == "charlotte") & (pl.col("flow") == "electricity"))["factor_id"])
    assert ids == {"u.egrid2024.srvc.co2", "u.egrid2024.srvc.ch4", "u.egrid2024.srvc.n2o"}


def test_the_older_edition_still_wins_for_its_own_year(default_study, tmp_path):
    import datetime as dt

    # every scenario current (outlook=None): charlotte-coated is prospective in the default study, and a
    # prospective scenario takes the latest vintage (eGRID2024 here), whatever the study's year (#13)
    s = dataclasses.replace(default_study, reference_start=dt.date(2023, 1, 1), reference_end=dt.date(2023, 12, 31),
                            outlook=None)
    fp = lca.compute(s, factors=[write(tmp_path, "egrid2024.csv", *egrid2024_rows())])
    assert per_kwh(fp)["charlotte-coated"] == pytest.approx(SRVC_2023, rel=1e-12)
    prospective = lca.compute(dataclasses.replace(s, outlook=default_study.outlook),
                              factors=[write(tmp_path, "egrid2024.csv", *egrid2024_rows())])
    assert per_kwh(prospective)["charlotte-coated"] != pytest.approx(SRVC_2023, rel=1e-6)


def test_two_editions_of_one_vintage_are_an_error_naming_both(default_study, tmp_path):
    path = write(tmp_path, "duke.csv", row("duke.2023.co2", "electricity", "electricity", "US-SRVC", 0.25, "kg/kWh",
                                           "CO2", "combustion", year=2023, source="Duke Energy 2023 report"))
    with pytest.raises(FactorError) as err:
        lca.compute(default_study, factors=[path])
    text = str(err.value)
    assert "two editions have the same vintage 2023" in text
    assert "'Duke Energy 2023 report (2023)' (duke.2023.co2 in " + str(path) + ")" in text
    assert "grid.egrid2023r2.us-srvc in factors/electricity.csv" in text and "eGRID2023 rev2" in text


def test_an_edition_stating_co2e_and_gas_rows_is_an_error(default_study, tmp_path):
    path = write(tmp_path, "mixed.csv",
                 row("m.co2e", "electricity", "electricity", "US-SRVC", 0.29, "kg_CO2e/kWh", "CO2e", "combustion"),
                 row("m.ch4", "electricity", "electricity", "US-SRVC", 0.02, "g/kWh", "CH4_fossil", "combustion"))
    with pytest.raises(FactorError, match=r"states it both as a CO2e row and as gas-level rows .*: m.ch4, m.co2e in "):
        lca.compute(default_study, factors=[path])


def test_overlapping_scopes_are_never_both_charged(default_study, tmp_path):
    path = write(tmp_path, "lc.csv", row("lc.srvc", "electricity", "electricity", "US-SRVC", 0.32, "kg_CO2e/kWh",
                                         "CO2e", "life_cycle"))
    with pytest.raises(FactorError) as err:
        lca.compute(default_study, factors=[path])
    assert "scopes overlap" in str(err.value)
    assert "scope combustion of" in str(err.value) and "scope life_cycle of 'Test utility report 2024 (2024)'" in str(
        err.value)


def test_natural_gas_adds_epa_combustion_gases_and_desnz_upstream(default_fp):
    ng = default_fp.lineage.filter(pl.col("flow") == "natural_gas")
    assert set(ng["factor_id"]) == {"ng.combustion.co2.epa2025", "ng.combustion.ch4.epa2025",
                                    "ng.combustion.n2o.epa2025", "ng.upstream.desnz2025",
                                    "ng.upstream.lng.desnz2025", "ng.upstream.cn-mix.estimate"}  # #13 supply routes
    pipeline = ng.filter(pl.col("site").is_in(["charlotte", "port_colborne"]))
    assert "ng.upstream.desnz2025" in set(pipeline["factor_id"])


def test_dataset_column_names_the_edition(default_study, tmp_path):
    # one publication whose CH4 rate is of an earlier year: the dataset id keeps its rows together
    header = HEADER + ",dataset"
    path = write(tmp_path, "hub.csv",
                 row("h.co2", "electricity", "electricity", "US-SRVC", 0.28, "kg/kWh", "CO2", "combustion") + ",hub-x",
                 row("h.ch4", "electricity", "electricity", "US-SRVC", 0.02, "g/kWh", "CH4_fossil", "combustion",
                     year=2022) + ",hub-x", header=header)
    got = per_kwh(lca.compute(default_study, factors=[path]))["charlotte-coated"]
    assert got == pytest.approx(0.28 + 0.02e-3 * 29.8, rel=1e-12)


def test_one_dataset_id_for_two_vintages_is_refused_at_load(tmp_path):
    header = HEADER + ",dataset"
    path = write(tmp_path, "two.csv",
                 row("a.2023", "electricity", "electricity", "US-SRVC", 0.28, "kg_CO2e/kWh", "CO2e", "combustion",
                     year=2023) + ",egrid",
                 row("a.2024", "electricity", "electricity", "US-SRVC", 0.27, "kg_CO2e/kWh", "CO2e", "combustion")
                 + ",egrid", header=header)
    with pytest.raises(FactorError, match=r"edition 'egrid' has two default rows .*a.2023, a.2024") as err:
        lca.load_library(path)
    assert err.value.problems[0].column == "dataset" and err.value.problems[0].file == str(path)


# --------------------------------------------------------------------------------- 2. grid losses

def _with_market(study, site: str, factor_id: str):
    sites = study.sites.with_columns(pl.when(pl.col("id") == site).then(pl.lit(factor_id))
                                     .otherwise(pl.col("market_factor")).alias("market_factor"))
    return dataclasses.replace(study, sites=sites)


def test_market_factor_is_grossed_up_by_the_grids_loss_not_used_as_one(default_study):
    s = _with_market(default_study, "charlotte", "grid.egrid2024cs.us-srvc").with_method(
        electricity_rule="market", td_losses="included")
    fp = lca.compute(s)
    contract = fp.library.get("grid.egrid2024cs.us-srvc")["value"]
    # main: contract / (1 - contract), the electricity factor used as the loss fraction
    assert per_kwh(fp)["charlotte-coated"] == pytest.approx(contract / (1 - SRVC_GGL), rel=1e-12)
    used = fp.detail.filter((pl.col("site") == "charlotte") & (pl.col("flow") == "electricity"))
    assert set(used["td_loss_factor"]) == {"ggl.egrid2023r2.us-srvc"} and set(used["td_loss"]) == {SRVC_GGL}
    assert any("T&D losses added to supplier-specific factor 'grid.egrid2024cs.us-srvc'" in w for w in fp.warnings)


def test_market_factor_in_grams_never_turns_negative(default_study, tmp_path):
    path = write(tmp_path, "contract.csv", row("ppa.srvc", "electricity", "electricity", "US-SRVC", 250, "g_CO2e/kWh",
                                               "CO2e", "combustion", status="market"))
    s = _with_market(default_study, "charlotte", "ppa.srvc").with_method(electricity_rule="market",
                                                                        td_losses="included")
    got = per_kwh(lca.compute(s, factors=[path]))["charlotte-coated"]
    assert got == pytest.approx(0.25 / (1 - SRVC_GGL), rel=1e-12)  # main: 0.25 / (1 - 250) < 0


def test_loss_in_percent_is_converted(default_study, tmp_path):
    path = write(tmp_path, "loss.csv", row("loss.srvc.2025", "grid_loss", "grid_loss", "US-SRVC", 4.2, "percent",
                                           "none", "n/a", year=2025, td="n/a"))
    fp = lca.compute(default_study.with_method(td_losses="included"), factors=[path])
    assert per_kwh(fp)["charlotte-coated"] == pytest.approx(SRVC_2023 / (1 - 0.042), rel=1e-12)  # main: negative


def test_loss_of_one_or_more_is_refused_where_it_is_written(tmp_path):
    path = write(tmp_path, "loss.csv", row("loss.bad", "grid_loss", "grid_loss", "US-SRVC", 4.2, "dimensionless",
                                           "none", "n/a", td="n/a"))
    with pytest.raises(FactorError) as err:
        lca.load_library(path)
    p = err.value.problems[0]
    assert (p.file, p.row, p.column) == (str(path), 1, "value") and "not a fraction below 1" in p.message


def test_transmission_and_distribution_combine_without_duplicating_rows(tiny_path, tmp_path):
    path = write(tmp_path, "td.csv",
                 row("t.north", "grid_loss", "grid_loss", "ZZ-NORTH", 0.02, "dimensionless", "none", "transmission",
                     year=2025, td="n/a"),
                 row("d.north", "grid_loss", "grid_loss", "ZZ-NORTH", 3, "percent", "none", "distribution",
                     year=2025, td="n/a"))
    s = lca.load_study(tiny_path)
    base = lca.compute(s)
    fp = lca.compute(s.with_method(td_losses="included"), factors=[path])
    assert fp.detail.height == base.detail.height  # main: every mill power row twice
    loss = 1 - (1 - 0.02) * (1 - 0.03)
    assert per_kwh(fp, "mill", "tiny_power")["one-site"] == pytest.approx(0.5 / (1 - loss), rel=1e-12)
    mill = fp.detail.filter((pl.col("site") == "mill") & (pl.col("flow") == "tiny_power"))
    assert set(mill["td_loss_factor"]) == {"d.north + t.north"}
    # ZZ-SOUTH has no loss rows: said, not silently zero
    assert any("no grid-loss factor for region ZZ-SOUTH (site 'mill2')" in w for w in fp.warnings)


def test_a_total_loss_and_its_parts_are_an_error(tiny_path, tmp_path):
    path = write(tmp_path, "td.csv",
                 row("tot.north", "grid_loss", "grid_loss", "ZZ-NORTH", 0.05, "dimensionless", "none", "n/a",
                     year=2025, td="n/a"),
                 row("t.north", "grid_loss", "grid_loss", "ZZ-NORTH", 0.02, "dimensionless", "none", "transmission",
                     year=2025, td="n/a"))
    with pytest.raises(FactorError, match="scopes overlap"):
        lca.compute(lca.load_study(tiny_path).with_method(td_losses="included"), factors=[path])


# -------------------------------------------------------------- 3. explicit factors of the wrong kind

def test_market_factor_of_another_category_is_an_error_naming_the_site(default_study):
    s = _with_market(default_study, "charlotte", "ng.upstream.desnz2025").with_method(electricity_rule="market")
    with pytest.raises(FactorError) as err:
        lca.compute(s)
    p = err.value.problems[0]
    assert p.table == "site 'charlotte'" and p.column == "market_factor"
    assert "'ng.upstream.desnz2025' is a fuel factor (flow 'natural_gas', per energy, factors/fuels.csv)" in p.message
    assert "must be an electricity factor (per energy)" in p.message


def test_market_factor_is_checked_whatever_the_rule(default_study):
    with pytest.raises(FactorError, match="unknown factor id 'no.such'"):
        lca.compute(_with_market(default_study, "charlotte", "no.such"))


def test_exchange_factor_of_another_category_is_an_error(tiny_doc):
    from lca.study import study_from_dict

    tiny_doc["process"][0]["exchanges"][0]["factor"] = "tiny.gas.co2"  # a fuel factor per MJ on electricity
    s = study_from_dict(tiny_doc, base=TINY)
    with pytest.raises(FactorError) as err:
        lca.compute(s)
    p = err.value.problems[0]
    assert p.table == "process 'film' exchange #1" and p.column == "factor"
    assert "factor 'tiny.gas.co2' is a fuel factor (flow 'tiny_gas', per energy" in p.message
    assert "flow 'tiny_power' takes electricity factors (per energy)" in p.message


def test_leg_factor_of_another_category_is_an_error(tiny_doc):
    from lca.study import study_from_dict

    tiny_doc["scenario"][0]["transport"][0]["legs"][0]["factor"] = "tiny.resin"
    with pytest.raises(LcaInputError, match="flow 'freight_tinytruck' takes freight factors"):
        lca.compute(study_from_dict(tiny_doc, base=TINY))


def test_explicit_factor_of_another_flow_in_the_same_category_is_a_proxy(tiny_doc):
    from lca.study import study_from_dict

    tiny_doc["process"][0]["exchanges"][1]["factor"] = "mat.pp.desnz2025"  # polypropylene for the tiny resin
    fp = lca.compute(study_from_dict(tiny_doc, base=TINY))
    resin = fp.detail.filter((pl.col("scenario") == "one-site") & (pl.col("flow") == "tiny_resin"))
    assert resin["value"].sum() == pytest.approx(0.02 * 2.57757, rel=1e-12)  # 10 g / yield 0.5
    assert set(fp.lineage.filter(pl.col("flow") == "tiny_resin")["region_fallback"]) == {"explicit"}


# ------------------------------------------------------------------- factor files (#11 items 3, 5)

@pytest.mark.parametrize("old,new,column,expect", [
    ("0.5,kg_CO2e/kWh", "inf,kg_CO2e/kWh", "value", "is not finite"),
    ("0.5,kg_CO2e/kWh", "nan,kg_CO2e/kWh", "value", "is not finite"),
    ("Test data,,,,1,1,1,none,,,,,round", "Test data,,,,1,1,1,lognormal,nan,,,,round", "unc_gsd",
     "is not finite"),
    ("Test data,,,,1,1,1,none,,,,,round", "Test data,,,,1,1,1,lognormal,,,,,round", "unc_gsd", "needs unc_gsd"),
    ("excluded,2025,default,false,Test data,,,,1,1,1,none,,,,,round", "n/a,2025,default,false,Test data,,,,1,1,1,"
     "none,,,,,round", "td_losses", "does not say whether it includes T&D losses"),
    (",combustion,generation,excluded,2025,default,false,Test data,,,,1,1,1,none,,,,,round",
     ",burning,generation,excluded,2025,default,false,Test data,,,,1,1,1,none,,,,,round", "scope", "not allowed"),
])
def test_bad_factor_values_are_located(tmp_path, old, new, column, expect):
    text = (TINY / "factors.csv").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "f.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FactorError) as err:
        lca.load_library(path)
    assert any((p.file, p.row, p.column) == (str(path), 1, column) and expect in p.message
               for p in err.value.problems), str(err.value)


@pytest.mark.parametrize("header,expect", [
    (HEADER + ",comment", "unknown column 'comment'"),
    (HEADER.replace("notes", "value"), "column 'value' appears more than once"),
])
def test_unknown_and_duplicate_columns_are_refused(tmp_path, header, expect):
    body = (TINY / "factors.csv").read_text(encoding="utf-8").splitlines()[1:]
    extra = ",x" if header.endswith("comment") else ""
    path = tmp_path / "f.csv"
    path.write_text("\n".join([header, *(line + extra for line in body)]) + "\n", encoding="utf-8")
    with pytest.raises(FactorError) as err:
        lca.load_library(path)
    assert any(p.file == str(path) and expect in p.message for p in err.value.problems), str(err.value)


def test_inf_in_a_parquet_factor_file_is_refused(tmp_path):
    df = pl.read_csv(TINY / "factors.csv", infer_schema=False).with_columns(
        pl.col("value").cast(pl.Float64)).with_columns(pl.when(pl.col("id") == "tiny.resin").then(float("inf"))
                                                        .otherwise(pl.col("value")).alias("value"))
    path = tmp_path / "f.parquet"
    df.write_parquet(path)
    with pytest.raises(FactorError) as err:
        lca.load_library(path)
    p = err.value.problems[0]
    assert (p.file, p.row, p.column) == (str(path), 5, "value")


def test_factors_validate_cli_locates_a_nan(cli, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text((TINY / "factors.csv").read_text(encoding="utf-8").replace("0.2,kg_CO2e/kWh", "NaN,kg_CO2e/kWh"),
                    encoding="utf-8")
    r = cli("factors", "validate", path)
    assert r.exit_code == 1 and "row 2, column 'value'" in r.stderr and "is not finite" in r.stderr


def test_dimension_mismatch_names_the_factor_file(tiny_doc):
    from lca.study import study_from_dict

    tiny_doc["process"][0]["exchanges"][1]["amount"] = "10 kWh"  # tiny_resin is per kg
    with pytest.raises(LcaInputError) as err:
        lca.compute(study_from_dict(tiny_doc, base=TINY))
    assert f"factor 'tiny.resin' (kg_CO2e/kg, {TINY / 'factors.csv'}) expects mass" in str(err.value)


def test_every_loss_row_combined_enters_the_content_hash(tiny_path, tmp_path):
    from lca.results.content import factor_rows_used

    def rows(t: float) -> Path:
        return write(tmp_path, f"td{t}.csv",
                     row("t.north", "grid_loss", "grid_loss", "ZZ-NORTH", t, "dimensionless", "none", "transmission",
                         year=2025, td="n/a"),
                     row("d.north", "grid_loss", "grid_loss", "ZZ-NORTH", 0.03, "dimensionless", "none",
                         "distribution", year=2025, td="n/a"))
    s = lca.load_study(tiny_path).with_method(td_losses="included")
    fp = lca.compute(s, factors=[rows(0.02)])
    assert {"t.north", "d.north"} <= set(factor_rows_used(fp)[0]["id"])
    assert fp.manifest()["manifest_hash"] != lca.compute(s, factors=[rows(0.04)]).manifest()["manifest_hash"]
