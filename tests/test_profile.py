"""The product profile as data (#12 item 5): stages, views and the report's words come from the study.

A second, non-separator study ships as a fixture (tests/data/ncma: 1 kg of NCMA cathode material,
precursor from Korea, made in Korea / Ontario / Tennessee); its report is written for a cathode
material and shows its own stages, in its own order, in every stage table and chart.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

import lca
from lca.errors import LcaInputError, StudyError

DATA = Path(__file__).parent / "data"
NCMA = DATA / "ncma" / "study.toml"
TS = "2026-01-01T00:00:00Z"
FORBIDDEN = ("separator", "film", "coating", "cores, wrap and pallets")
NCMA_ORDER = ["Metal salts and reagents", "Precursor co-precipitation", "Lithiation and calcination",
              "Big bags and pallets", "Freight"]


@pytest.fixture(scope="module")
def ncma_fp():
    return lca.compute(lca.load_study(NCMA))


@pytest.fixture(scope="module")
def ncma_html(ncma_fp):
    from lca.report import render_html

    return render_html(ncma_fp, timestamp=TS)


def _order(text: str, labels: list[str]) -> list[str]:
    """The labels in the order they first appear in ``text``."""
    return sorted((x for x in labels if x in text), key=text.index)


# ------------------------------------------------------------------------------ the NCMA report

def test_the_report_of_a_cathode_study_has_no_separator_wording(ncma_html):
    text = html.unescape(ncma_html).lower()
    assert [w for w in FORBIDDEN if w in text] == []
    # and it is written for its own product
    assert "1 kg</strong> of cathode material" in ncma_html
    assert "It ships with big bags and pallets" in ncma_html
    assert "depending on where the cathode material is made" in ncma_html
    assert "Treatment of the sodium sulfate solution" in ncma_html  # the study's own exclusions


def test_the_report_with_uncertainty_has_no_separator_wording_either(ncma_fp):
    from lca.report import render_html
    from lca.uncertainty import run_uncertainty

    page = render_html(ncma_fp, timestamp=TS, uncertainty=run_uncertainty(ncma_fp, 300, 1))
    assert "Monte Carlo simulation with 300 iterations" in page
    assert [w for w in FORBIDDEN if w in html.unescape(page).lower()] == []


def test_its_stages_appear_in_every_stage_table_and_chart_in_the_study_order(ncma_html):
    sections = dict(re.findall(r'<section id="([a-z]+)">(.*?)</section>', ncma_html, flags=re.S))
    # the stage table of the boundary section, the results table, the totals chart and its legend
    boundary = sections["boundary"].split("<caption>Life-cycle stages", 1)[1].split("</table>", 1)[0]
    assert _order(boundary, NCMA_ORDER) == NCMA_ORDER
    results = sections["results"].split("<caption>By life-cycle stage", 1)[1].split("</table>", 1)[0]
    assert _order(results, NCMA_ORDER) == NCMA_ORDER
    totals_chart = re.search(r'<svg[^>]*id="fig-totals".*?</svg>', ncma_html, flags=re.S).group(0)
    legend = totals_chart[totals_chart.rindex("</rect>"):]  # the legend follows the last bar
    assert _order(legend, NCMA_ORDER) == NCMA_ORDER
    # the comparison table and difference chart (Korea → Tennessee) list every stage in the same order
    comparison = sections["comparison"]
    table = comparison.split("<table", 1)[1]
    assert _order(table, NCMA_ORDER) == NCMA_ORDER
    difference = re.search(r'<svg[^>]*id="fig-difference".*?</svg>', ncma_html, flags=re.S).group(0)
    assert _order(difference, NCMA_ORDER) == NCMA_ORDER


def test_stage_colours_follow_the_study_order_and_freight_is_hatched(ncma_html):
    from lca.report.charts import PALETTE

    chart = re.search(r'<svg[^>]*id="fig-totals".*?</svg>', ncma_html, flags=re.S).group(0)
    assert f'fill="{PALETTE[0]}"' in chart and f'fill="{PALETTE[2]}"' in chart  # salts, calcination
    assert 'fill="url(#fig-totals-pat-transport)"' in chart  # patterned, as every stage but the second


def test_the_totals_table_shows_the_studys_first_view_whatever_its_id(ncma_fp):
    """Before: the summary's second column was the view with the id 'kWh', or nothing."""
    from lca.report import render_html

    def totals_table(fp):
        page = render_html(fp, timestamp=TS)
        return page.split("<caption>Totals by scenario</caption>", 1)[1].split("</table>", 1)[0]

    study = ncma_fp.study
    first_vehicle = replace(study, views=tuple(v for v in study.views if v.id == "year"))
    table = totals_table(lca.compute(first_vehicle))
    assert "t CO₂e per year of supply" in table and "kWh" not in table
    assert "kg CO₂e per kWh of cell capacity" in totals_table(ncma_fp)  # its label, not a bare /kWh (#14)
    assert "CO₂e/" not in totals_table(lca.compute(replace(study, views=()))).split("kg CO₂e/kg", 1)[1]


