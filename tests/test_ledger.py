"""Ledger: per-lot footprint = study intensity × quantity in declared units; bad rows; plant data."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from lca.results import compute
from lca.errors import LcaInputError
from ledger_default import compute_ledger
from lca.ledger import LEDGER_SCHEMA, REJECT_SCHEMA
from lca.resources import default_study_path
from lca.study import load_study

FT2 = 0.09290304  # m² per ft², exact by definition


@pytest.fixture(scope="module")
def totals():
    """Study-level intensities (kg CO2e/m²) per destination plant, from the engine core."""
    out = {}
    for plant in ("liberty", "holland"):
        fp = compute(load_study(default_study_path(), cell_plant=plant))
        out[plant] = {s: fp.total(s).value for s in fp.scenarios}
    return out


def lots(**cols) -> pl.DataFrame:
    n = len(cols["quantity"])
    base = {"lot_id": [f"L{i}" for i in range(n)], "date": [date(2025, 3, 15)] * n, "product": ["sep"] * n,
            "unit": ["m^2"] * n, "scenario": ["jp-import"] * n, "origin_plant": ["moriyama"] * n,
            "destination_plant": ["liberty"] * n}
    base.update(cols)
    return pl.DataFrame(base, schema_overrides={"quantity": pl.Float64})


def test_lot_equals_intensity_times_quantity_with_unit_variants(totals):
    df = lots(quantity=[1000.0, 1000.0 / FT2, 3.0, 2.0, 5.0],
              unit=["m^2", "ft^2", "roll", "1200 m^2", "m2"],
              scenario=["jp-import", "ontario", "cn-import", "supply-mix-2028", "kr-import"],
              destination_plant=["liberty", "holland", "liberty", "holland", "liberty"])
    r = compute_ledger(df, m2_per_roll="1200")
    got = r.lots.sort("lot_id")
    assert r.n_in == 5 and r.n_out == 5 and r.n_rejected == 0
    m2 = [1000.0, 1000.0, 3600.0, 2400.0, 5.0]
    want = [totals[d][s] for s, d in zip(df["scenario"], df["destination_plant"])]
    assert got["declared_quantity"].to_list() == pytest.approx(m2, rel=1e-12)
    assert got["intensity"].to_list() == want  # the study's own number, not a re-computation
    assert got["footprint"].to_list() == pytest.approx([a * b for a, b in zip(m2, want)], rel=1e-12)
    assert got.columns == list(LEDGER_SCHEMA)
    assert set(got["intensity_unit"]) == {"kg_CO2e/m^2"} and set(got["footprint_unit"]) == {"kg_CO2e"}
    assert set(got["study_id"]) == {"separator-na"} and not any(got["plant_data"])
    assert got["period"].to_list() == ["2025-03"] * 5


def test_destination_changes_the_last_leg_only(totals):
    r = compute_ledger(lots(quantity=[1.0, 1.0], destination_plant=["liberty", "holland"]))
    a, b = r.lots.sort("destination_plant")["intensity"].to_list()
    assert a != b and (a, b) == (totals["holland"]["jp-import"], totals["liberty"]["jp-import"])


def test_bad_rows_fail_with_lot_ids():
    df = lots(quantity=[1.0, -2.0, 3.0, float("nan"), 5.0, 6.0, 7.0],
              scenario=["jp-import", "jp-import", "nowhere", "jp-import", "jp-import", "jp-import", "jp-import"],
              unit=["m^2", "m^2", "m^2", "m^2", "kg", "blorp", "m^2"],
              lot_id=["A", "B", "C", "D", "E", "F", None])
    with pytest.raises(LcaInputError) as e:
        compute_ledger(df)
    text = str(e.value)
    for lot, why in (("'B'", "negative quantity"), ("'C'", "unknown scenario 'nowhere'"),
                     ("'D'", "not finite"), ("'E'", "mass"), ("'F'", "unknown unit")):
        assert f"lot {lot}: " in text and why in text
    assert "row 7: missing lot id" in text and "6 bad lots" in text


def test_skip_mode_reconciles_and_writes_rejects(tmp_path):
    df = lots(quantity=[1.0, -2.0, 3.0, 4.0], unit=["m^2", "m^2", "roll", "m^2"],
              destination_plant=["liberty", "liberty", "liberty", "charlotte"])
    out = tmp_path / "ledger.parquet"
    r = compute_ledger(df, out=out, on_error="skip", rejects=tmp_path / "bad.parquet")
    assert (r.n_in, r.n_out, r.n_rejected) == (4, 1, 3)
    rej = pl.read_parquet(tmp_path / "bad.parquet").sort("row")
    assert rej.columns == list(REJECT_SCHEMA)
    assert rej["lot_id"].to_list() == ["L1", "L2", "L3"]
    assert "negative" in rej["reason"][0] and "--m2-per-roll" in rej["reason"][1]
    assert "cannot deliver to 'charlotte'" in rej["reason"][2]
    assert pl.read_parquet(out)["lot_id"].to_list() == ["L0"]


def test_fail_mode_writes_nothing(tmp_path):
    out = tmp_path / "ledger.parquet"
    with pytest.raises(LcaInputError):
        compute_ledger(lots(quantity=[1.0, -1.0]), out=out)
    assert list(tmp_path.iterdir()) == []


def test_csv_text_cells_become_bad_rows(tmp_path):
    p = tmp_path / "lots.csv"
    p.write_text("lot_id,date,quantity,unit,route,destination_plant\n"
                 "A,2025-01-02,10,m2,ontario,liberty\nB,2025-13-40,10,m2,ontario,liberty\n"
                 "C,2025-01-03,ten,m2,ontario,liberty\n", encoding="utf-8")
    r = compute_ledger(p, out=tmp_path / "o.parquet", on_error="skip")
    assert (r.n_in, r.n_out, r.n_rejected) == (3, 1, 2)
    rej = pl.read_parquet(r.rejects_path).sort("row")
    assert rej["reason"].to_list() == ["missing or invalid date", "missing or invalid quantity"]
    assert rej["row"].to_list() == [2, 3]


def test_missing_column_is_a_clear_error(tmp_path):
    with pytest.raises(LcaInputError, match="missing required column 'quantity'"):
        compute_ledger(pl.DataFrame({"lot_id": ["A"], "date": [date(2025, 1, 1)], "unit": ["m^2"],
                                     "scenario": ["ontario"], "destination_plant": ["liberty"]}))


def test_plant_data_overrides_electricity_for_its_month(totals):
    fp = compute(load_study(default_study_path()))
    d = fp.detail.filter((pl.col("scenario") == "ontario") & (pl.col("site") == "port_colborne")
                         & (pl.col("flow") == "electricity"))
    # kg CO2e per kWh of one activity: all its rows (#13: combustion + upstream adder, both grossed up)
    per_act = d.group_by("act").agg(pl.col("value").sum() / (pl.col("amount").first() * pl.col("a_to_base").first()
                                                             / 3.6e6))
    ef = per_act.get_column("value")[0]
    old = d["value"].sum()
    plant = pl.DataFrame({"plant": ["port_colborne"], "period": ["2025-03"], "carrier": ["electricity"],
                          "energy": [150.0], "energy_unit": ["MWh"], "output": [1.0e6], "output_unit": ["m^2"]})
    df = lots(quantity=[100.0, 100.0, 100.0], scenario=["ontario", "ontario", "jp-import"],
              date=[date(2025, 3, 1), date(2025, 4, 1), date(2025, 3, 1)])
    r = compute_ledger(df, plant_data=plant).lots.sort("lot_id")
    base = totals["liberty"]["ontario"]
    expect = base - old + 0.15 * ef  # 150 MWh / 1e6 m² = 0.15 kWh per m²
    assert r["intensity"].to_list() == pytest.approx([expect, base, totals["liberty"]["jp-import"]], rel=1e-12)
    assert r["plant_data"].to_list() == [True, False, False]


def test_plant_data_errors_name_rows(tmp_path):
    p = tmp_path / "plant.csv"
    p.write_text("plant,period,carrier,energy,energy_unit,output,output_unit\n"
                 "mars,2025-03,electricity,1,kWh,1,m^2\nport_colborne,2025-03,natural_gas,1,kg,1,m^2\n")
    with pytest.raises(LcaInputError) as e:
        compute_ledger(lots(quantity=[1.0]), plant_data=p)
    assert "row 1, column 'plant'" in str(e.value) and "row 2, column 'energy_unit'" in str(e.value)


def test_streamed_equals_in_memory_and_partitions(tmp_path):
    import sys
    sys.path.insert(0, "bench")
    from gen_ledger import make_lots

    df = make_lots(5000, seed=3)
    mem = compute_ledger(df).lots
    compute_ledger(df, out=tmp_path / "p", partition_by="period")
    back = pl.read_parquet(tmp_path / "p" / "**" / "*.parquet", hive_partitioning=False)
    cols = list(LEDGER_SCHEMA)
    assert_frame_equal(back.select(cols).sort("lot_id"), mem.sort("lot_id"))
    assert sorted(p.name for p in (tmp_path / "p").iterdir())[0] == "period=2025-01"


def test_output_is_deterministic(tmp_path):
    df = lots(quantity=[1.0, 2.0, 3.0])
    compute_ledger(df, out=tmp_path / "a.parquet")
    compute_ledger(df, out=tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e7, allow_nan=False), st.sampled_from(["m^2", "ft^2", "km^2", "cm2"]),
                          st.sampled_from(["jp-import", "ontario", "cn-import"])), min_size=1, max_size=30))
def test_property_sum_is_linear_and_order_free(rows):
    q, u, s = map(list, zip(*rows))
    df = lots(quantity=q, unit=u, scenario=s, lot_id=[f"L{i}" for i in range(len(q))],
              date=[date(2025, 1, 1)] * len(q), origin_plant=["x"] * len(q), product=["p"] * len(q),
              destination_plant=["liberty"] * len(q))
    a = compute_ledger(df).lots
    b = compute_ledger(df.reverse()).lots
    assert_frame_equal(a.sort("lot_id"), b.sort("lot_id"))
    doubled = compute_ledger(df.with_columns(pl.col("quantity") * 2)).lots
    assert doubled["footprint"].sum() == pytest.approx(2 * a["footprint"].sum(), rel=1e-9, abs=1e-9)


def test_enum_columns_price_like_strings():
    df = lots(quantity=[1.0, 2.0, 3.0, 4.0], scenario=["ontario", "nowhere", "jp-import", "ontario"],
              unit=["ft^2", "m^2", "kg", "m^2"], destination_plant=["holland", "liberty", "liberty", "mars"])
    enum = df.with_columns(pl.col("scenario").cast(pl.Enum(["zz", "nowhere", "ontario", "jp-import"])),
                           pl.col("unit").cast(pl.Enum(["kg", "m^2", "ft^2"])),
                           pl.col("destination_plant").cast(pl.Enum(["mars", "liberty", "holland"])))
    a, b = compute_ledger(df, on_error="skip"), compute_ledger(enum, on_error="skip")
    assert_frame_equal(a.lots, b.lots)
    assert_frame_equal(a.rejects, b.rejects)
    assert a.rejects["reason"].to_list()[:2] == ["unknown scenario 'nowhere'",
                                                 "unit 'kg' is mass, not area like the declared unit 'm^2'"]
    assert "'mars' is not a site" in a.rejects["reason"][2]


def test_text_columns_are_enum_and_lineage_is_in_the_footer(tmp_path):
    import pyarrow.parquet as pq

    from lca.ledger.engine import ENUM_COLUMNS, as_exchange

    df = lots(quantity=[1.0, 2.0, 3.0], scenario=["ontario", "jp-import", "ontario"],
              destination_plant=["holland", "liberty", "liberty"])
    r = compute_ledger(df, out=tmp_path / "o.parquet")
    back = pl.read_parquet(tmp_path / "o.parquet")
    assert back["lot_id"].to_list() == ["L0", "L1", "L2"]  # input order kept
    assert all(isinstance(back[c].dtype, pl.Enum) for c in ENUM_COLUMNS)
    assert back["scenario"].dtype == pl.Enum(["jp-import", "ontario"])  # categories: values seen, sorted
    assert back["study_id"].dtype == pl.Enum(["separator-na"])  # lineage: one category, 1 byte a row
    assert as_exchange(back).schema == pl.Schema(LEDGER_SCHEMA)
    meta = pq.read_metadata(tmp_path / "o.parquet").metadata
    assert meta[b"lca.study_id"] == b"separator-na" and meta[b"lca.intensity_unit"] == b"kg_CO2e/m^2"
    assert meta[b"lca.factor_library_hash"].decode() == back["factor_library_hash"][0]
    arrow = pq.read_table(tmp_path / "o.parquet")  # other readers see plain (dictionary) text
    assert arrow.column("scenario").to_pylist() == ["ontario", "jp-import", "ontario"]
    assert r.summary["scenario"]["scenario"].to_list() == ["jp-import", "ontario"]
    assert r.summary["scenario"]["lots"].to_list() == [1, 2]


def test_null_text_cells_are_bad_rows_with_reasons():
    df = lots(quantity=[1.0, 2.0, 3.0, 4.0], scenario=["ontario", None, "ontario", "ontario"],
              destination_plant=["liberty", "liberty", None, "liberty"], unit=["m^2", "m^2", "m^2", None],
              product=[None] * 4)
    r = compute_ledger(df, on_error="skip")
    assert (r.n_in, r.n_out, r.n_rejected) == (4, 1, 3)
    assert r.rejects.sort("row")["reason"].to_list() == ["missing scenario", "missing destination plant",
                                                         "missing unit"]
    assert r.lots["product"].to_list() == [None]


def test_duplicate_lot_ids_are_bad_rows_every_occurrence(tmp_path):
    df = lots(quantity=[1.0, 2.0, 3.0, 4.0, -5.0, 6.0], lot_id=["A", "B", "A", "C", "B", "A"])
    mem = compute_ledger(df, on_error="skip")
    assert (mem.n_in, mem.n_out, mem.n_rejected) == (6, 1, 5)
    assert mem.lots["lot_id"].to_list() == ["C"]
    rej = mem.rejects.sort("row")
    assert rej["row"].to_list() == [1, 2, 3, 5, 6]
    # the duplicate rule comes before the others: an auditor sees every row that claims the id
    assert rej["reason"].to_list() == ["duplicate lot id"] * 5
    out = tmp_path / "o.parquet"
    r = compute_ledger(df, out=out, on_error="skip")  # streamed: same split, reconciled
    assert (r.n_in, r.n_out, r.n_rejected) == (6, 1, 5)
    assert pl.read_parquet(out)["lot_id"].to_list() == ["C"]
    assert_frame_equal(pl.read_parquet(r.rejects_path).sort("row"), rej)


def test_duplicate_lot_ids_fail_listing_them(tmp_path):
    df = lots(quantity=[1.0, 2.0, 3.0], lot_id=["A", "B", "A"])
    with pytest.raises(LcaInputError) as e:
        compute_ledger(df, out=tmp_path / "o.parquet")
    text = str(e.value)
    assert "row 1: lot 'A': duplicate lot id" in text and "row 3: lot 'A': duplicate lot id" in text
    assert "'B'" not in text and "2 bad lots" in text
    assert list(tmp_path.iterdir()) == []


def test_duplicates_across_parquet_files_and_hash_candidates(tmp_path):
    from lca.ledger.duplicates import duplicate_lot_ids

    (tmp_path / "in").mkdir()
    lots(quantity=[1.0, 2.0], lot_id=["A", "B"]).write_parquet(tmp_path / "in" / "a.parquet")
    lots(quantity=[3.0, 4.0], lot_id=["C", "A"]).write_parquet(tmp_path / "in" / "b.parquet")
    r = compute_ledger(tmp_path / "in", out=tmp_path / "o.parquet", on_error="skip")
    assert (r.n_in, r.n_out, r.n_rejected) == (4, 2, 2)
    assert set(pl.read_parquet(r.rejects_path)["lot_id"]) == {"A"}
    # many ids, few repeats (and nulls, which are not ids): exact, whatever the hashes do
    ids = [f"L{i}" for i in range(50_000)] + ["L7", "L49999", "L7", None, None]
    assert duplicate_lot_ids(pl.LazyFrame({"lot_id": ids})) == ["L49999", "L7"]


@pytest.mark.parametrize("streamed", [False, True])
def test_full_stream_invariant_catches_what_the_pandera_sample_misses(tmp_path, monkeypatch, streamed):
    import lca.ledger.api as api
    from lca.errors import OutputError

    real = api.good_lots

    def corrupt(priced, plan):  # a bug that spares the first row, which is all pandera samples here
        g = real(priced, plan)
        return g.with_columns(pl.when(pl.col("lot_id") == "L2").then(pl.col("footprint") * 1.5)
                              .otherwise(pl.col("footprint")).alias("footprint"))

    monkeypatch.setattr(api.io, "VALIDATE_ROWS", 1)
    df = lots(quantity=[1.0, 2.0, 3.0])
    assert compute_ledger(df).n_out == 3  # uncorrupted: passes
    monkeypatch.setattr(api, "good_lots", corrupt)
    with pytest.raises(OutputError, match="max [|]footprint - declared_quantity × intensity[|] = "):
        compute_ledger(df, out=tmp_path / "o.parquet" if streamed else None)
    assert list(tmp_path.iterdir()) == []


def test_invariant_counts_non_finite_and_negative():
    from lca.errors import OutputError
    from lca.ledger.api import _check_invariants

    ok = pl.DataFrame({"max_residual": [0.0, None], "non_finite": [0, 0], "negative": [0, 0]})
    _check_invariants(ok)
    with pytest.raises(OutputError, match="0 kg_CO2e, 2 non-finite and 1 negative lots"):
        _check_invariants(ok.with_columns(non_finite=pl.Series([1, 1]), negative=pl.Series([0, 1])))


def _kwh_and_old(fp, scenario, site):
    """Study contribution (kg CO2e/m²) of electricity at ``site`` in ``scenario`` and its kWh per m²."""
    d = fp.detail.filter((pl.col("scenario") == scenario) & (pl.col("site") == site)
                         & (pl.col("flow") == "electricity"))
    kwh = d.group_by("act").agg((pl.col("amount") * pl.col("a_to_base")).first())["amount"].sum() / 3.6e6
    return d["value"].sum(), kwh


def test_plant_data_for_an_upstream_plant_uses_its_own_output(totals):
    """Moriyama makes base film only in charlotte-coated: its metered kWh per m² of *base film* count
    1/0.95 times per m² coated (coating yield 0.95); in jp-import it also coats, so its output is
    coated m² (scale 1). Supply mix 2028 = 0.6 charlotte-coated + 0.4 jp-import."""
    fp = compute(load_study(default_study_path()))
    plant = pl.DataFrame({"plant": ["moriyama"], "period": ["2025-03"], "carrier": ["electricity"],
                          "energy": [100.0], "energy_unit": ["MWh"], "output": [5.0e5], "output_unit": ["m^2"]})
    scen = ["charlotte-coated", "jp-import", "supply-mix-2028", "ontario"]
    r = compute_ledger(lots(quantity=[1.0] * 4, scenario=scen), plant_data=plant).lots.sort("lot_id")
    old_c, kwh_c = _kwh_and_old(fp, "charlotte-coated", "moriyama")
    old_j, kwh_j = _kwh_and_old(fp, "jp-import", "moriyama")
    ef_c, ef_j = old_c / kwh_c, old_j / kwh_j  # kg CO2e per kWh of Japanese grid electricity
    new_c = 0.2 / 0.95 * ef_c  # 100 MWh / 5e5 m² base film = 0.2 kWh/m² base film
    new_j = 0.2 * ef_j
    base = totals["liberty"]
    want = [base["charlotte-coated"] - old_c + new_c, base["jp-import"] - old_j + new_j,
            base["supply-mix-2028"] + 0.6 * (new_c - old_c) + 0.4 * (new_j - old_j), base["ontario"]]
    assert r["intensity"].to_list() == pytest.approx(want, rel=1e-12)
    assert r["plant_data"].to_list() == [True, True, True, False]
    assert new_c != pytest.approx(0.2 * ef_c)  # the old rule (output = finished m²) was off by 1/0.95


def test_plant_data_carrier_the_study_lacks_at_that_site_is_an_error(tmp_path):
    p = tmp_path / "plant.csv"
    p.write_text("plant,period,carrier,energy,energy_unit,output,output_unit\n"
                 "moriyama,2025-03,electricity,1,MWh,1000,m^2\nliberty,2025-03,electricity,1,MWh,1000,m^2\n"
                 "moriyama,2025-04,natural_gas,1,MWh,1000,kg\n")
    with pytest.raises(LcaInputError) as e:
        compute_ledger(lots(quantity=[1.0]), plant_data=p)
    text = str(e.value)
    assert "row 2, column 'carrier'" in text and "has no electricity at site 'liberty'" in text
    assert "row 3, column 'output_unit'" in text and "unit 'kg' is mass" in text
    assert "row 1" not in text


def test_partitions_skip_empty_months_and_keep_input_order(tmp_path):
    df = lots(quantity=[1.0, 2.0, 3.0, -4.0], lot_id=["A", "B", "C", "D"],
              date=[date(2025, 3, 9), date(2025, 1, 2), date(2025, 3, 1), date(2025, 2, 1)])
    r = compute_ledger(df, out=tmp_path / "p", partition_by="period", on_error="skip")
    assert (r.n_in, r.n_out, r.n_rejected) == (4, 3, 1)
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["period=2025-01", "period=2025-03"]
    march = pl.read_parquet(tmp_path / "p" / "period=2025-03" / "lots.parquet")
    assert march["lot_id"].to_list() == ["A", "C"] and set(march["period"]) == {"2025-03"}
    # every lot rejected: still a valid (empty) output with its schema, and nothing dropped
    r = compute_ledger(df.filter(pl.col("lot_id") == "D"), out=tmp_path / "q", partition_by="period",
                       on_error="skip")
    assert (r.n_in, r.n_out, r.n_rejected) == (1, 0, 1)
    assert pl.read_parquet(tmp_path / "q" / "**" / "*.parquet").columns == list(LEDGER_SCHEMA)
