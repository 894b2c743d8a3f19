"""Methodology checks on PACT ProductFootprints: the arithmetic and the rules, not just the shape.

The official PACT conformance tools check JSON shape and API behaviour; these rules check that
the numbers inside agree and follow the methodology. Each rule yields at most ONE
:class:`~lca.errors.Problem` per footprint, naming the rule in brackets and every field involved.

Rules (``RULES``): required fields per version and reference period; parts add up to the PCF;
PCF including uptake = excluding + uptake; parts within the total; packaging flag consistent;
exemptions ≤ 3 %; DQR ranges per version; primary data share 0–100 %; validity within 3 years of
the reference period end; a prospective footprint not Active once its reference period has ended;
geography fields mutually exclusive; AR5/AR6 characterisation; decimals as strings (v3).

>>> from lca.disclosure.pact.checks import check_pact
>>> bad = {"specVersion": "3.0.0", "pcf": {"exemptedEmissionsPercent": "5"}}
>>> [p.message.split("]")[0] + "]" for p in check_pact(bad, "v3")][:2]
['[required-fields]', '[exemptions]']
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Iterable, Mapping

from lca.errors import Problem

Doc = Mapping[str, Any]
TOL_ABS = 1e-8
TOL_REL = 1e-6
EXEMPTION_LIMIT = 3.0

REQUIRED = {
    "v2": (["id", "specVersion", "version", "created", "status", "comment", "companyName", "companyIds",
            "productDescription", "productIds", "productCategoryCpc", "productNameCompany", "pcf"],
           ["declaredUnit", "unitaryProductAmount", "referencePeriodStart", "referencePeriodEnd",
            "pCfExcludingBiogenic", "fossilGhgEmissions", "fossilCarbonContent", "biogenicCarbonContent",
            "characterizationFactors", "ipccCharacterizationFactorsSources", "crossSectoralStandardsUsed",
            "crossSectoralStandards", "boundaryProcessesDescription", "exemptedEmissionsPercent",
            "exemptedEmissionsDescription", "packagingEmissionsIncluded"]),
    "v3": (["id", "specVersion", "created", "status", "companyName", "companyIds", "productDescription",
            "productIds", "productNameCompany", "pcf"],
           ["declaredUnitOfMeasurement", "declaredUnitAmount", "productMassPerDeclaredUnit", "referencePeriodStart",
            "referencePeriodEnd", "pcfExcludingBiogenicUptake", "pcfIncludingBiogenicUptake", "fossilGhgEmissions",
            "fossilCarbonContent", "ipccCharacterizationFactors", "crossSectoralStandards",
            "exemptedEmissionsPercent", "packagingEmissionsIncluded", "primaryDataShare"]),
}
#: v2.3: mandatory for reference periods including 2025 or later (spec text of primaryDataShare/dqi).
REQUIRED_V2_FROM_2025 = ["pCfIncludingBiogenic", "primaryDataShare", "dqi"]
#: v3: dqi is "SHALL-2027": mandatory for reference periods ending after 2027.
REQUIRED_V3_FROM_2028 = ["dqi"]

PARTS = {  # total field = sum of these parts (those present), per the spec's formulas
    "v2": ("pCfExcludingBiogenic", ["fossilGhgEmissions", "dLucGhgEmissions", "landManagementGhgEmissions",
                                    "otherBiogenicGhgEmissions"]),
    "v3": ("pcfExcludingBiogenicUptake", ["fossilGhgEmissions", "landUseChangeGhgEmissions",
                                          "landManagementBiogenicCO2Emissions", "landManagementBiogenicCO2Removals",
                                          "technologicalCO2Removals", "ccsTechnologicalCO2Capture",
                                          "biogenicNonCO2Emissions"]),
}
UPTAKE = {"v2": ("pCfIncludingBiogenic", "biogenicCarbonWithdrawal"),
          "v3": ("pcfIncludingBiogenicUptake", "biogenicCO2Uptake")}
WITHIN = {"v2": ["packagingGhgEmissions", "aircraftGhgEmissions"],
          "v3": ["packagingGhgEmissions", "outboundLogisticsGhgEmissions", "aircraftGhgEmissions"]}
DQR_FIELDS = {"v2": ["technologicalDQR", "temporalDQR", "geographicalDQR", "completenessDQR", "reliabilityDQR"],
              "v3": ["technologicalDQR", "geographicalDQR", "temporalDQR"]}
DQR_RANGE = {"v2": (1.0, 3.0), "v3": (1.0, 5.0)}
GEOGRAPHY = ["geographyRegionOrSubregion", "geographyCountry", "geographyCountrySubdivision"]
V3_DECIMALS = ["declaredUnitAmount", "productMassPerDeclaredUnit", "pcfExcludingBiogenicUptake",
               "pcfIncludingBiogenicUptake", "fossilCarbonContent", "biogenicCarbonContent", "fossilGhgEmissions",
               "biogenicCO2Uptake", "biogenicNonCO2Emissions", "packagingGhgEmissions",
               "outboundLogisticsGhgEmissions", "aircraftGhgEmissions", "exemptedEmissionsPercent",
               "primaryDataShare"]
DECIMAL_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _date(v: Any) -> dt.date | None:
    if not isinstance(v, str):
        return None
    try:
        return dt.datetime.fromisoformat(v.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(TOL_ABS, TOL_REL * max(abs(a), abs(b)))


# --------------------------------------------------------------------------------- the rules
# each rule: (doc, pcf, version) -> (message, [fields]) or None

def _required(doc: Doc, pcf: Doc, v: str):
    top, inner = REQUIRED[v]
    missing = [k for k in top if doc.get(k) in (None, "", [])]
    missing += [f"pcf.{k}" for k in inner if pcf.get(k) in (None, "", [])]
    start, end = _date(pcf.get("referencePeriodStart")), _date(pcf.get("referencePeriodEnd"))
    if v == "v2" and end is not None and end > dt.date(2025, 1, 1):
        missing += [f"pcf.{k}" for k in REQUIRED_V2_FROM_2025 if pcf.get(k) in (None, "", [])]
    if v == "v3" and end is not None and end > dt.date(2028, 1, 1):
        missing += [f"pcf.{k}" for k in REQUIRED_V3_FROM_2028 if pcf.get(k) in (None, "")]
    if missing:
        period = f" (reference period {start}–{end})" if start and end else ""
        return f"required fields missing for PACT {v}{period}: {', '.join(missing)}", missing
    return None


def _parts(doc: Doc, pcf: Doc, v: str):
    total_key, keys = PARTS[v]
    total = _num(pcf.get(total_key))
    parts = {k: _num(pcf[k]) for k in keys if k in pcf}
    if total is None or any(x is None for x in parts.values()) or not parts:
        return None
    s = sum(x for x in parts.values() if x is not None)
    if not _close(total, s):
        return (f"{total_key} {total:g} does not equal the sum of its parts {s:g} "
                f"({' + '.join(parts)})", [total_key, *parts])
    return None


def _uptake(doc: Doc, pcf: Doc, v: str):
    incl_key, uptake_key = UPTAKE[v]
    excl, incl, up = _num(pcf.get(PARTS[v][0])), _num(pcf.get(incl_key)), _num(pcf.get(uptake_key, 0))
    if excl is None or incl is None or up is None:
        return None
    if up > TOL_ABS:
        return f"{uptake_key} {up:g} must be <= 0 (an uptake is a removal)", [uptake_key]
    if not _close(incl, excl + up):
        return (f"{incl_key} {incl:g} does not equal {PARTS[v][0]} {excl:g} + {uptake_key} {up:g}",
                [incl_key, PARTS[v][0], uptake_key])
    return None


def _within(doc: Doc, pcf: Doc, v: str):
    total = _num(pcf.get(PARTS[v][0]))
    if total is None:
        return None
    over = [k for k in WITHIN[v] if _num(pcf.get(k)) is not None and _num(pcf.get(k)) > total + TOL_ABS]
    stage_sum = sum(_num(pcf.get(k)) or 0.0 for k in ("packagingGhgEmissions", "outboundLogisticsGhgEmissions"))
    if over:
        return f"{', '.join(over)} exceed(s) the PCF {total:g} they are part of", over
    if stage_sum > total + TOL_ABS:
        return (f"packaging + outbound logistics emissions ({stage_sum:g}) exceed the PCF {total:g}",
                ["packagingGhgEmissions", "outboundLogisticsGhgEmissions"])
    return None


def _packaging_flag(doc: Doc, pcf: Doc, v: str):
    if pcf.get("packagingEmissionsIncluded") is False and "packagingGhgEmissions" in pcf:
        return "packagingGhgEmissions must be undefined when packagingEmissionsIncluded is false", \
            ["packagingGhgEmissions"]
    return None


def _exemptions(doc: Doc, pcf: Doc, v: str):
    e = _num(pcf.get("exemptedEmissionsPercent"))
    if e is None:
        return None
    if e < 0:
        return f"exemptedEmissionsPercent {e:g} is negative", ["exemptedEmissionsPercent"]
    if e > EXEMPTION_LIMIT:
        extra = (" and above the 5 % the v2.3 data model allows" if v == "v2" and e > 5 else
                 " (the v2.3 data model would accept up to 5 %, the methodology does not)" if v == "v2" else "")
        return (f"exemptedEmissionsPercent {e:g} % exceeds the PACT methodology limit of {EXEMPTION_LIMIT:g} % "
                f"of the PCF{extra}", ["exemptedEmissionsPercent"])
    return None


def _dqr(doc: Doc, pcf: Doc, v: str):
    dqi = pcf.get("dqi")
    if not isinstance(dqi, Mapping):
        return None
    lo, hi = DQR_RANGE[v]
    bad = [f"{k}={dqi[k]}" for k in DQR_FIELDS[v] if k in dqi and not (
        (x := _num(dqi[k])) is not None and lo <= x <= hi)]
    cov = _num(dqi.get("coveragePercent", 0))
    if v == "v2" and (cov is None or not 0 <= cov <= 100):
        bad.append(f"coveragePercent={dqi.get('coveragePercent')} (must be 0–100)")
    if bad:
        return (f"data quality ratings out of the PACT {v} range {lo:g}–{hi:g}: {', '.join(bad)}",
                [f"dqi.{b.split('=')[0]}" for b in bad])
    return None


def _primary(doc: Doc, pcf: Doc, v: str):
    p = _num(pcf.get("primaryDataShare"))
    if "primaryDataShare" in pcf and (p is None or not 0 <= p <= 100):
        return f"primaryDataShare {pcf['primaryDataShare']} must be a percentage 0–100", ["primaryDataShare"]
    return None


def _validity(doc: Doc, pcf: Doc, v: str):
    ref_end = _date(pcf.get("referencePeriodEnd"))
    ref_start = _date(pcf.get("referencePeriodStart"))
    start, end = _date(doc.get("validityPeriodStart")), _date(doc.get("validityPeriodEnd"))
    if ref_start and ref_end and ref_end <= ref_start:
        return "referencePeriodEnd must be after referencePeriodStart", ["pcf.referencePeriodEnd"]
    if ref_end and end:
        try:
            limit = ref_end.replace(year=ref_end.year + 3)
        except ValueError:
            limit = ref_end.replace(year=ref_end.year + 3, day=28)
        if end > limit:
            return (f"validityPeriodEnd {end} is more than 3 years after referencePeriodEnd {ref_end} "
                    f"(latest allowed {limit})", ["validityPeriodEnd"])
    if start and end and end < start:
        return f"validityPeriodEnd {end} is before validityPeriodStart {start}", ["validityPeriodEnd"]
    return None


#: how an exported comment starts when the footprint is prospective (:func:`lca.study.outlook.outlook_note`)
PROSPECTIVE_MARK = "Prospective:"


def _prospective(doc: Doc, pcf: Doc, v: str):
    """A prospective footprint (its comment starts with :data:`PROSPECTIVE_MARK`) may not be ``Active``
    with a reference period (the planned first year) that had ended when it was created: by then the
    plant has a year of its own operation, and a footprint of it replaces the plan (#13 item 4).
    ``referencePeriodEnd`` is exclusive (the day after the period), as PACT writes it."""
    comment = doc.get("comment")
    if doc.get("status") != "Active" or not (isinstance(comment, str) and comment.startswith(PROSPECTIVE_MARK)):
        return None
    end, created = _date(pcf.get("referencePeriodEnd")), _date(doc.get("created"))
    if end is not None and created is not None and end <= created:
        return (f"a prospective footprint is Active but its reference period ended before {end}, before it was "
                f"created ({created}): set status Deprecated, or compute the plant's footprint from its own "
                f"operation", ["status", "pcf.referencePeriodEnd"])
    return None


def _geography(doc: Doc, pcf: Doc, v: str):
    given = [k for k in GEOGRAPHY if k in pcf]
    if len(given) > 1:
        return f"geography fields are mutually exclusive, but {', '.join(given)} are all set", given
    return None


def _gwp(doc: Doc, pcf: Doc, v: str):
    key = "ipccCharacterizationFactorsSources" if v == "v2" else "ipccCharacterizationFactors"
    sets = list(pcf.get(key) or [])
    if v == "v2" and "characterizationFactors" in pcf:
        sets.append(pcf["characterizationFactors"])
    old = sorted({str(s) for s in sets if str(s) not in ("AR5", "AR6")})
    if old:
        return f"characterisation factors {', '.join(old)} are not accepted (use AR6, or AR5)", [key]
    return None


def _decimals(doc: Doc, pcf: Doc, v: str):
    if v != "v3":
        return None
    bad = [k for k in V3_DECIMALS if k in pcf and not (isinstance(pcf[k], str) and DECIMAL_RE.match(pcf[k]))]
    dqi = pcf.get("dqi") if isinstance(pcf.get("dqi"), Mapping) else {}
    bad += [f"dqi.{k}" for k in DQR_FIELDS["v3"] if k in dqi and not (
        isinstance(dqi[k], str) and DECIMAL_RE.match(dqi[k]))]
    if bad:
        return f"PACT v3 writes decimals as strings like \"0.25\"; not so: {', '.join(bad)}", bad
    return None


DATE_TIMES = ("created", "updated", "validityPeriodStart", "validityPeriodEnd")
PCF_DATE_TIMES = ("referencePeriodStart", "referencePeriodEnd")
DATE_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _date_times(doc: Doc, pcf: Doc, v: str):
    bad = [k for k in DATE_TIMES if k in doc and not (isinstance(doc[k], str) and DATE_TIME_RE.match(doc[k]))]
    bad += [f"pcf.{k}" for k in PCF_DATE_TIMES if k in pcf and not (
        isinstance(pcf[k], str) and DATE_TIME_RE.match(pcf[k]))]
    if bad:
        return (f"not RFC 3339 date-times with a time zone (e.g. 2026-01-01T00:00:00Z): {', '.join(bad)}", bad)
    return None


RULES: dict[str, Callable[[Doc, Doc, str], tuple[str, list[str]] | None]] = {
    "date-times": _date_times,
    "required-fields": _required, "parts-add-up": _parts, "biogenic-uptake": _uptake, "parts-within-total": _within,
    "packaging-flag": _packaging_flag, "exemptions": _exemptions, "dqr-range": _dqr,
    "primary-data-share": _primary, "validity": _validity, "prospective-active": _prospective,
    "geography": _geography, "gwp": _gwp,
    "decimals": _decimals,
}


def check_pact(doc_or_list: Doc | Iterable[Doc], version: str, *, file: str | None = None) -> list[Problem]:
    """Every broken rule of every footprint, one :class:`Problem` per rule and footprint ([] = pass).

    ``version`` is ``"v2"`` (2.3) or ``"v3"`` (3.0). The problem's ``table`` names the footprint
    (``footprint #N`` and its id), ``column`` the first field involved.
    """
    if version not in DQR_RANGE:
        return [Problem(f"unknown PACT version '{version}'", file=file, hint="use v2 or v3")]
    docs = [doc_or_list] if isinstance(doc_or_list, Mapping) else list(doc_or_list)
    problems: list[Problem] = []
    for i, doc in enumerate(docs, 1):
        where = f"footprint #{i}" + (f" ({doc['id']})" if isinstance(doc, Mapping) and doc.get("id") else "")
        if not isinstance(doc, Mapping):
            problems.append(Problem("not a JSON object", file=file, table=where))
            continue
        pcf = doc.get("pcf") if isinstance(doc.get("pcf"), Mapping) else {}
        for rule, fn in RULES.items():
            found = fn(doc, pcf, version)
            if found:
                message, fields = found
                problems.append(Problem(f"[{rule}] {message}", file=file, table=where,
                                        column=fields[0] if fields else None))
    return problems


def detect_version(doc_or_list: Doc | Iterable[Doc]) -> str | None:
    """``v2``/``v3`` from the first footprint's ``specVersion`` (None if absent or unknown)."""
    docs = [doc_or_list] if isinstance(doc_or_list, Mapping) else list(doc_or_list)
    spec = str(docs[0].get("specVersion", "")) if docs and isinstance(docs[0], Mapping) else ""
    return {"2": "v2", "3": "v3"}.get(spec.split(".")[0])
