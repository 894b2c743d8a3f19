"""Check PACT footprints against the study they claim to come from (``lca check FILE --study S``).

The rules in :mod:`lca.export.checks` read the JSON alone, so they cannot tell a v2.3 figure per
*two* square meters written under ``declaredUnit: square meter`` from a right one: the numbers
agree with each other either way. These rules recompute the study and compare what the file says
one *product* (the study's declared unit) emits and weighs:

* v2.3: ``pCfExcludingBiogenic × unitaryProductAmount`` and
  ``productMassPerDeclaredUnit × unitaryProductAmount`` (v2.3 figures are per ONE declared unit);
* v3.0: ``pcfExcludingBiogenicUptake`` and ``productMassPerDeclaredUnit`` (per
  ``declaredUnitAmount`` units);
* both: the amount × unit of measurement equals the study's declared unit.

A footprint is matched to its scenario by its id (ids are content-addressed, see
:mod:`lca.content`); a file from another lca version, factor set or method has other ids, and is
compared with the scenario named by ``scenario`` if given, else reported as unmatched.

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
from lca.results import Footprint

TOL_REL = 1e-6
#: PACT declared-unit names → unit symbols (both versions use these names).
PACT_UNITS = {"square meter": "m^2", "kilogram": "kg", "kilowatt hour": "kWh", "cubic meter": "m^3",
              "ton kilometer": "tkm", "liter": "L", "megajoule": "MJ"}
FIELDS = {"v2": ("declaredUnit", "unitaryProductAmount", "pCfExcludingBiogenic"),
          "v3": ("declaredUnitOfMeasurement", "declaredUnitAmount", "pcfExcludingBiogenicUptake")}


def _num(v: Any) -> float | None:
    try:
        return None if isinstance(v, bool) else float(v)
    except (TypeError, ValueError):
        return None


def _close(a: float, b: float, scale: float) -> bool:
    # decimals are written with 10 places: allow that rounding times the amount, plus a relative margin
    return abs(a - b) <= max(1e-10 * max(1.0, scale), TOL_REL * max(abs(a), abs(b)))


def _compare(pcf: Mapping[str, Any], version: str, fp: Footprint, scenario: str) -> tuple[str, list[str]] | None:
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
    if product_amount is None or not _close(product_amount, du.value, du.value):
        return (f"{amount_key} {amount:g} {name} is not the study's declared unit {du}",
                [amount_key, unit_key])
    # the figures per product: v2.3 states them per ONE unit, v3 per declaredUnitAmount units
    times = amount if version == "v2" else 1.0
    label = f"{pcf_key} × {amount_key}" if version == "v2" else pcf_key
    want = fp.total(scenario).value  # kg CO2e per study declared unit; biogenic uptake is not modelled
    got = _num(pcf.get(pcf_key))
    if got is not None and not _close(got * times, want, times):
        per_one = want / times
        return (f"{label} = {got * times:.10g} kg CO2e per product ({du}), but the study gives {want:.10g}"
                + (f"; per one {name} the PCF is {per_one:.10g}" if version == "v2" else ""),
                [pcf_key, amount_key])
    mass = _num(pcf.get("productMassPerDeclaredUnit"))
    want_mass = fp.study.product.mass_per_declared_unit.to("kg")
    if mass is not None and not _close(mass * times, want_mass, times):
        return (f"productMassPerDeclaredUnit{' × ' + amount_key if version == 'v2' else ''} = {mass * times:.10g} kg "
                f"per product ({du}), but the study gives {want_mass:.10g} kg", ["productMassPerDeclaredUnit"])
    return None


def check_against_study(doc_or_list: Mapping[str, Any] | Iterable[Mapping[str, Any]], version: str, fp: Footprint,
                        *, scenario: str | None = None, file: str | None = None) -> list[Problem]:
    """Problems where a footprint's per-product figures disagree with ``fp`` ([] = agree).

    Rules: ``per-declared-unit`` (figures × amount against the study) and ``study-match`` (a
    footprint whose id this study does not produce, with no ``scenario`` given to compare with).
    """
    from lca.export.pact import footprint_id

    if scenario is not None:
        fp._check_scenario(scenario)
    docs = [doc_or_list] if isinstance(doc_or_list, Mapping) else list(doc_or_list)
    by_id = {footprint_id(fp, s, version): s for s in fp.scenarios}  # type: ignore[arg-type]
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
        found = _compare(pcf, version, fp, sid)
        if found:
            message, fields = found
            problems.append(Problem(f"[per-declared-unit] scenario '{sid}': {message}", file=file, table=where,
                                    column=f"pcf.{fields[0]}"))
    return problems
