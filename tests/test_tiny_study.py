"""A tiny study computed by hand (see tests/data/tiny/study.toml for the inputs).

one-site (film yield 0.5, so every exchange is doubled per m² of good film):
  power 2 kWh × 0.5 = 1.0; resin 0.02 kg × 2 = 0.04; gas 2 MJ → 0.1 kg CO2 + 0.002 kg CH4 × 29.8 = 0.1596;
  truck 0.01 kg × 100 km = 0.001 tkm × 0.1 = 0.0001                                   → 1.1997
two-step (coat yield 0.8 → 1.25 m² film per m² coated):
  coat power 0.625 kWh × 0.2 = 0.125; film 1.25 × 1.1596 = 1.4495 (incl. resin 0.05);
  truck 0.012 kg × 200 km × 0.1 / 1000 = 0.00024                                      → 1.62474
mix 50/50                                                                             → 1.412220
"""

from __future__ import annotations

import pytest

import lca

ONE, TWO = 1.1997, 1.62474


def test_totals_by_hand(tiny_fp):
    t = dict(tiny_fp.totals().select("scenario", "value").iter_rows())
    assert t["one-site"] == pytest.approx(ONE, rel=1e-12)
    assert t["two-step"] == pytest.approx(TWO, rel=1e-12)
    assert t["mix"] == pytest.approx(0.5 * ONE + 0.5 * TWO, rel=1e-12)


def test_stages_by_hand(tiny_fp):
    st = {(s, g): v for s, g, v in tiny_fp.by_stage().select("scenario", "stage", "value").iter_rows()}
    assert st[("one-site", "raw_materials")] == pytest.approx(0.04)
    assert st[("one-site", "film")] == pytest.approx(1.0 + 0.1596)
    assert st[("one-site", "transport")] == pytest.approx(0.0001)
    assert st[("two-step", "coat")] == pytest.approx(0.125)
    assert st[("two-step", "film")] == pytest.approx(1.25 * 1.1596)


def test_gas_level_factors_characterised(tiny_fp):
    gas = {(s, g): v for s, g, v in tiny_fp.by("gas").select("scenario", "gas", "value").iter_rows()}
    assert gas[("one-site", "CH4_fossil")] == pytest.approx(0.002 * 29.8)
    assert gas[("one-site", "CO2")] == pytest.approx(0.1)


def test_views_use_the_stated_conversions(tiny_fp):
    assert tiny_fp.total("one-site").unit == "kg_CO2e/m^2"
    assert tiny_fp.total("one-site", per="kg").value == pytest.approx(ONE / 0.010)
    assert tiny_fp.total("one-site", per="kWh").value == pytest.approx(ONE * 10)
    assert tiny_fp.total("one-site", per="vehicle").value == pytest.approx(ONE * 10 * 50)
    assert tiny_fp.total("one-site", per="year").value == pytest.approx(ONE * 1000 / 1000)
    assert tiny_fp.total("one-site", per="year").unit == "t_CO2e/yr"
    assert tiny_fp.total("one-site", unit="g_CO2e/m^2").value == pytest.approx(ONE * 1000)


def test_compare(tiny_fp):
    c = tiny_fp.compare("one-site", "two-step")
    total = c.filter(c["stage"] == "total").row(0, named=True)
    assert total["difference"] == pytest.approx(TWO - ONE)
    assert total["pct"] == pytest.approx((TWO - ONE) / ONE * 100)
    assert c.get_column("unit").unique().to_list() == ["kg_CO2e/m^2"]


def test_ar5_changes_only_methane(tiny_path):
    s = lca.load_study(tiny_path).with_method(gwp="AR5")
    fp = lca.compute(s)
    assert fp.total("one-site").value == pytest.approx(ONE - 0.002 * (29.8 - 28))


def test_national_rule_uses_country_factor(tiny_path):
    fp = lca.compute(lca.load_study(tiny_path).with_method(electricity_rule="national"))
    # power 2 kWh × 0.4 instead of × 0.5
    assert fp.total("one-site").value == pytest.approx(ONE - 2 * 0.1)
    lin = fp.lineage.filter(fp.lineage["flow"] == "tiny_power")
    assert set(lin.get_column("region_fallback")) == {"country"}


def test_region_fallback_recorded(tiny_fp):
    lin = tiny_fp.lineage
    power = lin.filter((lin["flow"] == "tiny_power") & (lin["site"] == "mill")).row(0, named=True)
    assert (power["region_used"], power["region_fallback"]) == ("ZZ-NORTH", "grid")
    resin = lin.filter(lin["flow"] == "tiny_resin").row(0, named=True)
    assert (resin["region_used"], resin["region_fallback"]) == ("GLO", "global")


def test_vintage_nearest_earlier_year(tiny_doc, tmp_path):
    import datetime as dt

    from lca.study import study_from_dict

    tiny_doc["study"]["reference_period"] = {"start": dt.date(2022, 1, 1), "end": dt.date(2022, 12, 31)}
    tiny_doc["method"]["electricity_rule"] = "national"
    s = study_from_dict(tiny_doc, base=pytest.importorskip("pathlib").Path(__file__).parent / "data" / "tiny")
    fp = lca.compute(s)
    lin = fp.lineage.filter(fp.lineage["flow"] == "tiny_power")
    assert set(lin.get_column("factor_id")) == {"tiny.power.zz.2020"}
    assert "latest vintage up to 2022 is 2020" in set(lin.get_column("vintage_note"))
    # resin exists only for 2024: a later vintage is used and said so
    resin = fp.lineage.filter(fp.lineage["flow"] == "tiny_resin").row(0, named=True)
    assert resin["vintage_note"] == "no vintage up to 2022; used 2024 (later)"


def test_manifest_is_deterministic(tiny_fp):
    a = tiny_fp.manifest(timestamp="2026-01-01T00:00:00Z")
    b = tiny_fp.manifest(timestamp="2026-01-01T00:00:00Z")
    assert a == b and len(a["manifest_hash"]) == 64
    assert a["factor_library"]["layers"][0] == "shipped"


def test_per_kg_uses_the_mass_of_one_declared_unit(tiny_doc):
    from pathlib import Path

    from lca.study import study_from_dict

    tiny_doc["product"]["declared_unit"] = "2 m^2"
    tiny_doc["product"]["mass_per_declared_unit"] = "20 g"
    s = study_from_dict(tiny_doc, base=Path(__file__).parent / "data" / "tiny")
    fp = lca.compute(s)
    # twice the area per declared unit, twice the mass: kg CO2e per kg is unchanged
    assert fp.total("one-site").value == pytest.approx(2 * ONE)
    assert fp.total("one-site", per="kg").value == pytest.approx(ONE / 0.010)
    assert fp.total("one-site", per="kWh").value == pytest.approx(ONE * 10)


def test_market_rule_without_instrument_is_said(tiny_path):
    fp = lca.compute(lca.load_study(tiny_path).with_method(electricity_rule="market"))
    assert any("no supplier-specific factor" in w and "'mill'" in w for w in fp.warnings)
