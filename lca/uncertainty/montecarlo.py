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
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
import polars as pl

from lca.choices import DEFAULT_ITERATIONS, DEFAULT_SEED
from lca.errors import LcaInputError, Problem
from lca.uncertainty.breakeven import break_even_many
from lca.uncertainty.checks import AT_ONCE, check_draws, check_memory, envelope, memory_needed
from lca.uncertainty.model import CompiledModel, compile_model
from lca.uncertainty.schemas import DifferenceFrame, SensitivityFrame, SummaryFrame, TornadoFrame, checked
from lca.uncertainty.sensitivity import sensitivity_frame, tornado_frame

QUANTILES = (0.025, 0.5, 0.975)
#: Iterations drawn and simulated at once (bounds the draws' memory; results do not depend on it).
CHUNK = 20_000


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
    sensitivity_draws: int = 20_000

    def settings(self) -> dict[str, Any]:
        """Everything of this run that its numbers depend on beyond the footprint: iterations, seed, view,
        compared pair, draws ranked for sensitivity, break-even parameters and the SHA-256 of the
        uncertain inputs' distributions (the study's ``[[uncertainty]]`` entries or their replacement). A
        reproducibility manifest carries it, so its hash changes with any of them."""
        import hashlib

        from lca.results.content import canonical_frame

        return {"iterations": self.iterations, "seed": self.seed, "per": self.per,
                "comparison": list(self.comparison) if self.comparison else None,
                "sensitivity_draws": min(self.iterations, self.sensitivity_draws),
                "breakeven_parameters": sorted(set(self.breakeven.get_column("parameter").to_list())),
                "inputs": hashlib.sha256(canonical_frame(self.inputs, drop=())).hexdigest()}

    def prob_b_lower(self, a: str, b: str) -> float:
        """Share of draws in which scenario ``b``'s total is below ``a``'s."""
        row = self.differences.filter((pl.col("scenario_a") == a) & (pl.col("scenario_b") == b))
        if row.height == 0:
            raise LcaInputError(Problem(f"no difference computed for '{b}' vs '{a}'"))
        return float(row.get_column("prob_b_lower")[0])

    def description(self) -> str:
        """One paragraph for reports and exports: what was varied and how."""
        n_f = self.inputs.filter(pl.col("kind") == "factor").height
        n_l = self.inputs.filter(pl.col("kind") == "grid loss").height
        n_a = self.inputs.height - n_f - n_l
        losses = (f"; {n_l} grid-loss fractions L vary the same way, the electricity they gross up scaling as "
                  f"1/(1 − L)" if n_l else "")
        return (f"Monte Carlo with {self.iterations:,} iterations (numpy default_rng, seed {self.seed}), "
                f"common random numbers across scenarios. {n_f} emission factors vary by the factor library's "
                f"distributions (pedigree defaults where only data-quality ratings exist), one draw per factor "
                f"shared wherever it is used{losses}; {n_a} study inputs vary by the study's [[uncertainty]] entries. "
                f"Statistics: mean, median and the 2.5-97.5 % interval; sensitivity as squared Spearman rank "
                f"correlation; tornado swings one input at a time between its 2.5th and 97.5th percentiles.")


def draw_chunks(model: CompiledModel, iterations: int, seed: int,
                chunk: int = CHUNK) -> Iterator[tuple[int, np.ndarray]]:
    """``(first iteration, multipliers)`` for consecutive chunks of the (iterations, inputs) draw
    matrix; the same seed always gives the same matrix, whatever the chunk size.

    The matrix is defined as one generator drawing every standard normal first (iterations ×
    normal inputs, row by row), then every uniform. To produce it chunk by chunk, a second
    generator skips the normals once (drawn and discarded, chunk by chunk) and then yields the
    uniforms, so no more than one chunk of draws is held at a time.
    """
    normal = [p for p, i in enumerate(model.inputs) if i.dist.uses_normal]
    other = [p for p, i in enumerate(model.inputs) if not i.dist.uses_normal]
    rng_z, rng_u = np.random.default_rng(seed), np.random.default_rng(seed)
    z_all = None
    if normal and other:
        if iterations * len(normal) <= AT_ONCE:  # small enough: draw the normals once, keep them
            z_all = rng_z.standard_normal((iterations, len(normal)))
            rng_u = rng_z
        else:
            for start in range(0, iterations, chunk):
                rng_u.standard_normal((min(chunk, iterations - start), len(normal)))
    for start in range(0, iterations, chunk):
        n = min(chunk, iterations - start)
        z = z_all[start:start + n] if z_all is not None else rng_z.standard_normal((n, len(normal)))
        u = rng_u.random((n, len(other)))
        m = np.empty((n, len(model.inputs)), order="F")  # columns contiguous: each input is one vector
        for j, p in enumerate(normal):
            m[:, p] = model.inputs[p].dist.transform(z[:, j], z[:, j])
        for j, p in enumerate(other):
            m[:, p] = model.inputs[p].dist.transform(u[:, j], u[:, j])
        yield start, m


