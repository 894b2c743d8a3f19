"""A changed parameter: re-evaluate the parameters and expressions that use it, scale what they feed.

The study records every amount written as an expression (``Study.expressions``: where it was
written, the expression, its value and unit). A new parameter value re-evaluates the parameters
that depend on it (in dependency order), then each expression that uses any of them — once each,
with pint, so arrays of draws work the same way — and the ratio new / old multiplies the entries
that amount feeds (:func:`selection`): an exchange's activity rows or technosphere entries (and
the legs bringing that input), a process output (the diagonal of ``A``; the legs of its product
carry ``1 / ratio`` as many kg per unit), an output mass or a leg distance (transport rows), or a
``[product]`` quantity (views only). :func:`parameter_effects` does the same for arrays of draws.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np
import polars as pl

from lca.engine.changes import Selection, _reallocate, _set, as_value, carried, shipped_with
from lca.errors import Problem, StudyError
from lca.study import Quantity, Study
from lca.study.expressions import Parameters, iter_dependents
from lca.study.targets import view_parts, with_view_part

if TYPE_CHECKING:  # pragma: no cover
    from lca.engine.model import Model, State
    from lca.engine.sampler import Entries

_PROCESS = re.compile(r"process '([^']+)'")
_COPRODUCT = re.compile(r"process '([^']+)' coproduct #\d+")


def apply_parameter(model: "Model", st: "State", name: str, value: Any) -> None:
    """Set parameter ``name`` in ``st`` and rescale every entry an expression of it feeds."""
    study = st.study
    unit = _unit(study, name)
    new_params, changed = None, []
    for table, column, old, new, u, values in _evaluated(study, name, as_value(f"parameter.{name}", value, unit)):
        if table is None:  # the parameters themselves
            new_params = study.parameters.with_columns(pl.col("name").replace_strict(
                {n: float(values[n].to(pu).magnitude) for n, pu in study.parameters.select("name", "unit").iter_rows()},
                return_dtype=pl.Float64).alias("value"))
            continue
        changed.append((table, column, new))
        if not old:
            raise StudyError(Problem(f"the amount at {table}, {column} was 0: a parameter change cannot scale it",
                                     table="changes", hint="write the amount so that it is not 0 at the study's "
                                                           "values"))
        r = new / old
        before = st.study
        if table == "product" or table.startswith("view '"):  # a unit of analysis: no result row changes
            if column == "declared_unit":
                raise StudyError(Problem("a parameter feeds the declared unit: rebuild the model", table="changes",
                                         column=f"parameter.{name}"))
            st.study = with_view_part(before, (table, column), Quantity(new, u).to(
                view_parts(before)[(table, column)].unit))
            continue
        c = _COPRODUCT.fullmatch(table)
        if c:  # a co-product's amount or mass: its credit (substitution) scales, its allocation share moves
            if column == "amount":
                selection(model, table, column).apply(st, r)
            st.study = _set(before, "coproducts", pl.col("origin") == table, column, r)
            _reallocate(model, st, before, c.group(1))
            continue
        selection(model, table, column).apply(st, r)
        st.study = _update(before, table, column, r)
        m = _PROCESS.fullmatch(table)
        if m and column in ("output", "output_mass"):
            _reallocate(model, st, before, m.group(1))
    ex = st.study.expressions
    new_values = dict(((t, c), v) for t, c, v in changed)
    st.study = replace(st.study, parameters=new_params, expressions=ex.with_columns(pl.Series("value", [
        new_values.get((t, c), v) for t, c, v in ex.select("table", "column", "value").iter_rows()], dtype=pl.Float64)))


def _unit(study: Study, name: str) -> str:
    params = study.parameters
    if name not in params.get_column("name").to_list():
        known = ", ".join(params.get_column("name")) or "none (the study has no [parameters])"
        raise StudyError(Problem(f"unknown parameter '{name}'", table="changes", column=f"parameter.{name}",
                                 hint=f"defined parameters: {known}"))
    return params.filter(pl.col("name") == name).get_column("unit")[0]


def _evaluated(study: Study, name: str, value) -> Iterator[tuple]:
    """``(table, column, old, new, unit, values)`` of every expression fed by ``name`` set to ``value``
    (a float or an array); first ``(None, …, values)`` with every parameter's new value."""
    from lca.units import registry

    ureg = registry()
    params = study.parameters
    values = {n: ureg.Quantity(v, u) for n, v, u in params.select("name", "value", "unit").iter_rows()}
    values[name] = ureg.Quantity(value, _unit(study, name))
    ev = Parameters(file=study.source)
    texts = dict(params.filter(pl.col("expression").is_not_null()).select("name", "expression").iter_rows())
    changed = {name}
    for dep in iter_dependents(params, name):
        mag, u, _ = ev.compute(texts[dep], values, where="parameters", key=dep)
        values[dep] = ureg.Quantity(mag, u)
        changed.add(dep)
    yield None, None, None, None, None, values
    for table, column, text, old, u, names in study.expressions.iter_rows():  # one evaluation per expression
        if changed & set(names):
            mag, got, _ = ev.compute(text, values, where=table, key=column)
            new = ureg.Quantity(mag, got).to(u).magnitude
            yield table, column, old, (float(new) if np.ndim(new) == 0 else new), u, values


