"""Number, unit and label formatting for the report: one style everywhere, deterministic.

Numbers use significant digits (not fixed decimals, since per-m² values are small and per-year
values large), a true minus sign and a narrow no-break space between groups of thousands.

>>> num(0.188638)
'0.189'
>>> num(-0.0062178)
'−0.00622'
>>> num(700000.0).replace(THIN, ' ')
'700 000'
>>> num(132047.3).replace(THIN, ' ')
'132 000'
>>> exact(17800.0) == '17' + THIN + '800', exact(0.4025), exact(10.0)
(True, '0.4025', '10')
>>> pct(0.0329607).replace(THIN, ' ')
'3.3 %'
>>> unit("kg_CO2e/m^2")
'kg CO₂e/m²'
"""

from __future__ import annotations

import math

THIN = "\u202f"  # narrow no-break space: between groups of thousands and before a unit
MINUS = "\u2212"

#: Display names of the flow categories the engine emits (stage names come from the study's profile).
CATEGORY_LABELS = {"electricity": "Electricity", "heat": "Heat (fuel)", "materials": "Materials",
                   "process_emissions": "Process emissions", "waste": "Waste treatment", "transport": "Transport",
                   "other": "Other"}
MODE_LABELS = {"container_ship": "container ship", "truck": "truck", "rail": "rail", "air": "air freight",
               "bulk_ship": "bulk ship", "barge": "barge"}
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _group(digits: str) -> str:
    """Thousands grouping of an integer digit string with narrow spaces (ISO 80000 style)."""
    if len(digits) <= 4:  # 4-digit numbers stay ungrouped, as ISO style allows
        return digits
    out = []
    while digits:
        out.append(digits[-3:])
        digits = digits[:-3]
    return THIN.join(reversed(out))


def num(value: float | None, sig: int = 3, *, signed: bool = False) -> str:
    """``value`` to ``sig`` significant digits (no exponent for everyday magnitudes)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    value = float(f"{value:.{sig - 1}e}")  # round to sig digits first: 99.96 → 100, then format
    mag = math.floor(math.log10(abs(value)))
    if mag < -6 or mag > 12:
        m, e = f"{value:.{sig - 1}e}".split("e")
        return f"{m.replace('-', MINUS)}{THIN}×{THIN}10{_sup(int(e))}"
    decimals = max(0, sig - 1 - mag)
    if mag >= sig:  # large numbers: round to sig digits too (132 047 → 132 000)
        value = round(value, sig - 1 - mag)
    text = f"{abs(value):.{decimals}f}"
    if "." in text:
        whole, frac = text.split(".")
        text = f"{_group(whole)}.{frac}"
    else:
        text = _group(text)
    sign = MINUS if value < 0 else ("+" if signed else "")
    return sign + text


def exact(value: float | None) -> str:
    """An input as written (up to 6 significant digits, no padding zeros): distances, amounts, factors."""
    if value is None:
        return "–"
    text = f"{value:.6g}"
    if "e" in text:
        return num(value, 6)
    whole, _, frac = text.partition(".")
    sign = MINUS if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    return sign + _group(whole) + (f".{frac}" if frac else "")


def tick(value: float, step: float) -> str:
    """An axis tick label with just the decimals its step needs (0.05 → '0.05', not '0.0500')."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    if step > 0 and round(step * 10 ** decimals, 6) % 1:
        decimals += 1
    text = f"{abs(value):.{decimals}f}"
    if float(text) == 0:
        return "0"
    whole, _, frac = text.partition(".")
    return (MINUS if value < 0 else "") + _group(whole) + (f".{frac}" if frac else "")


def _sup(e: int) -> str:
    return str(e).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def pct(share: float | None, *, signed: bool = False, decimals: int = 1) -> str:
    """A share (0.033) as a percentage ('3.3 %'), with a true minus sign."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    v = share * 100
    text = f"{abs(v):.{decimals}f}"
    if float(text) == 0:
        return f"0{'.' + '0' * decimals if decimals else ''}{THIN}%"
    sign = MINUS if v < 0 else ("+" if signed else "")
    return f"{sign}{text}{THIN}%"


def unit(u: str | None) -> str:
    """Engine unit strings as typeset units: ``kg_CO2e/m^2`` → ``kg CO₂e/m²``."""
    if not u:
        return ""
    out = (u.replace("kg_CO2e", "kg CO2e").replace("t_CO2e", "t CO2e").replace("g_CO2e", "g CO2e")
           .replace("^2", "²").replace("^3", "³").replace("CO2e", "CO₂e").replace("/yr", "/year"))
    return out


def qty(value: float | None, u: str | None, sig: int = 3) -> str:
    """Number and unit with a narrow space: ``0.189 kg CO₂e/m²``."""
    return f"{num(value, sig)}{THIN}{unit(u)}" if u else num(value, sig)


def gas(name: str) -> str:
    """Gas names with subscripts: ``CH4_fossil`` → ``CH₄ (fossil)``."""
    base, _, origin = name.partition("_")
    base = base.translate(_SUB) if base not in ("CO2e",) else "CO₂e"
    return f"{base} ({origin.replace('nonfossil', 'non-fossil')})" if origin else base


def stage(name: str) -> str:
    """A stage id made readable, for a stage the study gives no label (``raw_materials`` → ``Raw materials``)."""
    return name.replace("_", " ").capitalize()


def category(name: str) -> str:
    """Display name of a flow category."""
    return CATEGORY_LABELS.get(name, name.replace("_", " ").capitalize())


def mode(name: str | None) -> str:
    """Display name of a transport mode."""
    if not name:
        return "–"
    return MODE_LABELS.get(name, name.replace("_", " "))


def humanise(name: str | None) -> str:
    """``dichloromethane_to_air`` → ``dichloromethane to air`` (ids made readable)."""
    return "–" if name is None else name.replace("_", " ")
