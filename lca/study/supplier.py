"""Supplier footprints as study inputs: a PACT v3 ProductFootprint becomes a factor of the study.

An exchange may name a supplier's footprint instead of a flow (docs/study-format.md "Supplier
footprints")::

    { supplier_footprint = "supplier.json", amount = "1.05 m^2", primary = true }
    { supplier_footprint = "urn:uuid:ead2fc83-0d13-534c-b0eb-309f8d94c8f3", amount = "1.05 m^2" }
    { supplier_footprint = "urn:example:product:part-42", amount = "1.05 m^2" }

* a ``urn:uuid:`` or a bare UUID is a footprint id, any other ``urn:`` a product id: both are
  looked up in the received footprints (:mod:`lca.study.received`: ``[factors] received = "DIR"``
  or ``--received DIR``); a product id must name exactly one Active footprint;
* anything else is a JSON file, relative to the study file; a file with several footprints needs
  ``file.json#<id>`` (or ``#<product id>``).

The footprint's ``pcfExcludingBiogenicUptake`` per declared unit (its ``declaredUnitAmount`` of
``declaredUnitOfMeasurement``, a PACT unit name turned into a pint unit once per distinct name:
:data:`PACT_UNITS`) becomes the factor of a flow of its own (``supplier_<id>``); the PACT figures
split its contributions into fossil and biogenic non-CO2 by the footprint's own
``biogenicNonCO2Emissions`` share. Its id, company, validity, primary data share, DQRs and GWP sets
are kept in ``Study.supplier_footprints`` (:data:`SUPPLIER_SCHEMA`) and in the factor rows' citation columns,
so every output that lists factors names the footprint. An expired (``validityPeriodEnd``, or
``referencePeriodEnd`` + 3 years, before the end of the study's reference period), not yet valid
(``validityPeriodStart`` after the time of the run: PACT declares a footprint valid for use only in its
validity period, by default from its own reference period's end, so a validity that starts after the
study's reference period is normal) or Deprecated footprint is refused unless the caller allows it (``--allow-expired``): then it is used with a
warning. The exchange is rewritten to ``flow = "supplier_<id>"`` before the processes are parsed,
so everything downstream (units, dimension checks, uncertainty, stages) treats it as any flow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import polars as pl

from lca.errors import Problem, StudyError
from lca.study.received import ReceivedFootprints, bare_id, footprints_in, read_json

#: PACT v3 ``declaredUnitOfMeasurement`` names → the pint unit the engine computes with. ``hour``
#: and ``megabit second`` (services) are refused: a study's exchange is an amount of a product.
PACT_UNITS = {"liter": "L", "kilogram": "kg", "cubic meter": "m^3", "kilowatt hour": "kWh", "megajoule": "MJ",
              "ton kilometer": "tkm", "square meter": "m^2", "piece": "dimensionless"}
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
DECIMAL = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
#: what a DQR the supplier did not give counts as (the worst: an unrated figure is not assumed good)
UNRATED_DQR = 5
SUPPLIER_SCHEMA = {
    "pf_id": pl.String, "flow": pl.String, "factor_id": pl.String, "reference": pl.String, "used_by": pl.String,
    "spec_version": pl.String, "status": pl.String, "company_name": pl.String, "company_ids": pl.String,
    "product_ids": pl.String, "product_name": pl.String, "created": pl.String, "validity_start": pl.String,
    "validity_end": pl.String, "declared_unit": pl.String, "declared_amount": pl.Float64, "unit": pl.String,
    "pcf": pl.Float64, "fossil": pl.Float64, "biogenic": pl.Float64, "primary_share": pl.Float64,
    "dqr_technological": pl.Float64, "dqr_geographical": pl.Float64, "dqr_temporal": pl.Float64,
    "gwp_sets": pl.String, "preceding_pf_ids": pl.String, "digest": pl.String, "source_of": pl.String,
    "expired": pl.Boolean, "deprecated": pl.Boolean, "year": pl.Int64, "file": pl.String,
}


@dataclass(frozen=True)
class SupplierLayer:
    """The factor rows of a study's supplier footprints: a factor source (``factor_rows()``) that
    :meth:`FactorLibrary.with_overrides` applies on top of the study's other layers, validated like
    every layer and named ``supplier footprints`` in the lineage."""

    rows: pl.DataFrame
    name: str = "supplier footprints"

    def factor_rows(self) -> pl.DataFrame:
        """The rows as a :class:`lca.factors.FactorSource` gives them (the same validation applies)."""
        return self.rows


def empty_supplier_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=SUPPLIER_SCHEMA)


def _decimal(value: Any) -> float | None:
    """A PACT decimal (v3: a string; a JSON number accepted) as a finite float, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and DECIMAL.fullmatch(value.strip()):
        out = float(value)
        return out if math.isfinite(out) else None
    return None


