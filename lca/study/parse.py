"""Parsing helpers for study files: quantities with units, amounts, key checks."""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
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
    shipped_mass_ratio: float = 1.0


def parse_quantity(value: Any, *, file: str, where: str, key: str, expect: str | None = None,
                   divisor: bool = False, like: str | None = None) -> Quantity:
    """``"7.9 g"`` or ``{value = 7.9, unit = "g"}`` → :class:`Quantity`, unit checked, finite.

    A ``divisor`` (a declared unit, a process output) must also not be subnormal. ``like`` is the unit
    the fix hint of a bare number suggests (default: the ``expect``-ed dimension's, else kg): a
    warranty of ``8`` must be told "8 year", not "8 kg".
    """
    if isinstance(value, Mapping) and "value" in value and "unit" in value:
        number, unit = value["value"], value["unit"]
        if not isinstance(unit, str) or isinstance(number, (bool, str)):
            raise StudyError(Problem(f"expected {{ value = <number>, unit = \"<unit>\" }}, got {dict(value)!r:.80}",
                                     file=file, table=where, column=key))
    elif isinstance(value, str) and _expression(value):
        return _evaluated(value, where=where, key=key, expect=_dim_of(expect), divisor=divisor, file=file)
    elif isinstance(value, str):
        m = _NUMBER_UNIT.match(value)
        if not m:
            raise StudyError(Problem(f"'{value}' is not a number followed by a unit", file=file, table=where,
                                     column=key, hint='write e.g. "7.9 g" or "0.2 kWh"'))
        number, unit = m.group(1), m.group(2) or "dimensionless"
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        unit = like or _EXAMPLE_UNIT.get(expect or "", "kg")
        raise StudyError(Problem(f"{value} has no unit", file=file, table=where, column=key,
                                 hint=f'write it with its unit, e.g. "{value} {unit}"'))
    else:
        raise StudyError(Problem(f"expected a quantity such as \"7.9 g\", got {value!r}", file=file, table=where,
                                 column=key))
    try:
        number = float(number)
    except OverflowError:  # a TOML integer beyond float range
        number = float("inf")
    except (TypeError, ValueError):
        raise StudyError(Problem(f"{number!r:.60} is not a number", file=file, table=where, column=key)) from None
    info = require_unit(unit, expect=_dim_of(expect), where=Problem("", file=file, table=where, column=key))
    problem = magnitude_problem(number, info.to_base, divisor=divisor)
    if problem:
        shown = repr(value) if isinstance(value, str) else f"{number!r} {unit}"
        raise StudyError(Problem(f"{shown} {problem}", file=file, table=where, column=key))
    return Quantity(number, unit)


def magnitude_problem(number: float, to_base: float | None = 1.0, *, divisor: bool = False) -> str | None:
    """Why ``number`` (times ``to_base``, its SI multiplier) cannot be computed with, or None.

    Infinite and NaN amounts are refused. A ``divisor`` must not be a non-zero amount below the
    smallest normal float (a subnormal): dividing by one overflows.

    A finite number whose value in SI base units is not (``1e308 kWh`` = 3.6e314 J) is too large,
    not "not finite": the number as written is fine, its unit takes it out of range.

    >>> magnitude_problem(5e-324, divisor=True), magnitude_problem(5e-324), magnitude_problem(float("inf"))
    ('is too small to compute with (below 2.2e-308)', None, 'is not a finite number')
    >>> magnitude_problem(1e308, 3.6e6)
    'is too large to compute with (above 1.8e+308 in SI base units)'
    """
    base = number * (to_base or 1.0)
    if not math.isfinite(number):
        return "is not a finite number"
    if not math.isfinite(base):
        return f"is too large to compute with (above {sys.float_info.max:.2g} in SI base units)"
    if divisor and number != 0 and min(abs(number), abs(base)) < sys.float_info.min:
        return f"is too small to compute with (below {sys.float_info.min:.2g})"
    return None


def _dim_of(name: str | None) -> str | None:
    if name is None:
        return None
    from lca.units import unit_info
    return unit_info(_EXAMPLE_UNIT[name]).dimension