# ----------------------------------------------------------------------- Footprint.stages / views

def test_footprint_stages_come_from_the_study(ncma_fp):
    st = ncma_fp.stages
    assert st.get_column("stage").to_list() == ["raw_materials", "precursor", "calcination", "packing", "transport"]
    assert st.get_column("label").to_list() == NCMA_ORDER
    assert st.get_column("order").to_list() == [0, 1, 2, 3, 4]
    row = st.row(1, named=True)
    assert (row["eu_battery_stage"], row["ghg_stage"], row["pact_field"]) == (
        "Raw material acquisition and pre-processing", "Material acquisition & pre-processing", None)
    assert st.get_column("pact_field").to_list() == [None, None, None, "packagingGhgEmissions", None]
    # results are ordered by the study's stages, not by name
    assert ncma_fp.by_stage(scenario="korea").get_column("stage").to_list() == st.get_column("stage").to_list()


def test_footprint_views_are_the_built_in_ones_and_the_studys(ncma_fp):
    v = ncma_fp.views
    assert v.columns[:4] == ["view", "factor", "unit", "label"]
    assert v.get_column("view").to_list() == ["declared_unit", "kg", "kWh", "vehicle", "year"]
    factors = dict(v.select("view", "factor").iter_rows())
    # by hand: 1.55 kg per kWh; 85 kWh per vehicle; 30e6 kg a year, in t (÷ 1000); 1 kg per kg
    assert factors == pytest.approx({"declared_unit": 1.0, "kg": 1.0, "kWh": 1.55, "vehicle": 1.55 * 85,
                                     "year": 30e6 / 1000}, rel=1e-12)
    assert dict(v.select("view", "unit").iter_rows()) == {
        "declared_unit": "kg_CO2e/kg", "kg": "kg_CO2e/kg", "kWh": "kg_CO2e/kWh", "vehicle": "kg_CO2e/vehicle",
        "year": "t_CO2e/yr"}
    korea = ncma_fp.total("korea").value
    assert ncma_fp.total("korea", per="vehicle").value == pytest.approx(korea * 131.75, rel=1e-12)


def test_the_default_study_keeps_its_views_and_numbers(default_fp):
    factors = dict(default_fp.views.select("view", "factor").iter_rows())
    # kWh and vehicle come from the cell study since #16 item 5: 10 m² per kWh × 71.4 kWh (was 75) per pack
    assert factors == pytest.approx({"declared_unit": 1.0, "kg": 1 / 0.0087, "kWh": 10.0, "vehicle": 714.0,
                                     "year": 700e6 / 1000}, rel=1e-12)
    # 0.1886385 before #13: HDPE default, waste, inbound legs, electricity basis and LNG (test_engine_equivalence)
    assert default_fp.total("jp-import").value == pytest.approx(0.2078533, rel=1e-6)
    assert default_fp.stages.get_column("label").to_list() == [
        "Raw materials", "Base-film production", "Coating", "Packaging", "Transport"]


