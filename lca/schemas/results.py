"""Models of what the engine produces: the expanded inventory and the long result rows."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from lca.schemas.base import Base


class ActivityTable(Base):
    """The expanded inventory: one activity per scenario × process × site × flow, per declared unit."""

    scenario: str
    component: str
    stage: str
    process: str
    site: str
    flow: str
    amount: float = pa.Field(ge=0)
    unit: str
    factor: str = pa.Field(nullable=True)
    origin: str
    primary: bool = pa.Field(nullable=True)


class ResultTable(Base):
    """Long result rows: kg CO2e per declared unit by scenario, stage, flow, gas and factor."""

    scenario: str
    component: str
    stage: str
    flow_category: str
    process: str
    site: str
    flow: str
    gas: str
    factor_id: str
    region_used: str
    region_fallback: str
    value: float

    @pa.check("value", error="result values must be finite")
    def finite(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_finite())
