"""PACT declared units (issue #10, item 9): v2.3 figures per ONE declared unit, v3 per declaredUnitAmount.

The tiny study's one-site scenario emits 1.1997 kg CO2e and weighs 10 g per m² (hand-computed in
tests/test_tiny_study.py). With a declared unit of 2 m² the product is 2 m²: v3 says
``declaredUnitAmount 2 × square meter`` and 2.3994 kg; v2.3 says ``square meter`` with
``unitaryProductAmount 2`` and 1.1997 kg per square meter.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca
from lca.study import study_from_dict

TINY = Path(__file__).resolve().parent / "data" / "tiny"
CREATED = "2026-01-01T00:00:00Z"
COMPANY = {"company_name": "Tiny Co.", "company_ids": ["urn:x:company"], "product_ids": ["urn:x:product"],
           "product_category_cpc": "36390"}
ONE_SITE, MASS = 1.1997, 0.010  # kg CO2e and kg per m²
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _fp(tiny_doc, declared: str, mass: str, **pact) -> lca.Footprint:
    doc = copy.deepcopy(tiny_doc)
    doc["study"].update(COMPANY)
    doc["product"]["declared_unit"], doc["product"]["mass_per_declared_unit"] = declared, mass
    if pact:
        doc["pact"] = pact
    return lca.compute(study_from_dict(doc, base=TINY, file="t"))


def _one(fp, version):
    return lca.export_pact(fp, version, "one-site", created=CREATED)


@pytest.mark.parametrize("declared, mass, amount", [("2 m^2", "20 g", 2.0), ("1000 cm^2", "1 g", 0.1),
                                                    ("1 m^2", "10 g", 1.0)])
def test_v2_is_per_one_unit_and_v3_per_declared_amount(tiny_doc, declared, mass, amount):
    """Was: v2.3 wrote the per-2 m² value (2.3994) under declaredUnit 'square meter'."""
    fp = _fp(tiny_doc, declared, mass, fossil_carbon_content=f"{4 * amount!r} g")
    v2, v3 = _one(fp, "v2")["pcf"], _one(fp, "v3")["pcf"]
    assert v2["declaredUnit"] == v3["declaredUnitOfMeasurement"] == "square meter"
    assert float(v2["unitaryProductAmount"]) == float(v3["declaredUnitAmount"]) == pytest.approx(amount)
    assert float(v2["pCfExcludingBiogenic"]) == pytest.approx(ONE_SITE, abs=1e-10)  # per 1 m²
    assert float(v2["productMassPerDeclaredUnit"]) == pytest.approx(MASS, abs=1e-10)
    assert float(v2["fossilCarbonContent"]) == pytest.approx(0.004, abs=1e-12)  # 4 g per m²
    assert float(v3["pcfExcludingBiogenicUptake"]) == pytest.approx(ONE_SITE * amount, abs=1e-10)  # per product
    assert float(v3["productMassPerDeclaredUnit"]) == pytest.approx(MASS * amount, abs=1e-10)
    assert float(v3["fossilCarbonContent"]) == pytest.approx(0.004 * amount, abs=1e-12)
    for key in ("fossilGhgEmissions", "pCfIncludingBiogenic"):
        assert float(v2[key]) == pytest.approx(ONE_SITE, abs=1e-10)
    assert float(v3["outboundLogisticsGhgEmissions"]) == pytest.approx(0.0001 * amount, abs=1e-10)


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_two_square_meter_exports_validate_against_the_official_schema(tiny_doc, version):
    from tests.test_export_pact import pact_validator

    validator = pact_validator(version)
    fp = _fp(tiny_doc, "2 m^2", "20 g")
    for doc in lca.export_pact(fp, version, created=CREATED):
        assert [e.message for e in validator.iter_errors(doc)] == []


def _buggy_v2(fp) -> list[dict]:
    """The v2.3 file main wrote for a 2 m² declared unit: every figure per 2 m² under 'square meter'."""
    docs = lca.export_pact(fp, "v2", created=CREATED)
    for d in docs:
        pcf, n = d["pcf"], float(d["pcf"]["unitaryProductAmount"])
        for key in ("pCfExcludingBiogenic", "pCfIncludingBiogenic", "fossilGhgEmissions", "productMassPerDeclaredUnit",
                    "otherBiogenicGhgEmissions", "biogenicCarbonWithdrawal", "aircraftGhgEmissions"):
            pcf[key] = lca.disclosure.pact.build.decimal(float(pcf[key]) * n)
    return docs


def test_lca_check_with_the_study_catches_per_product_values(tmp_path, cli):
    """`lca check` passed the per-2 m² file: the JSON alone is self-consistent. With --study it fails."""
    text = (TINY / "study.toml").read_text(encoding="utf-8")
    company = "\n".join(f"{k} = {json.dumps(v)}" for k, v in COMPANY.items())
    text = text.replace('declared_unit = "1 m^2"', 'declared_unit = "2 m^2"').replace(
        'mass_per_declared_unit = "10 g"', 'mass_per_declared_unit = "20 g"').replace(
        'cell_plant = "plant"', 'cell_plant = "plant"\n' + company)
    (tmp_path / "factors.csv").write_text((TINY / "factors.csv").read_text(encoding="utf-8"), encoding="utf-8")
    study = tmp_path / "s.toml"
    study.write_text(text, encoding="utf-8")
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    assert cli("export", study, "--format", "pact-v2", "--created", CREATED, "-o", good).exit_code == 0
    bad.write_text(json.dumps(_buggy_v2(lca.compute(lca.load_study(study)))), encoding="utf-8")
    assert cli("check", bad).exit_code == 0  # shape and arithmetic alone cannot see it
    r = cli("check", bad, "--study", study)
    assert r.exit_code == 1
    assert r.output.count("[per-declared-unit]") == 3  # every scenario
    assert "pCfExcludingBiogenic × unitaryProductAmount = 4.7988" in r.output
    assert "per one square meter the PCF is 1.1997" in r.output
    ok = cli("check", good, "--study", study)
    assert ok.exit_code == 0 and "agree with the study" in ok.output, ok.output


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_default_study_exports_pass_check_against_the_study(tmp_path, cli, version):
    out = tmp_path / "pcf.json"
    assert cli("export", "--format", f"pact-{version}", "--created", CREATED, "-o", out).exit_code == 0
    r = cli("check", out, "--study", lca.default_study_path())
    assert r.exit_code == 0, r.output
    r = cli("check", out, "--study", lca.default_study_path(), "--gwp", "AR5")  # other method: other ids
    assert r.exit_code == 1 and r.output.count("[study-match]") == 6


def test_unmatched_footprints_compare_with_the_named_scenario(default_fp):
    from lca.disclosure.pact.crosscheck import check_against_study

    doc = lca.export_pact(default_fp, "v3", "ontario", created=CREATED)
    doc["id"] = "00000000-0000-4000-8000-000000000000"
    assert [p.message[:13] for p in check_against_study(doc, "v3", default_fp)] == ["[study-match]"]
    assert check_against_study(doc, "v3", default_fp, scenario="ontario") == []
    problems = check_against_study(doc, "v3", default_fp, scenario="jp-import")
    # ontario's reference period is its planned first year 2027, jp-import's 2025 (#13: compared too)
    assert [p.message.split("]")[0] for p in problems] == ["[per-declared-unit", "[reference-period"]


@SETTINGS
@given(amount=st.sampled_from([0.5, 1.0, 2.0, 3.0, 10.0, 0.25]), spelling=st.sampled_from(["m^2", "cm^2"]),
       k=st.sampled_from([0.5, 2.0, 1.01]))
def test_per_product_figures_agree_across_versions_and_wrong_ones_are_caught(tiny_doc, amount, spelling, k):
    """Invariant: v2 figure × unitaryProductAmount = v3 figure = the study total per declared unit; a
    file whose figure is off by a factor k is flagged by the study check (and only by it)."""
    from lca.disclosure.pact.crosscheck import check_against_study

    value = amount if spelling == "m^2" else amount * 1e4
    fp = _fp(tiny_doc, f"{value!r} {spelling}", f"{10 * amount!r} g")
    v2, v3 = _one(fp, "v2"), _one(fp, "v3")
    want = fp.total("one-site").value
    assert want == pytest.approx(ONE_SITE * amount, rel=1e-9)
    assert float(v2["pcf"]["pCfExcludingBiogenic"]) * float(v2["pcf"]["unitaryProductAmount"]) == \
        pytest.approx(want, rel=1e-8)
    assert float(v3["pcf"]["pcfExcludingBiogenicUptake"]) == pytest.approx(want, rel=1e-8)
    assert check_against_study(v2, "v2", fp) == [] and check_against_study(v3, "v3", fp) == []
    for version, doc, key in (("v2", v2, "pCfExcludingBiogenic"), ("v3", v3, "pcfExcludingBiogenicUptake")):
        wrong = copy.deepcopy(doc)
        wrong["pcf"][key] = lca.disclosure.pact.build.decimal(float(doc["pcf"][key]) * k)
        assert [p.message.split("]")[0] for p in check_against_study(wrong, version, fp)] == ["[per-declared-unit"]
