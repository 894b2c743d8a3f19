"""The study's own words in the report: stage labels and order, the product noun, stage contents.

Nothing here knows what the product is: every word comes from the study's product profile
(``Footprint.stages``, ``[profile]``, see :mod:`lca.study.profile`) or is derived from the results
(what flows into a stage the study does not describe).

>>> spoken(["a", "b", "c"]), spoken(["a"]), spoken([])
('a, b and c', 'a', '')
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.report import charts, fmt

def look(fp: Any) -> charts.StageLook:
    """The study's stage labels and order (``Footprint.stages``), as the charts and tables show them."""
    st = fp.stages
    return charts.StageLook(dict(st.select("stage", "label").iter_rows()), tuple(st.get_column("stage")))


def stage_list(fp: Any, stages_df: pl.DataFrame) -> list[str]:
    """The stages with results, in the study's order (any other stage after them, by name)."""
    present = stages_df.get_column("stage").unique().to_list()
    order = fp.stages.get_column("stage").to_list()
    return [s for s in order if s in present] + sorted(s for s in present if s not in order)


def phrase(fp: Any, stage: str, category: str) -> str:
    """A stage (and flow category) inside a sentence: "lithiation and calcination electricity"."""
    label = look(fp).label(stage)
    label = label[0].lower() + label[1:] if label[1:2].islower() else label  # "calcination" but "NCMA"
    if category == stage or category == "transport":
        return label
    return f"{label} {fmt.category(category).lower()}"


#: Exclusions stated when the study lists none of its own: true of any cradle-to-gate study of this tool.
DEFAULT_EXCLUSIONS = (
    "Capital goods: buildings, production equipment, ships and trucks.",
    "End-of-life treatment of the packaging and of the product.",
    "Business travel, employee commuting, overheads and research.",
    "Warehousing and port handling between transport legs.",
)


def spoken(items: list[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}" if items else ""


def noun(fp: Any) -> str:
    """What one declared unit is of: the study's word for its product (``[profile] noun``)."""
    return fp.study.profile.noun


def contents(fp: Any, stage: str) -> str:
    """A stage's contents when the study describes none: what flows into it, from the results."""
    rows = fp.detail.filter(pl.col("stage") == stage)
    if stage == "transport":
        return "every freight leg between plants and to the customer, well-to-wheel"
    flows = rows.filter(pl.col("flow_category") == "materials").get_column("flow").unique(maintain_order=True)
    if stage == "raw_materials" and flows.len():
        return f"production of {spoken([fmt.humanise(f) for f in flows.to_list()])}, to the factory gate"
    procs = rows.get_column("process").unique(maintain_order=True).drop_nulls().to_list()
    return spoken([fmt.humanise(x) for x in procs]) if procs else "–"
