"""WBCSD PACT ProductFootprint export (Technical Specifications v2.3 and v3.0).

Every figure comes from the computed footprint (see :mod:`lca.disclosure.pact.figures`); the study gives
company/product identity, and an optional ``[pact]`` table in the study may override the
identity and text fields listed in :data:`PACT_OVERRIDES`. Every export runs
:func:`lca.disclosure.pact.checks.check_pact` first and raises :class:`~lca.errors.ExportCheckError`
rather than return a document that breaks a rule.

Declared unit (documented in ``docs/api.md``): the study's declared unit (say ``2 m^2``) is the
product the PCF refers to. v3 states it whole (``declaredUnitAmount`` 2 × ``square meter``) and
every figure is per those 2 m². v2.3 figures are per ONE declared unit (1 square meter), with
``unitaryProductAmount`` = 2 saying how many the product holds; so v2.3 figures are the study's
divided by the amount (``lca check --study`` recomputes figure × amount against the study).

DQR mapping (documented in ``docs/api.md``): v3 keeps the 1–5 ratings as computed; v2.3 asks for
1–3 and gets ``1 + (r − 1) / 2`` (1→1, 3→2, 5→3), a linear, order-preserving map.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> doc = export_pact(fp, "v3", "jp-import", created="2026-01-01T00:00:00Z")
>>> doc["specVersion"], doc["pcf"]["declaredUnitOfMeasurement"], doc["pcf"]["geographyCountry"]
('3.0.0', 'square meter', 'JP')
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal, Mapping, Sequence

import polars as pl

from lca.results.screening import exempted_percent, exemption_text
from lca.errors import ExportCheckError, Problem
from lca.results import Footprint
from lca.timestamps import now_utc

Version = Literal["v2", "v3"]
SPEC_VERSION = {"v2": "2.3.0", "v3": "3.0.0"}
DECIMAL_PLACES = 10
#: ``[pact]`` keys a study may set, and what they override.
PACT_OVERRIDES = {
    "company_name": "companyName", "company_ids": "companyIds", "product_ids": "productIds",
    "product_category_cpc": "productCategoryCpc", "product_classifications": "productClassifications",
    "product_description": "productDescription", "product_name_company": "productNameCompany",
    "comment": "comment", "status": "status", "version": "version",
    "validity_period_start": "validityPeriodStart", "validity_period_end": "validityPeriodEnd",
    "fossil_carbon_content": "fossilCarbonContent (a mass per declared unit, e.g. \"4.8 g\")",
    "biogenic_carbon_content": "biogenicCarbonContent (a mass per declared unit)",
    "exempted_emissions_percent": "exemptedEmissionsPercent",
    "exempted_emissions_description": "exemptedEmissionsDescription",
    "allocation_rules_description": "allocationRulesDescription",
    "outbound_logistics_responsible": "set false to leave outboundLogisticsGhgEmissions undefined",
}
#: scenario_figures columns in kg CO2e per declared unit (scaled to one unit for v2.3)
PER_UNIT_FIGURES = ("total", "fossil", "biogenic_non_co2", "biogenic_uptake", "packaging", "outbound", "aircraft")
_NS = uuid.UUID("6f1c1a3e-8d6b-5d0e-9a53-2f7a4c1b0e11")  # fixed namespace: ids stable across runs
EXEMPTION_TEXT = ("No exemptions: every activity of the study has an emission factor. Capital goods, "
                  "employee travel and end of life are outside the cradle-to-gate boundary.")
ALLOCATION_TEXT = ("No allocation: every process has one product; line scrap is charged to the good "
                   "product through process yields.")


def decimal(x: float, places: int = DECIMAL_PLACES) -> str:
    """A PACT decimal string: fixed point, no exponent, trailing zeros dropped (``"0.1886"``).

    >>> decimal(1.5e-05), decimal(-0.0), decimal(3.0)
    ('0.000015', '0', '3')
    """
    text = f"{round(float(x), places):.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _datetime(d: dt.date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def _plus_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _spec(fp: Footprint) -> dict[str, Any]:
    spec = dict(fp.meta.pact)
    unknown = sorted(k for k in spec if k not in PACT_OVERRIDES)
    if unknown:
        raise ExportCheckError([Problem(f"unknown [pact] key '{k}'", file=fp.meta.source, table="pact",
                                        column=k, hint="allowed keys: " + ", ".join(sorted(PACT_OVERRIDES)))
                                for k in unknown])
    for key in ("fossil_carbon_content", "biogenic_carbon_content"):
        if key in spec:
            from lca.study import parse_quantity

            spec[key] = parse_quantity(spec[key], file=fp.meta.source, where="pact", key=key,
                                       expect="mass").to("kg")
    return spec


def _gwp(fp: Footprint) -> str:
    gwp = fp.method["gwp"]
    if gwp not in ("AR5", "AR6"):
        raise ExportCheckError(Problem(
            f"PACT accepts only AR5 or AR6 characterisation factors; this result uses {gwp}",
            file=fp.meta.source, table="method", column="gwp",
            hint='set gwp = "AR6" in [method], or recompute with --gwp AR6 (the PACT v3 methodology asks AR6)'))
    return gwp


def footprint_id(fp: Footprint, scenario: str, version: Version, view: str | None = None) -> str:
    """The footprint's id: a UUID of the scenario, the PACT version, the manifest hash and the view.

    Deterministic (no clock) and a function of the content only: it changes iff the study's data,
    the factor rows used, the method or the engine version change (see :mod:`lca.results.content`).
    ``view`` (``--per``): a footprint per another declared unit gets an id of its own; without it
    (or ``declared_unit``) the id is the study's declared unit's, as it always was.
    """
    name = f"{fp.meta.study_id}\0{scenario}\0{version}\0{fp.manifest()['manifest_hash']}"
    if view is not None and view != "declared_unit":
        name += f"\0view\0{view}"
    return str(uuid.uuid5(_NS, name))


def _identity(fp: Footprint, spec: Mapping[str, Any], scenario: str, version: Version, created: str,
              view: str | None = None) -> dict:
    s = fp.meta
    label = s.scenario_labels[scenario]
    out = _outlook(fp, scenario)
    doc: dict[str, Any] = {
        "id": footprint_id(fp, scenario, version, view),
        "specVersion": SPEC_VERSION[version],
    }
    if version == "v2":
        doc["version"] = int(spec.get("version", 1))
    doc |= {
        "created": created,
        "status": spec.get("status", "Active"),
        # a prospective footprint is valid from the planned start of operation (#13 item 4)
        "validityPeriodStart": spec.get("validity_period_start", _datetime(
            out["operation_start"] if out["outlook"] == "prospective"
            else out["reference_end"] + dt.timedelta(days=1))),
        "validityPeriodEnd": spec.get("validity_period_end",
                                      _datetime(_plus_years(out["reference_end"] + dt.timedelta(days=1), 3))),
        "companyName": spec.get("company_name", s.company_name),
        "companyIds": list(spec.get("company_ids", s.company_ids)),
        "productDescription": spec.get("product_description", f"{s.product_name}. Scenario: {label}"),
        "productIds": list(spec.get("product_ids", s.product_ids)),
    }
    if version == "v2":
        doc["productCategoryCpc"] = spec.get("product_category_cpc", s.product_category_cpc)
    classes = spec.get("product_classifications")
    if classes is None and version == "v3" and s.product_category_cpc:
        classes = [f"urn:pact:productclassification:un-cpc:{s.product_category_cpc}"]
    if classes:
        doc["productClassifications"] = list(classes)
    doc["productNameCompany"] = spec.get("product_name_company", s.product_name)
    from lca import __version__

    m = fp.method
    # a footprint that is not current says so first, whatever comment the study gives
    doc["comment"] = (f"{out['note']} " if out["note"] else "") + spec.get("comment", (
        f"Scenario '{scenario}' of study '{s.study_id}', computed with lca {__version__}, factor library "
        f"{fp.library.version}; GWP100 {m['gwp']}, electricity rule {m['electricity_rule']}, electricity basis "
        f"{m['electricity_basis']} (grid T&D losses {m['td_losses']}). Amounts are engineering estimates unless "
        "supplier data replaced them."
        + _view_note(fp, view, version))) + _supplier_note(fp, scenario)
    return {k: v for k, v in doc.items() if v is not None}


def _supplier_note(fp: Footprint, scenario: str) -> str:
    """The comment's sentence naming the supplier footprints (PACT ids) this footprint builds on:
    PACT v3 has no field for the inputs' ids (``precedingPfIds`` are this footprint's own earlier
    versions), so the lineage is stated here and in ``secondaryEmissionFactorSources``."""
    sup = getattr(fp.study, "supplier_footprints", None)
    if sup is None or sup.height == 0:
        return ""
    used = set(fp.detail.filter(pl.col("scenario") == scenario).get_column("factor_id").to_list())
    rows = sup.filter(pl.col("factor_id").is_in(list(used))).sort("pf_id")
    if rows.height == 0:
        return ""
    parts = [f"urn:uuid:{r['pf_id']} ({r['company_name']}, {r['product_name']}, primary data share "
             f"{r['primary_share'] * 100:g} %{', EXPIRED' if r['expired'] else ''}"
             f"{', DEPRECATED' if r['deprecated'] else ''})" for r in rows.iter_rows(named=True)]
    return " Supplier footprints used (PACT ids): " + "; ".join(parts) + "."


def _outlook(fp: Footprint, scenario: str) -> dict[str, Any]:
    """The scenario's row of :attr:`Footprint.outlook` (outlook, operation start, reference period, note)."""
    return fp.outlook.filter(pl.col("scenario") == scenario).row(0, named=True)


