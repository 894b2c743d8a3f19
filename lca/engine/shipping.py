"""Activity rows of shipping around the plants: packaging of shipped outputs, inbound legs of materials.

Built per run of the process instance they belong to, like every activity row
(:mod:`lca.engine.inventory`), from the study's frames resolved at load (:mod:`lca.study.shipping`):

* packaging: each transport element of a scenario that ships a process's output charges that
  process's ``packaging`` materials once, per output carried (amount × the outputs its legs ship,
  per run of the instance that takes them);
* inbound: each material row (a flow the factor library files as ``material``, in a mass unit,
  amount > 0) — packaging included — gets the tkm rows of its (site, flow) inbound legs,
  ``kg / 1000 × km``, stage ``transport``; they are legs (``mode`` set), so the result's transport
  frame counts them as inbound.
"""

from __future__ import annotations

from typing import Collection

import polars as pl

from lca.study import Study
from lca.units import unit_table


def packaging_rows(study: Study, carriers: pl.DataFrame | None, inst: pl.DataFrame,
                   columns: list[str]) -> pl.DataFrame | None:
    """Packaging of every shipped output (``columns``: the activity frame's, in order).

    ``carriers``: the legs with what each ships per run of the instance ``pid`` that takes it
    (``outputs`` of the goods, :func:`lca.engine.inventory._carried`). Packaging is per output of
    the goods, so each transport element charges it on the flow it carries — the same flow its
    legs ship — not on the maker's whole output (which a loop or a second consumer would overstate).
    """
    pk = study.shipping_packaging
    if pk.height == 0 or carriers is None or carriers.height == 0:
        return None
    flows = carriers.select("scenario", "goods", "from_site", "to_site", "element", "pid", "consumer", "carries",
                            "outputs").unique(subset=["scenario", "element", "pid", "consumer"], keep="first",
                                              maintain_order=True)
    maker = inst.select("scenario", pl.col("process").alias("goods"), pl.col("site").alias("goods_site"))
    rows = (flows.join(maker, on=["scenario", "goods"], maintain_order="left")
            .join(pk.rename({"process": "goods"}), on="goods", maintain_order="left"))
    if rows.height == 0:
        return None
    return rows.select(
        "scenario", pl.col("scenario").alias("component"), pl.lit(1.0).alias("share"), pl.lit("packaging").alias("stage"),
        pl.lit(False).alias("stage_default"), pl.col("goods").alias("process"), pl.col("goods_site").alias("site"),
        "flow", (pl.col("amount") * pl.col("outputs")).alias("amount"), "unit", "factor",
        pl.format("{} (shipped {} → {})", "origin", "from_site", "to_site").alias("origin"),
        pl.lit(None, pl.Float64).alias("shipped_kg"), pl.lit(None, pl.Float64).alias("distance_km"),
        pl.lit(None, pl.String).alias("mode"), "primary", "pid", pl.col("goods"),
        pl.lit(None, pl.String).alias("to_site"), "consumer", "carries").select(columns)


def inbound_rows(study: Study, act: pl.DataFrame, materials: Collection[str]) -> pl.DataFrame | None:
    """tkm rows bringing every material row of ``act`` to its site (``act``: flow rows, per run)."""
    legs = study.inbound
    if legs.height == 0:
        return None
    units = unit_table(act.get_column("unit")).select("unit", pl.col("to_base").alias("__kg"), "dimension")
    kg_dim = unit_table(["kg"]).get_column("dimension")[0]
    du = unit_table(legs.get_column("distance_unit")).select(
        pl.col("unit").alias("distance_unit"), (pl.col("to_base") / 1000.0).alias("__km"))
    mat = (act.filter(pl.col("mode").is_null() & pl.col("flow").is_in(list(materials)) & (pl.col("amount") > 0))
           .join(units, on="unit", how="left", maintain_order="left").filter(pl.col("dimension") == kg_dim))
    if mat.height == 0:
        return None
    t = (mat.join(legs.join(du, on="distance_unit").rename({"factor": "leg_factor", "origin": "leg_origin",
                                                            "primary": "leg_primary", "mode": "leg_mode"}),
                  on=["site", "flow"], how="inner", maintain_order="left")
         .with_columns((pl.col("amount") * pl.col("__kg")).alias("__mass"),
                       (pl.col("distance") * pl.col("__km")).alias("__dist")))
    return t.select(
        "scenario", "component", "share", pl.lit("transport").alias("stage"), pl.lit(False).alias("stage_default"),
        pl.format("inbound {} → {}", "flow", "site").alias("process"), "site",
        pl.format("freight_{}", "leg_mode").alias("flow"), (pl.col("__mass") / 1000.0 * pl.col("__dist")).alias("amount"),
        pl.lit("tkm").alias("unit"), pl.col("leg_factor").alias("factor"),
        pl.format("{} for {}", "leg_origin", "origin").alias("origin"), pl.col("__mass").alias("shipped_kg"),
        pl.col("__dist").alias("distance_km"), pl.col("leg_mode").alias("mode"), pl.col("leg_primary").alias("primary"),
        "pid", pl.lit(None, pl.String).alias("goods"), pl.col("site").alias("to_site"),
        pl.lit(None, pl.String).alias("consumer"), pl.lit(None, pl.String).alias("carries")).select(act.columns)
