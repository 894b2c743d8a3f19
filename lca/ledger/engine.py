"""The per-lot computation as pure polars expressions over a LazyFrame (or one Arrow batch).

The hot path never joins on strings: scenario, unit, destination (and the pass-through product
and origin) are read as small integer codes — the physical codes of a ``pl.Enum`` over the few
distinct values the plan saw — and the codes index tiny lookup arrays (``gather``) held in a
:class:`LedgerPlan`. One gather on ``scenario × destination`` gives the intensity row, one on the
day gives the month and its plant-data column, so no per-row date arithmetic or string
formatting is needed. Text columns of the output stay ``pl.Enum`` (1 byte a row, dictionary
pages in Parquet); lineage columns are single-category Enums. A lot that cannot be priced is
kept with a reason, never dropped: ``good + bad = input``.

>>> import polars as pl
>>> plan = LedgerPlan.example()
>>> lots = pl.LazyFrame({"lot_id": ["L1", "L2"], "date": [date(2025, 3, 2)] * 2, "product": ["sep"] * 2,
...     "quantity": [10.0, -1.0], "unit": ["m^2"] * 2, "scenario": ["s1"] * 2,
...     "origin_plant": ["a"] * 2, "destination_plant": ["d1"] * 2})
>>> good, bad = batch_footprints(lots.collect(), plan)
>>> good["footprint"].to_list(), bad["reason"].to_list(), good["scenario"].dtype
([2.5], ['negative quantity'], Enum(categories=['s1']))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

#: Output columns, in order, with their exchange types (the Spark schema of the distributed path;
#: ``LedgerResult.lots`` and the Parquet files hold the text columns as ``pl.Enum`` instead, see
#: :data:`ENUM_COLUMNS` and :func:`as_exchange`).
LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "lot_id": pl.String(), "date": pl.Date(), "period": pl.String(), "product": pl.String(),
    "scenario": pl.String(), "origin_plant": pl.String(), "destination_plant": pl.String(),
    "quantity": pl.Float64(), "unit": pl.String(), "declared_quantity": pl.Float64(),
    "declared_unit": pl.String(), "intensity": pl.Float64(), "intensity_unit": pl.String(),
    "footprint": pl.Float64(), "footprint_unit": pl.String(), "plant_data": pl.Boolean(),
    "study_id": pl.String(), "factor_library": pl.String(), "factor_library_hash": pl.String(),
}
#: Text columns of the output held as ``pl.Enum`` (every column of text except ``lot_id``).
ENUM_COLUMNS = tuple(c for c, t in LEDGER_SCHEMA.items() if t == pl.String() and c != "lot_id")
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
    day_pcode: list[int | None]          # None: no lot falls in that day's month
    day_period: list[int | None]         # → index into periods
    periods: list[str]                   # "YYYY-MM" labels of the months that occur
    declared_unit: str = "m^2"
    intensity_unit: str = "kg_CO2e/m^2"
    lineage: dict[str, str] = field(default_factory=dict)
    products: list[str] = field(default_factory=list)  # Enum categories of the pass-through columns
    origins: list[str] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)  # lot ids seen more than once: all bad
    date_window: tuple[date, date] | None = None  # lots dated outside it are bad rows

    @classmethod
    def example(cls) -> "LedgerPlan":
        """A one-scenario plan for doctests: 0.25 kg CO2e/m² in March 2025."""
        first = (date(2025, 3, 1) - _EPOCH).days
        return cls(["s1"], [0], ["m^2"], [1.0], [None], ["d1"], [0], [None], 1, 1, [0.25], [False],
                   first, [0] * 31, [0] * 31, ["2025-03"],
                   lineage={"study_id": "ex", "factor_library": "0", "factor_library_hash": "0"},
                   products=["sep"], origins=["a"])

    def constants(self) -> dict[str, str]:
        """The output columns that hold one value for the whole run (units and lineage)."""
        lin = self.lineage
        return {"declared_unit": self.declared_unit, "intensity_unit": self.intensity_unit,
                "footprint_unit": "kg_CO2e", "study_id": lin.get("study_id", ""),
                "factor_library": lin.get("factor_library", ""),
                "factor_library_hash": lin.get("factor_library_hash", "")}

    def categories(self) -> dict[str, list[str]]:
        """Enum categories of every text column of the output (see :data:`ENUM_COLUMNS`)."""
        return {"period": self.periods, "product": self.products, "scenario": self.scenarios,
                "origin_plant": self.origins, "destination_plant": self.destinations, "unit": self.units,
                **{c: [v] for c, v in self.constants().items()}}

    def output_schema(self) -> dict[str, pl.DataType]:
        """:data:`LEDGER_SCHEMA` with the text columns as this run's ``pl.Enum`` types."""
        cats = self.categories()
        return {c: pl.Enum(cats[c]) if c in cats else t for c, t in LEDGER_SCHEMA.items()}


