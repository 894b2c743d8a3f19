"""Catena-X PCF data model 9.0.0 (``urn:samm:io.catenax.pcf:9.0.0``), from the PACT v3 footprint.

Every figure is the PACT v3 export's (:func:`lca.disclosure.pact.export_pact`, which runs the PACT
methodology checks first), so ``lca run``, the report, PACT and Catena-X state the same numbers. The
mapping, documented in ``docs/api.md`` ("Catena-X exports"):

* ``productionStage``: the cradle-to-gate PCF = the PACT total **minus** the outbound delivery to the
  customer (PACT ``outboundLogisticsGhgEmissions``), which is the ``distributionStage``
  (``distributionStageIncluded`` true exactly when the study models such a delivery). So production +
  distribution = the PACT ``pcfExcludingBiogenicUptake``;
* ``packagingStage``: the PACT ``packagingGhgEmissions`` (a part of the production stage);
* DQRs, primary data share, exempted emissions, reference and validity periods, GWP set, standards:
  as in PACT v3; ``retroOrProspectivePcfType`` from the scenario's outlook (current → "Retrospective
  PCF"; prospective or hypothetical → "Prospective PCF for current product for future production date");
* verification shares are 0 (nothing of an ``lca`` result is verified) and mass balancing is not used.
"""

from __future__ import annotations

import uuid
from typing import Any

from lca.results import Footprint

SPEC_VERSION = "urn:io.catenax.pcf:datamodel:version:9.0.0"
_NS = uuid.UUID("0b4f4b8e-4a57-5d0c-bf3e-0b1c6a2e7d21")  # fixed: ids stable across runs
LEGAL_STATEMENT = ("This PCF is computed by the open-source engine lca from engineering estimates and cited "
                   "secondary factors; it is not verified. See the comment for the study and its method.")
PROSPECTIVE = "Prospective PCF for current product for future production date"


def _num(x: Any) -> float:
    return float(x)


def _notice(fp: Footprint) -> str:
    """The rule pack's "draft rules, not in force" statement when the study declares under one."""
    rules = getattr(fp.study.method, "rules", None)
    if not rules:
        return ""
    from lca.rules import load_pack

    return " " + load_pack(rules).notice + "."


