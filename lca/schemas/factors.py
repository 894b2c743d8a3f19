"""Models of the factor library: emission factor rows and GWP tables."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from lca.choices import CATEGORIES, CITATION_QUALITIES, DISTRIBUTIONS, FACTOR_TD_LOSSES, GASES, GWP_SETS, SCOPES, STATUSES
from lca.schemas.base import Base, REGION, non_negative, optional


class FactorTable(Base):
    """One emission factor row: value with unit, gas, region, year, status, citation, quality."""

    id: str = pa.Field(unique=True, str_matches=r"^[a-z0-9][a-z0-9_.-]*$")
    flow: str = pa.Field(str_matches=r"^[a-z0-9_]+$")
    name: str
    category: str = pa.Field(isin=CATEGORIES)
    region: str = pa.Field(str_matches=REGION)
    value: float = non_negative()
    unit: str
    gas: str = pa.Field(isin=GASES)
    scope: str = pa.Field(isin=SCOPES)
    basis: str = optional()
    td_losses: str = pa.Field(nullable=True, isin=FACTOR_TD_LOSSES)
    year: int = pa.Field(ge=1990, le=2100)
    status: str = pa.Field(isin=STATUSES)
    estimate: bool
    #: the reporting company's own measured emission factor (PACT primary data); empty = false
    primary: bool = optional()
    source: str = pa.Field(str_length={"min_value": 3})
    source_table: str = optional()
    url: str = optional()
    license: str = optional()
    dq_technological: int = pa.Field(ge=1, le=5)
    dq_geographical: int = pa.Field(ge=1, le=5)
    dq_temporal: int = pa.Field(ge=1, le=5)
    unc_dist: str = pa.Field(nullable=True, isin=DISTRIBUTIONS)
    unc_gsd: float = pa.Field(nullable=True, ge=1)
    unc_sd: float = pa.Field(nullable=True, ge=0)
    unc_min: float = optional()
    unc_max: float = optional()
    notes: str = optional()
    #: the edition (one publication) the row belongs to; empty = "<source> (<year>)"
    dataset: str = optional()
    #: how good the row's citation is (primary | secondary | estimate); empty = not rated
    citation_quality: str = pa.Field(nullable=True, isin=CITATION_QUALITIES)

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
