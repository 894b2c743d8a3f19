"""Compile a footprint into a sampler of its model, so Monte Carlo, tornado and break-even are numpy algebra.

Each uncertain input ``p`` is drawn as a multiplier ``m_p`` (1 = the deterministic value) and scales
the *entries* of the engine's model it feeds (:func:`lca.engine.sampler.entries`): technosphere
entries (an intermediate input, a yield) and result rows (an exchange with a flow, a distance, a
factor). :class:`lca.engine.sampler.Sampler` then solves every draw's product system in batch:

* factor inputs: the rows using that factor id, in every scenario (one shared draw per factor id =
  correlation by sharing, and common random numbers across scenarios);
* study inputs (``[[uncertainty]]`` entries): the entries the target feeds, exactly as
  :meth:`lca.engine.model.Model.evaluate` would change them; a yield or an intermediate input
  moves the scaling vector, which is solved again per draw (nothing is rebuilt, nothing fitted);
* ``parameter.<name>``: the parameter is drawn, every expression using it is evaluated once per
  batch on the arrays of draws, and each scales the entries it feeds;
* view inputs (m² per kWh, …): every row, to the power the view gives them;
* grid-loss factors (``td_losses = "included"``): a row grossed up by a loss carries
  ``value / (1 − L)``, so ``L`` is drawn (in [0, 1)) and the rows it grossed up are scaled by
  ``(1 − L0) / (1 − L)`` (:mod:`lca.uncertainty.losses`).

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> m = compile_model(fp)
>>> bool(abs(m.deterministic_totals()[0] - fp.total("jp-import").value) < 1e-12)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from lca.engine.sampler import Entries, Sampler, entries, parameter_effects
from lca.errors import FactorError, Problem
from lca.uncertainty.distributions import (FLOOR, Distribution, OutOfRange, Range, check_divisor, confine,
                                           pedigree_gsd)
from lca.uncertainty.losses import check_loss_spread, loss_factors, loss_multiplier, loss_range
from lca.uncertainty.spec import parse_spec, value_text
from lca.study.targets import view_exponents
from lca.uncertainty.targets import Target


#: Where problems with factors of the shipped library point (their rows carry no file name).
SHIPPED_FILE = "factors/ (the shipped factor library)"
#: Emission factors are never negative in this engine (credits are modelled as flows, not factors).
FACTOR_RANGE = Range(0.0, float("inf"), False, "an emission factor cannot be negative")


@dataclass(frozen=True)
class Input:
    """One uncertain input: one column of the draw matrix."""

    name: str
    kind: str                 # factor | grid loss | activity | view | parameter
    dist: Distribution
    unit: str | None          # unit of ``current`` (None: the input has several values)
    current: float | None
    source: str               # where the distribution comes from
    loss: float | None = None  # a grid-loss fraction L0: rows scale by (1 − L0) / (1 − L0·m), not m

    def row_multiplier(self, m: np.ndarray) -> np.ndarray:
        """What the entries of this input are multiplied by for draws ``m``."""
        return m if self.loss is None else loss_multiplier(self.loss, m)


@dataclass(frozen=True)
class Column:
    """One column of the sampler's ratios: input ``p`` through ``how`` (linear | loss | power | parameter)."""

    p: int
    how: str
    arg: float = 1.0


