"""Report context for where numbers come from: transport legs, electricity, gases, data quality,
factor citations, assumptions and the reproducibility manifest.

Each function takes a :class:`~lca.results.Footprint` and returns display-ready dicts/lists.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> q = quality(fp, {s: s for s in fp.scenarios}, dict(fp.study.scenarios.select("id", "kind").iter_rows()))
>>> q["primary_share_max"].replace(fmt.THIN, " ")
'0.0 %'
"""

from __future__ import annotations

import math

from typing import Any

import polars as pl

from lca.report import fmt

RULE_TEXT = {
    "location": "Location-based: each plant's electricity is charged at the average emission rate of the grid "
                "it draws from (US eGRID subregion, Canadian province, Japanese utility area or country), "
                "falling back to the country average where no finer factor exists.",
    "market": "Market-based: a plant's supplier-specific factor (contractual instrument) is used where the study "
              "gives one; other plants fall back to the location-based grid average.",
    "national": "National grid mix: every plant is charged at its country's average grid factor, whatever its "
                "regional grid (the EU Battery Regulation draft rule).",
}


def _sites(fp: Any) -> dict[str, str]:
    return {k: str(v or k).split(" — ")[0] for k, v in fp.study.sites.select("id", "name").iter_rows()}


def _system(detail: pl.DataFrame, kinds: dict[str, str]) -> pl.DataFrame:
    return detail.filter(pl.col("scenario").is_in([s for s, k in kinds.items() if k == "system"]))


def _grams(kg: float) -> str:
    """A shipped mass in g (the table's unit); in kg when the grams would not fit in a float (an
    inbound leg carries a material's own mass, which a hostile study can make huge)."""
    g = kg * 1000
    return fmt.num(g, 3) if math.isfinite(g) else f"{fmt.num(kg, 3)} kg"


def transport(fp: Any, labels: dict[str, str], kinds: dict[str, str]) -> dict[str, Any]:
    """Per leg of each system scenario: goods, route, mode, distance, shipped mass, tonne-km, emissions."""
    names = _sites(fp)
    tr = _system(fp.detail, kinds).filter(pl.col("flow_category") == "transport")
    legs = (tr.group_by("scenario", "act", maintain_order=True)
            .agg(pl.col("process").first(), pl.col("site").first(), pl.col("mode").first(),
                 pl.col("distance_km").first(), pl.col("shipped_kg").first(), pl.col("amount").first(),
                 pl.col("unit").first(), pl.col("factor_id").first(), pl.col("value").sum()))
    totals = dict(fp.totals().select("scenario", "value").iter_rows())
    scen = []
    for sid in fp.scenarios:
        if kinds[sid] != "system":
            continue
        g = legs.filter(pl.col("scenario") == sid).sort("act")
        rows = []
        for r in g.iter_rows(named=True):
            route = r["process"]
            if " → " in route:
                src, dst = route.split(" → ", 1)
                route = f"{names.get(src, src)} → {names.get(dst, dst)}"
            rows.append({"route": route, "mode": fmt.mode(r["mode"]), "distance": fmt.exact(r["distance_km"]),
                         "shipped": _grams(r["shipped_kg"]), "tkm": fmt.num(r["amount"], 3),
                         "factor": r["factor_id"], "value": fmt.num(r["value"]),
                         "share": fmt.pct(r["value"] / totals[sid])})
        sum_v = g.get_column("value").sum()
        scen.append({"label": labels[sid], "rows": rows, "total": fmt.num(sum_v),
                     "share": fmt.pct(sum_v / totals[sid]) if totals[sid] else "–",
                     "tkm": fmt.num(g.get_column("amount").sum(), 3)})
    p = fp.study.product
    return {"scenarios": scen, "unit": fmt.unit(fp.scale("declared_unit")[1]),
            "ratio": fmt.num(p.shipped_mass_ratio, 3),
            "has_air": bool(tr.filter(pl.col("mode").str.contains("air")).height)}


