"""The application's unit registry and vectorized unit conversion.

One pint registry for the whole application. CO2e is its own base dimension
(``[mass_co2e]``), so a CO2e mass can never be added to a material mass by accident.

Pint is asked once per *distinct* unit string; the answer (multiplier to SI base units and
dimension) goes into a small polars table that pipelines join on, so the arithmetic on
millions of rows stays in polars.

>>> unit_info("m2").dimension
'[length]^2'
>>> round(conversion_factor("kg CO2e/kWh", "t_CO2e/MWh"), 12)
1.0
>>> conversion_factor("tonne", "kg")
1000.0
>>> unit_info("ton").error
"'ton' is ambiguous: write 'short_ton' (2000 lb, US) or 'tonne' (1000 kg, metric)"
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import polars as pl

from lca.errors import DimensionError, Problem, UnitError
from lca.units.prefixes import prefixed_token

#: Extra definitions loaded into the application registry.
DEFINITIONS = """
kg_CO2e = [mass_co2e] = kgCO2e
g_CO2e = 1e-3 * kg_CO2e = gCO2e
t_CO2e = 1e3 * kg_CO2e = tCO2e
kt_CO2e = 1e6 * kg_CO2e = ktCO2e
Mt_CO2e = 1e9 * kg_CO2e = MtCO2e
tkm = tonne * kilometer
MMBtu = 1e6 * Btu_it = mmBtu
MMcf = 1e6 * foot ** 3
therm_it = 1e5 * Btu_it
quad_it = 1e15 * Btu_it
"""

#: Whole-token spellings people write, mapped to what pint understands.
TOKEN_ALIASES: dict[str, str] = {
    "m2": "m^2", "m3": "m^3", "km2": "km^2", "cm2": "cm^2", "mm2": "mm^2", "cm3": "cm^3",
    "ft2": "ft^2", "ft3": "ft^3", "sqm": "m^2", "sqft": "ft^2", "in2": "in^2",
    "t": "tonne", "tonnes": "tonne", "metric_ton": "tonne",
    "tons_short": "short_ton", "short_tons": "short_ton", "shortton": "short_ton",
    "kwh": "kWh", "Kwh": "kWh", "KWh": "kWh", "KWH": "kWh", "kWhe": "kWh",
    "mwh": "MWh", "Mwh": "MWh", "MWH": "MWh", "gwh": "GWh", "GWH": "GWh",
    "MMBTU": "MMBtu", "MMbtu": "MMBtu", "mmbtu": "MMBtu", "mmBTU": "MMBtu",
    "mj": "MJ", "Mj": "MJ", "gj": "GJ", "Gj": "GJ",
    "tkm": "tkm", "tkms": "tkm",
    "pct": "percent", "fraction": "dimensionless", "ratio": "dimensionless",
    "litre": "liter", "litres": "liter", "l": "liter",
    # SI kilotonne (pint reads 'kt' as the knot, a speed)
    "kt": "kilotonne",
    # every Btu is the International Table Btu (EIA/EPA), so Btu, kBtu, MMBtu, therm and quad agree
    # exactly; pint's own 'Btu' is the rounded ISO Btu and its 'therm' is rounded to 105.506 MJ
    "Btu": "Btu_it", "BTU": "Btu_it", "btu": "Btu_it", "Btus": "Btu_it",
    "kBtu": "kBtu_it", "kBTU": "kBtu_it", "kbtu": "kBtu_it",
    "GBtu": "GBtu_it", "TBtu": "TBtu_it",
    "therm": "therm_it", "therms": "therm_it", "thm": "therm_it", "quad": "quad_it", "quads": "quad_it",
    "MMBtus": "MMBtu", "MMBTUs": "MMBtu", "MMCF": "MMcf", "mmcf": "MMcf",
}

#: Tokens we refuse because they are ambiguous; the message says what to write instead.
AMBIGUOUS: dict[str, str] = {
    "ton": "write 'short_ton' (2000 lb, US) or 'tonne' (1000 kg, metric)",
    "tons": "write 'short_ton' (2000 lb, US) or 'tonne' (1000 kg, metric)",
    "mt": "'mt' reads as millitonne or metric ton: write 'tonne' (or 't'); for megatonnes write 'Mt'",
    "MT": "'MT' is used for metric tons but reads as megatonnes: write 'tonne' (or 't'), or 'Mt' for megatonnes",
    "MT_CO2e": "'MTCO2e' is used for metric tons but reads as megatonnes: write 't CO2e' (or 'Mt CO2e')",
}

#: Families of tokens refused as ambiguous (matched against the whole token). Each clash is one
#: row of the units table in docs/study-format.md.
AMBIGUOUS_FAMILIES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), advice) for p, advice in (
    # Roman M (thousand, US energy/gas trade) against SI M (mega): a factor of 1000
    (r"[Mm](?:Btu|BTU|btu)s?", "'{w}' is 10^3 Btu in US usage but 10^6 Btu with the SI prefix M: "
                               "write 'kBtu' (10^3 Btu) or 'MMBtu' (10^6 Btu)"),
    (r"M(?:cf|CF|scf|SCF)", "'{w}' is 10^3 cubic feet in US usage but M is the SI prefix mega: "
                            "write '1000 ft^3' (e.g. 'kg/(1000 ft^3)') or 'MMcf' (10^6 ft^3)"),
    (r"Mlbs?", "'{w}' is 10^3 lb in US usage but 10^6 lb with the SI prefix M: write 'klb' or '1000 lb'"),
    # thermochemical (4.184 J) against International Table (4.1868 J) calories; 'Cal' is a kilocalorie
    (r"[kMG]?(?:cal|Cal|[Cc]alories?|kilocalories?|CAL)|kcals", "'{w}' is ambiguous (thermochemical "
     "calorie 4.184 J, International Table calorie 4.1868 J, food Calorie = 1000 cal): write 'cal_it', "
     "'kcal_it', 'Gcal_it' (steam and fuel tables) or 'cal_th', 'kcal_th'"),
    # US (3.785 L) against imperial (4.546 L) gallons
    (r"[kM]?(?:gal|gals|gallons?)", "'{w}' is ambiguous (US gallon 3.785 L, imperial gallon 4.546 L): "
                                    "write 'US_liquid_gallon' or 'imperial_gallon' (or litres)"),
    # pint's barrel is 31.5 US gallons; a petroleum barrel is 42
    (r"bbls?|barrels?", "'{w}' is ambiguous (pint's barrel is 31.5 US gallons, a petroleum barrel 42): "
                        "write 'oil_barrel' (42 US gallons) or litres"),
    # shipping writes 'nm' for nautical miles; pint reads nanometres (a factor of 1.9e12)
    (r"nm|NM", "'{w}' is a nanometre to pint but nautical miles in shipping: write 'nmi' (nautical mile) "
               "or 'nanometer'"),
    # a lower-case m on an energy unit is almost always a mis-cased M (10^9 apart)
    (r"m(?:Wh|J)", "'{w}' reads as milli-{u} but is usually a mis-cased 'M{u}' (10^9 times larger): "
                   "write 'M{u}', or '{u}' for the small unit"),
))

# The mass prefix is case-sensitive (Mt = megatonne, but EPA's "MT" means metric ton, so MT/mt
# are refused as ambiguous); the CO2e spelling itself is not.
_CO2E = re.compile(
    r"(?<![A-Za-z_])(Mt|MT|mt|kt|kg|g|t|tonnes?|lb)\s*[_ ]?(?i:CO2[-_ ]?e(?:q|quivalent)?)(?![A-Za-z0-9_])")
_CO2E_PREFIX = {"Mt": "Mt_CO2e", "MT": "MT_CO2e", "mt": "MT_CO2e", "kt": "kt_CO2e", "kg": "kg_CO2e",
                "g": "g_CO2e", "t": "t_CO2e", "tonne": "t_CO2e", "tonnes": "t_CO2e", "lb": "(0.45359237 kg_CO2e)"}
_TKM = re.compile(r"(?<![A-Za-z_])(?:t|tonnes?|tonne)\s*[-*·. ]\s*km(?![A-Za-z0-9_])")
_PER = re.compile(r"\s+per\s+", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-zµμ_][A-Za-z0-9µμ_]*")  # micro sign and Greek mu: both are prefixes

#: Readable names for the dimensions users meet most.
DIMENSION_NAMES: dict[str, str] = {
    "[mass]": "mass",
    "[length]": "length",
    "[length]^2": "area",
    "[length]^3": "volume",
    "[length] [mass]": "mass × distance",
    "[length]^2 [mass] [time]^-2": "energy",
    "[length]^2 [mass] [time]^-3": "power",
    "[mass_co2e]": "CO2e mass",
    "dimensionless": "dimensionless",
    "[time]": "time",
    "[length]^-2 [mass]": "mass per area",
}


def dim_string(dimensionality) -> str:
    """Deterministic text for a pint dimensionality, e.g. ``'[length]^2 [mass] [time]^-2'``."""
    items = sorted((str(k), v) for k, v in dict(dimensionality).items() if v)
    if not items:
        return "dimensionless"
    return " ".join(k if v == 1 else f"{k}^{v:g}" for k, v in items)


def dimension_name(dim: str) -> str:
    """A readable name for a pint dimensionality string, e.g. ``'energy'``."""
    return DIMENSION_NAMES.get(dim, dim)


@lru_cache(maxsize=1)
def registry():
    """The one application registry, created on first use.

    Pint parses its definition files on every start (~0.6 s). With ``LCA_PINT_CACHE`` set to a
    folder, pint caches the parsed definitions there; the CLI sets it to the user's cache folder
    (``lca`` console script only), the library never writes anywhere by default. The cache is
    written atomically and verified before use (:mod:`lca.units.cache`): a damaged or half-written
    cache is ignored and rebuilt, never fails a run.
    """
    import os

    import pint

    from lca.units.cache import build_registry

    ureg = build_registry(os.environ.get("LCA_PINT_CACHE") or None)
    for line in DEFINITIONS.strip().splitlines():
        ureg.define(line)
    pint.set_application_registry(ureg)
    return ureg


def normalize_unit(text: str) -> str:
    """Rewrite common spellings (``m2``, ``kg CO2e/kWh``, ``tonne-km``) into pint syntax.

    Raises :class:`UnitError` for ambiguous units such as ``ton``.

    >>> normalize_unit("kg CO2e / kWh")
    'kg_CO2e / kWh'
    >>> normalize_unit("t*km")
    'tkm'
    >>> normalize_unit("g/m2")
    'g/m^2'
    """
    s = " ".join(str(text).strip().split())
    if not s:
        raise UnitError(Problem("empty unit", hint="write a unit such as 'kg' or 'kWh'"))
    s = s.replace("·", "*").replace("²", "^2").replace("³", "^3")
    s = _PER.sub("/", s)
    s = _CO2E.sub(lambda m: _CO2E_PREFIX[m.group(1)], s)
    s = _TKM.sub("tkm", s)

    def token(m: re.Match[str]) -> str:
        word = m.group(0)
        if word in AMBIGUOUS:
            advice = AMBIGUOUS[word]
            raise UnitError(Problem(advice if advice.startswith("'") else f"'{word}' is ambiguous: {advice}"))
        for pattern, advice in AMBIGUOUS_FAMILIES:
            if pattern.fullmatch(word):
                raise UnitError(Problem(advice.format(w=word, u=word[1:])))
        if word in TOKEN_ALIASES:
            return TOKEN_ALIASES[word]
        return prefixed_token(word)  # prefixed forms of ambiguous bases are refused as a class

    return _TOKEN.sub(token, s)


@dataclass(frozen=True)
class UnitInfo:
    """What pint says about one unit string (or why it could not say)."""

    unit: str
    canonical: str | None
    to_base: float | None
    dimension: str | None
    error: str | None = None


@lru_cache(maxsize=4096)
def unit_info(text: str) -> UnitInfo:
    """Parse one unit string once: multiplier to SI base units and its dimension.

    Unit strings may carry a magnitude (``"12.5 m^2"`` for a roll), which becomes part of the
    multiplier. Never raises: problems are reported in ``error``.
    """
    import pint

    ureg = registry()
    try:
        norm = normalize_unit(text)
    except UnitError as exc:
        return UnitInfo(text, None, None, None, exc.problems[0].message)
    try:
        q = ureg.parse_expression(norm)
        if not isinstance(q, ureg.Quantity):
            q = ureg.Quantity(float(q), "dimensionless")
        base = q.to_base_units()
        mag = float(base.magnitude)
        if not math.isfinite(mag) or mag <= 0:
            return UnitInfo(text, None, None, None, f"unit '{text}' has a non-positive magnitude")
        dim = dim_string(base.dimensionality)
        return UnitInfo(text, f"{q.units:~}", mag, dim)
    except (pint.UndefinedUnitError, pint.errors.DefinitionSyntaxError) as exc:
        return UnitInfo(text, None, None, None, f"unknown unit '{text}' ({exc})")
    except Exception as exc:  # tokenizer errors, offsets, garbage
        return UnitInfo(text, None, None, None, f"cannot parse unit '{text}': {exc}")


def require_unit(text: str, *, expect: str | None = None, where: Problem | None = None) -> UnitInfo:
    """Parse a unit and fail loudly (typed error) if unknown or of the wrong dimension."""
    info = unit_info(text)
    loc = where.as_dict() if where else {}
    loc.pop("message", None)
    if info.error:
        raise UnitError(Problem(info.error, **loc, hint=loc.pop("hint", None) or "see README 'Units'"))
    if expect is not None and info.dimension != expect:
        raise DimensionError(Problem(
            f"unit '{text}' has dimension {dimension_name(info.dimension or '?')} "
            f"but {dimension_name(expect)} is expected", **loc))
    return info


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Multiplier taking a value in ``from_unit`` to ``to_unit`` (same dimension, else error)."""
    a, b = require_unit(from_unit), require_unit(to_unit)
    if a.dimension != b.dimension:
        raise DimensionError(Problem(
            f"cannot convert '{from_unit}' ({dimension_name(a.dimension or '?')}) "
            f"to '{to_unit}' ({dimension_name(b.dimension or '?')})"))
    return a.to_base / b.to_base  # type: ignore[operator]


