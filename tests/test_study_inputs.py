"""Study loading refuses what it cannot compute with, at load and located (issue #11 items 2, 3, 4):
ids, types, product conversions, [pact], dates, overflow — for TOML, dicts and frames alike."""

from __future__ import annotations

import copy
import datetime as dt
import json

import polars as pl
import pytest

import lca
from lca.errors import LcaInputError


@pytest.fixture()
def load(tiny_path):
    """Load a variant of the tiny study dict as if it were the file ``study.toml``; compute it too."""
    def run(doc, *, compute=True):
        s = lca.study_from_dict(doc, base=tiny_path.parent, file="study.toml")
        return lca.compute(s) if compute else s
    return run


def _refused(load, doc, *, compute=True) -> list:
    with pytest.raises(LcaInputError) as err:
        load(doc, compute=compute)
    problems = err.value.problems
    assert all(p.file for p in problems), problems
    return problems


def _set(doc, path: str, value):
    d = copy.deepcopy(doc)
    *head, last = path.split("/")
    node = d
    for k in head:
        node = node[int(k)] if k.isdigit() else node[k]
    node[int(last) if last.isdigit() else last] = value
    return d


# ------------------------------------------------------------------------------- ids (#11 item 2)

@pytest.mark.parametrize("sid", ["<script>alert(1)</script>", "one site", "-lead", "a\nb", "x\n"])
def test_scenario_ids_have_the_site_and_process_id_form(load, tiny_doc, sid):
    doc = _set(tiny_doc, "scenario/0/id", sid)
    doc["scenario"][2]["mix"] = {sid: 0.5, "two-step": 0.5}
    problems = _refused(load, doc, compute=False)
    assert any(p.column == "id" and "wrong form" in p.message and p.table == "scenario #1" for p in problems)


def test_study_id_has_the_id_form(load, tiny_doc):
    problems = _refused(load, _set(tiny_doc, "study/id", "tiny study <b>"), compute=False)
    assert [(p.table, p.column) for p in problems] == [("study", "id")]


@pytest.mark.parametrize("path,value", [
    ("comparison", {"baseline": ["one-site"], "alternative": "two-step"}),
    ("scenario/1/product", ["coat"]),
    ("scenario/0/steps/0/process", ["film"]),
    ("scenario/0/steps/0/site", {"id": "mill"}),
    ("study/cell_plant", ["plant"]),
])
def test_ids_of_the_wrong_type_are_located_errors(load, tiny_doc, path, value):
    doc = tiny_doc if path != "comparison" else {**tiny_doc, "comparison": {}}
    problems = _refused(load, _set(doc, path, value), compute=False)
    assert any("must be a string" in p.message for p in problems), problems


def test_a_scenario_product_that_is_not_a_step_is_refused_at_load(load, tiny_doc):
    problems = _refused(load, _set(tiny_doc, "scenario/1/product", "ghost"), compute=False)
    assert [(p.table, p.column) for p in problems] == [("scenario 'two-step'", "product")]


# --------------------------------------------------------------- types where a string belongs (#11 item 3)

STRING_KEYS = ["study/title", "study/description", "study/company_name", "site/0/name", "site/0/grid",
               "site/0/market_factor", "process/0/stage", "process/0/name", "process/0/exchanges/0/flow",
               "process/0/exchanges/0/factor", "process/1/exchanges/0/input", "scenario/0/label",
               "scenario/0/transport/0/goods", "scenario/0/transport/0/to", "scenario/0/transport/0/legs/0/mode",
               "scenario/0/transport/0/legs/0/factor", "method/gwp", "product/name", "tables/routes"]


@pytest.mark.parametrize("path", STRING_KEYS)
@pytest.mark.parametrize("value", [["x"], {"a": "b"}, 3, True])
def test_an_array_or_table_where_a_string_belongs_is_located(load, tiny_doc, path, value):
    """Before: stringified silently ("['x']" as a name), a TypeError, or an 'unknown' error elsewhere."""
    doc = {**tiny_doc, "tables": {}} if path.startswith("tables") else tiny_doc
    problems = _refused(load, _set(doc, path, value), compute=False)
    key = path.rsplit("/", 1)[1]
    assert any(p.column == key and "must be a string" in p.message for p in problems), problems


def test_exchange_amounts_and_units_of_the_wrong_type(load, tiny_doc):
    doc = _set(tiny_doc, "process/0/exchanges/0/amount", ["1 kWh"])
    problems = _refused(load, doc, compute=False)
    assert [(p.table, p.column) for p in problems] == [("process 'film' exchange #1", "amount")]
    doc = _set(tiny_doc, "process/0/exchanges/0", {"flow": "tiny_power", "amount": 1, "unit": ["kWh"]})
    assert [p.column for p in _refused(load, doc, compute=False)] == ["unit"]


