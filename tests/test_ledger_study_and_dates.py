"""Ledger fixes: every destination priced from the study object given (#10 item 7); dates far from
the study's reference period are bad rows and the plan scales with the months that occur (#10 item 8);
typed columns and located messages (#11 items 3 and 5)."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca
from lca.errors import LcaInputError
from ledger_default import compute_ledger
from lca.resources import default_study_path
from lca.study import load_study, study_from_dict


def lots(n: int = 2, **cols) -> pl.DataFrame:
    base = {"lot_id": [f"L{i}" for i in range(n)], "date": [date(2025, 3, 15)] * n, "quantity": [100.0] * n,
            "unit": ["m^2"] * n, "scenario": ["charlotte-coated"] * n, "destination_plant": ["liberty", "holland"][:n]}
    base.update(cols)
    return pl.DataFrame(base)


def _intensity(result, dest: str, scenario: str = "charlotte-coated") -> float:
    row = result.lots.filter((pl.col("destination_plant") == dest) & (pl.col("scenario") == scenario))
    return float(row["intensity"][0])


# ------------------------------------------------------------------ #10 item 7: in-memory study

def test_every_destination_is_priced_from_the_in_memory_study():
    """An edit made in memory counts for every destination, not only the study's cell plant."""
    path = default_study_path()
    edit = lambda s: replace(s, exchanges=s.exchanges.with_columns(pl.col("amount") * 2))  # noqa: E731
    r = compute_ledger(lots(), edit(load_study(path)))
    for dest in ("liberty", "holland"):  # expectation built through the loader, independently
        want = lca.compute(edit(load_study(path, cell_plant=dest))).total("charlotte-coated").value
        assert _intensity(r, dest) == want, dest
    unedited = lca.compute(load_study(path, cell_plant="holland")).total("charlotte-coated").value
    assert _intensity(r, "holland") > 1.5 * unedited  # doubled amounts: clearly not the file's numbers


def test_a_study_built_from_a_dict_prices_every_destination():
    path = default_study_path()
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    st = study_from_dict(doc, base=path.parent, file="dict")
    assert st.path is None
    r = compute_ledger(lots(), st)
    assert r.n_rejected == 0
    for dest in ("liberty", "holland"):
        assert _intensity(r, dest) == lca.compute(load_study(path, cell_plant=dest)).total("charlotte-coated").value


def test_with_cell_plant_equals_loading_for_that_plant_for_every_site():
    """Re-targeting in memory = loading with --cell-plant: same transport rows, same totals, and the
    same refusal (no route) for sites the study cannot deliver to."""
    path = default_study_path()
    s = load_study(path)
    for site in s.sites["id"]:
        try:
            want = load_study(path, cell_plant=site)
        except LcaInputError as exc:
            with pytest.raises(LcaInputError) as got:
                s.with_cell_plant(site)
            assert got.value.problems[0].message == exc.problems[0].message
            continue
        got = s.with_cell_plant(site)
        assert got.cell_plant == site
        assert got.transport.equals(want.transport)
        a, b = lca.compute(got), lca.compute(want)
        assert [a.total(x).value for x in a.scenarios] == [b.total(x).value for x in b.scenarios]


def test_with_cell_plant_keeps_inline_legs_and_other_edits(tiny_path):
    """Inline legs to the cell plant stay (relabelled); a packaging factor edited in memory stays."""
    s = load_study(tiny_path)
    doc = tomllib.loads(tiny_path.read_text(encoding="utf-8"))
    doc["site"].append({"id": "plant2", "name": "Second cell plant", "country": "ZZ"})
    s = study_from_dict(doc, base=tiny_path.parent, file=str(tiny_path))
    s = replace(s, transport=s.transport.with_columns(pl.lit(1.5).alias("packaging_factor")))
    moved = s.with_cell_plant("plant2")
    assert moved.transport["to_site"].to_list() == ["plant2", "plant2"]
    assert moved.transport.drop("to_site").equals(s.transport.drop("to_site"))
    with pytest.raises(LcaInputError, match="not a site"):
        s.with_cell_plant("nowhere")


# ------------------------------------------------------------------ #10 item 8: dates

def test_far_dates_are_bad_rows_and_the_plan_follows_the_months_that_occur():
    df = lots(4, date=[date(2025, 3, 15), date(2025, 7, 1), date(9999, 12, 31), date(1, 1, 1)],
              destination_plant=["liberty"] * 4)
    r = compute_ledger(df, on_error="skip")
    assert r.n_out == 2 and r.n_rejected == 2
    reasons = dict(zip(r.rejects["lot_id"], r.rejects["reason"]))
    assert reasons["L2"].startswith("date 9999-12-31 is outside the date window 2020-01-01..2030-12-31")
    assert reasons["L3"].startswith("date 0001-01-01 is outside the date window")
    assert r.plan.periods == ["2025-03", "2025-07"]  # not the 95,698 months from year 1 to 9999
    assert len(r.plan.day_pcode) == (date(2025, 7, 31) - date(2025, 3, 1)).days + 1
    assert r.summary["period"]["period"].to_list() == ["2025-03", "2025-07"]


