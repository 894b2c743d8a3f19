"""Check PACT footprints against the study they claim to come from (``lca check FILE --study S``).

The rules in :mod:`lca.disclosure.pact.checks` read the JSON alone, so they cannot tell a v2.3 figure per
*two* square meters written under ``declaredUnit: square meter`` from a right one, nor a doubled
packaging share or carbon content from a right one: the numbers agree with each other either
way. These rules recompute the study and compare EVERY figure the study determines with the
file's, from one table (:func:`lca.disclosure.pact.build.pcf_figures`, which the export writes too):

* the amounts per declared unit — PCF excluding and including biogenic uptake, fossil and
  biogenic parts, fossil and biogenic carbon content, packaging, aircraft and (v3) outbound
  logistics emissions, product mass; land-use change, land management and removals where the
  file states them (the engine models none: 0). They are compared per *product* (the study's
  declared unit): v2.3 states them per ONE declared unit, so ``figure × unitaryProductAmount``;
  v3 per ``declaredUnitAmount`` units, so as written;
* the shares and ratings: ``exemptedEmissionsPercent``, ``primaryDataShare`` and every ``dqi``
  rating (v2.3 on its 1–3 scale), and ``packagingEmissionsIncluded``;
* the amount × unit of measurement must equal the study's declared unit.

Each is compared with a relative tolerance of 1e-6, widened to the rounding of the written
decimals (10 places; 2 for shares and ratings). A footprint is matched to its scenario by its id
(ids are content-addressed, see :mod:`lca.results.content`); a file from another lca version, factor set
or method has other ids, and is compared with the scenario named by ``scenario`` if given, else
reported as unmatched.

>>> import lca
>>> fp = lca.compute(lca.load_study(lca.default_study_path()))
>>> doc = lca.export_pact(fp, "v2", "ontario", created="2026-01-01T00:00:00Z")
>>> check_against_study(doc, "v2", fp)
[]
>>> doc["pcf"]["unitaryProductAmount"] = "2"
>>> [p.message.split("]")[0] + "]" for p in check_against_study(doc, "v2", fp)]
['[per-declared-unit]']
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from lca.errors import Problem
from lca.disclosure.pact.checks import _num
from lca.results import Footprint

TOL_REL = 1e-6
#: PACT declared-unit names → unit symbols (both versions use these names).
PACT_UNITS = {"square meter": "m^2", "kilogram": "kg", "kilowatt hour": "kWh", "cubic meter": "m^3",
              "ton kilometer": "tkm", "liter": "L", "megajoule": "MJ"}
FIELDS = {"v2": ("declaredUnit", "unitaryProductAmount", "pCfExcludingBiogenic"),
          "v3": ("declaredUnitOfMeasurement", "declaredUnitAmount", "pcfExcludingBiogenicUptake")}
#: optional parts the engine does not model (land use, land management, removals): 0 where stated
UNMODELLED = {"v2": ("dLucGhgEmissions", "landManagementGhgEmissions"),
              "v3": ("landUseChangeGhgEmissions", "landManagementBiogenicCO2Emissions",
                     "landManagementBiogenicCO2Removals", "technologicalCO2Removals", "ccsTechnologicalCO2Capture")}
#: amounts in kg (of product or of carbon); every other amount is kg CO2e
KG_FIELDS = ("productMassPerDeclaredUnit", "fossilCarbonContent", "biogenicCarbonContent")
_MISSING = object()


def _close(a: float, b: float, scale: float, places: int) -> bool:
    # decimals are written with `places` places: allow that rounding times the amount, plus a relative margin
    return abs(a - b) <= max(10.0 ** -places * max(1.0, scale), TOL_REL * max(abs(a), abs(b)))


def _field(pcf: Mapping[str, Any], name: str) -> Any:
    if name.startswith("dqi."):
        dqi = pcf.get("dqi")
        return dqi.get(name[4:], _MISSING) if isinstance(dqi, Mapping) else _MISSING
    return pcf.get(name, _MISSING)


def _unit(name: str) -> str:
    from lca.disclosure.pact.build import SHARES_AND_RATINGS

    if name in KG_FIELDS:
        return " kg"
    if name.endswith("Percent") or name == "primaryDataShare":
        return " %"
    return "" if name.startswith(SHARES_AND_RATINGS) else " kg CO2e"


def _compare(pcf: Mapping[str, Any], version: str, fp: Footprint,
             figures: Mapping[str, float]) -> tuple[str, list[str]] | None:
    from lca.disclosure.pact.build import DECIMAL_PLACES, SHARES_AND_RATINGS, TWO_PLACES
    from lca.units import conversion_factor

    unit_key, amount_key, pcf_key = FIELDS[version]
    du = fp.study.product.declared_unit
    amount, name = _num(pcf.get(amount_key)), pcf.get(unit_key)
    unit = PACT_UNITS.get(str(name))
    if amount is None or amount <= 0 or unit is None:
        return None  # the JSON-only rules report missing or malformed fields
    try:
        product_amount = amount * conversion_factor(unit, du.unit)
    except Exception:  # another dimension altogether
        product_amount = None
    if product_amount is None or not _close(product_amount, du.value, du.value, DECIMAL_PLACES):
        return (f"{amount_key} {amount:g} {name} is not the study's declared unit {du}",
                [amount_key, unit_key])
    # amounts are compared per product: v2.3 states them per ONE unit, v3 per declaredUnitAmount units
    times = amount if version == "v2" else 1.0
    want = {**figures, **{k: 0.0 for k in UNMODELLED[version] if k in pcf}}
    wrong: list[str] = []
    fields: list[str] = []
    for key, w in want.items():
        got = _field(pcf, key)
        per_unit = not key.startswith(SHARES_AND_RATINGS)
        k = times if per_unit else 1.0
        label = f"{key} × {amount_key}" if per_unit and version == "v2" else key
        per = f" per product ({du})" if per_unit else ""
        x = None if got is _MISSING else _num(got)
        places = 2 if key.startswith(TWO_PLACES) else DECIMAL_PLACES
        if got is _MISSING and w == 0:
            continue  # an optional part left out; a missing required field is the required-fields rule's
        if x is not None and _close(x * k, w * k, k, places):
            continue
        shown = "missing" if got is _MISSING else f"= {x * k:.10g}{_unit(key)}{per}" if x is not None \
            else f"= {got!r} (not a number)"
        wrong.append(f"{label} {shown}, but the study gives {w * k:.10g}{_unit(key)}")
        fields.append(key)
    flag = pcf.get("packagingEmissionsIncluded", _MISSING)
    has_packaging = "packagingGhgEmissions" in figures
    if flag is not _MISSING and flag is not has_packaging:
        wrong.append(f"packagingEmissionsIncluded = {flag!r}, but the study {'has' if has_packaging else 'has no'} "
                     "packaging stage")
        fields.append("packagingEmissionsIncluded")
    if not wrong:
        return None
    if version == "v2" and pcf_key in fields:
        wrong.append(f"per one {name} the PCF is {figures[pcf_key]:.10g}")
    return "; ".join(wrong), fields


def check_against_study(doc_or_list: Mapping[str, Any] | Iterable[Mapping[str, Any]], version: str, fp: Footprint,
                        *, scenario: str | None = None, file: str | None = None) -> list[Problem]:
    """Problems where a footprint's figures disagree with ``fp`` ([] = agree).

    Rules: ``per-declared-unit`` (every figure the study determines, amounts per product, against
    the study; one problem per footprint listing every field that disagrees) and ``study-match`` (a
    footprint whose id this study does not produce, with no ``scenario`` given to compare with).
    """
    from lca.disclosure.pact.figures import scenario_figures
    from lca.disclosure.pact.build import _spec, footprint_id, pcf_figures

    if scenario is not None:
        fp._check_scenario(scenario)
    docs = [doc_or_list] if isinstance(doc_or_list, Mapping) else list(doc_or_list)
    by_id = {footprint_id(fp, s, version): s for s in fp.scenarios}  # type: ignore[arg-type]
    spec = _spec(fp)
    rows = {r["scenario"]: r for r in scenario_figures(fp).iter_rows(named=True)}
    problems: list[Problem] = []
    for i, doc in enumerate(docs, 1):
        if not isinstance(doc, Mapping):
            continue  # reported by check_pact
        where = f"footprint #{i}" + (f" ({doc['id']})" if doc.get("id") else "")
        sid = by_id.get(str(doc.get("id"))) or scenario
        if sid is None:
            problems.append(Problem(
                "[study-match] this study does not produce this footprint id (its data, factors, method or lca "
                "version differ), so its figures cannot be matched to a scenario", file=file, table=where,
                column="id",
                hint="pass --scenario ID to compare with one scenario, or the options it was exported with"))
            continue
        pcf = doc.get("pcf") if isinstance(doc.get("pcf"), Mapping) else {}
        found = _compare(pcf, version, fp, pcf_figures(fp, spec, rows[sid], version))  # type: ignore[arg-type]
        if found:
            message, fields = found
            problems.append(Problem(f"[per-declared-unit] scenario '{sid}': {message}", file=file, table=where,
                                    column=f"pcf.{fields[0]}"))
    return problems
