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
        if unit is not None:
            raise StudyError(Problem(f"the unit is given twice ('{amount}' and unit = '{unit}')", file=file,
                                     table=where, column="unit", hint="keep one of them"))
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


def primary_problems(entry: Mapping[str, Any], file: str, where: str) -> list[Problem]:
    """``primary`` on an exchange or a leg must be a TOML boolean (absent = false)."""
    v = entry.get("primary")
    if v is None or isinstance(v, bool):
        return []
    return [Problem(f"primary must be true or false, got {v!r}", file=file, table=where, column="primary",
                    hint="write primary = true for the company's own measured data, else leave it out")]


def _read_table(base: Path, name: str, *, file: str) -> pl.DataFrame:
    path = (base / name)
    from lca.csvfiles import delimiter_problem

    wrong_delimiter = delimiter_problem(path) if path.is_file() else None
    if wrong_delimiter:  # would read as one column and fail with a misleading message
        raise StudyError(wrong_delimiter)
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




# ----------------------------------------------------------------------------- document shape

_TABLE, _TABLES, _NUMBER = "a table", "an array of tables ([[...]] or [{...}, ...])", "a number"
TOP_SHAPES = {"study": _TABLE, "method": _TABLE, "product": _TABLE, "site": _TABLES, "process": _TABLES,
              "route": _TABLES, "scenario": _TABLES, "comparison": _TABLE, "tables": _TABLE, "factors": _TABLE,
              "uncertainty": _TABLES, "pact": _TABLE}


def _is(value: Any, shape: str) -> bool:
    if shape == _TABLE:
        return isinstance(value, Mapping)
    if shape == _TABLES:
        return isinstance(value, list) and all(isinstance(v, Mapping) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def shape_problems(doc: Mapping[str, Any], file: str) -> list[Problem]:
    """Structural type errors (a string where a list of tables belongs, a bool as a yield, …).

    Checked before anything is parsed, so later code can rely on the shapes and a user gets a
    message instead of a traceback.
    """
    problems: list[Problem] = []

    def need(value: Any, shape: str, table: str, column: str | None = None) -> bool:
        if _is(value, shape):
            return True
        problems.append(Problem(f"must be {shape}, got {type(value).__name__} {value!r:.60}", file=file,
                                table=table, column=column))
        return False

    for key, shape in TOP_SHAPES.items():
        if key in doc:
            need(doc[key], shape, key)
    if _is(doc.get("process", []), _TABLES):
        for i, p in enumerate(doc.get("process", []), 1):
            where = f"process '{p.get('id', f'#{i}')}'"
            if "exchanges" in p:
                need(p["exchanges"], _TABLES, where, "exchanges")
            if "yield" in p:
                need(p["yield"], _NUMBER, where, "yield")
    if _is(doc.get("route", []), _TABLES):
        for i, r in enumerate(doc.get("route", []), 1):
            if "legs" in r:
                need(r["legs"], _TABLES, f"route #{i}", "legs")
    if _is(doc.get("scenario", []), _TABLES):
        for i, sc in enumerate(doc.get("scenario", []), 1):
            where = f"scenario '{sc.get('id', f'#{i}')}'"
            for key in ("steps", "transport"):
                if key in sc:
                    need(sc[key], _TABLES, where, key)
            if "mix" in sc and need(sc["mix"], _TABLE, where, "mix"):
                for comp, share in sc["mix"].items():
                    need(share, _NUMBER, where, f"mix.{comp}")
            if _is(sc.get("transport", []), _TABLES):
                for k, t in enumerate(sc.get("transport", []), 1):
                    if "legs" in t:
                        need(t["legs"], _TABLES, f"{where} transport #{k}", "legs")
                    if "packaging_factor" in t:
                        need(t["packaging_factor"], _NUMBER, f"{where} transport #{k}", "packaging_factor")
    files = doc.get("factors", {}).get("files") if _is(doc.get("factors", {}), _TABLE) else None
    if files is not None and not (isinstance(files, str) or (isinstance(files, list)
                                                             and all(isinstance(f, str) for f in files))):
        problems.append(Problem("must be a file name or a list of file names", file=file, table="factors",
                                column="files"))
    return problems


def unknown_columns(df: pl.DataFrame, allowed: set[str], *, file: str, table: str) -> list[Problem]:
    """Columns a table file has but the format does not know (typos such as 'factr')."""
    return [Problem(f"unknown column '{c}'", file=file, table=table, column=c,
                    hint="allowed columns: " + ", ".join(sorted(allowed)))
            for c in df.columns if c not in allowed]
