"""The product system of every scenario as a linear system, built once from a validated study.

A scenario's processes (one *instance* per step) each make one product. One *run* of a process
is one ``output`` of GROSS line output: it consumes the exchanges as written and delivers
``output_amount × yield`` of good product (the yield is a matrix entry, not a division spread over
rows). The technosphere matrix ``A`` (products × processes) holds those outputs on its diagonal and
the intermediate inputs (negative, in the supplier's output unit per run) off it. A ``delivery``
instance closes each scenario: it consumes one declared unit of the delivered product and makes one
"delivery"; the demand ``f`` is that one delivery, and ``A s = f`` gives the runs ``s``.

Supply mixes are processes too: a mix scenario holds a copy of each component's system (its
processes keep their ``component``) and one ``mix`` process that makes one declared unit from
``share`` × one delivery of each component. Nested mixes work the same.

Every scenario is a contiguous block of process ids (``pid``); a product is identified by the
``pid`` of the process instance that makes it (``qid``), so each block of ``A`` is square.

>>> from lca.resources import default_study_path
>>> from lca.study import load_study
>>> ps = ProductSystem.build(load_study(default_study_path()))
>>> ps.processes.filter(pl.col("scenario") == "jp-import").select("pid", "kind").rows()
[(0, 'process'), (1, 'process'), (2, 'delivery')]
>>> ps.technosphere.filter(pl.col("pid") == 1).select("qid", "amount", "role").rows()
[(1, 0.95, 'output'), (0, -1.0, 'input')]
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

import numpy as np
import polars as pl

from lca.engine.allocation import main_factors
from lca.errors import GraphError, LcaInputError, Problem
from lca.study import Study
from lca.units import conversion_factor

PROCESS_SCHEMA = {"pid": pl.Int64, "scenario": pl.String, "component": pl.String, "process": pl.String,
                  "site": pl.String, "kind": pl.String, "output_amount": pl.Float64, "output_unit": pl.String,
                  "yield": pl.Float64}
TECH_SCHEMA = {"qid": pl.Int64, "pid": pl.Int64, "amount": pl.Float64, "origin": pl.String, "role": pl.String,
               "process": pl.String, "input": pl.String}
OFFSET_SCHEMA = {"scenario": pl.String, "component": pl.String, "offset": pl.Int64, "share": pl.Float64}
DEMAND_SCHEMA = {"scenario": pl.String, "qid": pl.Int64, "amount": pl.Float64}


@dataclass(frozen=True)
class ProductSystem:
    """Processes, technosphere (long form of ``A``), demand and the block of pids of each scenario.

    ``technosphere`` rows also carry ``process`` (the consuming or making process id) and ``input``
    (the supplier's process id, null on outputs) so a change to an exchange finds its entries.
    ``blocks``: ``scenario, start, stop, looped`` — ``looped`` when the block's graph has a cycle.
    ``offsets``: ``scenario, component, offset, share`` — a mix's copy of a component's block is that
    block shifted by ``offset`` pids (used to place the component's activity rows in the mix).
    """

    processes: pl.DataFrame
    technosphere: pl.DataFrame
    demand: pl.DataFrame
    blocks: pl.DataFrame
    offsets: pl.DataFrame
    source: str = "study"

    @property
    def products(self) -> pl.DataFrame:
        """``qid, scenario, component, product, unit``: one product per process instance."""
        return self.processes.select(pl.col("pid").alias("qid"), "scenario", "component",
                                     pl.col("process").alias("product"), pl.col("output_unit").alias("unit"))

    @classmethod
    def build(cls, study: Study) -> "ProductSystem":
        """The product system of every scenario of ``study`` (GraphError on dangling inputs, an
        undeterminable delivered product or an input in a unit its supplier does not make)."""
        procs, tech, demand = _systems(study)
        procs, tech, demand, offsets = _mixes(study, procs, tech, demand)
        blocks = (procs.group_by("scenario", maintain_order=True)
                  .agg(pl.col("pid").min().alias("start"), (pl.col("pid").max() + 1).alias("stop")))
        looped = [_has_loop(tech, s, e) for s, e in blocks.select("start", "stop").iter_rows()]
        blocks = blocks.with_columns(pl.Series("looped", looped, dtype=pl.Boolean))
        return cls(procs, tech, demand, blocks, offsets, study.source)


def _systems(study: Study) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Processes, technosphere and demand of the scenarios that have steps."""
    file = study.source
    sys_ids = study.scenarios.filter(pl.col("kind") == "system").get_column("id")
    procs = study.processes.select(pl.col("id").alias("process"), "output_amount", "output_unit", "yield")
    p = (study.steps.filter(pl.col("scenario").is_in(sys_ids.implode()))
         .with_row_index("pid").with_columns(pl.col("pid").cast(pl.Int64))
         .join(procs, on="process", how="left", maintain_order="left")
         .select("pid", "scenario", pl.col("scenario").alias("component"), "process", "site",
                 pl.lit("process").alias("kind"), "output_amount", "output_unit", "yield"))
    edges = study.exchanges.filter(pl.col("input").is_not_null()).select("process", "input", "amount", "unit",
                                                                       "origin")
    e = (p.select("scenario", "process", "pid").join(edges, on="process", how="inner", maintain_order="left")
         .join(p.select("scenario", pl.col("process").alias("input"), pl.col("pid").alias("qid"),
                        pl.col("output_unit").alias("q_unit")), on=["scenario", "input"], how="left",
               maintain_order="left"))
    problems = [Problem(f"process '{c}' needs '{n}', but no step of this scenario makes it", file=file,
                        table=f"scenario '{s}'", column="steps",
                        hint=f"add {{ process = \"{n}\", site = \"...\" }} to the steps")
                for s, c, n in e.filter(pl.col("qid").is_null()).select("scenario", "process", "input")
                .unique(maintain_order=True).iter_rows()]
    e = e.filter(pl.col("qid").is_not_null())
    conv: dict[tuple[str, str], float] = {}
    for unit, q_unit in e.select("unit", "q_unit").unique().iter_rows():  # pint once per distinct pair
        try:
            conv[(unit, q_unit)] = conversion_factor(unit, q_unit)
        except LcaInputError:
            problems += [Problem(f"input '{n}' is given in '{unit}' but '{n}' makes '{q_unit}'", file=file,
                                 table=o, column="unit")
                         for n, o in e.filter((pl.col("unit") == unit) & (pl.col("q_unit") == q_unit))
                         .select("input", "origin").unique(maintain_order=True).iter_rows()]
    final, more = _delivered(study, p, e)
    problems += more
    if problems:
        raise GraphError(problems)
    factor = pl.DataFrame([(u, q, f) for (u, q), f in conv.items()], orient="row",
                          schema={"unit": pl.String, "q_unit": pl.String, "conv": pl.Float64})
    e = e.join(factor, on=["unit", "q_unit"], how="left", maintain_order="left")
    alloc = main_factors(study)
    if alloc.height:  # a multi-output process charges its reference product its share of every input
        e = (e.join(alloc, on="process", how="left", maintain_order="left")
             .with_columns(pl.col("conv") * pl.col("alloc").fill_null(1.0)).drop("alloc"))
    tech = pl.concat([
        p.select("pid", pl.col("pid").alias("qid"), (pl.col("output_amount") * pl.col("yield")).alias("amount"),
                 pl.format("process '{}'", "process").alias("origin"), pl.lit("output").alias("role"), "process",
                 pl.lit(None, pl.String).alias("input")),
        e.select("pid", "qid", (-pl.col("amount") * pl.col("conv")).alias("amount"), "origin",
                 pl.lit("input").alias("role"), "process", "input")]).select(*TECH_SCHEMA).sort("pid", maintain_order=True)
    return _with_deliveries(p, tech, final)


def _with_deliveries(p: pl.DataFrame, tech: pl.DataFrame,
                     final: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Close each scenario's block with a ``delivery`` instance: it consumes one declared unit of the
    delivered product and makes 1 delivery, the demand. Its runs are 1 (share × 1 in a mix), so what
    is shipped to the cell plant is a per-run row of it: the delivered amount, however much of the
    product a loop keeps at the works (a leg per run of the product's maker would ship all of it)."""
    ids = p.get_column("scenario").unique(maintain_order=True).to_list()
    rank = p.get_column("scenario").replace_strict({s: i for i, s in enumerate(ids)}, return_dtype=pl.Int64)
    old = p.get_column("pid").to_list()
    new = (p.get_column("pid") + rank).to_list()  # room for one more pid after each block
    renum = lambda c: pl.col(c).replace_strict(old, new, return_dtype=pl.Int64)  # noqa: E731
    p = p.with_columns(renum("pid"))
    tech = tech.with_columns(renum("pid"), renum("qid"))
    final = final.with_columns(renum("qid"))
    made = p.select(pl.col("pid").alias("qid"), pl.col("process").alias("product"))
    ends = p.group_by("scenario", maintain_order=True).agg((pl.col("pid").max() + 1).alias("did"))
    d = final.join(ends, on="scenario").join(made, on="qid").with_columns(
        pl.format("scenario '{}'", "scenario").alias("origin"))
    procs = d.select(pl.col("did").alias("pid"), "scenario", pl.col("scenario").alias("component"),
                     pl.lit(None, pl.String).alias("process"), pl.lit(None, pl.String).alias("site"),
                     pl.lit("delivery").alias("kind"), pl.lit(1.0).alias("output_amount"),
                     pl.lit("delivery").alias("output_unit"), pl.lit(1.0).alias("yield"))
    none = pl.lit(None, pl.String)
    rows = pl.concat([
        d.select(pl.col("did").alias("qid"), pl.col("did").alias("pid"), pl.lit(1.0).alias("amount"), "origin",
                 pl.lit("output").alias("role"), none.alias("process"), none.alias("input")),
        d.select("qid", pl.col("did").alias("pid"), (-pl.col("amount")).alias("amount"), "origin",
                 pl.lit("input").alias("role"), none.alias("process"), pl.col("product").alias("input"))])
    return (pl.concat([p, procs.cast(PROCESS_SCHEMA)]).sort("pid"),
            pl.concat([tech, rows.cast(TECH_SCHEMA)]).sort("pid", maintain_order=True),
            d.select("scenario", pl.col("did").alias("qid"), pl.lit(1.0).alias("amount")))


def _delivered(study: Study, p: pl.DataFrame, e: pl.DataFrame) -> tuple[pl.DataFrame, list[Problem]]:
    """``scenario, qid, amount``: one declared unit of each scenario's delivered product."""
    file = study.source
    du = study.product.declared_unit
    consumed = e.filter(pl.col("qid") != pl.col("pid")).select("scenario", pl.col("input").alias("process"))
    finals = p.join(consumed, on=["scenario", "process"], how="anti", maintain_order="left")
    named = dict(study.scenarios.filter(pl.col("kind") == "system").select("id", "product").iter_rows())
    rows, problems = [], []
    per_du: dict[str, float] = {}
    for sid, product in named.items():  # one iteration per scenario
        where = f"scenario '{sid}'"
        mine = p.filter(pl.col("scenario") == sid)
        if product:
            hit = mine.filter(pl.col("process") == product)
            if hit.height == 0:
                problems.append(Problem(f"product '{product}' is not a step of this scenario", file=file,
                                        table=where, column="product"))
                continue
        else:
            hit = finals.filter(pl.col("scenario") == sid)
            if hit.height != 1:
                loop = " (its processes feed each other in a loop)" if hit.height == 0 else ""
                problems.append(Problem(f"cannot tell the delivered product: {sorted(hit['process'])} are all "
                                        f"final{loop}" if hit.height else
                                        f"cannot tell the delivered product{loop}", file=file, table=where,
                                        column="product", hint='set product = "<process id>" on the scenario'))
                continue
        pid, proc, unit = hit.select("pid", "process", "output_unit").row(0)
        if unit not in per_du:
            try:
                per_du[unit] = conversion_factor(du.unit, unit)
            except LcaInputError:
                problems.append(Problem(f"the declared unit '{du}' and the output of '{proc}' ('{unit}') have "
                                        "different dimensions", file=file, table=where))
                continue
        rows.append((sid, pid, du.value * per_du[unit]))
    return pl.DataFrame(rows, schema=DEMAND_SCHEMA, orient="row"), problems


def _mixes(study: Study, procs: pl.DataFrame, tech: pl.DataFrame,
           demand: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Add each mix scenario: copies of its components' blocks plus one ``mix`` process."""
    mixes = study.mixes
    offsets: list[tuple[str, str, int, float]] = []
    if mixes.height == 0:
        return procs, tech, demand, pl.DataFrame(offsets, schema=OFFSET_SCHEMA, orient="row")
    graph = {m: set(g.get_column("component")) for (m,), g in mixes.group_by("scenario")}
    try:
        order = [m for m in TopologicalSorter(graph).static_order() if m in graph]
    except CycleError as exc:
        raise GraphError(Problem("supply mixes refer to each other in a cycle: " + " → ".join(exc.args[1]),
                                 file=study.source, table="scenario", column="mix")) from None
    du = study.product.declared_unit
    P, T, D = [procs], [tech], [demand]
    nxt = procs.height
    for mix in order:  # one iteration per mix scenario and component
        allp = pl.concat(P)
        allt = pl.concat(T)
        alld = pl.concat(D)
        inputs = []
        for comp, share in mixes.filter(pl.col("scenario") == mix).select("component", "share").iter_rows():
            block = allp.filter(pl.col("scenario") == comp)
            if share == 0 or block.height == 0:
                continue
            start = int(block.get_column("pid").min())
            off = nxt - start
            offsets.append((mix, comp, off, share))
            P.append(block.with_columns(pl.lit(mix).alias("scenario"), pl.col("pid") + off))
            T.append(allt.filter(pl.col("pid").is_in(block.get_column("pid").implode()))
                     .with_columns(pl.col("pid") + off, pl.col("qid") + off))
            qid, amount = alld.filter(pl.col("scenario") == comp).select("qid", "amount").row(0)
            inputs.append((qid + off, -share * amount, f"scenario '{mix}'", "input", mix, comp))
            nxt += block.height
        pid = nxt
        nxt += 1
        P.append(pl.DataFrame([(pid, mix, mix, mix, None, "mix", du.value, du.unit, 1.0)], schema=PROCESS_SCHEMA,
                              orient="row"))
        T.append(pl.DataFrame([(pid, pid, du.value, f"scenario '{mix}'", "output", mix, None)]
                              + [(q, pid, a, o, r, m, c) for q, a, o, r, m, c in inputs],
                              schema=TECH_SCHEMA, orient="row"))
        D.append(pl.DataFrame([(mix, pid, du.value)], schema=DEMAND_SCHEMA, orient="row"))
    offsets_df = pl.DataFrame(offsets, schema=OFFSET_SCHEMA, orient="row")
    return pl.concat(P), pl.concat(T), pl.concat(D), offsets_df


def _has_loop(tech: pl.DataFrame, start: int, stop: int) -> bool:
    """Whether the block's processes feed each other in a cycle (a self-loop counts).

    Boolean reachability by repeated squaring of ``I + M``: log2(n) small matrix products.
    """
    n = stop - start
    off = tech.filter((pl.col("role") == "input") & pl.col("pid").is_between(start, stop - 1))
    if off.height == 0:
        return False
    m = np.zeros((n, n), dtype=bool)
    m[off.get_column("qid").to_numpy() - start, off.get_column("pid").to_numpy() - start] = True
    reach = m | np.eye(n, dtype=bool)
    for _ in range(max(1, int(np.ceil(np.log2(n))) + 1)):
        reach = (reach.astype(np.int64) @ reach.astype(np.int64)) > 0
    return bool(((m.astype(np.int64) @ reach.astype(np.int64)).diagonal() > 0).any())
