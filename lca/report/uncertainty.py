"""Report context for the uncertainty and sensitivity section.

Reads the object returned by ``lca.uncertainty.run_uncertainty`` by duck typing: any of
``summary``, ``differences``, ``sensitivity``, ``tornado``, ``breakeven`` (polars frames),
``iterations``, ``seed`` and ``draws_total`` (scenario → numpy array) may be missing or empty;
each part is shown only when present. Without an object, the section says plainly that no Monte
Carlo analysis was run and how to run one.

>>> uncertainty_context(None, None, {}, None)["ran"]
False
"""

from __future__ import annotations

from typing import Any

from lca.report import charts, fmt

HOW_TO = ("lca report --uncertainty", "lca uncertainty")


def _frame(obj: Any, name: str):
    f = getattr(obj, name, None)
    return f if f is not None and getattr(f, "height", 0) > 0 else None


def uncertainty_context(fp: Any, unc: Any, labels: dict[str, str], pair: tuple[str, str] | None) -> dict[str, Any]:
    """Display values of an uncertainty result, or the plain statement that none was run."""
    if unc is None:
        return {"ran": False, "how": HOW_TO}
    out: dict[str, Any] = {"ran": True, "how": HOW_TO, "iterations": fmt.exact(getattr(unc, "iterations", None) or 0),
                           "seed": getattr(unc, "seed", None), "totals": [], "interval_chart": None, "stages": [],
                           "differences": [], "sensitivity": [], "tornado": [], "breakeven": [], "histogram": None}
    lab = lambda s: labels.get(s, s)  # noqa: E731
    summ = _frame(unc, "summary")
    if summ is not None:
        tot = summ.filter(summ["stage"] == "total")
        out["totals"] = [{"label": lab(r["scenario"]), "mean": fmt.num(r["mean"]), "median": fmt.num(r["median"]),
                          "lo": fmt.num(r["p2_5"]), "hi": fmt.num(r["p97_5"]), "unit": fmt.unit(r["unit"]),
                          "point_at": _point_percentile(fp, unc, r["scenario"])}
                         for r in tot.iter_rows(named=True)]
        if tot.height:
            unit = tot["unit"][0]
            rows = [(lab(r["scenario"]), r["p2_5"], r["median"], r["p97_5"]) for r in tot.iter_rows(named=True)]
            out["interval_chart"] = charts.intervals(
                "fig-intervals", "Monte Carlo totals: median and 95 % interval",
                "Dot = median, line = 2.5th to 97.5th percentile, in " + fmt.unit(unit) + ". "
                + "; ".join(f"{r[0]}: {fmt.num(r[2])} ({fmt.num(r[1])} to {fmt.num(r[3])})" for r in rows) + ".",
                rows, unit)
        stages = summ.filter(summ["stage"] != "total")
        names = dict(fp.stages.select("stage", "label").iter_rows()) if fp is not None else {}
        out["stages"] = [{"label": lab(r["scenario"]), "stage": names.get(r["stage"]) or fmt.stage(r["stage"]),
                          "median": fmt.num(r["median"]),
                          "lo": fmt.num(r["p2_5"]), "hi": fmt.num(r["p97_5"])} for r in stages.iter_rows(named=True)]
    diff = _frame(unc, "differences")
    if diff is not None:
        out["differences"] = [{"a": lab(r["scenario_a"]), "b": lab(r["scenario_b"]), "mean": fmt.num(r["mean"], signed=True),
                               "median": fmt.num(r["median"], signed=True), "lo": fmt.num(r["p2_5"], signed=True),
                               "hi": fmt.num(r["p97_5"], signed=True), "prob": fmt.pct(r["prob_b_lower"], decimals=0),
                               "unit": fmt.unit(r["unit"]),
                               "sentence": _diff_sentence(r, lab) if pair is None or
                               (r["scenario_a"], r["scenario_b"]) == tuple(pair) else ""}
                              for r in diff.iter_rows(named=True)]
    sens = _frame(unc, "sensitivity")
    if sens is not None:
        s = sens.sort(["target", "spearman_r2", "input"], descending=[False, True, False])
        out["sensitivity"] = [{"target": lab(t) if "→" not in str(t) else str(t), "input": i, "r2": fmt.num(r2, 2)}
                              for t, i, r2 in s.select("target", "input", "spearman_r2").iter_rows()
                              if r2 is not None and r2 >= 0.01][:20]
    tor = _frame(unc, "tornado")
    if tor is not None:
        import polars as pl

        if pair is not None:  # the compared scenarios only, largest swings first, 8 each
            tor = tor.filter(pl.col("scenario").is_in(list(pair)))
        tor = (tor.with_columns((pl.col("high") - pl.col("low")).abs().alias("_swing"))
               .sort(["scenario", "_swing", "input"], descending=[False, True, False])
               .group_by("scenario", maintain_order=True).head(8))
        out["tornado"] = [{"label": lab(r["scenario"]), "input": r["input"], "low": fmt.num(r["low"]),
                           "high": fmt.num(r["high"]), "base": fmt.num(r["base"]), "unit": fmt.unit(r["unit"])}
                          for r in tor.iter_rows(named=True)]
    be = _frame(unc, "breakeven")
    if be is not None:
        out["breakeven"] = [{"a": lab(r["scenario_a"]), "b": lab(r["scenario_b"]), "parameter": r["parameter"],
                             "current": fmt.num(r["current"]), "breakeven": fmt.num(r["breakeven"]),
                             "unit": fmt.unit(r["unit"]), "note": r.get("note") or ""}
                            for r in be.iter_rows(named=True)]
    draws = getattr(unc, "draws_total", None)
    if draws and pair and all(s in draws for s in pair):
        out["histogram"] = _histogram(fp, unc, draws, pair, lab, diff,
                                      unit=str(summ["unit"][0]) if summ is not None else "")
    return out


