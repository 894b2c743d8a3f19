"""Every row of the units table (docs/study-format.md 'Units'): accepted spellings agree exactly,
ambiguous ones are refused with advice, in a unit string and in a study."""

from __future__ import annotations

import copy

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

import lca
from lca.errors import LcaInputError, UnitError
from lca.units import conversion_factor, unit_info

BTU_IT = 1055.05585262  # J, International Table Btu (exact by definition)
FT3 = 0.3048 ** 3

#: SI base value of one unit of each accepted spelling, computed by hand from the definitions.
ACCEPTED = {
    "energy": {"J": 1.0, "kJ": 1e3, "MJ": 1e6, "mj": 1e6, "GJ": 1e9, "gj": 1e9, "Wh": 3600.0, "kWh": 3.6e6,
               "kwh": 3.6e6, "KWh": 3.6e6, "kWhe": 3.6e6, "MWh": 3.6e9, "mwh": 3.6e9, "GWh": 3.6e12,
               "Btu": BTU_IT, "BTU": BTU_IT, "btu": BTU_IT, "kBtu": 1e3 * BTU_IT, "MMBtu": 1e6 * BTU_IT,
               "mmBtu": 1e6 * BTU_IT, "MMBTU": 1e6 * BTU_IT, "mmbtu": 1e6 * BTU_IT, "MMbtu": 1e6 * BTU_IT,
               "GBtu": 1e9 * BTU_IT, "TBtu": 1e12 * BTU_IT, "therm": 1e5 * BTU_IT, "therms": 1e5 * BTU_IT,
               "thm": 1e5 * BTU_IT, "quad": 1e15 * BTU_IT, "kcal_it": 4186.8, "Gcal_it": 4.1868e9,
               "kcal_th": 4184.0, "toe": 4.1868e10, "US_therm": 1.054804e8},
    "mass": {"kg": 1.0, "g": 1e-3, "t": 1e3, "tonne": 1e3, "tonnes": 1e3, "metric_ton": 1e3, "kt": 1e6,
             "kilotonne": 1e6, "Mt": 1e9, "Gt": 1e12, "lb": 0.45359237, "klb": 453.59237,
             "short_ton": 907.18474},
    "volume": {"m^3": 1.0, "m3": 1.0, "l": 1e-3, "L": 1e-3, "litre": 1e-3, "ft3": FT3, "MMcf": 1e6 * FT3,
               "US_liquid_gallon": 3.785411784e-3, "imperial_gallon": 4.54609e-3,
               "oil_barrel": 42 * 3.785411784e-3},
    "length": {"m": 1.0, "km": 1e3, "mile": 1609.344, "mi": 1609.344, "nmi": 1852.0},
    "CO2e": {"kg CO2e": 1.0, "kgCO2e": 1.0, "kg CO2eq": 1.0, "g CO2e": 1e-3, "t CO2e": 1e3, "tCO2e": 1e3,
             "kt CO2e": 1e6, "ktCO2e": 1e6, "Mt CO2e": 1e9, "lb CO2e": 0.45359237},
}
REFUSED = ["MBtu", "MBTU", "mBtu", "Mbtu", "Mcf", "Mscf", "cal", "kcal", "Mcal", "Gcal", "calorie", "Cal",
           "gal", "gallon", "kgal", "Mgal", "bbl", "barrel", "Mlb", "mWh", "mJ", "nm", "ton", "tons", "MT", "mt",
           "MTCO2e"]
SPELLINGS = [(dim, u) for dim, units in ACCEPTED.items() for u in units]


@pytest.mark.parametrize("dim,unit", SPELLINGS)
def test_each_accepted_spelling_has_its_documented_value(dim, unit):
    info = unit_info(unit)
    assert info.error is None, info.error
    assert info.to_base == pytest.approx(ACCEPTED[dim][unit], rel=1e-12)


@pytest.mark.parametrize("unit", REFUSED)
def test_ambiguous_spellings_are_refused_with_advice(unit):
    info = unit_info(unit)
    assert info.to_base is None and info.error and "write" in info.error, info
    with pytest.raises(UnitError):
        conversion_factor(f"kg/{unit}", "kg/MJ")  # inside a compound unit too


@settings(max_examples=200, deadline=None)
@given(data=st.data(), amount=st.floats(min_value=1e-6, max_value=1e6))
def test_same_amount_in_any_two_spellings_converts_exactly(data, amount):
    dim = data.draw(st.sampled_from(sorted(ACCEPTED)))
    a, b = data.draw(st.sampled_from(sorted(ACCEPTED[dim]))), data.draw(st.sampled_from(sorted(ACCEPTED[dim])))
    in_b = amount * conversion_factor(a, b)
    assert in_b * ACCEPTED[dim][b] == pytest.approx(amount * ACCEPTED[dim][a], rel=1e-12)


def test_btu_spellings_agree_exactly():
    """The IT Btu throughout: 1000 kBtu = 1 MMBtu = 10 therm, not 1.4e-7 apart as with pint's ISO Btu."""
    assert conversion_factor("1000 kBtu", "MMBtu") == pytest.approx(1.0, rel=1e-15)
    assert conversion_factor("10 therm", "MMBtu") == pytest.approx(1.0, rel=1e-15)
    assert conversion_factor("Btu", "J") == pytest.approx(BTU_IT, rel=1e-15)



@pytest.fixture(scope="module")
def tiny_reference(tiny_path):
    import tomllib

    doc = tomllib.loads(tiny_path.read_text(encoding="utf-8"))
    return doc, lca.compute(lca.study_from_dict(doc, base=tiny_path.parent)).totals().get_column("value").to_list()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit=st.sampled_from(sorted(ACCEPTED["energy"])))
def test_a_study_gives_the_same_result_in_any_energy_spelling(tiny_path, tiny_reference, unit):
    """The tiny study's 1 MJ of gas written in any accepted energy spelling changes no total."""
    doc, ref = tiny_reference
    d = copy.deepcopy(doc)
    d["process"][0]["exchanges"][2]["amount"] = f"{1e6 / ACCEPTED['energy'][unit]!r} {unit}"
    got = lca.compute(lca.study_from_dict(d, base=tiny_path.parent)).totals().get_column("value").to_list()
    assert got == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("unit", ["MBtu", "kcal", "gal"])
def test_a_study_with_an_ambiguous_unit_is_refused_where_it_is(tiny_path, tiny_reference, unit):
    doc, _ = tiny_reference
    d = copy.deepcopy(doc)
    d["process"][0]["exchanges"][2]["amount"] = f"1 {unit}"
    with pytest.raises(LcaInputError) as err:
        lca.compute(lca.study_from_dict(d, base=tiny_path.parent, file="study.toml"))
    p = err.value.problems[0]
    assert p.file == "study.toml" and "exchange #3" in (p.table or "") and unit in p.message
