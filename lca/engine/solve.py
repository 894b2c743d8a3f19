"""Solve ``A s = f`` per scenario: the runs of every process instance per declared unit.

Each scenario is a small dense block (a few to a few hundred processes), solved with
:func:`numpy.linalg.solve`. A block without loops is triangular up to a permutation with a
non-zero diagonal, hence never singular. A block with a loop (scrap re-extruded into the line
that made it) may be: its condition number (after scaling each column by its diagonal, so that
units do not count) above :data:`MAX_CONDITION`, or a negative number of runs (a loop that
consumes more than it makes), is a :class:`~lca.errors.GraphError` naming the scenario and the
processes of the loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from lca.engine.system import ProductSystem
from lca.errors import GraphError, Problem

#: Above this condition number a looped system is refused as (numerically) singular.
MAX_CONDITION = 1e12


@dataclass(frozen=True)
class Blocks:
    """The technosphere as numpy arrays, grouped by scenario block (assembled once, solved often)."""

    scenarios: tuple[str, ...]
    starts: np.ndarray
    stops: np.ndarray
    looped: np.ndarray
    qid: np.ndarray
    pid: np.ndarray
    #: demand: qid and amount per block (one delivered product each)
    demand_qid: np.ndarray
    demand_amount: np.ndarray
    names: tuple[str, ...]
    source: str

    @classmethod
    def of(cls, ps: ProductSystem) -> "Blocks":
        d = ps.blocks.join(ps.demand, on="scenario", how="left", maintain_order="left")
        label = ps.processes.select(
            pl.when(pl.col("kind") == "delivery").then(pl.format("delivery of scenario '{}'", "component"))
            .when(pl.col("component") == pl.col("scenario")).then(pl.col("process"))
            .otherwise(pl.format("{} (of {})", "process", "component"))).to_series().to_list()
        return cls(tuple(ps.blocks.get_column("scenario").to_list()), ps.blocks.get_column("start").to_numpy(),
                   ps.blocks.get_column("stop").to_numpy(), ps.blocks.get_column("looped").to_numpy(),
                   ps.technosphere.get_column("qid").to_numpy(), ps.technosphere.get_column("pid").to_numpy(),
                   d.get_column("qid").to_numpy(), d.get_column("amount").to_numpy(), tuple(label), ps.source)

    def solve(self, amounts: np.ndarray) -> np.ndarray:
        """Runs of every process instance (indexed by pid) for technosphere ``amounts``."""
        n = int(self.stops[-1]) if len(self.stops) else 0
        runs = np.zeros(n)
        for b, sid in enumerate(self.scenarios):  # one small dense solve per scenario
            s, e = int(self.starts[b]), int(self.stops[b])
            sel = (self.pid >= s) & (self.pid < e)
            a = np.zeros((e - s, e - s))
            np.add.at(a, (self.qid[sel] - s, self.pid[sel] - s), amounts[sel])
            f = np.zeros(e - s)
            f[int(self.demand_qid[b]) - s] = self.demand_amount[b]
            if self.looped[b]:
                runs[s:e] = self._solve_loop(sid, a, f, s)
            else:
                with np.errstate(all="ignore"):  # overflow is named at its input by the caller
                    runs[s:e] = np.linalg.solve(a, f)
        return runs

    def _solve_loop(self, sid: str, a: np.ndarray, f: np.ndarray, s: int) -> np.ndarray:
        diag = np.abs(np.diag(a))
        scaled = a / np.where(diag > 0, diag, 1.0)
        cond = np.linalg.cond(scaled) if np.isfinite(scaled).all() else np.inf
        if not cond < MAX_CONDITION:
            _, _, vt = np.linalg.svd(np.nan_to_num(scaled))
            null = np.abs(vt[-1])
            involved = [self.names[s + i] for i in np.flatnonzero(null > 1e-6 * null.max())]
            raise GraphError(Problem(
                f"the product system is singular (condition number {cond:.3g}): the processes "
                f"{', '.join(repr(p) for p in involved)} make exactly what they consume from each other, so no "
                "amount of them delivers the product", file=self.source, table=f"scenario '{sid}'",
                column="steps", hint="check the amounts of the inputs that close the loop and the yields of "
                                     "these processes"))
        runs = np.linalg.solve(a, f)
        neg = np.flatnonzero(runs < -1e-12 * np.abs(runs).max())
        if neg.size:
            involved = [self.names[s + i] for i in neg]
            raise GraphError(Problem(
                f"the loop through {', '.join(repr(p) for p in involved)} consumes more than it makes (a negative "
                "number of runs)", file=self.source, table=f"scenario '{sid}'", column="steps",
                hint="an input that closes a loop must be less than what the loop delivers: check its amount "
                     "and the yields"))
        return np.maximum(runs, 0.0)


def scaling_frame(ps: ProductSystem, runs: np.ndarray, order: list[str] | None = None) -> pl.DataFrame:
    """``scenario, component, process, site, runs, reference_outputs, output_amount, output_unit``.

    One row per process instance (the result contract's ``Footprint.scaling``): ``runs`` of the
    process (gross outputs) per declared unit of the scenario; ``reference_outputs`` = runs × yield,
    the good outputs (``output_amount`` each, in ``output_unit``). A mix lists its components'
    instances; its own mix process (bookkeeping of the shares) and the ``delivery`` instances (one
    declared unit handed over, see :mod:`lca.engine.system`) are not activities and are left out.
    Scenarios in ``order`` (the study's), instances in pid order.
    """
    p = ps.processes
    out = (p.with_columns(pl.Series("runs", runs[p.get_column("pid").to_numpy()], dtype=pl.Float64))
           .filter(pl.col("kind") == "process"))
    if order is not None:
        rank = {s: i for i, s in enumerate(order)}
        out = out.sort(pl.col("scenario").replace_strict(rank, default=len(rank), return_dtype=pl.Int64), "pid")
    return out.select("scenario", "component", "process", "site", "runs",
                      (pl.col("runs") * pl.col("yield")).alias("reference_outputs"), "output_amount", "output_unit")
