"""`lca validate` for CI: every bad row reported exactly; exit codes; GitHub annotations; JSON Schema export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "validate"
MIXED = DATA / "mixed"

# (file, row, column, words in the message): the exact problems of tests/data/validate/mixed
EXPECTED = [
    ("bad_exchanges.csv", 2, "unit", "unknown unit 'furlong_hours'"),
    ("bad_exchanges.csv", 3, "amount", "-0.4 is negative"),
    ("bad_exchanges.csv", 4, None, "exactly one of 'flow' or 'input'"),
    ("bad_factors.csv", 2, "value", "-2.0 is negative"),
    ("bad_factors.csv", 3, "gas", "'CO3' is not allowed"),
    ("bad_sites.csv", 2, "country", "'Japan' has the wrong form"),
    ("bad_study.toml", None, "site", "unknown site 'atlantis'"),
]


def test_good_folder_is_valid(cli):
    from lca.validation import validate_paths

    assert validate_paths([DATA / "good"]) == []
    r = cli("validate", DATA / "good")
    assert r.exit_code == 0 and "ok" in r.stdout


def test_mixed_folder_reports_each_bad_row_exactly():
    from lca.validation import validate_paths

    problems = validate_paths([MIXED])
    got = [(Path(p.file).name, p.row, p.column) for p in problems]
    assert got == [(f, r, c) for f, r, c, _ in EXPECTED]
    for p, (_f, _r, _c, words) in zip(problems, EXPECTED):
        assert words in p.message
    assert not any(Path(p.file).name == "good_factors.csv" for p in problems)


def test_cli_text_json_github(cli):
    r = cli("validate", MIXED)
    assert r.exit_code == 1 and "7 problems" in r.stderr and "Traceback" not in r.stderr
    r = cli("validate", MIXED, "--format", "json")
    body = json.loads(r.stdout)
    assert r.exit_code == 1 and body["valid"] is False and len(body["problems"]) == 7
    sites = next(p for p in body["problems"] if p["file"].endswith("bad_sites.csv"))
    assert (sites["row"], sites["line"], sites["column"], sites["col"]) == (2, 3, "country", 3)
    r = cli("validate", MIXED, "--format", "github")
    lines = r.stdout.splitlines()
    assert lines[-1] == "::notice::checked 5 files (1 study, 4 tables); skipped none"
    # the study that does not load says which stages did not run (a notice on its file)
    assert lines[-2].startswith(f"::notice file={MIXED / 'bad_study.toml'}::not run: compute, uncertainty, PACT (")
    lines = lines[:-2]
    assert r.exit_code == 1 and len(lines) == 7 and all(x.startswith("::error file=") for x in lines)
    assert any(x.startswith(f"::error file={MIXED / 'bad_factors.csv'},line=4,col=8::") for x in lines)
    toml_line = next(x for x in lines if "bad_study.toml" in x)
    assert ",line=" not in toml_line  # TOML problems carry no line: the annotation says so


def test_github_escaping():
    from lca.validation import Annotation

    a = Annotation("a,b:c.csv", 2, 1, "50% bad\nnext")
    assert a.github() == "::error file=a%2Cb%3Ac.csv,line=2,col=1::50%25 bad%0Anext"


def test_explicit_unknown_and_missing_files(tmp_path):
    from lca.validation import validate_paths

    odd = tmp_path / "notes.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    # inside folders a table that is not ours is an error (a misspelt header must not pass CI) ...
    (p,) = validate_paths([tmp_path])
    assert p.file == str(odd) and "not a table lca knows: columns a, b" in p.message
    # ... unless allowed; a TOML without [study] is skipped, and both are listed as skipped
    from lca.validation import validate

    out = validate([tmp_path], allow_unknown=True)
    assert out.problems == [] and [s["file"] for s in out.skipped] == [str(odd), str(tmp_path / "pyproject.toml")]
    (p,) = validate_paths([odd])
    assert "not a table lca knows" in p.message
    (q,) = validate_paths([tmp_path / "gone.csv"])
    assert q.message == "file not found"


def test_non_utf8_and_malformed(tmp_path):
    from lca.validation import validate_paths

    bad = tmp_path / "sites.csv"
    bad.write_bytes("id,country\nmünchen,DE\n".encode("latin-1"))
    (p,) = validate_paths([bad])
    assert p.file == str(bad) and "cannot read" in p.message
    toml = tmp_path / "study.toml"
    toml.write_text("[study]\nid = 'x\n", encoding="utf-8")
    (q,) = validate_paths([toml])
    assert "malformed TOML" in q.message


def test_default_study_and_shipped_factors_are_valid():
    from lca.resources import default_study_path, factors_dir
    from lca.validation import validate_paths

    assert validate_paths([default_study_path(), factors_dir()]) == []


def test_schema_export_is_deterministic_and_validates_samples(tmp_path, cli):
    jsonschema = pytest.importorskip("jsonschema")
    import polars as pl

    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("schema", "export", "-o", a).exit_code == 0
    assert cli("schema", "export", "-o", b).exit_code == 0
    names = sorted(p.name for p in a.iterdir())
    assert names == ["activities.schema.json", "exchanges.schema.json", "factors.schema.json", "gwp.schema.json",
                     "routes.schema.json", "sites.schema.json", "study.schema.json"]
    assert all((a / n).read_bytes() == (b / n).read_bytes() for n in names)
    schema = json.loads((a / "sites.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    good = pl.read_csv(MIXED / "bad_sites.csv").head(1).to_dicts()
    assert not list(v.iter_errors(good))
    bad = pl.read_csv(MIXED / "bad_sites.csv").to_dicts()
    assert [e.path[0] for e in v.iter_errors(bad)] == [1]  # row 2 (index 1): country 'Japan'


def test_study_schema_accepts_default_study(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    import tomllib

    from lca.validation.jsonschema import study_schema
    from lca.resources import default_study_path

    doc = tomllib.loads(default_study_path().read_text(encoding="utf-8"))
    doc = json.loads(json.dumps(doc, default=str))  # dates → strings, as a JSON system would see them
    errors = list(jsonschema.Draft202012Validator(study_schema()).iter_errors(doc))
    assert errors == [], [e.message for e in errors]
