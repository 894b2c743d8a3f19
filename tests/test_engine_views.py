"""Model.evaluate on the units of analysis: ``view.<id>`` (a [[view]]'s amount) and
``product.mass_per_declared_unit``. They change no result per declared unit, only the views built
on them; hand-computed: per kWh = total × m² per kWh, per vehicle = per kWh × 75, per kg = total / mass."""

import numpy as np
import pytest

import lca
from lca.errors import LcaInputError, StudyError


@pytest.fixture(scope="module")
def model():
    return lca.build_model(lca.load_study(lca.default_study_path()))


def _totals(fp, per):
    return dict(fp.totals(per=per).select("scenario", "value").iter_rows())


def test_a_view_amount_changes_that_view_and_the_views_built_on_it(model):
    base = _totals(model.footprint(), "declared_unit")
    fp = model.evaluate({"view.kWh": "12 m^2"})  # the study says 10 m² of product per kWh
    assert _totals(fp, "declared_unit") == base
    for sid, t in base.items():
        assert _totals(fp, "kWh")[sid] == pytest.approx(t * 12, rel=1e-12)
        # built on kWh; 71.4 kWh: the cell study's pack (#16 item 5; was the constant 75)
        assert _totals(fp, "vehicle")[sid] == pytest.approx(t * 12 * 71.4, rel=1e-12)
        assert _totals(fp, "year")[sid] == pytest.approx(t * 700e6 / 1000, rel=1e-12)  # not built on kWh: unchanged
        assert _totals(fp, "kg")[sid] == pytest.approx(t / 0.0087, rel=1e-12)
    # a quantity in another unit of the same dimension, and the model itself is not modified
    fp2 = model.evaluate({"view.vehicle": "0.1 MWh"})
    sid = next(iter(base))
    assert _totals(fp2, "vehicle")[sid] == pytest.approx(base[sid] * 10 * 100, rel=1e-12)
    assert _totals(fp2, "kWh")[sid] == pytest.approx(base[sid] * 10, rel=1e-12)
    assert _totals(model.footprint(), "vehicle")[sid] == pytest.approx(base[sid] * 10 * 71.4, rel=1e-12)


def test_the_mass_per_declared_unit_changes_the_per_kg_view_only(model):
    base = _totals(model.footprint(), "declared_unit")
    fp = model.evaluate({"product.mass_per_declared_unit": "10 g"})
    for sid, t in base.items():
        assert _totals(fp, "kg")[sid] == pytest.approx(t / 0.010, rel=1e-12)
        assert _totals(fp, "kWh")[sid] == pytest.approx(t * 10, rel=1e-12)
    assert fp.study.product.mass_per_declared_unit.value == 10


@pytest.mark.parametrize("key", ["pack_energy", "annual_volume", "declared_unit", "noun"])
def test_keys_that_are_no_quantity_of_the_product_point_to_the_views(model, key):
    """Before: the [product] view keys of before the product profile were still accepted names
    (an AttributeError for the ones the Product no longer has)."""
    with pytest.raises(StudyError) as err:
        model.evaluate({f"product.{key}": 1.0})
    p = err.value.problems[0]
    assert (p.table, p.column) == ("changes", f"product.{key}")
    assert "[[view]]" in p.message and "view.<id>" in p.hint and "kWh, vehicle, year" in p.hint


def test_an_unknown_view_and_a_bad_amount_are_located(model):
    with pytest.raises(StudyError, match="no view 'pallet'") as err:
        model.evaluate({"view.pallet": 3})
    assert err.value.problems[0].column == "view.pallet"
    with pytest.raises(LcaInputError, match="must be > 0"):
        model.evaluate({"view.kWh": "0 m^2"})
    with pytest.raises(LcaInputError, match="view.kWh"):
        model.evaluate({"view.kWh": "3 kg"})  # not an area


def test_a_parameter_feeding_a_view_amount_moves_that_view(tmp_path):
    """Before: a parameter written into a [[view]] amount made Model.evaluate refuse the change
    ("the model cannot change")."""
    import tomllib

    from lca.study import study_from_dict

    path = lca.default_study_path()
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    doc.setdefault("parameters", {})["area_per_kwh"] = "10 m^2"
    kwh = next(v for v in doc["view"] if v["id"] == "kWh")
    kwh.pop("from_study", None)  # the amount from the cell study (#16 item 5) replaced by the parameter
    kwh["amount"] = "area_per_kwh"
    m = lca.build_model(study_from_dict(doc, base=path.parent, file=str(path)))
    base = _totals(m.footprint(), "declared_unit")
    fp = m.evaluate({"parameter.area_per_kwh": "8 m^2"})
    for sid, t in base.items():
        assert _totals(fp, "kWh")[sid] == pytest.approx(t * 8, rel=1e-12)
        assert _totals(fp, "vehicle")[sid] == pytest.approx(t * 8 * 71.4, rel=1e-12)
    assert np.isclose(_totals(fp, "declared_unit")[next(iter(base))], base[next(iter(base))], rtol=1e-15)


def test_hints_name_a_target_of_the_users_own_study():
    """Before: the hints of Model.evaluate, [[uncertainty]] targets and a missing target named the
    default study's process (``process.base_film.electricity``) whatever the study."""
    from pathlib import Path

    from lca.uncertainty.spec import parse_spec
    from lca.uncertainty.targets import resolve_target

    study = lca.load_study(Path(__file__).parent / "data" / "ncma" / "study.toml")
    p = study.processes.get_column("id")[0]
    ex = study.exchanges.filter(study.exchanges["process"] == p).row(0, named=True)
    mine = f"process.{p}.{ex['flow'] or ex['input']}"
    m = lca.build_model(study)
    with pytest.raises(StudyError) as err:
        m.evaluate({"bogus.target": 1.0})
    assert mine in err.value.problems[0].hint
    with pytest.raises(StudyError) as err:
        resolve_target(study, "bogus.target")
    assert mine in err.value.problems[0].hint
    with pytest.raises(StudyError) as err:
        parse_spec(study, [{"dist": "none"}])
    assert any(mine in (q.hint or "") for q in err.value.problems)
