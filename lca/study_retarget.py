"""Deliver a loaded study to another cell plant without re-reading any file.

``to = "cell_plant"`` in a scenario's transport is resolved when the study is built (the legs
come from the inline ``legs`` or from the route ``from → cell plant``). To deliver to another
site, only those transport elements change; every other part of the study — including changes a
caller made in memory (``dataclasses.replace`` on exchanges, yields, method, …) — must stay as
it is. So the study keeps a *resolver* (:func:`transport_resolver`: the scenario entries and
routes it was built from) and :func:`with_cell_plant` swaps in the re-resolved elements only.

>>> from lca.resources import default_study_path
>>> from lca.study import load_study
>>> s = load_study(default_study_path())
>>> h = s.with_cell_plant("holland")
>>> h.cell_plant, sorted(set(h.transport["to_site"]) - set(s.transport["to_site"]))
('holland', ['holland'])
"""

from __future__ import annotations

import copy
from functools import partial
from typing import Any, Callable, Mapping, Sequence

import polars as pl

from lca.errors import Problem, StudyError

#: ``resolver(plant)`` → the transport frame the loader builds for that cell plant.
Resolver = Callable[[str | None], pl.DataFrame]
_ELEMENT = ["scenario", "element"]


def transport_resolver(entries: Sequence[Mapping[str, Any]], routes: Mapping, site_ids: set[str],
                       process_ids: set[str], ratio: float, file: str) -> Resolver:
    """A picklable function of the cell plant giving the loader's transport frame for it.

    The entries are copied, so later changes to the caller's dict do not leak into the study.
    """
    return partial(_resolve, copy.deepcopy(list(entries)), copy.deepcopy(dict(routes)), frozenset(site_ids),
                    frozenset(process_ids), ratio, file)


def _resolve(entries, routes, site_ids, process_ids, ratio, file, plant: str | None) -> pl.DataFrame:
    from lca.study_scenarios import _scenarios

    _scen, _steps, transport, _mixes, problems = _scenarios(entries, routes, plant, set(site_ids),
                                                            set(process_ids), ratio, file)
    if problems:
        raise StudyError(problems)
    return transport


def with_cell_plant(study, plant: str):
    """``study`` delivering to ``plant``: transport elements bound for the cell plant are re-resolved
    (route ``from → plant``, or the same inline legs), everything else is the study as given.

    An in-memory packaging factor of a re-routed element is kept; its legs (distances, modes) are
    the new route's. Raises :class:`~lca.errors.StudyError` naming the study if ``plant`` is not a
    site or a route to it is missing.
    """
    from dataclasses import replace

    if plant == study.cell_plant:
        return study
    file = str(study.path or "study")
    sites = study.sites.get_column("id").to_list()
    if plant not in sites:
        raise StudyError(Problem(f"cell plant '{plant}' is not a site", file=file, table="study", column="cell_plant",
                                 hint="use one of: " + ", ".join(sorted(sites))))
    resolver = study.transport_for
    if resolver is None:
        raise StudyError(Problem("this study object carries no scenario transport entries, so it cannot be "
                                 "delivered to another cell plant", file=file,
                                 hint="build it with load_study, study_from_dict or study_from_frames"))
    new = resolver(plant)
    old = resolver(study.cell_plant) if study.cell_plant is not None else new

    def dest(t: pl.DataFrame, name: str) -> pl.DataFrame:
        return t.group_by(_ELEMENT).agg(pl.col("to_site").first().alias(name))

    moved = (dest(old, "a").join(dest(new, "b"), on=_ELEMENT).filter(pl.col("a") != pl.col("b"))
             .select(_ELEMENT))
    if moved.height == 0:
        return replace(study, cell_plant=plant)
    mem = study.transport
    kept = mem.join(moved, on=_ELEMENT, how="anti")
    pf = (mem.join(moved, on=_ELEMENT, how="semi").group_by(_ELEMENT)
          .agg(pl.col("packaging_factor").first().alias("_pf")))
    added = (new.join(moved, on=_ELEMENT, how="semi").join(pf, on=_ELEMENT, how="left")
             .with_columns(pl.coalesce("_pf", "packaging_factor").alias("packaging_factor"))
             .select(mem.columns))
    # keep the loader's element order (elements added in memory go last, in their order)
    order = pl.concat([new.select(_ELEMENT), mem.select(_ELEMENT)]).unique(maintain_order=True).with_row_index("_o")
    transport = (pl.concat([kept, added.cast(mem.schema)]).join(order, on=_ELEMENT, how="left")
                 .sort("_o", "leg", maintain_order=True).drop("_o"))
    return replace(study, cell_plant=plant, transport=transport)
