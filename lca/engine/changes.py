"""Changes to a built :class:`~lca.engine.model.Model`: target name → new value → the entries it scales.

A target is named as in ``[[uncertainty]]`` (see :mod:`lca.uncertainty.targets` for the list). Its
new value is turned into a ratio to its current value, and the ratio multiplies exactly the
entries the target feeds: technosphere entries (an intermediate input, a yield), activity amounts
per run (an exchange with a flow, a leg's distance, shipped mass), or characterisation
multipliers (a factor). The study's frames are updated too, so the footprint's study (and its
content hash) describes what was computed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import polars as pl

from lca.errors import LcaInputError, Problem, StudyError
from lca.study import Quantity, Study

if TYPE_CHECKING:  # pragma: no cover
    from lca.engine.model import Model, State

#: product quantities that only matter in views (they change no result row)
VIEW_KEYS = ("mass_per_declared_unit", "separator_per_cell_energy", "pack_energy", "annual_volume")


def _fail(name: str, msg: str, hint: str | None = None) -> StudyError:
    return StudyError(Problem(msg, table="changes", column=name, hint=hint))


def as_value(name: str, value: Any, unit: str) -> float:
    """``value`` (Quantity, ``"<number> <unit>"`` or a number in ``unit``) as a number in ``unit``."""
    from lca.study.parse import parse_quantity

    if isinstance(value, bool):
        raise _fail(name, f"expected a quantity for '{name}', got {value!r}")
    if isinstance(value, (int, float, np.floating)):
        return float(value)
    try:
        q = value if isinstance(value, Quantity) else parse_quantity(value, file="changes", where="changes", key=name)
        return q.to(unit)
    except LcaInputError as exc:
        raise _fail(name, f"'{name}' = {value!r}: {exc.problems[0].message}",
                    f"give a number in {unit} or a quantity of the same dimension") from None


def _single(name: str, values: pl.DataFrame) -> tuple[float, str]:
    pairs = values.unique()
    if pairs.height != 1:
        raise _fail(name, f"'{name}' has several values ({', '.join(f'{v:g} {u}' for v, u in pairs.rows())})",
                    "name a narrower target (e.g. transport.<from>.<to>.distance) or change them one by one")
    v, u = pairs.row(0)
    return float(v), str(u)


def apply_changes(model: "Model", changes: Mapping[str, Any]) -> "State":
    """A copy of the model's state with every change applied (the model is not modified)."""
    st = model.state.copy()
    for name, value in changes.items():
        _apply(model, st, str(name), value)
    return st


