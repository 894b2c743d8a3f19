"""The report's identification block: contact, company and product ids, classification, version
and validity, carbon content of the product and its packaging, product-category rules, and what
the report does not cover.

Identity, validity and the product's carbon content are read from the PACT v3 footprints of the
same result (:func:`lca.disclosure.export_pact`), so the report and the export state one value;
contact, PCRs, packaging carbon and the study's own exclusions come from its ``[disclosure]``
table (:mod:`lca.study.disclosure`). Every field has a stated default: a study that gives nothing
gets "not stated", never a silent zero.
"""

from __future__ import annotations

from typing import Any

from lca.report import fmt

NOT_STATED = "not stated in the study"


def _date(text: str) -> str:
    return text[:10]


def _grams(kg: float | None, du: str) -> str:
    return NOT_STATED if kg is None else f"{fmt.num(kg * 1000, 3)} g per {du}"


def identity(fp: Any, labels: dict[str, str], timestamp: str, *, outside: str) -> dict[str, Any]:
    """Rows of the identification table, validity per scenario, carbon contents and the list of what
    the report does not cover (``outside``: the boundary's own sentence on later stages)."""
    from lca.disclosure import export_pact
    from lca.errors import ExportCheckError

    meta, d = fp.meta, fp.study.disclosure
    stated = meta.pact  # the study's [pact] table: what it states, not the export's defaults
    du = fmt.unit(str(meta.declared_unit))
    pact_note = None
    try:
        docs = {s: export_pact(fp, "v3", s, created=timestamp, check=False) for s in fp.scenarios}
    except ExportCheckError as exc:  # e.g. AR4: no PACT footprint exists; say why, keep the study's fields
        docs = {}
        pact_note = f"No PACT footprint can be made of this result: {exc.problems[0].message}."
    first: dict[str, Any] = next(iter(docs.values()), {})
    ids = list(first.get("productIds", meta.product_ids))
    urns = list(first.get("productClassifications", ()))
    cpc = stated.get("product_category_cpc", meta.product_category_cpc)
    classes = ([f"UN CPC {cpc}" + (f" ({', '.join(urns)})" if urns else "")] if cpc else []) or urns
    company = first.get("companyName", meta.company_name)
    company_ids = list(first.get("companyIds", meta.company_ids))
    version = meta.pact.get("version", 1)  # as the PACT v2.3 export writes it
    rows = [
        ("Contact", d.contact or NOT_STATED),
        ("Reporting company", (company or NOT_STATED) + (f" ({', '.join(company_ids)})" if company_ids else "")),
        ("Product", first.get("productNameCompany", meta.product_name)),
        ("Product ids", ", ".join(ids) if ids else NOT_STATED),
        ("Product classification", ", ".join(classes) if classes else NOT_STATED),
        ("Version and status", f"version {version}, {first.get('status', meta.pact.get('status', 'Active'))}"),
        ("Product-category rules (PCR)", "; ".join(d.product_category_rules) if d.product_category_rules
         else "none: no product-category rules were applied"),
    ]
    validity = [{"scenario": labels[s], "id": doc["id"], "start": _date(doc["validityPeriodStart"]),
                 "end": _date(doc["validityPeriodEnd"])} for s, doc in docs.items()]
    pcf = first.get("pcf", {})

    def product_carbon(key: str, field: str) -> str:
        if key not in stated:
            return f"{NOT_STATED} (the PACT export writes 0)"
        return _grams(float(pcf[field]) if field in pcf else None, du)

    carbon = [("Product, fossil carbon", product_carbon("fossil_carbon_content", "fossilCarbonContent")),
              ("Product, biogenic carbon", product_carbon("biogenic_carbon_content", "biogenicCarbonContent")),
              ("Packaging, fossil carbon", _grams(_kg(d.packaging_fossil_carbon_content), du)),
              ("Packaging, biogenic carbon", _grams(_kg(d.packaging_biogenic_carbon_content), du))]
    return {"contact": d.contact, "rows": rows, "validity": validity, "carbon": carbon, "pact_note": pact_note,
            "not_covered": not_covered(fp, labels, outside)}


def _kg(q: Any) -> float | None:
    return None if q is None else q.to("kg")


def not_covered(fp: Any, labels: dict[str, str], outside: str) -> list[str]:
    """What the report leaves out, generated from the result and the study (never product-specific
    words of its own): impact categories, later stages, exclusions, credits, plans, the study's list."""
    out = [f"Environmental impacts other than climate change (acidification, eutrophication, water use, "
           f"resource use, toxicity and others): only GWP100 ({fp.method['gwp']}) is assessed.",
           outside]
    n = fp.exclusions.get_column("exclusion").n_unique()
    if n:
        out.append(f"{n} flow{'s' if n > 1 else ''} excluded from the boundary, each with a screening estimate "
                   "(section “Assumptions, exclusions and cut-offs”).")
    out.append("Credits for recovered energy or material, avoided emissions and carbon offsets: none are "
               "subtracted from any figure.")
    planned = [labels[s] for s, kind in fp.outlook.select("scenario", "outlook").iter_rows() if kind != "current"]
    if planned:
        out.append("Measured production of plants not in operation: " + "; ".join(planned) + " are computed for a "
                   "planned or hypothetical plant from the latest data available.")
    return out + list(fp.study.disclosure.not_covered)
