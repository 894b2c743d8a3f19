"""The figures of a rule-pack declaration: per scenario, per electricity variant, per declared stage.

A study declared under a rule pack (``[method] rules`` + ``[battery]``, :mod:`lca.study.battery`) is
computed once per electricity variant of the pack — each variant is a setting of the engine's own
electricity machinery (``electricity_rule``, ``electricity_basis``; :class:`lca.rules.Variant`), so
switching it changes electricity rows and nothing else. Each variant's footprint per kWh of capacity
(the battery's ``per`` view), by the study's stages, is mapped onto the pack's declared stages
through the study's ``[[stage]] eu_battery_stage`` and divided by the lifetime energy:

    per kWh of lifetime energy = per kWh of capacity × rated capacity ÷ E_total

A declared stage no contribution maps to is **not yet modelled**: no value, never a zero, with the
pack's reason where it gives one (end of life: the Circular Footprint Formula is not implemented), else
"no activity of the study maps to this stage"; the total names every stage it leaves out. No performance
class is computed while the pack says classes are unpublished.

The rows leave through a pandera model (:class:`DeclarationTable`): every consumer (report, JSON
declaration, battery passport) reads the same frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandera.polars as pa
import polars as pl

from lca.errors import LcaInputError, Problem
from lca.results import Footprint
from lca.rules import Battery, LifetimeEnergy, RulePack, Variant, lifetime_energy, load_pack
from lca.schemas import validate_table
from lca.units import conversion_factor

MODELLED, NOT_MODELLED = "modelled", "not yet modelled"
TOTAL = "total"
#: why a declared stage without a pack reason is not modelled (the study's [[stage]] mapping leaves it empty)
NO_ACTIVITY = "not modelled: no activity of the study maps to this stage"


class DeclarationTable(pa.DataFrameModel):
    """Declared figures: kg CO2e per kWh of lifetime energy by scenario, electricity variant and stage."""

    scenario: str
    variant: str
    #: a declared stage's id, or ``total``
    stage_id: str
    stage: str
    order: int
    value: float = pa.Field(nullable=True)
    unit: str
    status: str = pa.Field(isin=[MODELLED, NOT_MODELLED])
    note: str = pa.Field(nullable=True)

    class Config:
        strict = True

    @pa.check("value", error="declared values must be finite")
    def finite(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_finite() | pl.col(data.key).is_null())

    @pa.dataframe_check(error="a value is given exactly when the stage is modelled")
    def value_iff_modelled(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("value").is_null() == (pl.col("status") == NOT_MODELLED))


@dataclass(frozen=True)
class Declaration:
    """A footprint declared under its study's rule pack (build with :func:`declare`)."""

    fp: Footprint
    pack: RulePack
    battery: Battery
    energy: LifetimeEnergy

    @property
    def headline(self) -> Variant:
        """The variant of the headline figure: the study's ``electricity_variant``, else the pack's."""
        return self.pack.variant(self.battery.electricity_variant or self.pack.declared_variant)

    @property
    def variants(self) -> tuple[Variant, ...]:
        """Every variant, the headline first."""
        head = self.headline
        return (head, *(v for v in self.pack.variants if v.id != head.id))

    @cached_property
    def footprints(self) -> dict[str, Footprint]:
        """The study computed under each variant (the footprint itself where its method already is one)."""
        from lca.results.model import compute

        out = {}
        for v in self.variants:
            m = self.fp.study.method
            same = (m.electricity_rule, m.electricity_basis) == (v.electricity_rule, v.electricity_basis)
            out[v.id] = self.fp if same else compute(self.fp.study.with_method(**v.method), library=self.fp.library)
        return out

    @cached_property
    def rows(self) -> pl.DataFrame:
        """:class:`DeclarationTable` rows: every scenario × variant × declared stage, then the total."""
        parts = [self._rows(v) for v in self.variants]
        out = pl.concat(parts, how="vertical")
        return validate_table(out, DeclarationTable, table="declaration")

    def _rows(self, variant: Variant) -> pl.DataFrame:
        vfp = self.footprints[variant.id]
        mult, unit = vfp.scale(self.battery.per)
        # per <per view unit> → per kWh of capacity (pint, once) → per kWh of lifetime energy
        k = mult * conversion_factor(unit, self.pack.result_unit) * float(self.energy.from_capacity.magnitude)
        eu = vfp.stages.select("stage", "eu_battery_stage")
        by = (vfp.detail.join(eu, on="stage", how="left")
              .group_by("scenario", "eu_battery_stage").agg((pl.col("value").sum() * k).alias("value")))
        grid = pl.DataFrame({"scenario": [s for s in vfp.scenarios for _ in self.pack.stages],
                             "eu_battery_stage": [st.name for _ in vfp.scenarios for st in self.pack.stages],
                             "stage_id": [st.id for _ in vfp.scenarios for st in self.pack.stages],
                             "order": [i for _ in vfp.scenarios for i in range(len(self.pack.stages))],
                             "absent": [st.not_modelled for _ in vfp.scenarios for st in self.pack.stages]},
                            schema={"scenario": pl.String, "eu_battery_stage": pl.String, "stage_id": pl.String,
                                    "order": pl.Int64, "absent": pl.String})
        rows = grid.join(by, on=["scenario", "eu_battery_stage"], how="left", maintain_order="left")
        # A declared stage no activity of the study maps to is not modelled — whatever the stage: a zero
        # would declare "modelled, nothing emitted", which the study never showed. The pack's own reason
        # where it gives one (end of life), else the mapping's.
        unmodelled = pl.col("value").is_null()
        stages = rows.select(
            "scenario", pl.lit(variant.id).alias("variant"), "stage_id", pl.col("eu_battery_stage").alias("stage"),
            "order", "value", pl.lit(self.pack.result_unit).alias("unit"),
            pl.when(unmodelled).then(pl.lit(NOT_MODELLED)).otherwise(pl.lit(MODELLED)).alias("status"),
            pl.when(unmodelled).then(pl.coalesce(pl.col("absent"), pl.lit(NO_ACTIVITY)))
            .otherwise(None).alias("note"))
        total = (stages.group_by("scenario", maintain_order=True).agg(
            pl.col("value").sum().alias("value"),
            pl.col("stage").filter(pl.col("status") == NOT_MODELLED).alias("left_out"))
            .select("scenario", pl.lit(variant.id).alias("variant"), pl.lit(TOTAL).alias("stage_id"),
                    pl.lit("Total").alias("stage"), pl.lit(len(self.pack.stages)).cast(pl.Int64).alias("order"),
                    "value", pl.lit(self.pack.result_unit).alias("unit"), pl.lit(MODELLED).alias("status"),
                    pl.when(pl.col("left_out").list.len() > 0)
                    .then(pl.format("sum of the modelled stages; not included: {}",
                                    pl.col("left_out").list.join(", ").str.to_lowercase() + " (not yet modelled)"))
                    .otherwise(None).alias("note")))
        return pl.concat([stages, total], how="vertical").sort("scenario", "order", maintain_order=True)

    def total(self, scenario: str, variant: str | None = None) -> float:
        """A scenario's declared total (kg CO2e per kWh of lifetime energy) under ``variant`` (default: headline)."""
        vid = variant or self.headline.id
        r = self.rows.filter((pl.col("scenario") == scenario) & (pl.col("variant") == vid)
                             & (pl.col("stage_id") == TOTAL))
        return float(r.get_column("value")[0])

    @cached_property
    def plants(self) -> pl.DataFrame:
        """``scenario, site, name, country, facility``: where each scenario's delivered product is made (a
        mix: each component's plant), with the site's BPNA from ``[battery] facilities`` (null: none given)."""
        made = self.fp.scaling.join(self.fp.delivered.select("scenario", pl.col("product").alias("process")),
                                    on=["scenario", "process"], how="inner")
        fac = pl.DataFrame({"site": list(self.battery.facilities), "facility": list(self.battery.facilities.values())},
                           schema={"site": pl.String, "facility": pl.String})
        return (made.select("scenario", "site").unique(maintain_order=True)
                .join(self.fp.sites.select("site", "name", "country"), on="site", how="left", maintain_order="left")
                .join(fac, on="site", how="left", maintain_order="left"))


def declare(fp: Footprint) -> Declaration:
    """The declaration of ``fp`` under its study's rule pack; :class:`LcaInputError` if the study names none."""
    study = fp.study
    if study.method.rules is None or study.battery is None:
        raise LcaInputError(Problem("the study declares under no rule pack", file=study.source, table="method",
                                    column="rules", hint='add [method] rules = "eu-2023-1542-art7-draft-2024-04" and '
                                                         "a [battery] section (docs/rule-packs.md)"))
    pack = load_pack(study.method.rules)
    return Declaration(fp, pack, study.battery, lifetime_energy(pack, study.battery))
