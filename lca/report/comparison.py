"""The headline comparison of the report, (a) → (b): the per-stage table and difference chart, the
scenarios against the baseline, and the contribution analysis of both (largest contributors and what
differs between them).

Moved out of :mod:`lca.report.context` (which calls these builders) to keep each module about one
part of the report; the values are the same display-ready strings as before.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.report import charts, fmt
from lca.report.words import look as _look, phrase as _phrase


def diff_by(fp: Any, a: str, b: str, *keys: str) -> pl.DataFrame:
    """b − a by ``keys`` (missing groups count as zero)."""
    x = fp.by(*keys).filter(pl.col("scenario").is_in([a, b]))
    w = x.pivot(on="scenario", index=list(keys), values="value")
    for c in (a, b):
        w = w.with_columns(pl.col(c).fill_null(0.0)) if c in w.columns else w.with_columns(pl.lit(0.0).alias(c))
    return w.with_columns((pl.col(b) - pl.col(a)).alias("diff"), pl.col(a).alias("a"), pl.col(b).alias("b"))


def comparison(fp: Any, pair, labels, unc: Any = None) -> dict[str, Any] | None:
    from lca.report.charts_diff import difference_chart, difference_data, interval_text

    if pair is None:
        return None
    a, b = pair
    cmp = fp.compare(a, b)
    unit = cmp.get_column("unit")[0]
    rows = [{"stage": _look(fp).label(r["stage"]), "a": fmt.num(r["a"]), "b": fmt.num(r["b"]),
             "diff": fmt.num(r["difference"], signed=True),
             "pct": "–" if r["pct"] is None else fmt.pct(r["pct"] / 100, signed=True),
             "total": r["stage"] == "total"} for r in cmp.iter_rows(named=True)]
    data = difference_data(fp, pair, labels, _look(fp), unc)
    interval = interval_text(data["interval"], data["interval_note"])
    chart = difference_chart(
        "fig-difference", f"Difference from {labels[a]} to {labels[b]}, by stage",
        f"Bars from zero, in {fmt.unit(unit)}, {labels[b]} minus {labels[a]}: "
        + "; ".join(f"{s['label']} " + ("no change" if s["change"] == "no change" else
                                        fmt.num(s["difference"], signed=True)) for s in data["stages"])
        + f". Total difference {fmt.num(data['total']['difference'], signed=True)}; {interval}.", data)
    totals = fp.totals()
    base = totals.filter(pl.col("scenario") == a).get_column("value")[0]
    against = [{"label": labels[r["scenario"]], "value": fmt.num(r["value"]), "diff": fmt.num(r["value"] - base, signed=True),
                "pct": fmt.pct((r["value"] - base) / base, signed=True) if base else "–", "is_base": r["scenario"] == a}
               for r in totals.iter_rows(named=True)]
    return {"a_label": labels[a], "b_label": labels[b], "unit": fmt.unit(unit), "rows": rows, "chart": chart,
            "against": against, "interval": interval, "has_interval": data["interval"] is not None}


def contributions(fp: Any, pair, labels) -> dict[str, Any]:
    sids = list(pair) if pair else fp.scenarios[:1]
    unit = fp.scale("declared_unit")[1]
    site_names = dict(fp.study.sites.select("id", "name").iter_rows())
    tables, sentences = [], []
    for sid in sids:
        top = fp.top_contributors(sid, n=8)
        items = [(f"{_look(fp).label(r['stage'])}: {fmt.humanise(r['flow'])} "  # the site's name, never its id
                  f"({str(site_names.get(r['site']) or r['site']).split(' — ')[0]})", r["value"], r["stage"],
                  r["share"]) for r in top.iter_rows(named=True)]
        tables.append({"label": labels[sid], "rows": [
            {"stage": _look(fp).label(r["stage"]), "flow": fmt.humanise(r["flow"]), "category": fmt.category(r["flow_category"]),
             "site": str(site_names.get(r["site"]) or r["site"]).split(" — ")[0], "value": fmt.num(r["value"]),
             "share": fmt.pct(r["share"])} for r in top.iter_rows(named=True)]})
        if sid == sids[0]:
            chart = charts.contribution_bars(
                "fig-contrib", f"Largest contributors: {labels[sid]}",
                f"Horizontal bars of the eight largest contributions to {labels[sid]}, in {fmt.unit(unit)}: "
                + "; ".join(f"{lab} {fmt.num(v)} ({fmt.pct(sh)})" for lab, v, _, sh in items) + ".", items, unit,
                look=_look(fp))
        first = top.row(0, named=True)
        sentences.append(f"In {labels[sid]}, the largest single contributor is {fmt.humanise(first['flow'])} in "
                         f"{_phrase(fp, first['stage'], first['stage'])} at {str(site_names.get(first['site']) or first['site']).split(' — ')[0]}: "
                         f"{fmt.pct(first['share'])} of the total ({fmt.qty(first['value'], unit)}).")
    if pair:
        a, b = pair
        d = diff_by(fp, a, b, "stage")
        ta = fp.total(a).value
        changed = d.filter(pl.col("diff").abs() > 1e-12 * max(abs(ta), 1e-30))
        steps = fp.study.steps
        moved = (steps.filter(pl.col("scenario") == a).join(steps.filter(pl.col("scenario") == b), on="process",
                                                             suffix="_b")
                 .filter(pl.col("site") != pl.col("site_b")))
        if changed.height and d.height > changed.height:
            share = changed.get_column("a").sum() / ta if ta else 0.0
            names = [_phrase(fp, s, s) for s in changed.get_column("stage")]
            what = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            moved_txt = (" Of the processes, only " + ", ".join(fmt.humanise(p) for p in moved.get_column("process"))
                         + " changes site; the other differences follow from that move.") if moved.height else ""
            # a bound holds in one direction only: removing these parts entirely lowers the total by their
            # share, while nothing bounds how much they (and so the total) could grow
            tb = fp.total(b).value
            change = fmt.pct((tb - ta) / ta, signed=True) if ta else "–"
            sentences.append(f"Between {labels[a]} and {labels[b]} only {what} differ; in {labels[a]} these make "
                             f"up {fmt.pct(share)} of the total, so changing them can lower the total by at most "
                             f"{fmt.pct(share)} (if they fell to zero) but could raise it by any amount; here the "
                             f"total changes by {change}. The other {fmt.pct(1 - share)} is the same in both."
                             f"{moved_txt}")
    return {"chart": chart, "tables": tables, "sentences": sentences, "unit": fmt.unit(unit)}
