"""The unit registry: CO2e as its own dimension, aliases, explicit ton handling, vectorized tables."""

from __future__ import annotations

import pytest

from lca.errors import DimensionError, UnitError
from lca.units import (conversion_factor, factor_unit_info, normalize_unit, registry, require_unit, unit_info,
                       unit_table)


@pytest.mark.parametrize("text,expected", [
    ("m2", "m^2"), ("kg CO2e/kWh", "kg_CO2e/kWh"), ("kg CO2e / kWh", "kg_CO2e / kWh"), ("tCO2e", "t_CO2e"),
    ("t CO2e/MWh", "t_CO2e/MWh"), ("gCO2e/kWh", "g_CO2e/kWh"), ("tonne", "tonne"), ("t", "tonne"),
    ("tonne-km", "tkm"), ("t*km", "tkm"), ("t·km", "tkm"), ("kg CO2e per tkm", "kg_CO2e/tkm"), ("ft2", "ft^2"),
    ("mmbtu", "MMBtu"), ("kgCO2eq/kg", "kg_CO2e/kg"),
])
def test_aliases(text, expected):
    assert normalize_unit(text) == expected


def test_co2e_is_its_own_dimension():
    assert unit_info("kg_CO2e").dimension == "[mass_co2e]"
    with pytest.raises(DimensionError):
        conversion_factor("kg_CO2e", "kg")


@pytest.mark.parametrize("a,b,factor", [
    ("t_CO2e", "kg_CO2e", 1000.0), ("g_CO2e", "kg_CO2e", 1e-3), ("kg CO2e/kWh", "t CO2e/MWh", 1.0),
    ("short_ton", "kg", 907.18474), ("tonne", "kg", 1000.0), ("short_ton*mile", "tkm", 1.4599723182105602),
    ("MMBtu", "MJ", 1055.05585262), ("therm", "MJ", 105.505585262), ("US_therm", "MJ", 105.4804),
    ("lb/MWh", "kg/kWh", 0.45359237e-3),
])
def test_conversions(a, b, factor):
    assert conversion_factor(a, b) == pytest.approx(factor, rel=1e-9)


@pytest.mark.parametrize("ambiguous", ["ton", "tons", "kg/ton"])
def test_ton_is_refused_with_advice(ambiguous):
    info = unit_info(ambiguous)
    assert info.error and "short_ton" in info.error and "tonne" in info.error
    with pytest.raises(UnitError):
        require_unit(ambiguous)


def test_unknown_unit_is_an_error_not_a_guess():
    assert "unknown unit" in unit_info("furlongs_per_gram").error
    with pytest.raises(UnitError):
        require_unit("bogus")


def test_expression_units_carry_their_magnitude():
    roll = unit_info("1200 m^2")
    assert roll.dimension == "[length]^2" and roll.to_base == pytest.approx(1200.0)


def test_unit_table_asks_pint_once_per_distinct_unit():
    unit_info.cache_clear()
    t = unit_table(["kWh"] * 1000 + ["MJ"] * 1000 + [None])
    assert t.height == 2
    assert unit_info.cache_info().misses == 2


def test_factor_units_split_numerator_and_denominator():
    i = factor_unit_info("kg_CO2e/tkm", "co2e")
    assert i.dimension == "[length] [mass]" and i.to_base == pytest.approx(1e-6)
    assert factor_unit_info("g/MMBtu", "mass").to_base == pytest.approx(1e-3 / 1055.05585262e6)
    assert factor_unit_info("kg_CO2e/kWh", "mass").error  # a CO2e numerator on a single-gas row
    assert factor_unit_info("kg/kWh", "co2e").error  # a mass numerator on a CO2e row


def test_one_application_registry():
    assert registry() is registry()


@pytest.mark.parametrize("text", ["MTCO2e/MWh", "mtCO2e", "MT", "mt"])
def test_mt_is_refused_not_read_as_megatonnes(text):
    info = unit_info(text)
    assert info.to_base is None and "tonne" in info.error


def test_megatonnes_need_the_exact_spelling():
    assert unit_info("Mt CO2e").to_base == 1e9
    assert unit_info("kg co2e").to_base == 1.0
