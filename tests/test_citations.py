"""#13 item 7, citations that hold: ``citation_quality`` on every factor row, mirrors only as
``retrieved_via``, HDPE/boehmite re-examined, and the factor-risk ranking shared by the report and
``lca factors audit`` (:func:`lca.results.risk.factor_risk`)."""

from __future__ import annotations

import io
import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lca
from lca.choices import CITATION_QUALITIES
from lca.errors import FactorError
from lca.factors import FACTOR_COLUMNS, FACTOR_FILES, read_factor_file
from lca.resources import factors_dir
from lca.results.risk import CITATION_WEIGHTS, RISK_SCHEMA, factor_risk

from conftest import TINY

def _shipped(name: str) -> pl.DataFrame:
    return pl.read_csv(factors_dir() / name, infer_schema=False)


# ----------------------------------------------------------------------- the shipped library

@pytest.mark.parametrize("name", [*FACTOR_FILES, "gwp.csv"])
def test_every_shipped_row_states_its_citation_quality(name):
    df = _shipped(name)
    quality = df.get_column("citation_quality")
    assert quality.null_count() == 0, df.filter(quality.is_null()).get_column("id").to_list()
    assert set(quality.unique()) <= set(CITATION_QUALITIES)


@pytest.mark.parametrize("name", [*FACTOR_FILES, "gwp.csv"])
def test_a_mirror_is_only_a_retrieved_via_note(name):
    """The citation (source, table, URL) names the publisher's document; the copy read goes to retrieved_via."""
    df = _shipped(name)
    cited = pl.concat_str([pl.col(c).fill_null("") for c in ("source", "source_table", "url")], separator=" ")
    bad = df.filter(cited.str.to_lowercase().str.contains(r"mirror|/issues/|as quoted in"))
    assert bad.height == 0, bad.get_column("id").to_list()
    primary = df.filter(pl.col("citation_quality") == "primary")
    assert primary.filter(pl.col("url").fill_null("").str.contains("github.com")).height == 0


def test_the_library_file_names_the_same_choice_set():
    import tomllib

    meta = tomllib.loads((factors_dir() / "library.toml").read_text(encoding="utf-8"))
    assert tuple(meta["citation"]["qualities"]) == CITATION_QUALITIES


def test_estimates_are_cited_as_estimates_and_gwps_cite_the_ipcc():
    lib = lca.load_library()
    f = lib.factors.filter(pl.col("citation_quality").is_not_null())
    assert f.filter(pl.col("estimate") & (pl.col("citation_quality") != "estimate")).height == 0
    ch4 = lib.gwp.filter(pl.col("id") == "gwp.ar6.ch4_fossil").row(0, named=True)
    assert ch4["value"] == 29.8 and ch4["citation_quality"] == "primary"
    assert "Table 7.15" in ch4["source_table"] and ch4["url"].startswith("https://www.ipcc.ch/report/ar6/wg1/")
    assert "LCIAformatter" in ch4["retrieved_via"]
    n2o = lib.gwp.filter(pl.col("id") == "gwp.ar6.n2o").row(0, named=True)
    assert n2o["source_table"] == "Table 7.SM.7, GWP100" and n2o["value"] == 273


def test_hdpe_and_boehmite_defaults_and_their_sensitivity_rows():
    lib = lca.load_library()
    rows = {r["id"]: r for r in lib.factors.filter(pl.col("flow").is_in(["hdpe_resin", "boehmite"]))
            .iter_rows(named=True)}
    defaults = {i for i, r in rows.items() if r["status"] == "default"}
    assert defaults == {"mat.hdpe.desnz2025", "mat.boehmite.estimate"}
    assert rows["mat.hdpe.desnz2025"]["value"] == 3.09516 and "DEFAULT since #13" in rows["mat.hdpe.desnz2025"]["notes"]
    assert rows["mat.hdpe.plasticseurope2005"]["status"] == "sensitivity"
    assert rows["mat.hdpe.plasticseurope2005"]["citation_quality"] == "secondary"
    assert {i: (r["value"], r["status"]) for i, r in rows.items() if r["flow"] == "boehmite"} == {
        "mat.boehmite.estimate": (2.0, "default"), "mat.boehmite.hydrothermal.estimate": (1.2, "sensitivity"),
        "mat.boehmite.hpa-alkoxide.aem": (12.3, "sensitivity")}


