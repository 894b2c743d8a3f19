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
* the amount × unit of measurement must equal the study's declared unit;
* the reference period must be the scenario's (a prospective one's planned first year), and a
  prospective scenario's footprint may not be ``Active`` once that period has ended.

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
             figures: Mapping[str, float], view: str | None = None) -> tuple[str, list[str]] | None:
    from lca.disclosure.pact.build import DECIMAL_PLACES, SHARES_AND_RATINGS, TWO_PLACES
    from lca.units import conversion_factor

    unit_key, amount_key, pcf_key = FIELDS[version]
    du = fp.meta.declared_unit
    amount, name = _num(pcf.get(amount_key)), pcf.get(unit_key)
    if view is not None:  # a footprint per one unit of a view (export --per): that unit, by name
        from lca.disclosure.pact.figures import declared_unit

        want_unit = declared_unit(fp, view, version)
        if amount is None or amount <= 0 or not isinstance(name, str):
            return None
        if name != want_unit["name"] or not _close(amount, 1.0, 1.0, DECIMAL_PLACES):
            return (f"{amount_key} {amount:g} {name} is not the declared unit of view '{view}' "
                    f"(1 {want_unit['name']})",
                    [amount_key, unit_key])
        du_text = f"1 {want_unit['name']}, view '{view}'"
    else:
        du_text = str(du)
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
        per = f" per product ({du_text})" if per_unit else ""
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
    footprint whose id this study does not produce, with no ``scenario`` given to compare with),
    ``reference-period`` and ``prospective-active`` (:func:`_period`).
    """
    from lca.disclosure.pact.figures import scenario_figures
    from lca.disclosure.pact.build import _spec, footprint_id, pcf_figures

    if scenario is not None:
        fp._check_scenario(scenario)
    docs = [doc_or_list] if isinstance(doc_or_list, Mapping) else list(doc_or_list)
    by_id: dict[str, tuple[str, str | None]] = {}
    for view in [None, *_pact_views(fp, version)]:  # footprints per a view (export --per) too
        by_id |= {footprint_id(fp, s, version, view): (s, view) for s in fp.scenarios}  # type: ignore[arg-type]
    spec = _spec(fp)
    rows = {r["scenario"]: r for r in scenario_figures(fp).iter_rows(named=True)}
    problems: list[Problem] = []
    for i, doc in enumerate(docs, 1):
        if not isinstance(doc, Mapping):
            continue  # reported by check_pact
        where = f"footprint #{i}" + (f" ({doc['id']})" if doc.get("id") else "")
        sid, view = by_id.get(str(doc.get("id"))) or (scenario, None)
        if sid is None:
            problems.append(Problem(
                "[study-match] this study does not produce this footprint id (its data, factors, method or lca "
                "version differ), so its figures cannot be matched to a scenario", file=file, table=where,
                column="id",
                hint="pass --scenario ID to compare with one scenario, or the options it was exported with"))
            continue
        pcf = doc.get("pcf") if isinstance(doc.get("pcf"), Mapping) else {}
        found = _compare(pcf, version, fp, pcf_figures(fp, spec, rows[sid], version, view),  # type: ignore[arg-type]
                         view)
        if found:
            message, fields = found
            problems.append(Problem(f"[per-declared-unit] scenario '{sid}': {message}", file=file, table=where,
                                    column=f"pcf.{fields[0]}"))
        problems += [Problem(f"[{rule}] scenario '{sid}': {message}", file=file, table=where, column=column)
                     for rule, message, column in _period(doc, pcf, fp, sid)]
    return problems


def _period(doc: Mapping[str, Any], pcf: Mapping[str, Any], fp: Footprint, sid: str) -> list[tuple[str, str, str]]:
    """``(rule, message, field)``: the footprint's reference period against the scenario's in the study
    (a prospective scenario's is its planned first year, :attr:`Footprint.outlook`), and an ``Active``
    prospective footprint created after that period ended. The JSON-only rule reads the comment's
    "Prospective:" mark, which an edited file may have lost; the study says which scenarios are plans."""
    import datetime as dt

    import polars as pl

    from lca.disclosure.pact.checks import _date

    out = fp.outlook.filter(pl.col("scenario") == sid).row(0, named=True)
    # PACT's referencePeriodEnd is exclusive: the day after the period's last day
    want = {"referencePeriodStart": out["reference_start"],
            "referencePeriodEnd": out["reference_end"] + dt.timedelta(days=1)}
    found = []
    wrong = [(k, got, w) for k, w in want.items() if (got := _date(pcf.get(k))) is not None and got != w]
    if wrong:  # one problem per footprint, naming each field that differs
        found.append(("reference-period", "; ".join(f"{k} {got} is not the study's {w}" for k, got, w in wrong)
                      + f" (its {out['outlook']} reference period is {out['reference_start']} to "
                        f"{out['reference_end']})", f"pcf.{wrong[0][0]}"))
    created = _date(doc.get("created"))
    if (out["outlook"] == "prospective" and doc.get("status") == "Active" and created is not None
            and want["referencePeriodEnd"] <= created):
        found.append(("prospective-active", f"the study plans this scenario (operation starts "
                                            f"{out['operation_start']}); its reference period "
                                            f"{out['reference_start']} to {out['reference_end']} ended before the "
                                            f"footprint was created ({created}), yet it is Active: set status "
                                            "Deprecated, or compute the plant's footprint from its own operation",
                      "status"))
    return found


def _pact_views(fp: Footprint, version: str) -> list[str]:
    """The views a footprint of ``fp`` may be exported per (``export --per``): those PACT has a
    declared unit for in ``version``."""
    from lca.disclosure.pact.figures import declared_unit
    from lca.errors import LcaInputError

    out = []
    for view in fp.views.get_column("view").to_list()[1:]:  # after declared_unit, the default
        try:
            declared_unit(fp, view, version)
        except LcaInputError:
            continue
        out.append(view)
    return out
