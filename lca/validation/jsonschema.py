"""JSON Schema (draft 2020-12) for every input table and the study file, so non-Python systems can
validate too. Table schemas are generated from the pandera models in :mod:`lca.schemas`; a table
is an array of row objects (one per CSV row, values typed as after coercion). Deterministic:
sorted keys, no timestamps.

>>> s = table_schemas()["factors"]
>>> s["items"]["properties"]["gas"]["enum"][:2]
['CO2e', 'CO2']
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from typing import Any

import pandera.polars as pa
import polars as pl

from lca.choices import ALLOCATION_METHODS, ELECTRICITY_BASES, ELECTRICITY_RULES, GWP_SETS, SCENARIO_KINDS, TD_LOSSES

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://lca.example/schemas/"

_TYPES = {pl.String: "string", pl.Float64: "number", pl.Int64: "integer", pl.Boolean: "boolean"}
_BOUNDS = {"greater_than_or_equal_to": ("min_value", "minimum"), "greater_than": ("min_value", "exclusiveMinimum"),
           "less_than_or_equal_to": ("max_value", "maximum"), "less_than": ("max_value", "exclusiveMaximum")}


def _column(col: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": _TYPES.get(col.dtype.type, "string")}
    for check in col.checks:
        stats = check.statistics or {}
        if check.name == "str_matches":
            out["pattern"] = stats["pattern"]
        elif check.name == "isin":
            out["enum"] = list(stats["allowed_values"])
        elif check.name in _BOUNDS:
            key, word = _BOUNDS[check.name]
            out[word] = stats[key]
        elif check.name == "in_range":
            out["minimum"], out["maximum"] = stats["min_value"], stats["max_value"]
        elif check.name == "str_length":
            if stats.get("min_value") is not None:
                out["minLength"] = stats["min_value"]
            if stats.get("max_value") is not None:
                out["maxLength"] = stats["max_value"]
    if col.unique:
        out["x-unique"] = True  # JSON Schema cannot say "unique within a column"; stated for readers
    if col.nullable:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def model_schema(model: type[pa.DataFrameModel], name: str, *, drop: tuple[str, ...] = (),
                 description: str | None = None, allowed: set[str] | None = None) -> dict[str, Any]:
    """A table schema: an array of rows whose properties come from the pandera ``model``.

    ``allowed``: the columns a file of this table may have (the loader refuses any other); extra
    allowed columns that the model does not check (e.g. ``note``) are free text.
    """
    schema = model.to_schema()
    props = {n: _column(c) for n, c in schema.columns.items() if n not in drop}
    required = [n for n, c in schema.columns.items() if n not in drop and not c.nullable]
    row: dict[str, Any] = {"type": "object", "properties": props, "required": required}
    if allowed is not None:
        props.update({c: {"type": ["string", "null"]} for c in sorted(allowed) if c not in props})
        row["additionalProperties"] = False
    return {"$schema": DIALECT, "$id": f"{BASE_ID}{name}.schema.json", "title": f"lca {name} table",
            "description": description or (model.__doc__ or "").strip(), "type": "array", "items": row,
            "$comment": MAPPING}


#: How a CSV or Parquet file becomes the JSON instance these schemas describe (docs/csv-json.md).
MAPPING = ("One object per data row, keyed by the header; an empty cell is null (the key is still present); "
           "cells of number/integer/boolean columns are trimmed and become JSON numbers/booleans when they "
           "are decimal numbers / whole numbers / true|false|yes|no|1|0, else they stay strings (so nan, inf "
           "and 3.0 in an integer column fail). See docs/csv-json.md.")

#: Which files each table schema applies to (also how `lca validate` tells them apart).
APPLIES_TO = {
    "sites": "sites table files ([tables] sites, or a CSV/Parquet with columns id and country, or named *sites*)",
    "exchanges": "exchange table files ([tables] exchanges; columns process, amount, unit; or named *exchanges*)",
    "routes": "route table files ([tables] routes; columns from, to, mode, distance; or named *routes*)",
    "factors": "factor files ([factors] files, --factors, factors/*.csv; columns category, gas, value, unit)",
    "gwp": "GWP tables (factors/gwp.csv; a gwp_set column)",
    "activities": "inventories exported by `lca export --table inventory` (scenario, process, site, flow, amount)",
}


def study_schema() -> dict[str, Any]:
    """The study TOML structure (as parsed to JSON: dates as strings, quantities as "7.9 g")."""
    # an expression of [parameters] starts with a name or "(" (docs/study-format.md, "Parameters")
    expression = {"type": "string", "pattern": r"^\s*[A-Za-z_(]"}
    q = {"oneOf": [{"type": "string", "pattern": r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*\S.*$"},
                   {"type": "object", "required": ["value", "unit"],
                    "properties": {"value": {"type": "number"}, "unit": {"type": "string"}}}, expression]}
    amount = {"oneOf": [q["oneOf"][0], {"type": "number", "minimum": 0}, expression]}
    from lca.choices import EU_BATTERY_STAGES, GHG_STAGES, PACT_STAGE_FIELDS, WASTE_TREATMENTS
    from lca.schemas import ID, SiteTable
    from lca.rules import pack_ids
    from lca.study.battery import BPNA
    from lca.study.catenax import BPNL, BPNS

    ident = {"type": "string", "pattern": ID}
    obj = lambda props, req=(): {"type": "object", "additionalProperties": False,  # noqa: E731
                                 "properties": props, "required": list(req)}
    from lca.study.provenance import DQR_KEYS

    # provenance of an amount (docs/study-format.md "Activity data: source and quality")
    prov = {"source": {"type": "string", "minLength": 1},
            "dqr": obj({k: {"type": "integer", "minimum": 1, "maximum": 5} for k in DQR_KEYS})}
    inline_unc = {"type": "object", "not": {"required": ["target"]}}
    exchange = obj({"flow": {"type": "string"}, "input": {"type": "string"}, "amount": amount,
                    "unit": {"type": "string"}, "stage": {"type": "string"}, "factor": {"type": "string"},
                    "primary": {"type": "boolean"}, "note": {"type": "string"}, **prov,
                    "uncertainty": inline_unc}, ["amount"])
    leg = obj({"mode": {"type": "string"}, "distance": amount, "unit": {"type": "string"},
               "factor": {"type": "string"}, "primary": {"type": "boolean"}, **prov}, ["mode", "distance"])
    site = model_schema(SiteTable, "sites")["items"]
    return {
        "$schema": DIALECT, "$id": f"{BASE_ID}study.schema.json", "title": "lca study file (TOML)",
        "description": "Structure of a study TOML file; see docs/study-format.md. Cross-references (site, "
                       "process and scenario ids) and units are checked by `lca validate`.",
        **obj({
            "study": obj({"id": ident, "title": {"type": "string"}, "description": {"type": "string"},
                          "reference_period": obj({"start": {"type": "string", "format": "date"},
                                                   "end": {"type": "string", "format": "date"}}, ["start", "end"]),
                          "cell_plant": {"type": "string"}, "company_name": {"type": "string"},
                          "company_ids": {"type": "array", "items": {"type": "string", "pattern": "^urn:"}},
                          "product_ids": {"type": "array", "items": {"type": "string", "pattern": "^urn:"}},
                          "product_category_cpc": {"type": "string"}}, ["id", "reference_period"]),
            "method": obj({"gwp": {"enum": list(GWP_SETS)}, "electricity_rule": {"enum": list(ELECTRICITY_RULES)},
                           "td_losses": {"enum": list(TD_LOSSES)},
                           "electricity_basis": {"enum": list(ELECTRICITY_BASES)},
                           # a shipped rule pack (factors/rules/*.toml: data, not a choice set), checked at load
                           "rules": {"type": "string", "description": "rule pack: " + ", ".join(pack_ids())}}),
            "battery": obj({**{k: {"type": "string"} for k in ("manufacturer", "model", "vehicle_category", "per",
                                                                "electricity_variant", "study_url", "conformity_id")},
                            **{k: q for k in ("usable_capacity", "rated_capacity", "warranty_years", "warranty_km",
                                              "annual_distance")},
                            "facilities": {"type": "object", "additionalProperties": {"type": "string",
                                                                                      "pattern": BPNA}}},
                           ["manufacturer", "model", "vehicle_category", "usable_capacity"]),
            "catenax": obj({"legal_identifier": {"type": "string", "pattern": BPNL},
                            "sites": {"type": "object", "additionalProperties": {"type": "string", "pattern": BPNS}},
                            **{k: {"type": "string"} for k in ("manufacturer_part_id", "customer_part_id", "study_url")},
                            **{k: {"type": "array", "items": {"type": "string"}}
                               for k in ("quality_parameters", "metal_contents")}}),
            "product": obj({"name": {"type": "string"}, "declared_unit": q, "mass_per_declared_unit": q,
                            "shipped_mass_ratio": {"type": "number", "minimum": 1}},
                           ["declared_unit", "mass_per_declared_unit"]),
            "site": {"type": "array", "items": {**site, "additionalProperties": False}},
            "process": {"type": "array", "items": obj({
                "id": ident, "name": {"type": "string"}, "stage": {"type": "string"}, "output": q,
                "output_mass": q, "yield": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "exchanges": {"type": "array", "items": exchange},
                "waste": {"type": "array", "items": obj({
                    "material": {"type": "string"}, "amount": q, "treatment": {"enum": list(WASTE_TREATMENTS)},
                    "stage": {"type": "string"}, "factor": {"type": "string"}, "primary": {"type": "boolean"},
                    "note": {"type": "string"}, **prov}, ["material", "amount"])},
                "packaging": {"type": "array", "items": exchange},
                "coproducts": {"type": "array", "items": obj({
                    "id": {"type": "string"}, "amount": q, "mass": q, "price": {"type": "string"},
                    "substitutes": {"type": "string"}, "factor": {"type": "string"}, "note": {"type": "string"}},
                    ["id", "amount"])},
                "allocation": obj({"method": {"enum": list(ALLOCATION_METHODS)},
                                   "basis": {"type": "string"}, "reason": {"type": "string"},
                                   "price": {"type": "string"},
                                   "shares": {"type": "object", "additionalProperties": {"type": "number"}}},
                                  ["method", "reason"])}, ["id"])},
            "route": {"type": "array", "items": obj({"from": {"type": "string"}, "to": {"type": "string"},
                                                     "legs": {"type": "array", "items": leg}}, ["from", "to"])},
            "scenario": {"type": "array", "items": obj({
                "id": ident, "label": {"type": "string"}, "description": {"type": "string"},
                "product": {"type": "string"}, "kind": {"enum": list(SCENARIO_KINDS)},
                "operation_start": {"type": "string", "format": "date"},
                "steps": {"type": "array", "items": obj({"process": {"type": "string"}, "site": {"type": "string"}},
                                                        ["process", "site"])},
                "transport": {"type": "array", "items": obj({
                    "goods": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"},
                    "legs": {"type": "array", "items": leg}, "packaging_factor": {"type": "number", "minimum": 1}},
                    ["goods", "from", "to"])},
                "mix": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1}}},
                ["id"])},
            "comparison": obj({"baseline": {"type": "string"}, "alternative": {"type": "string"}}),
            "tables": obj({"sites": {"type": "string"}, "exchanges": {"type": "string"}, "routes": {"type": "string"}}),
            "factors": obj({"files": {"type": "array", "items": {"type": "string"}},
                            "sources": {"type": "array", "items": {"type": "string"}, "uniqueItems": True}}),
            "uncertainty": {"type": "array", "items": {"type": "object"}},
            "parameters": {"type": "object", "additionalProperties": {"oneOf": [
                {"type": "string"}, obj({"value": {"type": "number"}, "unit": {"type": "string"},
                                         "note": {"type": "string"}, "primary": {"type": "boolean"}, **prov,
                                         "uncertainty": inline_unc}, ["value", "unit"]),
                obj({"value": {"type": "string"}, "note": {"type": "string"}, "primary": {"type": "boolean"},
                     **prov, "uncertainty": inline_unc}, ["value"])]}},
            "pact": {"type": "object"},
            "stage": {"type": "array", "items": obj({
                "id": ident, "label": {"type": "string"}, "eu_battery_stage": {"enum": list(EU_BATTERY_STAGES)},
                "ghg_stage": {"enum": list(GHG_STAGES)}, "pact_field": {"enum": list(PACT_STAGE_FIELDS)},
                "description": {"type": "string"}}, ["id"])},
            # amount, or from_study (+ from_view): the amount taken from another study (lca.study.linked)
            "view": {"type": "array", "items": {**obj({
                "id": ident, "label": {"type": "string"}, "per": {"type": "string"}, "amount": q,
                "of": {"type": "string"}, "result_unit": {"type": "string"}, "basis": {"type": "string"},
                "from_study": {"type": "string"}, "from_view": {"type": "string"}}, ["id", "per"]),
                "oneOf": [{"required": ["amount"], "not": {"required": ["from_study"]}},
                          {"required": ["from_study"], "not": {"required": ["amount"]}}]}},
            "material": {"type": "array", "items": obj({
                "id": {"type": "string"}, "name": {"type": "string"},
                "fossil_carbon": {"type": "number", "minimum": 0, "maximum": 1}, "source": {"type": "string"},
                "note": {"type": "string"}}, ["id", "fossil_carbon"])},
            "inbound": {"type": "array", "items": obj({
                "site": {"type": "string"}, "flow": {"type": "string"}, "legs": {"type": "array", "items": leg},
                "note": {"type": "string"}, **prov}, ["legs"])},
            "exclusion": {"type": "array", "items": obj({
                "id": ident, "description": {"type": "string"}, "estimate": q, "amount": q,
                "factor": {"type": "string"}, "source": {"type": "string"}, "basis": {"type": "string"},
                "note": {"type": "string"}}, ["id", "description"])},
            "cutoff": obj({"each": {"type": "number", "minimum": 0, "maximum": 1},
                           "total": {"type": "number", "minimum": 0, "maximum": 1}}),
            "profile": obj({"noun": {"type": "string"}, "packaging": {"type": "string"},
                            "boundary": {"type": "string"}, "outside": {"type": "string"},
                            "exclusions": {"type": "array", "items": {"type": "string"}}}),
            "disclosure": obj({"contact": {"type": "string", "minLength": 1},
                               "product_category_rules": {"type": "array", "items": {"type": "string", "minLength": 1}},
                               "packaging_fossil_carbon_content": q, "packaging_biogenic_carbon_content": q,
                               "not_covered": {"type": "array", "items": {"type": "string", "minLength": 1}}}),
        }, ["study", "product", "site", "process", "scenario"]),
    }


def table_schemas() -> dict[str, dict[str, Any]]:
    """Name → JSON Schema of every input table (sites, exchanges, routes, factors, gwp, activities)."""
    from lca.schemas import ActivityTable, ExchangeTable, FactorTable, GwpTable, RouteTable, SiteTable
    from lca.study.tables import TABLE_FILES

    closed = {kind: cols for kind, (cols, _model) in TABLE_FILES.items()}  # the loader refuses other columns
    out = {
        "sites": model_schema(SiteTable, "sites", allowed=closed["sites"]),
        "exchanges": model_schema(ExchangeTable, "exchanges", drop=("row",), allowed=closed["exchanges"],
                                  description="Inputs of a process per unit of gross output; each row has "
                                              "exactly one of 'flow' or 'input'."),
        "routes": model_schema(RouteTable, "routes", allowed=closed["routes"]),
        "factors": model_schema(FactorTable, "factors", allowed=set(FactorTable.to_schema().columns)),
        "gwp": model_schema(GwpTable, "gwp"),
        "activities": model_schema(ActivityTable, "activities"),
    }
    # exactly one of flow / input: a flow (text) or an input (text), never both, never neither
    given = lambda c: {"required": [c], "properties": {c: {"type": "string"}}}  # noqa: E731
    out["exchanges"]["items"]["oneOf"] = [given("flow"), given("input")]
    for kind in closed:  # a study's table file holds rows: a header alone is refused (lca.study.io.header_only)
        out[kind]["minItems"] = 1
    for name, doc in out.items():
        doc["description"] += f" Applies to: {APPLIES_TO[name]}."
    return out


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_BOOLEAN = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


def _cell(text: str, types: Any) -> Any:
    """One CSV cell as JSON, by the types its column's schema allows (see :data:`MAPPING`)."""
    if text == "":
        return None
    types = set(types) if isinstance(types, list) else {types}
    t = text.strip()
    if "integer" in types and _INTEGER.match(t):
        return int(t)
    if "number" in types and _NUMBER.match(t):
        return float(t)
    if "boolean" in types and t.lower() in _BOOLEAN:
        return _BOOLEAN[t.lower()]
    return text


