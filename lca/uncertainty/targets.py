"""Named study parameters ("targets") that uncertainty entries and break-even analyses refer to.

A target is a dotted name:

=========================================  ==========================================================
``process.<process>.<flow or input>``      an exchange amount of a process (every scenario using it)
``process.<process>.yield``                a process yield (good output / gross output)
``process.<process>.output_mass``          mass of one output unit (drives shipped mass)
``transport.distance``                     every transport leg's distance (one shared draw)
``transport.<mode>.distance``              the distance of every leg of that mode
``transport.<from>.<to>.distance``         the legs of the route from one site to another
``transport.packaging_factor``             shipped mass / product mass of every transport
``view.<view id>``                         the amount of a ``[[view]]`` (that view and the views
                                           built on it only); ``product.mass_per_declared_unit``
                                           (the per-kg view)
``factor.<factor id>``                     one emission factor, wherever it is used, or a
                                           grid-loss fraction (kind ``loss``, in [0, 1))
``parameter.<name>``                       a ``[parameters]`` entry: every expression using it
                                           (directly or through other parameters) follows
``grid.<site>``                            the electricity emission rate at one site (break-even only)
=========================================  ==========================================================

A target scales entries of the engine's model (:func:`lca.engine.sampler.entries`); the product
graph (a process's yield also scales the intermediate products it consumes) is the model's solve,
not a rule here.

>>> from lca.resources import default_study_path
>>> from lca.study import load_study
>>> from lca.study.targets import example_target
>>> study = load_study(default_study_path())
>>> t = resolve_target(study, example_target(study))  # the study's first process and exchange
>>> t.kind, t.current is not None
('exchange', True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from lca.errors import Problem, StudyError
from lca.study import Quantity, Study
from lca.study.targets import example_target, view_parts
from lca.uncertainty.distributions import Range
from lca.uncertainty.losses import LOSS_RANGE_TEXT, loss_range



@dataclass(frozen=True)
class Target:
    """A resolved target: its kind, filter and current value (``None`` if it has several values)."""

    name: str
    kind: str
    current: Quantity | None
    key: tuple[str, ...] = ()


def resolve_target(study: Study, name: str, *, file: str | None = None, where: str | None = None) -> Target:
    """Check a target name against the study and return what it refers to (:class:`StudyError` if unknown)."""
    file = file or str(study.path or "study")
    parts = name.split(".")

    def fail(msg: str, hint: str) -> StudyError:
        return StudyError(Problem(msg, file=file, table=where, column="target", hint=hint))

    head = parts[0]
    if head == "process" and len(parts) == 3:
        pid, what = parts[1], parts[2]
        procs = study.processes.filter(pl.col("id") == pid)
        if procs.height == 0:
            raise fail(f"unknown process '{pid}' in target '{name}'",
                       "use one of: " + ", ".join(study.processes.get_column("id").to_list()))
        if what == "yield":
            return Target(name, "yield", Quantity(float(procs.get_column("yield")[0]), "dimensionless"), (pid,))
        if what == "output_mass":
            amount = procs.get_column("output_mass_amount")[0]
            if amount is None:
                raise fail(f"process '{pid}' has no output_mass", 'add output_mass = "5.5 g" to the process')
            return Target(name, "output_mass", Quantity(float(amount), procs.get_column("output_mass_unit")[0]),
                          (pid,))
        ex = study.exchanges.filter((pl.col("process") == pid)
                                    & ((pl.col("flow") == what) | (pl.col("input") == what)))
        if ex.height == 0:
            known = study.exchanges.filter(pl.col("process") == pid).select(
                pl.coalesce("flow", "input")).to_series().to_list()
            raise fail(f"process '{pid}' has no exchange '{what}'",
                       "use yield, output_mass or one of: " + ", ".join(known))
        return Target(name, "exchange", _single(ex, "amount", "unit"), (pid, what))
    if head == "transport" and parts[-1] in ("distance", "packaging_factor") and len(parts) in (2, 3, 4):
        legs = study.transport
        if legs.height == 0:
            raise fail("the study has no transport legs", "remove this entry")
        if parts[-1] == "packaging_factor":
            if len(parts) != 2:
                raise fail(f"unknown target '{name}'", "write transport.packaging_factor")
            return Target(name, "packaging", _single(legs.with_columns(pl.lit("dimensionless").alias("u")),
                                                     "packaging_factor", "u"), ())
        sel = parts[1:-1]
        if len(sel) == 1:
            legs = legs.filter(pl.col("mode") == sel[0])
            if legs.height == 0:
                raise fail(f"no transport leg has mode '{sel[0]}'",
                           "use one of: " + ", ".join(sorted(study.transport.get_column("mode").unique())))
        elif len(sel) == 2:
            legs = legs.filter((pl.col("from_site") == sel[0]) & (pl.col("to_site") == sel[1]))
            if legs.height == 0:
                raise fail(f"no transport goes from '{sel[0]}' to '{sel[1]}'", "check the site ids")
        return Target(name, "distance", _single(legs, "distance", "distance_unit"), tuple(sel))
    if head in ("product", "view") and len(parts) == 2:
        key = ("product", parts[1]) if head == "product" else (f"view '{parts[1]}'", "amount")
        known = view_parts(study)
        if key not in known:
            ids = [v.id for v in study.views]
            raise fail(f"the study states no {'view ' if head == 'view' else ''}{parts[1]}",
                       "use view.<id> with one of: " + ", ".join(ids) if ids else "add a [[view]] to the study")
        return Target(name, "view", known[key], key)
    if head == "factor" and len(parts) >= 2:
        return Target(name, "factor", None, (".".join(parts[1:]),))
    if head == "parameter" and len(parts) == 2:
        hit = study.parameters.filter(pl.col("name") == parts[1])
        if hit.height == 0:
            known = ", ".join(study.parameters.get_column("name")) or "none (the study has no [parameters])"
            raise fail(f"unknown parameter '{parts[1]}' in target '{name}'", f"defined parameters: {known}")
        value, unit = hit.select("value", "unit").row(0)
        return Target(name, "parameter", Quantity(float(value), str(unit)), (parts[1],))
    if head == "grid" and len(parts) == 2:
        if parts[1] not in study.sites.get_column("id").to_list():
            raise fail(f"unknown site '{parts[1]}' in target '{name}'", "use a site id")
        return Target(name, "grid", None, (parts[1],))
    raise fail(f"unknown target '{name}'", "see docs/uncertainty.md for the target names, e.g. "
                                           f"{example_target(study)} or transport.<mode>.distance")


#: Physical range of each kind of target's *value*: (low, low excluded, high, why). Loads enforce
#: the same (yields in (0, 1], packaging factor >= 1); draws must too, or a yield drawn at 0 divides
#: the footprint by zero.
PHYSICAL: dict[str, tuple[float, bool, float, str]] = {
    "exchange": (0.0, False, math.inf, "an exchange amount cannot be negative"),
    "distance": (0.0, False, math.inf, "a distance cannot be negative"),
    "output_mass": (0.0, True, math.inf, "a mass per output unit must be positive"),
    "packaging": (1.0, False, math.inf, "shipped mass / product mass is at least 1"),
    "yield": (0.0, True, 1.0, "a yield lies in (0, 1]"),
    "view": (0.0, True, math.inf, "a conversion between units of analysis must be positive"),
    "factor": (0.0, False, math.inf, "an emission factor cannot be negative"),
    "loss": (0.0, False, 1.0, LOSS_RANGE_TEXT),  # 1 excluded: see physical_range
}


def physical_range(study: Study, target: Target) -> Range:
    """The multipliers (drawn value / study value) that keep the target's value physical.

    >>> from lca.resources import default_study_path
    >>> from lca.study import load_study
    >>> r = physical_range(load_study(default_study_path()), Target("y", "yield", Quantity(0.7, "dimensionless")))
    >>> round(r.hi, 4), r.lo_open
    (1.4286, True)
    """
    if target.kind == "loss" and target.current is not None:  # a loss of 1 would divide by 0: open end
        return loss_range(target.current.value)
    lo, lo_open, hi, what = PHYSICAL.get(target.kind, (0.0, False, math.inf, "it cannot be negative"))
    if lo == 0.0 and hi == math.inf:
        return Range(0.0, math.inf, lo_open, what)
    if target.kind == "packaging":
        values = study.transport.get_column("packaging_factor")
    else:
        values = pl.Series([target.current.value if target.current is not None else math.nan])
    v_lo, v_hi = float(values.min()), float(values.max())
    # one draw scales every value: the multiplier must keep the smallest above lo, the largest below hi
    return Range(lo / v_lo if lo else 0.0, hi / v_hi if hi < math.inf else math.inf, lo_open, what)


def _single(frame: pl.DataFrame, value: str, unit: str) -> Quantity | None:
    pairs = frame.select(value, unit).unique()
    if pairs.height == 1:
        return Quantity(float(pairs.item(0, 0)), str(pairs.item(0, 1)))
    return None
