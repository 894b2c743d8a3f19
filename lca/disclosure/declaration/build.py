"""The declaration as a JSON document (``lca export --format eu-declaration``).

The fields of the draft implementing act's declaration (manufacturer, battery model, plant location,
total carbon footprint per kWh of lifetime energy, per stage, EU declaration-of-conformity id, link
to the public study), plus what a reader needs to check it: the rule pack and its status (every
document says "draft rules, not in force" with the draft's reference while the pack is a draft), the
functional unit with its inputs, and each electricity variant side by side. The performance class
is ``null`` with the reason while the pack says classes are unpublished.

The figures come from :class:`~lca.disclosure.declaration.figures.DeclarationTable` rows (pandera-checked);
the document is checked against ``schema.json`` beside this module in the tests
(tests/test_declaration.py), and its shape here by :func:`check_document`.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lca.disclosure.declaration.figures import NOT_MODELLED, TOTAL, Declaration, declare
from lca.errors import ExportCheckError, Problem
from lca.results import Footprint

DOCUMENT_TYPE = "EU Battery Regulation Art. 7 carbon footprint declaration"
SCHEMA_ID = "https://lca.example/schemas/eu-declaration-1.json"


def _q(value: Any, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def export_declaration(fp: Footprint, scenario: str | None = None, *, created: str | None = None) -> dict[str, Any]:
    """The declaration document of ``fp`` (every scenario, or ``scenario``), both variants side by side."""
    d = declare(fp)
    if scenario is not None:
        fp._check_scenario(scenario)
    scenarios = [scenario] if scenario else fp.scenarios
    pack, e, b = d.pack, d.energy, d.battery
    doc: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "documentType": DOCUMENT_TYPE,
        "notice": pack.notice,
        "rules": {"id": pack.id, "title": pack.title, "regulation": pack.regulation, "reference": pack.reference,
                  "status": pack.status, "statement": pack.statement, "url": pack.url},
        **({"created": created} if created else {}),
        "manufacturer": b.manufacturer,
        "batteryModel": b.model,
        "conformityId": b.conformity_id,
        "study": {"id": fp.study.id, "title": fp.study.title, "url": b.study_url,
                  "manifestHash": d.footprints[d.headline.id].manifest()["manifest_hash"]},
        "functionalUnit": {
            "label": pack.fu_label, "formula": pack.fu_formula,
            "vehicleCategory": e.vehicle_category, "cyclesPerYear": e.cycles_per_year,
            "usableCapacity": _q(float(e.usable_capacity.to("kWh").magnitude), "kWh"),
            "ratedCapacity": _q(float(e.rated_capacity.to("kWh").magnitude), "kWh"),
            "serviceLife": _q(float(e.service_life.to("year").magnitude), "year"),
            "serviceLifeBasis": e.service_life_basis,
            "lifetimeEnergy": _q(float(e.total.to("kWh").magnitude), "kWh"),
            "resultsPerCapacityView": b.per,
        },
        "performanceClass": None,  # never computed: no pack ships class thresholds (lca.rules)
        "performanceClassReason": pack.classes_reason,
        "headlineVariant": d.headline.id,
        "electricityVariants": [{"id": v.id, "label": v.label, "description": v.description,
                                 "electricityRule": v.electricity_rule, "electricityBasis": v.electricity_basis,
                                 "contractualInstruments": v.contractual_instruments, "gaps": list(v.gaps)}
                                for v in d.variants],
        "declarations": [_scenario(d, sid) for sid in scenarios],
    }
    problems = check_document(doc)
    if problems:  # an internal fault: never write a document that contradicts its own rules
        raise ExportCheckError(problems)
    return doc


def _scenario(d: Declaration, sid: str) -> dict[str, Any]:
    label = d.fp.study.scenarios.filter(pl.col("id") == sid).get_column("label")[0]
    plants = d.plants.filter(pl.col("scenario") == sid)
    rows = d.rows.filter(pl.col("scenario") == sid)
    by_variant = {}
    for v in d.variants:
        r = rows.filter(pl.col("variant") == v.id)
        total = r.filter(pl.col("stage_id") == TOTAL).row(0, named=True)
        by_variant[v.id] = {
            "total": {**_q(total["value"], total["unit"]), "note": total["note"]},
            "stages": [{"id": x["stage_id"], "stage": x["stage"], "value": x["value"], "unit": x["unit"],
                        "status": x["status"], "note": x["note"]}
                       for x in r.filter(pl.col("stage_id") != TOTAL).iter_rows(named=True)],
            "warnings": d.footprints[v.id].warnings,
        }
    return {"scenario": sid, "label": label,
            "plantLocation": [{"site": p["site"], "name": p["name"], "country": p["country"], "facility": p["facility"]}
                              for p in plants.iter_rows(named=True)],
            "byVariant": by_variant}


def check_document(doc: dict[str, Any]) -> list[Problem]:
    """The rules a declaration document keeps whatever produced it: the draft notice under a draft pack,
    no performance class while unpublished, a value exactly for each modelled stage, totals that add up."""
    problems = []
    where = "declaration"
    if doc["rules"]["status"] != "adopted" and not doc.get("notice", "").startswith(doc["rules"]["statement"]):
        problems.append(Problem("a declaration under draft rules must carry the draft notice", table=where,
                                column="notice"))
    if doc.get("performanceClass") is not None and "not published" in doc.get("performanceClassReason", ""):
        problems.append(Problem("a performance class is shown although classes are not published", table=where,
                                column="performanceClass"))
    for dec in doc["declarations"]:
        for vid, v in dec["byVariant"].items():
            at = f"{where} {dec['scenario']} {vid}"
            for s in v["stages"]:
                if (s["value"] is None) != (s["status"] == NOT_MODELLED):
                    problems.append(Problem(f"stage {s['id']}: a value must be given exactly when modelled",
                                            table=at, column="stages"))
            parts = sum(s["value"] for s in v["stages"] if s["value"] is not None)
            if abs(parts - v["total"]["value"]) > 1e-9 * max(1.0, abs(parts)):
                problems.append(Problem(f"stages add up to {parts!r}, the total says {v['total']['value']!r}",
                                        table=at, column="total"))
    return problems