#: a unit of each dimension name ``expect`` takes
_EXAMPLE_UNIT = {"area": "m^2", "mass": "kg", "energy": "kWh", "length": "km", "area per energy": "m^2/kWh",
                 "mass per area": "kg/m^2"}


def _split_amount(entry: Mapping[str, Any], *, file: str, where: str,
                  key: str = "amount") -> tuple[float | None, str | None]:
    """Exchange amounts and leg distances (``key``): ``"7.9 g"``, or ``7.9`` with ``unit = "g"``."""
    amount = entry.get(key)
    unit = entry.get("unit")
    if isinstance(amount, str) and _expression(amount):
        if unit is not None:
            raise StudyError(Problem(f"the unit is given twice ('{amount}' and unit = '{unit}')", file=file,
                                     table=where, column="unit", hint="an expression carries its unit: remove unit"))
        q = _evaluated(amount, where=where, key=key, expect=None, divisor=False, file=file)
        return q.value, q.unit
    if isinstance(amount, str):
        m = _NUMBER_UNIT.match(amount)
        if not m or not m.group(2):
            raise StudyError(Problem(f"'{amount}' is not a number followed by a unit", file=file, table=where,
                                     column=key, hint='write e.g. "7.9 g"'))
        if unit is not None:
            raise StudyError(Problem(f"the unit is given twice ('{amount}' and unit = '{unit}')", file=file,
                                     table=where, column="unit", hint="keep one of them"))
        return float(m.group(1)), m.group(2)
    if isinstance(amount, (int, float)) and not isinstance(amount, bool):
        if unit is None:
            raise StudyError(Problem(f"amount {amount} has no unit", file=file, table=where, column="unit",
                                     hint="add unit = \"...\" or write the amount as a string with its unit"))
        if not isinstance(unit, str):
            raise StudyError(Problem(f"unit must be a string, got {unit!r:.60}", file=file, table=where,
                                     column="unit"))
        try:
            return float(amount), unit
        except OverflowError:  # a TOML integer beyond float range: reported as not finite downstream
            return float("inf"), unit
    if amount is not None:
        raise StudyError(Problem(f"must be a number or a string such as \"7.9 g\", got {type(amount).__name__} "
                                 f"{amount!r:.60}", file=file, table=where, column=key))
    raise StudyError(Problem(f"missing {key}", file=file, table=where, column=key,
                             hint=f'write {key} = "7.9 g"' if key == "amount" else 'write distance = "100 km"'))


def _expression(text: str) -> bool:
    """Whether ``text`` is an expression of the study's parameters (see :mod:`lca.study.expressions`)."""
    from lca.study.expressions import active

    params = active()
    return params is not None and params.is_expression(text)


def _evaluated(text: str, *, where: str, key: str, expect: str | None, divisor: bool, file: str) -> Quantity:
    from lca.study.expressions import active
    from lca.units import unit_info

    q = active().evaluate(text, where=where, key=key, expect=expect)
    problem = magnitude_problem(q.value, unit_info(q.unit).to_base, divisor=divisor)
    if problem:
        raise StudyError(Problem(f"{text!r} = {q} {problem}", file=file, table=where, column=key))
    return q


def _check_keys(entry: Mapping[str, Any], allowed: set[str], *, file: str, where: str) -> list[Problem]:
    return [Problem(f"unknown key '{k}'", file=file, table=where, column=k,
                    hint="allowed keys: " + ", ".join(sorted(allowed)))
            for k in entry if k not in allowed]


def primary_problems(entry: Mapping[str, Any], file: str, where: str) -> list[Problem]:
    """``primary`` on an exchange or a leg must be a TOML boolean (absent = false)."""
    v = entry.get("primary")
    if v is None or isinstance(v, bool):
        return []
    return [Problem(f"primary must be true or false, got {v!r}", file=file, table=where, column="primary",
                    hint="write primary = true for the company's own measured data, else leave it out")]


def unknown_columns(df: pl.DataFrame, allowed: set[str], *, file: str, table: str) -> list[Problem]:
    """Columns a table file has but the format does not know (typos such as 'factr')."""
    return [Problem(f"unknown column '{c}'", file=file, table=table, column=c,
                    hint="allowed columns: " + ", ".join(sorted(allowed)))
            for c in df.columns if c not in allowed]
