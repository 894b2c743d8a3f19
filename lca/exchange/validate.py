"""A received footprint checked as PACT v3 before it is stored: shape, official schema, ``lca check``.

Three layers, every problem located at ``where`` (the URL and page it came from) and the footprint
(``footprint #N (id)``) and field:

1. :func:`shape_problems` — the v3 required fields and their types, written here from the
   Technical Specifications' required lists (``lca`` does not ship the official OpenAPI file: WBCSD
   licenses it, and it is not ours to copy): ids are UUIDs, ``companyIds`` and ``productIds``
   non-empty lists of URNs, decimals are strings, dates RFC 3339 date-times,
   ``declaredUnitOfMeasurement`` and ``status`` from their enums;
2. the official schema — when the OpenAPI file ``openapi-3.0.3.yaml`` is found (``LCA_PACT_DIR``,
   or the folder given) and ``jsonschema`` and ``pyyaml`` are installed: the ``ProductFootprint``
   schema with formats checked; :func:`schema_used` says which applied;
3. the methodology rules of ``lca check`` (:func:`lca.disclosure.pact.checks.check_pact`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

from lca.disclosure.pact.checks import check_pact
from lca.errors import Problem

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
URN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+", re.IGNORECASE)
DECIMAL = re.compile(r"-?\d+(\.\d+)?")
SPEC_FILE = "openapi-3.0.3.yaml"
UNITS = ("liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule", "ton kilometer", "square meter",
         "piece", "hour", "megabit second")
TOP = {"id": "uuid", "specVersion": "version", "created": "datetime", "status": "status",
       "companyName": "text", "companyIds": "urns", "productDescription": "string", "productIds": "urns",
       "productNameCompany": "text", "pcf": "object"}
PCF = {"declaredUnitOfMeasurement": "unit", "declaredUnitAmount": "decimal", "productMassPerDeclaredUnit": "decimal",
       "referencePeriodStart": "datetime", "referencePeriodEnd": "datetime", "pcfExcludingBiogenicUptake": "decimal",
       "pcfIncludingBiogenicUptake": "decimal", "fossilGhgEmissions": "decimal", "fossilCarbonContent": "decimal",
       "ipccCharacterizationFactors": "ar", "crossSectoralStandards": "strings", "exemptedEmissionsPercent": "decimal"}


def _datetime(v: Any) -> bool:
    if not isinstance(v, str) or "T" not in v:
        return False
    try:
        return dt.datetime.fromisoformat(v.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "uuid": (lambda v: isinstance(v, str) and UUID.fullmatch(v) is not None, "a UUID"),
    "version": (lambda v: isinstance(v, str) and re.fullmatch(r"3\.\d+\.\d+(-\d{8})?", v) is not None,
                "a v3 specVersion (3.x.y)"),
    "datetime": (_datetime, "an RFC 3339 date-time with a time zone"),
    "status": (lambda v: v in ("Active", "Deprecated"), "Active or Deprecated"),
    "text": (lambda v: isinstance(v, str) and bool(v.strip()), "a non-empty string"),
    "string": (lambda v: isinstance(v, str), "a string"),
    "urns": (lambda v: isinstance(v, list) and bool(v) and all(isinstance(x, str) and URN.fullmatch(x) for x in v),
             "a non-empty list of URNs"),
    "object": (lambda v: isinstance(v, Mapping), "an object"),
    "unit": (lambda v: v in UNITS, "one of " + ", ".join(UNITS)),
    "decimal": (lambda v: isinstance(v, str) and DECIMAL.fullmatch(v) is not None, "a decimal written as a string"),
    "ar": (lambda v: isinstance(v, list) and bool(v) and all(isinstance(x, str) and re.fullmatch(r"AR\d+", x)
                                                             for x in v), 'a non-empty list such as ["AR6"]'),
    "strings": (lambda v: isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v),
                "a non-empty list of strings"),
}


def shape_problems(doc: Any, *, where: str, table: str) -> list[Problem]:
    """The v3 required fields of one footprint and their types (module docstring, layer 1)."""
    if not isinstance(doc, Mapping):
        return [Problem("not a JSON object", file=where, table=table)]
    out = []
    for fields, obj, prefix in ((TOP, doc, ""), (PCF, doc.get("pcf") if isinstance(doc.get("pcf"), Mapping) else None,
                                                 "pcf.")):
        if obj is None:
            continue
        for key, kind in fields.items():
            ok, what = CHECKS[kind]
            if key not in obj:
                out.append(Problem(f"required field {prefix}{key} is missing", file=where, table=table,
                                   column=prefix + key, hint="the partner's footprint is not PACT v3; tell them"))
            elif not ok(obj[key]):
                out.append(Problem(f"{prefix}{key} is {obj[key]!r:.60}, not {what}", file=where, table=table,
                                   column=prefix + key, hint="the partner's footprint is not PACT v3; tell them"))
    return out


def spec_dir(folder: Path | str | None = None) -> Path | None:
    """The folder holding the official OpenAPI file: ``folder``, else ``LCA_PACT_DIR``; None if absent."""
    for candidate in (folder, os.environ.get("LCA_PACT_DIR")):
        if candidate and (Path(candidate) / SPEC_FILE).is_file():
            return Path(candidate)
    return None


@lru_cache(maxsize=2)
def _validator(folder: str) -> Any:
    try:
        import jsonschema
        import yaml
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
    except ImportError:
        return None
    doc = yaml.safe_load((Path(folder) / SPEC_FILE).read_text(encoding="utf-8"))
    registry = Registry().with_resource("urn:pact", Resource.from_contents(doc, default_specification=DRAFT202012))
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$ref": "urn:pact#/components/schemas/ProductFootprint"}
    return jsonschema.Draft202012Validator(schema, registry=registry,
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def schema_used(folder: Path | str | None = None) -> str:
    """Which schema checks apply: the official file (named) or lca's own required-field checks."""
    found = spec_dir(folder)
    if found is not None and _validator(str(found)) is not None:
        return f"official PACT schema ({found / SPEC_FILE})"
    return "lca's PACT v3 required-field checks (no official OpenAPI file found: set LCA_PACT_DIR)"


def footprint_problems(doc: Any, *, where: str, index: int, spec: Path | str | None = None) -> list[Problem]:
    """Every problem of one received footprint (all three layers); [] = it may be stored."""
    table = f"footprint #{index}" + (f" ({doc.get('id')})" if isinstance(doc, Mapping) and doc.get("id") else "")
    problems = shape_problems(doc, where=where, table=table)
    found = spec_dir(spec)
    validator = _validator(str(found)) if found is not None else None
    if validator is not None and isinstance(doc, Mapping):
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.path))):
            path = ".".join(str(p) for p in err.path) or None
            problems.append(Problem(f"official schema: {err.message[:200]}", file=where, table=table, column=path,
                                    hint="the partner's footprint is not PACT v3; tell them"))
    if isinstance(doc, Mapping):
        problems += [Problem(p.message, file=where, table=table, column=p.column,
                             hint=p.hint or "the footprint breaks a PACT methodology rule (`lca check`)")
                     for p in check_pact(doc, "v3")]
    return problems
