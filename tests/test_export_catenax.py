"""Catena-X exports (#16 item 4): the PCF data model 9.0.0 and the battery-component-supplier PCF 1.0.0.

Every scenario of both shipped studies validates against the Catena-X JSON Schemas (read from
``../shared/reference/catenax`` or ``LCA_CATENAX_DIR``; absent, the tests skip locally and fail in CI),
the figures equal the PACT v3 export's (hand relations below), and a golden file pins each format.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lca
from lca.disclosure.catenax import export_battery_component, export_catenax_pcf
from lca.disclosure.pact import export_pact
from lca.errors import ExportCheckError
from tests.catenax_schemas import catenax_validator
from tests.golden.make_catenax_goldens import CREATED, FILES, render, study_path

GOLDEN = Path(__file__).parent / "golden"
PCF_SCHEMA = "io.catenax.pcf-9.0.0-Pcf-schema.json"
COMPONENT_SCHEMA = "io.catenax.pcf_for_battery_component_supplier-1.0.0-PcfForBatteryComponentSupplier-schema.json"
STUDIES = ("default", "ncma-pouch-na")


def _validator(file: str):
    """The whole-document validator of a Catena-X aspect schema (its root object, not a component)."""
    from tests.catenax_schemas import CATENAX_DIR

    path = CATENAX_DIR / file
    if not path.is_file():
        catenax_validator(file, "x")  # skips with the Catena-X reason
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


@pytest.fixture(scope="module")
def footprints():
    return {name: lca.compute(lca.load_study(study_path(name))) for name in STUDIES}


@pytest.mark.parametrize("study", STUDIES)
def test_catenax_pcf_validates_for_every_scenario(footprints, study):
    v = _validator(PCF_SCHEMA)
    fp = footprints[study]
    docs = export_catenax_pcf(fp, created=CREATED)
    assert len(docs) == len(fp.scenarios)
    for doc in docs:
        errors = sorted(v.iter_errors(doc), key=str)
        assert not errors, "\n".join(e.message + " at " + "/".join(map(str, e.path)) for e in errors[:5])


@pytest.mark.parametrize("study", STUDIES)
def test_battery_component_validates_for_every_scenario(footprints, study):
    v = _validator(COMPONENT_SCHEMA)
    fp = footprints[study]
    docs = export_battery_component(fp, created=CREATED)
    assert len(docs) == len(fp.scenarios)
    for doc in docs:
        errors = sorted(v.iter_errors(doc), key=str)
        assert not errors, "\n".join(e.message + " at " + "/".join(map(str, e.path)) for e in errors[:5])


@pytest.mark.parametrize("study", STUDIES)
def test_catenax_pcf_figures_are_the_pact_v3_figures(footprints, study):
    """production + distribution = PACT total; DQRs, primary share, exempted % and mass are PACT's."""
    fp = footprints[study]
    for s in fp.scenarios:
        pact = export_pact(fp, "v3", s, created=CREATED)["pcf"]
        cx = export_catenax_pcf(fp, s, created=CREATED)
        stages = cx["productLifeCycleStagesAndEmissions"][0]
        prod = stages["productionStage"][0]["pcfExcludingBiogenicUptake"]
        dist = stages["distributionStage"][0].get("distributionStagePcfExcludingBiogenicUptake", 0.0)
        assert prod + dist == pytest.approx(float(pact["pcfExcludingBiogenicUptake"]), abs=1e-9)
        assert stages["distributionStage"][0]["distributionStageIncluded"] == ("outboundLogisticsGhgEmissions" in pact)
        q = cx["pcfAssessmentAndMethodology"][0]["dataSourcesAndQuality"][0]
        assert q["technologicalDQR"] == float(pact["dqi"]["technologicalDQR"])
        assert q["primaryDataShare"] == float(pact["primaryDataShare"])
        info = cx["pcfAssessmentAndMethodology"][0]["pcfAssessmentInformation"][0]
        assert info["boundarySpecifications"][0]["exemptedEmissionsPercent"] == float(pact["exemptedEmissionsPercent"])
        kind = fp.outlook.filter(fp.outlook["scenario"] == s)["outlook"][0]
        assert (info["idAndVersion"][0]["retroOrProspectivePcfType"] == "Retrospective PCF") == (kind == "current")
        prodinfo = cx["companyAndProductInformation"][0]["productInformation"][0]
        assert prodinfo["productMassPerDeclaredUnit"] == float(pact["productMassPerDeclaredUnit"])