def electricity(fp: Any, kinds: dict[str, str]) -> dict[str, Any]:
    """Grid factor per site actually used: region asked for and taken, factor, basis, year, source."""
    names = _sites(fp)
    grids = dict(fp.study.sites.select("id", "grid").iter_rows())
    el = _system(fp.detail, kinds).filter(pl.col("flow_category") == "electricity")
    # kg CO2e per kWh actually charged = sum over gas rows / activity energy (any energy unit → kWh)
    per_act = (el.group_by("act", maintain_order=True)
               .agg(pl.col("site").first(), pl.col("value").sum(),
                    (pl.col("amount").first() * pl.col("a_to_base").first() / 3.6e6).alias("kwh"),
                    pl.col("factor_id").unique().sort().str.join(", ").alias("factors")))
    intensity = (per_act.group_by("site", "factors", maintain_order=True)
                 .agg((pl.col("value").sum() / pl.col("kwh").sum()).alias("kg_per_kwh")))
    meta = (el.select("site", "factor_id", "factor_value", "factor_unit", "gas", "region_used", "region_fallback",
                      "basis", "factor_year", "td_losses", "source", "vintage_note")
            .unique(maintain_order=True))
    rows = []
    for site, factors, kg in intensity.sort("site").iter_rows():
        m = meta.filter((pl.col("site") == site)).row(0, named=True)
        rows.append({"site": names.get(site, site), "grid": grids.get(site) or "–", "used": m["region_used"],
                     "level": m["region_fallback"], "factors": factors,
                     "published": ", ".join(f"{fmt.exact(v)} {fmt.unit(u)} ({fmt.gas(g)})" for v, u, g in
                                            meta.filter(pl.col("site") == site)
                                            .select("factor_value", "factor_unit", "gas").iter_rows()),
                     "charged": fmt.num(kg, 3), "basis": m["basis"], "year": m["factor_year"],
                     "td": m["td_losses"], "source": m["source"], "note": m["vintage_note"] or ""})
    # every factor row charged to a site's electricity (a combustion row, an upstream adder, a loss),
    # not only the first: an adder taken from a wider region is a fallback too (section 10 lists the same)
    fb = meta.filter(~pl.col("region_fallback").is_in(["grid", "explicit"])).unique(["site", "factor_id"],
                                                                                      maintain_order=True)
    fallbacks = [f"{names.get(site, site)}: the {level}-level factor {fid} ({used}) is used where grid "
                 f"{grids.get(site) or '–'} has none of its own" for site, fid, used, level in
                 fb.sort("site").select("site", "factor_id", "region_used", "region_fallback").iter_rows()]
    return {"rule": fp.method["electricity_rule"], "rule_text": RULE_TEXT.get(fp.method["electricity_rule"], ""),
            "td": fp.method["td_losses"], "rows": rows, "gaps": fp.warnings, "fallbacks": fallbacks}