def unit_table(units: Iterable[str | None]) -> pl.DataFrame:
    """One row per distinct unit string: ``unit, to_base, dimension, unit_error``.

    This is the only place a pipeline talks to pint; join the result on ``unit``.

    >>> unit_table(["kWh", "MJ", "kWh", "furlongs_per_gram"]).sort("unit").get_column("dimension").to_list()
    ['[length]^2 [mass] [time]^-2', None, '[length]^2 [mass] [time]^-2']
    """
    distinct = sorted({u for u in units if u is not None})
    infos = [unit_info(u) for u in distinct]
    return pl.DataFrame(
        {
            "unit": distinct,
            "to_base": [i.to_base for i in infos],
            "dimension": [i.dimension for i in infos],
            "unit_error": [i.error for i in infos],
        },
        schema={"unit": pl.String, "to_base": pl.Float64, "dimension": pl.String, "unit_error": pl.String},
    )


NUMERATOR_UNITS = {"co2e": "kg_CO2e", "mass": "kg", "none": "dimensionless"}


@lru_cache(maxsize=4096)
def factor_unit_info(text: str, numerator: str) -> UnitInfo:
    """Parse a factor unit whose numerator is a CO2e mass, a gas mass, or nothing.

    ``to_base`` converts a value in ``text`` to kg_CO2e (``co2e``), kg of gas (``mass``) or a
    plain number (``none``) per SI base unit of the denominator; ``dimension`` is the
    denominator's dimension, which the activity's unit must match.

    >>> i = factor_unit_info("g/MMBtu", "mass"); dimension_name(i.dimension), f"{i.to_base:.4g}"
    ('energy', '9.478e-13')
    >>> factor_unit_info("kg_CO2e/kWh", "mass").error
    "factor unit 'kg_CO2e/kWh' has a CO2e numerator but the gas is a single gas: use a plain mass such as 'kg/kWh'"
    """
    info = unit_info(text)
    if info.error:
        return info
    ureg = registry()
    q = ureg.parse_expression(normalize_unit(text))
    if not isinstance(q, ureg.Quantity):
        q = ureg.Quantity(float(q), "dimensionless")
    num = ureg.Quantity(1, NUMERATOR_UNITS[numerator])
    per = (q / num).to_base_units()
    dim = dim_string((num / q).dimensionality)
    if numerator != "co2e" and "[mass_co2e]" in dim:
        return UnitInfo(text, None, None, None,
                        f"factor unit '{text}' has a CO2e numerator but the gas is a single gas: "
                        "use a plain mass such as 'kg/kWh'")
    if numerator == "co2e" and "[mass_co2e]" in dim:
        return UnitInfo(text, None, None, None,
                        f"factor unit '{text}' must be CO2e per unit of activity, e.g. 'kg_CO2e/kWh'")
    return UnitInfo(text, info.canonical, float(per.magnitude), dim)


def factor_unit_table(pairs: pl.DataFrame) -> pl.DataFrame:
    """``unit, numerator -> f_to_base, per_dimension, unit_error`` for distinct pairs."""
    distinct = pairs.select("unit", "numerator").unique().sort("unit", "numerator")
    infos = [factor_unit_info(u, n) for u, n in distinct.iter_rows()]
    return distinct.with_columns(
        pl.Series("f_to_base", [i.to_base for i in infos], dtype=pl.Float64),
        pl.Series("per_dimension", [i.dimension for i in infos], dtype=pl.String),
        pl.Series("unit_error", [i.error for i in infos], dtype=pl.String),
    )
