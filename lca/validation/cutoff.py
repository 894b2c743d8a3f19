"""The cut-off rule: declared exclusions must stay within the study's cut-off (default: PACT's 1 % each,
3 % together), as computed by :mod:`lca.results.screening`. One problem per exclusion over the limit
(named at its ``[[exclusion]]`` entry, every scenario where it is over) and one for a total over it
(named at ``[cutoff]``, with the list of exclusions and their shares)."""

from __future__ import annotations

import polars as pl

from lca.errors import Problem

_EPS = 1e-12
HINT = ("model the flow inside the boundary, or give a lower estimate with a cited source; a study may "
        "declare another [cutoff] each / total, but PACT's methodology allows at most 1 % each and 3 % together")


def _pct(x: float | None) -> str:
    return "n/a (footprint not positive)" if x is None else f"{100 * x:.2f} %"


def cutoff_problems(fp, file: str | None, scenarios: list[str] | None = None) -> list[Problem]:
    """Every exclusion and scenario total of ``fp`` over the study's cut-off; [] when within.
    ``scenarios``: only these (an export of one scenario answers for that one)."""
    ex, tot = fp.exclusions, fp.exempted
    if scenarios is not None:
        ex, tot = ex.filter(pl.col("scenario").is_in(scenarios)), tot.filter(pl.col("scenario").is_in(scenarios))
    if ex.height == 0:
        return []
    each, total = fp.study.cutoff
    origins = {e: (o, k) for e, o, k in fp.study.exclusions.select("exclusion", "origin", "key").iter_rows()}
    problems = []
    over = ex.filter(pl.col("share").is_null() | (pl.col("share") > each + _EPS))
    for (eid,), g in over.group_by("exclusion", maintain_order=True):
        where = ", ".join(f"{s} {_pct(v)}" for s, v in g.select("scenario", "share").iter_rows())
        problems.append(Problem(f"exclusion '{eid}' is over the cut-off of {100 * each:g} % each: {where}",
                                file=file, table=origins.get(eid, (f"exclusion '{eid}'",))[0],
                                column=origins.get(eid, (None, "estimate"))[1],
                                hint=HINT))
    for sid, share in tot.filter(pl.col("exempted_share") > total + _EPS).select("scenario", "exempted_share").iter_rows():
        parts = ", ".join(f"{e} {_pct(v)}" for e, v in ex.filter(pl.col("scenario") == sid)
                          .select("exclusion", "share").iter_rows())
        problems.append(Problem(f"the exclusions of scenario '{sid}' add up to {_pct(share)}, over the cut-off of "
                                f"{100 * total:g} % together ({parts})", file=file, table="cutoff", column="total",
                                hint=HINT))
    return problems
