"""The study's activities as one long frame, per run of the process instance they belong to.

The product system (:mod:`lca.engine.system`) gives every process instance of every scenario a
``pid``; each flow exchange becomes an activity row of its instance (amount per run), each
transport leg a ``tkm`` row of the instance that takes what it ships (a consumer's input, the
delivered declared unit: :func:`_carried`), and a mix's rows are its components' rows placed in
the mix's copies. Multiplying by the runs solved per scenario (:mod:`lca.engine.solve`) gives
amounts per declared unit; the overflow checks here name the input behind a number that
overflowed on the way.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import polars as pl

from collections.abc import Collection

from lca.engine.allocation import credits, main_factors
from lca.engine.shipping import inbound_rows, packaging_rows
from lca.engine.system import ProductSystem
from lca.errors import Problem, StudyError
from lca.study import Study
from lca.units import unit_table

ACTIVITY_COLUMNS = ["scenario", "component", "share", "stage", "process", "site", "flow", "amount", "unit",
                    "factor", "origin", "shipped_kg", "distance_km", "mode", "primary"]


def process_scales(study: Study) -> pl.DataFrame:
    """``scenario, process, site, scale``: reference outputs of each process per declared unit.

    Solved as a linear system (:mod:`lca.engine.system`, :mod:`lca.engine.solve`); scenarios
    with steps only (a mix's processes are its components').

    >>> from lca.resources import default_study_path
    >>> from lca.study import load_study
    >>> s = process_scales(load_study(default_study_path())).filter(pl.col("scenario") == "jp-import")
    >>> sorted(s["scale"].round(6))
    [1.0, 1.052632]
    """
    from lca.engine.solve import Blocks, scaling_frame

    ps = ProductSystem.build(study)
    runs = Blocks.of(ps).solve(ps.technosphere.get_column("amount").to_numpy())
    return (scaling_frame(ps, runs).filter(pl.col("component") == pl.col("scenario"))
            .select("scenario", "process", "site", pl.col("reference_outputs").alias("scale")))


def _unit_problems(frame: pl.DataFrame, unit_col: str, file: str, expect_dim: str | None,
                   expect_name: str) -> list[Problem]:
    units = unit_table(frame.get_column(unit_col))
    bad = frame.join(units, left_on=unit_col, right_on="unit", how="left")
    out = [Problem(err, file=file, table=o, column="unit") for err, o in
           bad.filter(pl.col("unit_error").is_not_null()).select("unit_error", "origin").iter_rows()]
    if expect_dim:
        out += [Problem(f"unit '{u}' is not a {expect_name}", file=file, table=o, column="unit")
                for u, o in bad.filter(pl.col("unit_error").is_null() & (pl.col("dimension") != expect_dim))
                .select(unit_col, "origin").iter_rows()]
    return out


#: columns that place an activity row in the product system (not part of the result rows). On a
#: leg: ``consumer`` is the process whose input it carries, ``carries`` what it ships per run of
#: ``pid``: ``input`` (a consumer's input of the goods), ``delivery`` (one declared unit handed to
#: the cell plant) or ``output`` (the goods' whole output: nothing at or beyond the destination takes them)
KEY_COLUMNS = ["pid", "goods", "to_site", "consumer", "carries"]
_NO_LEG = (pl.lit(None, pl.String).alias("consumer"), pl.lit(None, pl.String).alias("carries"))


def _carried(legs: pl.DataFrame, ps: ProductSystem, cell_plant: str | None) -> pl.DataFrame:
    """Each leg with ``pid, consumer, carries, outputs``: ``outputs`` of its goods (in outputs of
    the goods' maker, ``output_amount`` each) shipped per run of instance ``pid``.

    A leg carries the FLOW of its goods into its destination: each consumer there takes
    ``|A[goods, consumer]|`` per run (the input as the matrix holds it, allocation included); to
    the cell plant, the delivery instance takes one declared unit; and what travels on from there
    by further legs of the same goods arrives there too (a hub, or a site that keeps a part). A
    leg whose goods nothing takes at or beyond its destination ships the maker's whole good output
    (``yield`` outputs per run of the maker), as a leg did before it carried flows.
    """
    p = ps.processes.filter(pl.col("component") == pl.col("scenario"))
    maker = p.filter(pl.col("kind") == "process").select(
        "scenario", pl.col("pid").alias("qid"), pl.col("process").alias("goods"), "output_amount")
    takers = (ps.technosphere.filter(pl.col("role") == "input")
              .join(p.filter(pl.col("kind") != "mix").select("pid", "kind", "site"), on="pid")
              .join(maker, on="qid")
              .select("scenario", "goods", pl.when(pl.col("kind") == "delivery").then(pl.lit(cell_plant))
                      .otherwise(pl.col("site")).alias("to_site"), "pid", pl.col("process").alias("consumer"),
                      pl.when(pl.col("kind") == "delivery").then(pl.lit("delivery")).otherwise(pl.lit("input"))
                      .alias("carries"), (-pl.col("amount") / pl.col("output_amount")).alias("outputs")))
    takers = _arrivals(legs, takers)
    whole = maker.join(p.select(pl.col("pid").alias("qid"), "yield"), on="qid").select(
        "scenario", "goods", pl.col("qid").alias("__pid"), pl.col("yield").alias("__outputs"))
    return (legs.join(takers, on=["scenario", "goods", "to_site"], how="left", maintain_order="left")
            .join(whole, on=["scenario", "goods"], how="inner", maintain_order="left")
            .with_columns(pl.coalesce("pid", "__pid").alias("pid"),
                          pl.coalesce("outputs", "__outputs").alias("outputs"), pl.col("carries").fill_null("output"))
            .drop("__pid", "__outputs"))


def _arrivals(legs: pl.DataFrame, takers: pl.DataFrame) -> pl.DataFrame:
    """``takers`` (per scenario, goods and site) plus, at each leg's start, what arrives at its end:
    repeated until nothing is added (at most once per leg; each taking instance once per site)."""
    edges = legs.select("scenario", "goods", "from_site", "to_site").unique(maintain_order=True)
    key = ["scenario", "goods", "to_site", "pid"]
    for _ in range(edges.height):  # one join per hop of the longest chain of legs
        onward = (edges.join(takers, on=["scenario", "goods", "to_site"], maintain_order="left")
                  .drop("to_site").rename({"from_site": "to_site"}).select(takers.columns))
        grown = pl.concat([takers, onward]).unique(subset=key, keep="first", maintain_order=True)
        if grown.height == takers.height:
            break
        takers = grown
    return takers


def build_activities(study: Study, ps: ProductSystem, materials: Collection[str] | None = None) -> pl.DataFrame:
    """The long activity frame of every scenario (mixes expanded), per RUN of its process instance.

    Same rows, in the same order, as the per-declared-unit inventory; ``amount`` and
    ``shipped_kg`` are per run of the process instance ``pid`` (multiply by its runs), plus the
    :data:`KEY_COLUMNS` that changes to exchanges, yields and legs are matched on.
    """
    file = study.source
    inst = (ps.processes.filter((pl.col("kind") == "process") & (pl.col("component") == pl.col("scenario")))
            .select("scenario", "process", "site", "pid"))
    procs = study.processes
    flows = study.exchanges.filter(pl.col("flow").is_not_null())
    act = (inst.join(flows, on="process", how="inner")
           .join(procs.select(pl.col("id").alias("process"), pl.col("stage").alias("process_stage")), on="process")
           .select("scenario", pl.col("scenario").alias("component"), pl.lit(1.0).alias("share"),
                   pl.coalesce("stage", "process_stage").alias("stage"),
                   pl.col("stage").is_null().alias("stage_default"),
                   "process", "site", "flow", "amount", "unit", "factor", "origin",
                   pl.lit(None, pl.Float64).alias("shipped_kg"), pl.lit(None, pl.Float64).alias("distance_km"),
                   pl.lit(None, pl.String).alias("mode"), "primary", "pid", pl.col("process").alias("goods"),
                   pl.lit(None, pl.String).alias("to_site"), *_NO_LEG))
    act = _allocated(act, inst, study)
    legs = study.transport
    carriers = _carried(legs, ps, study.cell_plant) if legs.height else None  # the flow each leg ships
    pack = packaging_rows(study, carriers, inst, act.columns)  # packaging of shipped flows, then inbound legs
    act = act if pack is None else pl.concat([act, pack], how="vertical_relaxed")
    problems = _unit_problems(act, "unit", file, None, "")
    if not problems:
        inbound = inbound_rows(study, act, _materials() if materials is None else materials)
        act = act if inbound is None else pl.concat([act, inbound], how="vertical_relaxed")

    if legs.height:
        problems += _unit_problems(legs, "distance_unit", file,
                                   unit_table(["km"]).get_column("dimension")[0], "distance")
        mass = procs.select(pl.col("id").alias("goods"), "output_mass_amount", "output_mass_unit", "yield")
        no_mass = legs.join(mass, on="goods").filter(pl.col("output_mass_amount").is_null())
        problems += [Problem(f"process '{g}' has no output_mass, needed for the shipped mass", file=file,
                             table=f"process '{g}'", column="output_mass", hint='add output_mass = "5.5 g"')
                     for g in no_mass.get_column("goods").unique().sort()]
        if problems:
            raise StudyError(problems)
        mu = unit_table(mass.get_column("output_mass_unit")).select("unit", pl.col("to_base").alias("m_to_kg"))
        du = unit_table(legs.get_column("distance_unit")).select(
            "unit", (pl.col("to_base") / 1000.0).alias("d_to_km"))
        # a leg ships the flow of its goods into its destination, per run of the instance taking it
        t = (carriers
             .join(mass, on="goods").join(mu, left_on="output_mass_unit", right_on="unit")
             .join(du, left_on="distance_unit", right_on="unit")
             .with_columns((pl.col("outputs") * pl.col("output_mass_amount") * pl.col("m_to_kg")
                            * pl.col("packaging_factor")).alias("shipped_kg"),
                           (pl.col("distance") * pl.col("d_to_km")).alias("distance_km")))
        tr = t.select("scenario", pl.col("scenario").alias("component"), pl.lit(1.0).alias("share"),
                      pl.lit("transport").alias("stage"), pl.lit(False).alias("stage_default"),
                      pl.format("{} → {}", "from_site", "to_site").alias("process"),
                      pl.col("from_site").alias("site"), pl.format("freight_{}", "mode").alias("flow"),
                      (pl.col("shipped_kg") / 1000.0 * pl.col("distance_km")).alias("amount"),
                      pl.lit("tkm").alias("unit"), "factor", "origin", "shipped_kg", "distance_km", "mode", "primary",
                      *KEY_COLUMNS)
        act = pl.concat([act, tr], how="vertical_relaxed")
    if problems:
        raise StudyError(problems)
    act = _expand_mixes(act, ps, study.scenario_ids)
    return act.with_row_index("act").with_columns(pl.col("act").cast(pl.Int64))


def _materials() -> list[str]:
    """Flows the shipped library files as materials (when the caller has no library of its own)."""
    from lca.factors import load_library

    lib = load_library().factors
    return lib.filter(pl.col("category") == "material").get_column("flow").unique().to_list()


def _allocated(act: pl.DataFrame, inst: pl.DataFrame, study: Study) -> pl.DataFrame:
    """Exchanges of multi-output processes × their reference product's share, plus substitution credits."""
    alloc = main_factors(study)
    if alloc.height == 0:
        return act
    act = (act.join(alloc, on="process", how="left", maintain_order="left")
           .with_columns(pl.col("amount") * pl.col("alloc").fill_null(1.0)).drop("alloc"))
    cr = credits(study)
    if cr.height == 0:
        return act
    stage = study.processes.select(pl.col("id").alias("process"), "stage")
    rows = (inst.join(cr, on="process", how="inner", maintain_order="left").join(stage, on="process", how="left")
            .select("scenario", pl.col("scenario").alias("component"), pl.lit(1.0).alias("share"), "stage",
                    pl.lit(False).alias("stage_default"), "process", "site", "flow", "amount", "unit", "factor",
                    "origin", pl.lit(None, pl.Float64).alias("shipped_kg"),
                    pl.lit(None, pl.Float64).alias("distance_km"), pl.lit(None, pl.String).alias("mode"),
                    pl.lit(False).alias("primary"), "pid", pl.col("process").alias("goods"),
                    pl.lit(None, pl.String).alias("to_site"), *_NO_LEG))
    return pl.concat([act, rows], how="vertical_relaxed")


def build_inventory(study: Study) -> pl.DataFrame:
    """The long activity frame of every scenario (mixes expanded), per declared unit."""
    from lca.engine.solve import Blocks

    ps = ProductSystem.build(study)
    act = build_activities(study, ps)
    runs = Blocks.of(ps).solve(ps.technosphere.get_column("amount").to_numpy())
    act = scale_activities(act, runs)
    problems = _overflow_problems(act, study.source)
    if problems:
        raise StudyError(problems)
    return act.drop(KEY_COLUMNS)


def scale_activities(act: pl.DataFrame, runs: np.ndarray) -> pl.DataFrame:
    """Per-run amounts (and shipped masses) times the runs of their process instance."""
    r = pl.Series("__runs", runs[act.get_column("pid").to_numpy()], dtype=pl.Float64)
    with np.errstate(all="ignore"):
        return act.with_columns(pl.col("amount") * r, pl.col("shipped_kg") * r)


# ------------------------------------------------------------------------------ overflow checks
# Every input is finite and normal (checked at load), but products of them need not be: two
# 5e307 kg exchanges, a tiny output feeding a huge input. Each check names the input's origin.

def _overflow_problems(act: pl.DataFrame, file: str) -> list[Problem]:
    """Activities whose amount (or shipped mass × distance) overflowed — or underflowed to a
    subnormal number, where every later sum and ratio loses its digits — while scaling."""
    tiny = sys.float_info.min
    lost = lambda c: (pl.col(c) != 0) & (pl.col(c).abs() < tiny)  # noqa: E731
    bad = act.filter(~pl.col("amount").is_finite() | ~pl.col("shipped_kg").fill_null(0.0).is_finite()
                     | lost("amount") | lost("shipped_kg").fill_null(False))
    return [Problem(f"the amount {'overflows' if not math.isfinite(a) or abs(a) >= 1 else 'underflows'} when "
                    f"scaled to one declared unit (gives {a!r} {u})", file=file,
                    table=o, column="distance" if mode is not None else "amount",
                    hint="check this amount and the outputs, yields and amounts of the processes it feeds")
            for a, u, o, mode in bad.select("amount", "unit", "origin", "mode").iter_rows()]


def check_magnitudes(study: Study, detail: pl.DataFrame) -> None:
    """Contributions and scenario totals (per declared unit) must be finite; else a located error.

    ``detail`` is the characterised frame (``value`` in kg CO2e per declared unit, ``origin``).
    """
    file = study.source
    bad = detail.filter(~pl.col("value").is_finite())
    problems = [Problem(f"the contribution overflows ({a!r} {u} × factor '{f}' gives {v!r} kg CO2e)", file=file,
                        table=o, column="amount", hint="check the amount and its unit")
                for a, u, f, v, o in bad.select("amount", "unit", "factor_id", "value", "origin")
                .unique(maintain_order=True).iter_rows()]
    if problems:
        raise StudyError(problems)
    sums = (detail.group_by("scenario", maintain_order=True)
            .agg(pl.col("value").abs().sum().alias("total"),
                 pl.col("origin").sort_by(pl.col("value").abs(), descending=True).first().alias("largest")))
    for sid, total, largest in sums.iter_rows():
        if not total < float("inf"):
            problems.append(Problem(f"the contributions of scenario '{sid}' add up beyond the range of float "
                                    "arithmetic; the largest comes from here", file=file, table=largest,
                                    column="amount", hint="check this amount and its unit"))
    if problems:
        raise StudyError(problems)
    # per kg, kWh, vehicle or year: checked when that view is asked for (Footprint.scale), so a
    # total too large for one view does not fail the others


def _expand_mixes(act: pl.DataFrame, ps: ProductSystem, order_ids: list[str]) -> pl.DataFrame:
    """A mix's rows are its components' rows, placed in the mix's copy of each component's block."""
    if ps.offsets.height == 0:
        return act
    frames = {sid: g for (sid,), g in act.group_by("scenario")}
    for mix, comp, off, share in ps.offsets.iter_rows():  # one iteration per mix component (mixes in order)
        part = frames.get(comp)
        if part is None:
            continue
        part = part.with_columns(pl.lit(mix).alias("scenario"), (pl.col("share") * share).alias("share"),
                                 pl.col("pid") + off)
        frames[mix] = pl.concat([frames[mix], part]) if mix in frames else part
    return pl.concat([frames[s] for s in order_ids if s in frames], how="vertical_relaxed")