def _datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        out = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return out if out.tzinfo else out.replace(tzinfo=dt.timezone.utc)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def digest(doc: Mapping[str, Any]) -> str:
    """SHA-256 of a footprint's canonical JSON (sorted keys): its content, wherever it was read."""
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
                          ).hexdigest()


def parse_footprint(doc: Mapping[str, Any], *, where: dict[str, Any], source_of: str) -> dict[str, Any]:
    """The fields a study uses of one v3 ProductFootprint, checked; problems located at ``where``
    (the exchange that names it) and naming the footprint's field."""
    problems: list[Problem] = []

    def bad(message: str, hint: str) -> None:
        problems.append(Problem(f"supplier footprint {source_of}: {message}", **where, hint=hint))

    spec = str(doc.get("specVersion", ""))
    if not spec.startswith("3."):
        bad(f"specVersion {spec or '(missing)'} is not PACT v3", "ask the supplier for a PACT v3 footprint "
                                                                 "(v2 is deprecated since April 2026)")
    pf_id = str(doc.get("id", ""))
    if not UUID.fullmatch(bare_id(pf_id)):
        bad(f"id {pf_id!r:.60} is not a UUID", "a PACT footprint id is a UUID")
    pcf = doc.get("pcf") if isinstance(doc.get("pcf"), Mapping) else None
    if pcf is None:
        bad("has no 'pcf' object", "name a PACT v3 ProductFootprint")
        raise StudyError(problems)
    name = pcf.get("declaredUnitOfMeasurement")
    unit = PACT_UNITS.get(name) if isinstance(name, str) else None
    if unit is None:
        near = [k for k in PACT_UNITS if isinstance(name, str) and k == name.strip().lower()]
        hint = (f"write '{near[0]}' (PACT names are lower case)" if near else
                "lca uses footprints per " + ", ".join(PACT_UNITS) + " (a service's footprint per hour or "
                "megabit second is not an amount of a product)")
        bad(f"pcf.declaredUnitOfMeasurement {name!r:.40} is not a PACT unit lca can compute with", hint)
    amount = _decimal(pcf.get("declaredUnitAmount"))
    if amount is None or amount <= 0:
        bad(f"pcf.declaredUnitAmount {pcf.get('declaredUnitAmount')!r:.40} is not a positive decimal",
            'e.g. "1"')
    total = _decimal(pcf.get("pcfExcludingBiogenicUptake"))
    if total is None or total < 0:
        bad(f"pcf.pcfExcludingBiogenicUptake {pcf.get('pcfExcludingBiogenicUptake')!r:.40} is not a decimal "
            ">= 0", "a net-negative supplier footprint cannot be charged as a factor; ask for its parts")
    biogenic = _decimal(pcf.get("biogenicNonCO2Emissions")) if "biogenicNonCO2Emissions" in pcf else 0.0
    if biogenic is None or biogenic < 0 or (total is not None and biogenic > total):
        bad(f"pcf.biogenicNonCO2Emissions {pcf.get('biogenicNonCO2Emissions')!r:.40} is not a decimal between 0 "
            "and pcfExcludingBiogenicUptake", "correct the supplier's file, or ask for a corrected footprint")
    share = _decimal(pcf.get("primaryDataShare")) if "primaryDataShare" in pcf else 0.0
    if share is None or not 0 <= share <= 100:
        bad(f"pcf.primaryDataShare {pcf.get('primaryDataShare')!r:.40} is not a percentage 0-100",
            "PACT states the share in percent")
    status = doc.get("status")
    if status not in ("Active", "Deprecated"):
        bad(f"status {status!r:.30} is neither Active nor Deprecated", "PACT v3 status: Active | Deprecated")
    ref_end = _datetime(pcf.get("referencePeriodEnd"))
    if ref_end is None:
        bad(f"pcf.referencePeriodEnd {pcf.get('referencePeriodEnd')!r:.40} is not a date-time", "RFC 3339, e.g. "
                                                                                             "2026-01-01T00:00:00Z")
    ref_start = _datetime(pcf.get("referencePeriodStart"))
    v_end = _datetime(doc.get("validityPeriodEnd")) if doc.get("validityPeriodEnd") is not None else None
    if doc.get("validityPeriodEnd") is not None and v_end is None:
        bad(f"validityPeriodEnd {doc.get('validityPeriodEnd')!r:.40} is not a date-time", "RFC 3339")
    gwp = doc.get("pcf", {}).get("ipccCharacterizationFactors")
    if not (isinstance(gwp, list) and gwp and all(isinstance(g, str) for g in gwp)):
        bad("pcf.ipccCharacterizationFactors is not a non-empty list of sets such as \"AR6\"", 'e.g. ["AR6"]')
    if problems:
        raise StudyError(problems)
    if v_end is None:  # PACT: valid for 3 years after the reference period's end when not stated
        v_end = ref_end.replace(year=ref_end.year + 3) if not (ref_end.month == 2 and ref_end.day == 29) else \
            ref_end.replace(year=ref_end.year + 3, day=28)
    v_start = _datetime(doc.get("validityPeriodStart"))
    dqi = pcf.get("dqi") if isinstance(pcf.get("dqi"), Mapping) else {}
    dqr = {k: _decimal(dqi.get(f"{k}DQR")) for k in ("technological", "geographical", "temporal")}
    return {
        "pf_id": bare_id(pf_id), "spec_version": spec, "status": status,
        "company_name": str(doc.get("companyName", "")), "company_ids": "; ".join(map(str, doc.get("companyIds") or [])),
        "product_ids": "; ".join(map(str, doc.get("productIds") or [])),
        "product_name": str(doc.get("productNameCompany", "")), "created": str(doc.get("created", "")),
        "validity_start": _utc(v_start) if v_start else None, "validity_end": _utc(v_end),
        "declared_unit": name, "declared_amount": amount, "unit": unit,
        "pcf": total / amount, "fossil": (total - biogenic) / amount, "biogenic": biogenic / amount,
        "primary_share": share / 100.0, **{f"dqr_{k}": v for k, v in dqr.items()},
        "gwp_sets": ", ".join(gwp), "preceding_pf_ids": "; ".join(map(str, doc.get("precedingPfIds") or [])),
        "digest": digest(doc), "source_of": source_of, "deprecated": status == "Deprecated",
        "year": (ref_start or ref_end).year,  # the factor's vintage: the year its data describe
    }


