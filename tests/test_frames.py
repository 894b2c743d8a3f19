"""Studies from frames (no files): same results as the TOML route, clear errors, thread safety."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl
import pytest

STUDY = {"id": "film-demo", "reference_period": {"start": "2025-01-01", "end": "2025-12-31"},
         "company_name": "Demo Inc.", "company_ids": ["urn:lca:company:demo"],
         "product_ids": ["urn:lca:product:film"], "product_category_cpc": "36390"}
PRODUCT = {"name": "PE base film", "declared_unit": "1 m^2", "mass_per_declared_unit": "5.5 g"}
SITES = pl.DataFrame({"id": ["plant"], "name": ["Moriyama"], "country": ["JP"], "grid": ["JP-KANSAI"],
                      "grid_fallback": ["country"]})
PROCESSES = pl.DataFrame({"id": ["film"], "output": ["1 m^2"], "yield": [0.7]})
EXCHANGES = pl.DataFrame({"process": ["film", "film"], "flow": ["hdpe_resin", "electricity"],
                          "amount": [5.5, 0.14], "unit": ["g", "kWh"]})
SCENARIOS = [{"id": "base", "steps": [{"process": "film", "site": "plant"}]}]


def build(**over):
    from lca.study.frames import study_from_frames

    kw = dict(study=STUDY, product=PRODUCT, sites=SITES, processes=PROCESSES, exchanges=EXCHANGES,
              scenarios=SCENARIOS)
    return study_from_frames(**{**kw, **over})


def test_frames_equal_the_toml_study():
    import lca
    from pathlib import Path

    toml = Path(__file__).resolve().parent / "data" / "validate" / "good" / "study.toml"
    a = lca.compute(build()).totals()
    b = lca.compute(lca.load_study(toml)).totals()
    assert a.select("scenario", "value", "unit").equals(b.select("scenario", "value", "unit"))


def test_lists_of_dicts_work_too():
    import lca

    s = build(sites=SITES.to_dicts(), exchanges=EXCHANGES.to_dicts(), processes=PROCESSES.to_dicts())
    assert lca.compute(s).total("base").value == pytest.approx(lca.compute(build()).total("base").value)


def test_hand_computed_resin_contribution():
    """Resin 5.5 g / 0.7 yield × the shipped HDPE factor (kg CO2e/kg)."""
    import lca

    fp = lca.compute(build())
    row = fp.detail.filter(pl.col("flow") == "hdpe_resin")
    assert row["value"].sum() == pytest.approx(5.5e-3 / 0.7 * row["factor_value"][0])


def test_bad_frames_name_table_row_column():
    from lca.errors import LcaInputError

    bad_sites = SITES.with_columns(pl.lit("Japan").alias("country"))
    bad_ex = EXCHANGES.with_columns(pl.Series("amount", [5.5, -1.0]))
    with pytest.raises(LcaInputError) as err:
        build(sites=bad_sites, exchanges=bad_ex)
    got = {(p.table, p.row, p.column) for p in err.value.problems}
    assert got == {("sites", 1, "country"), ("exchanges", 2, "amount")}


def test_unknown_process_in_exchanges():
    from lca.errors import LcaInputError

    ex = pl.concat([EXCHANGES, pl.DataFrame({"process": ["ghost"], "flow": ["boehmite"], "amount": [1.0],
                                             "unit": ["g"]})])
    with pytest.raises(LcaInputError, match="unknown process 'ghost'"):
        build(exchanges=ex)


def test_threads_give_identical_results():
    """No global state: four threads computing and exporting at once agree with a serial run."""
    import lca

    def job(_):
        fp = lca.compute(build())
        return lca.export_pact(fp, "v3", "base", created="2026-01-01T00:00:00Z"), fp.totals()

    serial = job(0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(job, range(8)))
    for doc, totals in results:
        assert doc == serial[0] and totals.equals(serial[1])
