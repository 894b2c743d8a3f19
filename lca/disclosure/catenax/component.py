"""Catena-X PCF for battery-component suppliers 1.0.0 (``io.catenax.pcf_for_battery_component_supplier``).

The interim model a component supplier (of a cell material or part) sends a cell maker: kg CO2e per
**kg** (or per piece) only, split into the four EU Battery Regulation stages. A study declared per m²
(or per kWh…) is converted through its ``[product] mass_per_declared_unit`` (for a sheet product, its areal mass),
and the document states the conversion in ``productQualityParameter`` — the model has no comment field.

* stage values: the study's contributions summed by its ``[[stage]] eu_battery_stage`` mapping, per kg;
  ``absPcfValue`` is their sum = the PACT v3 ``pcfExcludingBiogenicUptake`` ÷ ``productMassPerDeclaredUnit``;
* a stage no activity maps to is 0 because the model requires a number, and says so (end of life is
  never modelled cradle-to-gate: "not modelled", never a silent zero);
* DQRs, primary data share, sources and validity as in PACT v3; ``dataQualityRating`` = the mean of the
  three representativeness ratings (stated);
* identifiers (BPNL, the plant's BPNS, part ids) come from the study's ``[catenax]`` table
  (:mod:`lca.study.catenax`); no performance class is given (classes are unpublished).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.choices import EU_BATTERY_STAGES
from lca.errors import ExportCheckError, Problem
from lca.results import Footprint

STAGE_FIELDS = ("stage1RawMaterialAquisitionPreProcessing", "stage2MainProductProduction", "stage3Distribution",
                "stage4EndOfLifeRecycling")
DECLARED_UNIT = "CO2KG/KG"
ROUND = 10


def _identity(fp: Footprint) -> Any:
    """The study's ``[catenax]`` identifiers, or a located error naming what to add."""
    cx = fp.study.catenax
    need = {"legal_identifier": 'legal_identifier = "BPNL…"', "manufacturer_part_id": 'manufacturer_part_id = "…"',
            "customer_part_id": 'customer_part_id = "…"', "sites": 'sites = { <plant site id> = "BPNS…" }'}
    missing = list(need) if cx is None else [k for k in need if not getattr(cx, k)]
    if missing:
        raise ExportCheckError([Problem(f"the battery-component PCF needs [catenax] {k}", file=fp.meta.source,
                                        table="catenax", column=k, hint=f"add {need[k]} (docs/study-format.md)")
                                for k in missing])
    return cx


def _plant(fp: Footprint, scenario: str, sites: dict[str, str]) -> tuple[str, str]:
    """``(BPNS, note)``: the BPNS of the site making the delivered product; of a mix, the largest component's."""
    made = (fp.scaling.join(fp.delivered.select("scenario", pl.col("product").alias("process")),
                            on=["scenario", "process"], how="inner")
            .filter(pl.col("scenario") == scenario))
    share = "share" if "share" in made.columns else None
    rows = made.sort(share, descending=True) if share else made
    plants = list(dict.fromkeys(rows.get_column("site").to_list()))
    missing = [p for p in plants if p not in sites]
    if missing:
        raise ExportCheckError(Problem(f"scenario '{scenario}' is made at site '{missing[0]}', which has no BPNS",
                                       file=fp.meta.source, table="catenax", column="sites",
                                       hint=f'add {missing[0]} = "BPNS…" to [catenax] sites'))
    order = "by share, largest first" if share else "in step order"
    note = "" if len(plants) == 1 else (f"made at several sites ({', '.join(plants)}, {order}); siteIdentifier "
                                        f"names {plants[0]}")
    return sites[plants[0]], note


def _stages(fp: Footprint, scenario: str) -> dict[str, float]:
    """kg CO2e per kg of product by EU stage (every EU stage, 0 where nothing maps)."""
    by = (fp.by_stage(per="kg", scenario=scenario).join(fp.stages.select("stage", "eu_battery_stage"), on="stage",
                                                        how="left")
          .group_by("eu_battery_stage").agg(pl.col("value").sum()))
    got = dict(zip(by.get_column("eu_battery_stage").to_list(), by.get_column("value").to_list()))
    return {eu: float(got.get(eu, 0.0)) for eu in EU_BATTERY_STAGES}


