"""Units of analysis taken from another study: ``[[view]] from_study``.

A component study's per-kWh and per-vehicle results need two numbers that belong to the product the
component goes into: how much of the component one unit of that product holds, and how much of that
product one vehicle holds. Both are data of the *other* study, so a view may name it instead of
repeating its numbers:

.. code-block:: toml

    [[view]]
    id = "kWh"
    label = "per kWh of cell capacity"
    per = "kWh"
    from_study = "ncma-pouch-na.toml"   # amount = what that study takes of THIS product per its declared unit

    [[view]]
    id = "vehicle"
    of = "kWh"
    per = "vehicle"
    from_study = "ncma-pouch-na.toml"
    from_view = "vehicle"               # amount = that study's view 'vehicle' in its declared unit

* ``from_study`` is a path relative to this study's folder; if there is no such file, the name of a
  study shipped with ``lca`` (``lca/studies``), so a copy of a shipped study keeps its links.
* Without ``from_view``: the other study's exchanges that take this study's product — a supplier
  footprint (``supplier_footprint``) whose product ids include one of this study's ``product_ids`` —
  summed per declared unit of the other study (each ÷ its process's yield, scaled from the process
  output to the declared unit; the process must be stated in the declared unit's dimension).
* With ``from_view``: that view's multiplier × the other study's declared unit (e.g. 71.4 kWh).

``amount`` is refused beside ``from_study`` (one source per number); a view without ``from_study``
keeps its own ``amount``, the documented default. The resolved entry gets an ``amount`` and, unless
given, a ``basis`` naming the study it came from; the other study's file joins this study's input
hashes. A study that links back to one being loaded is refused (a cycle).
"""

from __future__ import annotations

import contextvars
import hashlib
from pathlib import Path
from typing import Any, Mapping

from lca.errors import Problem, StudyError

#: study files being loaded through from_study links (cycle guard)
_LOADING: contextvars.ContextVar[tuple[Path, ...]] = contextvars.ContextVar("lca_linked_loading", default=())
LINK_KEYS = ("from_study", "from_view")


def link_views(entries: Any, *, base: Path, file: str, product_ids: tuple[str, ...],
               hashes: dict[str, str]) -> Any:
    """``[[view]]`` entries with every ``from_study`` resolved to an ``amount`` (other entries unchanged)."""
    if not isinstance(entries, list) or not any(isinstance(e, Mapping) and "from_study" in e for e in entries):
        return entries
    out: list[Any] = []
    problems: list[Problem] = []
    for i, e in enumerate(entries, 1):
        if not isinstance(e, Mapping) or "from_study" not in e:
            if isinstance(e, Mapping) and "from_view" in e:
                problems.append(Problem("from_view needs from_study", file=file, table=f"view #{i}",
                                        column="from_view", hint='add from_study = "<the other study>.toml"'))
            out.append(e)
            continue
        table = f"view '{e.get('id', i)}'"
        try:
            amount, basis = _resolve(e, base=base, file=file, table=table, product_ids=product_ids, hashes=hashes)
        except StudyError as exc:
            problems += exc.problems
            continue
        entry = {k: v for k, v in e.items() if k not in LINK_KEYS}
        entry["amount"] = amount
        entry.setdefault("basis", basis)
        out.append(entry)
    if problems:
        raise StudyError(problems)
    return out


