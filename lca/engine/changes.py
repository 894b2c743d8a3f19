"""Changes to a built :class:`~lca.engine.model.Model`: target name → the entries it scales → new numbers.

A target is named as in ``[[uncertainty]]`` (see :mod:`lca.uncertainty.targets` for the list). It
selects exactly the entries it feeds (:class:`Selection`): technosphere entries (an intermediate
input, a yield), activity amounts per run (an exchange with a flow, a leg's distance or shipped
mass) or characterisation multipliers (a factor). A new value becomes a ratio to the current one
and multiplies the selection; the study's frames are updated too, so the footprint's study (and
its content hash) describes what was computed. :meth:`Model.sample` uses the same selections
with arrays of ratios.

A leg ships what the instance it belongs to takes (:func:`lca.engine.inventory._carried`), so a
yield moves no leg's mass (the runs change, the flow does not) except a leg that ships a whole
good output; an output mass scales its product's legs; an intermediate input scales its entry and
the legs bringing it (:func:`carried`), and so does a reallocation of the consuming process.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np
import polars as pl

from lca.errors import LcaInputError, Problem, StudyError
from lca.study import Quantity, Study

if TYPE_CHECKING:  # pragma: no cover
    from lca.engine.model import Model, State

@dataclass(frozen=True)
class Selection:
    """Boolean masks of the entries a target scales: technosphere entries and result rows."""

    tech: np.ndarray
    amount: np.ndarray
    shipped: np.ndarray
    distance: np.ndarray
    multiplier: np.ndarray
    #: legs scaled by 1 / ratio: a process's output in kg per unit shipped (its output mass / output)
    per_output: np.ndarray | None = None

    def apply(self, st: "State", r: float) -> None:
        st.tech[self.tech] *= r
        st.amount[self.amount] *= r
        st.shipped[self.shipped] *= r
        st.distance[self.distance] *= r
        st.multiplier[self.multiplier] *= r
        st.factor_value[self.multiplier] *= r
        if self.per_output is not None:
            st.amount[self.per_output] /= r
            st.shipped[self.per_output] /= r


def carried(model: "Model", process: str | None = None, goods: str | None = None,
            carries: tuple[str, ...] = ("input", "delivery", "output")) -> np.ndarray:
    """Legs that carry ``goods`` into ``process`` (either may be None: any), shipping ``carries``
    (see :data:`lca.engine.inventory.KEY_COLUMNS`)."""
    keys = model.keys
    hit = model.leg.to_numpy() & keys.get_column("carries").is_in(list(carries)).fill_null(False).to_numpy()
    if process is not None:
        hit &= (keys.get_column("consumer") == process).fill_null(False).to_numpy()
    if goods is not None:
        hit &= (keys.get_column("goods") == goods).fill_null(False).to_numpy()
    return hit


def shipped_with(model: "Model", process: str | None = None, goods: str | None = None,
                 carries: tuple[str, ...] = ("input", "delivery", "output")) -> np.ndarray:
    """:func:`carried` legs plus what travels with their flow: the packaging of the goods charged on
    that flow (:func:`lca.engine.shipping.packaging_rows`, per output carried) and the inbound legs
    bringing that packaging. All scale with the flow; only the legs scale with the goods' mass."""
    keys = model.keys
    pk = (~model.leg.to_numpy() & keys.get_column("carries").is_in(list(carries)).fill_null(False).to_numpy())
    if process is not None:
        pk &= (keys.get_column("consumer") == process).fill_null(False).to_numpy()
    if goods is not None:
        pk &= (keys.get_column("goods") == goods).fill_null(False).to_numpy()
    legs = carried(model, process, goods, carries)
    if not pk.any():
        return legs
    origins = model.base.get_column("origin").filter(pl.Series(pk)).unique().to_list()
    return legs | pk | (inbound_of(model.base, origins) & np.isin(model.pid, model.pid[pk]))


@dataclass(frozen=True)
class Target:
    """What a target name refers to: its selection, current value and unit, and the study update."""

    name: str
    selection: Selection | None
    current: float
    unit: str
    update: Callable[[Study, float], Study]  # the study with the target × ratio


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
        name = str(name)
        parts = name.split(".")
        if parts[0] == "parameter" and len(parts) == 2:
            from lca.engine.params import apply_parameter

            apply_parameter(model, st, parts[1], value)
            continue
        if parts[0] in ("product", "view") and len(parts) == 2:  # a unit of analysis: no result row changes
            st.study = _changed_view(st.study, name, value)
            continue
        t = model.targets.get(name) if st.study is model.study else None
        if t is None:  # resolved against the study as changed so far; cached for the model's own study
            t = target(model, st.study, name)
            if st.study is model.study:
                model.targets[name] = t
        r = as_value(name, value, t.unit) / t.current
        before = st.study
        t.selection.apply(st, r)
        st.study = t.update(before, r)
        if parts[0] == "factor":  # the result's library says which value was used (manifest, lineage)
            st.library = _changed_factor(st.library or model.library, ".".join(parts[1:]), r)
        if parts[0] == "process" and parts[-1] in ("yield", "output_mass"):
            _reallocate(model, st, before, parts[1])
    return st