@pytest.mark.parametrize("command", [
    ("run", "--per", "vehicle", "--format", "csv"),
    ("export", "--format", "csv", "--per", "vehicle"),
    ("uncertainty", "-n", "200", "--per", "vehicle", "--format", "csv"),
])
def test_per_accepts_the_studys_views_in_every_command(cli, command):
    r = cli(command[0], NCMA, *command[1:])
    assert r.exit_code == 0, r.stderr
    assert "kg_CO2e/vehicle" in r.stdout


def test_an_unknown_view_names_the_studys_views(cli):
    r = cli("run", NCMA, "--per", "pallet")
    assert r.exit_code == 1
    assert "--per pallet: the study defines no view 'pallet'" in r.stderr
    assert "declared_unit, kg, kWh, vehicle, year" in r.stderr


def test_a_study_without_views_or_stages_gets_neutral_defaults(ncma_fp):
    study = replace(ncma_fp.study, views=(), stages=())
    fp = lca.compute(study)
    assert fp.views.get_column("view").to_list() == ["declared_unit", "kg"]
    with pytest.raises(LcaInputError, match="defines no view 'kWh'"):
        fp.scale("kWh")


def test_undeclared_stages_default_in_process_order(tmp_path):
    text = NCMA.read_text(encoding="utf-8")
    text = re.sub(r"\[\[stage\]\].*?(?=\[\[view\]\])", "", text, flags=re.S)
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    (tmp_path / "factors.csv").write_bytes((NCMA.parent / "factors.csv").read_bytes())
    fp = lca.compute(lca.load_study(tmp_path / "study.toml"))
    assert fp.stages.get_column("stage").to_list() == ["raw_materials", "precursor", "calcination", "packing",
                                                       "transport"]
    assert fp.stages.get_column("label").to_list() == ["Raw materials", "Precursor", "Calcination", "Packing",
                                                       "Transport"]


# ------------------------------------------------------------------------------- refused input

def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = NCMA.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "study.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    (tmp_path / "factors.csv").write_bytes((NCMA.parent / "factors.csv").read_bytes())
    return tmp_path / "study.toml"


@pytest.mark.parametrize("old,new,where,message", [
    ('stage = "calcination"\noutput', 'stage = "calcinaton"\noutput', ("process 'calcination'", "stage"),
     "stage 'calcinaton' is not declared"),
    ('eu_battery_stage = "Main product production"\nghg_stage = "Production"\ndescription = "mixing',
     'eu_battery_stage = "Production"\nghg_stage = "Production"\ndescription = "mixing',
     ("stage 'calcination'", "eu_battery_stage"), "unknown EU Battery Regulation stage 'Production'"),
    ('amount = "1.55 kg"', 'amount = "1.55 kWh"', ("view 'kWh'", "amount"),
     "must have the dimension of the declared unit (1 kg)"),
    ('amount = "85 kWh"', 'amount = "85 kg"', ("view 'vehicle'", "amount"), "must have the dimension of view 'kWh'"),
    ('of = "kWh"', 'of = "kwh"', ("view 'vehicle'", "of"), "of = 'kwh' is not a view defined above"),
    ('result_unit = "t_CO2e/yr"', 'result_unit = "t_CO2e/kWh"', ("view 'year'", "result_unit"),
     "is not a CO2e mass per yr"),
    ('id = "kWh"', 'id = "kg"', ("view 'kg'", "id"), "view id 'kg' is built in"),
    ('id = "kWh"', 'id = "k Wh"', ("view 'k Wh'", "id"), "has the wrong form"),
    ('amount = "1.55 kg"', 'amount = "0 kg"', ("view 'kWh'", "amount"), "must be > 0"),
    ('noun = "cathode material"', 'noun = 3', ("profile", "noun"), "must be"),
    # found by the hostile-input suite: a stage id is a key of charts and exports, like any id
    ('[[stage]]\nid = "raw_materials"', '[[stage]]\nid = "<b>raw</b>"', ("stage '<b>raw</b>'", "id"), "is not an id"),
])
def test_profile_mistakes_are_located(tmp_path, old, new, where, message):
    with pytest.raises(StudyError) as err:
        lca.load_study(_variant(tmp_path, old, new))
    problems = err.value.problems
    assert (problems[0].table, problems[0].column) == where, problems
    assert message in problems[0].message
    # only the views built on a renamed one follow it (of = "kWh" is then unknown)
    assert all(p.column == "of" for p in problems[1:]), problems


