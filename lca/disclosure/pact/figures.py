"""The numbers a PACT ProductFootprint carries, computed from a :class:`~lca.results.Footprint`.

One row per scenario, all in kg CO2e per declared unit (column ``unit``) unless named ``*_pct`` or
``dqr_*``. Everything is derived from the inputs, nothing is typed in:

* ``total`` = sum of every contribution (= ``fp.totals()``); ``fossil`` = contributions whose
  ``carbon_origin`` is ``fossil``; ``biogenic_non_co2`` = the ``biogenic`` ones (non-fossil CH4).
  Biogenic CO2 uptake is not modelled by the engine, so it is 0.
* ``packaging`` = the stages mapped to PACT ``packagingGhgEmissions`` (``Footprint.stages``);
  ``outbound`` = transport legs that end at the study's cell plant; ``aircraft`` = legs whose mode
  contains ``air`` (both from ``Footprint.transport``).
* ``primary_pct`` = share of the footprint (excluding biogenic uptake) that is *primary data*: the
  contributions whose activity data is flagged ``primary`` (the reporting company's own measured
  data for its own processes: an exchange or a transport leg with ``primary = true``) AND whose
  emission factor is flagged ``primary`` (its own measured factor), and that no secondary grid-loss
  factor grossed up. PACT Methodology v3 (Sections 4.2.1–4.2.2, Appendix B; see
  ``docs/api.md``) defines the share as the part of the PCF computed from primary data,
  contribution-weighted; counting a contribution only when both its activity data and its factor
  are primary is the conservative reading, so the share is never overstated. Estimates
  (``estimate = true``) and every factor not flagged ``primary`` — shipped or from a user layer —
  are secondary. 0 % for the default study (no data is flagged primary).
* ``dqr_technological/geographical/temporal`` = contribution-weighted means (weights = |value|)
  of the factors' 1–5 ratings; ``dqr_reliability`` (1–3) weights 1 primary, 2 cited secondary,
  3 estimate.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> f = scenario_figures(fp)
>>> f.filter(pl.col("scenario") == "jp-import").get_column("primary_pct")[0]
0.0
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.results import Footprint

#: A contribution is primary data iff its activity data and its factor are both flagged primary
#: and no (secondary) grid-loss factor grossed it up. One owner: the report uses this rule too.
PRIMARY = (pl.col("primary").fill_null(False) & pl.col("factor_primary").fill_null(False)
           & pl.col("td_loss_factor").is_null())
#: The primary part of a contribution (kg CO2e): all of it when :data:`PRIMARY`; for a supplier
#: footprint (``__supplier_pds``, its primaryDataShare as a fraction) charged on primary activity data,
#: the supplier's share of it (PACT Methodology v3 §4.2.2 / Appendix B; docs/api.md "Primary data").
PRIMARY_PART = (pl.when(PRIMARY).then(pl.col("value"))
                .when(pl.col("primary").fill_null(False) & pl.col("__supplier_pds").is_not_null())
                .then(pl.col("value") * pl.col("__supplier_pds")).otherwise(0.0))


def with_supplier_shares(fp: Footprint) -> pl.DataFrame:
    """``fp.detail`` with ``__supplier_pds`` and ``__supplier_biogenic`` (fractions; null for a
    contribution that is not charged with a supplier footprint, :mod:`lca.study.supplier`)."""
    sup = getattr(fp.study, "supplier_footprints", None)
    d = fp.detail
    if sup is None or sup.height == 0:
        return d.with_columns(pl.lit(None, pl.Float64).alias("__supplier_pds"),
                              pl.lit(None, pl.Float64).alias("__supplier_biogenic"))
    shares = sup.select(pl.col("factor_id"), pl.col("primary_share").alias("__supplier_pds"),
                        pl.when(pl.col("pcf") > 0).then(pl.col("biogenic") / pl.col("pcf")).otherwise(0.0)
                        .alias("__supplier_biogenic"))
    return d.join(shares, on="factor_id", how="left", maintain_order="left")


def _transport(fp: Footprint) -> pl.DataFrame:
    """``scenario, outbound, aircraft``: from :attr:`Footprint.transport` (legs to the cell plant;
    legs whose mode contains ``air``)."""
    t = fp.transport
    return t.group_by("scenario").agg(
        pl.col("value").filter(pl.col("direction") == "outbound").sum().alias("outbound"),
        pl.col("value").filter(pl.col("mode").str.contains("air")).sum().alias("aircraft"))


def scenario_figures(fp: Footprint) -> pl.DataFrame:
    """One row per scenario with every PACT figure (see the module docstring for the rules)."""
    d = with_supplier_shares(fp)
    packaging = pl.col("stage").is_in(fp.stages.filter(pl.col("pact_field") == "packagingGhgEmissions")
                                      .get_column("stage").implode())
    v = pl.col("value")
    w = v.abs()
    reliability = pl.when(PRIMARY).then(1.0).when(pl.col("estimate")).then(3.0).otherwise(2.0)
    # plain sums, then division: weighted means are sum(w·q)/sum(w)
    agg = d.group_by("scenario").agg(
        v.sum().alias("total"),
        # a supplier footprint's biogenic non-CO2 part stays biogenic (its own share of its figure)
        (v * (1 - pl.col("__supplier_biogenic").fill_null(0.0))).filter(pl.col("carbon_origin") == "fossil").sum()
        .alias("fossil"),
        (v.filter(pl.col("carbon_origin") == "biogenic").sum()
         + (v * pl.col("__supplier_biogenic").fill_null(0.0)).filter(pl.col("carbon_origin") == "fossil").sum())
        .alias("biogenic_non_co2"),
        v.filter(packaging).sum().alias("packaging"),
        packaging.any().alias("has_packaging"),
        PRIMARY_PART.sum().alias("primary"),
        w.sum().alias("weight"),
        (w * pl.col("dq_technological")).sum().alias("w_tech"),
        (w * pl.col("dq_geographical")).sum().alias("w_geo"),
        (w * pl.col("dq_temporal")).sum().alias("w_temp"),
        (w * reliability).sum().alias("w_rel"),
        PRIMARY.all().alias("all_primary"),
    )
    agg = agg.join(_transport(fp), on="scenario", how="left").with_columns(
        pl.col("outbound").fill_null(0.0), pl.col("aircraft").fill_null(0.0))
    safe = pl.when(pl.col("weight") > 0).then(pl.col("weight")).otherwise(None)
    out = agg.select(
        "scenario", "total", "fossil", "biogenic_non_co2", pl.lit(0.0).alias("biogenic_uptake"), "packaging",
        "has_packaging", "outbound", "aircraft",
        pl.when(pl.col("total") != 0).then(pl.col("primary") / pl.col("total") * 100).otherwise(0.0)
        .alias("primary_pct"),
        (pl.col("w_tech") / safe).alias("dqr_technological"),
        (pl.col("w_geo") / safe).alias("dqr_geographical"),
        (pl.col("w_temp") / safe).alias("dqr_temporal"),
        (pl.col("w_rel") / safe).alias("dqr_reliability"),
        "all_primary",
        pl.lit(fp.scale("declared_unit")[1]).alias("unit"),
    )
    order = pl.DataFrame({"scenario": fp.scenarios, "__o": list(range(len(fp.scenarios)))})
    return order.join(out, on="scenario", how="left").sort("__o").drop("__o")


def secondary_sources(fp: Footprint) -> dict[str, list[dict[str, str]]]:
    """Per scenario: the cited sources (name, vintage year) behind every contribution that is not
    primary data — the factor's own source and, where grid losses were added, the loss factor's —
    so that every part of the PCF outside ``primaryDataShare`` names its source. Sorted, unique."""
    d = fp.detail.filter(~PRIMARY & (pl.col("value") != 0))
    own = d.select("scenario", pl.col("source").alias("name"), pl.col("factor_year").cast(pl.String).alias("version"))
    lib = fp.library.factors.select(pl.col("id").alias("td_loss_factor"), pl.col("source").alias("name"),
                                    pl.col("year").cast(pl.String).alias("version"))
    losses = d.filter(pl.col("td_loss_factor").is_not_null()).select("scenario", "td_loss_factor").join(
        lib, on="td_loss_factor", how="inner").select("scenario", "name", "version")
    rows = pl.concat([own, losses]).unique().sort("scenario", "name", "version")
    out: dict[str, list[dict[str, str]]] = {s: [] for s in fp.scenarios}
    for sid, name, version in rows.iter_rows():
        out[sid].append({"name": name, "version": version})
    return out


# ------------------------------------------------------------------------ study-level facts

def production_country(fp: Footprint, scenario: str) -> str | None:
    """Country of the site that makes the delivered product (:attr:`Footprint.delivered`); for a mix,
    the common country of its parts' (else None)."""
    made = fp.scaling.filter(pl.col("scenario") == scenario).join(
        fp.delivered.select(pl.col("scenario").alias("component"), pl.col("product").alias("process")),
        on=["component", "process"])
    if fp.scaling.filter(pl.col("scenario") == scenario).height == 0:
        return None
    countries = set(made.join(fp.sites, on="site", how="left").get_column("country").to_list())
    return countries.pop() if len(countries) == 1 else None


