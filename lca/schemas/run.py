"""How a pandera model runs: coercion with located messages, every problem at once, in plain words.

:func:`validate_table` always validates a *collected* DataFrame with ``lazy=True`` so a user sees
every problem at once (pandera only checks the schema, not the data, of a LazyFrame by default).
What users declare (the models) lives beside this module (:mod:`lca.schemas`).
"""

from __future__ import annotations

from typing import Iterable

import pandera.polars as pa
import polars as pl

from lca.errors import Problem, SchemaError
from lca.schemas.base import ID, REGION


# ------------------------------------------------------------------------------------ running it

_NUMERIC = (pl.Float64, pl.Int64, pl.Boolean)


def required_columns(model: type[pa.DataFrameModel]) -> dict[str, pl.DataType]:
    """Column name → polars dtype of a model (aliases resolved)."""
    schema = model.to_schema()
    return {name: col.dtype.type for name, col in schema.columns.items()}


def coerce_columns(df: pl.DataFrame, model: type[pa.DataFrameModel], *, file: str | None,
                   table: str | None, row_offset: int = 1) -> tuple[pl.DataFrame, list[Problem]]:
    """Cast columns to the model's dtypes, reporting every value that does not fit by row.

    CSV/TOML give us strings and ints; pandera's own coercion names the column but not the row,
    so we do it here with ``strict=False`` and compare nulls before and after.
    """
    problems: list[Problem] = []
    schema = model.to_schema()
    missing = [c for c in schema.columns if c not in df.columns]
    for name in missing:
        col = schema.columns[name]
        if col.nullable:
            df = df.with_columns(pl.lit(None, dtype=col.dtype.type).alias(name))
        else:
            problems.append(Problem(f"missing required column '{name}'", file=file, table=table,
                                    column=name, hint=f"add a '{name}' column"))
    casts = []
    for name, col in schema.columns.items():
        if name not in df.columns:
            continue
        want = col.dtype.type
        have = df.schema[name]
        if have == want:
            continue
        if want == pl.Boolean and have == pl.String:
            expr = pl.col(name).str.to_lowercase().replace_strict(
                {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False, "": None},
                default=None, return_dtype=pl.Boolean)
        elif have == pl.String and want in (pl.Float64, pl.Int64):
            expr = pl.col(name).str.strip_chars().cast(want, strict=False)
        else:
            expr = pl.col(name).cast(want, strict=False)
        casts.append((name, have, want, expr))
    if casts:
        cast_df = df.select([e.alias(n) for n, _, _, e in casts])
        for name, have, want, _ in casts:
            bad = df.with_row_index("__i").filter(
                df.get_column(name).is_not_null()
                & (df.get_column(name).cast(pl.String) != "")
                & cast_df.get_column(name).is_null())
            for i, v in bad.select("__i", name).iter_rows():
                problems.append(Problem(f"value {v!r} is not a valid {_dtype_word(want)}", file=file,
                                        table=table, row=i + row_offset, column=name,
                                        hint=f"write a {_dtype_word(want)}"))
        df = df.with_columns([cast_df.get_column(n) for n, _, _, _ in casts])
    return df, problems


def _dtype_word(dtype: pl.DataType) -> str:
    return {pl.Float64: "number", pl.Int64: "whole number", pl.Boolean: "true/false"}.get(dtype, str(dtype))


_CHECK_WORDS = {
    "field_uniqueness": ("value {v!r} is duplicated", "ids must be unique"),
    "not_nullable": ("value is missing", "fill in this cell"),
    "greater_than_or_equal_to(0)": ("value {v} is negative", "use a value >= 0"),
    "greater_than(0)": ("value {v} must be > 0", "use a positive value"),
    "less_than_or_equal_to(1)": ("value {v} is above 1", "use a fraction between 0 and 1"),
    "greater_than_or_equal_to(1)": ("value {v} must be >= 1", "use a value >= 1"),
}


#: Plain words for the id and code patterns (a regex is not a fix a user can act on).
_PATTERN_WORDS = {
    ID: "letters, digits, '_', '.', ':' or '-', starting with a letter or digit",
    REGION: "a region code such as 'GLO', 'US', 'US-NC' or 'CN-EAST'",
    r"^[A-Z]{2}$": "a two-letter ISO country code in capitals, such as 'JP'",
    r"^[a-z0-9][a-z0-9_.-]*$": "lower-case letters, digits, '_', '.' or '-', starting with a letter or digit",
    r"^[a-z0-9_]+$": "lower-case letters, digits and '_' only",
}
_BOUNDS = {"greater_than_or_equal_to": ("min_value", "is below {x}", "use a value >= {x}"),
           "greater_than": ("min_value", "must be greater than {x}", "use a value > {x}"),
           "less_than_or_equal_to": ("max_value", "is above {x}", "use a value <= {x}"),
           "less_than": ("max_value", "must be less than {x}", "use a value < {x}")}


