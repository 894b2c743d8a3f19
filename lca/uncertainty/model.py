"""Compile a footprint into arrays once, so Monte Carlo, tornado and break-even are numpy algebra.

Every row of ``fp.detail`` is already linear: ``value = amount × a_to_base × factor_value ×
f_to_base × gwp``. With each uncertain input ``p`` drawn as a multiplier ``m_p`` (1 = the
deterministic value) a row becomes ``value_r · Π_p m_p ** E[p, r]``:

* factor inputs: ``E = 1`` on every row using that factor id, in every scenario (one shared draw
  per factor id = correlation by sharing, and common random numbers across scenarios);
* study inputs (``[[uncertainty]]`` entries): ``E`` found by rebuilding the inventory with the
  target changed (``+1`` for amounts and distances, ``-1`` for yields, …); supply mixes reuse the
  rows' origins, so a mix moves with its components;
* view inputs (m² per kWh, …): ``E = e`` on every row, for the views they matter in;
* grid-loss factors (``td_losses = "included"``): a row grossed up by a loss carries
  ``value / (1 − L)``, not a power law in ``L``, so the input is transformed: ``L`` is drawn (in
  [0, 1)) and its column holds ``(1 − L0) / (1 − L)`` with ``E = 1`` on the rows it grossed up
  (:mod:`lca.uncertainty.losses`).

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

from lca.errors import FactorError, Problem
from lca.engine.inventory import build_inventory
from lca.results import STAGE_ORDER
from lca.uncertainty.distributions import (FLOOR, Distribution, OutOfRange, Range, check_divisor, confine,
                                           pedigree_gsd)
from lca.uncertainty.losses import check_loss_spread, loss_factors, loss_multiplier, loss_range, loss_rows
from lca.uncertainty.spec import parse_spec, value_text
from lca.uncertainty.targets import VIEW_TARGETS, Target, perturbed


#: Where problems with factors of the shipped library point (their rows carry no file name).
SHIPPED_FILE = "factors/ (the shipped factor library)"
#: Emission factors are never negative in this engine (credits are modelled as flows, not factors).
FACTOR_RANGE = Range(0.0, float("inf"), False, "an emission factor cannot be negative")


@dataclass(frozen=True)
class Input:
    """One uncertain input: one column of the draw matrix."""

    name: str
    kind: str                 # factor | grid loss | activity | view
    dist: Distribution
    unit: str | None          # unit of ``current`` (None: the input has several values)
    current: float | None
    source: str               # where the distribution comes from
    loss: float | None = None  # a grid-loss fraction L0: rows scale by (1 − L0) / (1 − L0·m), not m

    def row_multiplier(self, m: np.ndarray) -> np.ndarray:
        """What the rows of this input are multiplied by (to the power ``E``) for draws ``m``."""
        return m if self.loss is None else loss_multiplier(self.loss, m)

    @property
    def row_support(self) -> tuple[float, float]:
        """Smallest and largest row multiplier (the multiplier is increasing in ``m``)."""
        lo, hi = self.dist.support
        return (lo, hi) if self.loss is None else (float(self.row_multiplier(lo)), float(self.row_multiplier(hi)))


@dataclass(frozen=True)
class CompiledModel:
    """The footprint as arrays: contributions, groups and the input-to-row exponent matrix."""

    scenarios: list[str]
    stages: list[str]
    unit: str
    contrib: np.ndarray       # (rows,) value per row in the chosen view's unit
    group: np.ndarray         # (rows,) index of scenario × stage
    scenario_of: np.ndarray   # (rows,) scenario index
    exponents: np.ndarray     # (inputs, rows)
    inputs: list[Input]

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
        """Distinct exponent columns (patterns × inputs) and the (patterns, groups) contribution matrix.

        Rows that depend on the inputs in the same way (a mix row and its component's row; two sites'
        rows using one factor) share a column, so the Monte Carlo works on ~patterns, not rows.
        """
        pats, inverse = np.unique(self.exponents.T, axis=0, return_inverse=True)
        w = np.zeros((pats.shape[0], self.n_groups))
        np.add.at(w, (inverse.ravel(), self.group), self.contrib)
        return pats, w

    def group_totals(self, m: np.ndarray, pats: np.ndarray, w: np.ndarray) -> np.ndarray:
        """(iterations, scenario × stage) totals for draws ``m``, given :meth:`patterns`."""
        losses = [p for p, i in enumerate(self.inputs) if i.loss is not None]
        if losses:  # transformed inputs: their columns become row multipliers
            m = m.copy()
            for p in losses:
                m[:, p] = self.inputs[p].row_multiplier(m[:, p])
        with np.errstate(divide="ignore"):
            logm = np.log(np.maximum(m, 1e-300))
        return np.exp(logm @ pats.T) @ w

    def affects(self) -> np.ndarray:
        """(inputs, scenarios) True where an input changes a scenario's total."""
        hit = np.zeros((len(self.inputs), len(self.scenarios)), dtype=bool)
        ps, rs = np.nonzero(self.exponents)
        hit[ps, self.scenario_of[rs]] = True
        return hit


