"""Whether a view's results stay finite: the check :meth:`Footprint.scale
<lca.results.Footprint.scale>` makes before it multiplies totals into a view.

A view's multiplier is built from study entries (a pack's capacity, a supply volume…); a wrong
entry can make it so large that a total times it overflows to infinity. The check names the
scenario, the total, the entries the multiplier is made of and the largest contribution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from lca.errors import LcaInputError, Problem

if TYPE_CHECKING:
    from lca.results.footprint import Footprint
    from lca.study.profile import View


def largest_total(detail: pl.DataFrame) -> tuple[str, float, str]:
    """``(scenario, sum of |contributions|, origin of its largest contribution)`` of the largest scenario."""
    if detail.height == 0:
        return "", 0.0, ""
    sums = (detail.group_by("scenario", maintain_order=True)
            .agg(pl.col("value").abs().sum().alias("total"),
                 pl.col("origin").sort_by(pl.col("value").abs(), descending=True).first().alias("largest"))
            .sort("total", descending=True, maintain_order=True))
    sid, total, largest = sums.row(0)
    return str(sid), float(total), str(largest)


def check_view(fp: "Footprint", view: "View", mult: float) -> None:
    """The largest total (sum of |contributions|) times the view's multiplier must stay finite;
    raises :class:`~lca.errors.LcaInputError` naming the study entries behind the multiplier."""
    from lca.study.profile import blamed_part, parts_text

    sid, top, largest = fp._largest_total
    if top * mult < float("inf"):
        return
    table, key = blamed_part(view.parts)
    raise LcaInputError(Problem(
        f"per-{view.id} results overflow: scenario '{sid}' totals {top:g} kg CO2e per declared unit and the "
        f"per-{view.id} multiplier, made of {parts_text(view.parts)}, is {mult:g} (the largest "
        f"contribution comes from {largest})", file=fp.study.source, table=table, column=key,
        hint="check these values and the amounts behind the total; results per declared unit are unaffected"))
