"""Supplier footprints (PACT v3 ProductFootprints) as study inputs (#15 item 5), computed by hand.

The supplier's footprint (``FOOTPRINT``): 3.0 kg CO2e per 2 m² (``declaredUnitAmount`` 2) = 1.5 kg
CO2e/m², of which biogenic non-CO2 0.4 per 2 m² = 0.2/m²; primary data share 40 %; DQRs 1.5 / 2 / 1.

The downstream study (1 kg of widget): 2 m² of the supplier's film (primary activity data) and
0.1 kg of dichloromethane to air (shipped factor: 1 kg CH2Cl2 per kg × GWP100 AR6 11.2):

  film   2 m² × 1.5         = 3.0    (fossil 2.6, biogenic non-CO2 0.4)
  DCM    0.1 kg × 11.2      = 1.12   (fossil)
  total                     = 4.12
  primary: 3.0 × 40 %       = 1.2  → primaryDataShare = 1.2 / 4.12 = 29.1262 %

PACT Methodology v3 (§4.2.2, Appendix B): the primary data share is the share of the PCF computed
from primary data; a supplier's PCF contributes its own primary data share of its contribution.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import polars as pl
import pytest

import lca
from lca.disclosure.pact.figures import scenario_figures
from lca.errors import LcaInputError
from lca.results.content import study_hash
from lca.study.received import FolderFootprints

PF_ID = "3f1c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
FOOTPRINT = {
    "id": PF_ID, "specVersion": "3.0.0", "created": "2025-06-01T00:00:00Z", "status": "Active",
    "validityPeriodStart": "2025-06-01T00:00:00Z", "validityPeriodEnd": "2028-01-01T00:00:00Z",
    "companyName": "Film Maker Ltd", "companyIds": ["urn:lca:company:film-maker"], "productDescription": "A film",
    "productIds": ["urn:lca:product:film"], "productNameCompany": "Film A",
    "pcf": {"declaredUnitOfMeasurement": "square meter", "declaredUnitAmount": "2",
            "productMassPerDeclaredUnit": "0.02", "referencePeriodStart": "2024-01-01T00:00:00Z",
            "referencePeriodEnd": "2025-01-01T00:00:00Z", "pcfExcludingBiogenicUptake": "3.0",
            "pcfIncludingBiogenicUptake": "3.0", "fossilGhgEmissions": "2.6", "biogenicNonCO2Emissions": "0.4",
            "fossilCarbonContent": "0", "ipccCharacterizationFactors": ["AR6"], "crossSectoralStandards": ["ISO14067"],
            "exemptedEmissionsPercent": "0", "packagingEmissionsIncluded": False, "primaryDataShare": "40",
            "dqi": {"technologicalDQR": "1.5", "geographicalDQR": "2", "temporalDQR": "1"}},
}
TOTAL, PRIMARY = 4.12, 1.2

STUDY = """\
[study]
id = "downstream"
reference_period = {{ start = 2025-01-01, end = 2025-12-31 }}
company_name = "Widget Co"
company_ids = ["urn:lca:company:widget"]
product_ids = ["urn:lca:product:widget"]
{factors}
[product]
name = "Widget"
declared_unit = "1 kg"
mass_per_declared_unit = "1 kg"

[[site]]
id = "plant"
country = "US"
grid = "US-SRVC"

[[process]]
id = "assembly"
output = "1 kg"
exchanges = [
  {{ supplier_footprint = "{ref}", amount = "{amount}", primary = {primary} }},
  {{ flow = "dichloromethane_to_air", amount = "0.1 kg" }},
]