@dataclass(frozen=True)
class CompiledModel:
    """The footprint's model, its uncertain inputs and the sampler of the entries they scale."""

    scenarios: list[str]
    stages: list[str]
    unit: str
    contrib: np.ndarray       # (rows,) value per row in the chosen view's unit
    group: np.ndarray         # (rows,) index of scenario × stage
    scenario_of: np.ndarray   # (rows,) scenario index
    inputs: list[Input]
    sampler: Sampler
    columns: list[Column]
    hits: np.ndarray          # (inputs, scenarios) True where an input feeds an entry of the scenario
    divides: np.ndarray       # (inputs,) True where an input scales a process output or divides a view
    engine: tuple             # (Model, State) the parameter expressions are evaluated with
    parameters: list          # (input, parameter name, study value) of every parameter target
    per: str = "declared_unit"

    @property
    def n_groups(self) -> int:
        return len(self.scenarios) * len(self.stages)

    def scenario_matrix(self) -> np.ndarray:
        """(rows, scenarios) matrix of contributions."""
        w = np.zeros((self.contrib.size, len(self.scenarios)))
        w[np.arange(self.contrib.size), self.scenario_of] = self.contrib
        return w

    def deterministic_totals(self) -> np.ndarray:
        """Totals per scenario with every multiplier at 1."""
        return np.bincount(self.scenario_of, weights=self.contrib, minlength=len(self.scenarios))

    def patterns(self) -> tuple[np.ndarray, np.ndarray]:
        """The (patterns, columns) 0/1 matrix of the sampler's patterns (rows scaled alike) and the
        (patterns, groups) contributions."""
        return self.sampler.pats, self.sampler.w

    def ratios(self, m: np.ndarray) -> np.ndarray:
        """(draws, columns) ratios of the entries for (draws, inputs) multipliers ``m``."""
        r = np.empty((m.shape[0], len(self.columns)), order="F")
        params = [c for c in self.columns if c.how == "parameter"]
        for j, c in enumerate(self.columns):
            if c.how == "linear":
                r[:, j] = m[:, c.p]
            elif c.how == "loss":
                r[:, j] = loss_multiplier(c.arg, m[:, c.p])
            elif c.how == "power":
                with np.errstate(divide="ignore"):
                    r[:, j] = m[:, c.p] ** c.arg
        if params:
            drawn = {name: m[:, p] * x0 for p, name, x0 in self.parameters}
            at = [j for j, c in enumerate(self.columns) if c.how == "parameter"]
            for j, (_e, ratio, key) in zip(at, parameter_effects(*self.engine, drawn)):
                e = self.columns[j].arg
                with np.errstate(divide="ignore"):
                    r[:, j] = ratio if key is None else ratio ** e
        return r

    def group_totals(self, m: np.ndarray, pats=None, w=None) -> np.ndarray:
        """(iterations, scenario × stage) totals for draws ``m`` (``pats``, ``w``: unused, kept for callers)."""
        return self.sampler.totals(self.ratios(m))

    def pattern_multipliers(self, m: np.ndarray) -> np.ndarray:
        """(iterations, patterns) multiplier of each pattern's contribution for draws ``m``."""
        return self.sampler.multipliers(self.ratios(m))

    def affects(self) -> np.ndarray:
        """(inputs, scenarios) True where an input changes a scenario's total."""
        return self.hits


def engine_of(fp):
    """The engine's model and state ``fp`` was computed from (kept by :meth:`Model.footprint`), or a
    model built once from the footprint's study and factor library."""
    kept = getattr(fp, "__dict__", {}).get("_model")
    if kept is not None:
        return kept
    from lca.engine.model import build_model

    model = build_model(fp.study, library=fp.library)
    fp.__dict__["_model"] = (model, model.state)
    return model, model.state


