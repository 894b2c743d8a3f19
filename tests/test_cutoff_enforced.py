"""The study's cut-off is enforced the same way everywhere (#13 review): ``lca check study.toml``,
``lca export`` (PACT), ``lca run`` (a warning), the loader (a contradictory ``[cutoff]``), and
``lca check pcf.json --study`` compares the footprint's reference period with the study's."""

from __future__ import annotations

import json
import shutil

import pytest

import lca
from lca.errors import ExportCheckError, LcaInputError
from lca.study import study_from_dict

# 12 g CO2e of the tiny study's 1.1997 kg in 'one-site' = 1.0003 %: over the default 1 % each
BIG = """
[[exclusion]]
id = "big"
description = "A big excluded flow"
estimate = "12 g_CO2e"
"""


def _tiny_file(tmp_path, tiny_path, extra: str = BIG):
    shutil.copy(tiny_path.parent / "factors.csv", tmp_path / "factors.csv")
    p = tmp_path / "study.toml"
    text = tiny_path.read_text(encoding="utf-8").replace(  # what a PACT export needs
        'cell_plant = "plant"', 'cell_plant = "plant"\ncompany_name = "T"\ncompany_ids = ["urn:x:c"]\n'
        'product_ids = ["urn:x:p"]\nproduct_category_cpc = "1"')
    p.write_text(text + extra, encoding="utf-8")
    return p


def test_a_pact_export_over_the_cutoff_fails_like_check_and_writes_nothing(tmp_path, tiny_path, cli):
    p = _tiny_file(tmp_path, tiny_path)
    assert cli("check", p).exit_code == 1
    out = tmp_path / "pcf.json"
    for fmt in ("pact-v3", "pact-v2"):
        r = cli("export", p, "--format", fmt, "--created", "2026-01-01T00:00:00Z", "-o", out)
        assert r.exit_code == 1, r.output
        assert "exclusion 'big', column 'estimate'" in r.output and "one-site 1.00 %" in r.output
        assert str(p) in r.output and "Traceback" not in r.output
        assert not out.exists()
    # the API refuses too, for the scenario over it; the other scenario (0.74 %) exports
    fp = lca.compute(lca.load_study(p))
    with pytest.raises(ExportCheckError):
        lca.export_pact(fp, "v3", "one-site", created="2026-01-01T00:00:00Z")
    assert lca.export_pact(fp, "v3", "two-step", created="2026-01-01T00:00:00Z")["pcf"]
    # within a declared cut-off of 2 % each the same export is written
    q = _tiny_file(tmp_path, tiny_path, BIG + "\n[cutoff]\neach = 0.02\n")
    assert cli("export", q, "--format", "pact-v3", "--created", "2026-01-01T00:00:00Z", "-o", out).exit_code == 0
    assert out.exists()


@pytest.mark.parametrize("cutoff, column", [({"each": 0.05, "total": 0.01}, "each"), ({"total": 0.005}, "total")])
def test_a_cutoff_each_above_total_is_refused_at_load(tiny_doc, tiny_path, cutoff, column):
    tiny_doc["cutoff"] = cutoff
    with pytest.raises(LcaInputError) as exc:
        study_from_dict(tiny_doc, base=tiny_path.parent, file="tiny.toml")
    assert any(p.table == "cutoff" and p.column == column and "larger than total" in p.message
               for p in exc.value.problems), exc.value.problems


def test_a_duplicate_exclusion_id_says_it_is_a_duplicate(tiny_doc, tiny_path):
    e = {"id": "x", "description": "d", "estimate": "1 g_CO2e"}
    tiny_doc["exclusion"] = [e, dict(e)]
    with pytest.raises(LcaInputError) as exc:
        study_from_dict(tiny_doc, base=tiny_path.parent, file="tiny.toml")
    assert [p.message for p in exc.value.problems if p.column == "id"] == [
        "duplicate exclusion id 'x': another [[exclusion]] already has it"]


def test_the_report_calls_a_study_set_cutoff_the_studys_not_pacts(tmp_path, tiny_path):
    from lca.report import render_html

    def sentence(extra):
        html = render_html(lca.compute(lca.load_study(_tiny_file(tmp_path, tiny_path, extra))),
                           timestamp="2026-01-01T00:00:00Z")
        return html.split("The study's cut-off is ")[1].split("</p>")[0]

    assert "(the PACT methodology's limits)" in sentence(BIG)
    own = sentence(BIG + "\n[cutoff]\neach = 0.02\ntotal = 0.05\n")
    assert own.startswith("2 % for each exclusion and 5 % for all of them together (set by the study; PACT's "
                          "default is 1 % each and 3 % together)")
    assert "PACT methodology's limits" not in own


