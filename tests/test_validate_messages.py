"""Messages found misleading (#11 item 10): a semicolon-separated CSV, a factor unit hint that
recommends the unit it refuses, validator jargon, and line numbers after a multi-line cell."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "validate"
CORPUS = DATA / "corpus"
GOOD = DATA / "good" / "study.toml"


def _semicolons(path: Path, decimal_comma: bool) -> Path:
    rows = ["id;name;country;subdivision;grid", "plant;Plant A;JP;JP-25;JP-KANSAI",
            f"mill;Mill{', North' if decimal_comma else ''};US;US-NC;US-SRVC"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("comma_in_a_value", [False, True])
def test_a_semicolon_csv_is_told_to_use_commas(tmp_path, comma_in_a_value):
    from lca.errors import LcaInputError
    from lca.factors import load_library
    from lca.study import load_study
    from lca.validation import validate_paths

    table = _semicolons(tmp_path / "sites.csv", comma_in_a_value)
    (p,) = validate_paths([table])
    assert (p.file, p.message) == (str(table), "values are separated by semicolons, not commas")
    assert "use commas" in p.hint and "UTF-8" not in str(p)
    study = tmp_path / "study.toml"
    study.write_text(GOOD.read_text(encoding="utf-8") + '\n[tables]\nsites = "sites.csv"\n', encoding="utf-8")
    with pytest.raises(LcaInputError, match="separated by semicolons, not commas"):
        load_study(study)
    factors = tmp_path / "factors.csv"
    factors.write_text((CORPUS / "factors_good.csv").read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    with pytest.raises(LcaInputError, match="separated by semicolons, not commas"):
        load_library(factors)


@pytest.mark.parametrize("gas, unit, refused", [("CO2", "kg_CO2e/kWh", "CO2e"), ("CO2e", "kg/kWh", "kg/MMBtu")])
def test_a_factor_unit_hint_never_recommends_what_it_refuses(tmp_path, gas, unit, refused):
    from lca.validation import validate_paths

    rows = (CORPUS / "factors_good.csv").read_text(encoding="utf-8").splitlines()
    rows[2] = rows[2].replace(",kg_CO2e/kWh,CO2e,", f",{unit},{gas},")
    path = tmp_path / "factors.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (p,) = validate_paths([path])
    assert (p.row, p.column) == (2, "unit") and refused not in p.hint


JARGON = re.compile(r"(greater|less)_than|in_range\(|str_length\(|str_matches\(|isin\(|field_uniqueness|not_nullable")


def test_no_validator_jargon_in_any_message_of_the_corpus():
    from lca.validation import validate_paths

    problems = validate_paths(sorted(CORPUS.glob("*.csv")))
    assert len(problems) > 40
    leaks = [str(p) for p in problems if JARGON.search(str(p))]
    assert leaks == []
    by_file = {Path(p.file).name: p for p in problems}
    assert (by_file["factors_dq_above_5.csv"].message, by_file["factors_dq_above_5.csv"].hint) == (
        "value 7 is above 5", "use a value <= 5")
    assert by_file["factors_year_out_of_range.csv"].message == "value 1980 is below 1990"
    assert "two-letter ISO country code" in by_file["sites_bad_country.csv"].hint


def test_every_problem_of_a_file_in_one_pass(tmp_path):
    """A cell that is not a number does not hide a range problem in another row (no rounds)."""
    from lca.validation import validate_paths

    rows = (CORPUS / "factors_good.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(",1.8,", ",lots,")
    rows[2] = rows[2].replace(",2,1,1,", ",2,1,9,")
    path = tmp_path / "factors.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert [(p.row, p.column) for p in validate_paths([path])] == [(1, "value"), (2, "dq_temporal")]


def test_line_numbers_count_physical_lines_after_a_multi_line_cell(tmp_path, cli):
    text = (CORPUS / "exchanges_good.csv").read_text(encoding="utf-8")
    text = text.replace("film,hdpe_resin,,5.5,g,,,resin", 'film,hdpe_resin,,5.5,g,,,"resin,\nfrom the\nsupplier"')
    text = text.replace("coat,,film,1,", "coat,,film,-1,")
    path = tmp_path / "exchanges.csv"
    path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8").splitlines()[5].startswith("coat,,film,-1,")  # line 6
    r = cli("validate", path, "--format", "github")
    assert r.stdout.splitlines()[0].startswith(f"::error file={path},line=6,col=4::exchanges row 3, column 'amount'")
    (p,) = json.loads(cli("validate", path, "--format", "json").stdout)["problems"]
    assert (p["row"], p["line"]) == (3, 6)


def test_record_lines_follow_quoting_like_the_loader(tmp_path):
    import polars as pl

    from lca.study.csvfiles import record_lines

    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,"x\n\ny"\n2,"he said ""hi"""\n3,z\n', encoding="utf-8")
    assert record_lines(path) == [1, 2, 5, 6]
    assert pl.read_csv(path).height == len(record_lines(path)) - 1