def _locate(ref: str, *, base: Path, received: ReceivedFootprints | None, where: dict[str, Any]
            ) -> tuple[Mapping[str, Any], str, Path | None]:
    """The footprint a reference names, how to name where it came from, and its file (None: received)."""
    text = ref.strip()
    is_id = UUID.fullmatch(bare_id(text)) is not None
    if is_id or text.lower().startswith("urn:"):
        if received is None:
            raise StudyError(Problem(f"supplier footprint {text!r:.80} is looked up in the received footprints, "
                                     "but the study names none", **where,
                                     hint='add [factors] received = "DIR" to the study or pass --received DIR '
                                          "(a folder `lca pull --into DIR` fills), or name a JSON file"))
        if is_id:
            doc = received.get(bare_id(text))
            if doc is None:
                raise StudyError(Problem(f"no received footprint has id {bare_id(text)}", **where,
                                         hint=f"pull it (`lca pull --into {received.label}`) or correct the id"))
            return doc, f"{bare_id(text)} (received, {received.label})", None
        return (*_by_product(received.by_product(text), text, received.label, where), None)
    path_text, _, pick = text.partition("#")
    path = base / path_text
    docs = footprints_in(read_json(path, file=where.get("file") or str(path), table=where.get("table"),
                                   column="supplier_footprint", what=f"supplier footprint file '{path_text}'"))
    if pick:
        chosen = [d for d in docs if bare_id(str(d.get("id", ""))) == bare_id(pick)]
        if not chosen:
            return (*_by_product([d for d in docs if pick in (d.get("productIds") or [])], pick, path_text, where),
                    path)
        return chosen[0], f"{path_text}#{bare_id(pick)}", path
    if len(docs) != 1:
        ids = ", ".join(str(d.get("id")) for d in docs[:5]) or "none"
        raise StudyError(Problem(f"{path_text} holds {len(docs)} footprints (ids: {ids})", **where,
                                 column="supplier_footprint",
                                 hint=f'name one: supplier_footprint = "{path_text}#<id>"'))
    return docs[0], path_text, path