def _one(fp: Footprint, pact: dict[str, Any], scenario: str, cx: Any) -> dict[str, Any]:
    p = pact["pcf"]
    site, site_note = _plant(fp, scenario, dict(cx.sites))
    stages = _stages(fp, scenario)
    mass = float(p["productMassPerDeclaredUnit"])
    total_du = float(p["pcfExcludingBiogenicUptake"])
    amount = float(p["declaredUnitAmount"])
    du = fp.meta.declared_unit
    per_kg = total_du / mass
    values = {f: round(stages[eu], ROUND) for f, eu in zip(STAGE_FIELDS, EU_BATTERY_STAGES)}
    dqi = {k: float(v) for k, v in p.get("dqi", {}).items()}
    rating = round(sum(dqi.values()) / len(dqi), 2) if dqi else 5.0
    notes = [f"declared unit conversion: {total_du:.10g} kg CO2e per {amount:g} {p['declaredUnitOfMeasurement']} "
             f"(study declared unit {du}) ÷ {mass:.10g} kg of product per declared unit ([product] "
             f"mass_per_declared_unit {fp.meta.mass_per_declared_unit}) = {per_kg:.10g} kg CO2e/kg"]
    notes += list(cx.quality_parameters)
    present = set(fp.by_stage(scenario=scenario).get_column("stage").to_list())
    for f, eu in zip(STAGE_FIELDS, EU_BATTERY_STAGES):
        mapped = set(fp.stages.filter(pl.col("eu_battery_stage") == eu).get_column("stage").to_list())
        if not present & mapped:
            why = ("end of life and recycling is not modelled (cradle-to-gate study)" if f == STAGE_FIELDS[3]
                   else f"no activity of the study maps to '{eu}'")
            notes.append(f"{f}: {why}; 0 is written because the model requires a number")
    notes.append("dataQualityRating: mean of the technological, geographical and temporal ratings")
    notes.append("pcfPerformanceClass: not given (performance classes and thresholds are not published)")
    if site_note:
        notes.append(site_note)
    rules = getattr(fp.study.method, "rules", None)
    if rules:
        from lca.rules import load_pack

        notes.append(load_pack(rules).notice)
    pcf_values: dict[str, Any] = {"sharesPerStage": {
        **{f: {"stageValue": v} for f, v in values.items()},
        "absPcfValue": {"stageValue": round(per_kg, ROUND)}, "declaredUnit": DECLARED_UNIT}}
    if cx.study_url:
        pcf_values["webLinkToCarbonFootPrintStudy"] = cx.study_url
    return {
        "manufacturerPartId": cx.manufacturer_part_id, "customerPartId": cx.customer_part_id,
        "siteIdentifier": site, "legalidentifier": cx.legal_identifier,
        "validityPeriod": {"validFrom": pact["validityPeriodStart"], "validTo": pact["validityPeriodEnd"]},
        "primaryDataShare": float(p.get("primaryDataShare", 0)),
        "technologicalRepresentativeness": dqi.get("technologicalDQR", 5.0),
        "geographicalRepresentativeness": dqi.get("geographicalDQR", 5.0),
        "timerelatedRepresentativeness": dqi.get("temporalDQR", 5.0),
        "dataQualityRating": rating,
        "secondaryEmissionFactorSources": [f"{s['name']} ({s['version']})"
                                           for s in p.get("secondaryEmissionFactorSources", [])],
        "productQualityParameter": notes,
        "contentC02Metals": list(cx.metal_contents),
        "pcfValues": pcf_values,
    }


def export_battery_component(fp: Footprint, scenario: str | None = None, *,
                             created: str | None = None) -> list[dict[str, Any]] | dict[str, Any]:
    """Battery-component-supplier PCF(s) of ``fp``, per kg: one dict for ``scenario``, else a list."""
    from lca.disclosure.pact import export_pact
    from lca.disclosure.pact.build import footprint_id

    cx = _identity(fp)
    wanted = [scenario] if scenario is not None else fp.scenarios
    docs = export_pact(fp, "v3", None, created=created)
    by_id = {d["id"]: d for d in docs}
    out = [_one(fp, by_id[footprint_id(fp, s, "v3")], s, cx) for s in wanted]
    return out[0] if scenario is not None else out
