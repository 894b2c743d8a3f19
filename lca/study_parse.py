"""Parsing helpers for study files: quantities with units, amounts, key checks, table files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from lca.errors import Problem, StudyError
from lca.units import require_unit

_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Quantity:
    """A magnitude with its unit string (parsed and dimension-checked at load)."""

    value: float
    unit: str

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"

    def to(self, unit: str) -> float:
        """Magnitude in another unit of the same dimension."""
        from lca.units import conversion_factor

        return self.value * conversion_factor(self.unit, unit)


@dataclass(frozen=True)
class Product:
    name: str
    declared_unit: Quantity
    mass_per_declared_unit: Quantity
    separator_per_cell_energy: Quantity | None = None
    pack_energy: Quantity | None = None
    annual_volume: Quantity | None = None
    shipped_mass_ratio: float = 1.0


def parse_quantity(value: Any, *, file: str, where: str, key: str, expect: str | None = None) -> Quantity:
    """``"7.9 g"`` or ``{value = 7.9, unit = "g"}`` → :class:`Quantity`, unit checked."""
    if isinstance(value, Mapping) and "value" in value and "unit" in value:
        number, unit = value["value"], str(value["unit"])
    elif isinstance(value, str):
        m = _NUMBER_UNIT.match(value)
        if not m:
            raise StudyError(Problem(f"'{value}' is not a number followed by a unit", file=file, table=where,
                                     column=key, hint='write e.g. "7.9 g" or "0.2 kWh"'))
        number, unit = m.group(1), m.group(2) or "dimensionless"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        raise StudyError(Problem(f"{value} has no unit", file=file, table=where, column=key,
                                 hint=f'write it with its unit, e.g. "{value} kg"'))
    else:
        raise StudyError(Problem(f"expected a quantity such as \"7.9 g\", got {value!r}", file=file, table=where,
                                 column=key))
    try:
        number = float(number)
    except (TypeError, ValueError):
        raise StudyError(Problem(f"{number!r} is not a number", file=file, table=where, column=key)) from None
    require_unit(unit, expect=_dim_of(expect), where=Problem("", file=file, table=where, column=key))
    return Quantity(number, unit)


def _dim_of(name: str | None) -> str | None:
    if name is None:
        return None
    from lca.units import unit_info
    return unit_info({"area": "m^2", "mass": "kg", "energy": "kWh", "length": "km",
                      "area per energy": "m^2/kWh", "mass per area": "kg/m^2"}[name]).dimension


def _split_amount(entry: Mapping[str, Any], *, file: str, where: str) -> tuple[float | None, str | None]:
    """Exchange/leg amounts: ``amount = "7.9 g"`` or ``amount = 7.9`` with ``unit = "g"``."""
    amount = entry.get("amount", entry.get("distance"))
    unit = entry.get("unit")
    if isinstance(amount, str):
        m = _NUMBER_UNIT.match(amount)
        if not m or not m.group(2):
            raise StudyError(Problem(f"'{amount}' is not a number followed by a unit", file=file, table=where,
                                     hint='write e.g. "7.9 g"'))
        return float(m.group(1)), m.group(2)
    if isinstance(amount, (int, float)) and not isinstance(amount, bool):
        if unit is None:
            raise StudyError(Problem(f"amount {amount} has no unit", file=file, table=where, column="unit",
                                     hint="add unit = \"...\" or write the amount as a string with its unit"))
        return float(amount), str(unit)
    raise StudyError(Problem("missing amount", file=file, table=where, column="amount",
                             hint='write amount = "7.9 g"'))


def _check_keys(entry: Mapping[str, Any], allowed: set[str], *, file: str, where: str) -> list[Problem]:
    return [Problem(f"unknown key '{k}'", file=file, table=where, column=k,
                    hint="allowed keys: " + ", ".join(sorted(allowed)))
            for k in entry if k not in allowed]


def _read_table(base: Path, name: str, *, file: str) -> pl.DataFrame:
    path = (base / name)
    try:
        if path.suffix.lower() == ".parquet":
            return pl.read_parquet(path)
        return pl.read_csv(path, infer_schema=False, encoding="utf8")
    except FileNotFoundError:
        raise StudyError(Problem(f"table file '{name}' not found next to the study", file=file,
                                 table="tables")) from None
    except Exception as exc:
        raise StudyError(Problem(f"cannot read table file '{name}': {exc}", file=file, table="tables",
                                 hint="use UTF-8 CSV with a header row, or Parquet")) from None