# --------------------------------------------------------------------- product conversions (#11 item 3)

PRODUCT_KEYS = {"declared_unit": "m^2", "mass_per_declared_unit": "g", "separator_per_cell_energy": "m^2/kWh",
                "pack_energy": "kWh", "annual_volume": "m^2"}


@pytest.mark.parametrize("key", sorted(PRODUCT_KEYS))
@pytest.mark.parametrize("number", ["0", "-10", "1e999", "5e-324"])
def test_product_conversions_are_finite_positive_and_normal(load, tiny_doc, key, number):
    """Before: negative values printed negative footprints; zero masses ended in ZeroDivisionError."""
    problems = _refused(load, _set(tiny_doc, f"product/{key}", f"{number} {PRODUCT_KEYS[key]}"), compute=False)
    assert [(p.table, p.column) for p in problems] == [("product", key)], problems


@pytest.mark.parametrize("ratio", [0.5, float("nan"), float("inf"), True])
def test_shipped_mass_ratio_is_a_finite_number_at_least_one(load, tiny_doc, ratio):
    problems = _refused(load, _set(tiny_doc, "product/shipped_mass_ratio", ratio), compute=False)
    assert [(p.table, p.column) for p in problems] == [("product", "shipped_mass_ratio")]


def test_a_view_multiplier_out_of_float_range_names_its_key(load, tiny_doc):
    """1e300 m²/kWh × 1e10 kWh per pack is beyond float range: before, per-vehicle results were inf."""
    doc = _set(_set(tiny_doc, "product/separator_per_cell_energy", "1e300 m^2/kWh"), "product/pack_energy", "1e10 kWh")
    problems = _refused(load, doc, compute=False)
    # every key of the multiplier is named; the column is the one furthest from 1 (1e300 m²/kWh)
    assert [(p.table, p.column) for p in problems] == [("product", "separator_per_cell_energy")]
    assert "per-vehicle multiplier, made of separator_per_cell_energy, pack_energy and declared_unit" in \
        problems[0].message


# ------------------------------------------------------------------------------------ [pact] (#11 item 3)

@pytest.mark.parametrize("key,value", [
    ("fossil_carbon_content", "-1 g"), ("fossil_carbon_content", "4 kWh"), ("fossil_carbon_content", 4.8),
    ("biogenic_carbon_content", "nan g"), ("exempted_emissions_percent", 101), ("exempted_emissions_percent", -1),
    ("exempted_emissions_percent", "2"), ("exempted_emissions_percent", float("nan")), ("status", "Actve"),
    ("version", "1"), ("version", 1.5), ("version", -1), ("version", True), ("company_ids", "urn:x:y"),
    ("company_ids", ["not-a-urn"]), ("company_ids", []), ("product_ids", ["urn:x:y", 5]),
    ("product_classifications", ["cpc:1234"]), ("validity_period_start", dt.datetime(2026, 1, 1)),
    ("validity_period_end", "soon"), ("validity_period_end", dt.date(2025, 6, 1)), ("comment", ["a"]),
    ("outbound_logistics_responsible", "no"), ("fossil_carbon", "4 g"),
])
def test_pact_values_are_checked_at_load(load, tiny_doc, key, value):
    """Before: accepted at load, then a traceback or a rejected document at export (or never noticed)."""
    problems = _refused(load, {**tiny_doc, "pact": {key: value}}, compute=False)
    assert [(p.table, p.column) for p in problems] == [("pact", key)], problems


def test_pact_dates_are_normalised_for_the_export(load, tiny_doc):
    pact = {"validity_period_start": dt.date(2026, 1, 1),
            "validity_period_end": dt.datetime(2028, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-2))),
            "exempted_emissions_percent": 1, "version": 3, "status": "Deprecated", "company_name": "Tiny Inc.",
            "company_ids": ["urn:tiny:company:1"], "product_ids": ["urn:tiny:product:1"], "product_category_cpc": "1"}
    fp = load({**tiny_doc, "pact": pact})
    doc = lca.export_pact(fp, "v2", "one-site", created="2026-01-01T00:00:00Z")
    json.dumps(doc)  # before: a datetime.date in the document
    assert (doc["validityPeriodStart"], doc["validityPeriodEnd"]) == ("2026-01-01T00:00:00Z", "2029-01-01T01:00:00Z")
    assert (doc["version"], doc["status"], doc["pcf"]["exemptedEmissionsPercent"]) == (3, "Deprecated", 1.0)


