"""The report's value choices and interpretation (ISO 14067 6.4.9 and 7.3): generated from the result.

Every sentence here is computed from the footprint — its method switches, allocation, yields,
cut-off list, the data quality of its activity data and factors, its largest contributions and,
when a Monte Carlo result is given, its sensitivity ranking — so that it changes when the data do.
What cannot be computed is said as such (e.g. exclusions without a screening estimate).

* **Value choices** — one row per choice: what was chosen and what it does to the result.
* **Completeness** — stages with a contribution, the declared exclusions (quantified when the
  exclusions carry screening estimates: ``Footprint.exempted``), the completeness ratings of the activity data.
* **Sensitivity** — the largest activities (a change of x % in an amount changes the total by
  x × its share), and the top-ranked uncertain inputs when a Monte Carlo result is given.
* **Consistency** — one method and one factor library for every scenario (by construction), and
  where the scenarios' data differ in quality, estimates or regional fallbacks.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> it = interpretation(fp, dict(fp.study.scenarios.select("id", "label").iter_rows()))
>>> [r["choice"] for r in it["choices"]][:3]
['Impact category and characterisation', 'Electricity', 'Grid losses']
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.report import fmt

#: a spread of a contribution-weighted rating between scenarios above this is called uneven
RATING_SPREAD = 0.5
_RULES = {"location": "the location-based average of each site's grid region",
          "market": "market-based factors where a site names a supplier factor, else the grid average",
          "national": "the national grid average of each site's country"}


def _choices(fp: Any) -> list[dict[str, str]]:
    s, m = fp.study, fp.method
    rows = [{"choice": "Impact category and characterisation",
             "value": f"climate change only, GWP100 of IPCC {m['gwp']}",
             "effect": "other environmental impacts are not assessed; another GWP set changes the weight of "
                       "non-CO₂ gases"},
            {"choice": "Electricity", "value": _RULES.get(m["electricity_rule"], m["electricity_rule"]),
             "effect": "the rule changes the electricity rows only; see section 8"},
            {"choice": "Grid losses", "value": "included" if m["td_losses"] == "included" else "excluded",
             "effect": "included losses raise every electricity row by the region's loss rate"}]
    y = s.processes.filter(pl.col("yield") < 1)
    if y.height:
        rows.append({"choice": "Production scrap",
                     "value": "charged to the good product (" + ", ".join(
                         f"{fmt.humanise(p)} yield {fmt.pct(v, decimals=0)}" for p, v in
                         y.select("id", "yield").iter_rows()) + "), with no credit",
                     "effect": "every input of a process is divided by its yield"})
    a = fp.allocation
    rows.append({"choice": "Allocation",
                 "value": "none needed: every process has one product" if a.height == 0 else
                 ", ".join(sorted({f"{p}: {meth}" for p, meth in a.select("process", "method").iter_rows()})),
                 "effect": "—" if a.height == 0 else "the burden of each multi-output process is shared as stated"})
    rows.append({"choice": "Freight mass", "value": f"{fmt.exact(s.product.shipped_mass_ratio)} × product mass "
                                                     f"(packaging included)",
                 "effect": "every tonne-kilometre scales with it"})
    ex, exempted = fp.exclusions, fp.exempted
    n = ex.get_column("exclusion").n_unique() if ex.height else 0
    if exempted.height:
        each, total = exempted.select("cutoff_each", "cutoff_total").row(0)
        lo, hi = exempted.get_column("exempted_share").min(), exempted.get_column("exempted_share").max()
        rows.append({"choice": "Cut-off",
                     "value": f"{n} excluded flow(s), each screened; limits {fmt.pct(each)} each, {fmt.pct(total)} "
                              "together (PACT)",
                     "effect": _exempt(lo) + (f" to {_exempt(hi)}" if hi - lo >= 5e-5 else "")
                               + " of a scenario's total exempted"
                               + ("" if exempted.get_column("within").all() else ", ABOVE the cut-off in some")})
    else:
        rows.append({"choice": "Cut-off", "value": "no excluded flow declared", "effect": "nothing exempted"})
    eb = fp.electricity_basis
    if eb.height:
        rows.append({"choice": "Electricity basis", "value": str(eb.get_column("declared")[0]),
                     "effect": "the other bases side by side in section 8"})
    return rows


def _exempt(share: float) -> str:
    """An exempted share as PACT's exemptedEmissionsPercent and the report's boundary section print it."""
    return f"{share * 100:.2f} %"


def _shares(fp: Any) -> pl.DataFrame:
    d = fp.detail
    return d.group_by("scenario").agg(
        (pl.col("value").abs().filter(pl.col("estimate").fill_null(False)).sum()
         / pl.col("value").abs().sum()).alias("estimate"))


def _completeness(fp: Any, labels: dict[str, str]) -> list[str]:
    out = []
    st = fp.by_stage().filter(pl.col("value") != 0).get_column("stage").unique().to_list()
    names = dict(fp.stages.select("stage", "label").iter_rows())
    order = [x for x in fp.stages.get_column("stage") if x in st]
    out.append(f"The results cover the stages {', '.join(names.get(x) or x for x in order)}.")
    exempted = fp.exempted
    if exempted.height:
        worst = exempted.sort("exempted_share", descending=True).row(0, named=True)
        out.append(f"The excluded flows, each with a screening estimate (section 12), are at most "
                   f"{_exempt(worst['exempted_share'])} of a scenario's total "
                   f"({labels.get(worst['scenario'], worst['scenario'])}); the cut-off is "
                   f"{fmt.pct(worst['cutoff_each'])} each and {fmt.pct(worst['cutoff_total'])} together, "
                   + ("met by every scenario." if exempted.get_column("within").all() else "NOT met by every scenario."))
    elif fp.study.profile.exclusions:
        out.append(f"The {len(fp.study.profile.exclusions)} exclusions listed in section 12 carry no screening "
                   "estimate, so their share of the result is not known.")
    q = fp.quality.filter(pl.col("indicator") == "completeness")
    if q.height:
        lo, hi = q.get_column("result").min(), q.get_column("result").max()
        unrated = q.get_column("unrated_share").max()
        out.append(f"The activity data rate {fmt.num(lo, 2)}" + (f" to {fmt.num(hi, 2)}" if hi - lo >= 0.05 else "")
                   + " for completeness (1 very good … 5 very poor, contribution-weighted)"
                   + (f"; {fmt.pct(unrated)} of a result comes from amounts not rated for it." if unrated else "."))
    return out


def _sensitivity(fp: Any, labels: dict[str, str], unc: Any) -> list[str]:
    out = []
    aq = fp.activity_quality
    if aq.height:
        top = (aq.group_by("process", "flow").agg(pl.col("share").abs().max().alias("share"))
               .sort(["share", "process", "flow"], descending=[True, False, False]).head(3))
        parts = [f"{fmt.humanise(p)} {fmt.humanise(f)} (up to {fmt.pct(sh)})" for p, f, sh in top.iter_rows()]
        first = top.row(0, named=True)
        out.append("The largest activities are " + ", ".join(parts) + ": a change of 10 % in one of these amounts "
                   f"changes a scenario's total by up to {fmt.pct(first['share'] * 0.1)} (its share × 10 %).")
    sens = getattr(unc, "sensitivity", None) if unc is not None else None
    if isinstance(sens, pl.DataFrame) and sens.height:
        best = sens.sort(["spearman_r2", "input"], descending=[True, False]).row(0, named=True)
        t = best["target"]
        out.append(f"In the Monte Carlo analysis the input that explains most of the variance is {best['input']} "
                   f"(Spearman r² {fmt.num(best['spearman_r2'], 2)} for {labels.get(t, t)}).")
    elif unc is None:
        out.append("No Monte Carlo analysis was run, so the sensitivity to the uncertain inputs is not ranked "
                   "(section 13).")
    return out


def _consistency(fp: Any, labels: dict[str, str]) -> list[str]:
    out = [f"All scenarios use one method (GWP {fp.method['gwp']}, electricity {fp.method['electricity_rule']}, "
           f"grid losses {fp.method['td_losses']}) and one factor library (version {fp.library.version})."]
    eb = fp.electricity_basis
    if eb.height:
        off = eb.filter(pl.col("missing").is_not_null()).unique("site", maintain_order=True)
        declared = eb.get_column("declared")[0]
        out.append(f"Every plant's electricity is on the declared basis ({declared})." if off.height == 0 else
                   f"Electricity of {', '.join(off.get_column('site'))} is not on the declared basis ({declared}): "
                   + "; ".join(f"{site} lacks {m} (estimated effect {fmt.pct(b)} of its electricity emissions)"
                               for site, m, b in off.select("site", "missing", "bias").iter_rows())
                   + ": the scenarios are compared on mixed bases.")
    q = fp.quality
    uneven = []
    for ind, lo, hi in q.group_by("indicator", maintain_order=True).agg(
            pl.col("result").min().alias("lo"), pl.col("result").max().alias("hi")).iter_rows():
        if hi is not None and lo is not None and hi - lo > RATING_SPREAD:
            uneven.append(f"{ind} ({fmt.num(lo, 2)} to {fmt.num(hi, 2)})")
    out.append("The scenarios' data quality is even: no rating differs by more than "
               f"{fmt.num(RATING_SPREAD, 1)} between them." if not uneven else
               "The scenarios' data quality differs in " + ", ".join(uneven) + ": compare them with that in mind.")
    est = _shares(fp)
    if est.height:
        lo, hi = est.get_column("estimate").min(), est.get_column("estimate").max()
        out.append(f"Estimated factors make up {fmt.pct(lo)}" + (f" to {fmt.pct(hi)}" if hi - lo >= 5e-4 else "")
                   + " of the scenarios' results.")
    fb = (fp.detail.filter((pl.col("flow_category") == "electricity")
                           & ~pl.col("region_fallback").is_in(["grid", "explicit"]))
          .get_column("scenario").unique().to_list())
    if fb and len(fb) < len(fp.scenarios):
        out.append("Electricity of " + ", ".join(labels.get(s, s) for s in fp.scenarios if s in fb)
                   + " uses a wider region's factor (a regional fallback) where the others use their grid's own.")
    elif fb:
        out.append("Electricity of every scenario uses a wider region's factor somewhere (a regional fallback).")
    return out


def interpretation(fp: Any, labels: dict[str, str], unc: Any = None) -> dict[str, Any]:
    """Value choices and the completeness, sensitivity and consistency checks of ``fp``."""
    return {"choices": _choices(fp), "completeness": _completeness(fp, labels),
            "sensitivity": _sensitivity(fp, labels, unc), "consistency": _consistency(fp, labels)}
