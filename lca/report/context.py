"""Build the report's context: a plain dict of display-ready values from a Footprint.

Everything the template shows is computed here (or in :mod:`lca.report.provenance` and
:mod:`lca.report.uncertainty`), so the template only lays out strings. Sentences that state a
finding ("electricity dominates", "moving only one step changes little") are derived from the
numbers, never written in advance; the words for the product itself (its stages, views, packaging,
boundary and exclusions) are the study's own (its product profile, :mod:`lca.study.profile`).

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> ctx = build_context(fp, timestamp="2026-01-01T00:00:00Z")
>>> ctx["summary"]["headline"].startswith("(b)")
True
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.choices import VIEWS
from lca.errors import LcaInputError
from lca.report import charts, fmt
from lca.report.charts_map import process_map
from lca.report.comparison import comparison, contributions, diff_by
from lca.report.views import conversion_label, energy_note, per_energy, view_unit
from lca.report.words import DEFAULT_EXCLUSIONS, contents as _contents, look as _look, noun as p_noun
from lca.report.words import phrase as _phrase, spoken as _spoken, stage_list as _stage_list


def build_context(fp: Any, *, timestamp: str, uncertainty: Any = None) -> dict[str, Any]:
    """All values of the report for ``fp`` (a :class:`~lca.results.Footprint`)."""
    from lca.report import provenance
    from lca.report.electricity import basis_context
    from lca.report.activity import activity_data
    from lca.report.interpretation import interpretation
    from lca.report.uncertainty import uncertainty_context

    study = fp.study
    labels = scenario_labels(fp)
    kinds = dict(study.scenarios.select("id", "kind").iter_rows())
    pair = _pair(fp)
    stages_df = fp.by_stage()
    stages = _stage_list(fp, stages_df)
    ctx: dict[str, Any] = {
        "study": _study_info(fp),
        "labels": labels,
        "pair": None if pair is None else {"a": pair[0], "b": pair[1], "a_label": labels[pair[0]],
                                           "b_label": labels[pair[1]]},
        "stages": [{"id": s, "label": _look(fp).label(s)} for s in stages],
    }
    ctx["summary"] = _summary(fp, pair, labels, stages_df, stages)
    ctx["study"]["outlooks"] = _outlook_notes(fp, labels)
    ctx["product"] = _product(fp, labels)
    ctx["boundary"] = _boundary(fp, labels, kinds)
    ctx["results"] = _results(fp, labels, stages_df, stages)
    ctx["comparison"] = comparison(fp, pair, labels, uncertainty)
    ctx["contributions"] = contributions(fp, pair, labels)
    ctx["transport"] = provenance.transport(fp, labels, kinds)
    ctx["electricity"] = provenance.electricity(fp, kinds)
    ctx["basis"] = basis_context(fp, labels)
    ctx["gases"] = provenance.gases(fp, labels)
    ctx["quality"] = provenance.quality(fp, labels, kinds)
    ctx["factors"] = provenance.factor_table(fp)
    ctx["assumptions"] = provenance.assumptions(fp)
    ctx["activity"] = activity_data(fp, labels)
    ctx["interpretation"] = interpretation(fp, labels, uncertainty)
    ctx["uncertainty"] = uncertainty_context(fp, uncertainty, labels, pair)
    from lca.report.uncertainty import point_sentences

    ctx["summary"]["findings"] += point_sentences(fp, uncertainty, labels, pair)
    ctx["manifest"] = provenance.manifest(fp, timestamp, uncertainty)
    from lca.report.declaration import declaration_context

    ctx["declaration"] = declaration_context(fp, labels)  # None unless the study names a rule pack
    from lca.report.identity import identity

    ctx["identity"] = identity(fp, labels, timestamp, outside=ctx["boundary"]["outside"])
    from lca.report.printing import running_heads

    ctx["page"] = running_heads(study.title, labels, run=timestamp,
                                manifest_hash=ctx["manifest"]["raw"]["manifest_hash"])
    return ctx


# ------------------------------------------------------------------------------------ helpers

#: how a scenario that is not current is labelled in every table and chart of the report
OUTLOOK_TAG = {"prospective": "prospective", "hypothetical": "hypothetical"}


def scenario_labels(fp: Any) -> dict[str, str]:
    """Scenario id → its label as the report shows it: the study's label, tagged ``[prospective]`` or
    ``[hypothetical]`` when the scenario is not current (#13 item 4), so no table or chart shows a
    planned plant as one in operation. The tag follows a label's "(x)" tag when it has one (charts
    shorten long labels from the end), else it ends the label."""
    labels = dict(fp.study.scenarios.select("id", "label").iter_rows())
    for sid, kind in fp.outlook.select("scenario", "outlook").iter_rows():
        if kind in OUTLOOK_TAG and sid in labels:
            label, tag = labels[sid], f"[{OUTLOOK_TAG[kind]}]"
            head = _short(label)
            labels[sid] = f"{head} {tag}{label[len(head):]}" if head != label else f"{label} {tag}"
    return labels


def _outlook_notes(fp: Any, labels: dict[str, str]) -> list[str]:
    """One sentence per scenario that is not current (title block and executive summary)."""
    return [f"{labels[sid]}: {note}" for sid, note in fp.outlook.select("scenario", "note").iter_rows() if note]


def _pair(fp: Any) -> tuple[str, str] | None:
    """The headline comparison: the study's, else the first two scenarios."""
    if fp.study.comparison:
        return tuple(fp.study.comparison)  # type: ignore[return-value]
    ids = fp.scenarios
    return (ids[0], ids[1]) if len(ids) >= 2 else None


