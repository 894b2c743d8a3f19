"""Characterisation: activities × factors → kg CO2e, with the dimension of every unit checked.

Pint is consulted once per distinct (factor, unit) pair (:func:`lca.units.unit_table`); everything
else is column arithmetic on the big frame. A dimension mismatch is a typed error naming the rows;
it never reaches a sum.
"""

from __future__ import annotations

import polars as pl

from lca.errors import DimensionError, FactorError, Problem
from lca.factors import FactorLibrary
from lca.units import dimension_name, unit_table


#: Flow categories as reported (factor category → report category).
FLOW_CATEGORY = {"electricity": "electricity", "fuel": "heat", "heat": "heat", "material": "materials",
                 "process_emission": "process_emissions", "freight": "transport", "product": "materials",
                 "waste": "waste"}


def gwp_table(library: FactorLibrary, gwp_set: str) -> pl.DataFrame:
    """``gas → gwp`` for one set, plus CO2e (already characterised) = 1."""
    g = (library.gwp.filter(pl.col("gwp_set") == gwp_set)
         .select("gas", pl.col("value").cast(pl.Float64).alias("gwp"), pl.col("id").alias("gwp_id")))
    return pl.concat([g, pl.DataFrame({"gas": ["CO2e"], "gwp": [1.0], "gwp_id": [None]},
                                      schema={"gas": pl.String, "gwp": pl.Float64, "gwp_id": pl.String})])


def multiplier_table(pairs: pl.DataFrame, factors: pl.DataFrame, gwp: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct (factor_id, activity unit): the kg CO2e per unit of activity.

    ``multiplier = a_to_base × factor_value × f_to_base × gwp``. Pint is asked once per distinct
    unit; dimension checks happen here, on the small table, never on the big one.
    """
    units = unit_table(pairs.get_column("unit")).rename({"to_base": "a_to_base", "dimension": "a_dimension"})
    slim = factors.select("factor_id", "factor_value", "factor_unit", "f_to_base", "per_dimension", "gas",
                          *[c for c in ("factor_file",) if c in factors.columns])  # messages name the factor's file
    return (pairs.join(units, on="unit", how="left")
            .join(slim, on="factor_id", how="left")
            .join(gwp, on="gas", how="left")
            .with_columns((pl.col("a_to_base") * pl.col("factor_value") * pl.col("f_to_base") * pl.col("gwp"))
                          .alias("multiplier"),
                          (pl.col("unit_error").is_null() & (pl.col("a_dimension") != pl.col("per_dimension")))
                          .alias("dimension_mismatch")))


def _multiplier_problems(mt: pl.DataFrame, frame: pl.DataFrame | pl.LazyFrame, file: str | None) -> list[Problem]:
    bad = mt.filter(pl.col("unit_error").is_not_null() | pl.col("dimension_mismatch")
                    | (pl.col("gwp").is_null() & (pl.col("gas") != "none")) | pl.col("factor_value").is_null())
    if bad.height == 0:
        return []
    # only now look at the big frame, to name the rows concerned
    where = (frame.lazy().join(bad.lazy().select("factor_id", "unit"), on=["factor_id", "unit"], how="semi")
             .select("factor_id", "unit", "origin").unique(maintain_order=True).head(200).collect())
    origins = where.group_by("factor_id", "unit", maintain_order=True).agg(pl.col("origin"))
    bad = bad.join(origins, on=["factor_id", "unit"], how="left")
    problems: list[Problem] = []
    for r in bad.iter_rows(named=True):
        tables = r["origin"] or [None]
        for origin in tables:
            if r["unit_error"] is not None:
                problems.append(Problem(r["unit_error"], file=file, table=origin, column="unit",
                                        hint="see README 'Units' for accepted spellings"))
            elif r["factor_value"] is None:
                problems.append(Problem(f"unknown factor id '{r['factor_id']}'", file=file, table=origin,
                                        column="factor"))
            elif r["dimension_mismatch"]:
                pdim = dimension_name(r["per_dimension"])
                problems.append(Problem(
                    f"unit '{r['unit']}' is {dimension_name(r['a_dimension'])}, but factor '{r['factor_id']}' "
                    f"({r['factor_unit']}{_in_file(r)}) expects {pdim}", file=file, table=origin, column="unit",
                    hint=f"express the amount in a {pdim} unit or name another factor"))
            else:
                problems.append(Problem(f"no GWP for gas '{r['gas']}' (factor '{r['factor_id']}'{_in_file(r)}) in "
                                        "the chosen set", file=file, table=origin))
    return problems


def _in_file(r: dict) -> str:
    return f", {r['factor_file']}" if r.get("factor_file") else ""


def characterise(frame: pl.DataFrame | pl.LazyFrame, factors: pl.DataFrame, gwp: pl.DataFrame, *,
                 file: str | None = None) -> pl.DataFrame | pl.LazyFrame:
    """Add ``a_to_base``, ``gwp``, ``multiplier`` and ``value`` (kg CO2e) to activities with a ``factor_id``.

    ``factors`` is :func:`lca.factors.factor_columns` of the library (or a subset of its rows).
    A row whose unit does not have the dimension its factor expects raises
    :class:`DimensionError` listing every such row; nothing mismatched reaches a sum. Lazy in,
    lazy out: only the distinct (factor, unit) pairs are collected.
    """
    schema = frame.lazy().collect_schema()
    keys = ("factor_id", "unit")
    pairs = frame.lazy().select(keys).unique().collect().with_columns(pl.col(k).cast(pl.String) for k in keys)
    mt = multiplier_table(pairs, factors, gwp)
    problems = _multiplier_problems(mt, frame, file)
    if problems:
        raise DimensionError(problems) if mt.get_column("dimension_mismatch").any() else FactorError(problems)
    # join on the frame's own key dtypes (Categorical keys keep the hot path off string hashing)
    small = mt.lazy().select(*keys, "a_to_base", "gwp", "multiplier").with_columns(
        pl.col(k).cast(schema[k]) for k in keys)
    if all(isinstance(schema[k], pl.Categorical) for k in keys):
        # two u32 category codes packed into one u64: one integer hash instead of two
        joined = (frame.lazy().with_columns(_packed_pair().alias("__pair"))
                  .join(small.with_columns(_packed_pair().alias("__pair")).drop(*keys), on="__pair", how="left")
                  .drop("__pair"))
    else:
        joined = frame.lazy().join(small, on=list(keys), how="left")
    out = joined.with_columns((pl.col("amount") * pl.col("multiplier")).alias("value"))
    return out if isinstance(frame, pl.LazyFrame) else out.collect()


def _packed_pair() -> pl.Expr:
    code = lambda k: pl.col(k).to_physical().cast(pl.UInt64)  # noqa: E731
    return code("factor_id") * (1 << 32) + code("unit")