def draw_multipliers(model: CompiledModel, iterations: int, seed: int) -> np.ndarray:
    """(iterations, inputs) multipliers; the same seed always gives the same matrix."""
    parts = [m for _start, m in draw_chunks(model, iterations, seed)]
    return np.vstack(parts) if parts else np.empty((0, len(model.inputs)))


def simulate(model: CompiledModel, m: np.ndarray, *, chunk: int = 20_000,
             progress: Callable[[int], None] | None = None) -> np.ndarray:
    """(iterations, scenario × stage) totals, in chunks of iterations to bound memory."""
    out = np.empty((m.shape[0], model.n_groups))
    for start in range(0, m.shape[0], chunk):
        stop = min(start + chunk, m.shape[0])
        out[start:stop] = model.group_totals(m[start:stop])
        if progress is not None:
            progress(stop - start)
    return out


def run_uncertainty(fp, iterations: int = DEFAULT_ITERATIONS, seed: int = DEFAULT_SEED, *, per: str = "declared_unit",
                    compare: Sequence[str] | None = None, uncertainty: Sequence[Mapping[str, Any]] | None = None,
                    breakeven_parameters: Sequence[str] | None = None, sensitivity_draws: int = 20_000,
                    progress: Callable[[int], None] | None = None,
                    max_memory: str | int | None = None) -> UncertaintyResult:
    """Propagate factor and study uncertainties through every scenario of ``fp``.

    ``compare`` (A, B) picks the pair for break-even and the headline difference (default: the
    study's comparison); ``uncertainty`` replaces the study's ``[[uncertainty]]`` entries;
    ``sensitivity_draws`` caps the draws used for rank correlations (ranking 1e5 draws adds time
    but no information); ``progress`` is called with the number of iterations done per chunk.
    ``max_memory`` (bytes, or text such as ``"8 GiB"``; default ``LCA_MAX_MEMORY`` or 2 GiB) caps
    the memory the run may allocate: it is estimated from the arrays' shapes before anything is
    allocated (:mod:`lca.uncertainty.checks`), and a larger run is refused saying how to raise it.
    Every draw's totals are checked finite and inside the range the inputs' supports allow.
    """
    if not isinstance(iterations, int) or isinstance(iterations, bool) or iterations < 1:
        raise LcaInputError(Problem(f"iterations must be a whole number >= 1, got {iterations!r}"))
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise LcaInputError(Problem(f"seed must be a whole number >= 0, got {seed!r}"))
    model = compile_model(fp, per=per, uncertainty=uncertainty)
    scen = model.scenarios
    pair = tuple(compare) if compare else fp.study.comparison
    if pair is not None:
        if len(pair) != 2:
            raise LcaInputError(Problem("compare needs exactly two scenario ids"))
        if pair[0] == pair[1]:
            raise LcaInputError(Problem(f"compare: scenario '{pair[0]}' is compared with itself",
                                        hint="give two different scenario ids"))
        for s in pair:
            fp._check_scenario(s)
    pats, w = model.patterns()
    n_s, n_g, n_in = len(scen), len(model.stages), len(model.inputs)
    n_sens = min(iterations, sensitivity_draws)
    check_memory(memory_needed(n_in, n_s, model.n_groups, pats.shape[0], iterations, chunk=CHUNK,
                               sensitivity_draws=sensitivity_draws), iterations, max_memory)
    lower, upper = envelope(model)
    try:
        # stage totals, then scenario totals, of every draw in one C-ordered array: the statistics
        # run over it a few columns at a time, never over a stacked copy
        allx = np.empty((iterations, model.n_groups + n_s), order="F")  # one contiguous column per total
        m = np.empty((n_sens, n_in), order="F")  # the draws kept for rank correlations
        for start, chunk in draw_chunks(model, iterations, seed):
            g = model.group_totals(chunk, pats, w)
            check_draws(model, g, lower, upper)
            allx[start:start + g.shape[0], :model.n_groups] = g
            if start < n_sens:
                m[start:start + g.shape[0]] = chunk[:n_sens - start]
            if progress is not None:
                progress(g.shape[0])
        totals = allx[:, model.n_groups:]
        for i in range(n_s):  # stage by stage, in place: no temporary of the draw matrix's size
            np.copyto(totals[:, i], allx[:, i * n_g])
            for g in range(1, n_g):
                totals[:, i] += allx[:, i * n_g + g]
        summary = _summary(model, allx)
        differences = _differences(model, totals)
        draws_total = {s: totals[:, i].copy() for i, s in enumerate(scen)}
    except MemoryError:
        raise LcaInputError(Problem(f"--iterations {iterations:,}: not enough free memory on this machine",
                                    hint="use fewer iterations, or set --max-memory / LCA_MAX_MEMORY below what "
                                         "the machine has so such runs are refused up front")) from None
    base = scen.index(pair[0]) if pair else 0
    pairs = [(base, j) for j in range(n_s) if j != base]
    if pair and (scen.index(pair[0]), scen.index(pair[1])) not in pairs:
        pairs.append((scen.index(pair[0]), scen.index(pair[1])))
    sensitivity = checked(sensitivity_frame(model, m, totals[:n_sens], pairs), SensitivityFrame,
                          "sensitivity")
    tornado = checked(tornado_frame(model), TornadoFrame, "tornado")
    if pair:
        params = list(breakeven_parameters) if breakeven_parameters is not None else default_breakeven(fp, model, pair)
        breakeven = break_even_many(fp, pair[0], pair[1], params, per=per)
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
                             draws_total=draws_total, inputs=inputs,
                             unit=model.unit, per=per, comparison=pair, method=fp.method,
                             sensitivity_draws=sensitivity_draws)


