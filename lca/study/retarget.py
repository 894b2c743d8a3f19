"""Deliver a study to another cell plant from the study's *current* data, without re-reading any file.

``to = "cell_plant"`` in a scenario's transport is resolved when the study is built (the legs come
from the inline ``legs`` or from the route ``from → cell plant``). To deliver to another site only
those transport elements change; every other part of the study stays exactly as the caller holds
it. The study therefore keeps its scenarios' transport entries as plain data — the *transport
plan* (:func:`transport_plan`: one row per element, its ``to`` as written) — and
:func:`with_cell_plant` resolves the moving elements at call time against the study's current
``routes`` frame and ``product`` (``shipped_mass_ratio``). Nothing is captured at load: a study
changed with ``dataclasses.replace`` (routes, product, transport) is priced as changed.

>>> from lca.resources import default_study_path
>>> from lca.study import load_study
>>> s = load_study(default_study_path())
>>> h = s.with_cell_plant("holland")
>>> h.cell_plant, sorted(set(h.transport["to_site"]) - set(s.transport["to_site"]))
('holland', ['holland'])
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import polars as pl

from lca.errors import Problem, StudyError

_ELEMENT = ["scenario", "element"]
CELL_PLANT = "cell_plant"
#: One row per transport element of a system scenario: ``to`` as written (``cell_plant`` or a site),
#: whether it gives its own legs, its own packaging factor (null: the product's shipped_mass_ratio)
#: and the packaging factor it was built with (to tell an in-memory edit of the transport frame).
PLAN_SCHEMA = {"scenario": pl.String, "element": pl.Int64, "goods": pl.String, "from_site": pl.String,
               "to": pl.String, "inline": pl.Boolean, "packaging_factor": pl.Float64,
               "built_packaging_factor": pl.Float64}
#: The columns of the routes frame a re-targeted element's legs are read from.
_ROUTE_COLUMNS = ("from_site", "to_site", "leg", "mode", "distance", "distance_unit", "factor", "primary", "origin")
#: provenance of a leg (:mod:`lca.study.provenance`): optional in a routes frame replaced in memory
_PROVENANCE = ("source", "dqr_technological", "dqr_geographical", "dqr_temporal", "dqr_completeness",
               "dqr_reliability")


def transport_plan(entries: Sequence[Mapping[str, Any]], ratio: float) -> pl.DataFrame:
    """The transport elements of the (already validated) ``[[scenario]]`` entries as plain data."""
    rows = []
    for e in entries:
        if "mix" in e:
            continue
        for k, t in enumerate(e.get("transport", []), 1):
            own = t.get("packaging_factor")
            rows.append({"scenario": e.get("id"), "element": k, "goods": t.get("goods"), "from_site": t.get("from"),
                         "to": t.get("to"), "inline": t.get("legs") is not None,
                         "packaging_factor": None if own is None else float(own),
                         "built_packaging_factor": float(ratio if own is None else own)})
    return pl.DataFrame(rows, schema=PLAN_SCHEMA)


def _route_legs(study, file: str) -> pl.DataFrame:
    """The study's current routes frame, in travel order; a frame replaced in memory is checked."""
    routes = study.routes
    missing = [c for c in _ROUTE_COLUMNS if c not in routes.columns]
    if missing:
        raise StudyError(Problem(f"the study's routes frame has no column '{missing[0]}'", file=file, table="routes",
                                 column=missing[0], hint="replace routes with a frame of the same columns "
                                                         "(see lca.study.routes.LEG_SCHEMA)"))
    from lca.study.provenance import with_provenance

    return with_provenance(routes.select(*_ROUTE_COLUMNS, *[c for c in _PROVENANCE if c in routes.columns]))


def with_current_packaging(study):
    """``study`` whose transport carries the packaging factors of its *current* data: an element's own
    ``packaging_factor``, else the current ``product.shipped_mass_ratio`` — unless the transport frame
    itself was changed in memory (that edit wins). A study changed with ``dataclasses.replace(study,
    product=…)`` is then priced as changed, as :func:`with_cell_plant` does for another cell plant
    (before, the ratio read at load time stayed in the transport frame and the change was ignored).
    """
    from dataclasses import replace

    plan, mem = study.transport_plan, study.transport
    if plan is None or mem is None or mem.height == 0:
        return study
    first_pf = mem.group_by(_ELEMENT).agg(pl.col("packaging_factor").first().alias("_mem_pf"))
    pf = plan.join(first_pf, on=_ELEMENT, how="inner").select(
        *_ELEMENT, pl.when(pl.col("_mem_pf") != pl.col("built_packaging_factor")).then(pl.col("_mem_pf"))
        .otherwise(pl.coalesce("packaging_factor", pl.lit(float(study.product.shipped_mass_ratio)))).alias("_pf"))
    new = (mem.join(pf, on=_ELEMENT, how="left", maintain_order="left")
           .with_columns(pl.coalesce("_pf", "packaging_factor").alias("packaging_factor")).select(mem.columns))
    return study if new.equals(mem) else replace(study, transport=new)