def _view_note(fp: Footprint, view: str | None, version: Version) -> str:
    """The comment's last sentence for a footprint per a view (``--per``): which view, and from what
    (the factor in kg CO2e, whatever the view's ``result_unit``)."""
    if view is None or view == "declared_unit":
        return ""
    from lca.disclosure.pact.figures import declared_unit

    row = fp.views.filter(pl.col("view") == view).row(0, named=True)
    basis = f" ({row['basis']})" if row["basis"] else ""
    scale = declared_unit(fp, view, version)["scale"]
    return (f" Declared unit: view '{view}', {row['label']}{basis}; figures are the study's per "
            f"{fp.meta.declared_unit} times {scale:.10g}.")


#: pcf amounts per declared unit, in the order each version writes them (the rest of the pcf
#: object is text, dates and flags); v2.3 states them per ONE declared unit, v3 per
#: declaredUnitAmount units.
AMOUNTS = {
    "v2": ("productMassPerDeclaredUnit", "pCfExcludingBiogenic", "pCfIncludingBiogenic", "fossilGhgEmissions",
           "fossilCarbonContent", "biogenicCarbonContent", "otherBiogenicGhgEmissions", "biogenicCarbonWithdrawal",
           "aircraftGhgEmissions"),
    "v3": ("productMassPerDeclaredUnit", "pcfExcludingBiogenicUptake", "pcfIncludingBiogenicUptake",
           "fossilCarbonContent", "biogenicCarbonContent", "fossilGhgEmissions", "biogenicCO2Uptake",
           "biogenicNonCO2Emissions", "aircraftGhgEmissions"),
}
#: pcf figures that are shares or ratings, not amounts per declared unit ('dqi.' = inside dqi)
SHARES_AND_RATINGS = ("exemptedEmissionsPercent", "primaryDataShare", "dqi.")
#: figures written with 2 decimal places (every other number: DECIMAL_PLACES, or unrounded)
TWO_PLACES = ("primaryDataShare", "dqi.")
_DQR = ("technological", "geographical", "temporal")