def test_the_old_product_keys_are_refused_with_the_way_to_write_a_view(tmp_path):
    path = _variant(tmp_path, 'shipped_mass_ratio = 1.05', 'shipped_mass_ratio = 1.05\npack_energy = "85 kWh"')
    with pytest.raises(StudyError) as err:
        lca.load_study(path)
    (p,) = err.value.problems
    assert (p.table, p.column, p.message) == ("product", "pack_energy", "unknown key 'pack_energy'")
    assert "[[view]]" in p.hint and "docs/study-format.md" in p.hint


def test_a_view_built_on_a_broken_view_is_not_blamed_twice(tmp_path):
    with pytest.raises(StudyError) as err:
        lca.load_study(_variant(tmp_path, 'amount = "1.55 kg"', 'amount = "-1 kg"'))
    assert [(p.table, p.column) for p in err.value.problems] == [("view 'kWh'", "amount")]


# ----------------------------------------------------------------------------- no product in code

REPO = Path(__file__).resolve().parents[1]
#: where the engine must not name a product: the report, its templates, the profile and the result frames
#: every module of the package (but the shipped studies, which are data) and every template
PRODUCT_FREE = [*sorted(p for p in (REPO / "lca").rglob("*.py") if "studies" not in p.relative_to(REPO / "lca").parts),
                *sorted((REPO / "templates").glob("*"))]
#: python keyword arguments (polars' ``concat_str(separator=…)``, ``json.dumps(separators=…)``) name no product
KEYWORD_ARGS = re.compile(r"\bseparators?\s*=")


@pytest.mark.parametrize("path", PRODUCT_FREE, ids=lambda p: str(p.relative_to(REPO)))
def test_the_code_and_the_templates_name_no_product(path):
    """Before: hints and doctests of the engine and uncertainty named the default study's processes
    (``process.base_film.electricity``); only the report, the profile and the result were checked."""
    text = KEYWORD_ARGS.sub("", path.read_text(encoding="utf-8")).lower()
    assert [w for w in FORBIDDEN if w in text] == [], path


# ------------------------------------------------------------------------------- found on the way

def test_factor_files_of_the_wrong_type_are_a_located_problem(tmp_path):
    """Before: ``[factors] files`` that was not text or a list of text ended in a TypeError traceback
    (the hostile-value sampler of test_study_inputs hit it with ``files = None`` from a dict)."""
    from lca.study import study_from_dict
    from lca.study.io import parse_toml

    doc = parse_toml(NCMA.read_bytes(), file=str(NCMA))
    doc["factors"]["files"] = None
    with pytest.raises(StudyError) as err:
        study_from_dict(doc, base=NCMA.parent, file="s.toml")
    assert [(p.table, p.column) for p in err.value.problems] == [("factors", "files")]


