"""[pact] carbon contents are bounded by the product's mass (review doubt: 100 g of carbon in 8.7 g).

A carbon content is the mass of carbon in one declared unit of product, so each of
``fossil_carbon_content`` and ``biogenic_carbon_content``, and their sum, is at most
``[product] mass_per_declared_unit``; the study is refused at load, located at the [pact] key.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lca
from lca.errors import StudyError
from lca.resources import default_study_path
from lca.study.pact import parse_pact
from lca.study.parse import Quantity

END = dt.date(2025, 12, 31)
GRAMS = {"g": 1.0, "kg": 1000.0, "mg": 1e-3}


@pytest.fixture(scope="module")
def default_doc():
    import tomllib

    return tomllib.loads(default_study_path().read_text(encoding="utf-8"))


def _load(doc):
    return lca.study_from_dict(doc, base=default_study_path().parent, file="s.toml")


@pytest.mark.parametrize("pact,column,words", [
    ({"fossil_carbon_content": "100 g"}, "fossil_carbon_content", "100 g is more than"),
    ({"fossil_carbon_content": "0.1 kg"}, "fossil_carbon_content", "0.1 kg is more than"),
    ({"biogenic_carbon_content": "9 g"}, "biogenic_carbon_content", "9 g is more than"),
    ({"fossil_carbon_content": "5 g", "biogenic_carbon_content": "4 g"}, "fossil_carbon_content",
     "fossil_carbon_content 5 g + biogenic_carbon_content 4 g is more than"),
])
def test_carbon_content_above_the_product_mass_is_refused_at_load(default_doc, pact, column, words):
    doc = copy.deepcopy(default_doc)
    assert doc["product"]["mass_per_declared_unit"] == "8.7 g"
    doc["pact"] = {**doc.get("pact", {}), **pact}
    with pytest.raises(StudyError) as err:
        _load(doc)
    (p,) = [p for p in err.value.problems if p.table == "pact"]
    assert (p.file, p.column) == ("s.toml", column)
    assert words in p.message and "8.7 g" in p.message


def test_carbon_contents_up_to_the_product_mass_load(default_doc):
    doc = copy.deepcopy(default_doc)
    doc["pact"] = {**doc.get("pact", {}), "fossil_carbon_content": "4.8 g", "biogenic_carbon_content": "3.9 g"}
    assert _load(doc).pact_spec["biogenic_carbon_content"] == "3.9 g"  # 8.7 g together: exactly the mass


def test_validate_reports_the_carbon_content(cli, tmp_path):
    text = default_study_path().read_text(encoding="utf-8")
    assert 'fossil_carbon_content = "4.8 g"' in text  # the bundled study names no file beside it
    study = tmp_path / "s.toml"
    study.write_text(text.replace('fossil_carbon_content = "4.8 g"', 'fossil_carbon_content = "100 g"'))
    r = cli("validate", study)
    assert r.exit_code == 1 and "fossil_carbon_content 100 g is more than" in r.stdout + r.stderr


@settings(max_examples=200, deadline=None)
@given(mass=st.floats(1e-3, 1e3), fossil=st.none() | st.floats(0, 2e3), bio=st.none() | st.floats(0, 2e3),
       units=st.tuples(st.sampled_from(sorted(GRAMS)), st.sampled_from(sorted(GRAMS))))
def test_carbon_contents_are_accepted_iff_each_and_their_sum_fit_the_mass(mass, fossil, bio, units):
    spec = {}
    if fossil is not None:
        spec["fossil_carbon_content"] = f"{fossil / GRAMS[units[0]]!r} {units[0]}"
    if bio is not None:
        spec["biogenic_carbon_content"] = f"{bio / GRAMS[units[1]]!r} {units[1]}"
    total = (fossil or 0.0) + (bio or 0.0)
    if abs(total - mass) <= 1e-6 * mass:
        return  # too close to the bound to say by hand which side float rounding lands on
    try:
        parse_pact(spec, file="s.toml", reference_end=END, product_mass=Quantity(mass, "g"))
        accepted = True
    except StudyError as exc:
        assert all(p.table == "pact" and p.column in spec for p in exc.problems)
        accepted = False
    assert accepted == (total <= mass)