def compile_model(fp, *, per: str = "declared_unit", uncertainty=None) -> CompiledModel:
    """Compile ``fp`` for the view ``per``; ``uncertainty`` overrides ``fp.study.uncertainty_spec``."""
    d = fp.detail
    scale, unit = fp.scale(per)
    scenarios = list(fp.scenarios)
    present = d.get_column("stage").unique().to_list()
    order = fp.stages.get_column("stage").to_list()
    stages = [s for s in order if s in present] + sorted(s for s in present if s not in order)
    s_idx = d.get_column("scenario").replace_strict({s: i for i, s in enumerate(scenarios)},
                                                     return_dtype=pl.Int64).to_numpy()
    g_idx = d.get_column("stage").replace_strict({s: i for i, s in enumerate(stages)},
                                                  return_dtype=pl.Int64).to_numpy()
    contrib = d.get_column("value").fill_null(0.0).to_numpy() * scale
    model, state = engine_of(fp)
    if model.base.height != d.height or not model.base.get_column("act").equals(d.get_column("act")):
        from lca.errors import InternalError

        raise InternalError("the footprint's rows are not its model's rows (this is a bug in lca, please report it)")

    factors = (d.select("factor_id", "factor_value", "factor_unit").unique("factor_id").sort("factor_id"))
    fvals = {fid: (v, u) for fid, v, u in factors.iter_rows()}
    losses = loss_factors(fp)
    lvals = dict(losses.select("factor_id", "fraction").iter_rows())
    specs = parse_spec(fp.study, uncertainty, factor_values=fvals, loss_values=lvals)
    overridden = {t.key[0]: s for s in specs for t in s.targets if t.kind in ("factor", "loss")}

    inputs: list[Input] = []
    effects: list[Entries] = []
    columns: list[Column] = []
    view_power: list[float] = []  # per input: the power a view target divides by (< 0) or 0
    drawn: list[tuple[int, str, float]] = []  # parameter targets: input, parameter, study value

    def add(e: Entries, how: str, arg: float = 1.0) -> None:
        effects.append(e)
        columns.append(Column(len(inputs) - 1, how, arg))

    fid_of_row = d.get_column("factor_id").to_numpy()
    no_tech = np.zeros(model.system.technosphere.height, dtype=bool)
    for fid, dist, source in _factor_distributions(d):
        if fid in overridden:
            continue
        v, u = fvals[fid]
        inputs.append(Input(f"factor {fid}", "factor", dist, u, v, source))
        add(Entries(no_tech, fid_of_row == fid), "linear")  # the rows using it (as Model.evaluate selects them)
        view_power.append(0.0)
    for fid, dist, source in _factor_distributions(losses, lvals):
        if fid in overridden:
            continue
        inputs.append(Input(f"factor {fid}", "grid loss", dist, "dimensionless", lvals[fid], source,
                            loss=lvals[fid]))
        add(entries(model, "loss", (fid,)), "loss", lvals[fid])
        view_power.append(0.0)
    for spec in specs:
        kind = {"view": "view", "factor": "factor", "loss": "grid loss",
                "parameter": "parameter"}.get(spec.targets[0].kind, "activity")
        loss = spec.current if spec.targets[0].kind == "loss" else None  # a loss target is alone in its entry
        inputs.append(Input(spec.name, kind, spec.dist, spec.unit, spec.current,
                            "study [[uncertainty]]" + (f": {spec.note}" if spec.note else ""), loss=loss))
        power = 0.0
        for t in spec.targets:
            if t.kind == "parameter":
                drawn.append((len(inputs) - 1, t.key[0], t.current.value))
            else:
                power = min(power, _add_target(model, t, per, loss, add))
        view_power.append(power)
    if drawn:
        _parameter_columns(model, state, drawn, per, effects, columns, view_power)
    hits, divides = _structure(model, effects, columns, len(inputs), scenarios, s_idx, view_power)
    kept = [j for j, c in enumerate(columns) if c.how != "structure"]
    effects, columns = [effects[j] for j in kept], [columns[j] for j in kept]
    sampler = Sampler(model, state, effects, contrib, s_idx * len(stages) + g_idx, len(scenarios) * len(stages))
    compiled = CompiledModel(scenarios=scenarios, stages=stages, unit=unit, contrib=contrib,
                             group=s_idx * len(stages) + g_idx, scenario_of=s_idx, inputs=inputs, sampler=sampler,
                             columns=columns, hits=hits, divides=divides, engine=(model, state),
                             parameters=drawn, per=per)
    _check_divisors(fp, specs, inputs, divides, uncertainty is not None)
    return compiled


def _add_target(model, t: Target, per: str, loss: float | None, add) -> float:
    """Add the sampler column of one (non-parameter) target; returns its view power when negative."""
    if t.kind == "view":
        e = float(view_exponents(model.study, t.key).get(per, 0))
        if e:
            add(entries(model, "all"), "power", e)
        return min(e, 0.0)
    if t.kind == "loss":
        add(entries(model, "loss", t.key), "loss", loss)
        return 0.0
    add(entries(model, t.kind, t.key, t.name), "linear")
    return 0.0