def test_partitioned_output_has_one_folder_per_month_that_occurs(tmp_path):
    df = lots(3, date=[date(2025, 3, 15), date(2026, 1, 2), date(9999, 12, 31)], destination_plant=["liberty"] * 3)
    r = compute_ledger(df, out=tmp_path / "out", partition_by="period", on_error="skip")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["period=2025-03", "period=2026-01"]
    assert r.n_rejected == 1


def test_date_window_is_configurable_and_checked():
    df = lots(2, date=[date(2025, 3, 15), date(2025, 7, 1)], destination_plant=["liberty"] * 2)
    r = compute_ledger(df, on_error="skip", date_window="2025-03-01..2025-03-31")
    assert r.n_out == 1 and r.rejects["lot_id"].to_list() == ["L1"]
    assert "outside the date window 2025-03-01..2025-03-31" in r.rejects["reason"][0]
    r = compute_ledger(df, on_error="skip", date_window=(date(2025, 7, 1), date(2025, 7, 1)))
    assert r.lots["lot_id"].to_list() == ["L1"]
    for bad, msg in (("2025-03-01", "not two dates"), ("2026-01-01..2025-01-01", "ends"),
                     ("1900-01-01..2025-01-01", "more than 100 years"), ("2025-13-01..2026-01-01", "ISO date")):
        with pytest.raises(LcaInputError, match=msg) as exc:
            compute_ledger(df, date_window=bad)
        assert "date_window" in str(exc.value)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)) | st.dates(
    min_value=date(2019, 11, 1), max_value=date(2031, 2, 1)), min_size=1, max_size=12))
def test_property_every_lot_is_priced_in_its_month_or_rejected_for_its_date(dates):
    lo, hi = date(2020, 1, 1), date(2030, 12, 31)  # default window of the default study
    df = lots(len(dates), date=dates, destination_plant=["liberty"] * len(dates))
    r = compute_ledger(df, on_error="skip")
    inside = [d for d in dates if lo <= d <= hi]
    assert r.n_out == len(inside) and r.n_rejected == len(dates) - len(inside)
    assert all(p == f"{d:%Y-%m}" for p, d in zip(r.lots["period"].cast(pl.String), r.lots["date"]))
    assert all("outside the date window" in x for x in r.rejects["reason"])
    months = sorted({f"{d:%Y-%m}" for d in inside})
    if months:
        assert r.plan.periods == months
    assert len(r.plan.day_pcode) <= 31 * 12 * 11 + 31  # bounded by the window, whatever the dates


def test_cli_date_window_option(tmp_path, cli):
    csv = tmp_path / "lots.csv"
    lots(2, date=[date(2025, 3, 15), date(9999, 12, 31)], destination_plant=["liberty"] * 2).write_csv(csv)
    res = cli("ledger", csv, "-o", tmp_path / "out.parquet")
    assert res.exit_code == 1 and "lots.csv: shipments row 2: lot 'L1': date 9999-12-31 is outside" in res.stderr
    res = cli("ledger", csv, "-o", tmp_path / "out.parquet", "--date-window", "2025-01-01..9999-12-31")
    assert res.exit_code == 2 and "--date-window" in res.stderr
    res = cli("ledger", csv, "-o", tmp_path / "out.parquet", "--on-error", "skip", "--date-window",
              "2025-03-01..2025-03-31")
    assert res.exit_code == 0, res.stderr


# ------------------------------------------------------------------ #11 items 3 and 5: types and messages

@pytest.mark.parametrize("col, values, words", [
    ("quantity", [True, False], "has type Boolean, but it must hold numbers"),
    ("date", [20250301, 20250302], "20250301 is not a date"),
    ("scenario", [1.5, 2.5], "has type Float64"),
])
def test_wrongly_typed_columns_are_refused_naming_the_column(col, values, words):
    with pytest.raises(LcaInputError) as exc:
        compute_ledger(lots(**{col: values}), on_error="skip")
    [p] = exc.value.problems
    assert p.column == col and words in str(p)


def test_wrongly_typed_column_in_a_parquet_file_names_the_file(tmp_path):
    f = tmp_path / "lots.parquet"
    lots(quantity=[True, False]).write_parquet(f)
    with pytest.raises(LcaInputError) as exc:
        compute_ledger(f)
    assert str(exc.value).startswith(f"{f}: shipments, column 'quantity': has type Boolean")


def test_integer_lot_ids_and_datetime_dates_are_still_accepted():
    from datetime import datetime

    r = compute_ledger(lots(lot_id=[1, 2], date=[datetime(2025, 3, 1, 8), datetime(2025, 3, 2)]))
    assert r.lots["lot_id"].to_list() == ["1", "2"] and r.lots["period"].cast(pl.String).to_list() == ["2025-03"] * 2


