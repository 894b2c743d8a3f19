"""Units of analysis from data (#16 item 5): the separator study's per-kWh and per-vehicle conversions
come from the cell study (``[[view]] from_study``), not from fixed constants.

Hand numbers: the cell study takes 10 m² of separator per kWh of cell capacity and names a 71.4 kWh
pack, so the separator study's per-kWh multiplier is 10 and its per-vehicle multiplier 10 × 71.4 = 714
m² (before: the constants 10 and 75 → 750).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import lca
from lca.errors import StudyError

STUDIES = Path(lca.__file__).parent / "studies"
SEPARATOR = STUDIES / "separator-na.toml"
CELL = STUDIES / "ncma-pouch-na.toml"


def _copy_both(tmp_path: Path, *, cell_edit: tuple[str, str] | None = None,
               sep_edit: tuple[str, str] | None = None) -> Path:
    """Both studies (and the cell study's folder) copied to ``tmp_path``, optionally with one text edit each."""
    shutil.copytree(STUDIES / "ncma-pouch-na", tmp_path / "ncma-pouch-na")
    for src, edit in ((CELL, cell_edit), (SEPARATOR, sep_edit)):
        text = src.read_text(encoding="utf-8")
        if edit is not None:
            assert text.count(edit[0]) == 1, edit[0]
            text = text.replace(*edit)
        (tmp_path / src.name).write_text(text, encoding="utf-8")
    return tmp_path / SEPARATOR.name


def test_views_come_from_the_cell_study():
    s = lca.load_study(SEPARATOR)
    views = {v.id: v for v in s.views}
    assert views["kWh"].multiplier == pytest.approx(10.0, rel=1e-12)
    assert views["kWh"].label == "per kWh of cell capacity"
    assert views["vehicle"].multiplier == pytest.approx(714.0, rel=1e-12)
    assert "ncma-pouch-na" in views["kWh"].basis and "ncma-pouch-na" in views["vehicle"].basis
    assert "linked study ncma-pouch-na.toml" in s.input_hashes


def test_per_m2_numbers_do_not_change_and_per_kwh_follows_the_cell_study(tmp_path):
    fp = lca.compute(lca.load_study(SEPARATOR))
    jp = fp.total("jp-import").value
    assert jp == pytest.approx(0.2079, abs=5e-5)                     # per m²: unchanged
    assert fp.total("jp-import", per="kWh").value == pytest.approx(10 * jp, rel=1e-12)
    assert fp.total("jp-import", per="vehicle").value == pytest.approx(714 * jp, rel=1e-12)
    # a cell design with 8 m² per kWh: per kWh × 0.8, per m² untouched
    path = _copy_both(tmp_path, cell_edit=('amount = "10 m^2", stage = "separator"', 'amount = "8 m^2", stage = "separator"'))
    fp8 = lca.compute(lca.load_study(path))
    assert fp8.total("jp-import").value == pytest.approx(jp, rel=1e-12)
    assert fp8.total("jp-import", per="kWh").value == pytest.approx(8 * jp, rel=1e-12)
    assert fp8.total("jp-import", per="vehicle").value == pytest.approx(8 * 71.4 * jp, rel=1e-12)


def test_the_cell_process_yield_counts(tmp_path):
    """m² per kWh of GOOD cells: the exchange ÷ the yield of the process taking it (10 ÷ 0.8 = 12.5)."""
    path = _copy_both(tmp_path, cell_edit=("yield = 1.0 ", "yield = 0.8 "))
    views = {v.id: v for v in lca.load_study(path).views}
    assert views["kWh"].multiplier == pytest.approx(12.5, rel=1e-12)


def test_a_copy_of_the_shipped_study_keeps_its_links(tmp_path):
    """Alone in a folder, from_study names the shipped cell study."""
    (tmp_path / "s.toml").write_text(SEPARATOR.read_text(encoding="utf-8"), encoding="utf-8")
    views = {v.id: v for v in lca.load_study(tmp_path / "s.toml").views}
    assert views["kWh"].multiplier == pytest.approx(10.0)


@pytest.mark.parametrize("edit, column, words", [
    (('from_study = "ncma-pouch-na.toml"   # m²', 'amount = "10 m^2"\nfrom_study = "ncma-pouch-na.toml"   # m²'),
     "amount", "not both"),
    (('from_view = "vehicle"', 'from_view = "truck"'), "from_view", "has no view 'truck'"),
    (('from_study = "ncma-pouch-na.toml"   # m²', 'from_study = "no-such-study.toml"   # m²'), "from_study",
     "not found"),
])
def test_bad_links_are_located(tmp_path, edit, column, words):
    path = _copy_both(tmp_path, sep_edit=edit)
    with pytest.raises(StudyError) as err:
        lca.load_study(path)
    p = err.value.problems[0]
    assert p.column == column and words in p.message and p.file == str(path)


def test_a_cell_study_without_this_product_is_refused(tmp_path):
    path = _copy_both(tmp_path, sep_edit=('product_ids = ["urn:lca:product:ceramic-coated-wet-pe-separator"]',
                                          'product_ids = ["urn:lca:product:other"]'))
    with pytest.raises(StudyError) as err:
        lca.load_study(path)
    assert "takes no supplier footprint of this product" in err.value.problems[0].message


def test_a_cycle_is_refused(tmp_path):
    """A cell study whose own view links back to the separator study."""
    path = _copy_both(tmp_path, cell_edit=('amount = "71.4 kWh"             # kWh',
                                           'from_study = "separator-na.toml"\nfrom_view = "kWh"  # kWh'))
    with pytest.raises(StudyError) as err:
        lca.load_study(path)
    assert any("cycle" in p.message for p in err.value.problems)


def test_property_the_view_is_the_cell_amount_over_its_yield():
    """For any m² per kWh and cell-process yield, the separator study's per-kWh multiplier is amount ÷ yield
    and its per-vehicle multiplier that × 71.4; the per-m² totals never move."""
    import tempfile

    from hypothesis import given, settings, strategies as st

    base_total = lca.compute(lca.load_study(SEPARATOR)).total("jp-import").value

    @settings(max_examples=8, deadline=None)
    @given(amount=st.floats(0.5, 40.0), y=st.floats(0.5, 1.0))
    def check(amount, y):
        with tempfile.TemporaryDirectory() as d:
            path = _copy_both(Path(d), cell_edit=('amount = "10 m^2", stage = "separator"',
                                                  f'amount = "{amount!r} m^2", stage = "separator"'))
            text = (Path(d) / CELL.name).read_text(encoding="utf-8").replace("yield = 1.0 ", f"yield = {y!r} ")
            (Path(d) / CELL.name).write_text(text, encoding="utf-8")
            s = lca.load_study(path)
            views = {v.id: v for v in s.views}
            assert views["kWh"].multiplier == pytest.approx(amount / y, rel=1e-12)
            assert views["vehicle"].multiplier == pytest.approx(amount / y * 71.4, rel=1e-12)
            fp = lca.compute(s)
            assert fp.total("jp-import").value == pytest.approx(base_total, rel=1e-12)

    check()