def _apply(model: "Model", st: "State", name: str, value: Any) -> None:
    parts = name.split(".")
    base, keys, study = model.base, model.keys, st.study
    leg = model.leg.to_numpy()
    if parts[0] == "parameter" and len(parts) == 2:
        from lca.engine.params import apply_parameter

        apply_parameter(model, st, parts[1], value)
        return
    if parts[0] == "process" and len(parts) == 3:
        p, what = parts[1], parts[2]
        procs = study.processes.filter(pl.col("id") == p)
        if procs.height == 0:
            raise _fail(name, f"unknown process '{p}'", "use one of: " + ", ".join(study.processes["id"]))
        goods = (keys.get_column("goods") == p).to_numpy() & leg
        if what in ("yield", "output_mass"):
            col, unit_col = ("yield", None) if what == "yield" else ("output_mass_amount", "output_mass_unit")
            unit = "dimensionless" if unit_col is None else procs.get_column(unit_col)[0]
            old = procs.get_column(col)[0]
            if old is None:
                raise _fail(name, f"process '{p}' has no {what}")
            r = as_value(name, value, unit) / old
            if what == "yield":
                t = model.system.technosphere
                out = ((t.get_column("role") == "output") & (t.get_column("process") == p)).to_numpy()
                st.tech[out & model.is_process_entry] *= r
            st.amount[goods] *= r
            st.shipped[goods] *= r
            st.study = _set(study, "processes", pl.col("id") == p, col, r)
            return
        hit = (pl.col("process") == p) & ((pl.col("flow") == what) | (pl.col("input") == what))
        ex = study.exchanges.filter(hit)
        if ex.height == 0:
            raise _fail(name, f"process '{p}' has no exchange '{what}'", "use yield, output_mass or one of: "
                        + ", ".join(study.exchanges.filter(pl.col("process") == p)
                                    .select(pl.coalesce("flow", "input")).to_series()))
        old, unit = _single(name, ex.select("amount", "unit"))
        r = as_value(name, value, unit) / old
        rows = ((base.get_column("process") == p) & (base.get_column("flow") == what)).to_numpy() & ~leg
        st.amount[rows] *= r
        t = model.system.technosphere
        st.tech[((t.get_column("process") == p) & (t.get_column("input") == what)).fill_null(False).to_numpy()] *= r
        st.study = _set(study, "exchanges", hit, "amount", r)
        return
    if parts[0] == "transport" and parts[-1] in ("distance", "packaging_factor") and len(parts) in (2, 3, 4):
        legs = study.transport
        if parts[-1] == "packaging_factor" and len(parts) == 2:
            old, _ = _single(name, legs.select("packaging_factor", pl.lit("").alias("u")))
            r = as_value(name, value, "dimensionless") / old
            st.amount[leg] *= r
            st.shipped[leg] *= r
            st.study = _set(study, "transport", pl.lit(True), "packaging_factor", r)
            return
        sel = parts[1:-1]
        cond = (pl.lit(True) if not sel else (pl.col("mode") == sel[0]) if len(sel) == 1
                else (pl.col("from_site") == sel[0]) & (pl.col("to_site") == sel[1]) if len(sel) == 2 else None)
        if cond is not None and parts[-1] == "distance":
            chosen = legs.filter(cond)
            if chosen.height == 0:
                raise _fail(name, f"no transport leg matches '{name}'")
            old, unit = _single(name, chosen.select("distance", "distance_unit"))
            r = as_value(name, value, unit) / old
            frame = pl.DataFrame({"mode": base.get_column("mode"), "from_site": base.get_column("site"),
                                  "to_site": keys.get_column("to_site")})
            rows = frame.select(cond).to_series().fill_null(False).to_numpy() & leg
            st.amount[rows] *= r
            st.distance[rows] *= r
            st.study = _set(study, "transport", cond, "distance", r)
            return
    if parts[0] == "factor" and len(parts) >= 2:
        fid = ".".join(parts[1:])
        rows = (base.get_column("factor_id") == fid).to_numpy()
        if not rows.any():
            raise _fail(name, f"factor '{fid}' is used by no activity of this study")
        old, unit = _single(name, base.filter(pl.Series(rows)).select("factor_value", "factor_unit"))
        r = as_value(name, value, unit) / old
        st.multiplier[rows] *= r
        st.factor_value[rows] *= r
        return
    if parts[0] == "product" and len(parts) == 2 and parts[1] in VIEW_KEYS:
        q = getattr(study.product, parts[1])
        if q is None:
            raise _fail(name, f"the study states no {parts[1]}", f"add {parts[1]} to [product]")
        st.study = replace(study, product=replace(study.product, **{parts[1]: Quantity(as_value(name, value, q.unit),
                                                                                          q.unit)}))
        return
    raise _fail(name, f"unknown target '{name}'", "see docs/uncertainty.md for the target names, e.g. "
                                                  "process.base_film.electricity or transport.ship.distance")


def _set(study: Study, table: str, hit: pl.Expr, col: str, ratio: float) -> Study:
    frame = getattr(study, table)
    return replace(study, **{table: frame.with_columns(
        pl.when(hit).then(pl.col(col) * ratio).otherwise(pl.col(col)).alias(col))})