def gases(fp: Any, labels: dict[str, str]) -> dict[str, Any]:
    """GWP values used, results by gas, fossil vs biogenic per scenario."""
    d = fp.detail
    gset = fp.method["gwp"]
    used = d.select("gas").unique().sort("gas").get_column("gas").to_list()
    gwp = fp.library.gwp.filter((pl.col("gwp_set") == gset) & pl.col("gas").is_in(used)).sort("gas")
    gwp_rows = [{"gas": fmt.gas(r["gas"]), "value": fmt.num(float(r["value"]), 4), "id": r["id"],
                 "source": r["source"], "table": r["source_table"]} for r in gwp.iter_rows(named=True)]
    totals = dict(fp.totals().select("scenario", "value").iter_rows())
    by_gas = fp.by("gas")
    cols = [g for g in used]
    wide = {sid: {g: 0.0 for g in cols} for sid in fp.scenarios}
    for sid, g, v in by_gas.select("scenario", "gas", "value").iter_rows():
        wide[sid][g] = v
    origin = fp.by("carbon_origin")
    ow = {sid: {"fossil": 0.0, "biogenic": 0.0} for sid in fp.scenarios}
    for sid, o, v in origin.select("scenario", "carbon_origin", "value").iter_rows():
        ow[sid][o] = ow[sid].get(o, 0.0) + v
    return {"set": gset, "gwp": gwp_rows, "gases": [fmt.gas(g) for g in cols],
            "gas_note": "CO₂e rows are factors already characterised by their publisher (life-cycle or "
                        "well-to-wheel factors); the other gases are characterised here with the GWP100 values above.",
            "by_gas": [{"label": labels[s], "cells": [fmt.num(wide[s][g]) for g in cols]} for s in fp.scenarios],
            "origin": [{"label": labels[s], "fossil": fmt.num(ow[s]["fossil"]), "biogenic": fmt.num(ow[s]["biogenic"]),
                        "fossil_share": fmt.pct(ow[s]["fossil"] / totals[s]) if totals[s] else "–"}
                       for s in fp.scenarios],
            "unit": fmt.unit(fp.scale("declared_unit")[1])}


def quality(fp: Any, labels: dict[str, str], kinds: dict[str, str]) -> dict[str, Any]:
    """DQR per significant input, value-weighted DQR, estimate and primary-data shares, region fallbacks."""
    from lca.disclosure.pact.figures import PRIMARY_PART, with_supplier_shares  # one rule: report and PACT export

    d = _system(fp.detail, kinds)
    tot = d.group_by("scenario").agg(pl.col("value").sum().alias("tot"))
    d = d.join(tot, on="scenario")
    by_input = (d.group_by("flow", "factor_id", "scenario")
                .agg((pl.col("value").sum() / pl.col("tot").first()).alias("share"))
                .group_by("flow", "factor_id")
                .agg(pl.col("share").min().alias("lo"), pl.col("share").max().alias("hi")))
    meta = d.select("factor_id", "dq_technological", "dq_geographical", "dq_temporal", "estimate",
                    "region_used").unique(subset=["factor_id"], keep="first")
    sig = (by_input.filter(pl.col("hi") >= 0.01).join(meta, on="factor_id", how="left")
           .sort(["hi", "factor_id"], descending=[True, False]))
    inputs = [{"flow": fmt.humanise(r["flow"]), "factor": r["factor_id"], "region": r["region_used"],
               "share": fmt.pct(r["lo"]) if abs(r["lo"] - r["hi"]) < 5e-4 else f"{fmt.pct(r['lo'])} – {fmt.pct(r['hi'])}",
               "tech": r["dq_technological"], "geo": r["dq_geographical"], "temp": r["dq_temporal"],
               "estimate": "yes" if r["estimate"] else "no"} for r in sig.iter_rows(named=True)]
    n_small = by_input.filter(pl.col("hi") < 0.01).height
    w = pl.col("value") / pl.col("tot")
    # every scenario, a supply mix too (its rows are its components' rows weighted by share), as the PACT
    # export rates each footprint
    every = with_supplier_shares(fp)
    every = every.join(every.group_by("scenario").agg(pl.col("value").sum().alias("tot")), on="scenario")
    per = (every.group_by("scenario", maintain_order=True)
           .agg((w * pl.col("dq_technological")).sum().alias("tech"), (w * pl.col("dq_geographical")).sum().alias("geo"),
                (w * pl.col("dq_temporal")).sum().alias("temp"),
                (w * pl.col("estimate").cast(pl.Float64)).sum().alias("estimate"),
                (PRIMARY_PART / pl.col("tot")).sum().alias("primary")))
    per_rows = {r["scenario"]: r for r in per.iter_rows(named=True)}
    dqr = lambda v: f"{round(v, 2):.2f}"  # noqa: E731  as the PACT v3 export writes dqi (two places)
    scen = [{"label": labels[s], "tech": dqr(per_rows[s]["tech"]), "geo": dqr(per_rows[s]["geo"]),
             "temp": dqr(per_rows[s]["temp"]), "estimate": fmt.pct(per_rows[s]["estimate"]),
             "primary": fmt.pct(per_rows[s]["primary"])} for s in fp.scenarios if s in per_rows]
    primary_max = max([r["primary"] for r in per_rows.values()] + [0.0])
    grids = fp.study.sites.select(pl.col("id").alias("site"), "grid")
    fb = (d.filter(~pl.col("region_fallback").is_in(["grid", "explicit"]))
          .join(grids, on="site", how="left")
          .group_by("flow", "region_used", "region_fallback")
          .agg(pl.col("site").unique().sort().str.join(", ").alias("sites"),
               pl.col("grid").unique().sort().str.join(", ").alias("grids"))
          .sort("region_fallback", "flow"))
    names = _sites(fp)
    regional = fb.filter(pl.col("region_fallback") != "global")
    fallbacks = [{"flow": fmt.humanise(r["flow"]), "asked": r["grids"], "used": r["region_used"],
                  "level": r["region_fallback"],
                  "sites": ", ".join(names.get(s, s) for s in r["sites"].split(", "))}
                 for r in regional.iter_rows(named=True)]
    global_flows = [fmt.humanise(f) for f in fb.filter(pl.col("region_fallback") == "global")
                    .get_column("flow").unique().sort().to_list()]
    return {"inputs": inputs, "n_small": n_small, "scenarios": scen, "fallbacks": fallbacks,
            "global_flows": global_flows,
            "primary_share_max": fmt.pct(primary_max), "primary_zero": primary_max == 0.0,
            "layers": list(fp.library.layers)}