def with_cell_plant(study, plant: str):
    """``study`` delivering to ``plant``: transport elements bound for the cell plant are re-resolved
    from the study's current data, everything else is the study as given.

    * an element with inline legs keeps its legs as they are in memory (only ``to_site`` changes);
    * an element without legs takes the legs of the current ``routes`` frame ``from → plant``;
    * its packaging factor is the one in the transport frame if that was changed in memory, else
      the element's own ``packaging_factor``, else the current ``product.shipped_mass_ratio``.

    Raises :class:`~lca.errors.StudyError` naming ``study.source`` if ``plant`` is not a site or
    a route to it is missing (located at the transport element, like the loader).
    """
    from dataclasses import replace

    if plant == study.cell_plant:
        return study
    file = study.source
    sites = study.sites.get_column("id").to_list()
    if plant not in sites:
        raise StudyError(Problem(f"cell plant '{plant}' is not a site", file=file, table="study", column="cell_plant",
                                 hint="use one of: " + ", ".join(sorted(sites))))
    plan = study.transport_plan
    if plan is None:
        raise StudyError(Problem("this study object carries no scenario transport entries, so it cannot be "
                                 "delivered to another cell plant", file=file,
                                 hint="build it with load_study, study_from_dict or study_from_frames"))
    mem = study.transport
    # elements bound for the cell plant that the study (as held in memory) still has
    moving = plan.filter(pl.col("to") == CELL_PLANT).join(mem.select(_ELEMENT).unique(), on=_ELEMENT, how="semi")
    if moving.height == 0:
        return replace(study, cell_plant=plant)
    first_pf = mem.group_by(_ELEMENT).agg(pl.col("packaging_factor").first().alias("_mem_pf"))
    moving = moving.join(first_pf, on=_ELEMENT, how="left").with_columns(
        pl.when(pl.col("_mem_pf") != pl.col("built_packaging_factor")).then(pl.col("_mem_pf"))  # edited in memory
        .otherwise(pl.coalesce("packaging_factor", pl.lit(float(study.product.shipped_mass_ratio))))
        .alias("_pf"))
    inline = (mem.join(moving.filter(pl.col("inline")).select(*_ELEMENT, "_pf"), on=_ELEMENT, how="inner")
              .with_columns(pl.lit(plant).alias("to_site"), pl.col("_pf").alias("packaging_factor"))
              .select(mem.columns))
    routed = moving.filter(~pl.col("inline"))
    legs = _route_legs(study, file)
    have = legs.filter(pl.col("to_site") == plant).select("from_site").unique()
    lost = routed.join(have, on="from_site", how="anti")
    if lost.height:
        raise StudyError([Problem(f"no route from '{src}' to '{plant}'", file=file,
                                  table=f"scenario '{sid}' transport #{k}",
                                  hint="add legs = [...] here or a [[route]] with these ends")
                          for sid, k, src in lost.select("scenario", "element", "from_site").iter_rows()])
    added = (routed.select(*_ELEMENT, "goods", "from_site", "_pf")
             .join(legs.filter(pl.col("to_site") == plant), on="from_site", how="inner")
             .with_columns(pl.col("_pf").alias("packaging_factor"))
             .with_columns(pl.format("scenario '{}' transport #{} leg #{} ({})", "scenario", "element", "leg",
                                     "origin").alias("origin"))
             .select(mem.columns))
    changed = pl.concat([inline, added.cast(mem.schema)])
    # keep the order of the study's elements (scenario by scenario, element by element)
    order = mem.select(_ELEMENT).unique(maintain_order=True).with_row_index("_o")
    transport = (pl.concat([mem.join(moving, on=_ELEMENT, how="anti"), changed])
                 .join(order, on=_ELEMENT, how="left").sort("_o", "leg", maintain_order=True).drop("_o"))
    return replace(study, cell_plant=plant, transport=transport)
