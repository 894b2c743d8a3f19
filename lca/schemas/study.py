"""Models of the study's tables: sites, processes, exchanges, scenario steps, transport, routes, mixes."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from lca.choices import GRID_FALLBACKS
from lca.schemas.base import Base, ID, REGION, non_negative, optional


class SiteTable(Base):
    """Where processes run; the grid and country drive factor region resolution."""

    id: str = pa.Field(unique=True, str_matches=ID)
    name: str = optional()
    country: str = pa.Field(str_matches=r"^[A-Z]{2}$")
    subdivision: str = pa.Field(nullable=True, str_matches=REGION)
    grid: str = pa.Field(nullable=True, str_matches=REGION)
    market_factor: str = optional()
    grid_fallback: str = pa.Field(nullable=True, isin=GRID_FALLBACKS)


class ProcessTable(Base):
    """A unit process: what it makes (with unit), its yield and the mass of one output unit."""

    id: str = pa.Field(unique=True, str_matches=ID)
    name: str = optional()
    stage: str
    output_amount: float = pa.Field(gt=0)
    output_unit: str
    output_mass_amount: float = pa.Field(nullable=True, ge=0)
    output_mass_unit: str = optional()
    yield_: float = pa.Field(alias="yield", gt=0, le=1)


class ExchangeTable(Base):
    """Inputs of a process per unit of gross output: a flow (factor) or an intermediate input."""

    process: str
    flow: str = optional()
    input: str = optional()
    amount: float = non_negative()
    unit: str
    stage: str = optional()
    factor: str = optional()
    #: the reporting company's own measured activity data (PACT primary data); empty = false
    primary: bool = optional()
    #: where the amount comes from, and its data-quality ratings 1 (best) … 5 (worst), each optional
    #: (docs/study-format.md "Activity data: source and quality")
    source: str = optional()
    dqr_technological: int = optional(ge=1, le=5)
    dqr_geographical: int = optional(ge=1, le=5)
    dqr_temporal: int = optional(ge=1, le=5)
    dqr_completeness: int = optional(ge=1, le=5)
    dqr_reliability: int = optional(ge=1, le=5)
    row: int

    @pa.dataframe_check(error="each exchange needs exactly one of 'flow' or 'input'")
    def one_of_flow_input(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("flow").is_null() != pl.col("input").is_null())


class StepTable(Base):
    scenario: str
    process: str
    site: str


class TransportTable(Base):
    """One row per transport leg of a scenario (goods moved from one site to another)."""

    scenario: str
    element: int
    goods: str
    from_site: str
    to_site: str
    packaging_factor: float = pa.Field(ge=1)
    leg: int = pa.Field(ge=1)
    mode: str = pa.Field(str_matches=ID)
    distance: float = non_negative()
    distance_unit: str
    factor: str = optional()
    primary: bool


class RouteTable(Base):
    """Legs of routes between sites, as a table file beside a study (``[tables] routes``)."""

    from_: str = pa.Field(alias="from")
    to: str
    #: the leg's position in its route (1, 2, …): the rows carry the route's ends, not the leg's,
    #: so the order is written down and checked (each route's legs are 1…n in row order)
    leg: int = pa.Field(ge=1)
    mode: str = pa.Field(str_matches=r"^[a-z0-9_]+$")
    distance: float = non_negative()
    unit: str
    factor: str = optional()
    #: the leg's distance is the company's own measured data (PACT primary data); empty = false
    primary: bool = optional()
    #: where the amount comes from, and its data-quality ratings 1 (best) … 5 (worst), each optional
    #: (docs/study-format.md "Activity data: source and quality")
    source: str = optional()
    dqr_technological: int = optional(ge=1, le=5)
    dqr_geographical: int = optional(ge=1, le=5)
    dqr_temporal: int = optional(ge=1, le=5)
    dqr_completeness: int = optional(ge=1, le=5)
    dqr_reliability: int = optional(ge=1, le=5)


class MixTable(Base):
    scenario: str
    component: str
    share: float = pa.Field(ge=0, le=1)
