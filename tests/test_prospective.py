"""Prospective footprints (#13 item 4): a scenario's kind, its reference period, the latest data, and
the label in ``lca run``, the report, every export and ``lca check``."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

import lca
from lca.errors import ExportCheckError, StudyError

PROSPECTIVE = {"charlotte-coated": (dt.date(2027, 7, 1), dt.date(2028, 6, 30)),
               "ontario": (dt.date(2027, 1, 1), dt.date(2027, 12, 31)),
               "supply-mix-2028": (dt.date(2028, 1, 1), dt.date(2028, 12, 31))}


def test_default_study_marks_the_three_planned_scenarios_prospective_with_their_first_year(default_fp):
    out = {r["scenario"]: r for r in default_fp.outlook.iter_rows(named=True)}
    for sid, r in out.items():
        if sid in PROSPECTIVE:
            assert r["outlook"] == "prospective"
            # the planned first year, from operation_start (hand-written from the study's comments)
            assert (r["operation_start"], (r["reference_start"], r["reference_end"])) == (PROSPECTIVE[sid][0],
                                                                                         PROSPECTIVE[sid])
            assert r["note"].startswith("Prospective: operation starts")
            assert "latest data available" in r["note"]
        else:
            assert (r["outlook"], r["operation_start"], r["note"]) == ("current", None, "")
            assert (r["reference_start"], r["reference_end"]) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def _tiny(tmp_path: Path, scenario_keys: str = "", mix_keys: str = "", extra_factor: str = "") -> Path:
    """The tiny study copied to ``tmp_path`` with keys added to scenario 'one-site' and the mix."""
    src = Path(__file__).parent / "data" / "tiny"
    shutil.copytree(src, tmp_path / "tiny")
    path = tmp_path / "tiny" / "study.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('label = "Film only, at the mill"\n', f'label = "Film only, at the mill"\n{scenario_keys}')
    text = text.replace('label = "Half and half"\n', f'label = "Half and half"\n{mix_keys}')
    path.write_text(text, encoding="utf-8")
    if extra_factor:
        with (tmp_path / "tiny" / "factors.csv").open("a", encoding="utf-8") as f:
            f.write(extra_factor)
    return path


@pytest.mark.parametrize("keys, column, words", [
    ('kind = "prospective"\n', "operation_start", "needs its operation_start"),
    ('kind = "planned"\n', "kind", "unknown kind"),
    ('operation_start = 2027-01-01\n', "operation_start", "not prospective"),
    ('kind = "prospective"\noperation_start = "next year"\n', "operation_start", "is not a date"),
])
def test_bad_kind_or_start_is_located_at_the_scenario_and_key(tmp_path, keys, column, words):
    path = _tiny(tmp_path, keys)
    with pytest.raises(StudyError) as exc:
        lca.load_study(path)
    [p] = [p for p in exc.value.problems if p.column == column]
    assert words in p.message and p.table == "scenario 'one-site'" and p.file == str(path)


def test_a_mix_of_a_prospective_component_is_prospective_from_its_latest_start(tmp_path):
    s = lca.load_study(_tiny(tmp_path, 'kind = "prospective"\noperation_start = 2027-03-01\n'))
    row = s.outlooks.filter(pl.col("scenario") == "mix").row(0, named=True)
    assert (row["outlook"], row["operation_start"], row["reference_end"]) == ("prospective", dt.date(2027, 3, 1),
                                                                              dt.date(2028, 2, 29))


def test_a_mix_declared_current_with_a_prospective_component_is_refused(tmp_path):
    path = _tiny(tmp_path, 'kind = "prospective"\noperation_start = 2027-03-01\n', 'kind = "current"\n')
    with pytest.raises(StudyError) as exc:
        lca.load_study(path)
    [p] = exc.value.problems
    assert (p.table, p.column) == ("scenario 'mix'", "kind") and "component is prospective" in p.message


LATER = ("tiny.power.north.2027,tiny_power,Tiny grid north 2027,electricity,ZZ-NORTH,0.3,kg_CO2e/kWh,CO2e,"
         "combustion,generation,excluded,2027,default,false,Test data,,,,1,1,1,none,,,,,later vintage\n")


def test_a_prospective_scenario_uses_the_latest_vintage_and_a_current_one_its_reference_year(tmp_path):
    """The library holds a 2025 (0.5) and a 2027 (0.3) factor for ZZ-NORTH. The current scenario
    (reference year 2025) keeps 0.5; prospective from 2027 it takes 0.3: the film step draws
    1 kWh / yield 0.5 = 2 kWh, so its total falls by 2 × 0.2 = 0.4 kg CO2e; the two-step scenario
    (current) is unchanged, and the mix (prospective too) moves by its share of it: a mix's rows keep
    their component's vintages, so it stays the share-weighted sum of its components."""
    before = lca.compute(lca.load_study(_tiny(tmp_path / "a", extra_factor=LATER)))
    after = lca.compute(lca.load_study(_tiny(tmp_path / "b", 'kind = "prospective"\noperation_start = 2027-01-01\n',
                                             extra_factor=LATER)))
    d = {s: after.total(s).value - before.total(s).value for s in before.scenarios}
    assert d["one-site"] == pytest.approx(-0.4, abs=1e-12)
    assert d["two-step"] == pytest.approx(0.0, abs=1e-12)
    assert d["mix"] == pytest.approx(0.5 * -0.4, abs=1e-12)