# ------------------------------------------------------------------------- user factor files

def _row(**changes) -> pl.DataFrame:
    row = lca.load_library().factors.filter(pl.col("id") == "mat.boehmite.estimate").select(FACTOR_COLUMNS)
    return row.with_columns(pl.lit("user.boehmite").alias("id"), pl.lit("alternative").alias("status"),
                            *[pl.lit(v).alias(k) for k, v in changes.items()])


def test_a_user_file_may_leave_citation_quality_out_and_is_rated_an_estimate(tmp_path, tiny_fp):
    path = tmp_path / "mine.csv"
    _row().drop("citation_quality", "retrieved_via").write_csv(path)
    assert "citation_quality" not in read_factor_file(path).columns
    lib = lca.load_library(path)
    assert lib.get("user.boehmite")["citation_quality"] is None
    # the tiny study's factors.csv states none: every factor is 'estimate', not stated
    risk = factor_risk(tiny_fp)
    assert set(risk.get_column("citation_quality")) == {"estimate"} and not risk.get_column("stated").any()


@pytest.mark.parametrize("changes,column,words", [
    ({"citation_quality": "good"}, "citation_quality", "use one of: primary, secondary, estimate"),
    ({"citation_quality": "primary"}, None, "an estimate row (estimate = true) has citation_quality 'estimate'"),
])
def test_a_wrong_citation_quality_is_located(tmp_path, changes, column, words):
    path = tmp_path / "mine.csv"
    _row(**changes).write_csv(path)
    with pytest.raises(FactorError) as err:
        lca.load_library(path)
    (p,) = err.value.problems
    assert (p.file, p.row, p.column) == (str(path), 1, column)
    assert words in str(p)


def test_validate_warns_about_unstated_citations(cli, tmp_path):
    path = tmp_path / "mine.csv"
    _row().drop("citation_quality").write_csv(path)
    r = cli("factors", "validate", str(path))
    assert r.exit_code == 0 and "1 of 1 factors state no citation_quality" in r.stderr
    _row(citation_quality="estimate").write_csv(path)
    r = cli("factors", "validate", str(path))
    assert r.exit_code == 0 and "citation_quality" not in r.stderr


# ------------------------------------------------------------------------------ factor risk

def test_factor_risk_by_hand_on_the_tiny_study():
    """One-site total 1.1997 = power 1.0 + resin 0.04 + gas CO2 0.1 + CH4 0.0596 + truck 0.0001;
    two-step: power north 1.25, south 0.125 of 1.62474. Weights: primary 1, secondary 3, not stated 5."""
    study = lca.load_study(TINY)
    lib = lca.load_library().with_overrides(TINY.parent / "factors.csv")
    layer = lib.factors.filter(pl.col("id").is_in(["tiny.power.north", "tiny.resin"])).select(FACTOR_COLUMNS)
    layer = layer.with_columns(pl.when(pl.col("id") == "tiny.resin").then(pl.lit("secondary"))
                               .otherwise(pl.lit("primary")).alias("citation_quality"))
    fp = lca.compute(study, factors=[layer])
    risk = factor_risk(fp)
    got = {r["factor_id"]: (r["citation_quality"], r["scenario"], r["share"], r["risk"])
           for r in risk.iter_rows(named=True)}
    assert got["tiny.power.north"] == ("primary", "one-site", pytest.approx(1.0 / 1.1997), pytest.approx(1.0 / 1.1997))
    assert got["tiny.resin"] == ("secondary", "one-site", pytest.approx(0.04 / 1.1997), pytest.approx(0.12 / 1.1997))
    assert got["tiny.power.south"] == ("estimate", "two-step", pytest.approx(0.125 / 1.62474),
                                       pytest.approx(0.625 / 1.62474))
    assert risk.get_column("factor_id").to_list()[:5] == ["tiny.power.north", "tiny.gas.co2", "tiny.power.south",
                                                          "tiny.gas.ch4", "tiny.resin"]
    assert risk.get_column("rank").to_list() == list(range(1, risk.height + 1))
    north = risk.filter(pl.col("factor_id") == "tiny.power.north").row(0, named=True)
    assert north["share_min"] == pytest.approx(1.25 / 1.62474) and north["unit"] == "kg_CO2e/m^2"