def as_exchange(lots: pl.DataFrame | pl.LazyFrame):
    """Ledger lots with Enum text columns cast to plain String (:data:`LEDGER_SCHEMA`), for
    engines and checks that expect text (Spark, pandera).

    >>> as_exchange(pl.DataFrame({"unit": pl.Series(["m^2"], dtype=pl.Enum(["m^2"]))})).dtypes
    [String]
    """
    names = lots.collect_schema().names() if isinstance(lots, pl.LazyFrame) else lots.columns
    return lots.with_columns(pl.col(c).cast(pl.String) for c in ENUM_COLUMNS if c in names)


def _lookup(values: list, dtype: pl.DataType, idx: pl.Expr) -> pl.Expr:
    return pl.lit(pl.Series(values, dtype=dtype)).gather(idx)


def _encoder(dtype: pl.DataType | None, col: str, categories: list[str]):
    """``(code expression, realign)``: codes of ``col`` and a function that re-indexes a lookup
    list given per plan category into that code space.

    An ``Enum`` column keeps its own codes (re-casting Enum → Enum costs ~40 ns a row); other
    columns are cast to an Enum over the plan's categories (unknown or null → null code).
    """
    if isinstance(dtype, pl.Enum):
        pos = {c: i for i, c in enumerate(categories)}
        remap = [pos.get(c) for c in dtype.categories.to_list()]
        return (pl.col(col).to_physical().cast(pl.UInt32),
                lambda values: [None if r is None else values[r] for r in remap] or [None])
    code = pl.col(col).cast(pl.Enum(categories or [""]), strict=False).to_physical().cast(pl.UInt32)
    return code, lambda values: values


@dataclass(frozen=True)
class _Codes:
    """The plan's lookup arrays re-indexed into the code space of one input schema."""

    code: dict[str, pl.Expr]             # column → UInt32 code expression
    scenario_index: list
    destination_index: list
    destination_reason: list
    unit_to_declared: list
    unit_reason: list
    label: dict[str, pl.Series]          # column → Enum Series indexed by code (output text)


def _codes(plan: LedgerPlan, schema) -> _Codes:
    cats = {"scenario": plan.scenarios, "destination_plant": plan.destinations, "unit": plan.units,
            "product": plan.products, "origin_plant": plan.origins}
    code, label, re = {}, {}, {}
    for col, c in cats.items():
        code[col], re[col] = _encoder(schema.get(col), col, c)
        label[col] = pl.Series(re[col](list(c)) if c else [None], dtype=pl.Enum(c))
    return _Codes(code, re["scenario"](plan.scenario_index), re["destination_plant"](plan.destination_index),
                  re["destination_plant"](plan.destination_reason), re["unit"](plan.unit_to_declared),
                  re["unit"](plan.unit_reason), label)


def _duplicate(plan: LedgerPlan) -> pl.Expr:
    """True for a lot whose id the plan lists as duplicated; a constant False (free) when none is."""
    if not plan.duplicate_ids:
        return pl.lit(False)
    return pl.col("lot_id").cast(pl.String).is_in(pl.Series(plan.duplicate_ids, dtype=pl.String).implode())


def price(lots: pl.LazyFrame, plan: LedgerPlan) -> pl.LazyFrame:
    """Add ``declared_quantity``, ``intensity``, ``footprint``, ``period``, ``plant_data`` and ``_ok``.

    ``_sd`` (scenario × destination → first intensity of its row, null if either is unknown) is a
    lookup built here over the input's own codes, so pricing is three tiny gathers a lot.
    Helper columns ``_sc``, ``_dc``, ``_u``, ``_day``, ``_key`` stay for :func:`reason` and the
    output labels; the final selects drop them.
    """
    k = _codes(plan, lots.collect_schema())
    n_dc = len(k.destination_index)
    sd = [None if s is None or d is None else (s * plan.n_dest + d) * plan.n_pcodes
          for s in k.scenario_index for d in k.destination_index]
    day = pl.col("date").cast(pl.Date).to_physical() - plan.first_day
    period = pl.Series(plan.periods, dtype=pl.Enum(plan.periods)).gather(
        pl.Series(plan.day_period, dtype=pl.UInt32))
    q = pl.col("quantity")
    return (lots.with_columns(
                k.code["scenario"].alias("_sc"), k.code["destination_plant"].alias("_dc"),
                k.code["unit"].alias("_u"),
                pl.when((day >= 0) & (day < len(plan.day_pcode))).then(day.cast(pl.UInt32)).alias("_day"))
            .with_columns(
                (_lookup(sd, pl.UInt32(), pl.col("_sc") * n_dc + pl.col("_dc"))
                 + _lookup(plan.day_pcode, pl.UInt32(), pl.col("_day"))).alias("_key"),
                (q * _lookup(k.unit_to_declared, pl.Float64(), pl.col("_u"))).alias("declared_quantity"),
                pl.lit(period).gather(pl.col("_day")).alias("period"))
            .with_columns(
                _lookup(plan.intensity, pl.Float64(), pl.col("_key")).alias("intensity"),
                _lookup(plan.plant_used, pl.Boolean(), pl.col("_key")).alias("plant_data"))
            .with_columns(
                (pl.col("declared_quantity") * pl.col("intensity")).alias("footprint"),
                # a finite footprint also means a finite quantity (a huge one can overflow × unit × intensity)
                (pl.col("lot_id").is_not_null() & ~_duplicate(plan) & pl.col("intensity").is_not_null()
                 & pl.col("declared_quantity").is_not_null()
                 & (pl.col("declared_quantity") * pl.col("intensity")).is_finite() & (q >= 0))
                .fill_null(False).alias("_ok")))


