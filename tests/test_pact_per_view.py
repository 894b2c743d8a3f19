"""Several declared units as separate PACT footprints (``lca export --per``, #12 item 5), hand-computed.

The study of :mod:`test_allocation_disclosure`: scenario ``one`` is 0.8 kg CO2e per kg of precursor
(mass allocation), ``two`` 0.5. Views: ``kWh`` = 2 kg per kWh → 1.6 kg CO2e and 2 kg of product per
kWh; ``vehicle`` = 50 kWh → 80 kg CO2e and 100 kg per vehicle (a count: PACT v3 ``piece``); ``year``
(per yr, in t CO2e) has no PACT declared unit. The default study's ``kWh`` view is 10 m² per kWh.
"""

from __future__ import annotations

import copy
import json

import pytest

import lca
from lca.disclosure.pact.crosscheck import check_against_study
from lca.errors import ExportCheckError, LcaInputError
from test_allocation_disclosure import CREATED, footprint, study_path
from test_export_pact import pact_validator


@pytest.fixture
def fp(tmp_path):
    return footprint(tmp_path)


def test_v3_one_footprint_per_view_with_its_own_declared_unit(fp):
    docs = lca.export_pact(fp, "v3", "one", created=CREATED, per=["kWh", "vehicle"])
    got = [{k: d["pcf"][k] for k in ("declaredUnitOfMeasurement", "declaredUnitAmount", "productMassPerDeclaredUnit",
                                     "pcfExcludingBiogenicUptake", "fossilGhgEmissions")} for d in docs]
    assert got == [
        {"declaredUnitOfMeasurement": "kilowatt hour", "declaredUnitAmount": "1", "productMassPerDeclaredUnit": "2",
         "pcfExcludingBiogenicUptake": "1.6", "fossilGhgEmissions": "1.6"},
        {"declaredUnitOfMeasurement": "piece", "declaredUnitAmount": "1", "productMassPerDeclaredUnit": "100",
         "pcfExcludingBiogenicUptake": "80", "fossilGhgEmissions": "80"}]
    default = lca.export_pact(fp, "v3", "one", created=CREATED)
    ids = [d["id"] for d in docs]
    assert len({*ids, default["id"]}) == 3  # distinct per view, and from the declared unit's
    assert ids == [d["id"] for d in lca.export_pact(fp, "v3", "one", created="2027-01-01T00:00:00Z",
                                                    per=["kWh", "vehicle"])]  # content-addressed, no clock
    assert "view 'kWh'" in docs[0]["comment"] and docs[0]["comment"].endswith("times 2.")
    validator = pact_validator("v3")
    for d in docs:
        assert [e.message for e in validator.iter_errors(d)] == []
    assert lca.check_pact(docs, "v3") == []
    assert check_against_study(docs, "v3", fp) == []


def test_v2_states_one_unit_of_each_view(fp):
    docs = lca.export_pact(fp, "v2", "one", created=CREATED, per=["kWh", "kg"])
    assert [(d["pcf"]["declaredUnit"], d["pcf"]["unitaryProductAmount"], d["pcf"]["pCfExcludingBiogenic"],
             d["pcf"]["productMassPerDeclaredUnit"]) for d in docs] == [
        ("kilowatt hour", "1", "1.6", "2"), ("kilogram", "1", "0.8", "1")]
    validator = pact_validator("v2")
    for d in docs:
        assert [e.message for e in validator.iter_errors(d)] == []
    assert check_against_study(docs, "v2", fp) == []


def test_scenarios_by_views_in_order_and_declared_unit_is_the_default(fp):
    docs = lca.export_pact(fp, "v3", created=CREATED, per=["declared_unit", "kWh"])
    assert [(d["productDescription"].rsplit(": ", 1)[1], d["pcf"]["declaredUnitOfMeasurement"]) for d in docs] == [
        ("one", "kilogram"), ("one", "kilowatt hour"), ("two", "kilogram"), ("two", "kilowatt hour"),
        ("mix", "kilogram"), ("mix", "kilowatt hour")]
    assert [d["pcf"]["pcfExcludingBiogenicUptake"] for d in docs] == ["0.8", "1.6", "0.5", "1", "0.65", "1.3"]
    assert docs[0::2] == lca.export_pact(fp, "v3", created=CREATED)  # without --per: unchanged


def test_the_default_study_per_kwh_is_ten_square_metres(default_fp):
    du = lca.export_pact(default_fp, "v3", "jp-import", created=CREATED)["pcf"]
    kwh = lca.export_pact(default_fp, "v3", "jp-import", created=CREATED, per=["kWh"])[0]["pcf"]
    assert (kwh["declaredUnitOfMeasurement"], kwh["declaredUnitAmount"]) == ("kilowatt hour", "1")
    assert float(kwh["productMassPerDeclaredUnit"]) == pytest.approx(0.087, rel=1e-12)  # 8.7 g/m² × 10 m²
    assert float(kwh["pcfExcludingBiogenicUptake"]) == pytest.approx(10 * float(du["pcfExcludingBiogenicUptake"]),
                                                                     rel=1e-9)