def test_bad_m2_per_roll_is_one_error_naming_the_option(tmp_path, cli):
    df = lots(3, unit=["roll"] * 3, destination_plant=["liberty"] * 3)
    with pytest.raises(LcaInputError) as exc:
        compute_ledger(df, m2_per_roll="12 kg")
    [p] = exc.value.problems
    assert "--m2-per-roll (m2_per_roll) '12 kg'" in p.message and "mass" in p.message
    csv = tmp_path / "lots.csv"
    df.write_csv(csv)
    res = cli("ledger", csv, "-o", tmp_path / "o.parquet", "--m2-per-roll", "-5")
    assert res.exit_code == 2 and "--m2-per-roll" in res.stderr


def test_overflowing_lot_is_a_bad_row_located_in_the_users_file(tmp_path, cli):
    """A finite quantity whose footprint overflows is a bad row of the shipments file, not an
    'invariant broken' failure or a message about an internal 'ledger' table."""
    df = lots(2, quantity=[1e308, 10.0], unit=["1200 m^2", "m^2"], destination_plant=["liberty"] * 2)
    r = compute_ledger(df, on_error="skip")
    assert r.n_out == 1 and "overflows" in r.rejects["reason"][0]
    csv = tmp_path / "lots.csv"
    df.write_csv(csv)
    res = cli("ledger", csv, "-o", tmp_path / "o.parquet")
    assert res.exit_code == 1 and "lots.csv: shipments row 1: lot 'L0': quantity too large" in res.stderr
    assert "ledger row" not in res.stderr and not (tmp_path / "o.parquet").exists()


# ------------------------------------ review finding 5: re-targeting follows the study's current data

def _toml_study(tmp_path, *edits: tuple[str, str]):
    """The default study with text edits, loaded from a file: the independent expectation."""
    text = default_study_path().read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_routes_replaced_in_memory_price_another_destination(tmp_path):
    """Before: the ledger priced holland from the routes captured at load (jp-import 0.19011 either way)."""
    st = load_study(default_study_path())
    ship = (pl.col("from_site") == "moriyama") & (pl.col("to_site") == "holland") & (pl.col("mode") == "container_ship")
    edited = replace(st, routes=st.routes.with_columns(
        pl.when(ship).then(pl.col("distance") * 3).otherwise(pl.col("distance")).alias("distance")))
    r = compute_ledger(lots(1, scenario=["jp-import"], destination_plant=["holland"]), edited)
    # the route moriyama → holland as written (its legs may carry source and ratings after the distance)
    text = default_study_path().read_text(encoding="utf-8")
    start = text.index('from = "moriyama"\nto = "holland"\n')
    ship = text.index('{ mode = "container_ship", distance = "17800 km"', start)
    route = text[start:ship + len('{ mode = "container_ship", distance = "17800 km"')]
    path = _toml_study(tmp_path, (route, route.replace('distance = "17800 km"', 'distance = "53400 km"')))
    want = lca.compute(load_study(path, cell_plant="holland")).total("jp-import").value
    unedited = lca.compute(load_study(default_study_path(), cell_plant="holland")).total("jp-import").value
    assert _intensity(r, "holland", "jp-import") == want and want > unedited + 1e-3


def test_a_shipped_mass_ratio_replaced_in_memory_prices_another_destination(tmp_path):
    """Before: product.shipped_mass_ratio 1.3 → 2.6 in memory changed no number (only the PACT id)."""
    st = load_study(default_study_path())
    edited = replace(st, product=replace(st.product, shipped_mass_ratio=2.6))
    r = compute_ledger(lots(1, scenario=["jp-import"], destination_plant=["holland"]), edited)
    path = _toml_study(tmp_path, ("shipped_mass_ratio = 1.3", "shipped_mass_ratio = 2.6"))
    want = lca.compute(load_study(path, cell_plant="holland")).total("jp-import").value
    unedited = lca.compute(load_study(default_study_path(), cell_plant="holland")).total("jp-import").value
    assert _intensity(r, "holland", "jp-import") == want and want > unedited + 1e-3
    # a packaging factor changed in the transport frame itself still wins over the product's ratio
    both = replace(edited, transport=edited.transport.with_columns(pl.lit(1.5).alias("packaging_factor")))
    assert both.with_cell_plant("holland").transport["packaging_factor"].unique().to_list() == [1.5]


def test_retarget_problems_name_the_study_source():
    """Before: messages named ``study.path`` ("study" for a study built from a dict), not its label."""
    path = default_study_path()
    st = study_from_dict(tomllib.loads(path.read_text(encoding="utf-8")), base=path.parent, file="erp-export")
    with pytest.raises(LcaInputError) as err:
        st.with_cell_plant("nowhere")
    assert [(p.file, p.column) for p in err.value.problems] == [("erp-export", "cell_plant")]
    no_holland = replace(st, routes=st.routes.filter(pl.col("to_site") != "holland"))
    with pytest.raises(LcaInputError) as err:
        no_holland.with_cell_plant("holland")
    got = [(p.file, p.table, p.message) for p in err.value.problems]
    assert got[0] == ("erp-export", "scenario 'jp-import' transport #1", "no route from 'moriyama' to 'holland'")
    assert len(got) == 5  # every scenario's element bound for the cell plant
