"""The pipeline: activities + factors → characterised contributions (kg CO2e per declared unit).

Pure functions over polars frames. Pint is consulted once per distinct unit string
(:func:`lca.units.unit_table`); everything else is column arithmetic. A dimension mismatch is a
typed error naming the rows; it never reaches a sum.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import polars as pl

from lca.errors import DimensionError, FactorError, Problem
from lca.factors import FactorLibrary, electricity_flows, load_library, resolve
from lca.inventory import build_inventory
from lca.schemas import ResultTable, validate_table
from lca.study import Study
from lca.units import dimension_name, unit_table

#: Flow categories as reported (factor category → report category).
FLOW_CATEGORY = {"electricity": "electricity", "fuel": "heat", "heat": "heat", "material": "materials",
                 "process_emission": "process_emissions", "freight": "transport", "product": "materials"}


def gwp_table(library: FactorLibrary, gwp_set: str) -> pl.DataFrame:
    """``gas → gwp`` for one set, plus CO2e (already characterised) = 1."""
    g = (library.gwp.filter(pl.col("gwp_set") == gwp_set)
         .select("gas", pl.col("value").cast(pl.Float64).alias("gwp"), pl.col("id").alias("gwp_id")))
    return pl.concat([g, pl.DataFrame({"gas": ["CO2e"], "gwp": [1.0], "gwp_id": [None]},
                                      schema={"gas": pl.String, "gwp": pl.Float64, "gwp_id": pl.String})])


def characterise(resolved: pl.DataFrame, gwp: pl.DataFrame, *, file: str | None = None) -> pl.DataFrame:
    """Convert units and characterise: adds ``value`` (kg CO2e) and ``gwp`` to resolved activities.

    Rows whose activity unit does not have the dimension the factor expects raise
    :class:`DimensionError` listing every such row.
    """
    units = unit_table(resolved.get_column("unit")).rename({"to_base": "a_to_base", "dimension": "a_dimension"})
    df = resolved.join(units, on="unit", how="left").join(gwp, on="gas", how="left")
    problems = [Problem(err, file=file, table=o, column="unit", hint="see README 'Units' for accepted spellings")
                for err, o in df.filter(pl.col("unit_error").is_not_null()).select("unit_error", "origin")
                .unique(maintain_order=True).iter_rows()]
    wrong = df.filter(pl.col("unit_error").is_null() & (pl.col("a_dimension") != pl.col("per_dimension")))
    for unit, adim, fid, funit, pdim, origin in wrong.select("unit", "a_dimension", "factor_id", "factor_unit",
                                                            "per_dimension", "origin").unique(maintain_order=True
                                                                                              ).iter_rows():
        problems.append(Problem(
            f"unit '{unit}' is {dimension_name(adim)}, but factor '{fid}' ({funit}) expects {dimension_name(pdim)}",
            file=file, table=origin, column="unit",
            hint=f"express the amount in a {dimension_name(pdim)} unit or name another factor"))
    nogwp = df.filter(pl.col("gwp").is_null() & (pl.col("gas") != "none"))
    for gas, fid in nogwp.select("gas", "factor_id").unique().sort("gas").iter_rows():
        problems.append(Problem(f"no GWP for gas '{gas}' (factor '{fid}') in the chosen set", table="gwp"))
    if problems:
        raise DimensionError(problems) if wrong.height else FactorError(problems)
    return df.with_columns(
        (pl.col("amount") * pl.col("a_to_base") * pl.col("factor_value") * pl.col("f_to_base") * pl.col("gwp"))
        .alias("value")).drop("unit_error")


def apply_td_losses(act: pl.DataFrame, sites: pl.DataFrame, library: FactorLibrary, ref_year: int,
                    rule: str) -> pl.DataFrame:
    """Gross electricity up for grid losses where a loss factor exists: amount / (1 − loss)."""
    el = act.filter(pl.col("flow").is_in(electricity_flows(library))).select(
        "act", "site", pl.lit("grid_loss").alias("flow"), pl.lit(None, pl.String).alias("factor"), "origin")
    if el.height == 0:
        return act.with_columns(pl.lit(None, pl.String).alias("td_loss_factor"))
    loss = resolve(el, sites, library, ref_year=ref_year, electricity_rule=rule, missing_ok=True)
    loss = loss.select("act", pl.col("factor_value").alias("loss"), pl.col("factor_id").alias("td_loss_factor"))
    return (act.join(loss, on="act", how="left")
            .with_columns((pl.col("amount") / (1.0 - pl.col("loss").fill_null(0.0))).alias("amount"))
            .drop("loss"))


def contributions(act: pl.DataFrame, sites: pl.DataFrame, library: FactorLibrary, *, ref_year: int,
                  gwp_set: str = "AR6", electricity_rule: str = "location", td_losses: str = "excluded",
                  file: str | None = None) -> pl.DataFrame:
    """Row-level contributions for an activity frame: resolve, convert, characterise, label."""
    if td_losses == "included":
        act = apply_td_losses(act, sites, library, ref_year, electricity_rule)
    else:
        act = act.with_columns(pl.lit(None, pl.String).alias("td_loss_factor"))
    try:
        resolved = resolve(act, sites, library, ref_year=ref_year, electricity_rule=electricity_rule)
    except FactorError as exc:
        raise exc.with_file(file) if file else exc
    out = characterise(resolved, gwp_table(library, gwp_set), file=file)
    category = pl.col("category").replace_strict(FLOW_CATEGORY, default="other")
    stage = (pl.when(pl.col("stage_default") & (pl.col("category").is_in(["material", "product"])))
             .then(pl.lit("raw_materials")).otherwise(pl.col("stage")))
    return out.with_columns(category.alias("flow_category"), stage.alias("stage"),
                            pl.when(pl.col("gas") == "CH4_nonfossil").then(pl.lit("biogenic"))
                            .otherwise(pl.lit("fossil")).alias("carbon_origin"))


def compute(study: Study, *, library: FactorLibrary | None = None,
            factors: Sequence[Path | str | pl.DataFrame] = ()) -> "Footprint":
    """Compute the footprint of every scenario of ``study``.

    ``factors`` are user factor layers (files or frames) put on top of the shipped library and
    the study's own ``[factors] files``; later layers win by id.

    >>> from lca.study import load_study
    >>> from lca.resources import default_study_path
    >>> fp = compute(load_study(default_study_path()))
    >>> fp.scenarios[:2]
    ['jp-import', 'charlotte-coated']
    """
    from lca.results import Footprint

    lib = (library or load_library()).with_overrides(*study.factor_files, *factors)
    act = build_inventory(study)
    detail = contributions(act, study.sites, lib, ref_year=study.reference_year, gwp_set=study.method.gwp,
                           electricity_rule=study.method.electricity_rule, td_losses=study.method.td_losses,
                           file=str(study.path) if study.path else None)
    detail = detail.sort("scenario", "act", "factor_id")
    validate_table(detail, ResultTable, table="results")
    return Footprint(study=study, detail=detail, library=lib)