[[scenario]]
id = "base"
steps = [ {{ process = "assembly", site = "plant" }} ]
"""


def write(tmp: Path, *, ref: str = "supplier.json", amount: str = "2 m^2", primary: str = "true",
          footprint: dict | None = None, factors: str = "", name: str = "study.toml") -> Path:
    (tmp / "supplier.json").write_text(json.dumps(footprint or FOOTPRINT), encoding="utf-8")
    path = tmp / name
    path.write_text(STUDY.format(ref=ref, amount=amount, primary=primary, factors=factors), encoding="utf-8")
    return path


def changed(**pcf) -> dict:
    doc = copy.deepcopy(FOOTPRINT)
    top = {k: pcf.pop(k) for k in list(pcf) if k in ("status", "specVersion", "validityPeriodEnd", "id")}
    doc.update(top)
    doc["pcf"].update(pcf)
    return doc


def figures(fp) -> dict:
    return scenario_figures(fp).row(0, named=True)


def problems_of(exc: pytest.ExceptionInfo) -> str:
    return "\n".join(str(p) for p in exc.value.problems)


# ------------------------------------------------------------------------------ numbers by hand

def test_totals_split_and_primary_share_by_hand(tmp_path):
    fp = lca.compute(lca.load_study(write(tmp_path)))
    f = figures(fp)
    assert f["total"] == pytest.approx(TOTAL, rel=1e-12)
    assert f["fossil"] == pytest.approx(2.6 + 1.12, rel=1e-12)
    assert f["biogenic_non_co2"] == pytest.approx(0.4, rel=1e-12)
    assert f["primary_pct"] == pytest.approx(PRIMARY / TOTAL * 100, rel=1e-12)  # 29.1262 %
    # DQRs: the supplier's ratings rounded up to whole ratings (2, 2, 1), weighted with the DCM factor's
    dcm = lca.load_library().get("emis.dcm-to-air.massbalance")
    assert f["dqr_technological"] == pytest.approx((3.0 * 2 + 1.12 * dcm["dq_technological"]) / TOTAL)
    assert f["dqr_temporal"] == pytest.approx((3.0 * 1 + 1.12 * dcm["dq_temporal"]) / TOTAL)


def test_the_supplier_share_counts_only_on_primary_activity_data(tmp_path):
    """The conservative rule of the engine (docs/api.md "Primary data"): a contribution's primary part
    needs measured activity data; the supplier's share then applies to its footprint."""
    fp = lca.compute(lca.load_study(write(tmp_path, primary="false")))
    assert figures(fp)["primary_pct"] == 0.0


def test_amount_in_other_units_and_the_declared_unit_amount(tmp_path):
    """20000 cm² = 2 m²; a footprint per 2 m² is charged per m² (declaredUnitAmount divides)."""
    fp = lca.compute(lca.load_study(write(tmp_path, amount="20000 cm^2")))
    assert fp.total("base").value == pytest.approx(TOTAL, rel=1e-12)
    per_kg = changed(declaredUnitOfMeasurement="kilogram", declaredUnitAmount="0.5", pcfExcludingBiogenicUptake="1")
    fp = lca.compute(lca.load_study(write(tmp_path, amount="3 kg", footprint=per_kg)))
    assert fp.total("base").value == pytest.approx(3 * 2 + 1.12, rel=1e-12)


def test_lineage_names_the_footprint(tmp_path):
    fp = lca.compute(lca.load_study(write(tmp_path)))
    lin = fp.lineage.filter(pl.col("factor_id") == f"supplier.{PF_ID}").row(0, named=True)
    assert lin["layer"] == "supplier footprints"
    row = fp.library.get(f"supplier.{PF_ID}")
    assert PF_ID in row["source"] and "Film Maker Ltd" in row["source"]
    assert "valid 2025-06-01T00:00:00Z to 2028-01-01T00:00:00Z" in row["notes"]
    assert "primary data share 40 %" in row["notes"]
    sup = fp.study.supplier_footprints.row(0, named=True)
    assert (sup["pf_id"], sup["company_name"], sup["primary_share"], sup["gwp_sets"]) == (PF_ID, "Film Maker Ltd", 0.4,
                                                                                          "AR6")


def test_pact_export_states_the_lineage_and_share(tmp_path):
    from lca.disclosure.pact.build import export_pact

    fp = lca.compute(lca.load_study(write(tmp_path)))
    doc = export_pact(fp, "v3", "base", created="2026-01-01T00:00:00Z")
    assert f"urn:uuid:{PF_ID} (Film Maker Ltd, Film A, primary data share 40 %)" in doc["comment"]
    assert float(doc["pcf"]["primaryDataShare"]) == pytest.approx(PRIMARY / TOTAL * 100, abs=0.01)
    assert float(doc["pcf"]["biogenicNonCO2Emissions"]) == pytest.approx(0.4)
    assert any(PF_ID in s["name"] for s in doc["pcf"]["secondaryEmissionFactorSources"])


