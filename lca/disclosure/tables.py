"""Tabular exports for ESG systems: the long result table and the expanded inventory.

Both leave through a pandera model (:class:`ExportResultTable`, :class:`lca.schemas.ActivityTable`)
and carry a ``unit`` column. Formats: CSV, Parquet, JSON (records); written atomically.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> results_frame(fp).columns[:8]
['scenario', 'stage', 'flow_category', 'gas', 'value', 'unit', 'factor_id', 'region_used']
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

import pandera.polars as pa
import polars as pl

from lca.choices import EXPORT_TABLES, TABLE_FORMATS, spoken
from lca.errors import LcaInputError, Problem
from lca.results import Footprint
from lca.schemas import ActivityTable, validate_table

What = Literal["results", "inventory"]
Format = Literal["csv", "parquet", "json"]
RESULT_COLUMNS = ["scenario", "stage", "flow_category", "gas", "value", "unit", "factor_id", "region_used",
                  "component", "process", "site", "flow", "carbon_origin"]
#: what each scenario describes (current | prospective | hypothetical) and its reference period, on
#: every exported row (:attr:`lca.results.Footprint.outlook`)
OUTLOOK_COLUMNS = ["outlook", "reference_start", "reference_end"]
INVENTORY_COLUMNS = ["scenario", "component", "share", "stage", "process", "site", "flow", "amount", "unit",
                     "factor", "origin", "shipped_kg", "distance_km", "mode", "primary"]


class ExportResultTable(pa.DataFrameModel):
    """Long result rows as exported: kg CO2e per declared unit, with the factor and region used."""

    scenario: str
    stage: str
    flow_category: str
    gas: str
    value: float
    unit: str
    factor_id: str
    region_used: str

    class Config:
        strict = False

    @pa.check("value", error="result values must be finite")
    def finite(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_finite())


def results_frame(fp: Footprint, per: str = "declared_unit") -> pl.DataFrame:
    """scenario × stage × flow category × gas × factor × site rows, with value and unit."""
    keys = [c for c in RESULT_COLUMNS if c not in ("scenario", "value", "unit")]
    out = _with_outlook(fp, fp.by(*keys, per=per).select(RESULT_COLUMNS))
    return validate_table(out, ExportResultTable, table="results export")


def _with_outlook(fp: Footprint, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with :data:`OUTLOOK_COLUMNS` of its scenario appended."""
    return frame.join(fp.outlook.select("scenario", *OUTLOOK_COLUMNS), on="scenario", how="left",
                      maintain_order="left")


def inventory_frame(fp: Footprint) -> pl.DataFrame:
    """The expanded inventory: one row per activity (amount + unit per declared unit)."""
    acts = fp.detail.unique(subset=["act"], keep="first", maintain_order=True).sort("act")
    out = _with_outlook(fp, acts.select(INVENTORY_COLUMNS))
    return validate_table(out, ActivityTable, table="inventory export")


def export_table(fp: Footprint, what: What = "results", format: Format = "csv", path: Path | str | None = None,
                 *, per: str = "declared_unit", scenario: str | None = None) -> str | bytes | Path:
    """Serialise the result or inventory table. With ``path`` write it atomically and return the path;
    without, return the text (csv, json) or bytes (parquet). ``scenario`` keeps one scenario's rows.

    >>> import lca
    >>> fp = lca.compute(lca.load_study(lca.default_study_path()))
    >>> export_table(fp, "results", "csv").splitlines()[0]
    'scenario,stage,flow_category,gas,value,unit,factor_id,region_used,component,process,site,flow,carbon_origin,outlook,reference_start,reference_end'
    """
    from lca.outputs import write_atomic

    if what == "results":
        frame = results_frame(fp, per)
    elif what == "inventory":
        frame = inventory_frame(fp)
    else:
        raise LcaInputError(Problem(f"unknown table '{what}'", hint="use " + spoken(EXPORT_TABLES)))
    if scenario is not None:
        fp._check_scenario(scenario)
        frame = frame.filter(pl.col("scenario") == scenario)
    if format == "csv":
        data: str | bytes = frame.write_csv()
    elif format == "json":
        data = frame.write_json()
    elif format == "parquet":
        buf = io.BytesIO()
        frame.write_parquet(buf, statistics=False)
        data = buf.getvalue()
    else:
        raise LcaInputError(Problem(f"unknown format '{format}'", hint="use " + spoken(TABLE_FORMATS)))
    if path is None:
        return data
    return write_atomic(path, data)