def compile_model(fp, *, per: str = "declared_unit", uncertainty=None) -> CompiledModel:
    """Compile ``fp`` for the view ``per``; ``uncertainty`` overrides ``fp.study.uncertainty_spec``."""
    d = fp.detail
    scale, unit = fp.scale(per)
    scenarios = list(fp.scenarios)
    present = d.get_column("stage").unique().to_list()
    stages = [s for s in STAGE_ORDER if s in present] + sorted(s for s in present if s not in STAGE_ORDER)
    s_idx = d.get_column("scenario").replace_strict({s: i for i, s in enumerate(scenarios)},
                                                     return_dtype=pl.Int64).to_numpy()
    g_idx = d.get_column("stage").replace_strict({s: i for i, s in enumerate(stages)},
                                                  return_dtype=pl.Int64).to_numpy()
    contrib = d.get_column("value").to_numpy() * scale

    factors = (d.select("factor_id", "factor_value", "factor_unit").unique("factor_id").sort("factor_id"))
    fvals = {fid: (v, u) for fid, v, u in factors.iter_rows()}
    losses = loss_factors(fp)
    lvals = dict(losses.select("factor_id", "fraction").iter_rows())
    specs = parse_spec(fp.study, uncertainty, factor_values=fvals, loss_values=lvals)
    overridden = {t.key[0]: s for s in specs for t in s.targets if t.kind in ("factor", "loss")}

    inputs: list[Input] = []
    rows_e: list[np.ndarray] = []
    fid_col = d.get_column("factor_id")
    for fid, dist, source in _factor_distributions(d):
        if fid in overridden:
            continue
        v, u = fvals[fid]
        inputs.append(Input(f"factor {fid}", "factor", dist, u, v, source))
        rows_e.append((fid_col == fid).to_numpy().astype(float))
    for fid, dist, source in _factor_distributions(losses, lvals):
        if fid in overridden:
            continue
        inputs.append(Input(f"factor {fid}", "grid loss", dist, "dimensionless", lvals[fid], source,
                            loss=lvals[fid]))
        rows_e.append(loss_rows(d, fid))
    for spec in specs:
        e = np.zeros(d.height)
        kind = "activity"
        for t in spec.targets:
            e += _target_exponents(fp, t, per)
            kind = {"view": "view", "factor": "factor", "loss": "grid loss"}.get(t.kind, kind)
        loss = spec.current if spec.targets[0].kind == "loss" else None  # a loss target is alone in its entry
        inputs.append(Input(spec.name, kind, spec.dist, spec.unit, spec.current,
                            "study [[uncertainty]]" + (f": {spec.note}" if spec.note else ""), loss=loss))
        rows_e.append(e)
    exponents = np.vstack(rows_e) if rows_e else np.zeros((0, d.height))
    _check_divisors(fp, specs, inputs, exponents, uncertainty is not None)
    return CompiledModel(scenarios=scenarios, stages=stages, unit=unit, contrib=contrib, group=s_idx * len(stages)
                         + g_idx, scenario_of=s_idx, exponents=exponents, inputs=inputs)


def _check_divisors(fp, specs, inputs: list, exponents: np.ndarray, from_argument: bool) -> None:
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
        if inp.dist.is_constant or not (exponents[p] < 0).any():
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


def _target_exponents(fp, target: Target, per: str) -> np.ndarray:
    """Exponent of each detail row's dependence on a target (row ∝ target ** e)."""
    d = fp.detail
    if target.kind == "factor":
        return (d.get_column("factor_id") == target.key[0]).to_numpy().astype(float)
    if target.kind == "loss":
        return loss_rows(d, target.key[0])
    if target.kind == "grid":
        hit = (d.get_column("flow") == "electricity") & (d.get_column("site") == target.key[0])
        return hit.to_numpy().astype(float)
    if target.kind == "view":
        return np.full(d.height, float(VIEW_TARGETS[target.key[0]].get(per, 0)))
    return activity_exponents(fp, target)


def activity_exponents(fp, target: Target) -> np.ndarray:
    """Rebuild the inventory with the target doubled (halved for yields) and read off ``e`` per row."""
    ratio = 0.5 if target.kind == "yield" else 2.0
    base = build_inventory(fp.study).select("act", pl.col("amount").alias("a0"))
    new = build_inventory(perturbed(fp.study, target, ratio)).select("act", pl.col("amount").alias("a1"))
    e = (base.join(new, on="act", how="left")
         .select("act", pl.when(pl.col("a0") > 0).then((pl.col("a1") / pl.col("a0")).log() / np.log(ratio))
                 .otherwise(0.0).alias("e")))
    out = fp.detail.select("act").join(e, on="act", how="left").get_column("e").fill_null(0.0).to_numpy()
    return np.round(out, 12) + 0.0  # exact 1/-1 where the dependence is a clean power law