def _outside(plan: LedgerPlan) -> pl.Expr:
    if plan.date_window is None:
        return pl.lit(False)
    lo, hi = plan.date_window
    return (pl.col("date") < lo) | (pl.col("date") > hi)


def _outside_text(plan: LedgerPlan) -> str:
    lo, hi = plan.date_window or (None, None)
    from lca.ledger.plan import DATE_WINDOW_YEARS

    return (f"date {{}} is outside the date window {lo}..{hi} (default: the study's reference period "
            f"± {DATE_WINDOW_YEARS} years; change it with --date-window)")


def reason(plan: LedgerPlan, schema) -> pl.Expr:
    """Why a lot is bad (first rule that fails), for the rejects table (uses :func:`price`'s codes)."""
    k = _codes(plan, schema)
    q = pl.col("quantity")
    return (pl.when(pl.col("lot_id").is_null()).then(pl.lit("missing lot id"))
            .when(_duplicate(plan)).then(pl.lit("duplicate lot id"))
            .when(pl.col("date").is_null()).then(pl.lit("missing or invalid date"))
            .when(_outside(plan)).then(pl.format(_outside_text(plan), pl.col("date")))
            .when(pl.col("period").is_null()).then(pl.lit("date outside the planned range"))
            .when(pl.col("scenario").is_null()).then(pl.lit("missing scenario"))
            .when(_lookup(k.scenario_index, pl.UInt32(), pl.col("_sc")).is_null())
            .then(pl.format("unknown scenario '{}'", pl.col("scenario").cast(pl.String)))
            .when(pl.col("destination_plant").is_null()).then(pl.lit("missing destination plant"))
            .when(pl.col("unit").is_null()).then(pl.lit("missing unit"))
            .when(pl.col("declared_quantity").is_null() & q.is_not_null())
            .then(_lookup(k.unit_reason, pl.String(), pl.col("_u")))
            .when(q.is_null()).then(pl.lit("missing or invalid quantity"))
            .when(q.is_nan() | q.is_infinite()).then(pl.lit("quantity is not finite"))
            .when(q < 0).then(pl.lit("negative quantity"))
            .when(_lookup(k.destination_index, pl.UInt32(), pl.col("_dc")).is_null())
            .then(_lookup(k.destination_reason, pl.String(), pl.col("_dc")))
            .when(~pl.col("footprint").is_finite())
            .then(pl.lit("quantity too large: in declared units × intensity it overflows"))
            .otherwise(pl.lit("no intensity for this scenario and destination")))


def good_lots(priced: pl.LazyFrame, plan: LedgerPlan) -> pl.LazyFrame:
    """Priced lots in :data:`LEDGER_SCHEMA` order; text as Enum (:meth:`LedgerPlan.output_schema`)."""
    k = _codes(plan, priced.collect_schema())
    consts = plan.constants()
    source = {"scenario": "_sc", "destination_plant": "_dc", "unit": "_u"}

    def column(c: str, t: pl.DataType) -> pl.Expr:
        if c in consts:  # one value for the run: a single-category Enum, 1 byte a row
            return pl.lit(consts[c], dtype=pl.Enum([consts[c]])).alias(c)
        if c in k.label:  # text from its code: the Enum label of the plan's category
            idx = pl.col(source[c]) if c in source else k.code[c]
            return pl.lit(k.label[c]).gather(idx).alias(c)
        return pl.col(c).cast(t)

    return priced.filter(pl.col("_ok")).select(
        column(c, t) for c, t in plan.output_schema().items())


def bad_lots(priced: pl.LazyFrame, plan: LedgerPlan) -> pl.LazyFrame:
    """Lots that could not be priced, in :data:`REJECT_SCHEMA` order (text as String)."""
    schema = priced.collect_schema()
    return (priced.filter(~pl.col("_ok")).with_columns(reason(plan, schema).alias("reason"))
            .select([pl.col(c).cast(t) for c, t in REJECT_SCHEMA.items()]))


def batch_footprints(batch: pl.DataFrame, plan: LedgerPlan, *, first_row: int = 1
                     ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Price one in-memory batch: ``(good lots, rejected lots)``. The unit of work on Spark."""
    priced = price(batch.lazy().with_row_index("row", offset=first_row), plan).collect()
    return good_lots(priced.lazy(), plan).collect(), bad_lots(priced.lazy(), plan).collect()