def inbound_of(base: pl.DataFrame, origins: list[str]) -> np.ndarray:
    """Rows of the inbound legs (:mod:`lca.engine.shipping`) that bring the exchanges at ``origins``."""
    origin = base.get_column("origin")
    hit = np.zeros(base.height, bool)
    for o in origins:  # one per exchange written (a handful)
        hit |= (origin.str.ends_with(f" for {o}") & base.get_column("process").str.starts_with("inbound ")
                ).fill_null(False).to_numpy()
    return hit


def target(model: "Model", study: Study, name: str) -> Target:
    """Resolve ``name`` against the model (StudyError naming it if it is unknown or ambiguous)."""
    parts = name.split(".")
    base, keys, tech = model.base, model.keys, model.system.technosphere
    # the scenarios' own legs: inbound legs of materials (no goods, lca.engine.shipping) are not the
    # study's transport elements, so transport targets leave them alone
    leg = model.leg.to_numpy() & keys.get_column("goods").is_not_null().to_numpy()
    none_t, none_r = np.zeros(tech.height, bool), np.zeros(base.height, bool)
    sel = lambda t=none_t, a=none_r, s=none_r, d=none_r, m=none_r: Selection(t, a, s, d, m)  # noqa: E731
    if parts[0] == "process" and len(parts) == 3:
        p, what = parts[1], parts[2]
        procs = study.processes.filter(pl.col("id") == p)
        if procs.height == 0:
            raise _fail(name, f"unknown process '{p}'", "use one of: " + ", ".join(study.processes["id"]))
        if what in ("yield", "output_mass"):  # a leg's flow needs no yield, unless it ships the whole output
            goods = (shipped_with(model, goods=p, carries=("output",)) if what == "yield" else
                     carried(model, goods=p))  # packaging is per output carried, not per kg
            col, unit = ("yield", "dimensionless") if what == "yield" else (
                "output_mass_amount", procs.get_column("output_mass_unit")[0])
            old = procs.get_column(col)[0]
            if old is None:
                raise _fail(name, f"process '{p}' has no {what}")
            out = ((tech.get_column("role") == "output") & (tech.get_column("process") == p)).fill_null(False)
            out = out.to_numpy()
            t = out & model.is_process_entry if what == "yield" else none_t
            return Target(name, sel(t=t, a=goods, s=goods), float(old), unit,
                          lambda s, r: _set(s, "processes", pl.col("id") == p, col, r))
        hit = (pl.col("process") == p) & ((pl.col("flow") == what) | (pl.col("input") == what))
        ex = study.exchanges.filter(hit)
        if ex.height == 0:
            raise _fail(name, f"process '{p}' has no exchange '{what}'", "use yield, output_mass or one of: "
                        + ", ".join(study.exchanges.filter(pl.col("process") == p)
                                    .select(pl.coalesce("flow", "input")).to_series()))
        old, unit = _single(name, ex.select("amount", "unit"))
        rows = ((base.get_column("process") == p) & (base.get_column("flow") == what)).to_numpy() & ~leg
        rows &= ~base.get_column("origin").str.contains(" coproduct #").to_numpy()
        rows &= base.get_column("mode").is_null().to_numpy() & keys.get_column("carries").is_null().to_numpy()
        inbound = inbound_of(base, ex.get_column("origin").to_list())  # the material's legs carry its mass
        t = ((tech.get_column("process") == p) & (tech.get_column("input") == what)).fill_null(False).to_numpy()
        into = shipped_with(model, p, what, ("input",))  # the legs (and packaging) bringing that input
        return Target(name, sel(t=t, a=rows | inbound | into, s=inbound | into), old, unit,
                      lambda s, r: _set(s, "exchanges", hit, "amount", r))
    if parts[0] == "transport" and parts[-1] == "packaging_factor" and len(parts) == 2:
        old, _ = _single(name, study.transport.select("packaging_factor", pl.lit("").alias("u")))
        return Target(name, sel(a=leg, s=leg), old, "dimensionless",
                      lambda s, r: _set(s, "transport", pl.lit(True), "packaging_factor", r))
    if parts[0] == "transport" and parts[-1] == "distance" and len(parts) in (2, 3, 4):
        chosen = parts[1:-1]
        cond = (pl.lit(True) if not chosen else (pl.col("mode") == chosen[0]) if len(chosen) == 1
                else (pl.col("from_site") == chosen[0]) & (pl.col("to_site") == chosen[1]))
        legs = study.transport.filter(cond)
        if legs.height == 0:
            raise _fail(name, f"no transport leg matches '{name}'")
        old, unit = _single(name, legs.select("distance", "distance_unit"))
        frame = pl.DataFrame({"mode": base.get_column("mode"), "from_site": base.get_column("site"),
                              "to_site": keys.get_column("to_site")})
        rows = frame.select(cond).to_series().fill_null(False).to_numpy() & leg
        return Target(name, sel(a=rows, d=rows), old, unit, lambda s, r: _set(s, "transport", cond, "distance", r))
    if parts[0] == "factor" and len(parts) >= 2:
        fid = ".".join(parts[1:])
        rows = (base.get_column("factor_id") == fid).to_numpy()
        if not rows.any():
            raise _fail(name, f"factor '{fid}' is used by no activity of this study")
        old, unit = _single(name, base.filter(pl.Series(rows)).select("factor_value", "factor_unit"))
        return Target(name, sel(m=rows), old, unit, lambda s, r: s)
    from lca.study.targets import example_target

    raise _fail(name, f"unknown target '{name}'", "see docs/uncertainty.md for the target names, e.g. "
                f"{example_target(study)} or transport.<mode>.distance")


