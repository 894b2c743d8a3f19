"""Expand a study into one long activity frame (amount + unit per declared unit of product).

Each system scenario is a small product system: processes at sites whose outputs feed each other.
The graph is resolved per scenario (cycle and dangling-input errors), giving how many reference
outputs of each process one declared unit needs. Exchanges are then scaled in polars; transport
legs become ``tkm`` activities (shipped mass incl. packaging × distance); supply mixes are
weighted unions of their components.
"""

from __future__ import annotations

import math
import sys

from graphlib import CycleError, TopologicalSorter

import polars as pl

from lca.errors import GraphError, LcaInputError, Problem, StudyError
from lca.study import Study
from lca.units import conversion_factor, unit_table

ACTIVITY_COLUMNS = ["scenario", "component", "share", "stage", "process", "site", "flow", "amount", "unit",
                    "factor", "origin", "shipped_kg", "distance_km", "mode", "primary"]


def process_scales(study: Study) -> pl.DataFrame:
    """``scenario, process, site, scale``: reference outputs of each process per declared unit.

    >>> from lca.resources import default_study_path
    >>> from lca.study import load_study
    >>> s = process_scales(load_study(default_study_path())).filter(pl.col("scenario") == "jp-import")
    >>> sorted(zip(s["process"], s["scale"].round(6)))
    [('base_film', 1.052632), ('coating', 1.0)]
    """
    procs = {r["id"]: r for r in study.processes.iter_rows(named=True)}
    edges = study.exchanges.filter(pl.col("input").is_not_null())
    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    file = study.source
    for sid, product in study.scenarios.filter(pl.col("kind") == "system").select("id", "product").iter_rows():
        steps = study.steps.filter(pl.col("scenario") == sid)
        site_of = dict(steps.select("process", "site").iter_rows())
        where = f"scenario '{sid}'"
        e = edges.filter(pl.col("process").is_in(list(site_of)))
        graph: dict[str, set[str]] = {p: set() for p in site_of}
        for consumer, needed, origin in e.select("process", "input", "origin").iter_rows():
            if needed not in site_of:
                problems.append(Problem(f"process '{consumer}' needs '{needed}', but no step of this scenario makes it",
                                        file=file, table=where, column="steps",
                                        hint=f"add {{ process = \"{needed}\", site = \"...\" }} to the steps"))
                continue
            graph[consumer].add(needed)
        try:
            order = list(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            problems.append(Problem("the scenario's processes feed each other in a cycle: "
                                    + " → ".join(exc.args[1]), file=file, table=where, column="steps",
                                    hint="remove one of the intermediate inputs"))
            continue
        consumed = {n for deps in graph.values() for n in deps}
        finals = [p for p in site_of if p not in consumed]
        if product:
            if product not in site_of:
                problems.append(Problem(f"product '{product}' is not a step of this scenario", file=file, table=where,
                                        column="product"))
                continue
            final = product
        elif len(finals) != 1:
            problems.append(Problem(f"cannot tell the delivered product: {sorted(finals)} are all final",
                                    file=file, table=where, column="product",
                                    hint='set product = "<process id>" on the scenario'))
            continue
        else:
            final = finals[0]
        fp = procs[final]
        try:
            per_du = conversion_factor(study.product.declared_unit.unit, fp["output_unit"])
        except LcaInputError:
            problems.append(Problem(f"the declared unit '{study.product.declared_unit}' and the output of "
                                    f"'{final}' ('{fp['output_unit']}') have different dimensions",
                                    file=file, table=where))
            continue
        scale = {p: 0.0 for p in site_of}
        scale[final] = study.product.declared_unit.value * per_du / fp["output_amount"]
        for consumer in reversed(order):  # consumers before what they consume
            for needed, amount, unit, origin in e.filter(pl.col("process") == consumer).select(
                    "input", "amount", "unit", "origin").iter_rows():
                if needed not in scale:
                    continue
                np_ = procs[needed]
                try:
                    conv = conversion_factor(unit, np_["output_unit"])
                except LcaInputError:
                    problems.append(Problem(f"input '{needed}' is given in '{unit}' but '{needed}' makes "
                                            f"'{np_['output_unit']}'", file=file, table=origin, column="unit"))
                    continue
                scale[needed] += scale[consumer] * amount * conv / procs[consumer]["yield"] / np_["output_amount"]
        rows += [{"scenario": sid, "process": p, "site": site_of[p], "scale": scale[p]} for p in site_of]
    if problems:
        raise GraphError(problems)
    return pl.DataFrame(rows, schema={"scenario": pl.String, "process": pl.String, "site": pl.String,
                                      "scale": pl.Float64})


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


def build_inventory(study: Study) -> pl.DataFrame:
    """The long activity frame of every scenario (mixes expanded), per declared unit."""
    file = study.source
    scales = process_scales(study)
    procs = study.processes
    flows = study.exchanges.filter(pl.col("flow").is_not_null())
    act = (scales.join(flows, on="process", how="inner")
           .join(procs.select(pl.col("id").alias("process"), pl.col("stage").alias("process_stage"),
                              pl.col("yield").alias("yield_")), on="process")
           .select("scenario", pl.col("scenario").alias("component"), pl.lit(1.0).alias("share"),
                   pl.coalesce("stage", "process_stage").alias("stage"),
                   pl.col("stage").is_null().alias("stage_default"),
                   "process", "site", "flow", (pl.col("scale") * pl.col("amount") / pl.col("yield_")).alias("amount"),
                   "unit", "factor", "origin",
                   pl.lit(None, pl.Float64).alias("shipped_kg"), pl.lit(None, pl.Float64).alias("distance_km"),
                   pl.lit(None, pl.String).alias("mode"), "primary"))
    problems = _unit_problems(act, "unit", file, None, "")

    legs = study.transport
    if legs.height:
        problems += _unit_problems(legs, "distance_unit", file,
                                   unit_table(["km"]).get_column("dimension")[0], "distance")
        mass = procs.select(pl.col("id").alias("goods"), "output_mass_amount", "output_mass_unit")
        no_mass = legs.join(mass, on="goods").filter(pl.col("output_mass_amount").is_null())
        problems += [Problem(f"process '{g}' has no output_mass, needed for the shipped mass", file=file,
                             table=f"process '{g}'", column="output_mass", hint='add output_mass = "5.5 g"')
                     for g in no_mass.get_column("goods").unique().sort()]
        if problems:
            raise StudyError(problems)
        mu = unit_table(mass.get_column("output_mass_unit")).select("unit", pl.col("to_base").alias("m_to_kg"))
        du = unit_table(legs.get_column("distance_unit")).select(
            "unit", (pl.col("to_base") / 1000.0).alias("d_to_km"))
        t = (legs.join(scales.rename({"process": "goods", "site": "goods_site"}), on=["scenario", "goods"])
             .join(mass, on="goods").join(mu, left_on="output_mass_unit", right_on="unit")
             .join(du, left_on="distance_unit", right_on="unit")
             .with_columns((pl.col("scale") * pl.col("output_mass_amount") * pl.col("m_to_kg")
                            * pl.col("packaging_factor")).alias("shipped_kg"),
                           (pl.col("distance") * pl.col("d_to_km")).alias("distance_km")))
        tr = t.select("scenario", pl.col("scenario").alias("component"), pl.lit(1.0).alias("share"),
                      pl.lit("transport").alias("stage"), pl.lit(False).alias("stage_default"),
                      pl.format("{} → {}", "from_site", "to_site").alias("process"),
                      pl.col("from_site").alias("site"), pl.format("freight_{}", "mode").alias("flow"),
                      (pl.col("shipped_kg") / 1000.0 * pl.col("distance_km")).alias("amount"),
                      pl.lit("tkm").alias("unit"), "factor", "origin", "shipped_kg", "distance_km", "mode", "primary")
        act = pl.concat([act, tr], how="vertical_relaxed")
    elif problems:
        raise StudyError(problems)
    if problems:
        raise StudyError(problems)
    problems = _overflow_problems(act, file)
    if problems:
        raise StudyError(problems)
    act = _expand_mixes(act, study)
    return act.with_row_index("act").with_columns(pl.col("act").cast(pl.Int64))


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


def _expand_mixes(act: pl.DataFrame, study: Study) -> pl.DataFrame:
    mixes = study.mixes
    if mixes.height == 0:
        return act
    graph = {m: set(g.get_column("component")) for (m,), g in mixes.group_by("scenario")}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise GraphError(Problem("supply mixes refer to each other in a cycle: " + " → ".join(exc.args[1]),
                                 file=study.source, table="scenario", column="mix")) from None
    frames = {sid: g for (sid,), g in act.group_by("scenario")}
    for sid in order:
        if sid not in graph:
            continue
        parts = []
        for comp, share in mixes.filter(pl.col("scenario") == sid).select("component", "share").iter_rows():
            part = frames.get(comp)
            if part is None or share == 0:
                continue
            parts.append(part.with_columns(pl.lit(sid).alias("scenario"), (pl.col("share") * share).alias("share"),
                                           (pl.col("amount") * share).alias("amount"),
                                           (pl.col("shipped_kg") * share).alias("shipped_kg")))
        frames[sid] = pl.concat(parts) if parts else act.clear()
    order_ids = study.scenario_ids
    return pl.concat([frames[s] for s in order_ids if s in frames], how="vertical_relaxed")
