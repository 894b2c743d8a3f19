"""The distributed path: the same per-batch polars function on Apache Spark via ``mapInArrow``.

Optional extra ``lca[spark]`` (pyspark, pandas>=2.2,<3, pyarrow). Import this module only when
you use it. The plan (a few small lists) is built on the driver from one Spark aggregation and
shipped to the executors inside the function's closure.

    from lca.ledger.spark import ledger_on_spark
    fp = lca.compute(lca.load_study("study.toml"))                       # the driver loads the study
    good, bad = ledger_on_spark(spark.read.parquet("s3://…/lots/"), fp)  # two Spark DataFrames
    good.write.partitionBy("period").parquet("s3://…/ledger/")
"""

from __future__ import annotations

from typing import Iterator

import polars as pl

from lca.ledger.engine import LEDGER_SCHEMA, REJECT_SCHEMA, LedgerPlan, as_exchange, bad_lots, good_lots, price
from lca.ledger.io import normalize
from lca.ledger.plan import TEXT_COLUMNS, Dimensions, build_plan

_SPARK_TYPES = {pl.String(): "string", pl.Date(): "date", pl.Float64(): "double", pl.Boolean(): "boolean",
                pl.Int64(): "bigint"}


def spark_schema(schema: dict[str, pl.DataType]) -> str:
    """DDL string for a polars schema, in the same column order (Spark matches by position).

    >>> spark_schema({"lot_id": pl.String(), "footprint": pl.Float64()})
    'lot_id string, footprint double'
    """
    return ", ".join(f"{c} {_SPARK_TYPES[t]}" for c, t in schema.items())


def _batches(plan: LedgerPlan, which: str):
    import pyarrow as pa

    def run(it: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for rb in it:
            df = pl.from_arrow(rb)
            lots = normalize(df.lazy()).with_columns(pl.lit(None, dtype=pl.UInt32).alias("row"))
            priced = price(lots, plan)
            out = (as_exchange(good_lots(priced, plan)) if which == "good" else bad_lots(priced, plan))
            # exact declared types and order (Enum text as String): the JVM reads columns by
            # position and type
            yield from out.collect().to_arrow().to_batches()

    return run


def dimensions(sdf) -> Dimensions:
    """Distinct scenarios, units, destinations, the date range and the months that occur, computed by Spark."""
    from pyspark.sql import functions as F

    row = sdf.agg(*[F.sort_array(F.collect_set(F.col(c).cast("string"))).alias(c)
                    for c in TEXT_COLUMNS if c in sdf.columns],
                  F.min(F.col("date").cast("date")).alias("first"),
                  F.max(F.col("date").cast("date")).alias("last"),
                  F.sort_array(F.collect_set(F.date_format(F.col("date").cast("date"), "yyyy-MM"))).alias("months"),
                  ).collect()[0]
    return Dimensions(list(row["scenario"]), list(row["unit"]), list(row["destination_plant"]),
                      row["first"], row["last"], *[list(row[c]) if c in sdf.columns else []
                                                   for c in ("product", "origin_plant")], months=list(row["months"]))


def duplicate_ids(sdf) -> list[str]:
    """Lot ids that occur more than once (nulls excluded), by one Spark group-by; collected to the
    driver, so this assumes duplicates are few (they are all rejected)."""
    from pyspark.sql import functions as F

    lid = F.col("lot_id").cast("string")
    rows = (sdf.select(lid.alias("lot_id")).where(F.col("lot_id").isNotNull())
            .groupBy("lot_id").count().where(F.col("count") > 1).select("lot_id").collect())
    return sorted(r["lot_id"] for r in rows)


def ledger_on_spark(sdf, footprint, *, plant_data: pl.DataFrame | None = None, m2_per_roll: str | None = None,
                    date_window=None):
    """Per-lot footprints of a Spark DataFrame of shipments: ``(good, rejected)`` Spark DataFrames.

    Same columns as :data:`~lca.ledger.engine.LEDGER_SCHEMA` / ``REJECT_SCHEMA``; rejects have a
    null ``row`` (Spark has no global row order). Duplicate lot ids are found by one Spark group-by
    before the batches run, so every occurrence is rejected as on polars. ``date_window`` as in
    :func:`~lca.ledger.compute_ledger`.
    """
    from lca.ledger.api import as_footprint
    from lca.ledger.io import read_plant_data

    fp = as_footprint(footprint)
    if "scenario" not in sdf.columns and "route" in sdf.columns:
        sdf = sdf.withColumnRenamed("route", "scenario")
    plant = read_plant_data(plant_data)[0] if plant_data is not None else None
    plan = build_plan(fp, dimensions(sdf), plant=plant, m2_per_roll=m2_per_roll, duplicate_ids=duplicate_ids(sdf),
                      window=date_window)
    good = sdf.mapInArrow(_batches(plan, "good"), spark_schema(LEDGER_SCHEMA))
    bad = sdf.mapInArrow(_batches(plan, "bad"), spark_schema(REJECT_SCHEMA))
    return good, bad
