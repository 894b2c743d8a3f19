"""A changed parameter: re-evaluate the parameters and expressions that use it, scale what they feed.

The study records every amount written as an expression (``Study.expressions``: where it was
written, the expression, its value and unit). A new parameter value re-evaluates the parameters
that depend on it (in dependency order), then each expression that uses any of them — once each,
with pint (so arrays of values work too) — and the ratio new / old multiplies the entries that
amount feeds: an exchange's activity rows or technosphere entries, a process output (the
diagonal of ``A``), an output mass or a leg distance (transport rows), or a ``[product]`` quantity.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from lca.errors import Problem, StudyError
from lca.study import Quantity
from lca.study.expressions import Parameters, iter_dependents

if TYPE_CHECKING:  # pragma: no cover
    from lca.engine.model import Model, State

_PROCESS = re.compile(r"process '([^']+)'")


def apply_parameter(model: "Model", st: "State", name: str, value: Any) -> None:
    """Set parameter ``name`` in ``st`` and rescale every entry an expression of it feeds."""
    from lca.engine.changes import as_value
    from lca.units import registry

    study = st.study
    params = study.parameters
    if name not in params.get_column("name").to_list():
        known = ", ".join(params.get_column("name")) or "none (the study has no [parameters])"
        raise StudyError(Problem(f"unknown parameter '{name}'", table="changes", column=f"parameter.{name}",
                                 hint=f"defined parameters: {known}"))
    ureg = registry()
    values = {n: ureg.Quantity(v, u) for n, v, u in params.select("name", "value", "unit").iter_rows()}
    unit = params.filter(pl.col("name") == name).get_column("unit")[0]
    values[name] = ureg.Quantity(as_value(f"parameter.{name}", value, unit), unit)
    ev = Parameters(file=study.source)
    texts = dict(params.filter(pl.col("expression").is_not_null()).select("name", "expression").iter_rows())
    changed = {name}
    for dep in iter_dependents(params, name):
        mag, u, _ = ev.compute(texts[dep], values, where="parameters", key=dep)
        values[dep] = ureg.Quantity(mag, u)
        changed.add(dep)
    new_params = params.with_columns(pl.col("name").replace_strict(
        {n: float(values[n].to(u).magnitude) for n, u in params.select("name", "unit").iter_rows()},
        return_dtype=pl.Float64).alias("value"))
    ex = study.expressions
    new_values = []
    for table, column, text, old, u, names in ex.iter_rows():  # one evaluation per affected expression
        if not changed & set(names):
            new_values.append(old)
            continue
        mag, got, _ = ev.compute(text, values, where=table, key=column)
        new = float(ureg.Quantity(mag, got).to(u).magnitude)
        new_values.append(new)
        _feed(model, st, table, column, new / old if old else (np.inf if new else 1.0), new, u)
    st.study = replace(st.study, parameters=new_params,
                       expressions=ex.with_columns(pl.Series("value", new_values, dtype=pl.Float64)))


def _feed(model: "Model", st: "State", table: str, column: str, r: float, new: float, unit: str) -> None:
    """Multiply the entries fed by the amount written at ``table``/``column`` by ``r``."""
    from lca.engine.changes import _set

    base, keys, study = model.base, model.keys, st.study
    leg = model.leg.to_numpy()
    t = model.system.technosphere
    if not np.isfinite(r):
        raise StudyError(Problem(f"the amount at {table}, {column} was 0: a parameter change cannot scale it",
                                 table="changes", hint="write the amount so that it is not 0 at the study's values"))
    if column == "amount":  # an exchange (flow: activity rows; input: technosphere entries)
        st.amount[(base.get_column("origin") == table).to_numpy() & ~leg] *= r
        st.tech[(t.get_column("origin") == table).to_numpy()] *= r
        st.study = _set(study, "exchanges", pl.col("origin") == table, "amount", r)
        return
    m = _PROCESS.fullmatch(table)
    if m and column in ("output", "output_mass"):
        p = m.group(1)
        if column == "output":
            out = ((t.get_column("role") == "output") & (t.get_column("process") == p)).to_numpy()
            st.tech[out & model.is_process_entry] *= r
            st.study = _set(study, "processes", pl.col("id") == p, "output_amount", r)
        else:
            goods = (keys.get_column("goods") == p).to_numpy() & leg
            st.amount[goods] *= r
            st.shipped[goods] *= r
            st.study = _set(study, "processes", pl.col("id") == p, "output_mass_amount", r)
        return
    if column == "distance":
        origin = base.get_column("origin")
        rows = ((origin == table) | origin.str.ends_with(f"({table})")).to_numpy() & leg
        st.amount[rows] *= r
        st.distance[rows] *= r
        hit = (pl.col("origin") == table) | pl.col("origin").str.ends_with(f"({table})")
        st.study = _set(_set(study, "transport", hit, "distance", r), "routes", pl.col("origin") == table,
                        "distance", r)
        return
    if table == "product" and column != "declared_unit" and getattr(study.product, column, None) is not None:
        st.study = replace(study, product=replace(study.product, **{column: Quantity(new, unit)}))
        return
    raise StudyError(Problem(f"a parameter feeds {table}, {column}, which Model.evaluate cannot change",
                             table="changes", hint="rebuild the model (lca.build_model) for this change"))
