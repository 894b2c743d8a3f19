"""A transport leg ships the flow of its goods into its destination (issue #12, the loop freight bug).

Before, a leg was a per-run row of its goods' MAKER (one run shipping output mass × yield ×
packaging): right only when all of the maker's good output travels that leg. These studies make
a product go two ways; every figure is worked out by hand on the loop fixture's factors
(tests/data/loop/factors.csv: truck 0.1 kg CO2e/tkm).

**Two consumers at two sites** (acyclic): ``salt`` (north) feeds ``part`` (south, 2 kg per run)
and ``final`` (east, 3 kg per run); ``final`` also takes 0.5 kg of ``part``. Runs per kg of
``final`` delivered: F = 1, P = 0.5, S = 3 + 2 × 0.5 = 4. Legs:

* salt north → south, 100 km: P × 2 kg = 1 kg → 0.1 tkm → 0.01 kg CO2e;
* salt north → east, 200 km, packaging factor 1.5: 3 kg × 1.5 = 4.5 kg → 0.9 tkm → 0.09;
* part south → east, 100 km: 0.5 kg → 0.05 tkm → 0.005;
* final east → plant, 100 km: 1 kg → 0.1 tkm → 0.01.

(The maker-based legs shipped S = 4 kg of salt on both salt legs: 0.04 and 0.12.)

**The loop with recovery at another site** (the fixture's north scenario, recovery moved south):
C = P = 20/13, R = 4/13; recovery takes 1.25 kg cathode material per run, 5/13 kg shipped north →
south (100 km: 1/26 tkm → 1/260 kg CO2e), and 1 kg goes to the cell plant (0.01). With recovery
taking 1.5 kg per run: C = P = 5/3, R = 1/3 ⇒ 0.5 kg north → south (0.005); still 1 kg delivered.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

import lca
from test_engine_equivalence import assert_same_detail

LOOP_DIR = Path(__file__).parent / "data" / "loop"
LOOP_DOC = tomllib.loads((LOOP_DIR / "study.toml").read_text(encoding="utf-8"))
TRUCK = 0.1  # kg CO2e/tkm


def _load(doc: dict):
    return lca.study_from_dict(doc, base=LOOP_DIR, file="study.toml")


def _legs(fp, scenario: str) -> dict[str, tuple[float, float]]:
    """``from → to``: (shipped kg, kg CO2e) per declared unit (a leg with several takers is a row each)."""
    rows = (fp.detail.filter((pl.col("scenario") == scenario) & (pl.col("stage") == "transport"))
            .group_by("process", maintain_order=True).agg(pl.col("shipped_kg").sum(), pl.col("value").sum()))
    return {p: (kg, v) for p, kg, v in rows.iter_rows()}


def _leg(frm: str, to: str, km: float, **more) -> dict:
    return {"goods": more.pop("goods"), "from": frm, "to": to, "legs": [{"mode": "looptruck", "distance": f"{km} km"}],
            **more}


def two_consumers_doc() -> dict:
    doc = copy.deepcopy(LOOP_DOC)
    doc["site"].append({"id": "east", "name": "East works", "country": "ZZ", "grid": "ZZ-SOUTH"})
    doc["process"] = [
        {"id": "salt", "stage": "pcam", "output": "1 kg", "output_mass": "1 kg",
         "exchanges": [{"flow": "loop_salts", "amount": "1 kg"}]},
        {"id": "part", "stage": "pcam", "output": "1 kg", "output_mass": "1 kg",
         "exchanges": [{"input": "salt", "amount": "2 kg"}]},
        {"id": "final", "stage": "cam", "output": "1 kg", "output_mass": "1 kg",
         "exchanges": [{"input": "salt", "amount": "3 kg"}, {"input": "part", "amount": "0.5 kg"}]},
    ]
    doc["scenario"] = [{"id": "split", "product": "final",
                        "steps": [{"process": "salt", "site": "north"}, {"process": "part", "site": "south"},
                                  {"process": "final", "site": "east"}],
                        "transport": [_leg("north", "south", 100, goods="salt"),
                                      _leg("north", "east", 200, goods="salt", packaging_factor=1.5),
                                      _leg("south", "east", 100, goods="part"),
                                      _leg("east", "cell_plant", 100, goods="final")]}]
    doc.pop("comparison", None)
    return doc


def test_each_leg_carries_what_its_consumer_takes():
    fp = lca.compute(_load(two_consumers_doc()))
    got = _legs(fp, "split")
    want = {"north → south": (1.0, 0.01), "north → east": (4.5, 0.09), "south → east": (0.5, 0.005),
            "east → plant": (1.0, 0.01)}
    assert got.keys() == want.keys()
    for k, (kg, v) in want.items():
        assert got[k] == (pytest.approx(kg, rel=1e-12), pytest.approx(v, rel=1e-12)), k


def _loop_split_doc(recovery_takes: str = "1.25 kg") -> dict:
    doc = copy.deepcopy(LOOP_DOC)
    doc["process"][2]["exchanges"][0]["amount"] = recovery_takes
    north = doc["scenario"][0]
    north["steps"][2]["site"] = "south"
    north["transport"].append(_leg("north", "south", 100, goods="cam"))
    return doc


def test_in_a_loop_the_internal_leg_follows_the_loop_and_the_delivery_stays_one_kg():
    model = lca.build_model(_load(_loop_split_doc()))
    got = _legs(model.footprint(), "north")
    assert got["north → plant"] == (pytest.approx(1.0, rel=1e-12), pytest.approx(0.01, rel=1e-12))
    assert got["north → south"] == (pytest.approx(5 / 13, rel=1e-12), pytest.approx(1 / 260, rel=1e-12))
    changed = model.evaluate({"process.recovery.cam": "1.5 kg"})
    got = _legs(changed, "north")
    assert got["north → plant"] == (pytest.approx(1.0, rel=1e-12), pytest.approx(0.01, rel=1e-12))
    assert got["north → south"] == (pytest.approx(0.5, rel=1e-12), pytest.approx(0.005, rel=1e-12))
    assert_same_detail(changed.detail, lca.compute(_load(_loop_split_doc("1.5 kg"))).detail)


def test_sampled_yields_leave_the_delivered_freight_alone():
    """A yield moves the runs, not what is delivered: the transport stage is 0.01 in every draw,
    while the cathode material stage (2 kWh × C × 0.5, C = 1 / (y − 0.25)) follows the draws."""
    model = lca.build_model(lca.load_study(LOOP_DIR / "study.toml"))
    ys = np.array([0.6, 0.75, 0.9, 1.0])
    s = model.sample({"process.cam.yield": ys / 0.9})
    stage = lambda name: s.values[:, ((s.groups["scenario"] == "north")  # noqa: E731
                                      & (s.groups["stage"] == name)).to_numpy()][:, 0]
    assert stage("transport") == pytest.approx([0.01] * 4, rel=1e-12)
    assert stage("cam") == pytest.approx(1.0 / (ys - 0.25), rel=1e-12)


def _with_output_parameter(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc["parameters"] = {"part_out": "1 kg"}
    doc["process"][1]["output"] = "part_out"
    return doc


@settings(max_examples=15, deadline=None)
@given(takes=st.floats(0.1, 10), y=st.floats(0.2, 1.0), mass=st.floats(0.1, 10), out=st.floats(0.1, 10))
def test_changing_what_a_leg_carries_equals_a_rebuild(takes, y, mass, out):
    """An input, a yield, an output mass and an output (through a parameter) of a product that goes
    two ways: Model.evaluate moves each leg as a rebuild of the changed study does."""
    base = _with_output_parameter(two_consumers_doc())
    model = lca.build_model(_load(base))
    got = model.evaluate({"process.part.salt": f"{takes} kg", "process.salt.yield": y,
                          "process.salt.output_mass": f"{mass} kg", "parameter.part_out": f"{out} kg"})
    doc = copy.deepcopy(base)
    doc["process"][1]["exchanges"][0]["amount"] = f"{takes} kg"
    doc["process"][0]["yield"] = y
    doc["process"][0]["output_mass"] = f"{mass} kg"
    doc["parameters"]["part_out"] = f"{out} kg"
    assert_same_detail(got.detail, lca.compute(_load(doc)).detail)
    # the same changes as draws (one iteration), through the sampler
    s = model.sample({"process.part.salt": np.array([takes / 2]), "process.salt.yield": np.array([y]),
                      "process.salt.output_mass": np.array([mass]), "parameter.part_out": np.array([out])})
    assert s.total("split")[0] == pytest.approx(got.total("split").value, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 4), loop=st.booleans(), data=st.data())
def test_a_chain_ships_one_declared_unit_to_the_cell_plant(n, loop, data):
    """Random chains, with or without a recovery loop (``r``, at the first process's site, takes part
    of the delivered product back and feeds the first process): whatever the yields, inputs, output
    sizes and sites, the leg to the cell plant ships the declared unit's mass × packaging, and every
    other leg the mass its consumer takes (runs × input × output mass / output of the goods)."""
    doc = copy.deepcopy(LOOP_DOC)
    draw = lambda s: data.draw(s)  # noqa: E731
    procs, steps, transport, want = [], [], [], []
    outs = [draw(st.floats(0.1, 10)) for _ in range(n)]
    masses = [draw(st.floats(0.1, 10)) for _ in range(n)]
    takes = [draw(st.floats(0.1, 10)) for _ in range(n)]
    ys = [draw(st.floats(0.3, 1.0)) for _ in range(n)]
    where = [draw(st.sampled_from(["north", "south"])) for _ in range(n)]
    for i in range(n):
        ex = [{"flow": "loop_power", "amount": "1 kWh"}]
        if i:
            ex.append({"input": f"p{i - 1}", "amount": f"{takes[i]!r} kg"})
        procs.append({"id": f"p{i}", "stage": "cam", "output": f"{outs[i]!r} kg", "output_mass": f"{masses[i]!r} kg",
                      "yield": ys[i], "exchanges": ex})
        steps.append({"process": f"p{i}", "site": where[i]})
        if i and where[i] != where[i - 1]:
            transport.append(_leg(where[i - 1], where[i], 100, goods=f"p{i - 1}"))
            want.append((f"p{i}", takes[i], i - 1))
    if loop:  # r takes t kg of the last product per run; p0 takes a of r: loop gain g < 1 fixes a
        t, g = draw(st.floats(0.1, 2.0)), draw(st.floats(0.05, 0.8))
        rest = t / (outs[-1] * ys[-1]) * float(np.prod([takes[i] / (outs[i - 1] * ys[i - 1]) for i in range(1, n)]))
        procs.append({"id": "r", "stage": "recovery", "output": "1 kg", "exchanges": [
            {"input": f"p{n - 1}", "amount": f"{t!r} kg"}]})
        procs[0]["exchanges"].append({"input": "r", "amount": f"{g / rest!r} kg"})
        steps.append({"process": "r", "site": where[0]})
        if where[-1] != where[0]:
            transport.append(_leg(where[-1], where[0], 100, goods=f"p{n - 1}"))
            want.append(("r", t, n - 1))
    pf = draw(st.floats(1.0, 1.5))
    transport.append(_leg(where[-1], "cell_plant", 50, goods=f"p{n - 1}", packaging_factor=pf))
    doc["process"] = procs
    doc["scenario"] = [{"id": "chain", "product": f"p{n - 1}", "steps": steps, "transport": transport}]
    doc.pop("comparison", None)
    model = lca.build_model(_load(doc))
    runs = dict(model.scaling().select("process", "runs").iter_rows())
    kg = [runs[c] * amount * masses[g] / outs[g] for c, amount, g in want]
    shipped = model.footprint().detail.filter(pl.col("stage") == "transport")["shipped_kg"].to_list()  # in travel order
    assert shipped == pytest.approx([*kg, masses[-1] / outs[-1] * pf], rel=1e-12)  # the declared unit is 1 kg


def test_a_moved_allocation_moves_the_legs_into_the_process():
    """``final`` shares its burden by mass with a 1 kg co-product: share 1 kg / 2 kg = 1/2, so each
    input — and the legs bringing it — is half: salt north → east 1.5 kg × 1.5 packaging = 2.25 kg.
    Its output mass at 3 kg: share 3/4, salt north → east 3.375 kg (and a rebuild agrees)."""
    doc = two_consumers_doc()
    doc["process"][2]["coproducts"] = [{"id": "dust", "amount": "1 kg"}]
    doc["process"][2]["allocation"] = {"method": "mass", "reason": "test"}
    model = lca.build_model(_load(doc))
    assert _legs(model.footprint(), "split")["north → east"][0] == pytest.approx(2.25, rel=1e-12)
    got = model.evaluate({"process.final.output_mass": "3 kg"})
    assert _legs(got, "split")["north → east"][0] == pytest.approx(3.375, rel=1e-12)
    assert _legs(got, "split")["east → plant"][0] == pytest.approx(3.0, rel=1e-12)
    doc["process"][2]["output_mass"] = "3 kg"
    assert_same_detail(got.detail, lca.compute(_load(doc)).detail)


def test_a_leg_carries_what_travels_on_from_its_destination():
    """Salt routed through the south works: north → south carries what ``part`` takes there (1 kg)
    and the 3 kg going on to ``final`` (4 kg); south → east the 3 kg (200 km: 0.06), beside the
    0.5 kg of ``part`` (100 km: 0.005). (Counting only what is taken at the destination gave
    north → south 1 kg; the maker's whole output, 4 kg on both salt legs.)"""
    doc = two_consumers_doc()
    doc["scenario"][0]["transport"][1] = _leg("south", "east", 200, goods="salt")
    got = _legs(lca.compute(_load(doc)), "split")
    assert got["north → south"] == (pytest.approx(4.0, rel=1e-12), pytest.approx(0.04, rel=1e-12))
    assert got["south → east"] == (pytest.approx(3.5, rel=1e-12), pytest.approx(0.065, rel=1e-12))


def test_in_a_loop_a_hub_on_the_way_to_the_cell_plant_carries_the_delivered_kg():
    """The fixture's cathode material goes north → south (nothing there takes it: a hub) → plant:
    1 kg on both legs, not the 18/13 kg made (recovery keeps 5/13 kg at the north works)."""
    doc = copy.deepcopy(LOOP_DOC)
    doc["scenario"][0]["transport"] = [_leg("north", "south", 100, goods="cam"),
                                       _leg("south", "cell_plant", 100, goods="cam")]
    got = _legs(lca.compute(_load(doc)), "north")
    assert got == {"north → south": (pytest.approx(1.0, rel=1e-12), pytest.approx(0.01, rel=1e-12)),
                   "south → plant": (pytest.approx(1.0, rel=1e-12), pytest.approx(0.01, rel=1e-12))}


# ------------------------------------------------------------ packaging of a shipped output (#13 item 1)
def _with_salt_packaging(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc["process"][0]["packaging"] = [{"flow": "loop_salts", "amount": "0.1 kg"}]  # per output of salt
    return doc


def _packaging(fp, scenario: str) -> float:
    """kg of packaging material charged per declared unit (salts, 2 kg CO2e/kg: value / 2)."""
    rows = fp.detail.filter((pl.col("scenario") == scenario) & (pl.col("stage") == "packaging"))
    return float(rows.get_column("value").sum()) / 2.0


def test_packaging_is_charged_on_the_flow_each_element_ships():
    """Two consumers: north → south carries 1 kg (1 output of salt), north → east 3 kg (the packaging
    factor changes the shipped mass, not the packaging materials): 0.1 × (1 + 3) = 0.4 kg. Charged on
    the maker's whole good output per element it was 0.1 × 4 kg × 2 elements = 0.8 kg."""
    fp = lca.compute(_load(_with_salt_packaging(two_consumers_doc())))
    assert _packaging(fp, "split") == pytest.approx(0.4, rel=1e-12)


def test_in_a_loop_packaging_follows_the_delivered_and_the_internal_flow():
    """cam packaged 0.1 kg per output: 1 kg delivered → 0.1 kg; 5/13 kg shipped north → south for
    the recovery → 0.5/13 kg. On the maker's whole output it was 0.1 × 0.9 × 20/13 per element."""
    doc = _loop_split_doc()
    doc["process"][0]["packaging"] = [{"flow": "loop_salts", "amount": "0.1 kg"}]
    model = lca.build_model(_load(doc))
    assert _packaging(model.footprint(), "north") == pytest.approx(0.1 + 0.5 / 13, rel=1e-12)
    changed = model.evaluate({"process.recovery.cam": "1.5 kg", "process.cam.yield": 0.8})
    doc2 = _loop_split_doc("1.5 kg")
    doc2["process"][0]["packaging"] = doc["process"][0]["packaging"]
    doc2["process"][0]["yield"] = 0.8
    assert_same_detail(changed.detail, lca.compute(_load(doc2)).detail)


def test_changing_what_packaging_travels_with_equals_a_rebuild():
    base = _with_output_parameter(_with_salt_packaging(two_consumers_doc()))
    got = lca.build_model(_load(base)).evaluate({"process.part.salt": "4 kg", "process.salt.yield": 0.5,
                                                  "parameter.part_out": "2 kg"})
    doc = copy.deepcopy(base)
    doc["process"][1]["exchanges"][0]["amount"] = "4 kg"
    doc["process"][0]["yield"] = 0.5
    doc["parameters"]["part_out"] = "2 kg"
    assert_same_detail(got.detail, lca.compute(_load(doc)).detail)
