"""Every gas a factor file may name has a GWP in every shipped set (review doubt: HFC-125, HFC-143a and
C2F6 were allowed in factor files but had no GWP in any set, so such a factor could never be used)."""

from __future__ import annotations

import polars as pl
import pytest

import lca
from lca.errors import FactorError
from lca.factors import load_library
from lca.factors.library import _check_gwp_coverage
from lca.choices import GASES, GWP_SETS

#: GWP100 by hand from the sources cited in factors/gwp.csv: AR6 = IPCC AR6 WG1 Table 7.SM.7 (IPCC-WG1/
#: Chapter-7 metrics_supplement_cleaned.csv), AR5 = Table 8.A.1, AR4 = Table 2.14 (openclimatedata copy).
NEW = {"HFC-125": {"AR6": 3740, "AR5": 3170, "AR4": 3500}, "HFC-143a": {"AR6": 5810, "AR5": 4800, "AR4": 4470},
       "C2F6": {"AR6": 12400, "AR5": 11100, "AR4": 12200}}


def test_every_allowed_gas_has_a_gwp_in_every_set():
    gwp = load_library().gwp
    have = set(gwp.select("gwp_set", "gas").iter_rows())
    missing = [(s, g) for s in GWP_SETS for g in GASES if g not in ("CO2e", "none") and (s, g) not in have]
    assert missing == []


def test_the_added_gwps_have_their_cited_values():
    gwp = load_library().gwp
    for gas, by_set in NEW.items():
        for s, value in by_set.items():
            row = gwp.filter((pl.col("gwp_set") == s) & (pl.col("gas") == gas))
            assert row.get_column("value").to_list() == [value], (gas, s)


@pytest.mark.parametrize("gas", sorted(NEW))
@pytest.mark.parametrize("gwp_set", GWP_SETS)
def test_a_factor_in_each_added_gas_is_characterised(tiny_path, tiny_fp, gas, gwp_set):
    """The tiny resin (10 g at yield 0.5 → 20 g per m²) emitting 1 g of the gas per kg: by hand
    raw materials = 0.02 kg × 0.001 kg/kg × GWP (the shipped rows are CO2e 2 kg/kg → 0.04)."""
    row = tiny_fp.library.factors.filter(pl.col("id") == "tiny.resin").select(lca.factors.FACTOR_COLUMNS)
    layer = row.with_columns(pl.lit(gas).alias("gas"), pl.lit(0.001).alias("value"), pl.lit("kg/kg").alias("unit"))
    study = tiny_fp.study.with_method(gwp=gwp_set)
    fp = lca.compute(study, factors=[layer])
    raw = fp.by_stage(scenario="one-site").filter(pl.col("stage") == "raw_materials").get_column("value")[0]
    assert raw == pytest.approx(0.02 * 0.001 * NEW[gas][gwp_set], rel=1e-12)


def test_a_gwp_table_missing_an_allowed_gas_is_refused():
    gwp = load_library().gwp.filter(~((pl.col("gas") == "C2F6") & (pl.col("gwp_set") == "AR5")))
    with pytest.raises(FactorError, match="no GWP for C2F6 in AR5"):
        _check_gwp_coverage(gwp)
