"""Ledger fixes: every destination priced from the study object given (#10 item 7); dates far from
the study's reference period are bad rows and the plan scales with the months that occur (#10 item 8);
typed columns and located messages (#11 items 3 and 5)."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date

import polars as pl
import pytest

import lca
from lca.errors import LcaInputError
from lca.ledger import compute_ledger
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
