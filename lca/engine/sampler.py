"""Batched sampling of a :class:`~lca.engine.model.Model`: many draws of its entries, solved at once.

Monte Carlo (and tornado, break-even) change a few entries of the model per draw: technosphere
entries (an intermediate input, a yield: the scaling vector moves) and result rows (an exchange
with a flow, a distance, a factor: the scaling vector does not). :class:`Sampler` is built once
for a model and the *entries* each uncertain input scales (:func:`entries`), then takes a matrix
of per-draw ratios (iterations × inputs; 1 = the model's value) and returns totals per group of
result rows (scenario × stage) for every draw:

* result rows that depend on the same inputs and the same process instance share one column
  (a *pattern*); a pattern's multiplier is the product of its inputs' ratios;
* a scenario whose technosphere entries all stay fixed keeps its runs: its totals are then one
  matrix product of the pattern multipliers with the (patterns × groups) contributions;
* a scenario with varying technosphere entries is solved per draw: an acyclic block by
  substitution over its entries (consumers before suppliers, vectorised over the draws), a block
  with a loop by :func:`numpy.linalg.solve` on the stacked (draws, n, n) matrices.

The same ratio column scales its entries in every scenario (common random numbers). Nothing is
rebuilt per draw and nothing is fitted: a draw's totals are those :meth:`Model.evaluate` would
give for the same changes (tested in tests/test_engine_sampler.py).

:meth:`Model.sample` (:func:`sample`) is the plain entry to it: per target named as for
:meth:`Model.evaluate`, an array of multipliers of the study's value, and the totals of every
draw by scenario × stage (:class:`Samples`).
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import TYPE_CHECKING, Sequence

import numpy as np
import polars as pl

from lca.engine.params import parameter_effects  # noqa: F401  (its home was here: callers import it from here)
from lca.errors import GraphError, Problem, StudyError

if TYPE_CHECKING:  # pragma: no cover
    from lca.engine.model import Model, State


@dataclass(frozen=True)
class Entries:
    """The entries one input scales: technosphere entries and result rows (boolean masks)."""

    tech: np.ndarray
    rows: np.ndarray

    def __or__(self, other: "Entries") -> "Entries":
        return Entries(self.tech | other.tech, self.rows | other.rows)


def entries(model: "Model", kind: str, key: Sequence[str] = (), name: str | None = None) -> Entries:
    """The entries a target scales (kinds as :mod:`lca.uncertainty.targets` resolves them).

    Study targets (``exchange``, ``yield``, ``output_mass``, ``packaging``, ``distance``, ``factor``,
    named ``name``) select what :func:`lca.engine.changes.target` selects, so a draw changes exactly
    what :meth:`Model.evaluate` would; a distance target with several values (every container-ship
    leg) is scaled as a whole. Uncertainty-only kinds: ``loss`` (grid-loss factor id: the rows it
    grossed up), ``grid`` (site: its electricity rows), ``all`` (every row: a view conversion).
    """
    from lca.engine.changes import target

    base, t = model.base, model.system.technosphere
    # the study's transport legs; the inbound legs of materials (no goods) are not transport targets
    leg = model.leg.to_numpy() & model.keys.get_column("goods").is_not_null().to_numpy()
    none_t = np.zeros(t.height, dtype=bool)

    def is_(frame, c, v) -> np.ndarray:
        return (frame.get_column(c) == v).fill_null(False).to_numpy()

    if kind in ("yield", "output_mass") and key[0] in model.study.allocation.get_column("process").to_list():
        raise StudyError(Problem(f"'{name}' moves an allocation: sampling it is not supported",
                                 file=model.study.source, column="target",
                                 hint="give the uncertainty of the process's exchanges instead"))
    if kind in ("exchange", "yield", "output_mass", "packaging", "distance", "factor"):
        try:
            sel = target(model, model.study, name).selection
            return Entries(sel.tech.copy(), sel.amount | sel.multiplier)
        except StudyError:
            if kind != "distance":  # several values: one draw scales them all
                raise
        if not key:
            return Entries(none_t, leg.copy())
        if len(key) == 1:
            return Entries(none_t, is_(base, "mode", key[0]) & leg)
        return Entries(none_t, is_(base, "site", key[0]) & is_(model.keys, "to_site", key[1]) & leg)
    if kind == "loss":
        hit = base.get_column("td_loss_factor").str.split(" + ").list.contains(key[0]).fill_null(False)
        return Entries(none_t, hit.to_numpy())
    if kind == "grid":
        return Entries(none_t, is_(base, "flow", "electricity") & is_(base, "site", key[0]))
    if kind == "all":
        return Entries(none_t, np.ones(base.height, dtype=bool))
    raise ValueError(f"no entries for target kind {kind!r}")


class Sampler:
    """Totals per group for many draws of ratios of a model's entries (see the module docstring).

    ``effects``: the entries each ratio column scales; ``weight``: each result row's contribution
    at the model's numbers (in the unit wanted, e.g. per view); ``group``: each row's group index.
    """

    def __init__(self, model: "Model", state: "State", effects: Sequence[Entries], weight: np.ndarray,
                 group: np.ndarray, n_groups: int):
        self.k, self.n_groups = len(effects), n_groups
        blocks = model.blocks
        t_pid, t_qid = blocks.pid, blocks.qid
        tech_e = np.array([e.tech for e in effects], dtype=bool).reshape(self.k, t_pid.size)
        rows_e = np.array([e.rows for e in effects], dtype=bool).reshape(self.k, weight.size)
        runs0 = model.runs(state)
        n_pid = runs0.size
        live = np.zeros(n_pid, dtype=bool)  # process instances whose runs vary with the draws
        self.blocks: list[tuple] = []
        varying_tech = tech_e.any(axis=0)
        for b in range(len(blocks.scenarios)):
            s, e = int(blocks.starts[b]), int(blocks.stops[b])
            sel = np.flatnonzero((t_pid >= s) & (t_pid < e))
            if not varying_tech[sel].any():
                continue
            live[s:e] = True
            cols = [np.flatnonzero(tech_e[:, j]) for j in sel]  # ratio columns scaling each entry
            looped = bool(blocks.looped[b])
            order = [] if looped else _order(t_qid[sel] - s, t_pid[sel] - s, e - s)
            self.blocks.append((b, s, e, sel, cols, looped, order))
        self.tech0 = state.tech.copy()
        self.source, self.names = model.study.source, blocks.scenarios
        self.t_qid, self.t_pid = t_qid, t_pid
        self.demand = (blocks.demand_qid, blocks.demand_amount)
        # patterns: rows with the same process instance (when live) and the same ratio columns
        pid = np.where(live[model.pid], model.pid, -1)
        keep = weight != 0
        key = np.column_stack([pid, rows_e.T.astype(np.int64)])[keep]
        pats, inverse = (np.unique(key, axis=0, return_inverse=True) if key.size
                         else (np.zeros((0, self.k + 1), dtype=np.int64), np.zeros(0, dtype=np.int64)))
        self.pat_pid = pats[:, 0]
        self.pats = pats[:, 1:]  # (patterns, columns): 1 where the column scales the pattern
        self.pat_cols = [np.flatnonzero(p[1:]) for p in pats]
        w = np.zeros((pats.shape[0], n_groups))
        np.add.at(w, (inverse.ravel(), group[keep]), weight[keep])
        self.w = w
        self.nonzero = [(int(p), int(g), float(w[p, g])) for p, g in zip(*np.nonzero(w))]
        with np.errstate(divide="ignore", invalid="ignore"):
            self.inv_runs0 = np.where(runs0 != 0, 1.0 / runs0, 0.0)
        self.live_pats = np.flatnonzero(self.pat_pid >= 0)

    @property
    def n_patterns(self) -> int:
        return self.w.shape[0]

    def runs(self, ratios: np.ndarray) -> dict[int, np.ndarray]:
        """Runs per draw of every live process instance: ``{pid: (draws,)}``."""
        n = ratios.shape[0]
        out: dict[int, np.ndarray] = {}
        dq, da = self.demand
        for b, s, e, sel, cols, looped, order in self.blocks:
            vals = []
            for j, c in zip(sel, cols):  # an entry no draw changes stays a scalar (no array per draw)
                v = float(self.tech0[j]) if not c.size else self.tech0[j] * ratios[:, c[0]]
                for col in c[1:]:
                    v *= ratios[:, col]
                vals.append(v)
            qs, ps = self.t_qid[sel] - s, self.t_pid[sel] - s
            f_at, f = int(dq[b]) - s, float(da[b])
            if looped:
                a = np.zeros((n, e - s, e - s))
                for v, q, p in zip(vals, qs, ps):
                    a[:, q, p] += v
                rhs = np.zeros((n, e - s, 1))
                rhs[:, f_at, 0] = f
                with np.errstate(all="ignore"):
                    sol = np.linalg.solve(a, rhs)[:, :, 0]
                if (sol < 0).any():  # a draw that makes the loop consume more than it makes
                    bad = int((sol < 0).any(axis=1).sum())
                    raise GraphError(Problem(
                        f"in {bad} of {n} draws the loop consumes more than it makes (negative runs)",
                        file=self.source, table=f"scenario '{self.names[b]}'", column="steps",
                        hint="bound the draws of the amounts and yields that close the loop"))
                out.update({s + i: sol[:, i] for i in range(e - s)})
                continue
            sol: dict[int, np.ndarray] = {}
            for q in order:  # consumers first: every run that needs product q is known
                acc = np.full(n, f if q == f_at else 0.0)
                diag = np.zeros(n)
                for v, qq, p in zip(vals, qs, ps):
                    if qq != q:
                        continue
                    if p == q:
                        diag += v
                    else:
                        acc -= v * sol[p]
                with np.errstate(all="ignore"):
                    sol[q] = acc / diag
            out.update({s + i: x for i, x in sol.items()})
        return out

    def totals(self, ratios: np.ndarray) -> np.ndarray:
        """(draws, groups) totals for (draws, columns) ratios."""
        mult = self.multipliers(ratios)
        out = np.zeros((mult.shape[0], self.n_groups), order="F")  # column-major, like the multipliers
        tmp = np.empty(mult.shape[0])
        # W is sparse (a pattern's rows lie in one scenario, one or two stages): one axpy per non-zero,
        # far fewer operations than the dense product, and no BLAS threads fighting over shared cores
        for p, g, w in self.nonzero:
            np.multiply(mult[:, p], w, out=tmp)
            out[:, g] += tmp
        return out

    def multipliers(self, ratios: np.ndarray) -> np.ndarray:
        """(draws, patterns) multiplier of each pattern's contribution (its ratios × its runs ratio)."""
        n = ratios.shape[0]
        mult = np.empty((n, self.n_patterns), order="F")  # columns contiguous (ratios best F-ordered too)
        for i, c in enumerate(self.pat_cols):
            col = mult[:, i]
            if not c.size:
                col.fill(1.0)
            else:
                col[:] = ratios[:, c[0]]
                for j in c[1:]:
                    col *= ratios[:, j]
        if self.live_pats.size:
            runs = self.runs(ratios)
            for i in self.live_pats:
                p = int(self.pat_pid[i])
                mult[:, i] *= runs[p] * self.inv_runs0[p]
        return mult