def pcf_figures(fp: Footprint, spec: Mapping[str, Any], row: Mapping[str, Any], version: Version,
                view: str | None = None) -> dict[str, float]:
    """Every number of one footprint's ``pcf`` that the study determines, unrounded, by PACT field
    name (``dqi.<name>`` for those inside ``dqi``), per the version's declared unit.

    One owner: :func:`export_pact` writes these (rounded) and ``lca check --study``
    (:mod:`lca.disclosure.pact.crosscheck`) compares a file's figures with them. ``row`` is the scenario's
    row of :func:`lca.disclosure.pact.figures.scenario_figures`, ``spec`` the parsed ``[pact]`` table,
    ``view`` the declared unit (``--per``; default the study's).
    """
    from lca.disclosure.pact.figures import declared_unit

    du = declared_unit(fp, view, version)
    # v3: per declared unit = per declaredUnitAmount units (the study's declared unit, as computed; a
    # view's one unit: scale = the study's declared units in it); v2.3: per ONE declared unit
    # (unitaryProductAmount of them make the product)
    per = du["scale"] / du["amount"] if version == "v2" else du["scale"]
    row = {k: (v * per if isinstance(v, float) and k in PER_UNIT_FIGURES else v) for k, v in row.items()}
    excl = row["fossil"] + row["biogenic_non_co2"]
    # computed from the study's screened exclusions when it declares any (lca.results.screening)
    exempt = exempted_percent(fp, row["scenario"])
    carbon = [float(spec.get(k, 0.0)) * per for k in ("fossil_carbon_content", "biogenic_carbon_content")]
    # given per the study's declared unit
    values = [du["mass_kg"] * per, excl, excl + row["biogenic_uptake"]]
    if version == "v2":
        values += [row["fossil"], *carbon, row["biogenic_non_co2"], row["biogenic_uptake"], row["aircraft"]]
    else:
        values += [*carbon, row["fossil"], row["biogenic_uptake"], row["biogenic_non_co2"], row["aircraft"]]
    out = dict(zip(AMOUNTS[version], values))
    if row["has_packaging"]:
        out["packagingGhgEmissions"] = row["packaging"]
    if version == "v3" and spec.get("outbound_logistics_responsible", True) and fp.meta.cell_plant:
        out["outboundLogisticsGhgEmissions"] = row["outbound"]
    out["exemptedEmissionsPercent"] = exempt
    out["primaryDataShare"] = row["primary_pct"]
    if version == "v2":  # v2.3 asks for 1–3: 1 + (r − 1) / 2, see the module docstring
        out["dqi.coveragePercent"] = 100.0 - exempt
        out |= {f"dqi.{k}DQR": 1 + (row[f"dqr_{k}"] - 1) / 2 for k in _DQR}
        out["dqi.completenessDQR"] = 1.0 if exempt == 0 else 2.0
        out["dqi.reliabilityDQR"] = row["dqr_reliability"]
    else:
        out |= {f"dqi.{k}DQR": row[f"dqr_{k}"] for k in _DQR}
    return out


