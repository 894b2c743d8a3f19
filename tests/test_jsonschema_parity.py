"""`lca validate` and the JSON Schemas of `lca schema export` give the same verdict on every file of
a corpus of good and bad tables (tests/data/validate/corpus), through the documented CSV → JSON
mapping (docs/csv-json.md). Checks JSON Schema cannot express are listed, not hidden."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")

CORPUS = Path(__file__).resolve().parent / "data" / "validate" / "corpus"

#: lca validate refuses these, the schemas cannot (docs/csv-json.md, "What the schemas cannot say")
KNOWN_DIFFERENCES = {
    "sites_duplicate_id.csv": "ids unique within a column (marked x-unique)",
    "factors_duplicate_id.csv": "ids unique within a column (marked x-unique)",
    "gwp_gas_twice.csv": "one row per gas and GWP set (a rule across rows)",
    "exchanges_bad_unit.csv": "units are parsed (pint), not matched by a pattern",
    "routes_unit_not_length.csv": "a unit's dimension",
    "routes_leg_gap.csv": "a route's legs numbered 1…n in row order (a rule across rows)",
    "routes_not_consecutive.csv": "a route's rows together (a rule across rows)",
    "factors_unit_for_gas.csv": "a factor unit's numerator must suit its gas",
}
#: the corpus files both must accept (every other file has one typical fault)
VALID = {"sites_good.csv", "exchanges_good.csv", "exchanges_padded_amount.csv",
         "routes_good.csv", "factors_good.csv", "factors_estimate_yes.csv",
         "gwp_good.csv"}
FILES = sorted(p.name for p in CORPUS.glob("*.csv"))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The schemas as `lca schema export` writes them (the files users get, not an in-memory copy)."""
    from lca.validation.jsonschema import write_schemas

    folder = tmp_path_factory.mktemp("schemas")
    write_schemas(folder)
    return {p.name.split(".")[0]: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.schema.json")}


def _schema_errors(path: Path, schemas: dict) -> list[str]:
    import csv

    from lca.validation.jsonschema import table_as_json
    from lca.validation import classify

    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    kind = classify(header, path.name)  # the documented choice of schema, as lca validate makes it
    schema = schemas[kind]
    jsonschema.Draft202012Validator.check_schema(schema)
    return [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(table_as_json(path, schema))]


def test_corpus_covers_every_kind_and_fault():
    kinds = {f.split("_")[0] for f in FILES}
    assert kinds == {"sites", "exchanges", "routes", "factors", "gwp"} and len(FILES) >= 50
    assert set(KNOWN_DIFFERENCES) | VALID <= set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_validate_and_schema_agree(name, exported):
    from lca.validation import validate_paths

    path = CORPUS / name
    problems = validate_paths([path])
    errors = _schema_errors(path, exported)
    assert (not problems) == (name in VALID), [str(p) for p in problems]
    if name in KNOWN_DIFFERENCES:
        assert problems and not errors, f"expected only lca validate to refuse it: {KNOWN_DIFFERENCES[name]}"
    else:
        assert (not problems) == (not errors), ([str(p) for p in problems], errors)


def test_mapping_types_and_empty_cells():
    from lca.validation.jsonschema import table_as_json, table_schemas

    rows = table_as_json(CORPUS / "factors_good.csv", table_schemas()["factors"])
    first = rows[0]
    assert first["value"] == 1.8 and first["year"] == 2025 and first["estimate"] is False
    assert first["unc_sd"] is None and first["name"] == "HDPE resin, supplier EPD"  # quoted comma kept
    year_decimal = table_as_json(CORPUS / "factors_year_decimal.csv", table_schemas()["factors"])[0]["year"]
    nan = table_as_json(CORPUS / "factors_nan_gsd.csv", table_schemas()["factors"])[0]["unc_gsd"]
    assert (year_decimal, nan) == ("2025.0", "nan")  # not a whole number / not a JSON number: stays text
