"""Break-even analysis: the parameter value at which two scenarios have equal totals.

The difference ``d = total(b) − total(a)`` is evaluated exactly by the model's sampler
(:class:`lca.engine.sampler.Sampler`) with the parameter's entries scaled by ``r = x / x0`` (for a
grid-loss fraction, ``r = (1 − L0) / (1 − L)``). When ``d`` is affine in ``r`` (an exchange with a
flow, a distance, a factor) or in ``1 / r`` (a yield), three evaluations give it exactly and the
root is solved in closed form, even outside the physical range (then flagged in ``note``);
otherwise (an intermediate input in a loop, a parameter used non-linearly) the root is bracketed
on a grid of the physical range and refined by bisection.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> be = break_even(fp, "jp-import", "charlotte-coated", "grid.charlotte")
>>> be.select("unit", "note").row(0)
('kg_CO2e/kWh', '')
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import polars as pl

from lca.errors import LcaInputError, Problem
from lca.units import conversion_factor
from lca.uncertainty.losses import loss_multiplier
from lca.uncertainty.schemas import BreakevenFrame, checked
from lca.uncertainty.targets import resolve_target

SCHEMA = {"scenario_a": pl.String, "scenario_b": pl.String, "parameter": pl.String, "current": pl.Float64,
          "breakeven": pl.Float64, "unit": pl.String, "note": pl.String}


def break_even(fp, a: str, b: str, parameter: str, *, per: str = "declared_unit") -> pl.DataFrame:
    """One-row frame: ``parameter``'s current value and the value making ``a`` and ``b`` equal.

    ``parameter`` is a target name (``grid.<site>``, ``factor.<id>``, ``process.<p>.<flow>``,
    ``process.<p>.yield``, ``transport.<mode>.distance``, …; see docs/uncertainty.md).
    ``breakeven`` is null when the parameter cannot make them equal; ``note`` says why.
    """
    return checked(pl.DataFrame([_solve(fp, a, b, parameter, per)], schema=SCHEMA, orient="row"),
                   BreakevenFrame, "breakeven")


def break_even_many(fp, a: str, b: str, parameters: Sequence[str], *, per: str = "declared_unit") -> pl.DataFrame:
    """:func:`break_even` for several parameters in one frame."""
    rows = [_solve(fp, a, b, p, per) for p in parameters]
    return checked(pl.DataFrame(rows, schema=SCHEMA, orient="row"), BreakevenFrame, "breakeven")


def _current(fp, target) -> tuple[float, str]:
    d = fp.detail
    if target.kind == "loss":
        return target.current.value, "dimensionless"
    if target.kind == "factor":
        row = d.filter(pl.col("factor_id") == target.key[0]).select("factor_value", "factor_unit")
        if row.height == 0:
            raise LcaInputError(Problem(f"factor '{target.key[0]}' is not used by this study",
                                        hint="see `lca run --format csv` or fp.lineage for the factors used"))
        return float(row.item(0, 0)), str(row.item(0, 1))
    if target.kind == "grid":
        el = d.filter((pl.col("flow") == "electricity") & (pl.col("site") == target.key[0]))
        if el.height == 0:
            raise LcaInputError(Problem(f"no scenario uses electricity at site '{target.key[0]}'"))
        first = el.filter(pl.col("act") == el.get_column("act").min())
        per_base = (first.get_column("value") / (first.get_column("amount") * first.get_column("a_to_base"))).sum()
        return float(per_base * conversion_factor("kWh", "J")), "kg_CO2e/kWh"
    if target.current is None:
        return 1.0, "× study value"
    return target.current.value, target.current.unit


def _as_loss(fp, target):
    """A ``factor.<id>`` target naming a grid-loss factor the footprint used: kind ``loss``."""
    if target.kind != "factor" or (fp.detail.get_column("factor_id") == target.key[0]).any():
        return target
    from lca.study import Quantity
    from lca.uncertainty.losses import loss_factors

    hit = loss_factors(fp).filter(pl.col("factor_id") == target.key[0])
    if hit.height == 0:
        return target
    return replace(target, kind="loss", current=Quantity(float(hit.get_column("fraction")[0]), "dimensionless"))


def _difference(fp, a: str, b: str, target, x0: float):
    """``d(r)``: (total(a), total(b)) for arrays of ratios ``r`` of the target's value, exactly."""
    from lca.engine.sampler import Sampler, entries, parameter_effects
    from lca.uncertainty.model import engine_of

    model, state = engine_of(fp)
    scen = fp.detail.get_column("scenario")
    group = np.where((scen == a).to_numpy(), 0, np.where((scen == b).to_numpy(), 1, 2))
    value = fp.detail.get_column("value").fill_null(0.0).to_numpy()
    if target.kind == "parameter":
        name = target.key[0]
        effects = [e for e, _r, _k in parameter_effects(model, state, {name: np.array([x0])})]
        sampler = Sampler(model, state, effects, value, group, 3)

        def d(r: np.ndarray) -> np.ndarray:
            got = parameter_effects(model, state, {name: x0 * r})
            return sampler.totals(np.column_stack([ratio for _e, ratio, _k in got]) if got else np.ones((r.size, 0)))
        return d
    kind = "grid" if target.kind == "grid" else target.kind
    sampler = Sampler(model, state, [entries(model, kind, target.key, target.name)], value, group, 3)
    if target.kind == "loss":
        return lambda r: sampler.totals(loss_multiplier(x0, r)[:, None])
    return lambda r: sampler.totals(r[:, None])