def _parameter_columns(model, state, drawn: list[tuple[int, str, float]], per: str, effects: list,
                       columns: list, view_power: list) -> None:
    """Columns of the expressions the drawn parameters feed (evaluated jointly: an expression may use
    several), in the order :func:`lca.engine.sampler.parameter_effects` returns them."""
    def view(key):  # the power a view quantity ([product] key or [[view]] amount) has in this view
        return float(view_exponents(state.study, key).get(per, 0)) if key is not None else 1.0

    def fed(e, key):  # a view quantity scales every row, in the views that use it
        return e if key is None else entries(model, "all") if view(key) else e

    for e, _ratio, key in parameter_effects(model, state, {n: np.array([x0]) for _p, n, x0 in drawn}):
        effects.append(fed(e, key))
        columns.append(Column(-1, "parameter", view(key)))
    for p, name, x0 in drawn:  # what each parameter feeds on its own: hits and divisors
        for e, _ratio, key in parameter_effects(model, state, {name: np.array([x0])}):
            effects.append(fed(e, key))
            columns.append(Column(p, "structure", 0.0))
            if key is not None and view(key) < 0:
                view_power[p] = min(view_power[p], view(key))


def _structure(model, effects, columns, n_inputs, scenarios, s_idx, view_power):
    """Which scenarios each input feeds, and which inputs scale a process output (divisors)."""
    blocks = model.blocks
    t_pid = blocks.pid
    t_scen = np.zeros(t_pid.size, dtype=np.int64)
    order = {s: i for i, s in enumerate(scenarios)}
    for b, sid in enumerate(blocks.scenarios):
        t_scen[(t_pid >= blocks.starts[b]) & (t_pid < blocks.stops[b])] = order[sid]
    outputs = (model.system.technosphere.get_column("role") == "output").to_numpy()
    hits = np.zeros((n_inputs, len(scenarios)), dtype=bool)
    divides = np.array([p < 0 for p in view_power], dtype=bool)
    for e, c in zip(effects, columns):
        if c.p < 0:  # a joint parameter column: its inputs are marked by their own structure columns
            continue
        hits[c.p, s_idx[e.rows]] = True
        hits[c.p, t_scen[e.tech]] = True
        divides[c.p] |= bool((e.tech & outputs).any())
    return hits, divides


def _check_divisors(fp, specs, inputs: list, divides: np.ndarray, from_argument: bool) -> None:
    """An input that divides some row (negative exponent, e.g. a yield) must never be drawn at 0:
    that row would become infinite. Physical ranges already keep yields and conversions above 0;
    this catches any other target the product graph turns into a divisor. Nor may it reach below
    1/1000 of its study value (:func:`~lca.uncertainty.distributions.check_divisor`): the unit-slip
    rule that bounds every input at 1000 × its study value, seen from the rows it divides."""
    first_spec = len(inputs) - len(specs)
    file = "uncertainty= argument" if from_argument else str(fp.study.path or "study")
    problems = []
    for j, spec in enumerate(specs):
        p, inp = first_spec + j, inputs[first_spec + j]
        if inp.dist.is_constant or not divides[p]:
            continue
        where = {"file": file, "table": f"uncertainty #{j + 1}"}
        if inp.dist.support[0] <= 0:
            problems.append(Problem(f"{inp.name}: the footprint depends on it inversely (like a yield), so its draws "
                                    "must stay above 0, but the distribution reaches 0", column="min",
                                    hint="give min > 0", **where))
            continue
        try:
            check_divisor(inp.dist, value_text(spec.current, spec.unit))
        except OutOfRange as exc:
            problems.append(Problem(f"{inp.name}: {exc.message}", column=exc.key, hint=exc.hint, **where))
    if problems:
        from lca.errors import StudyError

        raise StudyError(problems)


