"""Report fields users and assurers look for (#14 item 6): contact, product ids and classification,
version and validity, carbon content of the product and its packaging, product-category rules, and
what the report does not cover; from the study's ``[disclosure]`` / ``[pact]`` tables and the PACT
export of the same result, with stated defaults for studies that give none."""

from __future__ import annotations

import copy
import html
import re

import pytest

import lca
from lca.errors import LcaInputError

TS = "2026-01-01T00:00:00Z"


def _block(report: str) -> str:
    """The identification block of a report, as text."""
    i, j = report.index('<h3 id="identification">'), report.index('<section id="boundary">')
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", report[i:j])).split())


@pytest.fixture(scope="module")
def default_report(default_fp) -> str:
    from lca.report import render_html

    return render_html(default_fp, timestamp=TS)


def test_default_report_states_every_field(default_report):
    text = _block(default_report)
    for want in ("Contact Product carbon footprint team, Example Separator Supplier Inc., pcf@example.com",
                 "Reporting company Example Separator Supplier Inc. (urn:lca:company:example-separator-supplier)",
                 "Product ids urn:lca:product:ceramic-coated-wet-pe-separator",
                 "Product classification UN CPC 36390 (urn:pact:productclassification:un-cpc:36390)",
                 "Version and status version 1, Active",
                 "Product-category rules (PCR) none: no product-category rules were applied",
                 # [pact] fossil_carbon_content "4.8 g" per 1 m²; [disclosure] packaging 0.26 g and 0.96 g
                 "Product, fossil carbon 4.80 g per 1 m²",
                 "Product, biogenic carbon not stated in the study (the PACT export writes 0)",
                 "Packaging, fossil carbon 0.260 g per 1 m²", "Packaging, biogenic carbon 0.960 g per 1 m²",
                 "What this report does not cover",
                 "only GWP100 (AR6) is assessed",
                 "Use at the cell plant, the battery's use phase and end of life are outside the boundary.",
                 "4 flows excluded from the boundary",
                 "per kWh of cell capacity"):
        assert want in text, want
    assert "<dt>Contact</dt>" in default_report.split("</header>")[0], "the cover names the contact"


def test_validity_and_ids_are_the_pact_exports(default_fp, default_report):
    """One value in the report and the export: each scenario's footprint id and validity period."""
    text = _block(default_report)
    docs = lca.export_pact(default_fp, "v3", created=TS)
    assert len(docs) == len(default_fp.scenarios) == 6
    for doc in docs:
        row = f"{doc['validityPeriodStart'][:10]} {doc['validityPeriodEnd'][:10]} {doc['id']}"
        assert row in text, row
    # by hand: current scenarios from the day after the 2025 reference period, 3 years; (b) from its start
    assert "2026-01-01 2029-01-01" in text and "2027-07-01 2031-07-01" in text


def test_a_study_without_disclosure_gets_stated_defaults(tiny_fp):
    from lca.report import render_html

    text = _block(render_html(tiny_fp, timestamp=TS))
    for want in ("Contact not stated in the study", "Product ids not stated in the study",
                 "Product classification not stated in the study",
                 "Product-category rules (PCR) none: no product-category rules were applied",
                 "Product, fossil carbon not stated in the study (the PACT export writes 0)",
                 "Packaging, fossil carbon not stated in the study", "What this report does not cover"):
        assert want in text, want
    assert "<dt>Contact</dt>" not in render_html(tiny_fp, timestamp=TS)


@pytest.fixture()
def load(tiny_path):
    def run(doc):
        return lca.study_from_dict(doc, base=tiny_path.parent, file="study.toml")
    return run


def test_disclosure_is_read_and_hashed_only_when_given(load, tiny_doc):
    from lca.results.content import study_hash

    plain = study_hash(load(tiny_doc))
    assert study_hash(load({**tiny_doc, "disclosure": {}})) == plain, "an empty table is no content"
    doc = {**tiny_doc, "disclosure": {"contact": "pcf@example.com", "product_category_rules": ["PCR X v1"],
                                      "packaging_fossil_carbon_content": "0.5 g", "not_covered": ["Y."]}}
    s = load(doc)
    assert s.disclosure.contact == "pcf@example.com" and s.disclosure.product_category_rules == ("PCR X v1",)
    assert s.disclosure.packaging_fossil_carbon_content.to("g") == pytest.approx(0.5)
    assert study_hash(s) != plain
    g = copy.deepcopy(doc)
    g["disclosure"]["packaging_fossil_carbon_content"] = "0.0005 kg"  # the same mass: the same hash
    assert study_hash(load(g)) == study_hash(s)
    from lca.report import render_html

    text = _block(render_html(lca.compute(s), timestamp=TS))
    assert "Product-category rules (PCR) PCR X v1" in text and "Packaging, fossil carbon 0.500 g per 1 m²" in text
    assert text.endswith("Y.")


@pytest.mark.parametrize("disclosure,column,words", [
    ({"contacts": "x"}, "contacts", "unknown key 'contacts'"),
    ({"contact": ""}, "contact", "non-empty string"),
    ({"contact": ["a"]}, "contact", "non-empty string"),
    ({"product_category_rules": "none"}, "product_category_rules", "list of non-empty strings"),
    ({"not_covered": ["ok", ""]}, "not_covered", "list of non-empty strings"),
    ({"packaging_fossil_carbon_content": "-1 g"}, "packaging_fossil_carbon_content", ">= 0"),
    ({"packaging_biogenic_carbon_content": "1 kWh"}, "packaging_biogenic_carbon_content", ""),
])
def test_bad_disclosure_is_a_located_error(load, tiny_doc, disclosure, column, words):
    with pytest.raises(LcaInputError) as err:
        load({**tiny_doc, "disclosure": disclosure})
    [p] = err.value.problems
    assert (p.file, p.table, p.column) == ("study.toml", "disclosure", column), p
    assert words in p.message, p.message


def test_packaging_carbon_is_bounded_by_the_packaging_mass(load, tiny_doc):
    """10 g product × (1.2 − 1) = 2 g of packaging per m²: 1.5 g + 0.4 g of carbon fit, 1.5 g + 0.6 g do not."""
    doc = copy.deepcopy(tiny_doc)
    doc["product"]["shipped_mass_ratio"] = 1.2
    ok = {"packaging_fossil_carbon_content": "1.5 g", "packaging_biogenic_carbon_content": "0.4 g"}
    load({**doc, "disclosure": ok})
    with pytest.raises(LcaInputError) as err:
        load({**doc, "disclosure": {**ok, "packaging_biogenic_carbon_content": "0.6 g"}})
    [p] = err.value.problems
    assert p.table == "disclosure" and "more than the packaging's mass per declared unit (2 g" in p.message, p


def test_a_result_pact_cannot_export_still_reports_its_fields(cli, tmp_path):
    """AR4: PACT accepts AR5/AR6 only, so there is no footprint id or validity; the report says why."""
    r = cli("report", "-o", tmp_path / "r.html", "--gwp", "AR4", "--timestamp", TS)
    assert r.exit_code == 0, r.stderr
    text = _block((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert "No PACT footprint can be made of this result: PACT accepts only AR5 or AR6" in text
    assert "Product ids urn:lca:product:ceramic-coated-wet-pe-separator" in text and "Valid from" not in text
    assert "only GWP100 (AR4) is assessed" in text
