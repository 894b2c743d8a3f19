"""Tabular exports: long results and the expanded inventory in CSV, Parquet and JSON."""

from __future__ import annotations

import io

import polars as pl
import pytest


def test_results_long_format_sums_to_totals(default_fp):
    import lca

    df = pl.read_csv(io.StringIO(lca.export_table(default_fp, "results", "csv")))
    assert df.columns[:8] == ["scenario", "stage", "flow_category", "gas", "value", "unit", "factor_id",
                              "region_used"]
    sums = dict(df.group_by("scenario").agg(pl.col("value").sum()).iter_rows())
    for sid, total, _label in default_fp.totals().select("scenario", "value", "label").iter_rows():
        assert sums[sid] == pytest.approx(total, rel=1e-12)
    assert set(df["unit"]) == {"kg_CO2e/m^2"}


def test_results_per_kwh_scale_by_the_stated_conversion(default_fp):
    """10 m² of separator per kWh: per-kWh values are 10 × per-m² values."""
    from lca.disclosure import results_frame

    a, b = results_frame(default_fp), results_frame(default_fp, per="kWh")
    assert (b["value"] / a["value"]).to_list() == pytest.approx([10.0] * a.height)
    assert set(b["unit"]) == {"kg_CO2e/kWh"}


def test_inventory_one_row_per_activity(default_fp):
    import lca

    df = pl.read_json(io.StringIO(lca.export_table(default_fp, "inventory", "json")))
    assert df.height == default_fp.detail["act"].n_unique()
    # jp-import base film resin by hand: 5.5 g / 0.70 yield × (1 / 0.95 coating yield) per m²
    row = df.filter((pl.col("scenario") == "jp-import") & (pl.col("flow") == "hdpe_resin"))
    assert row["amount"][0] == pytest.approx(5.5 / 0.70 / 0.95) and row["unit"][0] == "g"


def test_parquet_round_trip_and_determinism(default_fp, tmp_path):
    import lca
    from lca.disclosure import results_frame

    path = lca.export_table(default_fp, "results", "parquet", tmp_path / "r.parquet")
    assert pl.read_parquet(path).equals(results_frame(default_fp))
    assert lca.export_table(default_fp, "results", "parquet") == path.read_bytes()


def test_scenario_filter_and_unknown_inputs(default_fp):
    import lca
    from lca.errors import LcaInputError

    text = lca.export_table(default_fp, "results", "csv", scenario="ontario")
    assert set(pl.read_csv(io.StringIO(text))["scenario"]) == {"ontario"}
    with pytest.raises(LcaInputError, match="unknown scenario"):
        lca.export_table(default_fp, "results", "csv", scenario="mars")
    with pytest.raises(LcaInputError, match="unknown format"):
        lca.export_table(default_fp, "results", "xlsx")  # type: ignore[arg-type]


def test_cli_tables(cli, tmp_path):
    r = cli("export", "--format", "csv", "--table", "inventory", "--scenario", "ontario")
    assert r.exit_code == 0 and r.stdout.startswith("scenario,component,share,stage")
    r = cli("export", "--format", "parquet")
    assert r.exit_code != 0 and not list(tmp_path.iterdir())
    out = tmp_path / "r.parquet"
    assert cli("export", "--format", "parquet", "-o", out).exit_code == 0
    assert pl.read_parquet(out).height > 0
