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
        out["histogram"] = _histogram(draws, pair, lab, unit=str(summ["unit"][0]) if summ is not None else "")
    return out


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


def _histogram(draws: dict[str, Any], pair: tuple[str, str], lab, unit: str) -> Any:
    import numpy as np

    a, b = (np.asarray(draws[s], dtype=float) for s in pair)
    lo = float(min(np.quantile(a, 0.001), np.quantile(b, 0.001)))
    hi = float(max(np.quantile(a, 0.999), np.quantile(b, 0.999)))
    edges = np.linspace(lo, hi, 41)
    series = [(lab(s), np.histogram(x, bins=edges)[0].tolist()) for s, x in zip(pair, (a, b))]
    return charts.histogram("fig-histogram", "Distribution of Monte Carlo totals",
                            f"Histograms of {len(a)} simulated totals of {lab(pair[0])} (solid) and {lab(pair[1])} "
                            f"(dashed), in {fmt.unit(unit)}, 40 bins from {fmt.num(lo)} to {fmt.num(hi)}.",
                            series, edges.tolist(), unit)