def _study_info(fp: Any) -> dict[str, Any]:
    s = fp.study
    return {"id": s.id, "title": s.title, "description": s.description, "product": s.product.name,
            "company": s.company_name, "period": f"{s.reference_start.isoformat()} to {s.reference_end.isoformat()}",
            "gwp": fp.method["gwp"], "rule": fp.method["electricity_rule"], "td": fp.method["td_losses"],
            "declared_unit": fmt.unit(str(s.product.declared_unit)),
            "unit": fmt.unit(fp.scale("declared_unit")[1]), "cell_plant": _site_name(fp, s.cell_plant)}


def _site_name(fp: Any, site: str | None) -> str | None:
    if site is None:
        return None
    names = dict(fp.study.sites.select("id", "name").iter_rows())
    return str(names.get(site) or site)


def _stage_wide(stages_df: pl.DataFrame, ids: list[str], stages: list[str]) -> dict[str, dict[str, float]]:
    """scenario → stage → value (0 where a scenario has no such stage)."""
    out: dict[str, dict[str, float]] = {sid: {s: 0.0 for s in stages} for sid in ids}
    for sid, st, v in stages_df.select("scenario", "stage", "value").iter_rows():
        out[sid][st] = v
    return out


def _summary(fp: Any, pair, labels, stages_df, stages) -> dict[str, Any]:
    totals = fp.totals()
    unit = totals.get_column("unit")[0]
    wide = _stage_wide(stages_df, fp.scenarios, stages)
    bars = [(labels[sid], [(s, wide[sid][s]) for s in stages]) for sid in fp.scenarios]
    chart = charts.stacked_bars(
        "fig-totals", "Carbon footprint by scenario and life-cycle stage",
        f"Horizontal stacked bars, one per scenario, in {fmt.unit(unit)}. " + "; ".join(
            f"{labels[sid]}: {fmt.num(v)}" for sid, v in totals.select("scenario", "value").iter_rows()) + ".",
        bars, unit, look=_look(fp))
    ranked = totals.sort("value")
    lo, hi = ranked.row(0, named=True), ranked.row(-1, named=True)
    findings = [f"Across the {totals.height} scenarios the footprint ranges from {fmt.qty(lo['value'], unit)} "
                f"({labels[lo['scenario']]}) to {fmt.qty(hi['value'], unit)} ({labels[hi['scenario']]})."]
    cat = fp.by("flow_category")
    cat = cat.with_columns((pl.col("value") / pl.col("value").sum().over("scenario")).alias("share"))
    el = cat.filter(pl.col("flow_category") == "electricity")
    if el.height:
        findings.append(f"Electricity is {fmt.pct(el['share'].min())} to {fmt.pct(el['share'].max())} of the "
                        f"footprint, depending on where the {fp.study.profile.noun} is made: the grid a plant "
                        f"draws from is the main lever.")
    tr = cat.filter(pl.col("flow_category") == "transport")
    if tr.height:  # all freight, then the delivery to the cell plant alone (Footprint.transport: outbound)
        out = (fp.transport.filter(pl.col("direction") == "outbound").group_by("scenario").agg(pl.col("value").sum())
               .join(totals.select("scenario", pl.col("value").alias("total")), on="scenario")
               .select((pl.col("value") / pl.col("total")).alias("share")))
        delivery = (f"; the delivery to the cell plant alone is {fmt.pct(out['share'].min())} to "
                    f"{fmt.pct(out['share'].max())}" if out.height else "")
        findings.append(f"Freight (inbound materials, between plants and to the cell plant) is "
                        f"{fmt.pct(tr['share'].min())} to {fmt.pct(tr['share'].max())} of the footprint{delivery}.")
    headline = "Only one scenario was computed, so there is no comparison."
    if pair is not None:
        headline = _headline(fp, pair, labels)
    # beside the totals: the study's first own view (e.g. per kWh of cell capacity), if it has one
    second = next((v for v in fp.views.get_column("view") if v not in VIEWS and _mult(fp, v) is not None), None)
    mult = _mult(fp, second) if second else None
    return {"headline": headline, "findings": findings, "chart": chart, "unit": fmt.unit(unit),
            "totals": [{"id": r["scenario"], "label": labels[r["scenario"]], "value": fmt.num(r["value"]),
                        "per_kwh": fmt.num(r["value"] * mult) if mult else "–"}
                       for r in totals.iter_rows(named=True)],
            "kwh_unit": view_unit(fp, second) if second else ""}