def test_study_from_frames_takes_the_profile(ncma_fp):
    """Before: study_from_frames had no way to pass [[view]], [[stage]] or [profile] (an in-memory
    study lost its views and stage labels, and so its content ids)."""
    import tomllib

    from lca.study.frames import study_from_frames

    doc = tomllib.loads(NCMA.read_text(encoding="utf-8"))
    s = ncma_fp.study
    processes = pl.DataFrame([{k: p.get(k) for k in ("id", "name", "stage", "output", "output_mass", "yield")}
                              for p in doc["process"]])
    routes = pl.DataFrame([{"from": r["from"], "to": r["to"], "leg": i, "mode": leg["mode"],
                            "distance": float(leg["distance"].split()[0]), "unit": "km"}
                           for r in doc["route"] for i, leg in enumerate(r["legs"], 1)])
    rebuilt = study_from_frames(
        study=doc["study"], product=doc["product"], method=doc["method"], sites=s.sites, processes=processes,
        exchanges=s.exchanges.select("process", "flow", "input", "amount", "unit", "stage", "factor"),
        scenarios=doc["scenario"], routes=routes, comparison=doc["comparison"], views=doc["view"],
        stages=doc["stage"], profile=doc["profile"])
    assert (rebuilt.views, rebuilt.stages, rebuilt.profile) == (s.views, s.stages, s.profile)
    fp = lca.compute(rebuilt, factors=[lca.factors.read_factor_file(NCMA.parent / "factors.csv")])
    assert fp.views.equals(ncma_fp.views) and fp.stages.equals(ncma_fp.stages)
    # study_from_frames takes no co-products yet: the same study but for them has the same content id
    from lca.results.content import study_hash

    alone = replace(s, coproducts=s.coproducts.clear(), allocation=s.allocation.clear())
    assert fp.content_hashes["study"] == study_hash(alone) != ncma_fp.content_hashes["study"]


# ------------------------------------------------------------------------------- properties

TINY = DATA / "tiny" / "study.toml"


@pytest.fixture(scope="module")
def tiny_base():
    import tomllib

    doc = tomllib.loads(TINY.read_text(encoding="utf-8"))
    return doc, lca.compute(lca.load_study(TINY))


@settings(max_examples=25, deadline=None)
@given(du=st.sampled_from([("1 m^2", 1.0), ("2 m^2", 2.0), ("1000 cm^2", 0.1)]),
       chain=st.lists(st.tuples(st.floats(1e-3, 1e3), st.sampled_from(["kWh", "vehicle", "yr", "pallet"])),
                      min_size=1, max_size=4),
       result_in_t=st.booleans())
def test_a_chain_of_views_multiplies_its_amounts(tiny_base, du, chain, result_in_t):
    """Any chain of views (each built on the one before): the total in the last view is the total per
    declared unit × the first amount in declared units ÷ the declared unit × every later amount;
    a view in t CO2e is 1/1000 of the same view in kg; the per-declared-unit totals never move."""
    doc, base = tiny_base
    du_text, du_m2 = du
    doc = {**doc, "product": {**doc["product"], "declared_unit": du_text}}
    views, pers = [], []
    for i, (amount, per) in enumerate(chain):
        first = i == 0
        unit = "m^2" if first else (pers[-1] if pers[-1] in ("kWh", "yr") else "dimensionless")
        v = {"id": f"v{i}", "per": per, "amount": f"{amount!r} {unit}"}
        if not first:
            v["of"] = f"v{i - 1}"
        pers.append(per)
        views.append(v)
    last = views[-1]
    if result_in_t and pers[-1] in ("kWh", "yr"):
        last["result_unit"] = f"t_CO2e/{pers[-1]}"
    doc["view"] = views
    fp = lca.compute(lca.study_from_dict(doc, base=TINY.parent, file="study.toml"))
    expect = chain[0][0] / du_m2
    for amount, _ in chain[1:]:
        expect *= amount
    if "result_unit" in last:
        expect /= 1000
    assert fp.scale(last["id"])[0] == pytest.approx(expect, rel=1e-9)
    per_du = fp.total("two-step").value
    assert fp.total("two-step", per=last["id"]).value == pytest.approx(per_du * expect, rel=1e-9)
    # the declared unit scales the per-declared-unit results, never the views' meaning per m²
    assert per_du / du_m2 == pytest.approx(base.total("two-step").value, rel=1e-9)