def _by_product(docs: list[Mapping[str, Any]], product: str, label: str, where: dict[str, Any]
                ) -> tuple[Mapping[str, Any], str]:
    active = [d for d in docs if d.get("status") == "Active"]
    if len(active) == 1:
        return active[0], f"{product} → {bare_id(str(active[0].get('id')))} ({label})"
    if not docs:
        raise StudyError(Problem(f"no footprint of product {product!r:.80} in {label}", **where,
                                 hint="pull the supplier's footprints first, or correct the product id"))
    ids = ", ".join(f"{bare_id(str(d.get('id')))} ({d.get('status')})" for d in (active or docs)[:6])
    what = f"{len(active)} Active footprints" if active else "only Deprecated footprints"
    raise StudyError(Problem(f"product {product!r:.80} has {what} in {label}: {ids}", **where,
                             hint='name one by id: supplier_footprint = "urn:uuid:<id>"'))


def not_yet_valid(row: Mapping[str, Any]) -> bool:
    """Whether a footprint's PACT validity period (``validity_start``) starts after now: not yet released
    for use by its owner."""
    start = _datetime(row["validity_start"]) if row.get("validity_start") else None
    return start is not None and start > dt.datetime.now(dt.timezone.utc)


def resolve_supplier_footprints(doc: Mapping[str, Any], *, base: Path, file: str,
                                received: ReceivedFootprints | None, allow_expired: bool,
                                reference_end: dt.date) -> tuple[Mapping[str, Any], pl.DataFrame, list[Problem]]:
    """``doc`` with every ``supplier_footprint`` exchange rewritten to its flow, the footprints used
    (:data:`SUPPLIER_SCHEMA`, one row each) and the problems found (every one, not the first)."""
    processes = doc.get("process")
    if not isinstance(processes, list) or not any(
            isinstance(x, Mapping) and "supplier_footprint" in x
            for p in processes if isinstance(p, Mapping) for x in (p.get("exchanges") or []) if isinstance(x, Mapping)):
        return doc, empty_supplier_frame(), []
    problems: list[Problem] = []
    rows: dict[str, dict[str, Any]] = {}
    new_processes = []
    limit = dt.datetime(reference_end.year, reference_end.month, reference_end.day, tzinfo=dt.timezone.utc)
    for i, p in enumerate(processes, 1):
        if not isinstance(p, Mapping) or not isinstance(p.get("exchanges"), list):
            new_processes.append(p)
            continue
        pwhere = f"process '{p.get('id', f'#{i}')}'"
        exchanges = []
        for j, x in enumerate(p["exchanges"], 1):
            if not (isinstance(x, Mapping) and "supplier_footprint" in x):
                exchanges.append(x)
                continue
            where = {"file": file, "table": f"{pwhere} exchange #{j}"}
            ref = x["supplier_footprint"]
            clash = [k for k in ("flow", "input", "factor") if k in x]
            if clash or not isinstance(ref, str) or not ref.strip():
                problems.append(Problem(
                    "supplier_footprint must be a file name, footprint id or product id (text)" if not clash else
                    f"an exchange with supplier_footprint cannot also give {', '.join(clash)}", **where,
                    column="supplier_footprint", hint="the footprint is the factor: write flow/input/factor or "
                                                      "supplier_footprint, not both"))
                exchanges.append(x)
                continue
            try:
                found, source_of, path = _locate(ref, base=base, received=received, where=where)
                row = parse_footprint(found, where={**where, "column": "supplier_footprint"}, source_of=source_of)
                row["file"] = None if path is None else str(path)
            except StudyError as exc:
                problems += exc.problems
                exchanges.append({k: v for k, v in x.items() if k != "supplier_footprint"} | {"flow": "unresolved"})
                continue
            end = _datetime(row["validity_end"])
            row["expired"] = end is not None and end < limit
            # PACT v3: the validity period is "the time interval during which the ProductFootprint is declared
            # as valid for use by a receiving data recipient", by default 3 years from the footprint's own
            # referencePeriodEnd. So it is about the time of use: a 2025 footprint valid from 2026 is the normal
            # case for a 2025 study. What the owner has not yet released for use (validityPeriodStart after the
            # time of this run) is refused like expiry. Once valid it stays so: a run that passes keeps passing.
            row["not_yet_valid"] = not_yet_valid(row)  # not a column of SUPPLIER_SCHEMA: no content hash changes
            for flag, what in (("expired", f"expired on {row['validity_end']} (before the end of the study's "
                                           f"reference period, {reference_end.isoformat()})"),
                               ("not_yet_valid", f"not yet valid for use: its PACT validity period starts on "
                                                 f"{row['validity_start']}, after now (PACT: a footprint is valid "
                                                 "for use by a recipient only within its validity period)"),
                               ("deprecated", "Deprecated by its supplier (a newer version replaces it)")):
                if row[flag] and not allow_expired:
                    problems.append(Problem(f"supplier footprint {row['pf_id']} ({row['company_name']}) is {what}",
                                            **where, column="supplier_footprint",
                                            hint="ask the supplier for a current footprint, or use it anyway with "
                                                 "--allow-expired (the outputs then warn)"))
            key = row["pf_id"]
            flow = "supplier_" + key.replace("-", "")
            row.update(flow=flow, factor_id=f"supplier.{key}", reference=ref.strip())
            if key in rows and rows[key]["digest"] != row["digest"]:  # an id names one content (PACT v3)
                problems.append(Problem(f"supplier footprint id {key} is read from {rows[key]['source_of']} and from "
                                        f"{row['source_of']} with different content", **where,
                                        column="supplier_footprint", hint="name one copy of it, or ask the supplier "
                                                                          "which one is current"))
            kept = rows.setdefault(key, row)
            kept["used_by"] = "; ".join(filter(None, [kept.get("used_by"), where["table"]]))
            exchanges.append({k: v for k, v in x.items() if k != "supplier_footprint"} | {"flow": flow})
        new_processes.append({**p, "exchanges": exchanges})
    meta = pl.DataFrame([{k: r.get(k) for k in SUPPLIER_SCHEMA} for r in rows.values()], schema=SUPPLIER_SCHEMA)
    return {**doc, "process": new_processes}, meta, problems