def _one(fp: Footprint, pact: dict[str, Any]) -> dict[str, Any]:
    from lca.disclosure.catenax.regions import region_of
    from lca.disclosure.pact.build import _outlook

    p = pact["pcf"]
    scenario = next(s for s in fp.scenarios if pact["id"] == _pact_id(fp, s))
    total = _num(p["pcfExcludingBiogenicUptake"])
    outbound = _num(p.get("outboundLogisticsGhgEmissions", 0))
    uptake = _num(p.get("biogenicCO2Uptake", 0))
    country = p.get("geographyCountry") or (p.get("geographyCountrySubdivision") or "")[:2] or None
    region = p.get("geographyRegionOrSubregion") or (region_of(country) if country else "Several")
    comment = pact.get("comment", "")
    if region is None:
        region = "Global"
        comment += f" Geography: country {country} is not in lca's UN M49 table, so the region says Global."
    geography = {"geographyRegionOrSubregion": region}
    if country:
        geography["geographyCountry"] = country
    if p.get("geographyCountrySubdivision"):
        geography["geographyCountrySubdivision"] = p["geographyCountrySubdivision"]
    time = {k: pact[k] if k in pact else p[k] for k in ("referencePeriodStart", "referencePeriodEnd")}
    time |= {"created": pact["created"], "validityPeriodStart": pact["validityPeriodStart"],
             "validityPeriodEnd": pact["validityPeriodEnd"]}
    kind = _outlook(fp, scenario)["outlook"]
    dqi = p.get("dqi", {})
    quality: dict[str, Any] = {"primaryDataShare": _num(p.get("primaryDataShare", 0)),
                               "secondaryEmissionFactorSources": [
                                   f"{s['name']} ({s['version']})" for s in p.get("secondaryEmissionFactorSources", [])]}
    quality |= {k: _num(dqi[k]) for k in ("technologicalDQR", "geographicalDQR", "temporalDQR") if k in dqi}
    fossil, biogenic = _num(p.get("fossilCarbonContent", 0)), _num(p.get("biogenicCarbonContent", 0))
    packaging = p.get("packagingGhgEmissions")
    production = {
        "pcfExcludingBiogenicUptake": round(total - outbound, 10),
        "pcfIncludingBiogenicUptake": round(total - outbound + uptake, 10),
        "fossilGhgEmissions": round(_num(p.get("fossilGhgEmissions", total)) - outbound, 10),
        "biogenicNonCO2Emissions": _num(p.get("biogenicNonCO2Emissions", 0)),
        "biogenicCO2Uptake": uptake,
        "aircraftGhgEmissions": _num(p.get("aircraftGhgEmissions", 0)),
    }
    distribution: dict[str, Any] = {"distributionStageIncluded": "outboundLogisticsGhgEmissions" in p}
    if distribution["distributionStageIncluded"]:
        distribution |= {"distributionStagePcfExcludingBiogenicUptake": outbound,
                         "distributionStagePcfIncludingBiogenicUptake": outbound,
                         "distributionStageFossilGhgEmissions": outbound}
    pack: dict[str, Any] = {"packagingEmissionsIncluded": bool(p.get("packagingEmissionsIncluded", False))}
    if packaging is not None:
        pack |= {"packagingPcfExcludingBiogenicUptake": _num(packaging),
                 "packagingPcfIncludingBiogenicUptake": _num(packaging)}
    product = {"productNameCompany": pact["productNameCompany"], "productIds": pact["productIds"],
               "declaredUnitOfMeasurement": p["declaredUnitOfMeasurement"],
               "declaredUnitAmount": _num(p["declaredUnitAmount"]),
               "productMassPerDeclaredUnit": _num(p["productMassPerDeclaredUnit"]),
               "productDescription": pact.get("productDescription", "")}
    if pact.get("productClassifications"):
        product["productClassifications"] = pact["productClassifications"]
    return {
        "scopeOfPcfForm": [{"partialFullPcf": "Cradle-to-gate", "specVersion": SPEC_VERSION}],
        "companyAndProductInformation": [{
            "companyInformation": [{"companyName": pact["companyName"], "companyIds": pact["companyIds"]}],
            "productInformation": [product]}],
        "pcfAssessmentAndMethodology": [{
            "dataSourcesAndQuality": [quality],
            "pcfAssessmentInformation": [{
                "technology": [{"ccsTechnologicalCO2CaptureIncluded": False,
                                "boundaryProcessesDescription": p["boundaryProcessesDescription"]}],
                "idAndVersion": [{"id": str(uuid.uuid5(_NS, pact["id"])), "version": 0,
                                  "status": pact.get("status", "Active"),
                                  "retroOrProspectivePcfType": "Retrospective PCF" if kind == "current"
                                  else PROSPECTIVE}],
                "boundarySpecifications": [{"exemptedEmissionsPercent": _num(p["exemptedEmissionsPercent"]),
                                            "exemptedEmissionsDescription": p.get("exemptedEmissionsDescription",
                                                                                  "")}],
                "geography": [geography],
                "time": [time]}],
            "verificationAndCertificationShares": [{"programCertificationShare": 0,
                                                    "productVerificationShare1stParty": 0,
                                                    "productVerificationShare2ndParty": 0,
                                                    "productVerificationShare3rdParty": 0}],
            "pcfMethodology": [{
                "standards": [{"crossSectoralStandards": ["ISO 14067", "GHG Protocol Product Standard"],
                               "productOrSectorSpecificRules": ["PACT Methodology v3"]}],
                "gwpCharacterizationFactorDetails": [{"ipccCharacterizationFactors": p["ipccCharacterizationFactors"][0]}],
                "massBalancingInformation": [{"massBalancingUsed": False,
                                              "freeAttributionInMassBalancing": "not applicable",
                                              "massBalancingCertificateScheme": "not applicable"}],
                "allocationInForeground": [{"allocationWasteIncineration": "cut-off",
                                            "allocationRulesDescription": p.get("allocationRulesDescription", ""),
                                            "allocationRecycledCarbon": "cut-off"}]}]}],
        "general": [{"pcfLegalStatement": LEGAL_STATEMENT,
                     "comment": comment + " Catena-X PCF 9.0.0 from the PACT v3 footprint " + pact["id"]
                     + ": production stage = PACT total − outbound delivery (the distribution stage)."
                     + _notice(fp)}],
        "carbonContent": [{"fossilCarbonContent": fossil, "biogenicCarbonContent": biogenic,
                           "carbonContentTotal": round(fossil + biogenic, 10)}],
        "productLifeCycleStagesAndEmissions": [{"productionStage": [production], "packagingStage": [pack],
                                                "distributionStage": [distribution]}],
    }


def _pact_id(fp: Footprint, scenario: str) -> str:
    from lca.disclosure.pact.build import footprint_id

    return footprint_id(fp, scenario, "v3")


def export_catenax_pcf(fp: Footprint, scenario: str | None = None, *,
                       created: str | None = None) -> list[dict[str, Any]] | dict[str, Any]:
    """Catena-X PCF 9.0.0 document(s) of ``fp``: one dict for ``scenario``, else a list for every scenario.

    Built from :func:`lca.disclosure.pact.export_pact` (v3, checked), so a footprint that breaks a PACT
    methodology rule raises :class:`~lca.errors.ExportCheckError` here too.

    >>> import lca
    >>> fp = lca.compute(lca.load_study(lca.default_study_path()))
    >>> doc = export_catenax_pcf(fp, "jp-import", created="2026-01-01T00:00:00Z")
    >>> doc["scopeOfPcfForm"][0]["specVersion"]
    'urn:io.catenax.pcf:datamodel:version:9.0.0'
    """
    from lca.disclosure.pact import export_pact

    docs = export_pact(fp, "v3", scenario, created=created)
    if isinstance(docs, dict):
        return _one(fp, docs)
    return [_one(fp, d) for d in docs]
