"""Activity data with provenance and quality (#13 item 5): ``source``, ``dqr`` (1–5), ``primary`` and the
amount's uncertainty on every exchange, leg and parameter — inline, in table files and in frames — and
the result's data-quality ratings from activity data and factors, contribution-weighted."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca
from lca.errors import LcaInputError
from lca.study import study_from_dict

TINY = Path(__file__).resolve().parent / "data" / "tiny"
ALL5 = {"technological": 2, "geographical": 3, "temporal": 1, "completeness": 4, "reliability": 5}


def _study(doc, **kw):
    return study_from_dict(doc, base=TINY, file="tiny.toml", **kw)


def _messages(exc) -> list[str]:
    return [str(p) for p in exc.value.problems]


# ------------------------------------------------------------------------------ reading the fields

def test_inline_fields_reach_the_exchange_leg_and_parameter_frames(tiny_doc):
    doc = copy.deepcopy(tiny_doc)
    doc["process"][0]["exchanges"][0].update(source="meter readings 2025", dqr=ALL5, primary=True)
    doc["scenario"][0]["transport"][0]["legs"][0].update(source="forwarder invoice", dqr={"temporal": 2})
    doc["parameters"] = {"areal": {"value": "10 g", "source": "datasheet", "dqr": {"reliability": 2},
                                   "primary": True}}
    s = _study(doc)
    ex = s.exchanges.filter(pl.col("origin") == "process 'film' exchange #1").row(0, named=True)
    assert ex["source"] == "meter readings 2025" and ex["primary"] is True
    assert [ex[f"dqr_{k}"] for k in ALL5] == list(ALL5.values())
    other = s.exchanges.filter(pl.col("origin") == "process 'film' exchange #2").row(0, named=True)
    assert other["source"] is None and other["dqr_temporal"] is None  # not rated, not invented
    leg = s.transport.filter(pl.col("scenario") == "one-site").row(0, named=True)
    assert leg["source"] == "forwarder invoice" and leg["dqr_temporal"] == 2 and leg["dqr_technological"] is None
    par = s.parameters.row(0, named=True)
    assert (par["name"], par["value"], par["unit"], par["source"], par["dqr_reliability"], par["primary"]) == \
        ("areal", 10.0, "g", "datasheet", 2, True)


def test_route_leg_provenance_follows_the_leg_into_every_scenario_and_cell_plant():
    s = lca.load_study(lca.default_study_path())
    routes = [r for r in s.routes.iter_rows(named=True)]
    assert routes  # the default study's routes carry the columns (null or filled)
    doc = _default_doc()
    for r in doc["route"]:
        for m, leg in enumerate(r["legs"], 1):
            leg["source"] = f"{r['from']}→{r['to']} leg {m}"
    s = study_from_dict(doc, file="d.toml")
    jp = s.transport.filter(pl.col("scenario") == "jp-import").get_column("source").to_list()
    assert jp == ["moriyama→liberty leg 1", "moriyama→liberty leg 2", "moriyama→liberty leg 3"]
    h = s.with_cell_plant("holland")  # re-routed from the routes frame: the new route's own sources
    assert h.transport.filter(pl.col("scenario") == "jp-import").get_column("source").to_list() == \
        ["moriyama→holland leg 1", "moriyama→holland leg 2", "moriyama→holland leg 3"]


def _default_doc():
    import tomllib

    return tomllib.loads(lca.default_study_path().read_text(encoding="utf-8"))


@pytest.mark.parametrize("dqr, column, words", [
    ({"temporal": 6}, "dqr.temporal", "rating 6 must be an integer from 1 to 5"),
    ({"temporal": 0}, "dqr.temporal", "rating 0 must be an integer from 1 to 5"),
    ({"temporal": True}, "dqr.temporal", "rating True must be an integer from 1 to 5"),
    ({"temporal": 2.5}, "dqr.temporal", "rating 2.5 must be an integer from 1 to 5"),
    ({"timely": 2}, "dqr.timely", "unknown rating 'timely'"),
    ("good", "dqr", "must be a table"),
])
def test_bad_ratings_are_located_errors(tiny_doc, dqr, column, words):
    doc = copy.deepcopy(tiny_doc)
    doc["process"][1]["exchanges"][1]["dqr"] = dqr
    with pytest.raises(LcaInputError) as exc:
        _study(doc)
    (msg,) = _messages(exc)
    assert "tiny.toml" in msg and "process 'coat' exchange #2" in msg and f"'{column}'" in msg and words in msg


def test_bad_leg_rating_and_empty_source_are_located(tiny_doc):
    doc = copy.deepcopy(tiny_doc)
    doc["scenario"][1]["transport"][0]["legs"][0]["dqr"] = {"reliability": 9}
    with pytest.raises(LcaInputError) as exc:
        _study(doc)
    (msg,) = _messages(exc)
    assert "tiny.toml: scenario 'two-step' transport #1 leg #1, column 'dqr.reliability': rating 9" in msg
    doc = copy.deepcopy(tiny_doc)
    doc["process"][0]["exchanges"][2]["source"] = "  "
    with pytest.raises(LcaInputError) as exc:
        _study(doc)
    (msg,) = _messages(exc)
    assert "process 'film' exchange #3, column 'source': source must be a non-empty text" in msg


def test_bad_parameter_rating_is_located(tiny_doc):
    doc = copy.deepcopy(tiny_doc)
    doc["parameters"] = {"areal": {"value": 10, "unit": "g", "dqr": {"geographical": 7}}}
    with pytest.raises(LcaInputError) as exc:
        _study(doc)
    assert any("parameter 'areal', column 'dqr.geographical': rating 7" in m for m in _messages(exc))


def test_table_files_carry_the_columns_and_locate_bad_cells(tmp_path, tiny_doc):
    (tmp_path / "factors.csv").write_bytes((TINY / "factors.csv").read_bytes())
    (tmp_path / "exchanges.csv").write_text(
        "process,flow,amount,unit,source,dqr_technological,dqr_reliability\n"
        "coat,tiny_resin,1,g,lab scale 2025,2,3\n"
        "coat,tiny_resin,1,g,,7,\n", encoding="utf-8")
    (tmp_path / "routes.csv").write_text(
        "from,to,leg,mode,distance,unit,source,dqr_temporal\n"
        "mill2,plant,1,tinytruck,50,km,map distance,2\n", encoding="utf-8")
    doc = copy.deepcopy(tiny_doc)
    doc["tables"] = {"exchanges": "exchanges.csv", "routes": "routes.csv"}
    with pytest.raises(LcaInputError) as exc:
        study_from_dict(doc, base=tmp_path, file=str(tmp_path / "study.toml"))
    (msg,) = _messages(exc)
    assert "exchanges.csv" in msg and "row 2" in msg and "'dqr_technological'" in msg
    (tmp_path / "exchanges.csv").write_text(
        "process,flow,amount,unit,source,dqr_technological,dqr_reliability\n"
        "coat,tiny_resin,1,g,lab scale 2025,2,3\n", encoding="utf-8")
    doc["scenario"][1]["transport"][0].pop("legs")
    s = study_from_dict(doc, base=tmp_path, file=str(tmp_path / "study.toml"))
    row = s.exchanges.filter(pl.col("origin").str.contains("exchanges.csv")).row(0, named=True)
    assert (row["source"], row["dqr_technological"], row["dqr_reliability"], row["dqr_temporal"]) == \
        ("lab scale 2025", 2, 3, None)
    leg = s.transport.filter(pl.col("scenario") == "two-step").row(0, named=True)
    assert (leg["source"], leg["dqr_temporal"]) == ("map distance", 2)


def test_frames_take_the_columns_and_refuse_bad_ratings():
    base = dict(study={"id": "f", "reference_period": {"start": "2025-01-01", "end": "2025-12-31"}},
                product={"name": "p", "declared_unit": "1 m^2", "mass_per_declared_unit": "5 g"},
                sites=pl.DataFrame({"id": ["plant"], "country": ["JP"], "grid": ["JP-KANSAI"]}),
                processes=pl.DataFrame({"id": ["part"], "output": ["1 m^2"], "yield": [0.7]}),
                scenarios=[{"id": "base", "steps": [{"process": "part", "site": "plant"}]}])
    ex = pl.DataFrame({"process": ["part", "part"], "flow": ["hdpe_resin", "electricity"], "amount": [5.5, 0.14],
                       "unit": ["g", "kWh"], "source": ["bill of materials", None],
                       "dqr_technological": [1, None], "dqr_temporal": [2, 3]})
    s = lca.study_from_frames(exchanges=ex, **base)
    assert s.exchanges.select("source", "dqr_technological", "dqr_temporal").rows() == \
        [("bill of materials", 1, 2), (None, None, 3)]
    with pytest.raises(LcaInputError) as exc:
        lca.study_from_frames(exchanges=ex.with_columns(pl.Series("dqr_temporal", [2, 8])), **base)
    (msg,) = _messages(exc)
    assert "exchanges row 2" in msg and "'dqr_temporal'" in msg
    # rows as in a study file (a dqr table per row, ratings missing in some rows) are read the same way
    rows = [{"process": "part", "flow": "hdpe_resin", "amount": 5.5, "unit": "g", "dqr": {"technological": 1}},
            {"process": "part", "flow": "electricity", "amount": 0.14, "unit": "kWh", "dqr": {"temporal": 3}}]
    s = lca.study_from_frames(exchanges=rows, **base)
    assert s.exchanges.select("dqr_technological", "dqr_temporal").rows() == [(1, None), (None, 3)]


def test_inline_uncertainty_is_an_uncertainty_entry_on_its_amount(tiny_doc):
    doc = copy.deepcopy(tiny_doc)
    doc["process"][0]["exchanges"][0]["uncertainty"] = {"dist": "triangular", "min": "0.8 kWh", "max": "1.5 kWh"}
    doc["parameters"] = {"areal": {"value": "10 g", "uncertainty": {"dist": "uniform", "min": "9 g",
                                                                      "max": "11 g", "note": "scale"}}}
    s = _study(doc)
    assert [dict(u) for u in s.uncertainty_spec] == [
        {"target": "process.film.tiny_power", "dist": "triangular", "min": "0.8 kWh", "max": "1.5 kWh",
         "note": "written on process 'film' exchange #1"},
        {"target": "parameter.areal", "dist": "uniform", "min": "9 g", "max": "11 g", "note": "scale"}]
    from lca.uncertainty.spec import parse_spec  # the entries are read like [[uncertainty]] ones

    assert [x.targets[0].name for x in parse_spec(s)] == ["process.film.tiny_power", "parameter.areal"]
    doc["process"][0]["exchanges"][0]["uncertainty"]["target"] = "process.film.tiny_gas"
    with pytest.raises(LcaInputError) as exc:
        _study(doc)
    assert any("'uncertainty.target'" in m for m in _messages(exc))


# ------------------------------------------------------------------------------ the result's quality

def _rated_tiny(tiny_doc):
    doc = copy.deepcopy(tiny_doc)
    film = doc["process"][0]["exchanges"]
    film[0]["dqr"] = {"technological": 2, "reliability": 1}    # power
    film[1]["dqr"] = {"technological": 4, "reliability": 3}    # resin
    # film[2] (gas) is not rated: it counts as 5
    doc["scenario"][0]["transport"][0]["legs"][0]["dqr"] = {"technological": 3, "reliability": 2}
    return doc


def test_result_ratings_by_hand(tiny_doc):
    """One-site (total 1.1997 kg CO2e/m², tests/test_tiny_study.py): power 1.0, resin 0.04, gas 0.1596
    (CO2 0.1 + CH4 0.0596), truck 0.0001. Every tiny factor is rated 1 and is cited secondary data
    (reliability 2); the resin factor is made an estimate here (reliability 4)."""
    f = lca.factors.read_factor_file(TINY / "factors.csv").with_columns(
        pl.when(pl.col("id") == "tiny.resin").then(pl.lit("true")).otherwise(pl.col("estimate")).alias("estimate"))
    fp = lca.compute(_study(_rated_tiny(tiny_doc)), factors=[f])
    q = {r["indicator"]: r for r in fp.quality.filter(pl.col("scenario") == "one-site").iter_rows(named=True)}
    total = 1.1997
    tech = (1.0 * 2 + 0.04 * 4 + 0.1596 * 5 + 0.0001 * 3) / total      # max(activity, factor 1) = activity
    assert q["technological"]["result"] == pytest.approx(tech, rel=1e-9)
    assert q["technological"]["activity"] == pytest.approx(tech, rel=1e-9)
    assert q["technological"]["factor"] == pytest.approx(1.0)
    assert q["technological"]["unrated_share"] == pytest.approx(0.1596 / total, rel=1e-9)
    # reliability: power max(1, 2) = 2; resin max(3, estimate 4) = 4; gas max(5, 2) = 5; truck max(2, 2) = 2
    rel = (1.0 * 2 + 0.04 * 4 + 0.1596 * 5 + 0.0001 * 2) / total
    assert q["reliability"]["result"] == pytest.approx(rel, rel=1e-9)
    assert q["reliability"]["activity"] == pytest.approx((1.0 * 1 + 0.04 * 3 + 0.1596 * 5 + 0.0001 * 2) / total,
                                                         rel=1e-9)
    assert q["reliability"]["factor"] == pytest.approx((1.0 * 2 + 0.04 * 4 + 0.1596 * 2 + 0.0001 * 2) / total,
                                                       rel=1e-9)
    # completeness: no factor rates it, nothing written -> every contribution counts as 5
    assert q["completeness"]["result"] == pytest.approx(5.0) and q["completeness"]["factor"] is None


def test_activity_quality_rows_and_shares(tiny_doc):
    fp = lca.compute(_study(_rated_tiny(tiny_doc)))
    a = fp.activity_quality
    one = a.filter(pl.col("scenario") == "one-site")
    assert one.get_column("origin").to_list() == ["process 'film' exchange #1", "process 'film' exchange #2",
                                                  "process 'film' exchange #3",
                                                  "scenario 'one-site' transport #1 leg #1"]
    assert one.get_column("kind").to_list() == ["exchange"] * 3 + ["leg"]
    assert one.get_column("value").to_list() == pytest.approx([1.0, 0.04, 0.1596, 0.0001])
    assert one.get_column("share").sum() == pytest.approx(1.0)
    assert one.get_column("amount").to_list() == pytest.approx([2.0, 20.0, 2.0, 0.001])  # per m² good output
    assert one.get_column("unit").to_list() == ["kWh", "g", "MJ", "tkm"]
    assert one.get_column("dqr_technological").to_list() == [2, 4, None, 3]
    # the mix holds both components' activities; the film exchanges they share are one row each
    mix = a.filter(pl.col("scenario") == "mix")
    assert mix.filter(pl.col("origin") == "process 'film' exchange #1").get_column("amount").to_list() == \
        pytest.approx([0.5 * 2.0 + 0.5 * 2.0 / 0.8])
    assert mix.get_column("value").sum() == pytest.approx(fp.total("mix").value)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries({k: st.integers(1, 5) for k in ALL5}), min_size=4, max_size=4),
       st.lists(st.booleans(), min_size=4, max_size=4), st.text(min_size=1, max_size=20).filter(str.strip))
def test_provenance_never_changes_the_numbers(tiny_doc, ratings, primaries, source):
    """Sources, ratings and primary flags are data about the amounts: every contribution stays the same,
    and every result rating stays within 1–5."""
    plain = lca.compute(_study(tiny_doc))
    doc = copy.deepcopy(tiny_doc)
    entries = doc["process"][0]["exchanges"] + doc["process"][1]["exchanges"][1:]
    for e, r, p in zip(entries, ratings, primaries):
        e.update(dqr=r, primary=p, source=source)
    fp = lca.compute(_study(doc))
    assert fp.detail.get_column("value").to_list() == plain.detail.get_column("value").to_list()
    q = fp.quality.get_column("result")
    assert q.min() >= 1 - 1e-12 and q.max() <= 5 + 1e-12  # weighted means (rounding only)


def test_study_without_provenance_keeps_its_hash_and_a_source_changes_it(tiny_doc):
    from lca.results.content import study_hash

    plain = _study(tiny_doc)
    doc = copy.deepcopy(tiny_doc)
    doc["process"][0]["exchanges"][0]["source"] = "meter"
    assert study_hash(_study(doc)) != study_hash(plain)
    blank = replace(plain, exchanges=plain.exchanges.drop("source", "dqr_technological", "dqr_geographical",
                                                          "dqr_temporal", "dqr_completeness", "dqr_reliability"))
    assert study_hash(blank) == study_hash(plain)


# ------------------------------------------------------------------------------ the report

def _activity_table(html: str) -> str:
    start = html.index('<table class="data compact long" id="activity-data">')
    return html[start:html.index("</table>", start)]


def test_report_lists_every_exchange_and_leg_of_the_default_study(default_fp):
    from lca.report import render_html

    html = render_html(default_fp, timestamp="2026-01-01T00:00:00Z")
    table = _activity_table(html)
    s = default_fp.study
    # one row per exchange (intermediate inputs and waste too: 14 + 6), per transport leg of each scenario
    # (14), per packaging entry of a shipped output (3) and per inbound leg entry that brings a material
    # to a plant (#13 item 1: 26 of the regions' defaults)
    charged = default_fp.activity_quality.get_column("origin").str.split(" for ").list.first()
    n_inbound = s.inbound.filter(pl.col("origin").is_in(charged.implode())).get_column("origin").n_unique()
    assert (s.exchanges.height, s.transport.height, s.shipping_packaging.height, n_inbound) == (20, 14, 3, 26)
    assert table.count("<tr><th scope=\"row\">") == 20 + 14 + 3 + 26
    assert "<caption>Activity data" in table and table.count('<th scope="col"') == 11
    assert 'jp-import: Moriyama → Liberty, leg 2 (container ship)</th><td class="num">17' in table
    # 0 % primary activity data: the title block calls it a screening estimate
    cover = html[:html.index("</header>")]
    assert "screening estimate" in cover and "<strong>Screening estimate</strong>" in cover


def test_report_with_primary_data_is_not_a_screening_estimate(tiny_doc):
    from lca.report import render_html

    doc = copy.deepcopy(tiny_doc)
    doc["process"][0]["exchanges"][0].update(primary=True, source="meter 2025", dqr=ALL5)
    fp = lca.compute(_study(doc))
    html = render_html(fp, timestamp="2026-01-01T00:00:00Z")
    assert "creening estimate" not in html[:html.index("</header>")]
    table = _activity_table(html)
    assert ('tiny power</th><td class="num">1</td><td>kWh</td><td class="src">meter 2025</td>'
            '<td class="num">2</td><td class="num">3</td><td class="num">1</td><td class="num">4</td>'
            '<td class="num">5</td><td>yes</td>') in table
    plain = render_html(lca.compute(_study(tiny_doc)), timestamp="2026-01-01T00:00:00Z")
    assert "<strong>Screening estimate</strong>" in plain[:plain.index("</header>")]


def test_every_activity_amount_of_the_default_study_has_a_source_and_ratings(default_study, default_fp):
    """#13 acceptance: the study file's reasoning is in the fields, not (only) in comments."""
    s = default_study
    for frame in (s.exchanges, s.routes, s.transport, s.shipping_packaging, s.inbound):
        missing = frame.select(pl.col("source", *[f"dqr_{k}" for k in ALL5]).null_count()).sum_horizontal()[0]
        assert frame.height and missing == 0
        assert not frame.get_column("primary").any()  # engineering estimates, not measured data
    # every contribution of every scenario is rated: nothing counts as 5 for want of a rating
    assert default_fp.quality.get_column("unrated_share").max() == 0


