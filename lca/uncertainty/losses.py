"""Grid-loss fractions as uncertain inputs.

With ``td_losses = "included"`` every electricity row whose factor excludes losses carries
``value / (1 − L)`` (:mod:`lca.factors.losses`), where ``L`` combines the loss rows used for it:
``1 − Π (1 − l_i)`` (one row: ``l``). That is not a power law in ``l_i``, so a loss factor cannot
be a plain column of the compiled model (``value × Π m ** E``). It is a *transformed* input:

* its draw is the multiplier ``m`` of its own value, ``l = l0 · m``, from the factor table's
  distribution (or an ``[[uncertainty]]`` entry on ``factor.<loss id>``), confined like any
  factor's to the physical range of a loss fraction, ``[0, 1)``;
* the rows it grossed up are multiplied by ``(1 − l0) / (1 − l)`` (``E = 1`` on them): for a
  combined loss each part's factor is separate, because
  ``1 / Π (1 − l_i) = Π 1 / (1 − l_i)``. At ``m = 1`` the multiplier is exactly 1.

>>> round(float(loss_multiplier(0.042, 1.5)), 6)  # l = 0.063: 0.958 / 0.937
1.022412
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import polars as pl

from lca.uncertainty.distributions import MAX_RATIO, Distribution, OutOfRange, Range

#: What a drawn loss fraction must satisfy (messages say so).
LOSS_RANGE_TEXT = "a grid-loss fraction lies in [0, 1)"


def loss_multiplier(l0: float, m):
    """Multiplier of a row grossed up by a loss ``l0`` when the loss is drawn at ``l0 · m``."""
    return (1.0 - l0) / (1.0 - l0 * np.asarray(m, dtype=float))


def loss_range(l0: float) -> Range:
    """Multipliers keeping ``l0 · m`` in ``[0, 1)`` (the upper end open: a loss of 1 divides by 0)."""
    return Range(0.0, 1.0 / l0 if l0 > 0 else math.inf, False, LOSS_RANGE_TEXT, hi_open=l0 > 0)


def loss_factors(fp) -> pl.DataFrame:
    """The loss factors the footprint used, one row each (sorted by id), with the factor table's
    columns under the names :func:`lca.factors.factor_columns` gives them and ``fraction`` = the
    loss as a fraction (value × unit conversion, as :mod:`lca.factors.losses` computes it)."""
    from lca.factors import factor_columns

    d = fp.detail
    if "td_loss_factor" not in d.columns:
        return factor_columns(fp.library.factors.clear()).with_columns(pl.lit(0.0).alias("fraction"))
    ids = d.get_column("td_loss_factor").drop_nulls().str.split(" + ").explode().unique()
    return (factor_columns(fp.library.factors).filter(pl.col("factor_id").is_in(ids.implode()))
            .with_columns((pl.col("factor_value") * pl.col("f_to_base")).alias("fraction")).sort("factor_id"))


def loss_rows(detail: pl.DataFrame, factor_id: str) -> np.ndarray:
    """1.0 on the detail rows the loss factor grossed up, 0.0 elsewhere."""
    if "td_loss_factor" not in detail.columns:
        return np.zeros(detail.height)
    hit = detail.get_column("td_loss_factor").str.split(" + ").list.contains(factor_id).fill_null(False)
    return hit.to_numpy().astype(float)


def check_loss_spread(d: Distribution, l0: float, fmt: Callable[[float], str]) -> None:
    """The 1000 × unit-slip rule seen from the rows: a loss whose upper bound (or 97.5th percentile)
    would multiply the electricity rows by more than :data:`MAX_RATIO` is refused
    (:class:`OutOfRange`), though it is below 1 (a loss of 99.99 % multiplies them by 9580)."""
    if d.is_constant or l0 <= 0:
        return
    high = d.high if d.kind in ("triangular", "uniform") else float(d.ppf(0.975))
    times = float(loss_multiplier(l0, high))
    if times > MAX_RATIO:
        key = {"normal": "sd", "lognormal": "gsd"}.get(d.kind, "max")
        raise OutOfRange(key, f"a loss of {fmt(high)} would multiply the electricity it grosses up by {times:.3g}",
                         "check the unit: a loss fraction is a share such as 0.042 or \"4.2 percent\"")
