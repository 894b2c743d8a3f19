"""The recycling-loop fixture (tests/data/loop, issue #12): solved by hand, run and reported end-to-end.

Runs per kg of cathode material delivered (see the head of tests/data/loop/study.toml):
``0.9 C − 1.25 R = 1``, ``P = C``, ``R = 0.2 P`` ⇒ C = P = 20/13, R = 4/13.
By stage (electricity 0.5 kg CO2e/kWh north, 0.2 south; salts 2 kg CO2e/kg):

* raw materials: virgin salts 0.8 P = 16/13 kg × 2 = 32/13 (both sites);
* cam: 2 kWh × C = 40/13 kWh; pcam: 1 kWh × P = 20/13 kWh; recovery: 0.4 kWh × R = 1.6/13 kWh;
* north: 32/13 + 61.6/13 × 0.5 = 62.8/13; south: 32/13 + 61.6/13 × 0.2 = 44.32/13 (without freight);
* freight: 1 kg delivered × 100 km × 0.1 kg CO2e/tkm = 0.01.
"""

from __future__ import annotations

import html
from pathlib import Path

import polars as pl
import pytest

import lca

LOOP = Path(__file__).parent / "data" / "loop" / "study.toml"
SINGULAR = LOOP.with_name("singular.toml")
TS = "2026-01-01T00:00:00Z"
STAGES = {"north": {"raw_materials": 32 / 13, "cam": 40 / 13 * 0.5, "pcam": 20 / 13 * 0.5, "recovery": 1.6 / 13 * 0.5},
          "south": {"raw_materials": 32 / 13, "cam": 40 / 13 * 0.2, "pcam": 20 / 13 * 0.2, "recovery": 1.6 / 13 * 0.2}}


@pytest.fixture(scope="module")
def model():
    return lca.build_model(lca.load_study(LOOP))


def test_the_loop_matches_the_hand_solution(model):
    runs = model.scaling().filter(pl.col("scenario") == "north")
    assert dict(runs.select("process", "runs").iter_rows()) == pytest.approx(
        {"cam": 20 / 13, "pcam": 20 / 13, "recovery": 4 / 13}, rel=1e-12)
    fp = model.footprint()
    for sid, want in STAGES.items():
        got = dict(fp.by_stage(scenario=sid).select("stage", "value").iter_rows())
        assert {k: v for k, v in got.items() if k != "transport"} == pytest.approx(want, rel=1e-12)
    assert sum(STAGES["north"].values()) == pytest.approx(62.8 / 13, rel=1e-12)
    assert sum(STAGES["south"].values()) == pytest.approx(44.32 / 13, rel=1e-12)
    # evaluate re-solves the loop: recovery taking 1.5 kg per run ⇒ 0.9 C − 0.3 C = 1, C = 5/3
    c = 5 / 3
    changed = model.evaluate({"process.recovery.cam": "1.5 kg"})
    assert changed.total("south").value - changed.by_stage(scenario="south").filter(
        pl.col("stage") == "transport")["value"][0] == pytest.approx(
        0.8 * c * 2 + (2 * c + c + 0.4 * 0.2 * c) * 0.2, rel=1e-12)


def test_the_freight_to_the_cell_plant_carries_the_delivered_kg(model):
    """1 kg delivered × 100 km × 0.1 kg CO2e/tkm, not the 18/13 kg of good cathode material made
    per kg delivered (5/13 kg of it goes back to recovery at the works)."""
    fp = model.footprint()
    assert fp.detail.filter(pl.col("stage") == "transport")["shipped_kg"].to_list() == pytest.approx(
        [1.0, 1.0], rel=1e-12)
    assert fp.by_stage(scenario="north").filter(pl.col("stage") == "transport")["value"][0] == pytest.approx(
        0.01, rel=1e-12)


def test_lca_run_and_report_handle_the_loop(tmp_path, cli):
    r = cli("run", LOOP, "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = [line.split(",") for line in r.stdout.splitlines()[1:]]
    got = {(s, st): float(v) for s, st, v, *_ in rows}
    for sid, want in STAGES.items():
        for stage, value in want.items():
            assert got[(sid, stage)] == pytest.approx(value, rel=1e-12)
    r = cli("report", LOOP, "-o", tmp_path / "loop.html", "--timestamp", TS)
    assert r.exit_code == 0, r.output
    page = html.unescape((tmp_path / "loop.html").read_text(encoding="utf-8"))
    assert "Made at the north works" in page and "Made at the south works" in page


@pytest.mark.parametrize("command", [("run",), ("report", "-o", "out.html", "--timestamp", TS), ("validate",)])
def test_the_singular_loop_exits_1_with_a_located_message(tmp_path, cli, monkeypatch, command):
    """0.9 C − 4.5 × 0.2 C = 0: the loop consumes everything it makes."""
    monkeypatch.chdir(tmp_path)
    r = cli(command[0], SINGULAR, *command[1:])
    assert r.exit_code == 1
    assert "Traceback" not in r.stdout + r.stderr
    assert f"{SINGULAR}: scenario 'north'" in r.stderr
    assert "singular" in r.stderr and all(f"'{p}'" in r.stderr for p in ("cam", "pcam", "recovery"))
    assert not (tmp_path / "out.html").exists()


def test_the_documented_loop_is_the_fixture():
    """docs/study-format.md 'A recycling loop' shows the fixture's processes and scenario as they are."""
    import re
    import tomllib

    doc = (Path(__file__).resolve().parents[1] / "docs" / "study-format.md").read_text(encoding="utf-8")
    block = re.search(r"### A recycling loop.*?```toml\n(.*?)```", doc, flags=re.S).group(1)
    shown = tomllib.loads(block)
    fixture = tomllib.loads(LOOP.read_text(encoding="utf-8"))
    strip = lambda p: {k: v for k, v in p.items() if k not in ("name", "stage")}  # noqa: E731
    assert [strip(p) for p in shown["process"]] == [strip(p) for p in fixture["process"]]
    assert {k: v for k, v in shown["scenario"][0].items()} == {
        k: v for k, v in fixture["scenario"][0].items() if k not in ("label", "transport")}