def _site_name(fp: Footprint, site: str) -> str:
    name = fp.sites.filter(pl.col("site") == site).get_column("name")
    return str(name[0]) if name.len() and name[0] else site


def boundary_description(fp: Footprint, scenario: str) -> str:
    """Plain-language system boundary of one scenario from its steps, transport and stages."""
    s = fp.study
    row = s.scenarios.filter(pl.col("id") == scenario).row(0, named=True)
    if row["kind"] == "mix":
        parts = s.mixes.filter(pl.col("scenario") == scenario)
        mix = " | ".join(f"{share * 100:g} % {comp}: {boundary_description(fp, comp)}"
                        for comp, share in parts.select("component", "share").iter_rows())
        return f"Supply mix of scenarios (weighted by share). {mix}"
    procs = s.processes.select("id", "name")
    steps = s.steps.filter(pl.col("scenario") == scenario).join(procs, left_on="process", right_on="id", how="left")
    made = "; ".join(f"{name or proc} at {_site_name(fp, site)}" for proc, site, name in
                     steps.select("process", "site", "name").iter_rows())
    legs = s.transport.filter(pl.col("scenario") == scenario)
    moves = []
    for (el,), g in legs.group_by("element", maintain_order=True):
        first = g.row(0, named=True)
        path = ", ".join(f"{m} {d:g} {u}" for m, d, u in g.select("mode", "distance", "distance_unit").iter_rows())
        moves.append(f"{first['goods']} {first['from_site']} → {first['to_site']} ({path}; shipped mass "
                     f"× {first['packaging_factor']:g} for packaging)")
    stages = ", ".join(fp.detail.filter(pl.col("scenario") == scenario).get_column("stage").unique(maintain_order=True))
    text = (f"Cradle-to-gate of {s.product.name} plus delivery to the customer's cell plant"
            f"{' (' + _site_name(fp, s.cell_plant) + ')' if s.cell_plant else ''}. Processes: {made}.")
    if moves:
        text += " Transport: " + "; ".join(moves) + "."
    rows = fp.detail.filter(pl.col("scenario") == scenario)
    also = [what for what, hit in (
        ("treatment of production waste", rows.filter(pl.col("flow_category") == "waste").height),
        ("inbound transport of materials to each plant",
         rows.filter(pl.col("process").str.starts_with("inbound ")).height)) if hit]
    if also:
        text += " Also included: " + " and ".join(also) + "."
    return text + f" Stages included: {stages}. Capital goods and end of life are outside the boundary."