def selection(model: "Model", table: str, column: str) -> Selection:
    """The entries fed by the amount written at ``table`` / ``column``."""
    base, t = model.base, model.system.technosphere
    leg = model.leg.to_numpy()
    none_t, none_r = np.zeros(t.height, bool), np.zeros(base.height, bool)
    if column == "amount":  # an exchange (flow: activity rows and its material's inbound legs; input:
        # technosphere entries, and the legs and packaging that bring it)
        from lca.engine.changes import inbound_of

        tech = (t.get_column("origin") == table).to_numpy()
        inbound = inbound_of(base, [table])  # its material's inbound legs carry the amount's mass
        into = none_r.copy()
        for consumer, goods in t.filter(pl.Series(tech)).select("process", "input").unique().iter_rows():
            into |= shipped_with(model, consumer, goods, ("input",))
        return Selection(tech, ((base.get_column("origin") == table).to_numpy() & ~leg) | inbound | into,
                         inbound | into, none_r, none_r)
    m = _PROCESS.fullmatch(table)
    if m and column == "output":  # more per output: fewer kg per unit of what its consumers take
        out = ((t.get_column("role") == "output") & (t.get_column("process") == m.group(1))).fill_null(False)
        return Selection(out.to_numpy() & model.is_process_entry, none_r, none_r, none_r, none_r,
                         shipped_with(model, goods=m.group(1), carries=("input", "delivery")))
    if m and column == "output_mass":
        goods = carried(model, goods=m.group(1))
        return Selection(none_t, goods, goods, none_r, none_r)
    if column == "distance":
        origin = base.get_column("origin")
        rows = ((origin == table) | origin.str.ends_with(f"({table})")).to_numpy() & leg
        return Selection(none_t, rows, none_r, rows, none_r)
    raise StudyError(Problem(f"a parameter feeds {table}, {column}, which the model cannot change",
                             table="changes", hint="rebuild the model (lca.build_model) for this change"))


def _update(study: Study, table: str, column: str, r: float) -> Study:
    m = _PROCESS.fullmatch(table)
    if column == "amount":
        return _set(study, "exchanges", pl.col("origin") == table, "amount", r)
    if m and column in ("output", "output_mass"):
        col = "output_amount" if column == "output" else "output_mass_amount"
        return _set(study, "processes", pl.col("id") == m.group(1), col, r)
    hit = (pl.col("origin") == table) | pl.col("origin").str.ends_with(f"({table})")
    return _set(_set(study, "transport", hit, "distance", r), "routes", pl.col("origin") == table, "distance", r)


