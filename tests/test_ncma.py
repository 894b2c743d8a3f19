"""The NCMA cathode fixture (tests/data/ncma, issue #12): a co-product, parameters, and every command.

1 kg of NCMA cathode active material; the precursor is co-precipitated in Korea and makes sodium
sulfate as a co-product (economic allocation, reason stated in the study); the precursor and lithium
hydroxide amounts are expressions of molar masses and of the Li/Me ratio.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import lca
from lca.errors import StudyError

NCMA = Path(__file__).parent / "data" / "ncma" / "study.toml"
TS = "2026-01-01T00:00:00Z"
FORBIDDEN = ("separator", "film", "coating", "cores, wrap and pallets")
STAGES = ["Metal salts and reagents", "Precursor co-precipitation", "Lithiation and calcination",
          "Big bags and pallets", "Freight"]

# molar masses as in the study's [parameters], g/mol
M_ME = 57.641
M_PRE = M_ME + 2 * 17.007          # Me(OH)2 = 91.655
M_CAM = 6.94 + M_ME + 2 * 15.999   # LiMeO2 = 96.579
#: the Korea total by hand (test_the_korea_total_by_hand), kg CO2e per kg of cathode material
NCMA_KOREA = 25.6753046
M_SULF = M_ME + 96.06              # MeSO4 = 153.701
BTU = 1055.05585262                # J per (international) Btu: the EPA natural-gas factors are per MMBtu


@pytest.fixture(scope="module")
def model():
    return lca.build_model(lca.load_study(NCMA))


@pytest.fixture(scope="module")
def fp(model):
    return model.footprint()


def test_the_korea_total_by_hand(fp):
    """Korea, per kg of cathode material delivered to Spring Hill (AR6, location-based, electricity on the
    default basis: life cycle at the point of consumption, #13).

    Runs: calcination 1/0.97 (yield); it needs M_pre/M_cam = 91.655/96.579 kg of precursor per run,
    so precursor runs = (1/0.97) × (91.655/96.579) / 0.98 = 0.998334.
    Economic allocation of a precursor run: precursor 0.98 kg × 12 USD/kg = 11.76 USD, sodium sulfate
    (142.04/91.655 = 1.5497 kg) × 0.10 USD/kg = 0.15497 USD → precursor share 11.76/11.91497 = 0.986993.
    Precursor run (× share × runs):
      metal sulfates 153.701/91.655 = 1.67695 kg × 6.0      NaOH 2 × 39.997/91.655 = 0.87277 kg × 1.2
      electricity 3 kWh × KR = (0.36097 direct + 0.06176 upstream) / (1 − 0.0354 KEPCO loss) = 0.438244
      natural gas 8 MJ × (53.06 kg CO2 + 1 g CH4 × 29.8 + 0.1 g N2O × 273)/MMBtu + 0.06512 kg/kWh upstream
      (LNG: Korea's supply route)
    Calcination run (× 1/0.97):
      LiOH·H2O 1.03 × 41.96/96.579 = 0.44749 kg × 15.0     electricity 12 kWh × KR
      polypropylene 0.01 kg × 2.57757                       wood pallet 0.04 kg × 0.269504
    Freight, 1.05 kg shipped: trucks (150 + 650) km × 0.12522 kg/tkm, ship 18 150 km × 0.01553 kg/tkm.
    Precursor 12.781196 + calcination 12.379314 + freight 0.401148 = 25.561658 kg CO2e/kg
    (before #13, KR official 0.4173 and pipeline upstream: 25.164207). Since #13, every material also
    comes in by its default inbound leg (factors/logistics/inbound.csv, KR '*': 300 km truck, 0.3 ×
    0.12522 = 0.037566 kg CO2e per kg): (precursor materials 2.54972 kg × runs × share + calcination
    materials 0.49749 kg × 1/0.97) × 0.037566 = 0.113646 → NCMA_KOREA.
    """
    share = 0.98 * 12 / (0.98 * 12 + 0.10 * 142.04 / M_PRE)
    r_cal = 1 / 0.97
    r_pre = r_cal * (M_PRE / M_CAM) / 0.98
    gas = 53.06 / BTU + 1e-3 * 29.8 / BTU + 1e-4 * 273 / BTU + 0.06512 / 3.6  # kg CO2e per MJ
    kr = (0.36097 + 0.06176) / (1 - 0.0354)  # kg CO2e per kWh
    precursor = M_SULF / M_PRE * 6.0 + 2 * 39.997 / M_PRE * 1.2 + 3 * kr + 8 * gas
    calcination = 1.03 * 41.96 / M_CAM * 15.0 + 12 * kr + 0.01 * 2.57757 + 0.04 * 0.269504
    freight = 1.05 * (150 + 650) / 1000 * 0.12522 + 1.05 * 18150 / 1000 * 0.01553
    inbound = 0.3 * 0.12522 * (r_pre * share * (M_SULF / M_PRE + 2 * 39.997 / M_PRE)
                                + r_cal * (1.03 * 41.96 / M_CAM + 0.01 + 0.04))
    expected = r_pre * share * precursor + r_cal * calcination + freight + inbound
    assert expected == pytest.approx(NCMA_KOREA, abs=1e-6)
    assert fp.total("korea").value == pytest.approx(expected, rel=1e-9)
    alloc = fp.frames["allocation"]
    assert alloc.select("output", "method").rows() == [("precursor", "economic"), ("sodium_sulfate", "economic")]
    assert alloc.get_column("factor").to_list() == pytest.approx([share, 1 - share], rel=1e-12)
    assert "the line is run for the precursor" in alloc.get_column("reason")[0]


def test_amounts_are_expressions_of_the_parameters(fp):
    ex = fp.study.expressions
    used = {n for names in ex.get_column("names") for n in names}
    assert {"li_me", "M_precursor", "M_cam", "M_na2so4"} <= used
    lioh = ex.filter(ex["expression"].str.contains("li_me"))
    assert lioh.get_column("value").to_list() == pytest.approx([1.03 * 41.96 / M_CAM], rel=1e-12)
    na2so4 = ex.filter(ex["table"].str.contains("coproduct"))
    assert na2so4.get_column("value").to_list() == pytest.approx([142.04 / M_PRE], rel=1e-12)


def _variant(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    shutil.copytree(NCMA.parent, tmp_path / "ncma")
    path = tmp_path / "ncma" / "study.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


ECONOMIC = 'allocation = { method = "economic", price = "12 USD/kg",'
METHODS = {
    "economic": (),
    "mass": ((ECONOMIC, 'allocation = { method = "mass", price = "12 USD/kg",'),),
    "substitution": ((ECONOMIC, 'allocation = { method = "substitution", price = "12 USD/kg",'),
                     ('price = "0.10 USD/kg", note', 'price = "0.10 USD/kg", substitutes = "sodium_hydroxide", note')),
}
CHANGES = {"parameter.M_na2so4": ('M_na2so4 = "142.04 g/mol"', 'M_na2so4 = "284.08 g/mol"', "284.08 g/mol"),
           "parameter.M_me": ('M_me = "57.641 g/mol"', 'M_me = "60 g/mol"', "60 g/mol")}


@pytest.mark.parametrize("method", sorted(METHODS))
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_parameter_that_feeds_a_coproduct_amount_moves_its_allocation(tmp_path, method, change):
    """Before: Model.evaluate left the allocation (and the study's co-product) as they were when a
    parameter changed a co-product's amount — the precursor kept its old share, silently."""
    old, new, value = CHANGES[change]
    model = lca.build_model(lca.load_study(_variant(tmp_path / "a", *METHODS[method])))
    rebuilt = lca.compute(lca.load_study(_variant(tmp_path / "b", *METHODS[method], (old, new))))
    got = model.evaluate({change: value})
    for sid in ("korea", "ontario", "tennessee"):
        assert got.total(sid).value == pytest.approx(rebuilt.total(sid).value, rel=1e-12)
    factors = [got.frames["allocation"].get_column("factor").fill_null(-1.0).to_list(),
               rebuilt.frames["allocation"].get_column("factor").fill_null(-1.0).to_list()]  # -1: a credit
    assert factors[0] == pytest.approx(factors[1], rel=1e-12)
    assert got.study.coproducts.get_column("amount").to_list() == pytest.approx(
        rebuilt.study.coproducts.get_column("amount").to_list(), rel=1e-12)


def test_sampling_a_parameter_that_moves_an_allocation_is_refused(model):
    with pytest.raises(StudyError, match="moves the allocation of process 'precursor'"):
        model.sample({"parameter.M_na2so4": np.array([1.0, 1.1])})
    s = model.sample({"parameter.li_me": np.array([1.0, 1.05])})  # lithium ratio: no allocation involved
    assert s.total("korea")[0] == pytest.approx(model.footprint().total("korea").value, rel=1e-12)
    assert s.total("korea")[1] == pytest.approx(model.evaluate({"parameter.li_me": 1.03 * 1.05})
                                                .total("korea").value, rel=1e-12)


def test_every_stage_table_and_chart_lists_the_stages_in_the_study_order(fp):
    """Every table or chart of the report (with uncertainty) that lists all five stages lists them in
    the study's order; the stage tables and charts are all among them."""
    from lca.report import render_html
    from lca.uncertainty import run_uncertainty

    page = render_html(fp, timestamp=TS, uncertainty=run_uncertainty(fp, 300, 1))
    assert [w for w in FORBIDDEN if w in html.unescape(page).lower()] == []
    complete = []
    for sid, body in re.findall(r'<section id="([a-z]+)">(.*?)</section>', page, flags=re.S):
        for m in re.finditer(r"<(table|svg)\b.*?</\1>", body, flags=re.S):
            found = sorted((x for x in STAGES if x in m.group(0)), key=m.group(0).index)
            if len(found) == len(STAGES):
                assert found == STAGES, sid
                complete.append(sid)
    assert complete == ["summary", "boundary", "results", "comparison", "comparison"]


def test_the_report_and_pact_export_state_the_allocation(fp):
    """Before: both said 'No allocation: every process has one product' for this study."""
    from lca.disclosure.pact import export_pact
    from lca.report import render_html

    page = render_html(fp, timestamp=TS)
    part = html.unescape(page.split("<h3>Allocation</h3>", 1)[1].split("<h3>", 1)[0]).replace("\u202f", " ")
    assert "No allocation" not in part
    assert "<td>sodium_sulfate</td><td>allocation by economic value</td><td class=\"num\">1.301 %</td>" in part
    doc = export_pact(fp, "v3", "korea", created=TS, check=False)
    text = doc["pcf"]["allocationRulesDescription"]
    assert text.startswith("Co-products (ISO 14067 6.4.6): process 'precursor': allocation by economic value, shares "
                           "of the process's burden: precursor 98.7 %, sodium_sulfate 1.301 %; reason:")
    assert "the line is run for the precursor" in text


def test_every_command_works_on_it(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("LCA_PACT_DIR", "/work/shared/reference/pact")
    r = cli("run", NCMA, "--format", "csv")
    assert r.exit_code == 0, r.output
    korea = [line.split(",") for line in r.stdout.splitlines() if line.startswith("korea,")]
    assert sum(float(x[2]) for x in korea) == pytest.approx(NCMA_KOREA, rel=1e-9)  # 25.164207 before #13
    r = cli("report", NCMA, "-o", tmp_path / "r.html", "--timestamp", TS)
    assert r.exit_code == 0, r.output
    page = html.unescape((tmp_path / "r.html").read_text(encoding="utf-8")).lower()
    assert [w for w in FORBIDDEN if w in page] == []
    r = cli("export", NCMA, "--format", "pact-v3", "--scenario", "korea", "-o", tmp_path / "p.json",
            "--created", TS)
    assert r.exit_code == 0, r.output
    doc = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert float(doc["pcf"]["pcfExcludingBiogenicUptake"]) == pytest.approx(NCMA_KOREA, abs=1e-6)
    assert [w for w in FORBIDDEN if w in json.dumps(doc).lower()] == []
    r = cli("validate", NCMA.parent)
    assert r.exit_code == 0, r.output
    assert "every file is valid" in r.output