def test_the_content_hash_covers_the_footprint(tmp_path):
    h = study_hash(lca.load_study(write(tmp_path)))
    other = tmp_path / "other"
    other.mkdir()
    assert study_hash(lca.load_study(write(other))) == h  # where it is read from is not content
    assert study_hash(lca.load_study(write(other, footprint=changed(pcfExcludingBiogenicUptake="3.1")))) != h


# ------------------------------------------------------------------------------ received store

def test_by_id_and_by_product_id_from_a_received_folder(tmp_path):
    store = FolderFootprints(tmp_path / "received")
    store.put(FOOTPRINT)
    for ref in (f"urn:uuid:{PF_ID}", PF_ID.upper(), "urn:lca:product:film"):
        s = lca.load_study(write(tmp_path, ref=ref), received=tmp_path / "received")
        assert lca.compute(s).total("base").value == pytest.approx(TOTAL)
    # the study may name the folder itself
    s = lca.load_study(write(tmp_path, ref="urn:lca:product:film", factors='[factors]\nreceived = "received"\n'))
    assert lca.compute(s).total("base").value == pytest.approx(TOTAL)


def test_a_product_with_two_active_footprints_is_ambiguous(tmp_path):
    store = FolderFootprints(tmp_path / "received")
    store.put(FOOTPRINT)
    store.put(changed(id="4f1c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b"))
    with pytest.raises(LcaInputError) as exc:
        lca.load_study(write(tmp_path, ref="urn:lca:product:film"), received=tmp_path / "received")
    text = problems_of(exc)
    assert "2 Active footprints" in text and "process 'assembly' exchange #1" in text and "urn:uuid:" in text


# ------------------------------------------------------------------------------ refusals

@pytest.mark.parametrize("footprint, words", [
    (changed(validityPeriodEnd="2025-06-30T00:00:00Z"), "expired on 2025-06-30T00:00:00Z"),
    (changed(status="Deprecated"), "Deprecated by its supplier"),
    (changed(specVersion="2.3.0"), "is not PACT v3"),
    (changed(declaredUnitOfMeasurement="hour"), "'hour' is not a PACT unit"),
    (changed(declaredUnitOfMeasurement="Square Meter"), "write 'square meter'"),
    (changed(declaredUnitAmount="0"), "declaredUnitAmount '0' is not a positive decimal"),
    (changed(pcfExcludingBiogenicUptake="abc"), "pcfExcludingBiogenicUptake 'abc'"),
    (changed(primaryDataShare="140"), "primaryDataShare '140' is not a percentage"),
])
def test_refused_footprints_are_located(tmp_path, footprint, words):
    with pytest.raises(LcaInputError) as exc:
        lca.load_study(write(tmp_path, footprint=footprint))
    text = problems_of(exc)
    assert words in text, text
    assert "study.toml: process 'assembly' exchange #1" in text


def test_expired_without_validity_end_is_three_years_after_the_reference_period(tmp_path):
    fp = changed(referencePeriodEnd="2022-01-01T00:00:00Z")
    del fp["validityPeriodEnd"]
    with pytest.raises(LcaInputError, match="expired on 2025-01-01T00:00:00Z"):
        lca.load_study(write(tmp_path, footprint=fp))


def test_allow_expired_uses_it_and_warns(tmp_path):
    study = write(tmp_path, footprint=changed(status="Deprecated", validityPeriodEnd="2025-06-30T00:00:00Z"))
    fp = lca.compute(lca.load_study(study, allow_expired=True))
    assert fp.total("base").value == pytest.approx(TOTAL)
    text = " | ".join(fp.warnings)
    assert "expired on 2025-06-30T00:00:00Z" in text and "Deprecated by its supplier" in text


def test_gwp_mismatch_is_a_warning_naming_both_sets(tmp_path):
    fp = lca.compute(lca.load_study(write(tmp_path, footprint=changed(ipccCharacterizationFactors=["AR5"]))))
    assert any("characterised with AR5, this study with AR6" in w for w in fp.warnings)
    fp = lca.compute(lca.load_study(write(tmp_path)).with_method(gwp="AR5"))
    assert any("characterised with AR6, this study with AR5" in w for w in fp.warnings)


