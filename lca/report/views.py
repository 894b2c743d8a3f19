"""How the report words a study's views (units of analysis): their units and conversion factors.

"per kWh" alone is ambiguous in a battery footprint: per kWh of a cell's capacity (the views here) or
per kWh of energy a battery delivers over its life (the EU Battery Regulation's declared unit). A
view's unit is therefore written with the study's own label of the view, and a factor says what it
converts into what.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.report import fmt
from lca.report.words import spoken


def view_unit(fp: Any, view: str) -> str:
    """A study view's result unit in words, so "per kWh" cannot be misread: the CO₂e mass and the study's
    label of the view ("kg CO₂e per kWh of cell capacity", "t CO₂e per year of supply")."""
    row = fp.views.filter(pl.col("view") == view).row(0, named=True)
    mass = fmt.unit(str(row["unit"]).partition("/")[0])
    label = str(row["label"] or "")
    return f"{mass} {label}" if label.startswith("per ") else fmt.unit(row["unit"])


def per_energy(unit: str) -> bool:
    """Is ``unit`` (kg CO₂e per something) per an amount of energy (kWh, MJ)?"""
    from lca.units import unit_info

    try:
        return unit_info(unit.partition("/")[2]).dimension == unit_info("kWh").dimension
    except Exception:  # a count unit ("vehicle") has no dimension to compare
        return False


def conversion_label(declared_unit: Any, factor: float, unit: str, label: str | None = None) -> str:
    """What a view's factor converts into what: declared units per unit of the view, then any change of the
    CO₂e mass unit. The factor takes kg CO₂e per declared unit to ``unit`` (e.g. ``t_CO2e/yr``).

    >>> from lca.study.parse import Quantity
    >>> conversion_label(Quantity(1.0, "m^2"), 114.94, "kg_CO2e/kg")
    '× 114.9 m² per kg'
    >>> conversion_label(Quantity(1.0, "m^2"), 7e5, "t_CO2e/yr").replace(fmt.THIN, " ")
    '× 700 000 000 m² per year, ÷ 1000 (kg → t)'
    >>> conversion_label(Quantity(2.0, "m^2"), 375.0, "kg_CO2e/vehicle")
    '× 375 declared units (2 m²) per vehicle'
    >>> conversion_label(Quantity(1.0, "m^2"), 10.0, "kg_CO2e/kWh", "per kWh of cell capacity")
    '× 10 m² per kWh of cell capacity'
    """
    from lca.units import conversion_factor

    mass, _, per = unit.partition("/")
    to_mass = conversion_factor("kg_CO2e", mass)  # 1 kg CO₂e in the view's mass unit (t: 0.001)
    count = factor / to_mass  # declared units per one `per`
    per_word = label[4:] if label and label.startswith("per ") else fmt.unit(f"/{per}")[1:]
    du = fmt.unit(str(declared_unit.unit))
    what = du if declared_unit.value == 1 else f"declared units ({fmt.exact(declared_unit.value)} {du})"
    text = f"× {fmt.exact(float(f'{count:.4g}'))} {what} per {per_word}"
    if to_mass != 1:
        step = f"÷ {fmt.exact(1 / to_mass)}" if to_mass < 1 else f"× {fmt.exact(to_mass)}"
        text += f", {step} (kg → {fmt.unit(mass).split()[0]})"
    return text


def energy_note(labels: list[str]) -> str:
    """The sentence under the views table when some view is per an amount of energy (``labels``: those
    views' labels): such a kWh is not the EU Battery Regulation's kWh delivered over a service life."""
    if not labels:
        return ""
    return (f"Results {spoken(labels)} are per kWh as the study defines it, not per kWh of the total energy a "
            "battery delivers over its service life, the EU Battery Regulation's declared unit for battery "
            "carbon footprints (for a car battery, a denominator several hundred times larger): they cannot be "
            "compared with such declarations.")
