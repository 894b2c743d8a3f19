"""Intensities per lot key: kg CO2e per declared unit by scenario × destination plant × period.

Everything here works on tiny frames (a few scenarios, plants and months). The study is computed
once per destination plant (its cell plant sets the last transport leg); primary plant data then
replace the energy contributions of the processes run at that plant in that month.

The override rule: for scenario *s*, plant *X*, month *m* and carrier *c* (electricity,
natural_gas), the study's contributions of flow *c* at site *X* (summed over processes and, in a
supply mix, weighted by share) are replaced by ``energy / output`` of *X* in *m* — expressed per
declared unit — times the same kg CO2e per unit of energy the study used there (factor × GWP,
all gases, from ``Footprint.detail``: ``value / (amount × a_to_base)``). Plant output is counted
in declared units of the finished product (see docs/ledger.md, "Primary plant data").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import polars as pl

from lca.errors import LcaInputError, Problem
from lca.units import dimension_name, unit_info

ROLL_UNITS = ("roll", "rolls")


@dataclass(frozen=True)
class DeclaredUnit:
    """The study's declared unit (e.g. 1 m^2): its unit text, amount, SI multiplier and dimension."""

    value: float
    unit: str
    to_base: float
    dimension: str

    @property
    def label(self) -> str:
        return self.unit if self.value == 1 else f"({self.value:g} {self.unit})"


def declared_unit(study) -> DeclaredUnit:
    """Declared unit of a study, e.g. ``DeclaredUnit(1.0, 'm^2', 1.0, '[length]^2')``."""
    du = study.product.declared_unit
    info = unit_info(du.unit)
    return DeclaredUnit(float(du.value), du.unit, float(info.to_base) * float(du.value), str(info.dimension))


def unit_lookup(units: Sequence[str], du: DeclaredUnit, *, m2_per_roll: str | None = None) -> pl.DataFrame:
    """One row per distinct quantity unit: multiplier to declared units, or why it cannot be used.

    >>> du = DeclaredUnit(1.0, "m^2", 1.0, "[length]^2")
    >>> t = unit_lookup(["m^2", "ft2", "kg", "roll"], du, m2_per_roll="1200 m^2")
    >>> [round(x, 6) if x else x for x in t["to_declared"]]
    [1.0, 0.092903, None, 1200.0]
    >>> t["reason"][2]
    "unit 'kg' is mass, not area like the declared unit 'm^2'"
    """
    per_roll = unit_info(m2_per_roll) if m2_per_roll else None
    if per_roll is not None and per_roll.error is None and per_roll.canonical == "" and per_roll.dimension == "dimensionless":
        per_roll = unit_info(f"{m2_per_roll} m^2")  # a bare number means m² per roll
    mult: list[float | None] = []
    reason: list[str | None] = []
    for u in units:
        info = unit_info(u)
        if u.strip().lower() in ROLL_UNITS:
            if per_roll is None:
                mult.append(None)
                reason.append(f"unit '{u}' needs the area of one roll: pass --m2-per-roll (e.g. 1200)")
                continue
            info = per_roll
        if info.error:
            mult.append(None)
            reason.append(info.error)
        elif info.dimension != du.dimension:
            mult.append(None)
            reason.append(f"unit '{u}' is {dimension_name(info.dimension or '?')}, not "
                          f"{dimension_name(du.dimension)} like the declared unit '{du.unit}'")
        else:
            mult.append(float(info.to_base) / du.to_base)  # type: ignore[arg-type]
            reason.append(None)
    return pl.DataFrame({"unit": list(units), "to_declared": mult, "reason": reason},
                        schema={"unit": pl.String, "to_declared": pl.Float64, "reason": pl.String})