def _mult(fp: Any, per: str) -> float | None:
    try:
        return fp.scale(per)[0]
    except LcaInputError:
        return None


def _headline(fp: Any, pair: tuple[str, str], labels: dict[str, str]) -> str:
    a, b = pair
    ta, tb = fp.total(a), fp.total(b)
    diff = tb.value - ta.value
    rel = diff / ta.value if ta.value else 0.0
    u = ta.unit
    if abs(rel) < 0.0005:
        return (f"{labels[b]} and {labels[a]} have the same footprint within 0.05 %: "
                f"{fmt.qty(tb.value, u)} against {fmt.qty(ta.value, u)}.")
    verb = "lowers" if diff < 0 else "raises"
    text = (f"{labels[b]} {verb} the footprint by {fmt.pct(abs(rel))} ({fmt.qty(abs(diff), u)}) compared with "
            f"{labels[a]}: {fmt.num(tb.value)} instead of {fmt.num(ta.value)} {fmt.unit(u)}")
    d = diff_by(fp, a, b, "stage", "flow_category").sort(pl.col("diff").abs(), descending=True)
    drivers = [r for r in d.iter_rows(named=True) if abs(r["diff"]) >= 0.1 * abs(diff) and r["diff"] * diff > 0][:2]
    if drivers:
        text += ", because of " + " and ".join(
            f"{_phrase(fp, r['stage'], r['flow_category'])} ({fmt.num(r['diff'], signed=True)})" for r in drivers)
    stage_d = diff_by(fp, a, b, "stage")
    same = stage_d.filter(pl.col("diff").abs() <= 1e-12 * max(abs(ta.value), 1e-30)).sort("a", descending=True)
    if same.height:
        top = same.row(0, named=True)
        text += (f"; {_phrase(fp, top['stage'], top['stage'])}, {fmt.pct(top['a'] / ta.value)} of the baseline, "
                 f"is unchanged")
    return text + "."


def _product(fp: Any, labels: dict[str, str]) -> dict[str, Any]:
    p = fp.study.product
    profile = fp.study.profile
    du = fmt.unit(str(p.declared_unit))
    mass = fmt.unit(str(p.mass_per_declared_unit))
    views = []
    for vid, factor, unit, label, basis in fp.views.iter_rows():
        if _mult(fp, vid) is None:  # a view whose results overflow is left out (the CLI says why)
            continue
        t = fp.totals(vid)
        if vid == "declared_unit":
            basis, how = f"{du} of {p_noun(fp)}", "× 1"
        else:
            how = conversion_label(p.declared_unit, factor, unit, label)
            if vid == "kg":
                basis = f"{du} has {mass}"
        own = vid not in VIEWS  # a study's view: its unit in words ("kg CO₂e per kWh of cell capacity")
        views.append({"label": label, "basis": basis or "–", "factor": how,
                      "unit": view_unit(fp, vid) if own else fmt.unit(unit), "energy": own and per_energy(unit),
                      "values": [fmt.num(v) for v in t.get_column("value")]})
    energy = [v["label"] for v in views if v["energy"]]
    # reference outputs of each process per declared unit; a supply mix's rows are its components'
    # processes, already weighted by their shares
    scales = fp.scaling.select("scenario", "component", "process", "site", pl.col("reference_outputs").alias("scale"))
    yields = dict(fp.study.processes.select("id", "yield").iter_rows())
    flows = [{"scenario": labels[s], "process": fmt.humanise(pr) + ("" if c == s else f" (as part of {_short(labels[c])})"),
              "site": str(_site_name(fp, site)).split(" — ")[0], "scale": fmt.num(sc, 4),
              "yield": fmt.exact(yields.get(pr))}
             for s, c, pr, site, sc in scales.iter_rows()]
    return {"name": p.name, "noun": profile.noun, "packaging": profile.packaging, "declared_unit": du, "mass": mass,
            "views": views, "view_labels": _spoken([v["label"] for v in views[1:]]),
            "study_views": _spoken([v["label"] for v, vid in zip(views, fp.views.get_column("view"))
                                    if vid not in VIEWS]),
            "scenario_ids": fp.scenarios, "scenario_labels": [labels[s] for s in fp.scenarios],
            "scenario_short": [_short(labels[s]) for s in fp.scenarios],
            "shipped_ratio": fmt.num(p.shipped_mass_ratio, 3),
            "shipped_mass": fmt.qty(p.mass_per_declared_unit.value * p.shipped_mass_ratio,
                                    p.mass_per_declared_unit.unit),
            "cell_plant": _site_name(fp, fp.study.cell_plant), "reference_flows": flows,
            "energy_note": energy_note(energy)}