def _order(q: np.ndarray, p: np.ndarray, n: int) -> list[int]:
    """Products of an acyclic block, each after every process that consumes it."""
    graph: dict[int, set[int]] = {i: set() for i in range(n)}
    for qq, pp in zip(q.tolist(), p.tolist()):
        if qq != pp:
            graph[qq].add(pp)  # product qq waits for its consumer pp
    return list(TopologicalSorter(graph).static_order())


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


def sample(model: "Model", draws: "dict[str, np.ndarray]", *, chunk: int = 20_000) -> Samples:
    """Totals by scenario × stage for each iteration of ``draws`` (multipliers of each target's value).

    The targets select the same entries as :meth:`Model.evaluate` (:mod:`lca.engine.changes`); a
    parameter's draws go through every expression that uses it, evaluated once on the arrays. The
    same draws serve every scenario (common random numbers).

    >>> import numpy as np, lca
    >>> m = lca.build_model(lca.load_study(lca.default_study_path()))
    >>> p = m.study.processes.get_column("id")[0]
    >>> flow = m.study.exchanges.filter(pl.col("process") == p).get_column("flow")[0]
    >>> s = m.sample({f"process.{p}.{flow}": np.array([1.0, 2.0])})
    >>> base = m.footprint().total("jp-import").value
    >>> bool(abs(s.total("jp-import")[0] - base) < 1e-12 * base), bool(s.total("jp-import")[1] > base)
    (True, True)
    """
    from lca.engine.changes import target

    arrays = {k: np.asarray(v, dtype=float) for k, v in draws.items()}
    shapes = {a.shape for a in arrays.values()}
    if len(shapes) > 1 or any(len(s) != 1 for s in shapes):
        raise StudyError(Problem("every target needs a 1-d array of draws of the same length", table="draws"))
    n = next(iter(shapes))[0] if shapes else 1
    study, state = model.study, model.state
    allocated = study.allocation.get_column("process").to_list()
    effects: list[Entries] = []
    ratios: list[np.ndarray] = []
    for name, ratio in arrays.items():
        parts = name.split(".")
        if parts[0] == "parameter" and len(parts) == 2:
            params = study.parameters.filter(pl.col("name") == parts[1])
            if params.is_empty():
                target(model, study, name)  # the located "unknown parameter" error
            value = float(params.get_column("value")[0])
            for e, r, view in parameter_effects(model, state, {parts[1]: value * ratio}):
                if view is None:  # a view's amount: not a result per declared unit
                    effects.append(e)
                    ratios.append(r)
            continue
        if parts[0] == "process" and parts[-1] in ("yield", "output_mass") and len(parts) == 3 \
                and parts[1] in allocated:
            raise StudyError(Problem(f"'{name}' moves an allocation: sampling it is not supported", table="draws",
                                     column=name, hint="sample the process's exchanges instead"))
        if parts[0] in ("product", "view"):
            raise StudyError(Problem(f"'{name}' changes a view, not the results per declared unit", table="draws",
                                     column=name, hint="scale the view's totals by the draws instead"))
        sel = target(model, study, name).selection
        effects.append(Entries(sel.tech.copy(), sel.amount | sel.multiplier))
        ratios.append(ratio)
    base = model.base
    groups = base.select("scenario", "stage").unique(maintain_order=True)
    code = base.join(groups.with_row_index("__g"), on=["scenario", "stage"], how="left",
                     maintain_order="left").get_column("__g").to_numpy()
    weight = np.nan_to_num(model.detail().get_column("value").fill_null(0.0).to_numpy())
    sampler = Sampler(model, state, effects, weight, code, groups.height)
    table = np.column_stack(ratios) if ratios else np.ones((n, 0))
    out = np.empty((n, groups.height))
    for lo in range(0, n, chunk):
        out[lo:lo + chunk] = sampler.totals(np.asfortranarray(table[lo:lo + chunk]))
    du = study.product.declared_unit
    return Samples(groups, out, f"kg_CO2e/{du.unit if du.value == 1 else f'({du})'}")
