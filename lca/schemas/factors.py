"""Models of the factor library: emission factor rows and GWP tables."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from lca.choices import CATEGORIES, DISTRIBUTIONS, FACTOR_TD_LOSSES, GASES, GWP_SETS, SCOPES, STATUSES
from lca.schemas.base import REGION, Base


class FactorTable(Base):
    """One emission factor row: value with unit, gas, region, year, status, citation, quality."""

    id: str = pa.Field(unique=True, str_matches=r"^[a-z0-9][a-z0-9_.-]*$")
    flow: str = pa.Field(str_matches=r"^[a-z0-9_]+$")
    name: str
    category: str = pa.Field(isin=CATEGORIES)
    region: str = pa.Field(str_matches=REGION)
    value: float = pa.Field(ge=0)
    unit: str
    gas: str = pa.Field(isin=GASES)
    scope: str = pa.Field(isin=SCOPES)
    basis: str = pa.Field(nullable=True)
    td_losses: str = pa.Field(nullable=True, isin=FACTOR_TD_LOSSES)
    year: int = pa.Field(ge=1990, le=2100)
    status: str = pa.Field(isin=STATUSES)
    estimate: bool
    #: the reporting company's own measured emission factor (PACT primary data); empty = false
    primary: bool = pa.Field(nullable=True)
    source: str = pa.Field(str_length={"min_value": 3})
    source_table: str = pa.Field(nullable=True)
    url: str = pa.Field(nullable=True)
    license: str = pa.Field(nullable=True)
    dq_technological: int = pa.Field(ge=1, le=5)
    dq_geographical: int = pa.Field(ge=1, le=5)
    dq_temporal: int = pa.Field(ge=1, le=5)
    unc_dist: str = pa.Field(nullable=True, isin=DISTRIBUTIONS)
    unc_gsd: float = pa.Field(nullable=True, ge=1)
    unc_sd: float = pa.Field(nullable=True, ge=0)
    unc_min: float = pa.Field(nullable=True)
    unc_max: float = pa.Field(nullable=True)
    notes: str = pa.Field(nullable=True)
    #: the edition (one publication) the row belongs to; empty = "<source> (<year>)"
    dataset: str = pa.Field(nullable=True)

    @pa.dataframe_check(error="a factor cannot be both an estimate and primary (measured) data")
    def primary_is_measured(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(~(pl.col("estimate") & pl.col("primary").fill_null(False)))


class GwpTable(Base):
    id: str = pa.Field(unique=True)
    gwp_set: str = pa.Field(isin=GWP_SETS)
    gas: str = pa.Field(isin=GASES)
    value: float = pa.Field(gt=0)
    unit: str
    source: str

    @pa.dataframe_check(error="a gas appears twice in one GWP set")
    def one_per_set(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.struct("gwp_set", "gas").is_unique())
