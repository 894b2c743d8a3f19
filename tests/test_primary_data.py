"""Primary data share (issue #10, item 10): defined in data, contribution-weighted, every other source cited.

Primary = the reporting company's own measured data: an exchange or transport leg flagged
``primary = true`` whose emission factor is flagged ``primary`` too. Estimates and every factor not
so flagged — shipped or from a user layer — are secondary, and their sources are listed in
``secondaryEmissionFactorSources``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca
from lca.errors import LcaInputError
from lca.study import study_from_dict

TINY = Path(__file__).resolve().parent / "data" / "tiny"
CREATED = "2026-01-01T00:00:00Z"
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
COMPANY = {"company_name": "Tiny Co.", "company_ids": ["urn:x:company"], "product_ids": ["urn:x:product"],
           "product_category_cpc": "36390"}
ONE, TWO, MIX = 1.1997, 1.62474, 1.41222  # hand-computed totals (tests/test_tiny_study.py)


def _doc(tiny_doc):
    doc = copy.deepcopy(tiny_doc)
    doc["study"].update(COMPANY)
    return doc


def _factors(**changes) -> pl.DataFrame:
    """The tiny factor file as a user layer; each factor gets its own source name ("Src <id>")."""
    f = lca.factors.read_factor_file(TINY / "factors.csv")
    f = f.with_columns(pl.format("Src {}", pl.col("id")).alias("source"),
                       # one edition per year all the same (the gas rows of tiny_gas are one publication)
                       pl.format("tiny test data {}", pl.col("year")).alias("dataset"))
    for col, expr in changes.items():
        f = f.with_columns(expr.alias(col))
    return f


def _pcf(fp, version="v3"):
    return {d["productDescription"].split("Scenario: ")[1]: d["pcf"]
            for d in lca.export_pact(fp, version, created=CREATED)}


def test_user_factors_and_estimates_are_not_primary_data(tiny_doc):
    """Was: any factor from a user layer counted as primary (the tiny study exported 100 %), estimates
    included, and their sources were left out of secondaryEmissionFactorSources."""
    fp = lca.compute(study_from_dict(_doc(tiny_doc), base=TINY, file="t"),
                     factors=[_factors(estimate=pl.lit("true"))])
    pcfs = _pcf(fp)
    used = sorted(fp.detail.get_column("factor_id").unique().to_list())
    for label, pcf in pcfs.items():
        assert pcf["primaryDataShare"] == "0"
        names = {s["name"] for s in pcf["secondaryEmissionFactorSources"]}
        sid = fp.study.scenarios.filter(pl.col("label") == label).get_column("id")[0]
        want = {f"Src {f}" for f in fp.detail.filter(pl.col("scenario") == sid).get_column("factor_id").unique()}
        assert names == want and want <= {f"Src {f}" for f in used}
    assert _pcf(fp, "v2")["Half and half"]["primaryDataShare"] == 0.0


def test_primary_share_by_hand(tiny_doc):
    """Film power measured (primary) with a measured grid factor for the mill; everything else secondary.

    one-site: power 1.0 of 1.1997; two-step: film power 1.25 × 1.0 = 1.25 of 1.62474 (coat power at
    the second mill is not flagged); mix: (0.5 × 1.0 + 0.5 × 1.25) / 1.41222.
    """
    doc = _doc(tiny_doc)
    doc["process"][0]["exchanges"][0]["primary"] = True  # film: 1 kWh tiny_power
    fp = lca.compute(study_from_dict(doc, base=TINY, file="t"),
                     factors=[_factors(primary=pl.col("id").is_in(["tiny.power.north", "tiny.power.south"])
                                       .cast(pl.String))])
    pcfs = _pcf(fp)
    want = {"Film only, at the mill": 1.0 / ONE, "Film at the mill, coated at the second mill": 1.25 / TWO,
            "Half and half": 1.125 / MIX}
    for label, share in want.items():
        assert float(pcfs[label]["primaryDataShare"]) == pytest.approx(100 * share, abs=0.005)
        assert "Src tiny.power.north" not in {s["name"] for s in pcfs[label]["secondaryEmissionFactorSources"]}
    two = {s["name"] for s in pcfs["Film at the mill, coated at the second mill"]["secondaryEmissionFactorSources"]}
    assert "Src tiny.power.south" in two  # primary factor, but the coat's power amount is not measured
    v2 = _pcf(fp, "v2")
    assert v2["Film only, at the mill"]["primaryDataShare"] == pytest.approx(100 / ONE, abs=0.005)
    # the report states the same figure (one rule for both)
    from lca.report import fmt, provenance

    labels = dict(fp.study.scenarios.select("id", "label").iter_rows())
    kinds = dict(fp.study.scenarios.select("id", "kind").iter_rows())
    q = {r["label"]: r["primary"] for r in provenance.quality(fp, labels, kinds)["scenarios"]}
    assert q["Film only, at the mill"] == fmt.pct(1.0 / ONE)
    assert q["Film at the mill, coated at the second mill"] == fmt.pct(1.25 / TWO)


def test_both_activity_and_factor_must_be_primary(tiny_doc):
    doc = _doc(tiny_doc)
    doc["process"][0]["exchanges"][0]["primary"] = True
    only_activity = lca.compute(study_from_dict(doc, base=TINY, file="t"), factors=[_factors()])
    only_factor = lca.compute(study_from_dict(_doc(tiny_doc), base=TINY, file="t"),
                              factors=[_factors(primary=pl.lit("true"))])
    for fp in (only_activity, only_factor):
        assert {p["primaryDataShare"] for p in _pcf(fp).values()} == {"0"}


def test_grid_losses_from_a_secondary_factor_are_cited_and_not_primary(tiny_doc):
    doc = _doc(tiny_doc)
    doc["process"][0]["exchanges"][0]["primary"] = True
    doc["method"]["electricity_basis"] = "combustion-consumption-CO2e"  # T&D losses included (#13)
    loss = _factors().head(1).with_columns(
        pl.lit("tiny.loss").alias("id"), pl.lit("grid_loss").alias("flow"), pl.lit("grid_loss").alias("category"),
        pl.lit("ZZ").alias("region"), pl.lit("0.1").alias("value"), pl.lit("dimensionless").alias("unit"),
        pl.lit("none").alias("gas"), pl.lit("n/a").alias("scope"), pl.lit("n/a").alias("td_losses"),
        pl.lit("Src loss").alias("source"))
    fp = lca.compute(study_from_dict(doc, base=TINY, file="t"),
                     factors=[_factors(primary=pl.lit("true")), loss])
    one = _pcf(fp)["Film only, at the mill"]
    assert one["primaryDataShare"] == "0"  # the measured 1 kWh was grossed up by a secondary loss fraction
    assert "Src loss" in {s["name"] for s in one["secondaryEmissionFactorSources"]}


def test_primary_flag_in_tables_legs_and_frames(tmp_path, tiny_doc):
    """The flag is read from an exchange table column, a route table column and inline legs alike."""
    doc = _doc(tiny_doc)
    doc["process"][0].pop("exchanges")
    doc["tables"] = {"exchanges": "ex.csv", "routes": "routes.csv"}
    (tmp_path / "ex.csv").write_text("process,flow,input,amount,unit,primary\nfilm,tiny_power,,1,kWh,true\n"
                                     "film,tiny_resin,,10,g,\nfilm,tiny_gas,,1,MJ,false\n", encoding="utf-8")
    (tmp_path / "routes.csv").write_text("from,to,leg,mode,distance,unit,primary\nmill,plant,1,tinytruck,100,km,yes\n",
                                         encoding="utf-8")
    (tmp_path / "factors.csv").write_text((TINY / "factors.csv").read_text(encoding="utf-8"), encoding="utf-8")
    doc["scenario"][0]["transport"][0].pop("legs")
    doc["scenario"][1]["transport"][0]["legs"][0]["primary"] = True
    s = study_from_dict(doc, base=tmp_path, file="t")
    table = s.exchanges.filter(pl.col("origin").str.starts_with("ex.csv")).sort("row")
    assert table.get_column("primary").to_list() == [True, False, False]
    assert s.transport.sort("scenario").get_column("primary").to_list() == [True, True]
    inv = lca.disclosure.inventory_frame(lca.compute(s))
    assert inv.filter(pl.col("flow") == "freight_tinytruck").get_column("primary").all()
    fp = lca.compute(s, factors=[_factors(primary=pl.col("id").is_in(["tiny.power.north", "tiny.truck"])
                                          .cast(pl.String))])
    # one-site: power 1.0 + truck 0.0001 are primary
    assert float(_pcf(fp)["Film only, at the mill"]["primaryDataShare"]) == pytest.approx(100 * 1.0001 / ONE,
                                                                                          abs=0.005)


@pytest.mark.parametrize("where", ["exchange", "leg"])
def test_primary_must_be_a_boolean(tiny_doc, where):
    doc = _doc(tiny_doc)
    if where == "exchange":
        doc["process"][0]["exchanges"][1]["primary"] = "yes"
        want = ("process 'film' exchange #2", "primary")
    else:
        doc["scenario"][0]["transport"][0]["legs"][0]["primary"] = 1
        want = ("scenario 'one-site' transport #1 leg #1", "primary")
    with pytest.raises(LcaInputError) as err:
        study_from_dict(doc, base=TINY, file="s.toml")
    assert [(p.file, p.table, p.column) for p in err.value.problems] == [("s.toml", *want)]


def test_an_estimate_cannot_be_primary():
    with pytest.raises(LcaInputError, match="both an estimate and primary"):
        lca.load_library(_factors(estimate=pl.lit("true"), primary=pl.lit("true")))


@SETTINGS
@given(flags=st.lists(st.booleans(), min_size=5, max_size=5),
       factor_flags=st.lists(st.sampled_from(["primary", "secondary", "estimate"]), min_size=8, max_size=8))
def test_primary_share_plus_cited_sources_cover_the_whole_footprint(tiny_doc, flags, factor_flags):
    """Invariant: the primary share is exactly the primary contributions; every other contribution's
    factor source is listed; with nothing flagged the share is 0."""
    doc = _doc(tiny_doc)
    spots = [doc["process"][0]["exchanges"][0], doc["process"][0]["exchanges"][1],
             doc["process"][0]["exchanges"][2], doc["process"][1]["exchanges"][1],
             doc["scenario"][0]["transport"][0]["legs"][0]]
    for spot, flag in zip(spots, flags):
        spot["primary"] = flag
    ids = lca.factors.read_factor_file(TINY / "factors.csv").get_column("id").to_list()
    kind = dict(zip(ids, factor_flags))
    layer = _factors(primary=pl.col("id").replace_strict(kind).eq("primary").cast(pl.String),
                     estimate=pl.col("id").replace_strict(kind).eq("estimate").cast(pl.String))
    fp = lca.compute(study_from_dict(doc, base=TINY, file="t"), factors=[layer])
    d = fp.detail.with_columns(pl.col("factor_id").replace_strict(kind).alias("kind"))
    pcfs = {d_["productDescription"].split("Scenario: ")[1]: d_["pcf"]
            for d_ in lca.export_pact(fp, "v3", created=CREATED)}
    for sid, label in fp.study.scenarios.select("id", "label").iter_rows():
        rows = d.filter(pl.col("scenario") == sid)
        prim = rows.filter(pl.col("primary") & (pl.col("kind") == "primary"))
        want = 100 * prim.get_column("value").sum() / rows.get_column("value").sum()
        pcf = pcfs[label]
        assert float(pcf["primaryDataShare"]) == pytest.approx(want, abs=0.005)
        cited = {s["name"] for s in pcf.get("secondaryEmissionFactorSources", [])}
        rest = rows.join(prim.select("act", "factor_id"), on=["act", "factor_id"], how="anti")
        assert {f"Src {f}" for f in rest.filter(pl.col("value") != 0).get_column("factor_id")} == cited
        if not any(flags) or "primary" not in factor_flags:
            assert pcf["primaryDataShare"] == "0"