#: an input's range counts as asymmetric around the study value when one side of its 95 % interval is
#: this many times longer than the other
ASYMMETRY = 1.5


def point_sentences(fp: Any, unc: Any, labels: dict[str, str], pair: tuple[str, str] | None) -> list[str]:
    """For the executive summary (#13 item 6): where each compared scenario's point estimate sits in
    its Monte Carlo distribution, its median and mean, and — when they are not centred on it — the
    most influential inputs whose ranges reach further on one side of the study value than the other.
    Empty without a Monte Carlo result (or for a partial one)."""
    import numpy as np
    import polars as pl

    summ, draws = _frame(unc, "summary"), getattr(unc, "draws_total", None) or {}
    if fp is None or summ is None:
        return []
    per = getattr(unc, "per", "declared_unit") if isinstance(getattr(unc, "per", None), str) else "declared_unit"
    tot = summ.filter(pl.col("stage") == "total")
    out = []
    for sid in (pair or tuple(fp.scenarios[:1])):
        row = tot.filter(pl.col("scenario") == sid)
        if row.height == 0 or sid not in draws:
            continue
        r = row.row(0, named=True)
        try:
            point = fp.total(sid, per=per).value
        except Exception:  # a fake or partial result object: say nothing rather than guess
            continue
        at = 100 * float(np.mean(np.asarray(draws[sid]) <= point))
        text = (f"For {labels.get(sid, sid)}, the point estimate ({fmt.qty(point, r['unit'])}) sits at the "
                f"{_ordinal(round(at))} percentile of the Monte Carlo distribution; median {fmt.num(r['median'])}, "
                f"mean {fmt.num(r['mean'])}")
        if point:
            text += (f" ({fmt.pct(r['median'] / point - 1, signed=True)} and "
                     f"{fmt.pct(r['mean'] / point - 1, signed=True)} from the point estimate)")
        skewed = _skewed_inputs(unc, sid)
        if skewed and abs(at - 50) >= 5:
            text += (f", because the ranges of {_and(skewed)} reach further "
                     f"{'above' if at < 50 else 'below'} the study values than "
                     f"{'below' if at < 50 else 'above'} them")
        out.append(text + ".")
    return out


def _skewed_inputs(unc: Any, scenario: str, n: int = 3) -> list[str]:
    """Up to ``n`` inputs of ``scenario``, most influential first (Spearman r²), whose 95 % interval is
    :data:`ASYMMETRY` times longer on one side of the study value than on the other."""
    import polars as pl

    inputs, sens = _frame(unc, "inputs"), _frame(unc, "sensitivity")
    if inputs is None or sens is None:
        return []
    skewed = set()
    for name, lo, cur, hi in inputs.select("input", "p2_5", "current", "p97_5").iter_rows():
        if None in (lo, cur, hi):
            continue
        down, up = cur - lo, hi - cur
        if min(down, up) <= 0 and max(down, up) > 0 or min(down, up) > 0 and max(down, up) / min(down, up) >= ASYMMETRY:
            skewed.add(name)
    ranked = (sens.filter((pl.col("target") == scenario) & pl.col("input").is_in(sorted(skewed)))
              .sort(["spearman_r2", "input"], descending=[True, False]))
    return [str(i).removeprefix("factor ") for i in ranked.get_column("input").head(n)]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _point_percentile(fp: Any, unc: Any, scenario: str) -> str:
    """Where the deterministic result sits among the draws (skewed inputs move it off the median)."""
    draws = (getattr(unc, "draws_total", None) or {}).get(scenario)
    if fp is None or draws is None or len(draws) == 0:
        return ""
    import numpy as np

    per = getattr(unc, "per", "declared_unit") if isinstance(getattr(unc, "per", None), str) else "declared_unit"
    try:
        point = fp.total(scenario, per=per).value
    except Exception:  # a fake or partial result object: say nothing rather than guess
        return ""
    return f"{100 * float(np.mean(np.asarray(draws) <= point)):.0f}"


