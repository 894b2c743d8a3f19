"""A study changed in memory is priced as changed: the product's shipped-mass ratio (review of #10,
finding 5: the ratio read at load stayed in the transport frame, so a changed ratio was ignored)."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

import lca


@pytest.fixture(scope="module")
def study():
    return lca.load_study(lca.default_study_path())


def _transport(study, scenario="jp-import") -> float:
    # the product's own legs: inbound legs of materials (#13) carry the material's mass, not the product's
    d = lca.compute(study).detail.filter((pl.col("scenario") == scenario) & (pl.col("stage") == "transport"))
    return d.filter(~pl.col("process").str.starts_with("inbound ")).get_column("value").sum()


def test_a_changed_shipped_mass_ratio_moves_every_leg(study):
    """tkm = shipped mass × distance and shipped mass = product mass × ratio: twice the ratio, twice
    the freight (no element of the default study states its own packaging factor)."""
    base = _transport(study)
    doubled = dataclasses.replace(study, product=dataclasses.replace(
        study.product, shipped_mass_ratio=2 * study.product.shipped_mass_ratio))
    assert _transport(doubled) == pytest.approx(2 * base, rel=1e-12)
    assert lca.compute(doubled).total("jp-import").value > lca.compute(study).total("jp-import").value


def test_an_edit_of_the_transport_frame_itself_wins(study):
    """Packaging factors written into the transport frame in memory are kept, whatever the ratio."""
    base = _transport(study)
    t = study.transport.with_columns(pl.col("packaging_factor") * 1.5)
    edited = dataclasses.replace(study, transport=t, product=dataclasses.replace(
        study.product, shipped_mass_ratio=3 * study.product.shipped_mass_ratio))
    assert _transport(edited) == pytest.approx(1.5 * base, rel=1e-12)
