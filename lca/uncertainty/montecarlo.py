"""Monte Carlo over the compiled footprint, with common random numbers across scenarios.

One draw matrix ``M`` (iterations × inputs) is shared by every scenario: the same factor or
exchange gets the same multiplier in each scenario of an iteration, so differences between
scenarios carry only the uncertainty that really differs between them.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> r = run_uncertainty(fp, iterations=2000, seed=1)
>>> r.summary.columns
['scenario', 'stage', 'mean', 'median', 'p2_5', 'p97_5', 'unit']
>>> 0.0 <= r.prob_b_lower("jp-import", "charlotte-coated") <= 1.0
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import polars as pl

from lca.errors import LcaInputError, Problem
from lca.uncertainty.breakeven import break_even_many
from lca.uncertainty.model import CompiledModel, compile_model
from lca.uncertainty.schemas import DifferenceFrame, SensitivityFrame, SummaryFrame, TornadoFrame, checked
from lca.uncertainty.sensitivity import sensitivity_frame, tornado_frame

DEFAULT_SEED = 20250101
QUANTILES = (0.025, 0.5, 0.975)


@dataclass(frozen=True)
class UncertaintyResult:
    """Monte Carlo statistics as polars frames (each with a ``unit`` column) plus the raw totals."""

    summary: pl.DataFrame
    differences: pl.DataFrame
    sensitivity: pl.DataFrame
    tornado: pl.DataFrame
    breakeven: pl.DataFrame
    iterations: int
    seed: int
    draws_total: dict[str, np.ndarray]
    inputs: pl.DataFrame
    unit: str
    per: str
    comparison: tuple[str, str] | None = None
    method: Mapping[str, Any] = field(default_factory=dict)

    def prob_b_lower(self, a: str, b: str) -> float:
        """Share of draws in which scenario ``b``'s total is below ``a``'s."""
        row = self.differences.filter((pl.col("scenario_a") == a) & (pl.col("scenario_b") == b))
        if row.height == 0:
            raise LcaInputError(Problem(f"no difference computed for '{b}' vs '{a}'"))
        return float(row.get_column("prob_b_lower")[0])

    def description(self) -> str:
        """One paragraph for reports and exports: what was varied and how."""
        n_f = self.inputs.filter(pl.col("kind") == "factor").height
        n_a = self.inputs.height - n_f
        return (f"Monte Carlo with {self.iterations:,} iterations (numpy default_rng, seed {self.seed}), "
                f"common random numbers across scenarios. {n_f} emission factors vary by the factor library's "
                f"distributions (pedigree defaults where only data-quality ratings exist), one draw per factor "
                f"shared wherever it is used; {n_a} study inputs vary by the study's [[uncertainty]] entries. "
                f"Statistics: mean, median and the 2.5-97.5 % interval; sensitivity as squared Spearman rank "
                f"correlation; tornado swings one input at a time between its 2.5th and 97.5th percentiles.")


def draw_multipliers(model: CompiledModel, iterations: int, seed: int) -> np.ndarray:
    """(iterations, inputs) multipliers; the same seed always gives the same matrix."""
    rng = np.random.default_rng(seed)
    normal = [p for p, i in enumerate(model.inputs) if i.dist.uses_normal]
    other = [p for p, i in enumerate(model.inputs) if not i.dist.uses_normal]
    z = rng.standard_normal((iterations, len(normal)))
    u = rng.random((iterations, len(other)))
    m = np.empty((iterations, len(model.inputs)))
    for j, p in enumerate(normal):
        m[:, p] = model.inputs[p].dist.transform(z[:, j], z[:, j])
    for j, p in enumerate(other):
        m[:, p] = model.inputs[p].dist.transform(u[:, j], u[:, j])
    return m


def simulate(model: CompiledModel, m: np.ndarray, *, chunk: int = 20_000,
             progress: Callable[[int], None] | None = None) -> np.ndarray:
    """(iterations, scenario × stage) totals, in chunks of iterations to bound memory."""
    pats, w = model.patterns()
    out = np.empty((m.shape[0], model.n_groups))
    for start in range(0, m.shape[0], chunk):
        stop = min(start + chunk, m.shape[0])
        out[start:stop] = model.group_totals(m[start:stop], pats, w)
        if progress is not None:
            progress(stop - start)
    return out


def run_uncertainty(fp, iterations: int = 10_000, seed: int = DEFAULT_SEED, *, per: str = "declared_unit",
                    compare: Sequence[str] | None = None, uncertainty: Sequence[Mapping[str, Any]] | None = None,
                    breakeven_parameters: Sequence[str] | None = None, sensitivity_draws: int = 20_000,
                    progress: Callable[[int], None] | None = None) -> UncertaintyResult:
    """Propagate factor and study uncertainties through every scenario of ``fp``.

    ``compare`` (A, B) picks the pair for break-even and the headline difference (default: the
    study's comparison); ``uncertainty`` replaces the study's ``[[uncertainty]]`` entries;
    ``sensitivity_draws`` caps the draws used for rank correlations (ranking 1e5 draws adds time
    but no information); ``progress`` is called with the number of iterations done per chunk.
    """
    if not isinstance(iterations, int) or iterations < 1:
        raise LcaInputError(Problem(f"iterations must be a whole number >= 1, got {iterations!r}"))
    model = compile_model(fp, per=per, uncertainty=uncertainty)
    scen = model.scenarios
    pair = tuple(compare) if compare else fp.study.comparison
    if pair is not None:
        if len(pair) != 2:
            raise LcaInputError(Problem("compare needs exactly two scenario ids"))
        for s in pair:
            fp._check_scenario(s)
    m = draw_multipliers(model, iterations, seed)
    groups = simulate(model, m, progress=progress)
    n_s, n_g = len(scen), len(model.stages)
    totals = groups.reshape(iterations, n_s, n_g).sum(axis=2)

    summary = _summary(model, groups, totals)
    differences = _differences(model, totals)
    base = scen.index(pair[0]) if pair else 0
    pairs = [(base, j) for j in range(n_s) if j != base]
    if pair and (scen.index(pair[0]), scen.index(pair[1])) not in pairs:
        pairs.append((scen.index(pair[0]), scen.index(pair[1])))
    n_sens = min(iterations, sensitivity_draws)
    sensitivity = checked(sensitivity_frame(model, m[:n_sens], totals[:n_sens], pairs), SensitivityFrame,
                          "sensitivity")
    tornado = checked(tornado_frame(model), TornadoFrame, "tornado")
    if pair:
        params = list(breakeven_parameters) if breakeven_parameters is not None else default_breakeven(fp, model, pair)
        known = {i.name: model.exponents[p] for p, i in enumerate(model.inputs) if i.kind == "activity"}
        breakeven = break_even_many(fp, pair[0], pair[1], params, per=per, known=known)
    else:
        breakeven = break_even_many(fp, scen[0], scen[0], [], per=per)
    inputs = pl.DataFrame({
        "input": [i.name for i in model.inputs], "kind": [i.kind for i in model.inputs],
        "distribution": [i.dist.describe() for i in model.inputs],
        "p2_5": [float(i.dist.ppf(0.025)) * (i.current or 1.0) for i in model.inputs],
        "current": [i.current if i.current is not None else 1.0 for i in model.inputs],
        "p97_5": [float(i.dist.ppf(0.975)) * (i.current or 1.0) for i in model.inputs],
        "unit": [i.unit if i.unit is not None else "× study value" for i in model.inputs],
        "source": [i.source for i in model.inputs]},
        schema={"input": pl.String, "kind": pl.String, "distribution": pl.String, "p2_5": pl.Float64,
                "current": pl.Float64, "p97_5": pl.Float64, "unit": pl.String, "source": pl.String})
    return UncertaintyResult(summary=summary, differences=differences, sensitivity=sensitivity, tornado=tornado,
                             breakeven=breakeven, iterations=iterations, seed=seed,
                             draws_total={s: totals[:, i].copy() for i, s in enumerate(scen)}, inputs=inputs,
                             unit=model.unit, per=per, comparison=pair, method=fp.method)


def default_breakeven(fp, model: CompiledModel, pair: Sequence[str]) -> list[str]:
    """Grid rate at every site with electricity in either scenario, plus every study input."""
    d = fp.detail.filter(pl.col("scenario").is_in(list(pair)) & (pl.col("flow") == "electricity"))
    sites = d.get_column("site").unique().sort().to_list()
    study_inputs = [i.name.split(" + ")[0] for i in model.inputs if i.kind == "activity"]
    return [f"grid.{s}" for s in sites] + study_inputs


def _stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    q = np.quantile(x, QUANTILES, axis=0)
    return x.mean(axis=0), q[1], q[0], q[2]


def _summary(model: CompiledModel, groups: np.ndarray, totals: np.ndarray) -> pl.DataFrame:
    """Per scenario: each stage it has (study stage order), then ``total``."""
    n_s, n_g = len(model.scenarios), len(model.stages)
    present = set(np.unique(model.group).tolist())
    mean, med, lo, hi = _stats(np.hstack([groups, totals]))
    cols, sid, stage = [], [], []
    for s, name in enumerate(model.scenarios):
        for g, st in enumerate(model.stages):
            if s * n_g + g in present:
                cols.append(s * n_g + g)
                sid.append(name)
                stage.append(st)
        cols.append(n_s * n_g + s)
        sid.append(name)
        stage.append("total")
    idx = np.array(cols)
    df = pl.DataFrame({"scenario": sid, "stage": stage, "mean": mean[idx], "median": med[idx], "p2_5": lo[idx],
                       "p97_5": hi[idx], "unit": [model.unit] * idx.size})
    return checked(df, SummaryFrame, "summary")


def _differences(model: CompiledModel, totals: np.ndarray) -> pl.DataFrame:
    """Every ordered pair; ``b − a`` for a < b is computed, the reverse pair is its mirror image."""
    n = len(model.scenarios)
    ia, ib = np.triu_indices(n, k=1)
    d = totals[:, ib] - totals[:, ia]
    mean, med, lo, hi = _stats(d)
    lower = (d < 0).mean(axis=0)
    higher = (d > 0).mean(axis=0)
    a_ids = np.concatenate([ia, ib])
    b_ids = np.concatenate([ib, ia])
    df = pl.DataFrame({"scenario_a": [model.scenarios[i] for i in a_ids],
                       "scenario_b": [model.scenarios[i] for i in b_ids],
                       "mean": np.concatenate([mean, -mean]), "median": np.concatenate([med, -med]),
                       "p2_5": np.concatenate([lo, -hi]), "p97_5": np.concatenate([hi, -lo]),
                       "prob_b_lower": np.concatenate([lower, higher]), "unit": [model.unit] * a_ids.size},
                      # one scenario: no pairs, and empty lists must still be text columns
                      schema_overrides={"scenario_a": pl.String, "scenario_b": pl.String, "unit": pl.String})
    order = {s: i for i, s in enumerate(model.scenarios)}
    df = df.sort(pl.col("scenario_a").replace_strict(order, return_dtype=pl.Int64),
                 pl.col("scenario_b").replace_strict(order, return_dtype=pl.Int64))
    return checked(df, DifferenceFrame, "differences")