def test_lca_run_warns_when_a_scenario_is_over_its_cutoff(tmp_path, tiny_path, cli):
    r = cli("run", _tiny_file(tmp_path, tiny_path))
    assert r.exit_code == 0, r.output
    assert "warning: exclusion 'big' is 1.00% of scenario 'one-site', over the cut-off of 1.00% each" in r.stderr
    assert "scenario 'two-step'" not in r.stderr  # 0.74 %: within
    assert "over its cut-off" in r.stderr and "warning" not in r.stdout
    ok = cli("run", _tiny_file(tmp_path, tiny_path, BIG + "\n[cutoff]\neach = 0.02\n"))
    assert ok.exit_code == 0 and "warning" not in ok.stderr


# ------------------------------------------------- lca check pcf.json --study: the reference period
def _write(tmp_path, doc, name="pcf.json"):
    p = tmp_path / name
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


def _strip_mark(doc):
    doc["comment"] = doc["comment"].split(". ", 1)[1] if doc["comment"].startswith("Prospective:") else doc["comment"]
    assert not doc["comment"].startswith("Prospective")
    return doc


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_check_study_refuses_a_reference_period_other_than_the_studys(cli, tmp_path, default_fp, version):
    """charlotte-coated is planned: its reference period is 2027 (the study's outlook). A file backdated
    to 2025 without the "Prospective:" mark passes the JSON-only rules, not the study comparison."""
    doc = lca.export_pact(default_fp, version, "charlotte-coated", created="2026-01-01T00:00:00Z")
    assert cli("check", _write(tmp_path, doc), "--study", lca.default_study_path()).exit_code == 0
    doc = _strip_mark(doc)
    doc["pcf"]["referencePeriodStart"], doc["pcf"]["referencePeriodEnd"] = ("2025-01-01T00:00:00Z",
                                                                            "2026-01-01T00:00:00Z")
    doc["validityPeriodStart"], doc["validityPeriodEnd"] = "2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z"
    bad = _write(tmp_path, doc, "bad.json")
    assert cli("check", bad).exit_code == 0  # the JSON alone cannot tell
    r = cli("check", bad, "--study", lca.default_study_path())
    assert r.exit_code == 1, r.output
    # Charlotte coating starts 2027-07-01: its planned first year, PACT end exclusive
    assert ("column 'pcf.referencePeriodStart': [reference-period] scenario 'charlotte-coated': referencePeriodStart "
            "2025-01-01 is not the study's 2027-07-01; referencePeriodEnd 2026-01-01 is not the study's 2028-07-01 "
            "(its prospective reference period is 2027-07-01 to 2028-06-30)") in r.output
    assert str(bad) in r.output and "Traceback" not in r.output
    # a current scenario's own period passes
    cur = lca.export_pact(default_fp, version, "jp-import", created="2026-01-01T00:00:00Z")
    assert cli("check", _write(tmp_path, cur, "cur.json"), "--study", lca.default_study_path()).exit_code == 0


def test_check_study_refuses_an_active_plan_after_its_first_year_without_the_comment(cli, tmp_path, default_fp):
    """ontario's planned first year is 2027; created 2028-02-01 and still Active, with its comment's
    "Prospective:" mark removed: the JSON-only rule cannot see it, --study does."""
    doc = lca.export_pact(default_fp, "v3", "ontario", created="2027-06-01T00:00:00Z")
    doc = _strip_mark(doc)
    doc["created"] = "2028-02-01T00:00:00Z"
    bad = _write(tmp_path, doc)
    assert cli("check", bad).exit_code == 0
    r = cli("check", bad, "--study", lca.default_study_path())
    assert r.exit_code == 1, r.output
    assert "[prospective-active] scenario 'ontario'" in r.output and "column 'status'" in r.output
    assert "[reference-period]" not in r.output
    doc["status"] = "Deprecated"
    assert cli("check", _write(tmp_path, doc), "--study", lca.default_study_path()).exit_code == 0