def parameter_effects(model: "Model", state: "State", draws: dict[str, np.ndarray]
                      ) -> list[tuple["Entries", np.ndarray, tuple[str, str] | None]]:
    """Parameters drawn as arrays (``name → values in the parameter's unit``): every expression
    that uses one of them (directly or through other parameters) evaluated ONCE on the arrays, as
    ``(entries it feeds, ratio new / study value per draw, view part or None)``. A view part (a
    ``[product]`` key or a ``[[view]]`` amount: ``(table, column)``) scales no entry: the caller
    applies it to the views it matters in."""
    from lca.study.expressions import Parameters, iter_dependents
    from lca.units import registry

    study = state.study
    params = study.parameters
    ureg = registry()
    values = {n: ureg.Quantity(v, u) for n, v, u in params.select("name", "value", "unit").iter_rows()}
    units = dict(params.select("name", "unit").iter_rows())
    texts = dict(params.filter(pl.col("expression").is_not_null()).select("name", "expression").iter_rows())
    ev = Parameters(file=study.source)
    changed = set(draws)
    for name, arr in draws.items():
        values[name] = ureg.Quantity(np.asarray(arr, dtype=float), units[name])
    dependents: list[str] = []
    for name in draws:
        dependents += [d for d in iter_dependents(params, name) if d not in dependents]
    order = [n for n in params.get_column("name").to_list() if n in dependents]  # parameters are in dependency order
    for dep in order:
        mag, u, _ = ev.compute(texts[dep], values, where="parameters", key=dep)
        values[dep] = ureg.Quantity(mag, u)
        changed.add(dep)
    out = []
    allocated = set(study.allocation.get_column("process").to_list())
    shared = set(study.allocation.filter(pl.col("method") != "substitution").get_column("process").to_list())
    for table, column, text, old, u, names in study.expressions.iter_rows():
        if not changed & set(names):
            continue
        mag, got, _ = ev.compute(text, values, where=table, key=column)
        new = np.broadcast_to(np.asarray(ureg.Quantity(mag, got).to(u).magnitude, dtype=float),
                              next(iter(draws.values())).shape)
        if old == 0:
            raise StudyError(Problem(f"the amount at {table}, {column} is 0 at the study's parameter values, so "
                                     "its uncertainty cannot be sampled as a ratio", file=study.source,
                                     table=table, column=column,
                                     hint="write the amount so that it is not 0 at the study's values"))
        moved = re.fullmatch(r"process '([^']+)'", table)
        if moved and column in ("output", "output_mass") and moved.group(1) in allocated:
            raise StudyError(Problem(f"a parameter drawn here moves the allocation of process '{moved.group(1)}' "
                                     "(its output): sampling it is not supported", file=study.source, table=table,
                                     column=column, hint="give the uncertainty of the process's exchanges instead"))
        co = _COPRODUCT.fullmatch(table)
        if co and co.group(1) in shared:  # a co-product's amount or mass moves the shares (a credit just scales)
            raise StudyError(Problem(f"a parameter drawn here moves the allocation of process '{co.group(1)}' "
                                     "(a co-product's amount): sampling it is not supported", file=study.source,
                                     table=table, column=column,
                                     hint="give the uncertainty of the process's exchanges instead"))
        with np.errstate(divide="ignore"):
            out += [(e, k, old / new if inverse else new / old) for e, k, inverse in _fed(model, table, column)]
    return [(e, r, k) for e, k, r in out]


def _fed(model: "Model", table: str, column: str) -> list[tuple["Entries", tuple[str, str] | None, bool]]:
    """Entries fed by the amount written at ``table``/``column`` (:func:`selection`) — with a second
    item for the legs it divides (a process output: kg per unit shipped), ``inverse`` True — or the
    view part it sets (a conversion to a unit of analysis: no entry)."""
    from lca.engine.sampler import Entries

    if table == "product" or table.startswith("view '"):
        none = Entries(np.zeros(model.system.technosphere.height, dtype=bool), np.zeros(model.base.height, dtype=bool))
        return [(none, (table, column), False)]
    sel = selection(model, table, column)
    out = [(Entries(sel.tech.copy(), sel.amount | sel.multiplier), None, False)]
    if sel.per_output is not None and sel.per_output.any():
        out.append((Entries(np.zeros_like(sel.tech), sel.per_output.copy()), None, True))
    return out