def _leg_name(target: dict[str, Any], goods: str) -> str:
    """A freight step named by where it goes: "Delivery to the cell plant (output of …)" for the last leg,
    "Transport to the <processes> plant (output of …)" between plants, from the processes at its end."""
    procs = [p for p in target["processes"] if p != "cell plant"]
    if "cell plant" in target["processes"]:
        return f"Delivery to the cell plant ({goods})"
    if procs:
        return f"Transport to the {_spoken(procs)} plant ({goods})"
    return f"Transport to {target['site']} ({goods})"


def _boundary(fp: Any, labels: dict[str, str], kinds: dict[str, str]) -> dict[str, Any]:
    study = fp.study
    names = dict(study.processes.select("id", "name").iter_rows())
    site_names = dict(study.sites.select("id", "name").iter_rows())
    maps = []
    for sid in fp.scenarios:
        if kinds[sid] != "system":
            mix = study.mixes.filter(pl.col("scenario") == sid)
            maps.append({"id": sid, "label": labels[sid], "svg": None, "rows": [],
                         "mix": [f"{fmt.pct(sh, decimals=0)} {labels[c]}"
                                                                   for c, sh in mix.select("component", "share")
                                                                   .iter_rows()]})
            continue
        steps = study.steps.filter(pl.col("scenario") == sid)
        legs = study.transport.filter(pl.col("scenario") == sid).sort("element", "leg")
        order: list[str] = []
        for site in steps.get_column("site").to_list() + legs.get_column("to_site").to_list():
            if site not in order:
                order.append(site)
        nodes = []
        for site in order:
            procs = [fmt.humanise(p) for p in steps.filter(pl.col("site") == site).get_column("process")]
            role = "production" if procs else "customer"
            if site == study.cell_plant:
                procs.append("cell plant")
            nodes.append({"site": str(site_names.get(site) or site).split(" — ")[0], "processes": procs,
                          "role": role})
        edges = []
        for (el, goods, src, dst), g in legs.group_by(["element", "goods", "from_site", "to_site"],
                                                     maintain_order=True):
            edges.append({"source": order.index(src), "target": order.index(dst),
                          "goods": f"output of {fmt.humanise(goods)}",
                          "legs": [f"{fmt.mode(m)} {fmt.exact(d)} {u}" for m, d, u in
                                   g.select("mode", "distance", "distance_unit").iter_rows()]})
        desc = ("Process map. " + "; ".join(f"{n['site']}: {', '.join(n['processes'])}" for n in nodes) + ". "
                + "; ".join(f"{e['goods']} shipped from {nodes[e['source']]['site']} to {nodes[e['target']]['site']}"
                            f" by {', then '.join(e['legs'])}" for e in edges) + ".")
        rows = [{"what": f"{fmt.humanise(p)}", "where": str(site_names.get(s) or s)}
                for p, s in steps.select("process", "site").iter_rows()]
        rows += [{"what": _leg_name(nodes[e["target"]], e["goods"]),
                  "where": f"{nodes[e['source']]['site']} → {nodes[e['target']]['site']}: " + ", ".join(e["legs"])}
                 for e in edges]
        maps.append({"id": sid, "label": labels[sid],
                     "svg": process_map(charts.element_id("fig-map", sid), f"Process map: {labels[sid]}", desc, nodes, edges),
                     "rows": rows, "mix": []})
    present = _stage_list(fp, fp.by_stage())
    stages = [{"label": label, "eu": eu, "ghg": ghg, "what": what or _contents(fp, sid)}
              for sid, label, eu, ghg, what in fp.stages.select("stage", "label", "eu_battery_stage", "ghg_stage",
                                                                 "description").iter_rows() if sid in present]
    profile = fp.study.profile
    covers = profile.boundary or _spoken([_phrase(fp, sid, sid) for sid in present], "and")
    return {"maps": maps, "stages": stages, "processes": [{"id": k, "name": v} for k, v in names.items()],
            "covers": covers, "outside": profile.outside or "Later life-cycle stages (use and end of life) are "
                                                            "outside the boundary.",
            "exclusions": list(profile.exclusions) or ([] if fp.exclusions.height else list(DEFAULT_EXCLUSIONS)),
            "screening": _screening(fp, labels)}