def table_as_json(path: Path | str, schema: dict[str, Any]) -> list[dict[str, Any]]:
    """A CSV (UTF-8, comma, header row) or Parquet table as the JSON array ``schema`` validates.

    The reference implementation of :data:`MAPPING`, independent of the loader's parser (it uses
    Python's csv module), so systems without Python can follow the same rules.
    """
    path = Path(path)
    props = schema["items"].get("properties", {})
    if path.suffix.lower() == ".parquet":
        rows = pl.read_parquet(path, glob=False).to_dicts()
        fix = lambda v: str(v) if isinstance(v, float) and not math.isfinite(v) else v  # noqa: E731
        return [{k: fix(v) for k, v in r.items()} for r in rows]
    with open(path, encoding="utf-8-sig", newline="") as fh:
        records = list(csv.reader(fh))
    header, body = (records[0], records[1:]) if records else ([], [])
    kinds = [props.get(h, {}).get("type", "string") for h in header]
    return [{h: _cell(v, k) for h, v, k in zip(header, rec, kinds)} for rec in body]


def write_schemas(directory: Path | str) -> list[Path]:
    """Write ``<name>.schema.json`` for every table plus ``study.schema.json``; return the paths."""
    from lca.outputs import write_atomic

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    docs = {**table_schemas(), "study": study_schema()}
    return [write_atomic(directory / f"{name}.schema.json", json.dumps(doc, indent=2, sort_keys=True) + "\n")
            for name, doc in sorted(docs.items())]