def test_lca_run_labels_every_prospective_scenario(cli):
    r = cli("run")
    assert r.exit_code == 0, r.output
    for sid, (start, end) in PROSPECTIVE.items():
        assert f"{sid} †" in r.stdout
        assert f"† {sid}: Prospective: operation starts {start.isoformat()}" in r.stdout
    assert "jp-import †" not in r.stdout
    assert "note: a prospective scenario compared with a current one" in r.stdout
    csv = cli("run", "--format", "csv")
    rows = pl.read_csv(csv.stdout.encode())
    kinds = dict(rows.select("scenario", "outlook").unique().iter_rows())
    assert kinds == {"jp-import": "current", "kr-import": "current", "cn-import": "current",
                     **{s: "prospective" for s in PROSPECTIVE}}


def test_report_tags_every_prospective_label(default_fp):
    from lca.report.context import build_context, scenario_labels

    labels = scenario_labels(default_fp)
    assert labels["charlotte-coated"] == "(b) [prospective] Japanese base film, coated in Charlotte, NC"
    assert labels["jp-import"].startswith("(a) Base film") and "[" not in labels["jp-import"]
    ctx = build_context(default_fp, timestamp="2026-01-01T00:00:00Z")
    assert len(ctx["study"]["outlooks"]) == 3
    assert all(t["label"].split(" ", 1)[1].startswith("[prospective]") == (t["id"] in PROSPECTIVE)
               for t in ctx["summary"]["totals"])


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_pact_export_states_prospective_period_comment_and_validity(default_fp, version):
    docs = {d["comment"].split("'")[1] if not d["comment"].startswith("Prospective") else None: d
            for d in lca.export_pact(default_fp, version, created="2026-01-01T00:00:00Z")}
    for sid, (start, end) in PROSPECTIVE.items():
        doc = lca.export_pact(default_fp, version, sid, created="2026-01-01T00:00:00Z")
        assert doc["comment"].startswith(f"Prospective: operation starts {start.isoformat()}")
        assert doc["pcf"]["referencePeriodStart"] == f"{start.isoformat()}T00:00:00Z"
        assert doc["pcf"]["referencePeriodEnd"] == f"{(end + dt.timedelta(days=1)).isoformat()}T00:00:00Z"
        assert doc["validityPeriodStart"] == f"{start.isoformat()}T00:00:00Z"
    cur = lca.export_pact(default_fp, version, "jp-import", created="2026-01-01T00:00:00Z")
    assert cur["pcf"]["referencePeriodStart"] == "2025-01-01T00:00:00Z" and docs