def _diff_sentence(r: dict[str, Any], lab) -> str:
    p = r["prob_b_lower"]
    if p is None:
        return ""
    return (f"In {fmt.pct(p, decimals=0)} of the Monte Carlo runs {lab(r['scenario_b'])} has the lower footprint "
            f"(the 95 % interval of the difference is {fmt.num(r['p2_5'], signed=True)} to "
            f"{fmt.num(r['p97_5'], signed=True)}).")


def _histogram(fp: Any, unc: Any, draws: dict[str, Any], pair: tuple[str, str], lab, diff: Any,
               unit: str) -> dict[str, Any]:
    """The distribution of the paired differences (b) − (a) (common random numbers: draw i of each
    scenario comes from the same inputs), its marks and its data table."""
    import numpy as np

    from lca.report.charts_diff import distribution_chart

    a, b = pair
    d = np.asarray(draws[b], dtype=float) - np.asarray(draws[a], dtype=float)
    row = None
    if diff is not None:
        rows = diff.filter((diff["scenario_a"] == a) & (diff["scenario_b"] == b))
        row = rows.row(0, named=True) if rows.height else None
    med, lo, hi = ((row["median"], row["p2_5"], row["p97_5"]) if row is not None
                   else tuple(float(q) for q in np.quantile(d, (0.5, 0.025, 0.975))))
    per = getattr(unc, "per", "declared_unit") if isinstance(getattr(unc, "per", None), str) else "declared_unit"
    try:
        point = fp.total(b, per=per).value - fp.total(a, per=per).value
    except Exception:  # a fake or partial result object: no point estimate rather than a guess
        point = None
    below = float(np.count_nonzero(d < 0)) / max(d.size, 1)
    desc = (f"Histogram of {d.size} paired Monte Carlo differences, {lab(b)} minus {lab(a)}, in {fmt.unit(unit)}, as "
            f"the share of draws per bin. " + (f"Point estimate {fmt.num(point, signed=True)}; " if point is not None
                                               else "") +
            f"median {fmt.num(med, signed=True)}; 95 % interval {fmt.num(lo, signed=True)} to "
            f"{fmt.num(hi, signed=True)}; {fmt.pct(below, decimals=0)} of draws below zero ({lab(b)} lower).")
    chart, data = distribution_chart("fig-histogram", f"Distribution of the difference {lab(b)} − {lab(a)}", desc, d,
                                     point=point, median=med, p2_5=lo, p97_5=hi, a_label=lab(a), b_label=lab(b),
                                     unit=unit)
    marks = ([{"what": "Point estimate (deterministic result)", "value": fmt.num(point, signed=True)}]
             if point is not None else [])
    marks += [{"what": "Median of the draws", "value": fmt.num(med, signed=True)},
              {"what": "95 % interval, 2.5th percentile", "value": fmt.num(lo, signed=True)},
              {"what": "95 % interval, 97.5th percentile", "value": fmt.num(hi, signed=True)},
              {"what": f"Share of draws below zero ({lab(b)} lower)", "value": fmt.pct(below, decimals=1)}]
    e = list(data["edges"])
    e[0], e[-1] = min(e[0], float(d.min())), max(e[-1], float(d.max()))  # the end bins hold the tails
    bins = [{"from": fmt.num(lo_e, signed=True), "to": fmt.num(hi_e, signed=True), "draws": fmt.exact(c),
             "share": fmt.pct(c / max(d.size, 1), decimals=1)} for lo_e, hi_e, c in zip(e[:-1], e[1:], data["counts"])]
    return {"chart": chart, "a": lab(a), "b": lab(b), "unit": fmt.unit(unit), "marks": marks, "bins": bins,
            "n": fmt.exact(d.size)}