def factor_table(fp: Any) -> dict[str, Any]:
    """Every factor the results use, with its full citation (source, table, URL, licence, year)."""
    used = fp.detail.select("factor_id").unique()
    f = fp.library.factors.join(used, left_on="id", right_on="factor_id", how="semi").sort("id")
    rows = [{"id": r["id"], "name": r["name"], "value": fmt.exact(r["value"]), "unit": fmt.unit(r["unit"]),
             "gas": fmt.gas(r["gas"]), "region": r["region"], "year": r["year"], "source": r["source"],
             "table": r["source_table"], "url": r["url"] if str(r["url"] or "").startswith(("https://", "http://")) else None,
             "url_text": r["url"], "license": r["license"], "layer": r["layer"],
             "estimate": bool(r["estimate"]), "quality": r.get("citation_quality") or "not stated",
             "via": r.get("retrieved_via")} for r in f.iter_rows(named=True)]
    replaced = [{"id": i, "layer": ly, "replaced": rl} for i, ly, rl in fp.library.replaced.iter_rows()]
    return {"rows": rows, "version": fp.library.version, "replaced": replaced, "risk": factor_risk(fp)}


def factor_risk(fp: Any) -> dict[str, Any]:
    """The "Factor risk" table: :func:`lca.results.risk.factor_risk`, the rows ``lca factors audit`` prints."""
    from lca.results.risk import CITATION_WEIGHTS, factor_risk as ranked

    labels = dict(fp.study.scenarios.select("id", "label").iter_rows())
    regions = dict(fp.library.factors.select("id", "region").iter_rows())  # language of a name in CJK script
    rows = [{"rank": r["rank"], "id": r["factor_id"], "name": r["factor_name"], "region": regions.get(r["factor_id"]),
             "quality": r["citation_quality"] + ("" if r["stated"] else " (not stated)"), "weight": r["weight"],
             "share": fmt.pct(r["share"]), "scenario": labels.get(r["scenario"], r["scenario"]),
             "risk": fmt.num(r["risk"], 2)} for r in ranked(fp).iter_rows(named=True)]
    return {"rows": rows, "weights": ", ".join(f"{q} {w}" for q, w in CITATION_WEIGHTS.items())}


