"""pandera models of the uncertainty result frames (the contract with reports and exports)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandera.polars as pa
import polars as pl

from lca.errors import InternalError, LcaInputError
from lca.schemas import validate_table


class _Out(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = False


class _Finite(_Out):
    @pa.dataframe_check(error="statistics must be finite")
    def finite(cls, data) -> pl.LazyFrame:
        nums = [c for c, t in data.lazyframe.collect_schema().items() if t == pl.Float64]
        return data.lazyframe.select(pl.all_horizontal([pl.col(c).is_finite() | pl.col(c).is_null()
                                                        for c in nums]))


class SummaryFrame(_Finite):
    """Per scenario and stage (stage ``total`` for the scenario total)."""

    scenario: str
    stage: str
    mean: float
    median: float
    p2_5: float
    p97_5: float
    unit: str


class DifferenceFrame(_Finite):
    """Distribution of ``B − A`` for ordered pairs; ``prob_b_lower`` = share of draws with B < A."""

    scenario_a: str
    scenario_b: str
    mean: float
    median: float
    p2_5: float
    p97_5: float
    prob_b_lower: float = pa.Field(ge=0, le=1)
    unit: str


class SensitivityFrame(_Finite):
    """Squared Spearman rank correlation of each input with a total (``target`` = scenario) or a
    difference (``target`` = ``"B vs A"``)."""

    target: str
    input: str
    spearman_r2: float = pa.Field(ge=0, le=1)


class TornadoFrame(_Finite):
    """Scenario total with one input at its 2.5th (``low``) and 97.5th (``high``) percentile."""

    scenario: str
    input: str
    low: float
    high: float
    base: float
    unit: str


class BreakevenFrame(_Finite):
    """Value of a parameter at which two scenarios' totals are equal (null if there is none)."""

    scenario_a: str
    scenario_b: str
    parameter: str
    current: float
    breakeven: float = pa.Field(nullable=True)
    unit: str
    note: str


def checked(df: pl.DataFrame, model: type[pa.DataFrameModel], table: str) -> pl.DataFrame:
    """Validate a result frame before it leaves the package.

    Inputs were checked where they were read (each problem naming the study file and its
    ``[[uncertainty]]`` entry, or the factor file and id), so a frame failing here is lca's own
    failure: an :class:`~lca.errors.InternalError`, never an input error about an internal table.
    """
    if _plainly_valid(df, model):
        return df
    try:
        return validate_table(df, model, table=table)
    except LcaInputError as exc:
        raise InternalError(f"uncertainty {table}: {exc.problems[0]} (this is a bug in lca, please report "
                            "it)") from None


#: The column checks :func:`_plainly_valid` knows how to evaluate (pandera check name → test).
_BOUNDS = {"greater_than_or_equal_to": lambda col, st: col >= st["min_value"],
           "less_than_or_equal_to": lambda col, st: col <= st["max_value"]}


@lru_cache(maxsize=None)
def _schema(model: type[pa.DataFrameModel]):
    return model.to_schema()


def _plainly_valid(df: pl.DataFrame, model: type[pa.DataFrameModel]) -> bool:
    """True when ``df`` certainly passes ``model``: exactly its columns, in order, with its dtypes,
    no nulls where none are allowed, every float finite, every bound met. Checked with numpy in
    one pass; anything else (a failure, or a check not understood here) goes to pandera, which
    names the problem. Saves pandera's fixed cost on every Monte Carlo run."""
    schema = _schema(model)
    if list(df.columns) != list(schema.columns) or [c.name for c in schema.checks] not in ([], ["finite"]):
        return False
    for name, col in schema.columns.items():
        series = df.get_column(name)
        if series.dtype != col.dtype.type or (not col.nullable and series.null_count()):
            return False
        if series.dtype == pl.Float64:
            values = series.drop_nulls().to_numpy()
            if not np.isfinite(values).all():
                return False
            for check in col.checks:
                test = _BOUNDS.get(check.name)
                if test is None or not test(values, check.statistics).all():
                    return False
        elif col.checks:
            return False
    return True