def _resolve(e: Mapping[str, Any], *, base: Path, file: str, table: str, product_ids: tuple[str, ...],
             hashes: dict[str, str]) -> tuple[str, str]:
    from lca.study.load import load_study

    ref = e["from_study"]
    if "amount" in e:
        raise StudyError(Problem("give amount or from_study, not both", file=file, table=table, column="amount",
                                 hint="from_study takes the amount from the other study; drop amount"))
    if not isinstance(ref, str) or not ref.strip():
        raise StudyError(Problem("from_study must be a study file name", file=file, table=table,
                                 column="from_study"))
    from lca.resources import shipped_study

    path = (base / ref).resolve()
    if not path.is_file():  # a study shipped with lca, by name: copies of a shipped study keep their links
        shipped = shipped_study(ref)
        if shipped is None:
            raise StudyError(Problem(f"study file '{ref:.100}' not found", file=file, table=table,
                                     column="from_study", hint=f"a path relative to the study file's folder "
                                                               f"({base}), or the name of a shipped study"))
        path = shipped.resolve()
    stack = _LOADING.get()
    if path in stack:
        raise StudyError(Problem(f"from_study '{ref:.100}' links back to a study being loaded (a cycle)",
                                 file=file, table=table, column="from_study"))
    token = _LOADING.set(stack + (path,))
    try:
        other = load_study(path)
    except StudyError as exc:
        raise StudyError([Problem(f"in from_study '{ref:.100}': {p.message}", file=file, table=table,
                                  column="from_study", hint=p.hint) for p in exc.problems]) from None
    finally:
        _LOADING.reset(token)
    hashes[f"linked study {path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    du = other.product.declared_unit
    view_id = e.get("from_view")
    if view_id is not None:
        view = next((v for v in other.views if v.id == view_id), None)
        if view is None:
            raise StudyError(Problem(f"study '{ref:.100}' has no view '{view_id!s:.60}'", file=file, table=table,
                                     column="from_view",
                                     hint="use one of: " + (", ".join(v.id for v in other.views) or "(none)")))
        value = view.multiplier * du.value
        return f"{value!r} {du.unit}", f"{value:g} {_shown(du.unit)} per {view.per} in study {other.id}"
    value, unit = _amount_of_product(other, product_ids, file=file, table=table, ref=ref)
    per = str(du)[2:] if str(du).startswith("1 ") else str(du)  # "per kWh", not "per 1 kWh"
    return f"{value!r} {unit}", f"{value:g} {_shown(unit)} per {per} in study {other.id}"


def _shown(unit: Any) -> str:
    """A unit as readers write it in the label (m², not m^2); the amount itself keeps the pint spelling."""
    return str(unit).replace("^2", "²").replace("^3", "³").replace("**2", "²").replace("**3", "³")


def _amount_of_product(other: Any, product_ids: tuple[str, ...], *, file: str, table: str,
                       ref: str) -> tuple[float, str]:
    """What ``other`` takes of the product ``product_ids`` per its declared unit, in the exchanges' unit."""
    import polars as pl

    from lca.units import conversion_factor, unit_info

    sup = other.supplier_footprints
    ours = set(product_ids)
    flows = [f for f, ids in zip(sup.get_column("flow").to_list(), sup.get_column("product_ids").to_list())
             if ours & {x.strip() for x in str(ids or "").split(",")}]
    rows = other.exchanges.filter(pl.col("flow").is_in(flows)).join(
        other.processes.select(pl.col("id").alias("process"), "output_amount", "output_unit", "yield"),
        on="process", how="left")
    if not ours or rows.height == 0:
        raise StudyError(Problem(f"study '{ref:.100}' takes no supplier footprint of this product "
                                 f"({', '.join(sorted(ours)) or 'no [study] product_ids'})", file=file, table=table,
                                 column="from_study",
                                 hint="its exchange must name this product's PACT footprint (supplier_footprint), "
                                      "or give amount here instead"))
    du = other.product.declared_unit
    units = set(rows.get_column("unit").to_list())
    if len(units) != 1:
        raise StudyError(Problem(f"study '{ref:.100}' takes this product in several units ({', '.join(sorted(units))})",
                                 file=file, table=table, column="from_study"))
    total = 0.0
    for out_amount, out_unit, y, amount in rows.select("output_amount", "output_unit", "yield", "amount").iter_rows():
        if unit_info(out_unit).dimension != unit_info(du.unit).dimension:
            raise StudyError(Problem(f"study '{ref:.100}': the process taking this product is stated per {out_unit}, "
                                     f"not in its declared unit's dimension ({du.unit})", file=file, table=table,
                                     column="from_study", hint="give amount here instead"))
        per_du = du.value * conversion_factor(du.unit, out_unit) / out_amount
        total += amount / (y or 1.0) * per_du
    return total, units.pop()
