"""The shipped factor library, user overrides, method switches and the `lca factors` CLI (issue #3)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import lca
from lca.errors import FactorError
from lca.factors import load_library, read_factor_file, validate_factors
from lca.units import dimension_name

FACTOR_HEADER = (Path(__file__).parent / "data" / "tiny" / "factors.csv").read_text().splitlines()[0]


@pytest.fixture(scope="module")
def lib():
    return load_library()


def test_every_shipped_row_is_valid_and_cited(lib):
    f = lib.factors
    assert f.height > 200
    assert f.get_column("id").is_unique().all()
    assert f.filter(pl.col("source").str.len_chars() < 10).height == 0
    assert f.get_column("year").is_not_null().all()
    assert f.filter(pl.col("estimate") & pl.col("notes").is_null()).height == 0  # estimates say how


def test_every_unit_has_the_dimension_its_category_demands(lib):
    from lca.factors import CATEGORY_DIMENSIONS

    for cat, dim in lib.factors.select("category", "per_dimension").unique().iter_rows():
        assert dimension_name(dim) in CATEGORY_DIMENSIONS[cat], (cat, dim)


@pytest.mark.parametrize("category,unit,low,high", [
    ("electricity", "kg_CO2e/kWh", 0.0, 1.5),
    ("freight", "kg_CO2e/tkm", 0.0, 2.0),
    ("material", "kg_CO2e/kg", 0.0, 100.0),
])
def test_values_are_plausible(lib, category, unit, low, high):
    from lca.units import factor_unit_info

    target = factor_unit_info(unit, "co2e").to_base
    rows = lib.factors.filter((pl.col("category") == category) & (pl.col("gas").is_in(["CO2e", "CO2"])))
    values = (rows.get_column("value") * rows.get_column("f_to_base") / target).to_list()
    assert rows.height > 0
    assert all(low <= v <= high for v in values), [r for r, v in zip(rows["id"], values) if not low <= v <= high]


def test_gwp_sets_cover_every_gas_used(lib):
    gases = set(lib.factors.filter(pl.col("gas") != "none").get_column("gas")) - {"CO2e"}
    for gwp_set in ("AR4", "AR5", "AR6"):
        have = set(lib.gwp.filter(pl.col("gwp_set") == gwp_set).get_column("gas"))
        assert gases <= have, (gwp_set, gases - have)
    dcm = lib.gwp.filter((pl.col("gas") == "CH2Cl2") & (pl.col("gwp_set") == "AR6"))
    assert float(dcm.get_column("value")[0]) == 11.2


def test_default_study_factors_resolve_to_official_editions(default_fp):
    lin = default_fp.lineage
    srvc = lin.filter((pl.col("site") == "charlotte") & (pl.col("flow") == "electricity")).row(0, named=True)
    assert srvc["factor_id"] == "grid.egrid2023r2.us-srvc" and srvc["region_fallback"] == "grid"
    jp = lin.filter((pl.col("site") == "moriyama") & (pl.col("flow") == "electricity")).row(0, named=True)
    # #13: the Kansai area has a location factor of its own now (Electricity Maps zone JP-KN, the
    # coherent combustion component); the utility's retail factor stays market-based
    assert jp["region_used"] == "JP-KANSAI" and jp["region_fallback"] == "grid"
    assert jp["factor_id"] == "grid.emaps2024.jp-kansai.direct"


def test_library_version_and_hash_are_recorded(default_fp, lib):
    m = default_fp.manifest()
    assert m["factor_library"]["version"] == lib.version
    assert len(lib.content_hash) == 64


def _override(tmp_path: Path, value: float) -> Path:
    path = tmp_path / "my_grid.csv"
    path.write_text(FACTOR_HEADER + "\n" + (
        f"grid.egrid2023r2.us-srvc,electricity,Duke Energy Carolinas 2025 supplier factor,electricity,US-SRVC,"
        f"{value},kg_CO2e/kWh,CO2e,combustion,generation,excluded,2023,default,false,"
        "Utility sustainability report 2025,Table 3,,,2,1,1,lognormal,1.1,,,,user override\n"), encoding="utf-8")
    return path


def test_override_replaces_exactly_the_named_factor_and_is_listed(default_study, default_fp, tmp_path):
    fp = lca.compute(default_study, factors=[_override(tmp_path, 0.1)])
    rep = fp.replaced_factors
    assert rep.get_column("id").to_list() == ["grid.egrid2023r2.us-srvc"]
    key = ["scenario", "act", "factor_id"]
    j = default_fp.detail.select(*key, "site", "flow", "value").join(fp.detail.select(*key, "value"), on=key,
                                                                     suffix="_new")
    assert j.height == default_fp.detail.height
    changed = j.filter(pl.col("value") != pl.col("value_new"))
    assert set(changed.get_column("site")) == {"charlotte"}
    assert set(changed.get_column("flow")) == {"electricity"}
    ratio = (changed.get_column("value_new") / changed.get_column("value")).to_list()
    assert ratio == pytest.approx([0.1 / 0.27049] * len(ratio), rel=1e-4)
    t_old = dict(default_fp.totals().select("scenario", "value").iter_rows())
    t_new = dict(fp.totals().select("scenario", "value").iter_rows())
    assert t_new["jp-import"] == t_old["jp-import"] and t_new["charlotte-coated"] < t_old["charlotte-coated"]


def test_conflicting_ids_within_one_layer_are_an_error(tmp_path):
    path = _override(tmp_path, 0.1)
    path.write_text(path.read_text() + path.read_text().splitlines()[1] + "\n")
    with pytest.raises(FactorError) as err:
        load_library(path)
    assert "duplicated" in str(err.value)


BAD_ROWS = {
    "unknown unit": ("0.5,kg_CO2e/kWh", "0.5,kg_CO2e/kWhh", "unknown unit"),
    "wrong dimension": ("0.5,kg_CO2e/kWh", "0.5,kg_CO2e/kg", "must be per energy"),
    "non-numeric value": ("0.5,kg_CO2e/kWh", "half,kg_CO2e/kWh", "'half' is not a valid number"),
    "missing source": ("false,Test data,", "false,,", "column 'source'"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_factor_files_give_row_level_errors(case, tmp_path, cli):
    old, new, expect = BAD_ROWS[case]
    text = (Path(__file__).parent / "data" / "tiny" / "factors.csv").read_text()
    path = tmp_path / "bad.csv"
    path.write_text(text.replace(old, new, 1))
    r = cli("factors", "validate", path)
    assert r.exit_code == 1
    assert expect in r.stderr and "row 1" in r.stderr, r.stderr


def test_factors_validate_accepts_a_good_file(cli):
    r = cli("factors", "validate", Path(__file__).parent / "data" / "tiny" / "factors.csv")
    assert r.exit_code == 0 and "8 factors, all valid" in r.stderr


def test_factors_list_by_region(cli):
    r = cli("factors", "list", "--region", "US-SRVC", "--format", "csv")
    assert r.exit_code == 0
    df = pl.read_csv(r.stdout.encode())
    assert set(df.get_column("region")) == {"US-SRVC"}
    assert "grid.egrid2023r2.us-srvc" in df.get_column("id").to_list()
    table = cli("factors", "list", "--region", "us-srvc")
    assert table.exit_code == 0 and "grid.egrid2023r2.us-srvc" in table.stdout


def test_factors_show_and_search(cli):
    r = cli("factors", "show", "grid.egrid2023r2.us-srvc")
    assert r.exit_code == 0 and "eGRID2023 rev2" in r.stdout and "epa.gov" in r.stdout
    miss = cli("factors", "show", "grid.egrid2023r2.us-srv")
    assert miss.exit_code == 1 and "did you mean grid.egrid2023r2.us-srvc" in miss.stderr
    s = cli("factors", "search", "kyushu", "--format", "json")
    assert s.exit_code == 0 and "JP-KYUSHU" in s.stdout


def test_td_losses_switch_grosses_up_only_loss_excluded_grids(default_study):
    # #13: every default grid row of the study excludes losses and every grid has a loss row
    base = lca.compute(default_study.with_method(electricity_basis="combustion-generation-CO2e"))
    fp = lca.compute(default_study.with_method(td_losses="included"))
    assert fp.method["td_losses"] == "included" and fp.method["electricity_basis"] == "lifecycle-consumption-CO2e"
    fp = lca.compute(default_study.with_method(electricity_basis="combustion-consumption-CO2e"))
    key = ["scenario", "act", "factor_id"]
    j = base.detail.select(*key, "site", "flow", "value").join(fp.detail.select(*key, "value", "td_loss_factor"),
                                                               on=key, suffix="_new")
    changed = j.filter(pl.col("value") != pl.col("value_new"))
    assert set(changed.get_column("flow")) == {"electricity"}
    loss = {"moriyama": 0.051, "charlotte": 0.042, "chungju": 0.0354, "jiangsu": 0.05, "port_colborne": 0.06}
    for site, a, b in changed.select("site", "value", "value_new").iter_rows():
        assert b / a == pytest.approx(1 / (1 - loss[site]), rel=1e-12), site
    assert set(changed.get_column("site")) == set(loss)


def test_method_switches_are_recorded(default_study):
    fp = lca.compute(default_study.with_method(gwp="AR5", electricity_rule="national"))
    assert fp.method["gwp"] == "AR5" and fp.method["electricity_rule"] == "national"
    lin = fp.lineage.filter((pl.col("site") == "charlotte") & (pl.col("flow") == "electricity"))
    assert set(lin.get_column("region_used")) == {"US"}


def test_each_egrid_vintage_is_chosen_for_its_year(default_study):
    import datetime as dt
    from dataclasses import replace

    # every scenario current (outlook=None): Charlotte runs only in prospective scenarios, whose vintages
    # are chosen for their planned first year (#13), not for the study's reference year
    fp = lca.compute(replace(default_study, reference_start=dt.date(2022, 1, 1), reference_end=dt.date(2022, 12, 31),
                             outlook=None))
    lin = fp.lineage.filter((pl.col("site") == "charlotte") & (pl.col("flow") == "electricity"))
    # #13: plus the upstream adder, whose only vintage is 2024 (the nearest later one)
    assert set(lin.get_column("factor_id")) == {"grid.egrid2022.us-srvc", "grid.emaps2024.us-srvc.upstream"}


def test_td_losses_gaps_are_reported_not_silent(default_study, tmp_path):
    # #13: every grid of the default study has a loss row, so it has no note at all; without Ontario's
    # (its estimate demoted by a layer) the gap is a method note and a departure from the declared basis
    assert lca.compute(default_study).warnings == []
    row = lca.load_library().factors.filter(pl.col("id") == "ggl.estimate.ca-on").select(lca.factors.FACTOR_COLUMNS)
    layer = tmp_path / "no_on_loss.csv"
    row.with_columns(pl.lit("alternative").alias("status")).write_csv(layer)
    fp = lca.compute(default_study, factors=[layer])
    assert any("CA-ON" in w and "T&D losses not added" in w for w in fp.warnings)
    assert any("site 'port_colborne' (CA-ON): electricity not on the declared basis" in w and "-5.0%" in w
               for w in fp.warnings)


def test_national_rule_takes_grid_losses_from_the_country(default_study):
    fp = lca.compute(default_study.with_method(td_losses="included", electricity_rule="national"))
    used = fp.detail.filter((pl.col("site") == "charlotte") & (pl.col("flow") == "electricity"))
    assert set(used.get_column("td_loss_factor")) == {"ggl.egrid2023r2.us"}
