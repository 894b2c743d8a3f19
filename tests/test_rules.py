"""Rule packs (lca.rules, factors/rules/): the EU Art. 7 draft pack, its functional unit by hand, and
the study's [battery] section (issue #16 item 2)."""

from __future__ import annotations

import re
import tomllib

import pytest

from lca.errors import LcaInputError, StudyError
from lca.rules import RulesError, lifetime_energy, load_pack, pack_dir, pack_ids
from lca.rules.battery import Battery
from lca.units import registry
from tests.battery_study import RULES, battery_doc, battery_study

Q = registry().Quantity


@pytest.fixture(scope="module")
def pack():
    return load_pack(RULES)


def battery(**kw):
    base = dict(manufacturer="M", model="B", vehicle_category="M1", usable_capacity=Q(75, "kWh"),
                warranty_years=Q(8, "year"))
    base.update(kw)
    return Battery(**base)


def test_the_draft_pack_says_what_the_draft_says(pack):
    assert pack.is_draft and pack.status == "draft"
    assert pack.notice == "draft rules, not in force: Draft Commission Delegated Regulation, Ref. Ares(2024)3131389, " \
                          "29 April 2024"
    assert dict(pack.cycles_per_year) == {"M1": 60, "N1": 60, "L": 20, "M2": 250, "M3": 250, "N2": 250, "N3": 250}
    assert [s.name for s in pack.stages] == ["Raw material acquisition and pre-processing", "Main product production",
                                             "Distribution", "End of life and recycling"]
    assert [s.not_modelled is not None for s in pack.stages] == [False, False, False, True]
    assert [v.id for v in pack.variants] == ["draft-2024", "jrc-cfb-ev"] and pack.declared_variant == "draft-2024"
    # the variants are the engine's own method switches, not a parallel machinery
    assert pack.variant("draft-2024").method == {"electricity_rule": "national",
                                                 "electricity_basis": "lifecycle-consumption-CO2e"}
    assert pack.variant("jrc-cfb-ev").method["electricity_rule"] == "market"
    assert not pack.classes_published and "not published" in pack.classes_reason


def test_no_pack_ships_a_performance_class_or_threshold():
    """Class thresholds are unpublished: no pack may carry one (invented "A ≤ 60" values circulate)."""
    for pid in pack_ids():
        text = (pack_dir() / f"{pid}.toml").read_text(encoding="utf-8")
        doc = tomllib.loads(text)
        assert doc["performance_class"] == {"published": False, "reason": doc["performance_class"]["reason"]}
        assert not re.search(r"(?i)threshold\s*=|class_[a-g]\b|\bclass\s*[a-g]\s*[<≤]", text)


def test_functional_unit_by_hand(pack):
    """75 kWh usable, M1 (60 full cycles a year), 8-year warranty: E_total = 75 × 60 × 8 = 36 000 kWh."""
    e = lifetime_energy(pack, battery())
    assert e.total.to("kWh").magnitude == pytest.approx(36_000, rel=1e-12)
    assert e.cycles_per_year == 60 and e.service_life.to("year").magnitude == 8
    assert e.from_capacity.magnitude == pytest.approx(75 / 36_000, rel=1e-12)  # = 1/480
    # other units, same energy: 75 000 Wh, 96 months
    e2 = lifetime_energy(pack, battery(usable_capacity=Q(75_000, "Wh"), warranty_years=Q(96, "month")))
    assert e2.total.to("kWh").magnitude == pytest.approx(36_000, rel=1e-9)


@pytest.mark.parametrize("category, cycles", [("M1", 60), ("N1", 60), ("L", 20), ("M2", 250), ("M3", 250),
                                              ("N2", 250), ("N3", 250)])
def test_cycles_by_vehicle_category(pack, category, cycles):
    e = lifetime_energy(pack, battery(vehicle_category=category, usable_capacity=Q(10, "kWh"),
                                      warranty_years=Q(5, "year")))
    assert e.total.to("kWh").magnitude == pytest.approx(10 * cycles * 5)


def test_service_life_is_the_shorter_warranty(pack):
    # 160 000 km ÷ 15 000 km/yr = 10.67 years > 8 years: 8 years count
    long_km = battery(warranty_distance=Q(160_000, "km"), annual_distance=Q(15_000, "km/year"))
    e = lifetime_energy(pack, long_km)
    assert e.service_life.magnitude == 8 and "shorter of" in e.service_life_basis
    # 100 000 km ÷ 15 000 km/yr = 6.667 years < 8: the km warranty counts; E = 75 × 60 × 6.667 = 30 000 kWh
    short_km = battery(warranty_distance=Q(100_000, "km"), annual_distance=Q(15_000, "km/year"))
    e = lifetime_energy(pack, short_km)
    assert e.total.to("kWh").magnitude == pytest.approx(75 * 60 * 100_000 / 15_000)
    assert e.total.to("kWh").magnitude == pytest.approx(30_000)
    # km only
    km_only = battery(warranty_years=None, warranty_distance=Q(100_000, "km"), annual_distance=Q(15_000, "km/year"))
    assert lifetime_energy(pack, km_only).total.to("kWh").magnitude == pytest.approx(30_000)