def supplier_layer(meta: pl.DataFrame) -> SupplierLayer:
    """The factor rows (columns of a factor file) of the footprints in ``meta``: one per footprint,
    ``default`` at GLO on the footprint's own flow, its ``pcfExcludingBiogenicUptake`` in kg CO2e per
    one of its declared units (already characterised: gas CO2e). Its biogenic non-CO2 share is kept
    in ``meta`` (``biogenic`` / ``pcf``) for the PACT figures (:mod:`lca.disclosure.pact.figures`)."""
    rows = []
    for r in meta.iter_rows(named=True):
        year = r["year"]
        dq = {k: UNRATED_DQR if r[f"dqr_{k}"] is None else min(5, max(1, math.ceil(r[f"dqr_{k}"] - 1e-9)))
              for k in ("technological", "geographical", "temporal")}
        cite = (f"PACT ProductFootprint urn:uuid:{r['pf_id']} of {r['company_name']} ({r['company_ids']}), "
                f"product {r['product_name']} ({r['product_ids']})")
        notes = (f"Supplier footprint, specVersion {r['spec_version']}, {r['status']}, created {r['created']}, valid "
                 f"{r['validity_start'] or '(from its reference period)'} to {r['validity_end']}; primary data share "
                 f"{r['primary_share'] * 100:g} %; characterised with {r['gwp_sets']}; read from {r['source_of']}; "
                 f"content sha256 {r['digest'][:16]}." + (" EXPIRED, NOT YET VALID or DEPRECATED: used with "
                                                          "--allow-expired." if r["expired"] or r["deprecated"]
                                                          or not_yet_valid(r) else ""))
        rows.append({
            "id": r["factor_id"], "flow": r["flow"],
            "name": f"Supplier footprint: {r['product_name']} ({r['company_name']})",
            "category": "product", "region": "GLO", "value": str(r["pcf"]), "unit": f"kg_CO2e/{r['unit']}",
            "gas": "CO2e", "scope": "cradle_to_gate", "basis": "PACT pcfExcludingBiogenicUptake", "td_losses": "n/a",
            "year": str(year), "status": "default", "estimate": "false", "primary": "false", "source": cite,
            "source_table": f"pcfExcludingBiogenicUptake per {r['declared_amount']:g} {r['declared_unit']}",
            "url": None, "license": "supplier data (PACT data exchange)",
            "dq_technological": str(dq["technological"]), "dq_geographical": str(dq["geographical"]),
            "dq_temporal": str(dq["temporal"]), "unc_dist": "none", "notes": notes,
            "dataset": f"PACT {r['pf_id']}", "citation_quality": "primary",
        })
    return SupplierLayer(pl.DataFrame(rows, schema={k: pl.String for k in rows[0]}) if rows else pl.DataFrame())


def supplier_warnings(meta: pl.DataFrame, gwp: str) -> list[str]:
    """What the outputs must say about the supplier footprints a study uses under GWP set ``gwp``:
    each one used although expired, not yet valid or Deprecated, and each characterised with other GWP sets."""
    out = []
    for r in meta.iter_rows(named=True):
        who = f"supplier footprint {r['pf_id']} ({r['company_name']})"
        if r["expired"]:
            out.append(f"{who} expired on {r['validity_end']}: used because --allow-expired was given")
        if not_yet_valid(r):
            out.append(f"{who} is valid for use only from {r['validity_start']} (not yet when the study was "
                       "loaded): used because --allow-expired was given")
        if r["deprecated"]:
            out.append(f"{who} is Deprecated by its supplier: used because --allow-expired was given")
        sets = [s.strip() for s in (r["gwp_sets"] or "").split(",") if s.strip()]
        if sets and sets != [gwp]:
            out.append(f"{who} is characterised with {', '.join(sets)}, this study with {gwp}: its figure is used "
                       "as the supplier computed it (not re-characterised)")
    return out