def test_separator_per_kg_is_its_per_m2_footprint_over_its_areal_mass(footprints):
    """Hand case: jp-import 0.2079 kg CO2e/m² (tests/test_engine_equivalence.py) ÷ 8.7 g/m² = 23.9 kg CO2e/kg,
    and the document states that conversion."""
    fp = footprints["default"]
    doc = export_battery_component(fp, "jp-import", created=CREATED)
    per_m2 = fp.total("jp-import").value
    assert per_m2 == pytest.approx(0.2079, abs=5e-5)
    abs_value = doc["pcfValues"]["sharesPerStage"]["absPcfValue"]["stageValue"]
    assert abs_value == pytest.approx(per_m2 / 0.0087, rel=1e-9)
    assert abs_value == pytest.approx(23.89, abs=0.01)
    assert doc["pcfValues"]["sharesPerStage"]["declaredUnit"] == "CO2KG/KG"
    conversion = doc["productQualityParameter"][0]
    assert "÷ 0.0087 kg of product per declared unit" in conversion and "square meter" in conversion
    assert "= 23.89" in conversion


@pytest.mark.parametrize("study", STUDIES)
def test_component_stages_add_up_and_end_of_life_is_never_silently_zero(footprints, study):
    fp = footprints[study]
    for doc in export_battery_component(fp, created=CREATED):
        sh = doc["pcfValues"]["sharesPerStage"]
        parts = [sh[k]["stageValue"] for k in ("stage1RawMaterialAquisitionPreProcessing",
                                              "stage2MainProductProduction", "stage3Distribution",
                                              "stage4EndOfLifeRecycling")]
        assert sum(parts) == pytest.approx(sh["absPcfValue"]["stageValue"], rel=1e-9)
        assert sh["stage4EndOfLifeRecycling"]["stageValue"] == 0.0
        assert any(p.startswith("stage4EndOfLifeRecycling: end of life and recycling is not modelled")
                   for p in doc["productQualityParameter"])
        assert "pcfPerformanceClass" not in doc["pcfValues"]


def test_draft_notice_on_catenax_outputs_under_the_rule_pack(footprints):
    fp = footprints["ncma-pouch-na"]
    for doc in export_battery_component(fp, created=CREATED):
        assert any("draft rules, not in force" in p for p in doc["productQualityParameter"])
    for doc in export_catenax_pcf(fp, created=CREATED):
        assert "draft rules, not in force" in doc["general"][0]["comment"]
    # the separator study declares under no rule pack: no notice
    for doc in export_catenax_pcf(footprints["default"], created=CREATED):
        assert "draft rules" not in doc["general"][0]["comment"]


def test_battery_component_without_identifiers_is_a_located_error(tmp_path):
    src = study_path("default").read_text(encoding="utf-8")
    start = src.index("[catenax]")
    end = src.index("[comparison]")
    study = tmp_path / "s.toml"
    study.write_text(src[:start] + src[end:], encoding="utf-8")
    fp = lca.compute(lca.load_study(study))
    with pytest.raises(ExportCheckError) as e:
        export_battery_component(fp, "jp-import")
    p = e.value.problems[0]
    assert p.table == "catenax" and p.file == str(study)


def test_bad_bpn_is_refused_at_load(tmp_path):
    from lca.errors import StudyError

    src = study_path("default").read_text(encoding="utf-8").replace('"BPNL00000000SEPA"', '"BPNL-nope"')
    study = tmp_path / "s.toml"
    study.write_text(src, encoding="utf-8")
    with pytest.raises(StudyError) as e:
        lca.load_study(study)
    assert any(p.column == "legal_identifier" for p in e.value.problems)


@pytest.mark.parametrize("key", list(FILES), ids=["-".join(k) for k in FILES])
def test_golden(key):
    got = render(*key)
    want = (GOLDEN / FILES[key]).read_text(encoding="utf-8")
    assert got == want, f"golden {FILES[key]} differs: python tests/golden/make_catenax_goldens.py, review the diff"


@pytest.mark.parametrize("fmt", ["catenax-pcf", "catenax-battery-component"])
def test_cli_writes_the_golden(cli, tmp_path, fmt):
    out = tmp_path / "cx.json"
    r = cli("export", "--format", fmt, "--created", CREATED, "-o", out)
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8") == (GOLDEN / FILES[("default", fmt)]).read_text(encoding="utf-8")
    r = cli("export", "--format", fmt, "--per", "kWh")
    assert r.exit_code == 2 and "leave out" in " ".join(r.output.replace("│", " ").split())