def _pcf(fp: Footprint, spec: Mapping[str, Any], row: Mapping[str, Any], sources: list[dict[str, str]],
         version: Version, gwp: str, view: str | None = None) -> dict[str, Any]:
    from lca.disclosure.pact.figures import boundary_description, declared_unit, production_country

    du = declared_unit(fp, view, version)
    f = pcf_figures(fp, spec, row, version, view)
    country = production_country(fp, row["scenario"])
    boundary = boundary_description(fp, row["scenario"])
    d = decimal
    amounts = {k: d(f[k]) for k in AMOUNTS[version]}
    out = _outlook(fp, row["scenario"])  # a prospective scenario's planned first year
    ref = {"referencePeriodStart": _datetime(out["reference_start"]),
           "referencePeriodEnd": _datetime(out["reference_end"] + dt.timedelta(days=1))}
    packaging = {"packagingEmissionsIncluded": bool(row["has_packaging"])}
    if "packagingGhgEmissions" in f:
        packaging["packagingGhgEmissions"] = d(f["packagingGhgEmissions"])
    if version == "v2":
        pcf: dict[str, Any] = {
            "declaredUnit": du["name"], "unitaryProductAmount": d(du["amount"]), **amounts,
            "characterizationFactors": gwp, "ipccCharacterizationFactorsSources": [gwp],
            "crossSectoralStandardsUsed": ["GHG Protocol Product standard", "ISO Standard 14067"],
            "crossSectoralStandards": ["GHGP-Product", "ISO14067"],
            "boundaryProcessesDescription": boundary, **ref,
        }
    else:
        mass = amounts.pop("productMassPerDeclaredUnit")
        pcf = {
            "declaredUnitOfMeasurement": du["name"], "declaredUnitAmount": d(du["amount"]),
            "productMassPerDeclaredUnit": mass, **ref, "boundaryProcessesDescription": boundary, **amounts,
        }
    if country:
        pcf["geographyCountry"] = country
    pcf |= packaging
    if version == "v3":
        if "outboundLogisticsGhgEmissions" in f:
            pcf["outboundLogisticsGhgEmissions"] = d(f["outboundLogisticsGhgEmissions"])
        pcf["ipccCharacterizationFactors"] = [gwp]
        pcf["crossSectoralStandards"] = ["GHGP-Product", "ISO14067"]
    exempt = f["exemptedEmissionsPercent"]
    pcf["exemptedEmissionsPercent"] = exempt if version == "v2" else d(exempt)
    pcf["exemptedEmissionsDescription"] = (spec.get("exempted_emissions_description")
                                           or exemption_text(fp, row["scenario"]) or EXEMPTION_TEXT)
    if "allocation_rules_description" in spec:
        pcf["allocationRulesDescription"] = spec["allocation_rules_description"]
    else:  # from Footprint.allocation; a scenario that allocates nothing keeps the single-product text
        from lca.disclosure.allocation import allocation_text

        pcf["allocationRulesDescription"] = allocation_text(fp, row["scenario"]) or ALLOCATION_TEXT
    if sources:
        pcf["secondaryEmissionFactorSources"] = sources
    if version == "v2":
        pcf["primaryDataShare"] = round(f["primaryDataShare"], 2)
        pcf["dqi"] = {k: round(f[f"dqi.{k}"], 2) for k in ("coveragePercent", *(f"{q}DQR" for q in _DQR))}
        pcf["dqi"] |= {"completenessDQR": f["dqi.completenessDQR"], "reliabilityDQR": round(f["dqi.reliabilityDQR"], 2)}
    else:
        pcf["primaryDataShare"] = d(f["primaryDataShare"], 2)
        pcf["dqi"] = {f"{k}DQR": d(f[f"dqi.{k}DQR"], 2) for k in _DQR}
    return pcf