def _check_problem(check: str, value: object, file: str | None, table: str | None,
                   row: int | None, column: str | None, stats: dict | None = None) -> Problem:
    """A failed pandera check in plain words (never the check's own name, e.g. ``less_than_or_equal_to(5)``)."""
    loc = dict(file=file, table=table, row=row, column=column)
    words = _CHECK_WORDS.get(check)
    if words:
        msg, hint = words
        return Problem(msg.format(v=value), **loc, hint=hint)
    name, stats = check.split("(")[0], stats or {}
    if name == "isin":
        allowed = ", ".join(str(v) for v in stats.get("allowed_values", [])) or check[5:-1]
        return Problem(f"value {value!r} is not allowed", **loc, hint=f"use one of: {allowed}")
    if name == "str_matches":
        pattern = stats.get("pattern", check[12:-1].strip("'"))
        return Problem(f"value {value!r} has the wrong form", **loc,
                       hint=f"write {_PATTERN_WORDS[pattern]}" if pattern in _PATTERN_WORDS
                       else f"it must match {pattern}")
    if name == "str_length":
        lo, hi = stats.get("min_value"), stats.get("max_value")
        if lo is not None and len(str(value)) < lo:
            cite = " (a full citation)" if column == "source" else ""
            return Problem(f"value {value!r} is too short", **loc, hint=f"write at least {lo} characters{cite}")
        return Problem(f"value {value!r} is too long", **loc, hint=f"write at most {hi} characters")
    if name in _BOUNDS and stats:
        key, msg, hint = _BOUNDS[name]
        x = f"{stats[key]:g}" if isinstance(stats[key], float) else stats[key]
        return Problem(f"value {value} {msg.format(x=x)}", **loc, hint=hint.format(x=x))
    if name == "in_range" and stats:
        lo, hi = stats["min_value"], stats["max_value"]
        return Problem(f"value {value} is outside {lo} to {hi}", **loc, hint=f"use a value from {lo} to {hi}")
    return Problem(f"value {value!r} fails the check '{check}'", **loc)


def validate_table(df: pl.DataFrame, model: type[pa.DataFrameModel], *, file: str | None = None,
                   table: str | None = None, row_offset: int = 1,
                   row_numbers: Iterable[int] | None = None) -> pl.DataFrame:
    """Coerce and validate ``df`` against ``model``; raise :class:`SchemaError` with every problem.

    ``row_offset`` turns 0-based frame positions into the numbers a user sees (1 = first data row);
    ``row_numbers`` overrides that with an explicit number per row.
    """
    if isinstance(df, pl.LazyFrame):  # never trust schema-only validation of a LazyFrame
        df = df.collect()
    df, problems = coerce_columns(df, model, file=file, table=table, row_offset=row_offset)
    problems += _non_finite(df, model, file=file, table=table, row_offset=row_offset)
    numbers = list(row_numbers) if row_numbers is not None else None
    # cells already reported (not a number, not finite) are not reported again by a range check;
    # every other check still runs, so a file's problems come in one pass, not in rounds
    reported = {(p.row, p.column) for p in problems if p.row is not None}
    if df.height == 0:
        if problems:
            raise SchemaError(_renumber(problems, numbers, row_offset))
        return df
    stats = {(name, c.error): c.statistics for name, col in model.to_schema().columns.items() for c in col.checks}
    try:
        checked = model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        seen: set[tuple] = set()
        for case, context, column, check, _num, index in fc.iter_rows():
            if str(case).startswith(("ComputeError(", "ColumnNotFoundError(")):
                continue  # the check could not run: a missing column gets its own problem
            row = None if index is None else int(index) + row_offset
            if context == "DataFrameSchema" and check.startswith("column_in_dataframe"):
                problems.append(Problem(f"missing required column '{case}'", file=file, table=table,
                                        column=str(case), hint=f"add a '{case}' column"))
                continue
            col = None if context == "DataFrameSchema" else column
            if context == "DataFrameSchema":
                key = (check, row)
                if key in seen:
                    continue
                seen.add(key)
                problems.append(Problem(str(check), file=file, table=table, row=row))
                continue
            if (row, col) in reported:
                continue
            problems.append(_check_problem(str(check), case, file, table, row, col, stats.get((col, str(check)))))
        raise SchemaError(_renumber(problems, numbers, row_offset)) from None
    if problems:
        raise SchemaError(_renumber(problems, numbers, row_offset))
    return checked


def _non_finite(df: pl.DataFrame, model: type[pa.DataFrameModel], *, file: str | None, table: str | None,
                row_offset: int) -> list[Problem]:
    """NaN and ±inf in the model's number columns (they pass every range check: NaN >= 0 is true)."""
    from lca.schemas import FINITE_MODELS  # declared beside the models (the package imports this module)

    cols = [n for n, c in model.to_schema().columns.items() if c.dtype.type == pl.Float64 and n in df.columns
            and df.schema[n] == pl.Float64]
    if not cols or model not in FINITE_MODELS:
        return []
    bad = (df.select(cols).with_row_index("__i")
           .unpivot(index="__i", on=cols, variable_name="__c", value_name="__v")
           .filter(pl.col("__v").is_not_null() & ~pl.col("__v").is_finite()).sort("__i", "__c"))
    return [Problem(f"value {v} is not finite", file=file, table=table, row=i + row_offset, column=c,
                    hint="write a finite number") for i, c, v in bad.select("__i", "__c", "__v").iter_rows()]


def _renumber(problems: list[Problem], numbers: list[int] | None, row_offset: int) -> list[Problem]:
    if numbers is None:
        return problems
    out = []
    for p in problems:
        if p.row is not None and 0 <= p.row - row_offset < len(numbers):
            p = Problem(**{**p.as_dict(), "row": numbers[p.row - row_offset]})
        out.append(p)
    return out