@pytest.mark.parametrize("ref, amount, received, words", [
    ("supplier.json", "2 kg", None, "assembly"),  # kg of a footprint per m²: a dimension mismatch at the exchange
    ("missing.json", "2 m^2", None, "missing.json"),
    (f"urn:uuid:{PF_ID}", "2 m^2", None, "the study names none"),
    ("urn:uuid:00000000-0000-4000-8000-000000000000", "2 m^2", "received", "no received footprint has id"),
    ("urn:lca:product:nothing", "2 m^2", "received", "no footprint of product"),
])
def test_bad_references_are_located(tmp_path, ref, amount, received, words):
    if received:
        FolderFootprints(tmp_path / received).put(FOOTPRINT)
    with pytest.raises(LcaInputError) as exc:
        lca.compute(lca.load_study(write(tmp_path, ref=ref, amount=amount),
                                   received=tmp_path / received if received else None))
    text = problems_of(exc)
    assert words in text and "exchange #1" in text, text


def test_a_file_with_several_footprints_needs_a_fragment(tmp_path):
    other = changed(id="4f1c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b", pcfExcludingBiogenicUptake="4.0")
    (tmp_path / "both.json").write_text(json.dumps([FOOTPRINT, other]), encoding="utf-8")
    with pytest.raises(LcaInputError, match="holds 2 footprints"):
        lca.load_study(write(tmp_path, ref="both.json"))
    fp = lca.compute(lca.load_study(write(tmp_path, ref="both.json#4f1c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b")))
    assert fp.total("base").value == pytest.approx(2 * 2.0 + 1.12)


def test_cli_refuses_then_allows_expired(tmp_path, cli):
    study = write(tmp_path, footprint=changed(validityPeriodEnd="2025-06-30T00:00:00Z"))
    bad = cli("run", study)
    assert bad.exit_code == 1 and "expired" in bad.stderr and "Traceback" not in bad.stderr
    ok = cli("run", study, "--allow-expired")
    assert ok.exit_code == 0, ok.stderr
    assert "warning:" in ok.stderr and "expired on 2025-06-30" in ok.stderr