def export_pact(fp: Footprint, version: Version = "v3", scenario: str | None = None, *,
                created: str | None = None, check: bool = True,
                per: Sequence[str] = ()) -> list[dict[str, Any]] | dict[str, Any]:
    """PACT ProductFootprint(s) of ``fp``: one dict for ``scenario``, else a list for every scenario.

    ``created`` pins the creation timestamp (ISO 8601, default now, UTC). With ``check`` (the
    default) the methodology checks run and a failure raises :class:`ExportCheckError`.

    ``per`` (view ids, ``lca export --per``): one footprint per scenario × view instead, each stated
    per ONE unit of its view (:func:`lca.disclosure.pact.figures.declared_unit`) with an id of its
    own, always a list (scenario by scenario, views in the order given); ``declared_unit`` is the
    study's own. An unknown view, or one PACT has no declared unit for, is a located error.

    >>> import lca
    >>> fp = lca.compute(lca.load_study(lca.default_study_path()))
    >>> docs = export_pact(fp, "v2", created="2026-01-01T00:00:00Z")
    >>> len(docs) == len(fp.scenarios), docs[0]["pcf"]["characterizationFactors"]
    (True, 'AR6')
    """
    from lca.disclosure.pact.checks import check_pact
    from lca.disclosure.pact.figures import scenario_figures, secondary_sources

    if version not in SPEC_VERSION:
        raise ExportCheckError(Problem(f"unknown PACT version '{version}'", hint="use 'v2' (2.3) or 'v3' (3.0)"))
    if scenario is not None:
        fp._check_scenario(scenario)
    gwp = _gwp(fp)
    spec = _spec(fp)
    created = created or now_utc()
    figures = scenario_figures(fp)
    sources = secondary_sources(fp)
    wanted = [scenario] if scenario is not None else fp.scenarios
    views: list[str | None] = list(dict.fromkeys(per)) or [None]
    for view in views:  # every view's problem before any document is built
        if view is not None:
            from lca.disclosure.pact.figures import declared_unit

            declared_unit(fp, view, version)
    docs = []
    for row in figures.filter(pl.col("scenario").is_in(wanted)).iter_rows(named=True):
        for view in views:
            doc = _identity(fp, spec, row["scenario"], version, created, view)
            doc["pcf"] = _pcf(fp, spec, row, sources[row["scenario"]], version, gwp, view)
            docs.append(doc)
    if check:
        problems = check_pact(docs, version)
        if problems:  # named at the study key each field comes from, not only at the output field
            from lca.disclosure.pact.keys import at_study_keys

            raise ExportCheckError(at_study_keys(problems, fp.meta.pact, fp.meta.source))
        # the exemption the file states must be within the study's cut-off, as `lca check study.toml` requires
        from lca.validation.cutoff import cutoff_problems

        over = cutoff_problems(fp, fp.meta.source, wanted)
        if over:
            raise ExportCheckError(over)
    return docs[0] if scenario is not None and not per else docs
