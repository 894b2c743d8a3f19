"""Break-even analysis: the parameter value at which two scenarios have equal totals.

Every row depends on a parameter as ``value_r · (x / x0) ** e_r`` (see :mod:`lca.uncertainty.model`).
When all affected rows share one exponent ``e`` the difference is affine in ``u = (x / x0) ** e``:
``d(u) = d0 + k (u − 1)``, so ``u* = 1 − d0 / k`` and ``x* = x0 · u* ** (1 / e)``.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> be = break_even(fp, "jp-import", "charlotte-coated", "grid.charlotte")
>>> be.select("unit", "note").row(0)
('kg_CO2e/kWh', '')
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np
import polars as pl

from lca.errors import LcaInputError, Problem
from lca.units import conversion_factor
from lca.uncertainty.model import _target_exponents
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


def break_even_many(fp, a: str, b: str, parameters: Sequence[str], *, per: str = "declared_unit",
                    known: Mapping[str, np.ndarray] | None = None) -> pl.DataFrame:
    """:func:`break_even` for several parameters in one frame (``known``: exponents already computed)."""
    rows = [_solve(fp, a, b, p, per, (known or {}).get(p)) for p in parameters]
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


def _solve(fp, a: str, b: str, parameter: str, per: str, e: np.ndarray | None = None) -> dict[str, object]:
    for s in (a, b):
        fp._check_scenario(s)
    target = _as_loss(fp, resolve_target(fp.study, parameter))
    x0, unit = _current(fp, target)
    row = {"scenario_a": a, "scenario_b": b, "parameter": parameter, "current": x0, "breakeven": None,
           "unit": unit, "note": ""}
    if target.kind == "view":
        row["note"] = "no break-even: this quantity scales both scenarios alike"
        return row
    e = _target_exponents(fp, target, per) if e is None else e
    scen = fp.detail.get_column("scenario").to_numpy()
    c = fp.detail.get_column("value").to_numpy()
    in_a, in_b = scen == a, scen == b
    d0 = c[in_b].sum() - c[in_a].sum()
    used = (e != 0) & (in_a | in_b)
    exps = np.unique(e[used])
    if exps.size == 0:
        row["note"] = "no break-even: the parameter does not affect either scenario"
        return row
    if exps.size > 1:
        row["note"] = f"not solved: totals are not linear in this parameter (exponents {exps.tolist()})"
        return row
    k = c[used & in_b].sum() - c[used & in_a].sum()
    if abs(k) <= 1e-12 * (abs(c[in_a]).sum() + abs(c[in_b]).sum()):
        row["note"] = "no break-even: the parameter changes both scenarios by the same amount"
        return row
    u = 1.0 - d0 / k
    ex = float(exps[0])
    if u <= 0 and (ex != 1.0 or target.kind == "loss"):
        row["note"] = "no break-even in the physical range"
        return row
    # a grid loss scales its rows by u = (1 − L0) / (1 − L), see lca.uncertainty.losses
    x = 1.0 - (1.0 - x0) / u if target.kind == "loss" else x0 * (u if ex == 1.0 else u ** (1.0 / ex))
    row["breakeven"] = float(x)
    if x < 0:
        row["note"] = "outside the physical range (negative)"
    elif target.kind == "yield" and x > 1:
        row["note"] = "outside the physical range (yield above 1)"
    return row
