"""The per-lot computation as pure polars expressions over a LazyFrame (or one Arrow batch).

The hot path never joins on strings: scenario, unit and destination are cast to ``pl.Enum``
over their few distinct values, and their physical codes index small lookup arrays
(``gather``) held in a :class:`LedgerPlan`. The lot's month comes from a day → period array, so
no per-row date arithmetic or string formatting is needed. A lot that cannot be priced is kept
with a reason, never dropped: ``good + bad = input``.

>>> import polars as pl
>>> plan = LedgerPlan.example()
>>> lots = pl.LazyFrame({"lot_id": ["L1", "L2"], "date": [date(2025, 3, 2)] * 2, "product": ["sep"] * 2,
...     "quantity": [10.0, -1.0], "unit": ["m^2"] * 2, "scenario": ["s1"] * 2,
...     "origin_plant": ["a"] * 2, "destination_plant": ["d1"] * 2})
>>> good, bad = batch_footprints(lots.collect(), plan)
>>> good["footprint"].to_list(), bad["reason"].to_list()
([2.5], ['negative quantity'])
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import polars as pl

#: Output columns, in order, with their types (also the Spark schema of the distributed path).
LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "lot_id": pl.String(), "date": pl.Date(), "period": pl.String(), "product": pl.String(),
    "scenario": pl.String(), "origin_plant": pl.String(), "destination_plant": pl.String(),
    "quantity": pl.Float64(), "unit": pl.String(), "declared_quantity": pl.Float64(),
    "declared_unit": pl.String(), "intensity": pl.Float64(), "intensity_unit": pl.String(),
    "footprint": pl.Float64(), "footprint_unit": pl.String(), "plant_data": pl.Boolean(),
    "study_id": pl.String(), "factor_library": pl.String(), "factor_library_hash": pl.String(),
}
#: Rejected lots: input row number (1 = first data row), the input columns, and why.
REJECT_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(), "lot_id": pl.String(), "date": pl.Date(), "product": pl.String(),
    "quantity": pl.Float64(), "unit": pl.String(), "scenario": pl.String(), "origin_plant": pl.String(),
    "destination_plant": pl.String(), "reason": pl.String(),
}
DIMENSIONS = ("scenario", "unit", "destination_plant")
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class LedgerPlan:
    """Small lookup arrays that price a lot; built once per run (see :mod:`lca.ledger.plan`).

    Codes: ``s`` (scenario of the study), ``d`` (priced destination), ``p`` (0 = study defaults,
    k = k-th month with plant data). ``intensity[(s * n_dest + d) * n_pcodes + p]``.
    """

    scenarios: list[str]                 # Enum categories of the scenario column
    scenario_index: list[int | None]     # → s (None: not a scenario of the study)
    units: list[str]
    unit_to_declared: list[float | None]  # quantity unit → declared units (None: bad unit)
    unit_reason: list[str | None]
    destinations: list[str]
    destination_index: list[int | None]  # → d (None: cannot deliver there)
    destination_reason: list[str | None]
    n_dest: int
    n_pcodes: int
    intensity: list[float]               # kg CO2e per declared unit
    plant_used: list[bool]
    first_day: int                       # days since 1970-01-01 of day index 0
    day_pcode: list[int]
    day_period: list[int]                # → index into periods
    periods: list[str]                   # "YYYY-MM" labels
    declared_unit: str = "m^2"
    intensity_unit: str = "kg_CO2e/m^2"
    lineage: dict[str, str] = field(default_factory=dict)

    @classmethod
    def example(cls) -> "LedgerPlan":
        """A one-scenario plan for doctests: 0.25 kg CO2e/m² in March 2025."""
        first = (date(2025, 3, 1) - _EPOCH).days
        return cls(["s1"], [0], ["m^2"], [1.0], [None], ["d1"], [0], [None], 1, 1, [0.25], [False],
                   first, [0] * 31, [0] * 31, ["2025-03"],
                   lineage={"study_id": "ex", "factor_library": "0", "factor_library_hash": "0"})


def _lookup(values: list, dtype: pl.DataType, idx: pl.Expr) -> pl.Expr:
    return pl.lit(pl.Series(values, dtype=dtype)).gather(idx)


def _code(col: str, categories: list[str]) -> pl.Expr:
    # Unknown or null values become a null code (strict=False), never an error.
    return pl.col(col).cast(pl.Enum(categories or [""]), strict=False).to_physical().cast(pl.UInt32)


def _encoder(dtype: pl.DataType | None, col: str, categories: list[str]):
    """``(code expression, realign)``: codes of ``col`` and a function that re-indexes a lookup
    list given per plan category into that code space.

    An ``Enum`` column keeps its own codes (re-casting Enum → Enum costs ~40 ns a row); other
    columns are cast to an Enum over the plan's categories.
    """
    if isinstance(dtype, pl.Enum):
        pos = {c: i for i, c in enumerate(categories)}
        remap = [pos.get(c) for c in dtype.categories.to_list()]
        return (pl.col(col).to_physical().cast(pl.UInt32),
                lambda values: [None if r is None else values[r] for r in remap] or [None])
    return _code(col, categories), lambda values: values


def _realign(plan: LedgerPlan, schema) -> tuple[LedgerPlan, tuple[pl.Expr, pl.Expr, pl.Expr]]:
    """The plan with its per-category lists in the code space of these columns, and the codes."""
    s_code, s_re = _encoder(schema.get("scenario"), "scenario", plan.scenarios)
    d_code, d_re = _encoder(schema.get("destination_plant"), "destination_plant", plan.destinations)
    u_code, u_re = _encoder(schema.get("unit"), "unit", plan.units)
    plan = replace(plan, scenario_index=s_re(plan.scenario_index), destination_index=d_re(plan.destination_index),
                   destination_reason=d_re(plan.destination_reason), unit_to_declared=u_re(plan.unit_to_declared),
                   unit_reason=u_re(plan.unit_reason))
    return plan, (s_code, d_code, u_code)


def price(lots: pl.LazyFrame, plan: LedgerPlan) -> pl.LazyFrame:
    """Add ``declared_quantity``, ``intensity``, ``footprint``, ``period``, ``plant_data`` and ``_ok``.

    Staged ``with_columns`` so each code is computed once (``_s``, ``_d``, ``_u``, ``_day``, ``_key``
    stay for :func:`reason` and are dropped by the final selects).
    """
    plan, (s_code, d_code, u_code) = _realign(plan, lots.collect_schema())
    day = pl.col("date").cast(pl.Date).to_physical() - plan.first_day
    q = pl.col("quantity")
    return (lots.with_columns(
                _lookup(plan.scenario_index, pl.UInt32(), s_code).alias("_s"), d_code.alias("_dc"), u_code.alias("_u"),
                pl.when((day >= 0) & (day < len(plan.day_pcode))).then(day.cast(pl.UInt32)).alias("_day"))
            .with_columns(
                ((pl.col("_s") * plan.n_dest + _lookup(plan.destination_index, pl.UInt32(), pl.col("_dc")))
                 * plan.n_pcodes + _lookup(plan.day_pcode, pl.UInt32(), pl.col("_day"))).alias("_key"),
                (q * _lookup(plan.unit_to_declared, pl.Float64(), pl.col("_u"))).alias("declared_quantity"))
            .with_columns(
                _lookup(plan.intensity, pl.Float64(), pl.col("_key")).alias("intensity"),
                _lookup(plan.plant_used, pl.Boolean(), pl.col("_key")).alias("plant_data"),
                _lookup(plan.periods, pl.String(), _lookup(plan.day_period, pl.UInt32(), pl.col("_day")))
                .alias("period"))
            .with_columns(
                (pl.col("declared_quantity") * pl.col("intensity")).alias("footprint"),
                (pl.col("lot_id").is_not_null() & pl.col("intensity").is_not_null()
                 & pl.col("declared_quantity").is_not_null() & q.is_finite() & (q >= 0))
                .fill_null(False).alias("_ok")))


def reason(plan: LedgerPlan, schema) -> pl.Expr:
    """Why a lot is bad (first rule that fails), for the rejects table (uses :func:`price`'s codes)."""
    plan = _realign(plan, schema)[0]
    q = pl.col("quantity")
    return (pl.when(pl.col("lot_id").is_null()).then(pl.lit("missing lot id"))
            .when(pl.col("date").is_null()).then(pl.lit("missing or invalid date"))
            .when(pl.col("period").is_null()).then(pl.lit("date outside the planned range"))
            .when(pl.col("scenario").is_null()).then(pl.lit("missing scenario"))
            .when(pl.col("_s").is_null()).then(pl.format("unknown scenario '{}'", pl.col("scenario").cast(pl.String)))
            .when(pl.col("destination_plant").is_null()).then(pl.lit("missing destination plant"))
            .when(pl.col("unit").is_null()).then(pl.lit("missing unit"))
            .when(pl.col("declared_quantity").is_null() & q.is_not_null())
            .then(_lookup(plan.unit_reason, pl.String(), pl.col("_u")))
            .when(q.is_null()).then(pl.lit("missing or invalid quantity"))
            .when(q.is_nan() | q.is_infinite()).then(pl.lit("quantity is not finite"))
            .when(q < 0).then(pl.lit("negative quantity"))
            .when(_lookup(plan.destination_index, pl.UInt32(), pl.col("_dc")).is_null())
            .then(_lookup(plan.destination_reason, pl.String(), pl.col("_dc")))
            .otherwise(pl.lit("no intensity for this scenario and destination")))


def good_lots(priced: pl.LazyFrame, plan: LedgerPlan) -> pl.LazyFrame:
    """Priced lots in :data:`LEDGER_SCHEMA` order, with units and lineage columns."""
    lin = plan.lineage
    consts = {"declared_unit": plan.declared_unit, "intensity_unit": plan.intensity_unit,
              "footprint_unit": "kg_CO2e", "study_id": lin.get("study_id", ""),
              "factor_library": lin.get("factor_library", ""),
              "factor_library_hash": lin.get("factor_library_hash", "")}
    cols = [pl.lit(consts[c], dtype=pl.String).alias(c) if c in consts else pl.col(c).cast(t)
            for c, t in LEDGER_SCHEMA.items()]
    return priced.filter(pl.col("_ok")).select(cols)


def bad_lots(priced: pl.LazyFrame, plan: LedgerPlan) -> pl.LazyFrame:
    """Lots that could not be priced, in :data:`REJECT_SCHEMA` order."""
    schema = priced.collect_schema()
    return (priced.filter(~pl.col("_ok")).with_columns(reason(plan, schema).alias("reason"))
            .select([pl.col(c).cast(t) for c, t in REJECT_SCHEMA.items()]))


def batch_footprints(batch: pl.DataFrame, plan: LedgerPlan, *, first_row: int = 1
                     ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Price one in-memory batch: ``(good lots, rejected lots)``. The unit of work on Spark."""
    priced = price(batch.lazy().with_row_index("row", offset=first_row), plan).collect()
    return good_lots(priced.lazy(), plan).collect(), bad_lots(priced.lazy(), plan).collect()
