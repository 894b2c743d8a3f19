"""Intensities per lot key: kg CO2e per declared unit by scenario × destination plant × period.

Everything here works on tiny frames (a few scenarios, plants and months). The study is computed
once per destination plant (its cell plant sets the last transport leg); primary plant data then
replace the energy contributions of the processes run at that plant in that month.

The override rule: for scenario *s*, plant *X*, month *m* and carrier *c* (electricity,
natural_gas), the study's contributions of flow *c* at site *X* (summed over processes and, in a
supply mix, weighted by share) are replaced by ``energy / output`` of *X* in *m* — expressed per
declared unit — times the same kg CO2e per unit of energy the study used there (factor × GWP,
all gases, from ``Footprint.detail``: ``value / (amount × a_to_base)``; grossed up for grid losses
with ``td_losses = "included"``, since a plant meter reads consumption). Plant output is in the
plant's own product (base film at a film plant), converted to "per declared unit of finished
product" with the process scale (see :func:`site_outputs` and docs/ledger.md, "Primary plant data").
"""

from __future__ import annotations

from dataclasses import dataclass
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


def roll_area(m2_per_roll: str, du: DeclaredUnit):
    """The area of one roll (``--m2-per-roll`` / ``m2_per_roll``: a bare number means m²), checked
    once: a bad value is one error naming the option, not a reason on every roll lot.

    >>> roll_area("1200", DeclaredUnit(1.0, "m^2", 1.0, "[length]^2")).to_base
    1200.0
    >>> roll_area("12 kg", DeclaredUnit(1.0, "m^2", 1.0, "[length]^2"))
    Traceback (most recent call last):
    lca.errors.LcaInputError: --m2-per-roll (m2_per_roll) '12 kg': unit '12 kg' is mass, not an area like the declared unit 'm^2' (fix: give the area of one roll, e.g. 1200 or '1200 m^2')
    """
    text = str(m2_per_roll).strip()
    info = unit_info(text)
    if info.error is None and info.dimension == "dimensionless":
        info = unit_info(f"{text} m^2")  # a bare number means m² per roll
    why = info.error
    if why is None and info.dimension != du.dimension:
        why = (f"unit '{text}' is {dimension_name(info.dimension or '?')}, not "
               f"{_article(dimension_name(du.dimension))} like the declared unit '{du.unit}'")
    if why is not None:
        raise LcaInputError(Problem(f"--m2-per-roll (m2_per_roll) '{text}': {why}",
                                    hint="give the area of one roll, e.g. 1200 or '1200 m^2'"))
    return info


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def unit_lookup(units: Sequence[str], du: DeclaredUnit, *, m2_per_roll: str | None = None) -> pl.DataFrame:
    """One row per distinct quantity unit: multiplier to declared units, or why it cannot be used.

    >>> du = DeclaredUnit(1.0, "m^2", 1.0, "[length]^2")
    >>> t = unit_lookup(["m^2", "ft2", "kg", "roll"], du, m2_per_roll="1200 m^2")
    >>> [round(x, 6) if x else x for x in t["to_declared"]]
    [1.0, 0.092903, None, 1200.0]
    >>> t["reason"][2]
    "unit 'kg' is mass, not area like the declared unit 'm^2'"
    """
    per_roll = roll_area(m2_per_roll, du) if m2_per_roll else None
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

    Every destination is priced from the ``study`` object given (:meth:`Study.with_cell_plant`
    re-routes only the transport to the cell plant), never from its file: changes made in memory
    count, and studies built from dicts or frames work.

    Returns ``({destination: Footprint}, {destination: reason})``; a destination the study cannot
    deliver to (not a site, no route) gets a reason instead of a footprint.
    """
    from lca.engine import compute
    from lca.factors import load_library

    lib = load_library()
    sites = set(study.sites.get_column("id").to_list())
    done: dict[str, object] = {}
    why: dict[str, str] = {}
    for dest in destinations:
        if dest not in sites:
            why[dest] = f"destination plant '{dest}' is not a site of study '{study.id}'"
            continue
        try:
            done[dest] = compute(study.with_cell_plant(dest), library=lib, factors=list(factors))
        except LcaInputError as exc:
            why[dest] = f"study '{study.id}' cannot deliver to '{dest}': {exc.problems[0].message}"
    return done, why


_ENERGY = "[length]^2 [mass] [time]^-2"


def site_outputs(study) -> pl.DataFrame:
    """What leaves each site in each system scenario: ``scenario, site, process, out_dim, out_per_du``.

    The site's output process is the one no other process *at the same site* consumes (Moriyama
    makes base film and coats it in ``jp-import``: coating; it only makes base film in
    ``charlotte-coated``: base film). ``out_per_du`` is how much of that output, in SI base units
    (m² for area), one declared unit of finished product needs: process scale (reference outputs
    per declared unit, yields included, :func:`lca.engine.inventory.process_scales`) × the reference
    output amount × its unit's SI multiplier.
    """
    from lca.engine.inventory import process_scales
    from lca.units import unit_table

    scales = process_scales(study)
    edges = study.exchanges.filter(pl.col("input").is_not_null()).select(
        pl.col("process").alias("consumer"), pl.col("input").alias("process"))
    internal = (edges.join(scales.select("scenario", pl.col("process").alias("consumer"), pl.col("site").alias("at")),
                           on="consumer")
                .join(scales, on=["scenario", "process"]).filter(pl.col("site") == pl.col("at"))
                .select("scenario", "process").unique())
    procs = study.processes.select(pl.col("id").alias("process"), "output_amount", "output_unit")
    units = unit_table(procs.get_column("output_unit")).select(
        pl.col("unit").alias("output_unit"), pl.col("to_base").alias("u_base"), pl.col("dimension").alias("out_dim"))
    return (scales.join(internal, on=["scenario", "process"], how="anti").join(procs, on="process")
            .join(units, on="output_unit")
            .select("scenario", "site", "process", "out_dim",
                    (pl.col("scale") * pl.col("output_amount") * pl.col("u_base")).alias("out_per_du")))


def _plant_problems(plant: pl.DataFrame, outputs: pl.DataFrame, carriers: pl.DataFrame, study,
                    file: str | None) -> list[Problem]:
    """Every bad cell of the plant data (pint once per distinct unit; Problems only for bad rows)."""
    from lca.units import unit_table

    def where(r: int, col: str, msg: str, hint: str) -> Problem:
        return Problem(msg, file=file, table="plant data", row=r, column=col, hint=hint)

    sites = study.sites.get_column("id")
    e = unit_table(plant.get_column("energy_unit")).rename({"unit": "energy_unit"})
    o = unit_table(plant.get_column("output_unit")).rename(
        {"unit": "output_unit", "dimension": "o_dim", "unit_error": "o_error", "to_base": "o_base"})
    dims = outputs.group_by("site").agg(pl.col("out_dim").unique().sort()).rename({"site": "plant"})
    rows = (plant.with_row_index("row", offset=1).join(e, on="energy_unit", how="left")
            .join(o, on="output_unit", how="left").join(dims, on="plant", how="left")
            .join(carriers.with_columns(pl.lit(True).alias("modelled")), on=["plant", "carrier"], how="left")
            .sort("row"))
    out: list[Problem] = []
    for r, p in rows.filter(~pl.col("plant").is_in(sites.implode())).select("row", "plant").iter_rows():
        out.append(where(r, "plant", f"plant '{p}' is not a site of study '{study.id}'", "use a site id of the study"))
    for r, u, err, dim in rows.filter(pl.col("unit_error").is_not_null() | (pl.col("dimension") != _ENERGY)).select(
            "row", "energy_unit", "unit_error", "dimension").iter_rows():
        out.append(where(r, "energy_unit", err or f"unit '{u}' is {dimension_name(dim or '?')}, not energy",
                         "use kWh, MWh, MJ, GJ, MMBtu or therm"))
    known = rows.filter(pl.col("plant").is_in(sites.implode()))
    for r, p, c in known.filter(pl.col("modelled").is_null()).select("row", "plant", "carrier").iter_rows():
        out.append(where(r, "carrier", f"study '{study.id}' has no {c} at site '{p}' in any scenario, so plant "
                         "data cannot replace it", f"remove the row, or model {c} in the process run at '{p}'"))
    bad_o = known.filter(pl.col("o_error").is_not_null()
                         | (pl.col("out_dim").is_not_null() & ~pl.col("out_dim").list.contains(pl.col("o_dim"))))
    for r, p, u, err, dim, want in bad_o.select("row", "plant", "output_unit", "o_error", "o_dim",
                                                "out_dim").iter_rows():
        out.append(where(r, "output_unit", err or f"unit '{u}' is {dimension_name(dim or '?')}, but what leaves "
                         f"'{p}' is {' or '.join(dimension_name(x) for x in want)}",
                         "give output in the plant's own product unit (e.g. m^2 of base film)"))
    return out


def plant_overrides(fp, plant: pl.DataFrame, *, file: str | None = None) -> pl.DataFrame:
    """Change of intensity per scenario × period from plant data (kg CO2e per declared unit).

    Returns ``scenario, period, delta`` for every scenario that runs a process at a plant with
    data; ``delta`` = new − old contribution of the replaced flows. Plant output is in the plant's
    own output (e.g. m² of base film), so energy per declared unit = energy / output × what
    leaves the site per declared unit (:func:`site_outputs`: process scale, yields included).
    Raises :class:`LcaInputError` naming row and column for a bad unit, an unknown plant, or a
    carrier the study does not have at that site (it would otherwise be silently ignored).
    """
    from lca.units import unit_table

    study = fp.study
    outputs = site_outputs(study)
    several = (outputs.group_by("scenario", "site").agg(pl.col("process").sort())
               .filter(pl.col("process").list.len() > 1))
    d = fp.detail.filter(pl.col("flow").is_in(CARRIERS_IN_DETAIL))
    carriers = d.select(pl.col("site").alias("plant"), pl.col("flow").alias("carrier")).unique()
    problems = _plant_problems(plant, outputs, carriers, study, file)
    used = set(plant.get_column("plant").to_list())
    problems += [Problem(f"site '{site}' makes several products in scenario '{s}' ({', '.join(ps)}): its plant "
                         "output cannot be assigned to one", file=file, table="plant data", column="output")
                 for s, site, ps in several.iter_rows() if site in used]
    if problems:
        raise LcaInputError(problems)
    e_tab = unit_table(plant.get_column("energy_unit")).select(pl.col("unit").alias("energy_unit"),
                                                               pl.col("to_base").alias("e_base"))
    o_tab = unit_table(plant.get_column("output_unit")).select(pl.col("unit").alias("output_unit"),
                                                               pl.col("to_base").alias("o_base"))
    # plant energy per unit of the plant's own output, in SI base units (e.g. J per m² of base film)
    per_out = (plant.join(e_tab, on="energy_unit").join(o_tab, on="output_unit")
               .select(pl.col("plant").alias("site"), "period", pl.col("carrier").alias("flow"),
                       (pl.col("energy") * pl.col("e_base") / (pl.col("output") * pl.col("o_base"))).alias("per_out")))
    # per scenario × component × site × flow: study contribution, share, kg CO2e per J (all gases)
    acts = d.group_by("scenario", "component", "site", "flow", "act").agg(
        pl.col("value").sum(), (pl.col("amount") * pl.col("a_to_base")).first().alias("base_amount"),
        pl.col("share").first())
    comp = acts.group_by("scenario", "component", "site", "flow").agg(
        pl.col("value").sum().alias("old"), (pl.col("value").sum() / pl.col("base_amount").sum()).alias("ef"),
        pl.col("share").first())
    leaves = outputs.select(pl.col("scenario").alias("component"), "site", "out_per_du")
    joined = comp.join(leaves, on=["component", "site"]).join(per_out, on=["site", "flow"])
    return (joined.group_by("scenario", "period")
            .agg((pl.col("share") * pl.col("per_out") * pl.col("out_per_du") * pl.col("ef") - pl.col("old"))
                 .sum().alias("delta"))
            .sort("scenario", "period"))


CARRIERS_IN_DETAIL = ["electricity", "natural_gas"]