# ------------------------------------------------------------------------------------------- dates

@pytest.mark.parametrize("start,end,column", [
    (dt.datetime(2025, 1, 1, 0, 0), dt.date(2025, 12, 31), "reference_period.start"),
    (dt.date(2025, 1, 1), dt.datetime(2025, 12, 31, 0, 0, tzinfo=dt.timezone.utc), "reference_period.end"),
    ("2025-13-01", "2025-12-31", "reference_period.start"),
    ("2025-01-01", "2025-12-31T00:00", "reference_period.end"),
])
def test_reference_dates_are_dates(load, tiny_doc, start, end, column):
    """Before: a date-time compared with a date raised TypeError; a bad ISO string a ValueError (frames)."""
    problems = _refused(load, _set(tiny_doc, "study/reference_period", {"start": start, "end": end}), compute=False)
    assert [(p.table, p.column) for p in problems] == [("study", column)]


def test_iso_date_strings_are_dates(load, tiny_doc):
    s = load(_set(tiny_doc, "study/reference_period", {"start": "2025-01-01", "end": "2025-12-31"}), compute=False)
    assert (s.reference_start, s.reference_end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


# ---------------------------------------------------------------------- overflow (#11 item 4)

def test_finite_amounts_whose_products_overflow_name_the_exchange(load, tiny_doc):
    """5e307 kg ÷ yield 0.5 × 2 kg CO2e/kg overflows: before, 'results row N, column value: inf'."""
    doc = _set(tiny_doc, "process/0/exchanges/1/amount", "5e307 kg")
    problems = _refused(load, doc)
    assert {(p.file, p.table, p.column) for p in problems} == {("study.toml", "process 'film' exchange #2", "amount")}
    assert "results row" not in str(problems)


def test_contributions_adding_up_beyond_float_range_are_located(load, tiny_doc):
    doc = copy.deepcopy(tiny_doc)
    doc["process"][0]["exchanges"][1]["amount"] = "3e307 kg"  # ÷ 0.5 × 2 = 1.2e308 (× 1.25 in two-step): finite …
    doc["process"][0]["exchanges"].append({"flow": "tiny_resin", "amount": "3e307 kg"})  # … but twice is not
    problems = _refused(load, doc)
    assert problems[0].table.startswith("process 'film' exchange #") and problems[0].column == "amount"
    assert "add up beyond" in problems[0].message


def test_an_amount_overflowing_when_scaled_names_the_exchange(load, tiny_doc):
    doc = _set(tiny_doc, "process/0/exchanges/0/amount", "1e308 kWh")  # ÷ yield 0.5 → inf
    problems = _refused(load, doc)
    assert ("process 'film' exchange #1", "amount") in {(p.table, p.column) for p in problems}
    assert all("overflow" in p.message for p in problems)


@pytest.mark.parametrize("path,value,column", [
    ("process/0/output", "5e-320 m^2", "output"),
    ("process/0/yield", 5e-320, "yield"),
    ("product/declared_unit", "1e-310 m^2", "declared_unit"),
    ("product/declared_unit", "1e-303 mm^2", "declared_unit"),  # normal as written, subnormal in m²
])
def test_subnormal_divisors_are_refused_where_written(load, tiny_doc, path, value, column):
    """Dividing by a subnormal overflows; numerators that small only underflow to zero (allowed)."""
    problems = _refused(load, _set(tiny_doc, path, value), compute=False)
    assert [p.column for p in problems] == [column] and "too small" in problems[0].message, problems


def test_subnormal_amounts_are_located(load, tiny_doc):
    """A subnormal amount has lost its digits; every sum and ratio built on it is noise: refuse it, located."""
    problems = _refused(load, _set(tiny_doc, "process/0/exchanges/1/amount", "5e-324 g"))
    assert [(p.table, p.column) for p in problems] == [("process 'film' exchange #2", "amount")], problems


def test_frames_apply_the_same_checks():
    """The in-memory path is first-class: ids, types, product ranges and dates checked the same way."""
    from lca.study.frames import study_from_frames

    kw = dict(study={"id": "demo", "reference_period": {"start": "2025-01-01", "end": "2025-12-31"}},
              product={"name": "film", "declared_unit": "1 m^2", "mass_per_declared_unit": "-5.5 g"},
              sites=pl.DataFrame({"id": ["plant"], "country": ["JP"], "grid": ["JP-KANSAI"]}),
              processes=pl.DataFrame({"id": ["film"], "output": ["1 m^2"], "yield": [0.7]}),
              exchanges=pl.DataFrame({"process": ["film"], "flow": ["electricity"], "amount": [0.14],
                                      "unit": ["kWh"]}),
              scenarios=[{"id": "base <1>", "steps": [{"process": "film", "site": "plant"}]}],
              pact={"status": "Done"})
    with pytest.raises(LcaInputError) as err:
        study_from_frames(**kw)
    got = {(p.file, p.table, p.column) for p in err.value.problems}
    assert {("frames", "product", "mass_per_declared_unit"), ("frames", "pact", "status")} <= got
    kw["product"] = {**kw["product"], "mass_per_declared_unit": "5.5 g"}
    kw["pact"] = None
    with pytest.raises(LcaInputError) as err:
        study_from_frames(**kw)
    assert {(p.file, p.column) for p in err.value.problems} == {("frames", "id")}
    kw["scenarios"] = [{"id": "base", "steps": [{"process": "film", "site": "plant"}]}]
    kw["study"] = {"id": "demo", "reference_period": {"start": "2025-01-01T00:00", "end": "2025-12-31"}}
    with pytest.raises(LcaInputError, match="reference_period.start"):
        study_from_frames(**kw)


@pytest.mark.parametrize("path,value,column", [
    ("process/0/exchanges/0", {"flow": "tiny_power", "amount": 10**400, "unit": "kWh"}, "amount"),
    ("product/declared_unit", {"value": 10**400, "unit": "m^2"}, "declared_unit"),
    ("process/0/yield", 10**400, "yield"),
    ("scenario/2/mix/one-site", 10**400, "mix.one-site"),
    ("scenario/0/transport/0/legs/0", {"mode": "tinytruck", "distance": 10**400, "unit": "km"}, "distance"),
    ("product/shipped_mass_ratio", 10**400, "shipped_mass_ratio"),
])
def test_toml_integers_beyond_float_range_are_located(load, tiny_doc, path, value, column):
    """tomllib reads `amount = 1000…0` (400 digits) as an int; float() of it raised OverflowError."""
    problems = _refused(load, _set(tiny_doc, path, value))
    assert [p.column for p in problems] == [column], problems


def test_a_pact_percentage_beyond_float_range(load, tiny_doc):
    problems = _refused(load, {**tiny_doc, "pact": {"exempted_emissions_percent": 10**400}}, compute=False)
    assert [(p.table, p.column) for p in problems] == [("pact", "exempted_emissions_percent")]


# ------------------------------------------------------------------ every key, every hostile value

HOSTILE = [["x"], {"a": 1}, 7, -1.5, float("nan"), float("inf"), True, None, "", "1e999 kg", 10**400,
           dt.datetime(2025, 1, 1), dt.date(2025, 1, 1), "<b>x</b>", "0 g", "5e-324 m^2"]


def _leaves(node, prefix=()):
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        yield (*prefix, k)
        yield from _leaves(v, (*prefix, k))


def test_any_key_of_a_study_with_a_hostile_value_is_computed_or_refused_located(load, tiny_doc):
    """A seeded sample of (key, value) replacements: a finite result in every view, or located errors.

    Before: TypeError/OverflowError/AttributeError tracebacks, "['x']" names, unlocated problems.
    """
    import random

    cases = [(p, v) for p in _leaves(tiny_doc) for v in HOSTILE]
    for path, value in random.Random(20261130).sample(cases, 400):
        doc = copy.deepcopy(tiny_doc)
        node = doc
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
        try:
            fp = load(doc)
        except LcaInputError as exc:
            assert all(p.file == "study.toml" for p in exc.problems), (path, value, exc.problems)
            continue
        for per in ("declared_unit", "kg", "kWh", "vehicle", "year"):
            assert fp.totals(per).get_column("value").is_finite().all(), (path, value, per)


@pytest.mark.parametrize("key", ["start", "end"])
def test_reference_period_outside_plausible_years(load, tiny_doc, key):
    """9999-12-31 used to reach an OverflowError when the validity period (+1 day, +3 years) was computed."""
    import datetime as dt

    doc = _set(tiny_doc, f"study/reference_period/{key}", dt.date(9999, 12, 31) if key == "end" else dt.date(1, 1, 1))
    problems = _refused(load, doc, compute=False)
    assert [(p.table, p.column) for p in problems] == [("study", f"reference_period.{key}")], problems


def test_an_output_so_large_that_scaled_amounts_underflow(load, tiny_doc):
    """An output of 5e307 m² makes every scaled amount subnormal: a located error, not a broken chart."""
    problems = _refused(load, _set(tiny_doc, "process/0/output", "5e307 m^2"))
    assert problems and all("underflows" in p.message and p.file == "study.toml" for p in problems), problems
