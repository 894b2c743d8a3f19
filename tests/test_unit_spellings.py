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
               "kcal_th": 4184.0, "toe": 4.1868e10, "US_therm": 1.054804e8, "EC_therm": 1e5 * BTU_IT,
               "ktoe": 4.1868e13, "Mtoe": 4.1868e16, "Mcal_it": 4.1868e6, "megaBtu": 1e6 * BTU_IT,
               "PBtu": 1e15 * BTU_IT, "Btu_iso": 1055.056},
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
           "MTCO2e",
           # prefixed forms of ambiguous bases (review finding 2): refused as a class, not token by token
           "kton", "kiloton", "kilotons", "Mton", "megaton", "megatons", "Gton", "kbbl", "kilobarrel", "Mbbl",
           "kilogallon", "megagallon", "megacalorie", "Tcal", "Mtherm", "ktherm", "Mtherms", "mtoe", "kquad"]
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


@pytest.mark.parametrize("unit", ["MBtu", "kcal", "gal", "Mtherm", "kton"])
def test_a_study_with_an_ambiguous_unit_is_refused_where_it_is(tiny_path, tiny_reference, unit):
    doc, _ = tiny_reference
    d = copy.deepcopy(doc)
    d["process"][0]["exchanges"][2]["amount"] = f"1 {unit}"
    with pytest.raises(LcaInputError) as err:
        lca.compute(lca.study_from_dict(d, base=tiny_path.parent, file="study.toml"))
    p = err.value.problems[0]
    assert p.file == "study.toml" and "exchange #3" in (p.table or "") and unit in p.message


#: Every SI prefix, as symbol and as name, with its factor.
SI_PREFIXES = {
    **{sym: 10.0 ** e for sym, e in (("q", -30), ("r", -27), ("y", -24), ("z", -21), ("a", -18), ("f", -15),
                                     ("p", -12), ("n", -9), ("µ", -6), ("\u03bc", -6), ("u", -6), ("m", -3),
                                     ("c", -2), ("d", -1), ("da", 1), ("h", 2), ("k", 3), ("M", 6), ("G", 9),
                                     ("T", 12), ("P", 15), ("E", 18), ("Z", 21), ("Y", 24), ("R", 27),
                                     ("Q", 30))},
    **{name: 10.0 ** e for name, e in (("quecto", -30), ("ronto", -27), ("yocto", -24), ("zepto", -21),
                                       ("atto", -18), ("femto", -15), ("pico", -12), ("nano", -9),
                                       ("micro", -6), ("milli", -3), ("centi", -2), ("deci", -1), ("deca", 1),
                                       ("deka", 1), ("hecto", 2), ("kilo", 3), ("mega", 6), ("giga", 9),
                                       ("tera", 12), ("peta", 15), ("exa", 18), ("zetta", 21), ("yotta", 24),
                                       ("ronna", 27), ("quetta", 30))},
}
#: Base spellings and their documented SI value (None = refused unprefixed). Bases whose symbol
#: prefixes would spell another unit ('t' + 'f' = 'ft') are left out: those are that other unit.
PREFIX_BASES = {"ton": None, "tons": None, "short_ton": 907.18474, "tonne": 1e3, "bbl": None, "barrel": None,
                "oil_barrel": 42 * 3.785411784e-3, "gal": None, "gallon": None,
                "US_liquid_gallon": 3.785411784e-3, "imperial_gallon": 4.54609e-3, "cal": None, "calorie": None,
                "cal_it": 4.1868, "cal_th": 4.184, "therm": 1e5 * BTU_IT, "therms": 1e5 * BTU_IT,
                "thm": 1e5 * BTU_IT, "EC_therm": 1e5 * BTU_IT, "US_therm": 1.054804e8, "toe": 4.1868e10,
                "Btu": BTU_IT, "BTU": BTU_IT, "btu": BTU_IT, "Btu_iso": 1055.056, "quad": 1e15 * BTU_IT,
                "Wh": 3600.0, "J": 1.0, "g": 1e-3, "lb": 0.45359237, "nmi": 1852.0, "mile": 1609.344}
#: Bases whose every prefixed form is refused (the docs' units table says why, row by row).
NO_PREFIX = {"ton", "tons", "short_ton", "bbl", "barrel", "oil_barrel", "gal", "gallon", "US_liquid_gallon",
             "imperial_gallon", "cal", "calorie", "therm", "therms", "thm", "EC_therm", "US_therm", "quad"}
#: Single prefixes refused on a base: a Roman M (10^3 in US trade) or a mis-cased m.
PREFIX_REFUSED = {("m", "toe"), ("M", "Btu"), ("m", "Btu"), ("M", "BTU"), ("m", "BTU"), ("m", "Wh"),
                  ("m", "J"), ("M", "lb")}


def test_every_si_prefix_on_a_base_converts_as_documented_or_is_refused():
    """No prefixed spelling silently means something else: it is the SI prefix times the documented
    base value, exactly, or it is refused (with advice)."""
    wrong = []
    for base, value in PREFIX_BASES.items():
        for prefix, factor in SI_PREFIXES.items():
            info = unit_info(prefix + base)
            must_refuse = value is None or base in NO_PREFIX or (prefix, base) in PREFIX_REFUSED
            if info.error:
                continue
            if must_refuse or info.to_base != pytest.approx(factor * value, rel=1e-12):
                wrong.append((prefix + base, info.to_base))
    assert wrong == []


@pytest.mark.parametrize("unit", ["kton", "Mbbl", "kilogallon", "megacalorie", "Mtherm", "mtoe", "\u03bctherm"])
def test_refused_prefixed_forms_say_what_to_write(unit):
    message = unit_info(unit).error or ""
    assert message.startswith(f"'{unit}'") and "write" in message
