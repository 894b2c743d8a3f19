"""Spark local mode runs the same per-batch polars function and gets the same rows (lca[spark])."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

pytestmark = pytest.mark.spark
QUIET = Path(__file__).with_name("log4j2-quiet.properties")


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One Spark JVM per test session: local[2], loopback only, UI off, quiet logs, tmp dirs."""
    pytest.importorskip("pyspark", reason="pyspark not installed (pip install 'lca[spark]')")
    pytest.importorskip("pandas", reason="Spark's mapInArrow needs pandas>=2.2 (pip install 'lca[spark]')")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("Spark 4 needs Java 17+ (apt-get install openjdk-17-jre-headless)")
    from pyspark.sql import SparkSession

    base = tmp_path_factory.mktemp("spark")
    os.environ.update(PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1",
                      SPARK_LOCAL_DIRS=str(base / "local"))
    s = (SparkSession.builder.master("local[2]").appName("lca-tests")
         .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.driver.memory", "1g").config("spark.sql.shuffle.partitions", "2")
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.sql.warehouse.dir", str(base / "wh"))
         .config("spark.driver.extraJavaOptions",
                 f"-Djava.io.tmpdir={base} -XX:-UsePerfData -Dlog4j2.configurationFile=file:{QUIET}")
         .getOrCreate())
    yield s
    s.stop()


@pytest.fixture(scope="module")
def lots():
    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    from gen_ledger import make_lots

    df = make_lots(20_000, seed=11, bad_fraction=0.01)
    # a few more kinds of bad row, generated here (one engine makes all inputs)
    return df.with_columns(
        pl.when(pl.col("lot_id") == "L5").then(pl.lit("nowhere")).otherwise(pl.col("scenario")).alias("scenario"),
        pl.when(pl.col("lot_id") == "L6").then(pl.lit("kg")).otherwise(pl.col("unit")).alias("unit"),
        pl.when(pl.col("lot_id") == "L7").then(pl.lit("L8")).otherwise(pl.col("lot_id")).alias("lot_id"))


def test_spark_equals_polars_row_for_row(spark, lots):
    from ledger_default import compute_ledger, default_footprint
    from lca.ledger import LEDGER_SCHEMA, REJECT_SCHEMA
    from lca.ledger.engine import as_exchange
    from lca.ledger.spark import ledger_on_spark

    mem = compute_ledger(lots, on_error="skip")
    sdf = spark.createDataFrame(lots.to_arrow()).repartition(3)  # several batches, several tasks
    good, bad = ledger_on_spark(sdf, default_footprint())
    got = pl.from_arrow(good.toArrow()).cast(LEDGER_SCHEMA).select(list(LEDGER_SCHEMA))
    # polars keeps text as Enum; Spark gets (and returns) plain strings: same rows, same values
    assert_frame_equal(got.sort("lot_id"), as_exchange(mem.lots).sort("lot_id"), check_exact=True)
    rej = pl.from_arrow(bad.toArrow()).cast(REJECT_SCHEMA)
    want = mem.rejects.drop("row").sort("lot_id")
    assert_frame_equal(rej.drop("row").sort("lot_id"), want, check_exact=True)
    assert got.height + rej.height == lots.height
    assert {"L5", "L6"} <= set(rej["lot_id"])
    # a duplicated id is found across batches (one Spark group-by), every occurrence rejected
    assert rej.filter(pl.col("lot_id") == "L8")["reason"].to_list() == ["duplicate lot id"] * 2