def _mass_kg(fp: Footprint) -> float:
    """Mass of the delivered declared unit in kg (:attr:`Footprint.delivered`; one mass per study)."""
    from lca.units import conversion_factor

    mass, unit = fp.delivered.select("mass", "mass_unit").row(0)
    return float(mass) * conversion_factor(unit, "kg")


#: PACT declared units by the study unit they are stated in (v2.3 and v3.0 both accept these)
PACT_DECLARED_UNITS = (("square meter", "m^2"), ("kilogram", "kg"), ("kilowatt hour", "kWh"),
                       ("cubic meter", "m^3"), ("ton kilometer", "tkm"))
#: the PACT v3 declared unit of a counted view (per vehicle, per cell, …): v2.3 has none
PIECE = "piece"


def declared_unit(fp: Footprint, view: str | None = None, version: str = "v3") -> dict[str, Any]:
    """PACT declared unit name, the amount in that unit, product mass per declared unit (kg) and
    ``scale``: the multiplier from the study's figures (per its declared unit) to per ``amount`` of
    that unit.

    Without ``view`` (or with ``declared_unit``) it is the study's declared unit (``scale`` 1). With a
    view id (``kg`` or a ``[[view]]``, :attr:`Footprint.views`) it is ONE unit of the view: one kWh of
    cell capacity (``kilowatt hour``), one kg (``kilogram``), one vehicle (``piece``, PACT v3 only),
    with ``scale`` the view's factor in kg CO2e. A view of another dimension (per year of supply) has
    no PACT declared unit: a located error naming the view.
    """
    from lca.errors import ExportCheckError, Problem
    from lca.units import conversion_factor, unit_info

    if view is not None and view != "declared_unit":
        return _view_unit(fp, view, version)
    du = fp.meta.declared_unit
    dim = unit_info(du.unit).dimension
    for pact_name, unit in PACT_DECLARED_UNITS:
        if unit_info(unit).dimension == dim:
            return {"name": pact_name, "amount": du.value * conversion_factor(du.unit, unit),
                    "mass_kg": _mass_kg(fp), "scale": 1.0}
    raise ExportCheckError(Problem(f"declared unit '{du}' has no PACT equivalent", table="product",
                                   column="declared_unit",
                                   hint="PACT accepts area, mass, energy, volume or ton-km declared units"))


def _view_unit(fp: Footprint, view: str, version: str) -> dict[str, Any]:
    from lca.errors import ExportCheckError, Problem
    from lca.units import conversion_factor, unit_info

    mult, unit = fp.scale(view)  # an unknown view, or one whose totals overflow: a located error
    dim = unit_info(unit).dimension
    mass = _mass_kg(fp)
    for pact_name, u in PACT_DECLARED_UNITS:
        per_u = f"kg_CO2e/{u}"
        if dim is not None and unit_info(per_u).dimension == dim:
            return {"name": pact_name, "amount": 1.0, "mass_kg": mass,
                    "scale": mult * conversion_factor(unit, per_u)}
    if dim is None and unit.startswith("kg_CO2e/") and version == "v3":  # a counted view: kg CO2e per one
        return {"name": PIECE, "amount": 1.0, "mass_kg": mass, "scale": mult}
    what = "a count" if dim is None else f"results in {unit}"
    raise ExportCheckError(Problem(
        f"view '{view}' ({what}) has no PACT {version} declared unit", file=fp.meta.source, table=f"view '{view}'",
        column="per", hint="PACT footprints are per area, mass, energy, volume or ton-km of product (v3 also per "
                           "piece: a counted view such as per vehicle); leave this view out of --per"))