# ------------------------------------------------------------------------------ value choices and interpretation

def test_interpretation_is_computed_from_the_result(tiny_doc):
    """Tiny study by hand: the largest activity is the film's power, 1.0 of 1.1997 kg CO2e/m² in one-site
    (83.4 %; two-step 1.25 / 1.62474 = 76.9 %, the mix 1.125 / 1.41222 = 79.7 %)."""
    from lca.report.interpretation import interpretation

    fp = lca.compute(_study(tiny_doc))
    labels = dict(fp.study.scenarios.select("id", "label").iter_rows())
    it = interpretation(fp, labels)
    choices = {r["choice"]: r["value"] for r in it["choices"]}
    assert choices["Production scrap"].replace(fmt_thin(), " ") == \
        "charged to the good product (film yield 50 %, coat yield 80 %), with no credit"
    assert choices["Allocation"] == "none needed: every process has one product"
    assert choices["Impact category and characterisation"] == "climate change only, GWP100 of IPCC AR6"
    top = it["sensitivity"][0].replace(fmt_thin(), " ")
    assert top.startswith("The largest activities are film tiny power (up to 83.4 %)") and "by up to 8.3 %" in top
    assert it["sensitivity"][1].startswith("No Monte Carlo analysis was run")
    # a Monte Carlo result's ranking is named (any object with a sensitivity frame)
    class Unc:
        sensitivity = pl.DataFrame({"target": ["one-site", "one-site"], "input": ["factor.tiny.power.north", "x"],
                                    "spearman_r2": [0.8, 0.1]})
    ranked = interpretation(fp, labels, Unc())["sensitivity"][1]
    assert "factor.tiny.power.north (Spearman r² 0.80 for Film only, at the mill)" in ranked
    # another method changes the value choices: the text follows the data
    ar5 = interpretation(lca.compute(_study(tiny_doc).with_method(gwp="AR5")), labels)
    assert {r["choice"]: r["value"] for r in ar5["choices"]}["Impact category and characterisation"].endswith("AR5")


def fmt_thin() -> str:
    from lca.report.fmt import THIN

    return THIN