def _screening(fp: Any, labels) -> dict[str, Any] | None:
    """Declared exclusions with their screening estimates and shares, and the exempted percentage per
    scenario: the figure PACT's exemptedEmissionsPercent states (lca.results.screening)."""
    from lca.results.screening import exempted_percent

    ex = fp.exclusions
    if ex.height == 0:
        return None
    unit = fmt.unit(fp.scale("declared_unit")[1])
    share = {(s, e): v for s, e, v in ex.select("scenario", "exclusion", "share").iter_rows()}
    first = ex.unique("exclusion", maintain_order=True)
    rows = [{"what": d, "value": fmt.num(v), "basis": b, "source": src or "",
             "shares": [fmt.pct(share[(sid, e)]) if share[(sid, e)] is not None else "n/a" for sid in fp.scenarios]}
            for e, d, v, b, src in first.select("exclusion", "description", "value", "basis", "source").iter_rows()]
    cut = fp.exempted.row(0, named=True) if fp.exempted.height else {"cutoff_each": 0.01, "cutoff_total": 0.03}
    total = [{"label": labels[sid], "percent": f"{exempted_percent(fp, sid):.2f}", "within": w}
             for sid, w in fp.exempted.select("scenario", "within").iter_rows()]
    # column heads by their "(x)" tags, as in the views table: full labels made a 3000 px wide table
    return {"unit": unit, "rows": rows, "scenarios": [_short(labels[s]) for s in fp.scenarios], "totals": total,
            "each": f"{100 * cut['cutoff_each']:g}", "together": f"{100 * cut['cutoff_total']:g}",
            "all_within": all(t["within"] for t in total),
            # PACT's limits only when they are PACT's: a study may set its own [cutoff]
            "pact_default": (cut["cutoff_each"], cut["cutoff_total"]) == (0.01, 0.03)}


def _results(fp: Any, labels, stages_df, stages) -> dict[str, Any]:
    wide = _stage_wide(stages_df, fp.scenarios, stages)
    totals = dict(fp.totals().select("scenario", "value").iter_rows())
    unit = fmt.unit(fp.scale("declared_unit")[1])
    by_stage = [{"label": labels[sid], "cells": [(fmt.num(wide[sid][s]), fmt.pct(wide[sid][s] / totals[sid]))
                                                 for s in stages], "total": fmt.num(totals[sid])}
                for sid in fp.scenarios]
    cat = fp.by("flow_category")
    cats = [c for c in ("electricity", "heat", "materials", "process_emissions", "waste", "transport")
            if c in cat.get_column("flow_category").to_list()]
    cats += sorted(c for c in cat.get_column("flow_category").unique().to_list() if c not in cats)
    cw: dict[str, dict[str, float]] = {sid: {c: 0.0 for c in cats} for sid in fp.scenarios}
    for sid, c, v in cat.select("scenario", "flow_category", "value").iter_rows():
        cw[sid][c] = v
    by_cat = [{"label": labels[sid], "cells": [(fmt.num(cw[sid][c]), fmt.pct(cw[sid][c] / totals[sid])) for c in cats],
               "total": fmt.num(totals[sid])} for sid in fp.scenarios]
    from lca.report.rounding import rounding_note

    return {"unit": unit, "stages": [_look(fp).label(s) for s in stages], "by_stage": by_stage,
            "categories": [fmt.category(c) for c in cats], "by_category": by_cat,
            "adds_up": rounding_note({"stage values": by_stage, "flow-category values": by_cat})}


def _short(label: str) -> str:
    """Scenario label for a narrow chart slot: its "(x)" tag when it has one."""
    if label.startswith("(") and ")" in label[:5]:
        head = label[: label.index(")") + 1]
        tag = next((f" [{t}]" for t in OUTLOOK_TAG.values() if label[len(head):].startswith(f" [{t}]")), "")
        return head + tag
    return label
