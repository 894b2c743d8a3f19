"""pandera models for the ledger's tables: shipments (lots), primary plant data, per-lot results, rejects.

Row-level rules that decide whether a lot can be priced (known scenario, unit of the declared
unit's dimension, finite non-negative quantity, a lot id) are *not* schema failures: they make the
lot a bad row, reported with its lot id (see :mod:`lca.ledger.engine`). The models here check what
must hold for the table as a whole (columns, types) and, on the priced output, the invariants.

>>> import polars as pl
>>> sorted(SHIPMENT_COLUMNS)[:3]
['date', 'destination_plant', 'lot_id']
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from lca.schemas.base import Base, ID, non_negative, optional

#: Input columns of a shipments table and the polars type each is read as.
SHIPMENT_COLUMNS: dict[str, pl.DataType] = {
    "lot_id": pl.String(), "date": pl.Date(), "product": pl.String(), "quantity": pl.Float64(),
    "unit": pl.String(), "scenario": pl.String(), "origin_plant": pl.String(),
    "destination_plant": pl.String(),
}
#: Columns a shipments table may omit (filled with nulls).
OPTIONAL_COLUMNS = ("product", "origin_plant")

#: Energy carriers plant data may give, named like the study's flows.
CARRIERS = ["electricity", "natural_gas"]


class ShipmentTable(Base):
    """One row per lot received. Nullable here: a null makes the *row* bad, not the table."""

    lot_id: str = optional()
    date: pl.Date = optional()
    product: str = optional()
    quantity: float = optional()
    unit: str = optional()
    scenario: str = optional()
    origin_plant: str = optional()
    destination_plant: str = optional()


class PlantDataTable(Base):
    """Primary data: energy a plant used in a month and what it made, per carrier."""

    plant: str = pa.Field(str_matches=ID)
    period: str = pa.Field(str_matches=r"^\d{4}-(0[1-9]|1[0-2])$")
    carrier: str = pa.Field(isin=CARRIERS)
    energy: float = non_negative()
    energy_unit: str
    output: float = pa.Field(gt=0)
    output_unit: str

    @pa.check("energy", "output", error="values must be finite")
    def finite(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_finite())

    @pa.dataframe_check(error="plant, period and carrier must be unique")
    def one_per_key(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.struct("plant", "period", "carrier").is_duplicated())


class LedgerTable(Base):
    """Per-lot footprint: quantity in declared units × intensity (both with units) → kg CO2e."""

    lot_id: str
    date: pl.Date
    period: str = pa.Field(str_matches=r"^\d{4}-\d{2}$")
    scenario: str = pa.Field(str_matches=ID)
    destination_plant: str = pa.Field(str_matches=ID)
    declared_quantity: float = non_negative()
    declared_unit: str
    intensity: float = non_negative()
    intensity_unit: str
    footprint: float = non_negative()
    footprint_unit: str = pa.Field(isin=["kg_CO2e"])
    plant_data: bool
    study_id: str
    factor_library: str
    factor_library_hash: str

    @pa.check("declared_quantity", "intensity", "footprint", error="values must be finite")
    def finite(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_finite())

    @pa.dataframe_check(error="footprint must equal declared_quantity × intensity")
    def product_rule(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("footprint") == pl.col("declared_quantity") * pl.col("intensity"))


class RejectTable(Base):
    """A lot that could not be priced, with its input row number and the reason."""

    row: int = pa.Field(ge=1)
    lot_id: str = optional()
    reason: str