def footprints_by_destination(study, destinations: Sequence[str], *, factors: Sequence = ()) -> tuple[dict, dict]:
    """Compute the study once per destination plant (its cell plant).

    Returns ``({destination: Footprint}, {destination: reason})``; a destination the study cannot
    deliver to (not a site, no route) gets a reason instead of a footprint.
    """
    from lca.pipeline import compute
    from lca.factors import load_library
    from lca.study import load_study

    lib = load_library()
    sites = set(study.sites.get_column("id").to_list())
    done: dict[str, object] = {}
    why: dict[str, str] = {}
    for dest in destinations:
        if dest not in sites:
            why[dest] = f"destination plant '{dest}' is not a site of study '{study.id}'"
            continue
        try:
            if dest == study.cell_plant:
                s = study
            elif study.path is None:
                raise LcaInputError(Problem("the study was not loaded from a file"))
            else:
                s = load_study(Path(study.path), cell_plant=dest).with_method(
                    gwp=study.method.gwp, electricity_rule=study.method.electricity_rule,
                    td_losses=study.method.td_losses)
            done[dest] = compute(s, library=lib, factors=list(factors))
        except LcaInputError as exc:
            why[dest] = f"study '{study.id}' cannot deliver to '{dest}': {exc.problems[0].message}"
    return done, why


def plant_overrides(fp, plant: pl.DataFrame, du: DeclaredUnit, *, file: str | None = None) -> pl.DataFrame:
    """Change of intensity per scenario × period from plant data (kg CO2e per declared unit).

    Returns ``scenario, period, delta`` for every scenario that runs a process at a plant with
    data; ``delta`` = new − old contribution of the replaced flows.
    """
    problems: list[Problem] = []
    sites = set(fp.study.sites.get_column("id").to_list())
    for i, p in enumerate(plant.get_column("plant").to_list()):
        if p not in sites:
            problems.append(Problem(f"plant '{p}' is not a site of study '{fp.study.id}'", file=file,
                                    table="plant data", row=i + 1, column="plant",
                                    hint="use a site id of the study"))
    rows = plant.with_row_index("row", offset=1)
    e_units = {u: unit_info(u) for u in plant.get_column("energy_unit").unique().to_list()}
    o_units = {u: unit_info(u) for u in plant.get_column("output_unit").unique().to_list()}
    for r, eu, ou in rows.select("row", "energy_unit", "output_unit").iter_rows():
        ei, oi = e_units[eu], o_units[ou]
        if ei.error or ei.dimension != "[length]^2 [mass] [time]^-2":
            problems.append(Problem(ei.error or f"unit '{eu}' is {dimension_name(ei.dimension or '?')}, not energy",
                                    file=file, table="plant data", row=r, column="energy_unit",
                                    hint="use kWh, MWh, MJ, GJ, MMBtu or therm"))
        if oi.error or oi.dimension != du.dimension:
            problems.append(Problem(oi.error or f"unit '{ou}' is {dimension_name(oi.dimension or '?')}, "
                                    f"not {dimension_name(du.dimension)} like the declared unit",
                                    file=file, table="plant data", row=r, column="output_unit",
                                    hint=f"give output in {du.unit} of finished product"))
    if problems:
        raise LcaInputError(problems)
    e_tab = pl.DataFrame({"energy_unit": list(e_units), "e_base": [e_units[u].to_base for u in e_units]})
    o_tab = pl.DataFrame({"output_unit": list(o_units), "o_base": [o_units[u].to_base for u in o_units]})
    # plant energy per declared unit, in SI base units (J per declared unit)
    per_du = (plant.join(e_tab, on="energy_unit").join(o_tab, on="output_unit")
              .select(pl.col("plant").alias("site"), "period", pl.col("carrier").alias("flow"),
                      (pl.col("energy") * pl.col("e_base") / (pl.col("output") * pl.col("o_base")) * du.to_base)
                      .alias("plant_per_du")))
    d = fp.detail.filter(pl.col("flow").is_in(CARRIERS_IN_DETAIL))
    # per scenario × component × site × flow: study contribution, share, kg CO2e per J (all gases)
    acts = d.group_by("scenario", "component", "site", "flow", "act").agg(
        pl.col("value").sum(), (pl.col("amount") * pl.col("a_to_base")).first().alias("base_amount"),
        pl.col("share").first())
    comp = acts.group_by("scenario", "component", "site", "flow").agg(
        pl.col("value").sum().alias("old"), (pl.col("value").sum() / pl.col("base_amount").sum()).alias("ef"),
        pl.col("share").first())
    joined = comp.join(per_du, on=["site", "flow"], how="inner")
    return (joined.group_by("scenario", "period")
            .agg((pl.col("share") * pl.col("plant_per_du") * pl.col("ef") - pl.col("old")).sum().alias("delta"))
            .sort("scenario", "period"))


CARRIERS_IN_DETAIL = ["electricity", "natural_gas"]