def test_cli_received_folder(tmp_path, cli):
    FolderFootprints(tmp_path / "in").put(FOOTPRINT)
    study = write(tmp_path, ref="urn:lca:product:film")
    res = cli("run", study, "--received", tmp_path / "in", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert cli("run", study).exit_code == 1


def test_frames_api_takes_a_supplier_footprint_column(tmp_path, monkeypatch):
    (tmp_path / "supplier.json").write_text(json.dumps(FOOTPRINT), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    s = lca.study_from_frames(
        study={"id": "frames", "reference_period": {"start": "2025-01-01", "end": "2025-12-31"}},
        product={"name": "Widget", "declared_unit": "1 kg", "mass_per_declared_unit": "1 kg"},
        sites=[{"id": "plant", "country": "US", "grid": "US-SRVC"}],
        processes=[{"id": "assembly", "output": "1 kg"}],
        exchanges=[{"process": "assembly", "supplier_footprint": "supplier.json", "amount": 2.0, "unit": "m^2",
                    "primary": True},
                   {"process": "assembly", "flow": "dichloromethane_to_air", "amount": 0.1, "unit": "kg"}],
        scenarios=[{"id": "base", "steps": [{"process": "assembly", "site": "plant"}]}])
    f = figures(lca.compute(s))
    assert f["total"] == pytest.approx(TOTAL) and f["primary_pct"] == pytest.approx(PRIMARY / TOTAL * 100)


# ------------------------------------------------------------------------------ round trip

def test_round_trip_the_default_studys_export_as_an_input(tmp_path, cli):
    """What the cell study of #16 does: the separator study's PACT v3 export, used per m²."""
    out = tmp_path / "separator.json"
    res = cli("export", "--format", "pact-v3", "--scenario", "jp-import", "--created", "2026-01-01T00:00:00Z",
              "-o", out)
    assert res.exit_code == 0, res.stderr
    exported = json.loads(out.read_text(encoding="utf-8"))
    per_m2 = float(exported["pcf"]["pcfExcludingBiogenicUptake"])
    assert per_m2 == pytest.approx(0.2079, abs=5e-5)  # WANT_TOTALS jp-import
    study = tmp_path / "cell.toml"
    study.write_text(STUDY.format(ref="separator.json", amount="1.05 m^2", primary="true", factors=""),
                     encoding="utf-8")
    fp = lca.compute(lca.load_study(study))
    f = figures(fp)
    assert f["total"] == pytest.approx(1.05 * per_m2 + 1.12, rel=1e-9)
    assert f["primary_pct"] == pytest.approx(0.0)  # the separator study has no primary data
    assert fp.warnings == []


# ------------------------------------------------------------------------------ lineage elsewhere

def test_the_ledger_metadata_names_the_footprints(tmp_path):
    import datetime as dt

    from lca.ledger.plan import Dimensions, build_plan

    fp = lca.compute(lca.load_study(write(tmp_path)))
    plan = build_plan(fp, Dimensions(["base"], ["kg"], ["plant"], dt.date(2025, 1, 1), dt.date(2025, 1, 31)))
    assert plan.lineage["supplier_footprints"].startswith(f"urn:uuid:{PF_ID} (sha256 ")
    default = lca.compute(lca.load_study(lca.default_study_path()))
    plan = build_plan(default, Dimensions(["jp-import"], ["m^2"], ["liberty"], dt.date(2025, 1, 1),
                                          dt.date(2025, 1, 31)))
    assert "supplier_footprints" not in plan.lineage  # a study without them: the metadata as before


def test_an_output_never_overwrites_the_footprint_file(tmp_path, cli):
    study = write(tmp_path)
    res = cli("export", study, "--format", "pact-v3", "--scenario", "base", "-o", tmp_path / "supplier.json")
    assert res.exit_code == 1 and "supplier footprint file" in res.stderr
    assert json.loads((tmp_path / "supplier.json").read_text(encoding="utf-8")) == FOOTPRINT


# ------------------------------------------------------------------------------ properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(amount=st.floats(0.01, 100), per=st.floats(0.1, 50), pcf=st.floats(0.0, 20), bio=st.floats(0, 1),
       share=st.floats(0, 100), primary=st.booleans())
def test_the_supplier_part_is_linear_and_the_share_bounded(tmp_path_factory, amount, per, pcf, bio, share, primary):
    """Charged = amount × pcf / declaredUnitAmount; biogenic part = its own share; primary share in [0, 100]
    and = supplier part × share / total when the amount is primary."""
    tmp = tmp_path_factory.mktemp("p")
    doc = changed(declaredUnitAmount=repr(per), pcfExcludingBiogenicUptake=repr(pcf),
                  biogenicNonCO2Emissions=repr(pcf * bio), fossilGhgEmissions=repr(pcf * (1 - bio)),
                  primaryDataShare=repr(share))
    f = figures(lca.compute(lca.load_study(write(tmp, amount=f"{amount!r} m^2", footprint=doc,
                                                 primary=str(primary).lower()))))
    part = amount * pcf / per
    assert f["total"] == pytest.approx(part + 1.12, rel=1e-9)
    assert f["biogenic_non_co2"] == pytest.approx(part * bio, rel=1e-9, abs=1e-12)
    assert 0 <= f["primary_pct"] <= 100
    assert f["primary_pct"] == pytest.approx(part * share / (part + 1.12) if primary else 0.0, rel=1e-9, abs=1e-9)


def test_one_id_with_two_contents_is_refused(tmp_path):
    store = FolderFootprints(tmp_path / "in")
    store.put(FOOTPRINT)
    store.put(copy.deepcopy(FOOTPRINT))  # the same content again: fine
    with pytest.raises(LcaInputError, match="already stored with different content"):
        store.put(changed(pcfExcludingBiogenicUptake="3.5"))
    (tmp_path / "other.json").write_text(json.dumps(changed(pcfExcludingBiogenicUptake="3.5")), encoding="utf-8")
    path = write(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(
        '{ flow = "dichloromethane_to_air"', '{ supplier_footprint = "other.json", amount = "1 m^2" },\n  '
                                             '{ flow = "dichloromethane_to_air"'), encoding="utf-8")
    with pytest.raises(LcaInputError, match="with different content"):
        lca.load_study(path)


def test_a_partners_deprecation_replaces_the_received_copy(tmp_path):
    """Was: pulling again after the supplier deprecated a footprint (same id, status Deprecated) was
    refused as "different content", so the folder kept it Active and studies went on using it. The
    status may change under an id (PACT v3); the study then refuses it as Deprecated."""
    store = FolderFootprints(tmp_path / "in")
    store.put(FOOTPRINT)
    store.put(changed(status="Deprecated") | {"statusComment": "replaced by a newer version"})
    assert store.get(PF_ID)["status"] == "Deprecated"
    with pytest.raises(LcaInputError, match="only Deprecated footprints"):
        lca.load_study(write(tmp_path, ref="urn:lca:product:film"), received=tmp_path / "in")


def test_a_footprint_per_piece_takes_a_count(tmp_path):
    doc = changed(declaredUnitOfMeasurement="piece", declaredUnitAmount="1", pcfExcludingBiogenicUptake="5")
    fp = lca.compute(lca.load_study(write(tmp_path, amount="3 count", footprint=doc)))
    assert fp.total("base").value == pytest.approx(3 * 5 + 1.12)


@pytest.mark.parametrize("content, words", [
    ("[1, 2]", "holds 0 footprints"),
    ('{"id": "x", "pcf": []}', "has no 'pcf' object"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ("{not json", "is not valid JSON (line 1, column 2"),
    ('{"pcf": {"declaredUnitAmount": "1e400"}}', "declaredUnitAmount '1e400' is not a positive decimal"),
])
def test_hostile_footprint_files_are_one_located_error(tmp_path, content, words):
    path = write(tmp_path, ref="bad.json")
    (tmp_path / "bad.json").write_text(content, encoding="utf-8")
    with pytest.raises(LcaInputError) as exc:
        lca.load_study(path)
    text = problems_of(exc)
    assert words in text and "exchange #1" in text, text


def test_validate_takes_the_same_switches(tmp_path, cli):
    """`lca validate` runs the checks of the commands it guards, with their --received / --allow-expired."""
    FolderFootprints(tmp_path / "in").put(FOOTPRINT)
    study = write(tmp_path, ref=f"urn:uuid:{PF_ID}")
    bad = cli("validate", study, "--skip", "pact")  # (this little study has no CPC for a PACT v2 export)
    assert bad.exit_code == 1 and "the study names none" in bad.stdout + bad.stderr
    ok = cli("validate", study, "--skip", "pact", "--received", tmp_path / "in")
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    old = write(tmp_path, footprint=changed(validityPeriodEnd="2025-06-30T00:00:00Z"), name="old.toml")
    assert cli("validate", old, "--skip", "pact").exit_code == 1
    assert cli("validate", old, "--skip", "pact", "--allow-expired").exit_code == 0


# ------------------------------------------------------------------------------ validity period start (PACT v3: time of use)


def test_a_footprint_not_yet_released_for_use_is_refused(tmp_path):
    # PACT v3: the validity period is when a recipient may use the footprint; this one starts in 2999
    fp = {**changed(), "validityPeriodStart": "2999-01-01T00:00:00Z", "validityPeriodEnd": "3001-01-01T00:00:00Z"}
    with pytest.raises(LcaInputError) as exc:
        lca.load_study(write(tmp_path, footprint=fp))
    text = problems_of(exc)
    assert "not yet valid for use: its PACT validity period starts on 2999-01-01T00:00:00Z" in text, text
    assert "study.toml: process 'assembly' exchange #1" in text and "--allow-expired" in text
    used = lca.compute(lca.load_study(write(tmp_path, footprint=fp), allow_expired=True))
    assert used.total("base").value == pytest.approx(TOTAL)
    assert any("valid for use only from 2999-01-01T00:00:00Z" in w for w in used.warnings), used.warnings


def test_validity_starting_after_the_reference_period_is_normal(tmp_path):
    # a 2025 footprint valid from 2026 (PACT's default: from its referencePeriodEnd) in a 2025 study
    fp = {**changed(), "validityPeriodStart": "2026-01-01T00:00:00Z"}
    used = lca.compute(lca.load_study(write(tmp_path, footprint=fp)))
    assert used.total("base").value == pytest.approx(TOTAL)
    assert not any("valid for use only from" in w for w in used.warnings)
