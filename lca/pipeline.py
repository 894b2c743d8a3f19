"""The pipeline: activities + factors → characterised contributions (kg CO2e per declared unit).

Pure functions over polars frames. Pint is consulted once per distinct unit string
(:func:`lca.units.unit_table`); everything else is column arithmetic. A dimension mismatch is a
typed error naming the rows; it never reaches a sum.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import polars as pl

from lca.errors import DimensionError, FactorError, LcaInputError, Problem
from lca.factors import FactorLibrary, load_library, resolve
from lca.grid_losses import apply_td_losses
from lca.inventory import build_inventory, check_magnitudes
from lca.schemas import ResultTable, validate_table
from lca.study import Study
from lca.study.routes import check_route_modes
from lca.units import dimension_name, unit_table

if TYPE_CHECKING:  # pragma: no cover
    from lca.results import Footprint

#: Flow categories as reported (factor category → report category).
FLOW_CATEGORY = {"electricity": "electricity", "fuel": "heat", "heat": "heat", "material": "materials",
                 "process_emission": "process_emissions", "freight": "transport", "product": "materials"}


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


_LEVELS = ("grid", "subdivision", "country", "global")


def grid_fallbacks(resolved: pl.DataFrame, sites: pl.DataFrame, electricity_rule: str) -> pl.DataFrame:
    """Refuse a declared grid region that resolves no electricity factor, unless the site allows it.

    A site's ``grid_fallback`` (subdivision | country | global) is the coarsest level its electricity
    may fall back to; such a fallback becomes a method note, so `lca run` warns about it like any
    other method gap. Under the national rule grid regions are skipped by definition.
    """
    if electricity_rule == "national" or "grid" not in sites.columns:
        return resolved
    col = lambda c: pl.col(c) if c in sites.columns else pl.lit(None, pl.String)  # noqa: E731
    site_cols = sites.select(pl.col("id").alias("site"), pl.col("grid").alias("__grid"),
                             col("grid_fallback").alias("__allow"), col("subdivision").alias("subdivision"),
                             col("country").alias("country"))
    fell = (resolved.filter((pl.col("category") == "electricity") & pl.col("region_fallback").is_in(_LEVELS[1:]))
            .join(site_cols, on="site").filter(pl.col("__grid").is_not_null()))
    if fell.height == 0:
        return resolved
    rank = {lvl: i for i, lvl in enumerate(_LEVELS)}
    problems, notes = [], []
    cases = fell.select("site", "flow", "__grid", "__allow", "subdivision", "country", "region_used",
                        "region_fallback").unique().sort("site", "flow")
    for site, flow, grid, allowed, sub, country, used, level in cases.iter_rows():  # one row per site × flow
        if allowed is not None and rank[level] <= rank[allowed]:
            notes.append((site, flow, f"site '{site}': grid region {grid} has no default '{flow}' factor: the "
                                      f"{level}-level factor of {used} is used (grid_fallback = \"{allowed}\")"))
            continue
        chain = [r for r in (grid, sub, country, "GLO")[:rank[level]] if r is not None]
        tried = " → ".join(dict.fromkeys(chain))
        reach = f"; grid_fallback = \"{allowed}\" does not reach the {level} level" if allowed else ""
        problems.append(Problem(
            f"grid region '{grid}' of site '{site}' has no default '{flow}' factor (tried {tried}); the nearest "
            f"is {used} at the {level} level{reach}", table=f"site '{site}'", column="grid",
            hint=f"declare grid_fallback = \"{level}\" on the site to accept it, add a '{flow}' factor for "
                 f"{grid} (--factors or the study's [factors] files), or correct the grid code"))
    if problems:
        raise FactorError(problems)
    note = pl.DataFrame(notes, schema={"site": pl.String, "flow": pl.String, "__note": pl.String}, orient="row")
    hit = pl.col("__note").is_not_null() & (pl.col("category") == "electricity") & pl.col("region_fallback").is_in(
        _LEVELS[1:])
    return (resolved.join(note, on=["site", "flow"], how="left", maintain_order="left")
            .with_columns(pl.when(hit).then(pl.concat_str([pl.col("method_note"), pl.col("__note")], separator="; ",
                                                          ignore_nulls=True))
                          .otherwise(pl.col("method_note")).alias("method_note"))
            .drop("__note"))


def contributions(act: pl.DataFrame, sites: pl.DataFrame, library: FactorLibrary, *, ref_year: int,
                  gwp_set: str = "AR6", electricity_rule: str = "location", td_losses: str = "excluded",
                  file: str | None = None) -> pl.DataFrame:
    """Row-level contributions for an activity frame: resolve, convert, characterise, label."""
    try:
        resolved = resolve(act, sites, library, ref_year=ref_year, electricity_rule=electricity_rule)
        resolved = grid_fallbacks(resolved, sites, electricity_rule)
    except FactorError as exc:
        raise exc.with_file(file) if file else exc
    factors = resolved.select(*[c for c in resolved.columns if c.startswith("factor_")], "f_to_base",
                              "per_dimension", "gas").unique("factor_id")
    out = characterise(resolved, factors, gwp_table(library, gwp_set), file=file)
    if td_losses == "included":
        out = apply_td_losses(out, sites, library, ref_year, electricity_rule)
    else:
        out = out.with_columns(pl.lit(None, pl.Float64).alias("td_loss"),
                               pl.lit(None, pl.String).alias("td_loss_factor"))
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
    from lca.study.origins import located
    from lca.results import Footprint

    lib = (library or load_library()).with_overrides(*study.factor_files, *factors)
    try:  # every problem about an activity written in a table file is named at that file's row
        check_route_modes(study.routes, lib)  # every route's mode, used or not, against this library
        act = build_inventory(study)
        detail = contributions(act, study.sites, lib, ref_year=study.reference_year, gwp_set=study.method.gwp,
                               electricity_rule=study.method.electricity_rule, td_losses=study.method.td_losses,
                               file=study.source)
        detail = detail.sort("scenario", "act", "factor_id")
        check_magnitudes(study, detail)  # overflow is named at its input, not as "results row N"
    except LcaInputError as exc:
        raise located(exc, study) from None
    validate_table(detail, ResultTable, table="results")
    return Footprint(study=study, detail=detail, library=lib)
