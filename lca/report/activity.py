"""The report's activity data: every amount of the study with its source, ratings and share of the result,
the result's data-quality ratings from activity data and factors, and whether the study is a
screening estimate (no primary activity data at all).

Rows of the "Activity data" table: each exchange of the study (as written, per unit of the process's
gross output; intermediate inputs and waste too), each transport leg of each system scenario (its
distance as written), each packaging entry charged when an output is shipped and each inbound leg
entry that brings a material (a default leg of a region, or the study's own). The share of the result comes from :attr:`Footprint.activity_quality` — the lowest and
highest share over the scenarios that use the amount (an intermediate input carries none itself:
its process's own rows carry it).

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> a = activity_data(fp, dict(fp.study.scenarios.select("id", "label").iter_rows()))
>>> s = fp.study
>>> charged = fp.activity_quality.get_column("origin").str.split(" for ").list.first()
>>> n_inbound = s.inbound.filter(pl.col("origin").is_in(charged.implode())).get_column("origin").n_unique()
>>> len(a["rows"]) == s.exchanges.height + s.transport.height + s.shipping_packaging.height + n_inbound
True
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.report import fmt
from lca.results.quality import DQR_COLUMNS, DQR_KEYS  # the model of the ratings, through the results layer

#: column heads of the five ratings (full words in the table's ``abbr`` titles)
RATING_HEADS = {"technological": "Tech.", "geographical": "Geo.", "temporal": "Temp.", "completeness": "Compl.",
                "reliability": "Rel."}


def _share(shares: dict[str, tuple[float, float]], origins: list[str]) -> str:
    lo_hi = [shares[o] for o in origins if o in shares]
    if not lo_hi:
        return "–"
    lo, hi = min(x[0] for x in lo_hi), max(x[1] for x in lo_hi)
    return fmt.pct(lo) if abs(hi - lo) < 5e-4 else f"{fmt.pct(lo)} – {fmt.pct(hi)}"


def _ratings(row: dict[str, Any]) -> list[str]:
    return ["–" if row.get(c) is None else str(row[c]) for c in DQR_COLUMNS]


def activity_data(fp: Any, labels: dict[str, str]) -> dict[str, Any]:
    """Rows of the "Activity data" table, the result's ratings per scenario and the screening verdict.

    Legs are named by scenario id (the labels are sentences); the ratings table uses the labels."""
    from lca.results.quality import entry_origin, primary_share

    s = fp.study
    aq = fp.activity_quality
    # shares by the entry an activity was written at (a packaging entry shipped on several routes, an
    # inbound leg bringing several materials: the range over all of them)
    shares = {o: (lo, hi) for o, lo, hi in aq.with_columns(entry_origin().alias("origin")).group_by("origin").agg(
        pl.col("share").min().alias("lo"), pl.col("share").max().alias("hi")).iter_rows()}
    rows = []
    for r in s.exchanges.sort("process", "row", maintain_order=True).iter_rows(named=True):
        what = fmt.humanise(r["flow"]) if r["flow"] else f"{fmt.humanise(r['input'])} (intermediate)"
        rows.append({"activity": f"{fmt.humanise(r['process'])}: {what}", "amount": fmt.exact(r["amount"]),
                     "unit": fmt.unit(r["unit"]), "source": r.get("source") or "not given",
                     "ratings": _ratings(r), "primary": "yes" if r.get("primary") else "no",
                     "share": "intermediate" if r["input"] else _share(shares, [r["origin"]])})
    # a site's short name: "Liberty, North Carolina (US) — cell plant" → "Liberty"
    names = {k: (v or k).split(" — ")[0].split(",")[0] for k, v in fp.sites.select("site", "name").iter_rows()}
    for r in s.transport.iter_rows(named=True):
        route = f"{names.get(r['from_site'], r['from_site'])} → {names.get(r['to_site'], r['to_site'])}"
        rows.append({"activity": f"{r['scenario']}: {route}, leg {r['leg']} ({fmt.mode(r['mode'])})",
                     "amount": fmt.exact(r["distance"]), "unit": fmt.unit(r["distance_unit"]),
                     "source": r.get("source") or "not given", "ratings": _ratings(r),
                     "primary": "yes" if r.get("primary") else "no", "share": _share(shares, [r["origin"]])})
    for r in s.shipping_packaging.iter_rows(named=True):  # charged where the process's output is shipped
        rows.append({"activity": f"{fmt.humanise(r['process'])}: {fmt.humanise(r['flow'])} (packaging when shipped)",
                     "amount": fmt.exact(r["amount"]), "unit": fmt.unit(r["unit"]),
                     "source": r.get("source") or "not given", "ratings": _ratings(r),
                     "primary": "yes" if r.get("primary") else "no", "share": _share(shares, [r["origin"]])})
    # an inbound leg entry (a region's default or the study's own) once, with the sites and the materials
    # it brings there; entries that bring nothing the engine charges (no material) are not activities
    brought = (fp.detail.filter(pl.col("process").str.starts_with("inbound "))
               .select(entry_origin().alias("origin"), "site",
                       pl.col("process").str.extract(r"^inbound (.+) → ", 1).alias("flow")).unique())
    inbound = (s.inbound.join(brought, on=["origin", "site", "flow"], how="semi", maintain_order="left")
               .group_by("origin", maintain_order=True)
               .agg(pl.all().exclude("site", "flow").first(), pl.col("site").unique(maintain_order=True),
                    pl.col("flow").unique(maintain_order=True)))
    for r in inbound.iter_rows(named=True):
        rows.append({"activity": f"inbound to {', '.join(names.get(x, x) for x in r['site'])}: "
                                 f"{', '.join(fmt.humanise(f) for f in r['flow'])}, leg {r['leg']} "
                                 f"({fmt.mode(r['mode'])})", "amount": fmt.exact(r["distance"]),
                     "unit": fmt.unit(r["distance_unit"]), "source": r.get("source") or "not given",
                     "ratings": _ratings(r), "primary": "yes" if r.get("primary") else "no",
                     "share": _share(shares, [r["origin"]])})
    q = fp.quality
    results = []
    for sid in fp.scenarios:
        part = {ind: r for ind, r in q.filter(pl.col("scenario") == sid).select("indicator", "result")
                .iter_rows()} if q.height else {}
        unrated = q.filter(pl.col("scenario") == sid).get_column("unrated_share")
        results.append({"label": labels.get(sid, sid), "ratings": [fmt.num(part.get(k), 2) for k in DQR_KEYS],
                        "unrated": fmt.pct(unrated.max()) if unrated.len() else "–"})
    prim = primary_share(aq)
    most = prim.get_column("primary_share").max() if prim.height else 0.0
    n_sourced = sum(1 for r in rows if r["source"] != "not given")
    return {"rows": rows, "heads": [(RATING_HEADS[k], k) for k in DQR_KEYS], "results": results,
            "screening": not most, "primary_max": fmt.pct(most or 0.0), "n_rows": len(rows),
            "n_unsourced": len(rows) - n_sourced}
