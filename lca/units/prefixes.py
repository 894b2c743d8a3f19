"""Prefixed unit spellings: refused as a class when the base unit is ambiguous, never read by accident.

pint accepts every SI prefix on every unit (``kton``, ``Mbbl``, ``megacalorie``, ``Mtherm``), and
the whole-token aliases and refusals of :mod:`lca.units` only see the unprefixed spelling. So a
prefixed form would silently take pint's reading of the base — a US short ton, a 31.5-gallon
barrel, a thermochemical calorie, an ISO Btu — or an SI prefix where US trade reads a Roman
``M`` (10³). Here each token is split into (prefix, base, suffix) with pint's own
``parse_unit_name`` and checked against :data:`RULES`, one per base family; each rule is one row
of the units table in docs/study-format.md. Bases that :mod:`lca.units` reads with its own
definition (the International Table Btu, therm and quad) are rewritten to it, prefix kept.

>>> prefixed_token("kton")
Traceback (most recent call last):
...
lca.errors.UnitError: 'kton' is a prefixed ton, ...
>>> prefixed_token("PBtu"), prefixed_token("kcal_th"), prefixed_token("kg")
('PBtu_it', 'kcal_th', 'kg')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from lca.errors import Problem, UnitError


@dataclass(frozen=True)
class PrefixRule:
    """Refuse ``base`` (pint's canonical name) with a prefix.

    ``prefixes``: the prefix texts as written that are refused (``None`` = every prefix);
    ``written_ok``: spellings of the base (as written, without the prefix) that are unambiguous.
    """

    bases: frozenset[str]
    advice: str  # '{w}' = the token
    prefixes: frozenset[str] | None = None
    written_ok: Callable[[str], bool] = lambda written: False


RULES: tuple[PrefixRule, ...] = (
    # pint's 'ton' is the US short ton; 'kiloton'/'Mton' usually mean SI kilo/megatonnes (×1.1)
    PrefixRule(frozenset({"ton"}), "'{w}' is a prefixed ton, which pint reads as US short tons (2000 lb) "
               "while 'kiloton', 'Mton' usually mean metric tonnes: write 'kt', 'Mt' or 'Gt' (SI kilo-, "
               "mega-, gigatonnes) or a number of 'short_ton' (e.g. '1000 short_ton')"),
    # pint's barrel is 31.5 US gallons; US trade reads 'Mbbl' as 10^3 barrels (Roman M)
    PrefixRule(frozenset({"barrel", "oil_barrel", "beer_barrel", "imperial_barrel", "dry_barrel"}),
               "'{w}' is a prefixed barrel (pint's barrel is 31.5 US gallons, a petroleum barrel 42, and "
               "US trade reads 'Mbbl' as 10^3 barrels): write a number of 'oil_barrel' (e.g. "
               "'1000 oil_barrel') or 'm^3'"),
    PrefixRule(frozenset({"gallon", "imperial_gallon", "dry_gallon"}),
               "'{w}' is a prefixed gallon (US gallon 3.785 L or imperial 4.546 L; US trade reads M as "
               "10^3): write a number of 'US_liquid_gallon' or 'imperial_gallon' (e.g. "
               "'1000 US_liquid_gallon'), or 'm^3'"),
    # pint's 'calorie' is the thermochemical one; 'cal_th' says so, 'cal'/'calorie' do not
    PrefixRule(frozenset({"calorie"}), "'{w}' is ambiguous (thermochemical calorie 4.184 J, International "
               "Table calorie 4.1868 J): write 'kcal_it', 'Mcal_it', 'Gcal_it' (steam and fuel tables) "
               "or 'kcal_th'",
               written_ok=lambda w: w.startswith("thermochemical") or w.rstrip("s").endswith("_th")),
    # US usage: Mtherm = 10^3 therms (Roman M), the MBtu clash again
    PrefixRule(frozenset({"therm", "therm_it", "US_therm"}),
               "'{w}' is a prefixed therm (US usage reads 'Mtherm' as 10^3 therms, the SI prefix as 10^6): "
               "write a number of therms (e.g. '1000 therm') or 'MMBtu' (10 therms)"),
    PrefixRule(frozenset({"quadrillion_Btu", "quad_it"}),
               "'{w}' is a prefixed quad (10^15 Btu): write a number of 'quad', or Btu with a prefix"),
    # a lower-case m is almost always a mis-cased M (10^9 apart), as for mWh
    PrefixRule(frozenset({"tonne_of_oil_equivalent"}), "'{w}' reads as milli-toe but is usually a "
               "lower-cased 'Mtoe' (10^9 times larger): write 'Mtoe', or 'toe' for the small unit",
               prefixes=frozenset({"m"})),
    PrefixRule(frozenset({"watt_hour", "joule"}), "'{w}' reads as a milli-unit but is usually a mis-cased "
               "'M' (10^9 times larger): write 'MWh'/'MJ', or 'Wh'/'J' for the small unit",
               prefixes=frozenset({"m"})),
    PrefixRule(frozenset({"british_thermal_unit", "international_british_thermal_unit"}),
               "'{w}' is 10^3 Btu in US usage but 10^6 Btu with the SI prefix M: write 'kBtu' (10^3 Btu) "
               "or 'MMBtu' (10^6 Btu)", prefixes=frozenset({"M", "m"})),
    PrefixRule(frozenset({"pound"}), "'{w}' is 10^3 lb in US usage but 10^6 lb with the SI prefix M: "
               "write 'klb' or '1000 lb'", prefixes=frozenset({"M"})),
)

#: Bases pint defines differently from the documented reading: rewritten (prefix kept) to
#: lca's own unit, so 'PBtu' is 10^15 IT Btu as 'kBtu' is 10^3. 'Btu_iso' stays ISO as written.
REWRITE: dict[str, tuple[str, Callable[[str], bool]]] = {
    "british_thermal_unit": ("Btu_it", lambda w: w.rstrip("s") != "Btu_iso"),
    "therm": ("therm_it", lambda w: True),  # also 'EC_therm': one therm value (docs units table)
    "quadrillion_Btu": ("quad_it", lambda w: True),
}


def _split(word: str) -> list[tuple[str, str, str]]:
    """(prefix as written, pint base name, base as written) for every reading pint has of ``word``."""
    from lca.units.convert import registry

    ureg = registry()
    out = []
    for prefix, base, _suffix in ureg.parse_unit_name(word):
        for i in range(len(word)):
            head, rest = word[:i], word[i:]
            if (prefix == "") != (i == 0):
                continue
            if i and (prefix, "meter", "") not in ureg.parse_unit_name(head + "meter"):
                continue
            if any(p == "" and b == base for p, b, _ in ureg.parse_unit_name(rest)):
                out.append((head, base, rest))
                break
    return out


@lru_cache(maxsize=4096)
def prefixed_token(word: str) -> str:
    """``word`` as pint should read it: refused (:class:`UnitError` with advice) if it is a prefixed
    form of an ambiguous base, rewritten if its base is one lca defines itself, else unchanged."""
    readings = _split(word)
    for head, base, written in readings:
        for rule in RULES:
            if (base in rule.bases and head and not rule.written_ok(written)
                    and (rule.prefixes is None or head in rule.prefixes)):
                raise UnitError(Problem(rule.advice.format(w=word)))
    if len(readings) == 1 and readings[0][1] in REWRITE:
        head, base, written = readings[0]
        target, applies = REWRITE[base]
        if applies(written):
            return head + target
    return word
