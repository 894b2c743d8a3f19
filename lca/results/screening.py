"""The screening of declared exclusions: each one's share of the footprint and the exempted total.

A study's ``[[exclusion]]`` entries carry a screening estimate in kg CO2e per declared unit
(:mod:`lca.study.screening`). Per scenario, each estimate is divided by the scenario's footprint
(the PCF as computed, which the excluded flows are not part of: PACT's ``exemptedEmissionsPercent``
is "emissions excluded as a percentage of the PCF"); ``exempted_share`` is their sum, and ``within``
says whether every share is at most ``cutoff_each`` and the sum at most ``cutoff_total``.

* :func:`exclusions` — ``scenario, exclusion, description, value, share, basis, source``.
* :func:`exempted` — ``scenario, exempted_share, cutoff_each, cutoff_total, within``.
"""

from __future__ import annotations

import polars as pl

EXCLUSIONS_SCHEMA = {"scenario": pl.String, "exclusion": pl.String, "description": pl.String, "value": pl.Float64,
                     "share": pl.Float64, "basis": pl.String, "source": pl.String}
EXEMPTED_SCHEMA = {"scenario": pl.String, "exempted_share": pl.Float64, "cutoff_each": pl.Float64,
                   "cutoff_total": pl.Float64, "within": pl.Boolean}
#: a share is compared with its limit after rounding away float noise (1e-12 of the footprint)
_EPS = 1e-12


def exclusions(declared: pl.DataFrame, totals: pl.DataFrame) -> pl.DataFrame:
    """Every declared exclusion (``exclusion, description, value, basis, source``, value in kg CO2e
    per declared unit) in every scenario of ``totals`` (``scenario, value``), with its share."""
    if declared.height == 0:
        return pl.DataFrame(schema=EXCLUSIONS_SCHEMA)
    t = totals.select("scenario", pl.col("value").alias("__total"))
    out = t.join(declared, how="cross").with_columns(
        pl.when(pl.col("__total") > 0).then(pl.col("value") / pl.col("__total")).alias("share"))
    return out.select([pl.col(c).cast(d) for c, d in EXCLUSIONS_SCHEMA.items()])


def exempted(excl: pl.DataFrame, scenario_ids: list[str], cutoff: tuple[float, float]) -> pl.DataFrame:
    """Per scenario: the sum of the exclusions' shares and whether the study's cut-off holds.

    A scenario whose footprint is not positive has no share (null) and is not within the cut-off
    when it declares exclusions: a percentage of nothing cannot show they are small.
    """
    each, total = cutoff
    per = (excl.group_by("scenario", maintain_order=True)
           .agg(pl.col("share").sum().alias("exempted_share"),
                (pl.col("share").is_null().any() | (pl.col("share") > each + _EPS).any()).alias("__over")))
    base = pl.DataFrame({"scenario": scenario_ids}, schema={"scenario": pl.String})
    out = base.join(per, on="scenario", how="left", maintain_order="left").with_columns(
        pl.col("exempted_share").fill_null(0.0), pl.lit(each).alias("cutoff_each"), pl.lit(total).alias("cutoff_total"))
    within = ~pl.col("__over").fill_null(False) & (pl.col("exempted_share") <= total + _EPS)
    return out.with_columns(within.alias("within")).select([pl.col(c).cast(d) for c, d in EXEMPTED_SCHEMA.items()])


def over_cutoff(excl: pl.DataFrame, ex: pl.DataFrame) -> list[tuple[str, str | None, str]]:
    """``(scenario, exclusion or None, message)`` for every share and total over the cut-off."""
    out = []
    for sid, share, each, total, within in ex.iter_rows():
        if within:
            continue
        rows = excl.filter(pl.col("scenario") == sid)
        for eid, s in rows.select("exclusion", "share").iter_rows():
            if s is None or s > each + _EPS:
                what = "not computable (footprint not positive)" if s is None else f"{s:.2%}"
                out.append((sid, eid, f"exclusion '{eid}' is {what} of scenario '{sid}', over the cut-off of "
                                      f"{each:.2%} each"))
        if share > total + _EPS:
            out.append((sid, None, f"the exclusions of scenario '{sid}' add up to {share:.2%}, over the cut-off of "
                                   f"{total:.2%} together"))
    return out


def exempted_percent(fp, scenario: str) -> float:
    """The scenario's exempted emissions in percent of its footprint, rounded to 2 decimals: the one
    figure the report and every export state (PACT ``exemptedEmissionsPercent``). A study's explicit
    ``[pact] exempted_emissions_percent`` (e.g. from a fuller screening done elsewhere) is that figure
    instead, in the report too; the cut-off check still holds the declared exclusions to the limits."""
    declared = fp.study.pact_spec.get("exempted_emissions_percent")
    if declared is not None:
        return float(declared)
    row = fp.exempted.filter(pl.col("scenario") == scenario)
    return round(100.0 * float(row.get_column("exempted_share")[0]), 2) if row.height else 0.0


def exemption_text(fp, scenario: str) -> str | None:
    """One sentence naming each exclusion with its screening share and the total (None: none declared)."""
    ex = fp.exclusions.filter(pl.col("scenario") == scenario)
    if ex.height == 0 or "exempted_emissions_percent" in fp.study.pact_spec:
        return None
    cut = fp.exempted.filter(pl.col("scenario") == scenario).row(0, named=True)
    parts = [f"{d.rstrip('.')} ({'n/a' if s is None else f'{100 * s:.2f} %'})"
             for d, s in ex.select("description", "share").iter_rows()]
    return (f"Excluded flows, each with a screening estimate as a share of this footprint: {'; '.join(parts)}. "
            f"Together {exempted_percent(fp, scenario):.2f} % (cut-off: {100 * cut['cutoff_each']:g} % each, "
            f"{100 * cut['cutoff_total']:g} % together; {'within' if cut['within'] else 'NOT within'} it).")