def test_rated_capacity_scales_from_capacity(pack):
    """The study's per-kWh view on an 80 kWh rated pack with 75 kWh usable: × 80 / 36 000."""
    e = lifetime_energy(pack, battery(rated_capacity=Q(80, "kWh")))
    assert e.from_capacity.magnitude == pytest.approx(80 / 36_000)


def test_unknown_pack_and_variant_are_refused(pack):
    with pytest.raises(RulesError, match="unknown rule pack 'eu-2099'"):
        load_pack("eu-2099")
    with pytest.raises(RulesError, match="no electricity variant 'ppa'"):
        pack.variant("ppa")
    assert issubclass(RulesError, LcaInputError)
    with pytest.raises(RulesError, match="no cycles per year"):
        lifetime_energy(pack, battery(vehicle_category="T"))
    with pytest.raises(RulesError, match="annual distance"):
        lifetime_energy(pack, battery(warranty_distance=Q(1, "km")))
    with pytest.raises(RulesError, match="not a number to divide by") as info:  # 1e300 kWh × 60 × 1e10 yr = inf
        lifetime_energy(pack, battery(usable_capacity=Q(1e300, "kWh"), warranty_years=Q(1e10, "year")))
    assert info.value.problems[0].column == "usable_capacity"


def test_study_battery_section_is_read():
    s = battery_study()
    assert s.method.rules == RULES
    b = s.battery
    assert (b.manufacturer, b.model, b.vehicle_category, b.per) == ("Example Cells Inc.", "NCMA pouch pack 75",
                                                                    "M1", "kWh")
    assert b.usable_capacity.to("kWh").magnitude == 75 and b.warranty_years.to("year").magnitude == 8


@pytest.mark.parametrize("change, column, words", [
    (dict(vehicle_category="T"), "vehicle_category", "no cycles per year"),
    (dict(usable_capacity="75 kg"), "usable_capacity", "energy is expected"),
    (dict(usable_capacity="0 kWh"), "usable_capacity", "must be positive"),
    (dict(rated_capacity="70 kWh"), "usable_capacity", "75 kWh is greater than rated_capacity 70 kWh"),
    (dict(warranty_years="8 km"), "warranty_years", "time is expected"),
    (dict(warranty_years=None), "warranty_years", "warranty in years or in km"),
    (dict(warranty_years=None, warranty_km="100000 km"), "annual_distance", "annual distance"),
    (dict(per="vehicle"), "per", "not per an energy"),
    (dict(per="nope"), "per", "names no view"),
    (dict(facilities={"gwangyang": "BPNA1"}), "facilities", "not a BPNA"),
    (dict(facilities={"mars": "BPNA000000000001"}), "facilities", "not a site"),
    (dict(electricity_variant="ppa"), "electricity_variant", "no electricity variant"),
    (dict(colour="red"), "colour", "unknown key"),
    (dict(model=None), "model", "needs model"),
])
def test_bad_battery_sections_are_located(change, column, words):
    with pytest.raises(StudyError) as info:
        battery_study(**change)
    p = next(p for p in info.value.problems if p.column == column)
    assert words in p.message and p.table == "battery" and p.file.endswith("study.toml")


@pytest.mark.parametrize("key, number, want", [("warranty_years", 8, '"8 year"'), ("usable_capacity", 75, '"75 kWh"'),
                                               ("warranty_km", 160000, '"160000 km"')])
def test_a_bare_number_is_told_a_unit_of_its_key(key, number, want):
    """A unit-less number: the hint suggests a unit of what the key measures (not "8 kg" for a warranty)."""
    with pytest.raises(StudyError) as info:
        battery_study(**{key: number, "annual_distance": "15000 km/yr"})
    p = next(p for p in info.value.problems if p.column == key)
    assert "has no unit" in p.message and want in p.hint, p.hint


def test_rules_and_battery_go_together():
    doc = battery_doc()
    del doc["battery"]
    with pytest.raises(StudyError, match="need a \\[battery\\] section"):
        battery_study(doc)
    doc = battery_doc()
    del doc["method"]["rules"]
    with pytest.raises(StudyError) as info:
        battery_study(doc)
    assert info.value.problems[0].column == "rules"
    doc = battery_doc()
    doc["method"]["rules"] = "eu-2099"
    with pytest.raises(StudyError) as info:
        battery_study(doc)
    assert (info.value.problems[0].table, info.value.problems[0].column) == ("method", "rules")


def test_a_study_without_rules_keeps_its_content_hash(default_fp):
    """Adding the rules machinery changed no existing study's hash (PACT ids, manifests)."""
    from lca.results.content import study_settings

    assert "rules" not in study_settings(default_fp.study) and "battery" not in study_settings(default_fp.study)
    assert "rules" in study_settings(battery_study())


def test_doctests_of_the_rules_modules():
    import doctest

    import lca.rules.battery
    import lca.rules.pack

    for mod in (lca.rules.pack, lca.rules.battery):
        res = doctest.testmod(mod)
        assert res.failed == 0 and res.attempted > 0, mod.__name__
