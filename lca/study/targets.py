"""What a change or an uncertainty entry can target in a study's views, and hints built from the study.

:meth:`Model.evaluate <lca.results.Model.evaluate>` and ``[[uncertainty]]`` entries name study values
by target (``view.kWh``, ``product.mass_per_declared_unit``, ``process.<process>.<flow>``); the view
targets are resolved here, once for both, from the views of :mod:`lca.study.profile`.
"""

from __future__ import annotations

from typing import Any

from lca.errors import Problem, StudyError
from lca.study.parse import Quantity
from lca.study.profile import kg_view, part_name, range_problems

__all__ = ["view_parts", "view_exponents", "with_view_part", "example_target"]


def view_parts(study: Any) -> dict[tuple[str, str], Quantity]:
    """Every study entry a view's multiplier is made of (but the declared unit), by ``(table, key)``:
    ``("product", "mass_per_declared_unit")`` (the per-kg view) and ``("view '<id>'", "amount")``."""
    return {(t, k): q for v in (kg_view(study.product), *study.views) for t, k, q in v.parts if k != "declared_unit"}


def view_exponents(study: Any, key: tuple[str, ...]) -> dict[str, int]:
    """view id → exponent of the entry ``key`` (see :func:`view_parts`) in that view's multiplier
    (absent: the view does not depend on it). A view's amount counts declared units per view unit
    (exponent 1, in it and every view built on it); the mass per declared unit divides (per kg: -1)."""
    sign = -1 if key == ("product", "mass_per_declared_unit") else 1
    return {v.id: sign for v in (kg_view(study.product), *study.views) if key in [(t, k) for t, k, _ in v.parts]}


def with_view_part(study: Any, key: tuple[str, str], value: float) -> Any:
    """``study`` with the view entry ``key`` (:func:`view_parts`) set to ``value`` in its unit: the
    product's mass per declared unit, or a view's amount — that view and the views built on it get
    their new multiplier (the others are unchanged). A multiplier out of float range is a located error."""
    from dataclasses import replace

    old = view_parts(study)[key]
    new = Quantity(float(value), old.unit)
    if key == ("product", "mass_per_declared_unit"):
        return replace(study, product=replace(study.product, mass_per_declared_unit=new))
    if not new.value > 0:
        raise StudyError(Problem(f"{part_name(*key)} must be > 0, got {new}", file=study.source, table=key[0],
                                 column=key[1], hint="write a positive amount"))
    r = new.value / old.value
    exps = view_exponents(study, key)
    views = tuple(replace(v, multiplier=v.multiplier * r ** exps[v.id],
                          parts=tuple((t, k, new if (t, k) == key else q) for t, k, q in v.parts))
                  if v.id in exps else v for v in study.views)
    problems = range_problems(views, study.source)
    if problems:
        raise StudyError(problems)
    return replace(study, views=views)


def example_target(study: Any) -> str:
    """A target name taken from the user's own study, for hints: its first process and that
    process's first exchange (``process.<process>.<flow or input>``), else a generic pattern."""
    procs = study.processes.get_column("id").to_list()
    if not procs:
        return "process.<process>.<flow>"
    ex = study.exchanges
    mine = [f or i for p, f, i in ex.select("process", "flow", "input").iter_rows() if p == procs[0] and (f or i)]
    return f"process.{procs[0]}.{mine[0]}" if mine else f"process.{procs[0]}.yield"