def default_breakeven(fp, model: CompiledModel, pair: Sequence[str]) -> list[str]:
    """Grid rate at every site with electricity in either scenario, plus every study input."""
    d = fp.detail.filter(pl.col("scenario").is_in(list(pair)) & (pl.col("flow") == "electricity"))
    sites = d.get_column("site").unique().sort().to_list()
    study_inputs = [i.name.split(" + ")[0] for i in model.inputs if i.kind == "activity"]
    return [f"grid.{s}" for s in sites] + study_inputs


def _stats(n: int, column: Callable[[int], np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean, median, 2.5th and 97.5th percentile of ``n`` columns, ``column(j)`` giving column j
    (contiguous): one at a time, so a percentile partitions a copy of one column, never of the
    whole draw matrix. Percentiles are numpy's default (linear interpolation between order
    statistics); the results do not depend on how the draws were chunked."""
    mean, q = np.empty(n), np.empty((3, n))
    for j in range(n):
        x = column(j)
        mean[j], q[:, j] = x.mean(), _quantiles(x)
    return mean, q[1], q[0], q[2]


def _quantiles(x: np.ndarray) -> np.ndarray:
    """:data:`QUANTILES` of ``x`` as ``np.quantile`` computes them, from one partition of a copy."""
    pos = (x.size - 1) * np.asarray(QUANTILES)
    lo = np.floor(pos).astype(np.int64)
    y = np.partition(x, lo)  # y[lo[i]] in place, everything between lo[i] and lo[i + 1] in between
    ends = np.append(lo[1:], x.size)
    a = y[lo]
    b = np.array([y[k + 1:e].min() if k + 1 < e else y[k] for k, e in zip(lo, ends)])  # the next order statistic
    t = pos - lo
    return np.where(t < 0.5, a + t * (b - a), b - (b - a) * (1 - t))


def _summary(model: CompiledModel, allx: np.ndarray) -> pl.DataFrame:
    """Per scenario: each stage it has (study stage order), then ``total``; ``allx`` holds the
    stage totals then the scenario totals of every draw."""
    n_s, n_g = len(model.scenarios), len(model.stages)
    present = set(np.unique(model.group).tolist())
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
    mean, med, lo, hi = _stats(idx.size, lambda j: allx[:, idx[j]])  # the groups a scenario has only
    df = pl.DataFrame({"scenario": sid, "stage": stage, "mean": mean, "median": med, "p2_5": lo,
                       "p97_5": hi, "unit": [model.unit] * idx.size})
    return checked(df, SummaryFrame, "summary")


def _differences(model: CompiledModel, totals: np.ndarray) -> pl.DataFrame:
    """Every ordered pair; ``b − a`` for a < b is computed, the reverse pair is its mirror image."""
    n = len(model.scenarios)
    ia, ib = np.triu_indices(n, k=1)
    lower, higher = np.empty(ia.size), np.empty(ia.size)

    def column(j: int) -> np.ndarray:  # one difference at a time, never all of them at once
        d = totals[:, ib[j]] - totals[:, ia[j]]
        lower[j], higher[j] = np.count_nonzero(d < 0) / d.size, np.count_nonzero(d > 0) / d.size
        return d

    mean, med, lo, hi = _stats(ia.size, column)
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