def _changed_view(study: Study, name: str, value: Any) -> Study:
    """``study`` with ``view.<id>`` (a view's amount) or ``product.mass_per_declared_unit`` changed."""
    from lca.study.targets import view_parts, with_view_part

    head, key = name.split(".")
    part = ("product", key) if head == "product" else (f"view '{key}'", "amount")
    known = view_parts(study)
    if part not in known:
        ids = ", ".join(v.id for v in study.views)
        what = (f"'{name}' is not a quantity of [product] (other units of analysis are [[view]] entries)"
                if head == "product" else f"the study has no view '{key}'")
        raise _fail(name, what, f"write view.<id> with one of: {ids}, or product.mass_per_declared_unit" if ids
                    else "add a [[view]] to the study, or change product.mass_per_declared_unit")
    return with_view_part(study, part, as_value(name, value, known[part].unit))


def _set(study: Study, table: str, hit: pl.Expr, col: str, ratio: float) -> Study:
    frame = getattr(study, table)
    return replace(study, **{table: frame.with_columns(
        pl.when(hit).then(pl.col(col) * ratio).otherwise(pl.col(col)).alias(col))})


def _reallocate(model: "Model", st: "State", before: Study, p: str) -> None:
    """A yield or output mass moves a mass or economic allocation: rescale the process's share."""
    from lca.engine.allocation import main_factors

    if p not in before.allocation.get_column("process").to_list():
        return
    old, new = (dict(main_factors(s).iter_rows()).get(p, 1.0) for s in (before, st.study))
    if old == new:
        return
    r = new / old
    base, t = model.base, model.system.technosphere
    own = ((base.get_column("process") == p) & ~base.get_column("origin").str.contains(" coproduct #")
           & model.keys.get_column("carries").is_null()).to_numpy()  # not the packaging of its shipped output
    st.amount[own & ~model.leg.to_numpy()] *= r
    # the inbound legs of its materials carry the allocated amounts (lca.engine.shipping)
    inbound = inbound_of(base, before.exchanges.filter(pl.col("process") == p).get_column("origin").to_list())
    st.amount[inbound] *= r
    st.shipped[inbound] *= r
    st.tech[((t.get_column("process") == p) & (t.get_column("role") == "input")).fill_null(False).to_numpy()
            & model.is_process_entry] *= r
    into = shipped_with(model, p, carries=("input",))  # its inputs' legs and packaging ship its (allocated) inputs
    st.amount[into] *= r
    st.shipped[into] *= r


def _changed_factor(lib, fid: str, r: float):
    """``lib`` with factor ``fid``'s value × ``r``: a derived library (own content hash, an extra layer name)."""
    import hashlib

    value = lib.factors.filter(pl.col("id") == fid).get_column("value")
    new = (value.cast(pl.Float64) * r).cast(value.dtype, strict=False)
    factors = lib.factors.with_columns(pl.when(pl.col("id") == fid).then(new.first()).otherwise(pl.col("value"))
                                       .alias("value"))
    digest = hashlib.sha256(f"{lib.content_hash}\0{fid}\0{float(new[0])!r}".encode()).hexdigest()
    return replace(lib, factors=factors, content_hash=digest, layers=(*lib.layers, f"Model.evaluate: {fid}"))