class _Result:
    """What factor_risk reads of a Footprint: detail, totals() and scenarios."""

    def __init__(self, detail: pl.DataFrame):
        self.detail = detail
        self.scenarios = sorted(set(detail.get_column("scenario")))

    def totals(self) -> pl.DataFrame:
        return pl.DataFrame({"scenario": self.scenarios, "unit": ["kg_CO2e/m^2"] * len(self.scenarios)})


ROWS = st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["f1", "f2", "f3", "f4"]),
                          st.floats(0, 10, allow_nan=False), st.sampled_from([*CITATION_QUALITIES, None])),
                min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(ROWS)
def test_factor_risk_invariants(rows):
    quality = {f: q for _, f, _, q in rows}  # one citation per factor, as in a library
    detail = pl.DataFrame([{"scenario": s, "factor_id": f, "factor_name": f, "flow": f, "value": v, "source": "x",
                            "factor_citation_quality": quality[f]} for s, f, v, _ in rows],
                          schema={"scenario": pl.String, "factor_id": pl.String, "factor_name": pl.String,
                                  "flow": pl.String, "value": pl.Float64, "source": pl.String,
                                  "factor_citation_quality": pl.String})
    risk = factor_risk(_Result(detail))
    assert risk.schema == pl.Schema(RISK_SCHEMA)
    assert sorted(risk.get_column("factor_id")) == sorted(quality)  # each factor once
    for r in risk.iter_rows(named=True):
        assert r["weight"] == CITATION_WEIGHTS[quality[r["factor_id"]] or "estimate"]
        assert r["stated"] == (quality[r["factor_id"]] is not None)
        assert r["risk"] == pytest.approx(r["share"] * r["weight"])
        assert 0 <= r["share_min"] <= r["share"] <= 1
        mine = detail.filter((pl.col("scenario") == r["scenario"]) & (pl.col("factor_id") == r["factor_id"]))
        total = detail.filter(pl.col("scenario") == r["scenario"]).get_column("value").sum()
        assert r["share"] == pytest.approx(mine.get_column("value").sum() / total if total else 0.0)
    risks = risk.get_column("risk").to_list()
    assert risks == sorted(risks, reverse=True)


# ------------------------------------------------------------------- CLI and report share it

def test_audit_prints_the_same_rows_as_factor_risk(cli, default_fp):
    want = factor_risk(default_fp)
    r = cli("factors", "audit", "--format", "csv")
    assert r.exit_code == 0
    got = pl.read_csv(io.StringIO(r.stdout), schema=want.schema)
    assert got.equals(want)
    r = cli("factors", "audit", "--format", "json", "--top", "3")
    assert r.exit_code == 0 and [x["factor_id"] for x in json.loads(r.stdout)] == want["factor_id"].to_list()[:3]
    r = cli("factors", "audit", "--top", "2")
    assert r.exit_code == 0 and want["factor_id"][0] in r.stdout and "citation weight" in r.stderr


def test_audit_of_a_bad_study_is_a_located_error(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[study]\n", encoding="utf-8")
    r = cli("factors", "audit", str(bad))
    assert r.exit_code == 1 and str(bad) in r.stderr and "Traceback" not in r.stderr + r.stdout


def test_the_report_shows_the_factor_risk_table(default_fp):
    from lca.report.provenance import factor_risk as report_rows

    rows = report_rows(default_fp)["rows"]
    assert [r["id"] for r in rows] == factor_risk(default_fp).get_column("factor_id").to_list()
    from lca.report import render_html

    html = render_html(default_fp, timestamp="2026-01-01T00:00:00Z").replace("<wbr>", "")  # ids wrap at <wbr>
    start = html.index('<h3 id="factor-risk">')
    table = html[start:html.index("</table>", start)]
    assert [r["id"] for r in rows] == [part.split("<")[0] for part in table.split('<span class="id">')[1:]]
