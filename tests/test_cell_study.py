"""The second shipped study: a high-nickel NCMA pouch cell per kWh of cell capacity (#16 item 1).

The separator enters the cell study as ONE exchange: the separator study's own PACT v3 footprint
(``lca/studies/ncma-pouch-na/separator-pact.json``) × 10 m² per kWh. Its share of the cell footprint
is therefore that file's ``pcfExcludingBiogenicUptake`` × 10, computed here by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lca
from lca.disclosure.declaration import declare

STUDIES = Path(lca.__file__).parent / "studies"
CELL = STUDIES / "ncma-pouch-na.toml"
SEPARATOR_PACT = STUDIES / "ncma-pouch-na" / "separator-pact.json"
#: how the shipped separator footprint is made (the study file's header says the same)
EXPORT_ARGS = ("export", "--format", "pact-v3", "--scenario", "jp-import", "--created", "2026-01-01T00:00:00Z")


@pytest.fixture(scope="module")
def cell():
    return lca.compute(lca.load_study(CELL))


def test_both_plants_per_kwh_of_capacity(cell):
    assert cell.scenarios == ["liberty", "holland"]
    for s in cell.scenarios:
        t = cell.total(s)
        assert t.unit == "kg_CO2e/kWh"
        assert 20 < t.value < 150   # the range of published cell footprints per kWh (anchors-2026 §5: 10-394)
    # same bill of materials, different grid: only cell manufacturing differs, and RFCM is dirtier than SRVC
    a, b = cell.by_stage(scenario="liberty"), cell.by_stage(scenario="holland")
    da = dict(zip(a["stage"], a["value"]))
    db = dict(zip(b["stage"], b["value"]))
    assert da.keys() == db.keys()
    for st in da:
        if st != "cell_manufacturing":
            assert db[st] == pytest.approx(da[st], rel=1e-12), st
    assert db["cell_manufacturing"] > da["cell_manufacturing"]


def test_separator_share_is_its_pact_footprint_times_its_amount_per_kwh(cell):
    pcf = json.loads(SEPARATOR_PACT.read_text(encoding="utf-8"))["pcf"]
    # by hand: kg CO2e per m² (the file) × 10 m² of separator per kWh of cell (the study's exchange)
    per_m2 = float(pcf["pcfExcludingBiogenicUptake"]) / float(pcf["declaredUnitAmount"])
    assert pcf["declaredUnitOfMeasurement"] == "square meter"
    want = per_m2 * 10.0
    for s in cell.scenarios:
        st = cell.by_stage(scenario=s)
        got = dict(zip(st["stage"], st["value"]))["separator"]
        assert got == pytest.approx(want, rel=1e-9)
        share = got / cell.total(s).value
        assert 0.01 < share < 0.10   # a few % of a cell: the separator is a small line


def test_shipped_separator_footprint_is_the_separator_studys_export(cli, tmp_path):
    """The file shipped with the cell study is what `lca export --format pact-v3` of the default study
    writes today. If the separator study changed, regenerate it with the command in the cell study's header."""
    out = tmp_path / "sep.json"
    r = cli(*EXPORT_ARGS, "-o", out)
    assert r.exit_code == 0, r.output
    shipped = json.loads(SEPARATOR_PACT.read_text(encoding="utf-8"))
    assert json.loads(out.read_text(encoding="utf-8")) == shipped, (
        "lca/studies/ncma-pouch-na/separator-pact.json is stale: regenerate with lca " + " ".join(EXPORT_ARGS)
        + " -o lca/studies/ncma-pouch-na/separator-pact.json")


def test_per_kwh_of_lifetime_energy_under_the_rule_pack(cell):
    """Hand case: usable 64 kWh, M1 (60 cycles a year), 8 years → E_total = 64 × 60 × 8 = 30 720 kWh;
    per kWh of capacity × rated 71.4 kWh ÷ 30 720 kWh = per kWh of lifetime energy."""
    d = declare(cell)
    assert float(d.energy.total.to("kWh").magnitude) == pytest.approx(30720.0)
    for v in d.variants:
        vfp = d.footprints[v.id]
        for s in cell.scenarios:
            assert d.total(s, v.id) == pytest.approx(vfp.total(s).value * 71.4 / 30720.0, rel=1e-9)


def test_cell_run_cli_reports_both_plants_and_the_separator_stage(cli):
    r = cli("run", CELL, "--format", "csv")
    assert r.exit_code == 0, r.output
    assert "liberty" in r.output and "holland" in r.output
    r = cli("run", CELL)
    assert r.exit_code == 0, r.output
    assert "separator" in r.output
    # the cell study delivers to no cell plant (it is one): the header names none, never "cell plant None"
    assert "None" not in r.output and "cell plant" not in r.output.splitlines()[1]


def test_cell_study_validates_and_passes_the_cutoff(cli):
    assert cli("validate", CELL).exit_code == 0
    r = cli("check", CELL)
    assert r.exit_code == 0, r.output


def test_stage_no_activity_maps_to_is_not_modelled_never_a_zero(cell, cli, tmp_path):
    """The cell study (cradle to cell-plant gate) maps nothing to the declared Distribution stage: it is
    declared not modelled like end of life — no value, a reason, left out of the passport's per-stage
    entries, and named by the total — never a modelled 0."""
    from lca.disclosure.declaration import export_battery_pass, export_declaration

    doc = export_declaration(cell)
    for dec in doc["declarations"]:
        for v in dec["byVariant"].values():
            dist = {s["id"]: s for s in v["stages"]}["distribution"]
            assert dist["value"] is None and dist["status"] == "not yet modelled", dist
            assert "no activity of the study maps to this stage" in dist["note"]
            assert "distribution, end of life and recycling" in v["total"]["note"]
    for bp in export_battery_pass(cell):
        cf = bp["sustainability"]["carbonFootprint"]
        assert [e["lifecycle"] for e in cf][:2] == ["raw material acquisition and pre-processing",
                                                     "main product production"]
        assert len(cf) == 3 and all(e["lifecycle"] != "distribution" for e in cf)
        assert cf[2]["lifecycle"].endswith("not included (not yet modelled): distribution, end of life and recycling")
    r = cli("run", CELL)
    assert r.exit_code == 0, r.output
    assert "not yet modelled: distribution, end of life and recycling" in " ".join(r.output.split())
