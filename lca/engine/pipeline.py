"""The pipeline: activities → resolved factors → characterised contributions (result rows).

Pure functions over polars frames: the inventory (:mod:`lca.engine.inventory`), factor resolution
(:mod:`lca.factors`), characterisation (:mod:`lca.engine.characterise`), grid losses; every problem
raised on the way is located at the row of the user's file that caused it.
"""

from __future__ import annotations

import polars as pl

from lca.engine.characterise import FLOW_CATEGORY, characterise, gwp_table
from lca.errors import FactorError, Problem
from lca.factors import FactorLibrary, apply_td_losses, resolve
from lca.factors.basis import Basis, add_upstream, without_adders
from lca.factors.supply import apply_supply_routes

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
                  electricity_basis: str | None = None, file: str | None = None) -> pl.DataFrame:
    """Row-level contributions for an activity frame: resolve, convert, characterise, label.

    Electricity is built on ``electricity_basis`` (:mod:`lca.factors.basis`; default: life cycle at
    the point ``td_losses`` gives): adders are resolved as components of their own, never as a
    region's factor. Fuels take the upstream row of their supply route (:mod:`lca.factors.supply`).
    """
    point = "consumption" if td_losses == "included" else "generation"
    basis = Basis.parse(electricity_basis) if electricity_basis else Basis("lifecycle", point, "CO2e")
    try:
        resolved = resolve(act, sites, without_adders(library), ref_year=ref_year, electricity_rule=electricity_rule)
        resolved = grid_fallbacks(resolved, sites, electricity_rule)
        resolved = add_upstream(resolved, sites, library, ref_year=ref_year, electricity_rule=electricity_rule,
                                basis=basis)
        resolved = apply_supply_routes(resolved, sites, library, electricity_rule=electricity_rule)
    except FactorError as exc:
        raise exc.with_file(file) if file else exc
    factors = resolved.select(*[c for c in resolved.columns if c.startswith("factor_")], "f_to_base",
                              "per_dimension", "gas").unique("factor_id")
    out = characterise(resolved, factors, gwp_table(library, gwp_set), file=file)
    if basis.point == "consumption":
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