def assumptions(fp: Any) -> dict[str, Any]:
    """The study's activity data per process (with yields) and the fixed list of exclusions."""
    s = fp.study
    ex = s.exchanges.sort("process", "row")
    yields = dict(s.processes.select("id", "yield").iter_rows())
    labels = dict(fp.stages.select("stage", "label").iter_rows())
    rows = [{"process": fmt.humanise(p), "what": fmt.humanise(fl or f"{inp} (intermediate)"),
             "amount": fmt.exact(a), "unit": fmt.unit(u),
             "stage": (labels.get(st) or fmt.stage(st)) if st else "default"}
            for p, fl, inp, a, u, st in ex.select("process", "flow", "input", "amount", "unit", "stage").iter_rows()]
    return {"exchanges": rows,
            "yields": [{"process": fmt.humanise(p), "yield": fmt.pct(y, decimals=0)} for p, y in yields.items()],
            "ratio": fmt.num(s.product.shipped_mass_ratio, 3), "allocation": allocation(fp)}


def allocation(fp: Any) -> list[dict[str, Any]]:
    """One row per output of each multi-output process (:attr:`Footprint.allocation`), with the
    method, the output's share, basis, reason and the scenarios that run the process; empty when
    nothing is allocated (the report then says no allocation was needed)."""
    from lca.disclosure.allocation import METHOD_WORDS, share_text

    a = fp.allocation
    if a.height == 0:
        return []
    from lca.report.context import scenario_labels

    labels = scenario_labels(fp)
    per_output = a.group_by("process", "output", maintain_order=True).agg(
        pl.col("method").first(), pl.col("factor").first(), pl.col("basis").first(), pl.col("reason").first(),
        pl.col("scenario"))
    return [{"process": p, "output": o, "reference": o == p, "method": METHOD_WORDS.get(m, m),
             "share": share_text(f), "basis": b or "", "reason": r or "",
             "scenarios": ", ".join(labels.get(x, x) for x in sc)}
            for p, o, m, f, b, r, sc in per_output.iter_rows()]


def _mc_settings(uncertainty: Any) -> dict[str, Any] | None:
    """A Monte Carlo run's settings (``UncertaintyResult.settings()``); of a result-like object without
    that method, the iterations and seed it has."""
    if uncertainty is None:
        return None
    if callable(getattr(uncertainty, "settings", None)):
        return dict(uncertainty.settings())
    return {k: getattr(uncertainty, k) for k in ("iterations", "seed") if getattr(uncertainty, k, None) is not None}


def manifest(fp: Any, timestamp: str, uncertainty: Any = None) -> dict[str, Any]:
    """The reproducibility manifest as rows for a table; with a Monte Carlo run, its settings too (they
    are inputs of the report's uncertainty section, so they enter the manifest hash)."""
    run = _mc_settings(uncertainty)
    m = fp.manifest(timestamp=timestamp, uncertainty=run)
    lib = m["factor_library"]
    names = {"study": "study data", "factors_used": "factor and GWP rows used"}
    words = {"per": "view", "inputs": "input distributions SHA-256", "comparison": "compared pair"}
    mc = [] if run is None else [(f"Monte Carlo {words.get(k, k.replace('_', ' '))}", "–" if v is None else
                                  ", ".join(v) if isinstance(v, list) else v) for k, v in run.items()]
    return {"raw": m, "inputs": [(names.get(k, k), v) for k, v in m["content"].items()],
            "method": list(m["method"].items()),
            "rows": [("lca version", m["lca_version"]), ("study id", m["study_id"]),
                     ("factor library version", lib["version"]), ("factor library SHA-256", lib["content_hash"]),
                     ("factor layers", ", ".join(lib["layers"])), ("manifest SHA-256", m["manifest_hash"]),
                     ("run timestamp", m.get("run_timestamp", ""))] + mc}
