"""Factor risk: the factors a footprint leans on, weighted by how weakly each is cited (#13 item 7).

A reviewer's first question about a secondary-data footprint is which numbers carry it and how
well each is sourced. This module answers it from the result alone (``Footprint.detail`` with its
``factor_citation_quality`` column, never the study), so the report's "Factor risk" table and
``lca factors audit`` print the same rows.

For each factor row charged (``factor_id``) and each scenario, the factor's **share** is the size
of its contribution (summed over the activities it charges) divided by the sum of the sizes of all
contributions, i.e. by the scenario total when nothing is a credit. Its **risk** is the largest
share over the scenarios times the **citation weight** of its ``citation_quality``
(:data:`CITATION_WEIGHTS`), on the 1-5 scale of the pedigree reliability score and of the PACT
data-quality ratings (1 best, 5 worst):

======================  ======  ==============================================================
citation_quality        weight  meaning
======================  ======  ==============================================================
``primary``             1       the publisher's own document states the number
``secondary``           3       a third party quotes it (a review citing an industry dataset)
``estimate``            5       no document states it (a project or user estimate)
not stated (empty)      5       rated as an estimate (a user file without the column)
======================  ======  ==============================================================

So a 10 % factor from an estimate (risk 0.50) ranks above a 40 % factor from its publisher's own
document (risk 0.40): the ranking is where a better citation (or supplier data) buys the most
credibility. A negative contribution (a credit) counts by its size. Grid-loss rows are inside the
electricity rows they gross up (``td_loss``), not factors of their own here.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> risk = factor_risk(fp)
>>> boehmite = risk.filter(pl.col("factor_id") == "mat.boehmite.estimate").row(0, named=True)
>>> boehmite["citation_quality"], boehmite["weight"], boehmite["risk"] == 5 * boehmite["share"]
('estimate', 5, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:  # pragma: no cover
    from lca.results.footprint import Footprint

#: Weight of each citation quality in the factor risk (1 = best, 5 = worst; see the module docstring).
CITATION_WEIGHTS = {"primary": 1, "secondary": 3, "estimate": 5}
#: What a factor row that states no citation_quality is rated as (a user file may leave it empty).
UNSTATED = "estimate"

RISK_SCHEMA = {"rank": pl.Int64, "factor_id": pl.String, "factor_name": pl.String, "flow": pl.String,
               "citation_quality": pl.String, "stated": pl.Boolean, "weight": pl.Int64, "scenario": pl.String,
               "value": pl.Float64, "unit": pl.String, "share": pl.Float64, "share_min": pl.Float64,
               "risk": pl.Float64, "source": pl.String}


def factor_risk(fp: "Footprint") -> pl.DataFrame:
    """One row per factor charged, ranked by risk (highest first, then by id).

    Columns: ``rank, factor_id, factor_name, flow, citation_quality`` (as rated: an empty one is
    ``estimate``), ``stated`` (false when the row left it empty), ``weight``, ``scenario`` (where
    the share is largest), ``value`` and ``unit`` (its contribution there, kg CO2e per declared
    unit), ``share`` (of that scenario's total), ``share_min`` (smallest share over the scenarios
    that charge it), ``risk`` (share × weight) and ``source`` (the citation).
    """
    d = fp.detail
    if "factor_citation_quality" not in d.columns:  # a result made before the column existed
        d = d.with_columns(pl.lit(None, pl.String).alias("factor_citation_quality"))
    unit = fp.totals().get_column("unit")
    unit = unit[0] if unit.len() else None
    per = (d.filter(pl.col("factor_id").is_not_null())
           .group_by("scenario", "factor_id")
           .agg(pl.col("value").fill_null(0.0).sum(), pl.col("factor_name").first(), pl.col("flow").first(),
                pl.col("factor_citation_quality").first().alias("quality"), pl.col("source").first()))
    totals = d.group_by("scenario").agg(pl.col("value").fill_null(0.0).abs().sum().alias("__total"))
    per = (per.join(totals, on="scenario", how="left")
           .with_columns(pl.when(pl.col("__total") > 0).then(pl.col("value").abs() / pl.col("__total"))
                         .otherwise(0.0).alias("share")))
    # the scenario where the factor weighs most (ties: the first scenario in the study's order)
    order = pl.DataFrame({"scenario": fp.scenarios, "__order": list(range(len(fp.scenarios)))},
                         schema={"scenario": pl.String, "__order": pl.Int64})
    per = per.join(order, on="scenario", how="left").sort("factor_id", pl.col("share"), "__order",
                                                          descending=[False, True, False])
    top = per.group_by("factor_id", maintain_order=True).agg(
        pl.all().first(), pl.col("share").min().alias("share_min"))
    weights = pl.DataFrame({"citation_quality": list(CITATION_WEIGHTS), "weight": list(CITATION_WEIGHTS.values())},
                           schema={"citation_quality": pl.String, "weight": pl.Int64})
    out = (top.with_columns(pl.col("quality").is_not_null().alias("stated"),
                            pl.col("quality").fill_null(UNSTATED).alias("citation_quality"),
                            pl.lit(unit, pl.String).alias("unit"))
           .join(weights, on="citation_quality", how="left")
           .with_columns((pl.col("share") * pl.col("weight")).alias("risk"))
           .sort(["risk", "factor_id"], descending=[True, False])
           .with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64)))
    return out.select(list(RISK_SCHEMA)).cast(RISK_SCHEMA)  # type: ignore[arg-type]
