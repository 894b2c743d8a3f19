"""Grid (T&D) losses: one typed loss fraction in [0, 1) per electricity activity.

Method rules (docs/method-rules.md, "Grid losses"):

* A loss row is a fraction of the electricity generated that the grid loses before delivery,
  converted from its unit (``0.042``, ``4.2 percent`` and ``42 permille`` are the same loss).
* Losses are a property of the *physical* grid. They are looked up in the site's region chain
  for electricity (grid region → subdivision → country → GLO; the country first under the
  national rule) and never through a site's ``market_factor``: a contract changes who generated
  the electricity, not how much of it the grid lost.
* They apply to every electricity factor row that says ``td_losses = excluded`` — a location
  factor or a contractual one alike — so the lost kWh are charged at the same factor as the
  delivered ones (GHG Protocol: T&D losses are Scope 3 cat. 3, computed with the factor the
  Scope 2 method uses). Rows marked ``included`` (consumption-end, retail factors) are never
  grossed up.
* Rows of one edition for one activity combine sequentially: transmission and distribution
  parts give ``1 − (1 − t)(1 − d)``; a total (scope ``n/a``) together with its parts is an error,
  as are two editions of the same vintage (:mod:`lca.factors.editions`).
"""

from __future__ import annotations

import polars as pl

from lca.errors import FactorError, Problem
from lca.factors.library import FactorLibrary
from lca.factors.resolution import default_rows, factor_columns, region_chains


def loss_fractions(acts: pl.DataFrame, sites: pl.DataFrame, library: FactorLibrary, *, ref_year: int,
                   electricity_rule: str) -> pl.DataFrame:
    """``act, td_loss, td_loss_factor`` for electricity activities (``act, site``) with a loss row.

    ``td_loss`` is the combined fraction (float in [0, 1)); ``td_loss_factor`` the ids used,
    joined with `` + ``. Activities of a region without loss rows are absent (the caller warns).
    """
    f = factor_columns(library.factors).filter(pl.col("category") == "grid_loss")
    # the loss rows' own flow name does not matter: any grid-loss row of the region is a candidate
    f = f.with_columns(pl.lit("grid_loss").alias("factor_flow"))
    wanted = acts.select("act", "site", pl.lit("grid_loss").alias("flow"), pl.lit("electricity").alias("rule_scope"))
    rows, problems = default_rows(wanted, region_chains(sites, electricity_rule), f, ref_year)
    if problems:
        raise FactorError(problems)
    frac = pl.col("factor_value") * pl.col("f_to_base")
    bad = rows.filter(~((frac >= 0) & (frac < 1)))
    if bad.height:  # validated when the file was read; a frame built past validation is refused here
        raise FactorError([Problem(f"grid-loss factor '{fid}' is not a fraction in [0, 1)", file=file,
                                   table="factors", column="value")
                           for fid, file in bad.select("factor_id", "factor_file").unique().iter_rows()])
    return (rows.group_by("act")
            .agg(pl.when(pl.len() == 1).then(frac.first()).otherwise(1.0 - (1.0 - frac).product()).alias("td_loss"),
                 pl.col("factor_id").sort().str.join(" + ").alias("td_loss_factor")))


def apply_td_losses(out: pl.DataFrame, sites: pl.DataFrame, library: FactorLibrary, ref_year: int,
                    rule: str) -> pl.DataFrame:
    """Gross electricity up for grid losses: value / (1 − loss) where the factor row excludes them.

    Adds ``td_loss`` (the fraction, null where none applied) and ``td_loss_factor`` (the loss
    factor ids). A region without loss rows is a method note (warning), never a silent zero.
    """
    applies = (pl.col("category") == "electricity") & (pl.col("td_losses") == "excluded")
    el = out.filter(applies).select("act", "site").unique("act")
    if el.height == 0:
        return out.with_columns(pl.lit(None, pl.Float64).alias("td_loss"),
                                pl.lit(None, pl.String).alias("td_loss_factor"))
    loss = loss_fractions(el, sites, library, ref_year=ref_year, electricity_rule=rule)
    gap = pl.format("no grid-loss factor for region {} (site '{}'): T&D losses not added", pl.col("region_used"),
                    pl.col("site"))
    notes = [pl.col("method_note"), pl.when(applies & pl.col("td_loss").is_null()).then(gap)]
    if rule == "market" and "market_factor" in sites.columns:
        mk = sites.select(pl.col("id").alias("site"), pl.col("market_factor").alias("__mk"))
        out = out.join(mk, on="site", how="left")
        on_market = (applies & pl.col("td_loss").is_not_null()
                     & (pl.col("factor_id") == pl.col("__mk")).fill_null(False))
        notes.append(pl.when(on_market).then(pl.format(
            "T&D losses added to supplier-specific factor '{}' (site '{}') with the grid's loss fraction ({}): "
            "losses are physical, the contract does not change them", pl.col("factor_id"), pl.col("site"),
            pl.col("td_loss_factor"))))
    out = out.join(loss, on="act", how="left").with_columns(
        pl.when(applies).then(pl.col("td_loss")).otherwise(None).alias("td_loss"),
        pl.when(applies).then(pl.col("td_loss_factor")).otherwise(None).alias("td_loss_factor"))
    return (out.with_columns(pl.when(applies & pl.col("td_loss").is_not_null())
                             .then(pl.col("value") / (1.0 - pl.col("td_loss"))).otherwise(pl.col("value"))
                             .alias("value"),
                             pl.concat_str(notes, separator="; ", ignore_nulls=True).replace("", None)
                             .alias("method_note"))
            .drop("__mk", strict=False))
