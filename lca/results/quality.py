"""Quality of the result from its activity data and its factors, contribution-weighted.

Two frames of :class:`~lca.results.Footprint` (docs/method-rules.md "Data quality of the result"):

* :func:`activity_quality` — one row per activity (a flow exchange or a transport leg) of each
  scenario: ``scenario, origin, kind (exchange|leg), process, flow, amount, unit`` (per declared
  unit of the scenario), ``source``, ``dqr_technological`` … ``dqr_reliability`` (the ratings written
  on the amount, null = not rated), ``primary``, ``value, value_unit`` (its kg CO2e) and ``share``
  (value / the scenario's total). A supply mix holds its components' activities; an activity that
  two components share (the same exchange) is one row, its amounts and values summed.
* :func:`result_quality` — ``scenario, indicator, activity, factor, result, unrated_share``: for each
  of the five indicators, the contribution-weighted rating of the activity data, of the factors and
  of the two together, all on the 1 (best) … 5 (worst) scale:

  ``result = Σ_i |v_i| · max(a_i, f_i) / Σ_i |v_i|``

  over every contribution ``i`` (one activity × gas) with value ``v_i``; ``a_i`` is its activity's
  rating (5 when not rated: an unrated amount is not assumed good), ``f_i`` its factor's (the
  factor's ``dq_*`` for technological, geographical and temporal; reliability 1 for a primary
  factor, 4 for an estimate, else 2; completeness is not rated for factors, so ``f_i`` is left out).
  The weaker of the two ratings counts because a contribution is only as good as the worse of its
  amount and its factor. ``activity`` and ``factor`` are the same weighted means of ``a_i`` and of
  ``f_i`` alone (factor: over the contributions it rates); ``unrated_share`` is the |value| share
  whose activity carries no rating for that indicator. These are the Catena-X rulebook's
  contribution weighting (weight = |share| of the total) on the 1–5 pedigree scale; the PACT DQRs
  of the exports (:mod:`lca.disclosure.pact.figures`) keep their own definition and numbers.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> q = fp.quality.filter(pl.col("scenario") == "jp-import")
>>> q.get_column("indicator").to_list()
['technological', 'geographical', 'temporal', 'completeness', 'reliability']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from lca.study.provenance import DQR_COLUMNS, DQR_KEYS, PROVENANCE_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    from lca.study import Study

ACTIVITY_QUALITY_SCHEMA = {"scenario": pl.String, "origin": pl.String, "kind": pl.String, "process": pl.String,
                           "flow": pl.String, "amount": pl.Float64, "unit": pl.String, "source": pl.String,
                           **{c: pl.Int64 for c in DQR_COLUMNS}, "primary": pl.Boolean, "value": pl.Float64,
                           "value_unit": pl.String, "share": pl.Float64}
QUALITY_SCHEMA = {"scenario": pl.String, "indicator": pl.String, "activity": pl.Float64, "factor": pl.Float64,
                  "result": pl.Float64, "unrated_share": pl.Float64}
#: the worst rating: what an amount without a rating counts as
WORST = 5
#: factor reliability on the 1–5 scale: the factor's own measured data, a cited secondary source, an estimate
FACTOR_RELIABILITY = {"primary": 1, "secondary": 2, "estimate": 4}


def provenance(study: "Study") -> pl.DataFrame:
    """``origin, source, dqr_*``: what the study says of each exchange and transport leg it computes
    (packaging of shipped outputs and inbound legs of materials included: :func:`entry_origin`)."""
    frames = (study.exchanges, study.transport, study.shipping_packaging, study.inbound)
    parts = [f.select("origin", *PROVENANCE_COLUMNS) for f in frames
             if all(c in f.columns for c in PROVENANCE_COLUMNS)]
    if not parts:
        return pl.DataFrame(schema={"origin": pl.String, **{c: (pl.String if c == "source" else pl.Int64)
                                                            for c in PROVENANCE_COLUMNS}})
    return pl.concat(parts, how="vertical_relaxed").unique(subset="origin", keep="first", maintain_order=True)


def entry_origin() -> pl.Expr:
    """The origin of the entry a result row's activity was written at: a packaging row is its entry
    shipped on one route (``… packaging #j (shipped a → b)``), an inbound leg its leg ``… for <what it
    brings>`` (lca.engine.shipping)."""
    o = pl.col("origin")
    return (pl.when(o.str.starts_with("inbound ") & o.str.contains(" for ")).then(o.str.split(" for ").list.first())
            .otherwise(o.str.replace(r" \(shipped [^()]*\)$", "")))


def _with_provenance(detail: pl.DataFrame, study: "Study") -> pl.DataFrame:
    return (detail.with_columns(entry_origin().alias("__key"))
            .join(provenance(study).rename({"origin": "__key"}), on="__key", how="left", maintain_order="left")
            .drop("__key"))


def _rated(detail: pl.DataFrame, study: "Study") -> pl.DataFrame:
    """``detail`` with the provenance of each contribution's activity and its factor's ratings on 1–5."""
    d = _with_provenance(detail, study)
    rel = (pl.when(pl.col("factor_primary").fill_null(False)).then(FACTOR_RELIABILITY["primary"])
           .when(pl.col("estimate").fill_null(False)).then(FACTOR_RELIABILITY["estimate"])
           .otherwise(FACTOR_RELIABILITY["secondary"]))
    return d.with_columns(
        pl.col("dq_technological").cast(pl.Float64).alias("f_technological"),
        pl.col("dq_geographical").cast(pl.Float64).alias("f_geographical"),
        pl.col("dq_temporal").cast(pl.Float64).alias("f_temporal"),
        pl.lit(None, pl.Float64).alias("f_completeness"),
        rel.cast(pl.Float64).alias("f_reliability"))


def activity_quality(study: "Study", detail: pl.DataFrame, scenarios: list[str], value_unit: str) -> pl.DataFrame:
    """One row per activity of each scenario (see the module docstring), in scenario order then as computed."""
    if detail.height == 0:
        return pl.DataFrame(schema=ACTIVITY_QUALITY_SCHEMA)
    d = _with_provenance(detail, study)
    # one activity (an exchange or leg at its site, in one component) has a row per gas: its amount
    # once, its values summed
    per_act = d.group_by("scenario", "component", "site", "origin", maintain_order=True).agg(
        pl.col("process").first(), pl.col("flow").first(), pl.col("mode").first(),
        pl.col("amount").first(), pl.col("unit").first(), pl.col("primary").first(),
        *[pl.col(c).first() for c in PROVENANCE_COLUMNS], pl.col("value").sum())
    rows = per_act.group_by("scenario", "origin", maintain_order=True).agg(
        pl.when(pl.col("mode").first().is_null()).then(pl.lit("exchange")).otherwise(pl.lit("leg")).alias("kind"),
        pl.col("process").first(), pl.col("flow").first(), pl.col("amount").sum(), pl.col("unit").first(),
        *[pl.col(c).first() for c in PROVENANCE_COLUMNS], pl.col("primary").fill_null(False).all(),
        pl.col("value").sum())
    total = pl.col("value").sum().over("scenario")
    rows = rows.with_columns(pl.lit(value_unit).alias("value_unit"),
                             pl.when(total != 0).then(pl.col("value") / total).otherwise(None).alias("share"))
    order = pl.DataFrame({"scenario": scenarios, "__o": list(range(len(scenarios)))})
    return (rows.join(order, on="scenario", how="left", maintain_order="left").sort("__o", maintain_order=True)
            .select(list(ACTIVITY_QUALITY_SCHEMA)).cast(ACTIVITY_QUALITY_SCHEMA))


def result_quality(study: "Study", detail: pl.DataFrame, scenarios: list[str]) -> pl.DataFrame:
    """Per scenario and indicator: contribution-weighted activity, factor and result ratings (module docstring)."""
    if detail.height == 0:
        return pl.DataFrame(schema=QUALITY_SCHEMA)
    d = _rated(detail, study)
    w = pl.col("value").abs()
    frames = []
    for key in DQR_KEYS:
        a, f = pl.col(f"dqr_{key}").cast(pl.Float64), pl.col(f"f_{key}")
        both = pl.max_horizontal(a.fill_null(WORST), f)  # null factor rating: the activity's alone
        frames.append(d.group_by("scenario").agg(
            pl.lit(key).alias("indicator"),
            (w * a.fill_null(WORST)).sum().alias("w_a"), (w * f).filter(f.is_not_null()).sum().alias("w_f"),
            w.filter(f.is_not_null()).sum().alias("wf"), (w * both).sum().alias("w_r"),
            w.filter(a.is_null()).sum().alias("w_unrated"), w.sum().alias("w")))
    q = pl.concat(frames)
    safe = pl.when(pl.col("w") > 0).then(pl.col("w"))
    q = q.select("scenario", "indicator", (pl.col("w_a") / safe).alias("activity"),
                 (pl.col("w_f") / pl.when(pl.col("wf") > 0).then(pl.col("wf"))).alias("factor"),
                 (pl.col("w_r") / safe).alias("result"), (pl.col("w_unrated") / safe).alias("unrated_share"))
    order = pl.DataFrame({"scenario": scenarios, "__o": list(range(len(scenarios)))})
    ind = pl.DataFrame({"indicator": list(DQR_KEYS), "__i": list(range(len(DQR_KEYS)))})
    return (q.join(order, on="scenario").join(ind, on="indicator").sort("__o", "__i")
            .select(list(QUALITY_SCHEMA)).cast(QUALITY_SCHEMA))


def primary_share(activities: pl.DataFrame) -> pl.DataFrame:
    """``scenario, primary_share``: the |value| share of each scenario computed from primary activity data
    (0 for every scenario: the study is a screening estimate)."""
    w = pl.col("value").abs()
    return activities.group_by("scenario", maintain_order=True).agg(
        pl.when(w.sum() > 0).then(w.filter(pl.col("primary")).sum() / w.sum()).otherwise(0.0).alias("primary_share"))
