"""Disclosure of allocation (#12 item 2): ``Footprint.allocation``, PACT ``allocationRulesDescription``
and the report's allocation table, on a small study with a co-product (hand-computed).

``precip`` makes 1 kg of precursor (output_mass 1 kg) and 1.5 kg of sodium sulfate per run:
mass allocation gives the precursor 1 / (1 + 1.5) = 40 %, the sulfate 60 %; economic allocation
(1.9 USD/kg against 0.1 USD/kg) gives 1.9 / (1.9 + 0.15) = 92.68 % and 0.15 / 2.05 = 7.317 %.
Scenario ``two`` runs only ``plain`` (one product); ``mix`` is half ``one``, half ``two``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

import lca
from lca.disclosure.pact.build import ALLOCATION_TEXT
from lca.disclosure.pact.crosscheck import check_against_study
from test_engine_allocation import PRECIP
from test_engine_system import tiny_world

TINY = Path(__file__).parent / "data" / "tiny"
CREATED = "2026-01-01T00:00:00Z"

STUDY = tiny_world("alloc", "Precursor", "1 kg", "1 kg", study_keys='''company_name = "Acme"
product_category_cpc = "3511"
company_ids = ["urn:acme:company:1"]
product_ids = ["urn:acme:product:1"]
''') + """
[[view]]
id = "kWh"
per = "kWh"
amount = "2 kg"

[[view]]
id = "vehicle"
per = "vehicle"
of = "kWh"
amount = "50 kWh"

[[view]]
id = "year"
per = "yr"
amount = "1000 kg"
result_unit = "t_CO2e/yr"

""" + PRECIP + """
[[process]]
id = "plain"
stage = "precursor"
output = "1 kg"
exchanges = [ {{ flow = "tiny_power", amount = "1 kWh" }} ]

[[scenario]]
id = "one"
steps = [ {{ process = "precip", site = "mill" }} ]

[[scenario]]
id = "two"
steps = [ {{ process = "plain", site = "mill" }} ]

[[scenario]]
id = "mix"
mix = {{ one = 0.5, two = 0.5 }}
{extra}"""

MASS = '{ method = "mass", reason = "no <physical> causality & no price" }'
ECONOMIC = '{ method = "economic", price = "1.9 USD/kg", reason = "low-value by-product" }'
SUBSTITUTION = '{ method = "substitution", reason = "the sulfate displaces a resin" }'
PHYSICAL = ('{ method = "physical", basis = "metal content", shares = { precip = 0.75, sodium_sulfate = 0.25 }, '
            'reason = "stated" }')


def study_path(tmp_path: Path, allocation: str = MASS, extra: str = "") -> Path:
    shutil.copy(TINY / "factors.csv", tmp_path / "factors.csv")
    path = tmp_path / "alloc.toml"
    path.write_text(STUDY.format(allocation=allocation, extra=extra), encoding="utf-8")
    return path


def footprint(tmp_path: Path, allocation: str = MASS, extra: str = "") -> lca.Footprint:
    return lca.compute(lca.load_study(study_path(tmp_path, allocation, extra)))


def test_the_allocation_frame_names_each_scenario_that_runs_the_process(tmp_path):
    a = footprint(tmp_path).allocation
    assert a.columns == ["scenario", "process", "output", "method", "factor", "basis", "reason"]
    assert a.select("scenario", "process", "output", "method").rows() == [
        ("one", "precip", "precip", "mass"), ("one", "precip", "sodium_sulfate", "mass"),
        ("mix", "precip", "precip", "mass"), ("mix", "precip", "sodium_sulfate", "mass")]
    assert a["factor"].to_list() == pytest.approx([0.4, 0.6, 0.4, 0.6], rel=1e-12)
    assert set(a["reason"]) == {"no <physical> causality & no price"}


def test_the_default_study_allocates_nothing_with_the_same_columns():
    a = lca.compute(lca.load_study(lca.default_study_path())).allocation
    assert a.height == 0
    assert a.schema == pl.Schema({"scenario": pl.String, "process": pl.String, "output": pl.String,
                                  "method": pl.String, "factor": pl.Float64, "basis": pl.String,
                                  "reason": pl.String})


def test_substitution_leaves_the_coproduct_without_a_share(tmp_path):
    a = footprint(tmp_path, SUBSTITUTION).allocation.filter(pl.col("scenario") == "one")
    assert a.select("output", "factor").rows() == [("precip", 1.0), ("sodium_sulfate", None)]


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_pact_describes_the_allocation_of_the_scenarios_that_allocate(tmp_path, version):
    fp = footprint(tmp_path)
    docs = {d["productDescription"].rsplit(": ", 1)[1]: d for d in lca.export_pact(fp, version, created=CREATED)}
    one = docs["one"]["pcf"]["allocationRulesDescription"]
    assert ("process 'precip': allocation by mass, shares of the process's burden: precip 40 %, "
            "sodium_sulfate 60 %; reason: no <physical> causality & no price.") in one
    assert docs["mix"]["pcf"]["allocationRulesDescription"] == one
    assert docs["two"]["pcf"]["allocationRulesDescription"] == ALLOCATION_TEXT  # one product: as before
    assert lca.check_pact(list(docs.values()), version) == []
    assert check_against_study(list(docs.values()), version, fp) == []


@pytest.mark.parametrize("allocation,words", [
    (ECONOMIC, ["allocation by economic value", "precip 92.68 %", "sodium_sulfate 7.317 %",
                "reason: low-value by-product."]),
    (PHYSICAL, ["allocation by a physical relationship (basis: metal content)", "precip 75 %",
                "sodium_sulfate 25 %"]),
    (SUBSTITUTION, ["system expansion (substitution)", "precip 100 %", "sodium_sulfate credited",
                    "reason: the sulfate displaces a resin."]),
])
def test_pact_names_method_shares_and_reason(tmp_path, allocation, words):
    # check=False: the substitution credit (3 kg CO2e) exceeds the burden (2 kg), a negative PCF that
    # the PACT rules refuse; the text is what is tested here
    text = lca.export_pact(footprint(tmp_path, allocation), "v3", "one", created=CREATED,
                           check=False)["pcf"]["allocationRulesDescription"]
    assert all(w in text for w in words), text


def test_a_stated_pact_allocation_text_wins(tmp_path):
    fp = footprint(tmp_path, extra='\n[pact]\nallocation_rules_description = "Our own words."\n')
    assert lca.export_pact(fp, "v3", "one", created=CREATED)["pcf"]["allocationRulesDescription"] == "Our own words."


def test_the_report_has_an_escaped_allocation_table_only_when_something_is_allocated(tmp_path):
    from lca.report import render_html

    html = render_html(footprint(tmp_path), timestamp=CREATED)
    table = html.split('id="allocation"', 1)[1].split("</table>", 1)[0]
    assert "<td>precip</td><td>sodium_sulfate</td><td>allocation by mass</td><td class=\"num\">60 %</td>" in table
    assert "no &lt;physical&gt; causality &amp; no price" in table and "<physical>" not in html
    assert "No allocation is needed" not in html
    default = render_html(lca.compute(lca.load_study(lca.default_study_path())), timestamp=CREATED)
    assert 'id="allocation"' not in default and "No allocation is needed" in default