@pytest.mark.parametrize("version,view,words", [
    ("v3", "year", "view 'year' (results in t_CO2e/yr) has no PACT v3 declared unit"),
    ("v2", "vehicle", "view 'vehicle' (a count) has no PACT v2 declared unit"),
])
def test_views_pact_cannot_state_are_located(fp, version, view, words):
    with pytest.raises(ExportCheckError) as err:
        lca.export_pact(fp, version, created=CREATED, per=["kWh", view])
    p = err.value.problems[0]
    assert words in p.message and (p.table, p.column) == (f"view '{view}'", "per") and p.file.endswith("alloc.toml")


def test_an_unknown_view_is_located(fp):
    with pytest.raises(LcaInputError) as err:
        lca.export_pact(fp, "v3", per=["nope"])
    assert "no view 'nope'" in err.value.problems[0].message and "kWh" in err.value.problems[0].hint


def test_crosscheck_catches_a_wrong_figure_or_unit_in_a_view_footprint(fp):
    doc = lca.export_pact(fp, "v3", "one", created=CREATED, per=["kWh"])[0]
    wrong = copy.deepcopy(doc)
    wrong["pcf"]["pcfExcludingBiogenicUptake"] = "0.8"  # the per-kg figure under a per-kWh id
    assert [p.column for p in check_against_study(wrong, "v3", fp)] == ["pcf.pcfExcludingBiogenicUptake"]
    wrong = copy.deepcopy(doc)
    wrong["pcf"]["declaredUnitAmount"] = "2"
    problems = check_against_study(wrong, "v3", fp)
    assert len(problems) == 1 and "declared unit of view 'kWh'" in problems[0].message


def test_cli_per_writes_checked_footprints_and_refuses_errors_without_traceback(tmp_path, cli):
    path = study_path(tmp_path)
    out = tmp_path / "pcf.json"
    r = cli("export", path, "--format", "pact-v3", "--per", "kWh", "--per", "vehicle", "--created", CREATED,
            "-o", out)
    assert r.exit_code == 0, r.stderr
    docs = json.loads(out.read_text())
    assert [d["pcf"]["declaredUnitOfMeasurement"] for d in docs] == ["kilowatt hour", "piece"] * 3
    r = cli("check", out, "--study", path)
    assert r.exit_code == 0 and "agree with the study" in r.stdout, r.stdout + r.stderr
    r = cli("export", path, "--format", "pact-v3", "--per", "nope", "-o", tmp_path / "x.json")
    assert r.exit_code == 1 and "--per nope" in r.stderr and "Traceback" not in r.stdout + r.stderr
    assert not (tmp_path / "x.json").exists()
    r = cli("export", path, "--format", "pact-v2", "--per", "year")
    assert r.exit_code == 1 and "view 'year'" in r.stderr and "Traceback" not in r.stdout + r.stderr
    r = cli("export", path, "--format", "csv", "--per", "kWh", "--per", "kg")
    assert r.exit_code == 2 and "give --per once" in r.stderr


def test_property_view_footprints_scale_the_allocated_burden(tmp_path_factory):
    """Any co-product mass a and kWh-view amount k: the precursor carries 2 kg CO2e × 1 / (1 + a)
    per kg, so the per-kWh footprint states that × k, with k kg of product; the v2.3 and v3 figures
    agree, the allocation text states the share, and the ids differ per view."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(a=st.floats(0.1, 10.0), k=st.floats(0.01, 1000.0))
    def check(a: float, k: float) -> None:
        path = study_path(tmp_path_factory.mktemp("prop"))
        text = path.read_text().replace('amount = "1.5 kg", price', f'amount = "{a!r} kg", price')
        path.write_text(text.replace('amount = "2 kg"', f'amount = "{k!r} kg"', 1))
        fp = lca.compute(lca.load_study(path))
        share = 1.0 / (1.0 + a)
        v3 = lca.export_pact(fp, "v3", "one", created=CREATED, per=["declared_unit", "kWh"])
        v2 = lca.export_pact(fp, "v2", "one", created=CREATED, per=["kWh"])[0]["pcf"]
        got = float(v3[1]["pcf"]["pcfExcludingBiogenicUptake"])
        assert got == pytest.approx(2.0 * share * k, rel=1e-9, abs=1e-10)
        assert float(v2["pCfExcludingBiogenic"]) == pytest.approx(got, rel=1e-9, abs=1e-10)
        assert float(v3[1]["pcf"]["productMassPerDeclaredUnit"]) == pytest.approx(k, rel=1e-9, abs=1e-10)
        assert f"precip {share * 100:.4g} %" in v3[1]["pcf"]["allocationRulesDescription"]
        assert v3[0]["id"] != v3[1]["id"]
        assert check_against_study(v3, "v3", fp) == []

    check()


def test_a_views_result_unit_does_not_change_pact_figures(tmp_path):
    """PACT figures are kg CO2e: a view stated in g CO2e per kWh gives the same footprint figures."""
    extra = '\n[[view]]\nid = "kWh_g"\nper = "kWh"\namount = "2 kg"\nresult_unit = "g_CO2e/kWh"\n'
    fp = footprint(tmp_path, extra=extra)
    assert fp.scale("kWh_g")[0] == pytest.approx(2000.0, rel=1e-12)
    docs = lca.export_pact(fp, "v3", "one", created=CREATED, per=["kWh", "kWh_g"])
    assert [d["pcf"]["pcfExcludingBiogenicUptake"] for d in docs] == ["1.6", "1.6"]
    assert docs[0]["id"] != docs[1]["id"] and docs[1]["comment"].endswith("times 2.")
