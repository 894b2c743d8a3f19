"""Methodology checks: each broken rule gives exactly one clear message; the CLI exits 1."""

from __future__ import annotations

import copy
import json

import pytest

CREATED = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def good(default_fp):
    import lca

    return {v: lca.export_pact(default_fp, v, "jp-import", created=CREATED) for v in ("v2", "v3")}


def rules(problems):
    return [p.message[1:].split("]")[0] for p in problems]


def test_inconsistent_v2_footprint_fails_once_per_broken_rule(good):
    """Acceptance: parts not adding up, exemptions 5 %, DQR 4 in v2.3 → three messages, one each."""
    from lca.disclosure import check_pact

    doc = copy.deepcopy(good["v2"])
    doc["pcf"]["fossilGhgEmissions"] = "0.1"           # total stays 0.2079… (#13; was 0.1886…)
    doc["pcf"]["exemptedEmissionsPercent"] = 5.0
    doc["pcf"]["dqi"]["technologicalDQR"] = 4.0
    problems = check_pact(doc, "v2")
    assert rules(problems) == ["parts-add-up", "exemptions", "dqr-range"]
    parts, exempt, dqr = (p.message for p in problems)
    # 0.188638 before #13 (HDPE default, waste, inbound legs, electricity basis, LNG)
    assert "pCfExcludingBiogenic 0.207853" in parts and "sum of its parts 0.1" in parts
    assert "5 % exceeds the PACT methodology limit of 3 %" in exempt and "v2.3 data model" in exempt
    assert "technologicalDQR=4.0" in dqr and "1–3" in dqr
    assert all(p.table.startswith("footprint #1 (") for p in problems)


def test_same_dqr_is_fine_in_v3(good):
    from lca.disclosure import check_pact

    doc = copy.deepcopy(good["v3"])
    doc["pcf"]["dqi"]["technologicalDQR"] = "4"
    assert check_pact(doc, "v3") == []
    doc["pcf"]["dqi"]["technologicalDQR"] = "5.5"
    assert rules(check_pact(doc, "v3")) == ["dqr-range"]


@pytest.mark.parametrize("version,change,rule", [
    ("v3", lambda d: d["pcf"].update(pcfIncludingBiogenicUptake="0.5"), "biogenic-uptake"),
    ("v3", lambda d: d["pcf"].update(packagingGhgEmissions="0.9"), "parts-within-total"),
    ("v3", lambda d: d["pcf"].update(packagingEmissionsIncluded=False), "packaging-flag"),
    ("v3", lambda d: d.update(validityPeriodEnd="2029-06-01T00:00:00Z"), "validity"),
    ("v3", lambda d: d["pcf"].update(geographyCountrySubdivision="JP-25"), "geography"),
    ("v3", lambda d: d["pcf"].update(ipccCharacterizationFactors=["AR4"]), "gwp"),
    ("v3", lambda d: d["pcf"].update(fossilGhgEmissions=float(d["pcf"]["fossilGhgEmissions"])), "decimals"),
    ("v3", lambda d: d["pcf"].pop("primaryDataShare"), "required-fields"),
    ("v3", lambda d: d["pcf"].update(primaryDataShare="120"), "primary-data-share"),
    ("v2", lambda d: d["pcf"].pop("dqi"), "required-fields"),  # mandatory from 2025 reference periods
    ("v2", lambda d: d.pop("productCategoryCpc"), "required-fields"),
    ("v2", lambda d: d["pcf"]["dqi"].update(coveragePercent=140), "dqr-range"),
])
def test_each_rule_fires_alone(good, version, change, rule):
    from lca.disclosure import check_pact

    doc = copy.deepcopy(good[version])
    change(doc)
    assert rules(check_pact(doc, version)) == [rule]


def test_v2_dqi_optional_before_2025(good):
    from lca.disclosure import check_pact

    doc = copy.deepcopy(good["v2"])
    doc["pcf"].update(referencePeriodStart="2023-01-01T00:00:00Z", referencePeriodEnd="2024-01-01T00:00:00Z")
    doc.update(validityPeriodStart="2024-01-01T00:00:00Z", validityPeriodEnd="2027-01-01T00:00:00Z")
    doc["pcf"].pop("dqi")
    assert check_pact(doc, "v2") == []


def test_exemptions_over_5_in_v2_names_both_limits(good):
    from lca.disclosure import check_pact

    doc = copy.deepcopy(good["v2"])
    doc["pcf"]["exemptedEmissionsPercent"] = 6
    (p,) = check_pact(doc, "v2")
    assert "above the 5 % the v2.3 data model allows" in p.message


def test_cli_check_ok_and_failing(tmp_path, cli, good):
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps([good["v3"]]), encoding="utf-8")
    r = cli("check", ok)
    assert r.exit_code == 0 and "passes the PACT v3" in r.stdout
    doc = copy.deepcopy(good["v2"])
    doc["pcf"]["exemptedEmissionsPercent"] = 5.0
    doc["pcf"]["dqi"]["reliabilityDQR"] = 4.0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    r = cli("check", bad, "--spec", "v2")
    assert r.exit_code == 1
    assert r.stderr.count("[exemptions]") == 1 and r.stderr.count("[dqr-range]") == 1
    assert "Traceback" not in r.stderr


def test_cli_check_bad_json(tmp_path, cli):
    f = tmp_path / "x.json"
    f.write_text("{not json", encoding="utf-8")
    r = cli("check", f)
    assert r.exit_code == 1 and "not valid JSON" in r.stderr


def test_cli_export_writes_nothing_when_a_check_fails(tmp_path, cli):
    study = tmp_path / "study.toml"
    from lca.resources import default_study_path

    text = default_study_path().read_text(encoding="utf-8")
    assert "\n[pact]\n" in text
    study.write_text(text.replace("\n[pact]\n", "\n[pact]\nexempted_emissions_percent = 4\n"), encoding="utf-8")
    out = tmp_path / "pcf.json"
    r = cli("export", study, "--format", "pact-v3", "--created", CREATED, "-o", out)
    assert r.exit_code == 1 and "[exemptions]" in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [study]


def test_cli_export_pact_is_reproducible(tmp_path, cli):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for path in (a, b):
        assert cli("export", "--format", "pact-v2", "--created", CREATED, "-o", path).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert len(json.loads(a.read_text(encoding="utf-8"))) == 6