def _solve(fp, a: str, b: str, parameter: str, per: str) -> dict[str, object]:
    for s in (a, b):
        fp._check_scenario(s)
    target = _as_loss(fp, resolve_target(fp.study, parameter))
    x0, unit = _current(fp, target)
    row = {"scenario_a": a, "scenario_b": b, "parameter": parameter, "current": x0, "breakeven": None,
           "unit": unit, "note": ""}
    if target.kind == "view":
        row["note"] = "no break-even: this quantity scales both scenarios alike"
        return row
    total = _difference(fp, a, b, target, x0)
    pts = np.array([0.5, 1.0, 2.0]) if target.kind != "loss" else np.array([0.5, 1.0, min(1.5, 0.5 + 0.5 / x0)])
    t = total(pts)
    size = np.abs(t[:, :2]).max() + 1e-300
    if np.all(np.abs(t[:, :2] - t[1, :2]) <= 1e-12 * size):
        row["note"] = "no break-even: the parameter does not affect either scenario"
        return row
    d = t[:, 1] - t[:, 0]
    # the ratio the entries are scaled by: x / x0, or (1 − L0) / (1 − L) for a grid loss
    r = loss_multiplier(x0, pts) if target.kind == "loss" else pts
    for v, inverse in ((r, False), (1.0 / r, True)):
        k = (d[2] - d[0]) / (v[2] - v[0])
        if abs(d[1] - (d[0] + k * (v[1] - v[0]))) > 1e-9 * size:
            continue  # not affine in this variable
        if abs(k) <= 1e-12 * size:
            row["note"] = "no break-even: the parameter changes both scenarios by the same amount"
            return row
        u = v[1] - d[1] / k  # the root, in r (or 1 / r)
        if u <= 0 and (inverse or target.kind == "loss"):
            row["note"] = "no break-even in the physical range"
            return row
        ratio = 1.0 / u if inverse else u
        x = 1.0 - (1.0 - x0) / ratio if target.kind == "loss" else x0 * ratio
        return _flag(row, target, float(x))
    x = _bracket(lambda ratios: np.diff(total(ratios)[:, :2], axis=1)[:, 0], fp, target)
    if x is None:
        row["note"] = "no break-even in the physical range"
        return row
    return _flag(row, target, x0 * x)


def _bracket(d, fp, target) -> float | None:
    """A root of ``d`` (vectorised over ratios) in the target's physical range: grid, then bisection."""
    from lca.uncertainty.targets import physical_range

    rng = physical_range(fp.study, target)
    lo, hi = max(rng.lo, 1e-3), min(rng.hi, 1e3)
    grid = np.geomspace(lo, hi, 513)
    v = d(grid)
    change = np.flatnonzero(np.sign(v[:-1]) * np.sign(v[1:]) <= 0)
    if change.size == 0:
        return None
    a, b = grid[change[0]], grid[change[0] + 1]
    for _ in range(8):  # 8 rounds of 65 points: the bracket shrinks 64^8-fold
        pts = np.linspace(a, b, 65)
        w = d(pts)
        i = np.flatnonzero(np.sign(w[:-1]) * np.sign(w[1:]) <= 0)[0]
        a, b = pts[i], pts[i + 1]
    return float(0.5 * (a + b))


def _flag(row: dict, target, x: float) -> dict:
    row["breakeven"] = float(x)
    if x < 0:
        row["note"] = "outside the physical range (negative)"
    elif target.kind == "yield" and x > 1:
        row["note"] = "outside the physical range (yield above 1)"
    return row
