"""Sensitivity: squared Spearman rank correlations and one-at-a-time (tornado) swings.

>>> import numpy as np
>>> x = np.arange(100.0)[:, None]
>>> spearman_r2(x, 3 * x[:, 0] + 1).round(6).tolist()
[1.0]
"""

from __future__ import annotations

import numpy as np
import polars as pl

from lca.uncertainty.model import CompiledModel


def _ranks(a: np.ndarray) -> np.ndarray:
    """Column-wise ranks (0..n-1); ties are broken by position, fine for continuous draws."""
    order = np.argsort(a, axis=0, kind="stable")
    r = np.empty_like(order, dtype=float)
    np.put_along_axis(r, order, np.arange(a.shape[0], dtype=float)[:, None], axis=0)
    return r


def _standardise(r: np.ndarray) -> np.ndarray:
    r = r - r.mean(axis=0)
    sd = np.sqrt((r * r).mean(axis=0))
    return np.divide(r, sd, out=np.zeros_like(r), where=sd > 0)


def spearman_r2(inputs: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Squared Spearman correlation of each column of ``inputs`` (n, k) with ``target`` (n,)."""
    ri = _standardise(_ranks(inputs))
    rt = _standardise(_ranks(target[:, None]))[:, 0]
    rho = ri.T @ rt / inputs.shape[0]
    return np.clip(rho * rho, 0.0, 1.0)


def sensitivity_frame(model: CompiledModel, draws: np.ndarray, totals: np.ndarray,
                      pairs: list[tuple[int, int]]) -> pl.DataFrame:
    """Rank inputs by r² for every scenario total and for each difference ``b − a`` in ``pairs``.

    Only inputs with uncertainty that touch the target are listed.
    """
    varying = np.array([not i.dist.is_constant for i in model.inputs], dtype=bool)
    hit = model.affects()
    targets, names, masks = [], [], []
    for s, sid in enumerate(model.scenarios):
        targets.append(totals[:, s])
        names.append(sid)
        masks.append(hit[:, s] & varying)
    for a, b in pairs:
        targets.append(totals[:, b] - totals[:, a])
        names.append(f"{model.scenarios[b]} vs {model.scenarios[a]}")
        masks.append((hit[:, a] | hit[:, b]) & varying)
    rows_t, rows_i, rows_r = [], [], []
    if varying.any():
        ri = _standardise(_ranks(draws[:, varying]))
        cols = np.flatnonzero(varying)
        rt = _standardise(_ranks(np.column_stack(targets)))
        rho = ri.T @ rt / draws.shape[0]          # (varying inputs, targets)
        r2 = np.clip(rho * rho, 0.0, 1.0)
        for t, name in enumerate(names):
            keep = masks[t][cols]
            order = np.argsort(-r2[keep, t], kind="stable")
            idx = cols[keep][order]
            rows_t += [name] * idx.size
            rows_i += [model.inputs[p].name for p in idx]
            rows_r += r2[keep, t][order].tolist()
    return pl.DataFrame({"target": rows_t, "input": rows_i, "spearman_r2": rows_r},
                        schema={"target": pl.String, "input": pl.String, "spearman_r2": pl.Float64})


def tornado_frame(model: CompiledModel) -> pl.DataFrame:
    """Each scenario total with one input at a time at its 2.5th / 97.5th percentile, others at 1.

    ``total(m) = base + Σ_r c_r (m ** E[p, r] − 1)`` for every input at once: two small matrix products.
    """
    varying = [p for p, i in enumerate(model.inputs) if not i.dist.is_constant]
    w = model.scenario_matrix()
    base = model.deterministic_totals()
    if not varying:
        return pl.DataFrame(schema={"scenario": pl.String, "input": pl.String, "low": pl.Float64,
                                    "high": pl.Float64, "base": pl.Float64, "unit": pl.String})
    e = model.exponents[varying]
    q = np.array([[float(model.inputs[p].row_multiplier(model.inputs[p].dist.ppf(c))) for c in (0.025, 0.975)]
                  for p in varying])  # grid losses: the rows' multiplier at the loss's percentiles
    with np.errstate(divide="ignore"):
        lo = (np.where(e != 0, q[:, :1] ** e, 1.0) - 1.0) @ w + base
        hi = (np.where(e != 0, q[:, 1:] ** e, 1.0) - 1.0) @ w + base
    hit = model.affects()[varying]
    frames = []
    for s, sid in enumerate(model.scenarios):
        keep = np.flatnonzero(hit[:, s])
        swing = np.abs(hi[keep, s] - lo[keep, s])
        keep = keep[np.argsort(-swing, kind="stable")]
        frames.append(pl.DataFrame({
            "scenario": [sid] * keep.size, "input": [model.inputs[varying[k]].name for k in keep],
            "low": lo[keep, s], "high": hi[keep, s], "base": np.full(keep.size, base[s]),
            "unit": [model.unit] * keep.size},
            schema={"scenario": pl.String, "input": pl.String, "low": pl.Float64, "high": pl.Float64,
                    "base": pl.Float64, "unit": pl.String}))
    return pl.concat(frames)