def test_exporting_a_prospective_footprint_after_its_first_year_is_refused(default_fp):
    # Ontario's planned first year is 2027; during it the plan may still be exchanged
    lca.export_pact(default_fp, "v3", "ontario", created="2027-12-31T23:59:59Z")
    with pytest.raises(ExportCheckError) as exc:
        lca.export_pact(default_fp, "v3", "ontario", created="2028-01-01T00:00:00Z")
    assert "[prospective-active]" in str(exc.value) and "2028-01-01" in str(exc.value)
    # the current scenario exported the same day is fine (its validity runs to 2029)
    lca.export_pact(default_fp, "v3", "jp-import", created="2028-01-01T00:00:00Z")


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_lca_check_refuses_a_prospective_footprint_active_with_a_past_reference_period(cli, tmp_path,
                                                                                     default_fp, version):
    doc = lca.export_pact(default_fp, version, "charlotte-coated", created="2026-01-01T00:00:00Z")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc), encoding="utf-8")
    assert cli("check", good).exit_code == 0
    doc["pcf"]["referencePeriodStart"], doc["pcf"]["referencePeriodEnd"] = ("2025-01-01T00:00:00Z",
                                                                            "2026-01-01T00:00:00Z")
    doc["validityPeriodStart"], doc["validityPeriodEnd"] = "2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    r = cli("check", bad)
    assert r.exit_code == 1
    assert "[prospective-active]" in r.output and str(bad) in r.output and "Traceback" not in r.output
    doc["status"] = "Deprecated"  # a superseded prospective footprint may stay on file
    bad.write_text(json.dumps(doc), encoding="utf-8")
    assert cli("check", bad).exit_code == 0


def test_table_exports_carry_the_outlook_on_every_row(default_fp):
    from lca.disclosure.tables import inventory_frame, results_frame

    for frame in (results_frame(default_fp), inventory_frame(default_fp)):
        got = dict(frame.select("scenario", "outlook").unique().iter_rows())
        assert {s for s, k in got.items() if k == "prospective"} == set(PROSPECTIVE)


def test_catenax_type_is_a_value_of_the_catenax_schema(default_fp):
    from lca.disclosure.outlook import CATENAX_PCF_TYPE, retro_or_prospective

    schema = Path(__file__).resolve().parents[3] / "shared" / "reference" / "catenax" / \
        "io.catenax.pcf-9.0.0-Pcf-schema.json"
    if not schema.exists():
        schema = Path("/work/shared/reference/catenax/io.catenax.pcf-9.0.0-Pcf-schema.json")
    if not schema.exists():
        pytest.skip("Catena-X schema not found (it lives in ../shared/reference/catenax)")
    enum = json.loads(schema.read_text(encoding="utf-8"))["components"]["schemas"][
        "RetroOrProspectivePcfTypeCharacteristic"]["enum"]
    assert set(CATENAX_PCF_TYPE.values()) <= set(enum)
    assert retro_or_prospective(default_fp, "ontario") == CATENAX_PCF_TYPE["prospective"]


def test_current_scenarios_follow_a_reference_period_changed_in_memory(default_study):
    """The outlook stores what the file declares; periods are worked out when asked, so a study whose
    reference period is replaced gives it to its current scenarios (prospective ones keep their year)."""
    from dataclasses import replace

    s = replace(default_study, reference_start=dt.date(2022, 1, 1), reference_end=dt.date(2022, 12, 31))
    periods = {r["scenario"]: (r["reference_start"], r["reference_end"]) for r in s.outlooks.iter_rows(named=True)}
    assert periods["jp-import"] == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert periods["ontario"] == PROSPECTIVE["ontario"]
