"""Primary plant data and grid losses (review finding 17).

Method rule (docs/method-rules.md, "Grid losses"): plant data are metered at the plant's meter, i.e.
at consumption, like the modelled electricity they replace; so with ``td_losses = "included"`` the
grid factor applied to them includes the losses exactly as it does for modelled electricity. The
code did this; docs/ledger.md said the opposite.

Hand computation (Charlotte coater, grid US-SRVC): eGRID2023 rev2 SRVC 0.27049 kg CO2e/kWh at
generation, grid gross loss 0.042, so 0.27049 / (1 − 0.042) = 0.282349… kg CO2e/kWh delivered.
The plant meters 30 MWh for 1,000,000 m² coated (the coater's output is the declared unit, scale 1):
0.03 kWh/m² × 0.282349 = 0.0084705 kg CO2e/m², replacing the study's own coating electricity.

#13: the default study reports electricity on a life-cycle basis, so the grid factor of the site also
carries the upstream adder (Electricity Maps 2024, Duke Energy Carolinas: 0.05224 kg CO2e/kWh), grossed
up like the combustion row: (0.27049 + 0.05224) / (1 − 0.042) at the point of consumption.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

import lca
from ledger_default import compute_ledger

SRVC, LOSS = 0.27049, 0.042  # factors/electricity.csv, factors/grid_losses.csv
ADDER = 0.05224  # factors/electricity_emaps.csv, grid.emaps2024.us-srvc.upstream (#13)
PLANT = pl.DataFrame({"plant": ["charlotte"], "period": ["2025-03"], "carrier": ["electricity"], "energy": [30.0],
                      "energy_unit": ["MWh"], "output": [1.0e6], "output_unit": ["m^2"]})
LOTS = pl.DataFrame({"lot_id": ["A", "B"], "date": [date(2025, 3, 15), date(2025, 4, 15)], "quantity": [1.0, 1.0],
                     "unit": ["m^2", "m^2"], "scenario": ["charlotte-coated"] * 2, "origin_plant": ["charlotte"] * 2,
                     "destination_plant": ["liberty"] * 2})


def _coating_electricity(fp) -> float:
    d = fp.detail.filter((pl.col("scenario") == "charlotte-coated") & (pl.col("site") == "charlotte")
                         & (pl.col("flow") == "electricity"))
    return float(d.get_column("value").sum())


@pytest.mark.parametrize("td", ["excluded", "included"])
def test_plant_data_get_the_same_grid_factor_as_modelled_electricity(td):
    study = lca.load_study(lca.default_study_path()).with_method(td_losses=td)
    fp = lca.compute(study)
    assert lca.load_library().get("grid.egrid2023r2.us-srvc")["value"] == SRVC
    assert lca.load_library().get("ggl.egrid2023r2.us-srvc")["value"] == LOSS
    assert lca.load_library().get("grid.emaps2024.us-srvc.upstream")["value"] == ADDER
    ef = (SRVC + ADDER) / (1 - LOSS) if td == "included" else SRVC + ADDER
    base = fp.total("charlotte-coated").value
    expect = base - _coating_electricity(fp) + 0.03 * ef
    r = compute_ledger(LOTS, study, plant_data=PLANT).lots.sort("lot_id")
    assert r.get_column("intensity").to_list() == pytest.approx([expect, base], rel=1e-12)
    assert r.get_column("plant_data").to_list() == [True, False]


def test_grossed_and_not_grossed_plant_data_differ_by_the_loss_on_the_metered_energy():
    study = lca.load_study(lca.default_study_path())
    lots = {td: compute_ledger(LOTS.head(1), study.with_method(td_losses=td), plant_data=PLANT).lots
            for td in ("excluded", "included")}
    fps = {td: lca.compute(study.with_method(td_losses=td)) for td in ("excluded", "included")}
    # the lot's change = the change of the rest of the study + the loss on the metered 0.03 kWh/m²
    rest = {td: fps[td].total("charlotte-coated").value - _coating_electricity(fps[td]) for td in fps}
    gap = lots["included"]["intensity"][0] - lots["excluded"]["intensity"][0]
    on_meter = 0.03 * (SRVC + ADDER) * (1 / (1 - LOSS) - 1)
    assert gap == pytest.approx(rest["included"] - rest["excluded"] + on_meter, rel=1e-9)
    assert on_meter == pytest.approx(4.2445e-4, rel=1e-4)  # was 3.5575e-4 on the combustion row alone


def test_ledger_docs_say_plant_data_are_grossed_up():
    text = (Path(__file__).resolve().parents[1] / "docs" / "ledger.md").read_text(encoding="utf-8")
    assert "not grossed up" not in text
    assert "metered plant energy is grossed up for grid losses" in text