def _factor_distributions(d: pl.DataFrame, losses: dict[str, float] | None = None
                          ) -> list[tuple[str, Distribution, str]]:
    """One distribution per factor id used, from the factor table's uncertainty columns.

    Problems name the factor file (the user layer the row came from, or the shipped library),
    the factor id and the column. Every distribution is confined to factor values >= 0: a normal
    is truncated at 0 (or at ``unc_min``/``unc_max`` when given) and refused when it would need a
    material cut (:func:`lca.uncertainty.distributions.confine`). With ``losses`` (grid-loss factor
    id → loss fraction) the rows are loss factors: their draws stay in [0, 1) instead, and may not
    gross the electricity up more than 1000-fold (:mod:`lca.uncertainty.losses`).
    """
    cols = ["factor_id", "factor_value", "factor_unit", "category", "unc_dist", "unc_gsd", "unc_sd", "unc_min",
            "unc_max", "dq_technological", "dq_geographical", "dq_temporal", "layer"]
    out, problems = [], []
    for fid, v, unit, cat, kind, gsd, sd, lo, hi, dqt, dqg, dqm, layer in d.select(cols).unique("factor_id").sort(
            "factor_id").iter_rows():
        file = SHIPPED_FILE if layer in (None, "shipped") else str(layer)

        def problem(msg: str, column: str, hint: str | None) -> Problem:
            return Problem(f"factor '{fid}': {msg}", file=file, column=column, hint=hint)

        def fmt(m: float) -> str:
            return f"{m * v:.4g} {unit}"

        l0 = None if losses is None else losses[fid]
        rng, cut, source = (FACTOR_RANGE if l0 is None else loss_range(l0)), None, "factor table"
        if kind is None:
            g = pedigree_gsd(cat, dqt, dqg, dqm)
            dist = Distribution("lognormal", gsd=g)
            source = f"pedigree default from DQR {dqt}/{dqg}/{dqm} (GSD {g:.3f})"
            if l0 is None:
                out.append((fid, dist, source))
                continue
            # a loss fraction: the pedigree lognormal is cut just below a loss of 1 (never reached in practice)
            cut = rng.hi * (1.0 - FLOOR) if rng.hi_open else None
        elif kind == "none" or v == 0:
            out.append((fid, Distribution("none"), "factor table"))
            continue
        elif kind == "lognormal" and gsd is not None:
            dist = Distribution("lognormal", gsd=gsd)
        elif kind == "normal" and sd is not None:
            dist = Distribution("normal", rel_sd=sd / v)
        elif kind in ("triangular", "uniform") and lo is not None and hi is not None:
            if not (lo <= hi and (kind == "uniform" or lo <= v <= hi)) or lo < 0:
                problems.append(problem(f"{kind} range {lo:g}-{hi:g} does not contain its value {v:g} (or is "
                                        "negative)", "unc_min", "fix unc_min/unc_max"))
                continue
            dist = Distribution(kind, low=lo / v, mode=1.0, high=hi / v)
        else:
            need = {"lognormal": "unc_gsd", "normal": "unc_sd"}.get(kind, "unc_min and unc_max")
            problems.append(problem(f"unc_dist {kind} needs {need}", "unc_dist", f"fill in {need}"))
            continue
        try:  # unc_min/unc_max on a normal or lognormal are its truncation points
            trunc = kind in ("normal", "lognormal")
            dist = confine(dist, rng, fmt, tmin=lo / v if trunc and lo is not None else None,
                           tmax=hi / v if trunc and hi is not None else cut)
            if l0 is not None:
                check_loss_spread(dist, l0, fmt)
        except OutOfRange as exc:
            problems.append(problem(exc.message, {"min": "unc_min", "max": "unc_max", "sd": "unc_sd",
                                                  "gsd": "unc_gsd"}.get(exc.key, exc.key), exc.hint))
            continue
        out.append((fid, dist, source))
    if problems:
        raise FactorError(problems)
    return out
