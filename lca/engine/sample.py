"""Batched evaluation of a :class:`~lca.engine.model.Model` for arrays of draws (the uncertainty engine).

``Model.sample({target: multipliers})`` takes, per target, an array of multipliers of the study's
value (one per iteration) and returns the totals of every iteration by scenario × stage. The
targets select the same entries as :meth:`Model.evaluate` (:mod:`lca.engine.changes`); the
technosphere of each scenario is assembled as a stack ``(iterations, n, n)`` and solved with one
batched :func:`numpy.linalg.solve`; a parameter's draws go through every expression that uses it,
evaluated once per batch on arrays. The same draws serve every scenario (common random numbers),
so differences between scenarios are not blurred by independent noise. No inventory rebuild.

>>> import numpy as np, lca
>>> m = lca.build_model(lca.load_study(lca.default_study_path()))
>>> s = m.sample({"process.base_film.electricity": np.array([1.0, 2.0])})
>>> base = m.footprint().total("jp-import").value
>>> bool(abs(s.total("jp-import")[0] - base) < 1e-12 * base), bool(s.total("jp-import")[1] > base)
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

import numpy as np
import polars as pl

from lca.engine.changes import Selection, target
from lca.errors import GraphError, Problem, StudyError

if TYPE_CHECKING:  # pragma: no cover
    from lca.engine.model import Model


@dataclass(frozen=True)
class Samples:
    """Totals per iteration: ``values[i, g]`` is iteration i's total of group g (``groups`` row g)."""

    groups: pl.DataFrame  # scenario, stage
    values: np.ndarray
    unit: str

    def total(self, scenario: str) -> np.ndarray:
        """Per-iteration total of one scenario (sum over its stages)."""
        cols = (self.groups.get_column("scenario") == scenario).to_numpy()
        return self.values[:, cols].sum(axis=1)


def sample(model: "Model", draws: Mapping[str, np.ndarray], *, chunk: int = 20_000) -> Samples:
    """Totals by scenario × stage for each iteration of ``draws`` (multipliers of each target's value)."""
    arrays = {k: np.asarray(v, dtype=float) for k, v in draws.items()}
    sizes = {a.shape for a in arrays.values()}
    if len(sizes) > 1 or any(len(s) != 1 for s in sizes):
        raise StudyError(Problem("every target needs a 1-d array of draws of the same length", table="draws"))
    n = next(iter(sizes))[0] if sizes else 1
    plan = _plan(model, arrays)
    base = model.base
    groups = base.select("scenario", "stage").unique(maintain_order=True)
    code = base.join(groups.with_row_index("__g"), on=["scenario", "stage"], how="left",
                     maintain_order="left").get_column("__g").to_numpy()
    onehot = np.zeros((base.height, groups.height))
    onehot[np.arange(base.height), code] = 1.0
    out = np.empty((n, groups.height))
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        out[lo:hi] = _batch(model, plan, lo, hi) @ onehot
    du = model.study.product.declared_unit
    return Samples(groups, out, f"kg_CO2e/{du.unit if du.value == 1 else f'({du})'}")


def _plan(model: "Model", arrays: Mapping[str, np.ndarray]) -> list[tuple[Selection, np.ndarray]]:
    """(selection, ratio per iteration) of every entry the draws scale."""
    from lca.engine.params import parameter_selections

    plan = []
    for name, ratio in arrays.items():
        parts = name.split(".")
        if parts[0] == "parameter" and len(parts) == 2:
            plan += parameter_selections(model, parts[1], ratio)
            continue
        if parts[0] == "process" and parts[-1] in ("yield", "output_mass") and parts[1] in \
                model.study.allocation.get_column("process").to_list():
            raise StudyError(Problem(f"'{name}' moves an allocation: sampling it is not supported", table="draws",
                                     column=name, hint="sample the process's exchanges instead"))
        if parts[0] == "product":
            raise StudyError(Problem(f"'{name}' changes a view, not the results per declared unit", table="draws",
                                     column=name, hint="scale the view's totals by the draws instead"))
        plan.append((target(model, model.study, name).selection, ratio))
    return plan


def _batch(model: "Model", plan, lo: int, hi: int) -> np.ndarray:
    """Result values ``(iterations, rows)`` for iterations lo..hi."""
    st = model.state
    k = hi - lo
    tech = np.tile(st.tech, (k, 1))
    amount = np.tile(st.amount, (k, 1))
    mult = np.tile(np.nan_to_num(st.multiplier), (k, 1))
    for sel, ratio in plan:
        r = ratio[lo:hi, None]
        tech[:, sel.tech] *= r
        amount[:, sel.amount] *= r
        mult[:, sel.multiplier] *= r
    runs = _solve(model, tech)
    with np.errstate(all="ignore"):
        return amount * runs[:, model.pid] * mult / (1.0 - model.loss)


def _solve(model: "Model", tech: np.ndarray) -> np.ndarray:
    b = model.blocks
    k = tech.shape[0]
    runs = np.zeros((k, int(b.stops[-1])))
    for i, sid in enumerate(b.scenarios):  # one batched solve per scenario
        s, e = int(b.starts[i]), int(b.stops[i])
        idx = np.flatnonzero((b.pid >= s) & (b.pid < e))
        a = np.zeros((k, e - s, e - s))
        for j in idx:  # a few entries per block: accumulate each over all iterations at once
            a[:, b.qid[j] - s, b.pid[j] - s] += tech[:, j]
        f = np.zeros((k, e - s, 1))
        f[:, int(b.demand_qid[i]) - s, 0] = b.demand_amount[i]
        with np.errstate(all="ignore"):
            x = np.linalg.solve(a, f)[..., 0]
        if b.looped[i] and (x < 0).any():
            bad = int((x < 0).any(axis=1).sum())
            raise GraphError(Problem(f"in {bad} of {k} draws the loop consumes more than it makes (negative runs)",
                                     table=f"scenario '{sid}'", column="steps",
                                     hint="bound the draws of the amounts and yields that close the loop"))
        runs[:, s:e] = x
    return runs
